/*
 * private.h - helpers the store's modules share and nobody else needs.
 */
#ifndef BERTH_STORE_PRIVATE_H
#define BERTH_STORE_PRIVATE_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/err.h"

/* Longest small store file (diff, size, cache-id, parent, link). */
#define STORE_SMALL_MAX 4096

/* A small file into out (NUL-terminated; trim: trailing newlines and
 * spaces dropped); longer than n-1 bytes is an error. */
int store_read_small(int dirfd, const char *path, char *out, size_t n, int trim, struct berr *err);
/* mkdir that accepts an existing dir. */
int store_mkdir(int dirfd, const char *path, mode_t mode, struct berr *err);
/* Whether s starts with 64 lowercase hex digits. */
int store_is_hex64(const char *s);
/* How many entries of dirfd/path are named by exactly 64 hex digits (0
 * when the dir cannot be read). */
size_t store_count_hex64(int dirfd, const char *path);

struct store;
/* Writes an empty repositories.json when there is none (store_open). */
int refs_create(struct store *s, struct berr *err);

#endif
