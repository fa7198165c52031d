/*
 * walk.h - Go's filepath.Walk over a directory fd: each entry lstat'ed,
 * names in byte order, parents before children, the root itself not
 * visited; and the xattr reads the layer code needs.
 */
#ifndef BERTH_LAYER_WALK_H
#define BERTH_LAYER_WALK_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../util/err.h"
#include "../util/sbuf.h"

#define WALK_PRUNE 1   /* from a visit: do not descend into this dir */

/* name is the entry in dirfd, rel its path from the root ("a/b"). */
typedef int (*walk_fn)(void *ctx, int dirfd, const char *name, const char *rel, const struct stat *st,
		       struct berr *err);

/* Visits every entry below root_dirfd (borrowed); stops at the first -1. */
int walk_tree(int root_dirfd, walk_fn visit, void *ctx, struct berr *err);

/* The entries of dirfd (borrowed) but "." and "..", sorted bytewise;
 * *names is a malloc'd array of malloc'd strings (walk_names_free). */
int walk_read_names(int dirfd, char ***names, size_t *n, struct berr *err);
void walk_names_free(char **names, size_t n);

/* lgetxattr of dirfd/name, never following a symlink: the value's length,
 * or -1 (errno set; ENODATA when it is absent). */
ssize_t walk_lgetxattr(int dirfd, const char *name, const char *attr, void *buf, size_t cap);
/* 1 when the dir dirfd/name has trusted.overlay.opaque "y", else 0;
 * -1 with err on a failure other than "absent" or "unsupported". */
int walk_is_opaque(int dirfd, const char *name, struct berr *err);

/* Reads root_fd/path, resolved as in a chroot of root_fd (symlinks stay
 * inside), into sb: 0, or -1 (missing, unreadable, larger than max). */
int walk_read_in_root(int root_fd, const char *path, struct sbuf *sb, size_t max);

#endif
