/*
 * names.h - container names as dockerd 20.10 gives and checks them
 * (pkg/namesgenerator, daemon/names.go): stored with a leading '/',
 * unique across the store.  Uniqueness is checked by scanning the
 * containers under the store lock (container_create and _rename do it),
 * so names dockerd gave on the same root count too.
 */
#ifndef BERTH_CONTAINER_NAMES_H
#define BERTH_CONTAINER_NAMES_H

#include <stddef.h>

#include "../util/err.h"

struct store;
struct container;

/* Longest generated name: adjective_surname plus a digit. */
#define CONTAINER_NAME_GEN_MAX 64

/* GetRandomName(retry): "<adjective>_<surname>", boring_wozniak redrawn;
 * retry > 0 appends one random digit. */
void container_name_random(int retry, char out[CONTAINER_NAME_GEN_MAX]);
/* The word counts (108 adjectives, 236 surnames): for tests. */
size_t container_name_words(int surnames_list);

/* Validates a user's name (one leading '/' stripped, then
 * ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$) and returns it with its '/' (free()), or
 * NULL with BERR_INVALID "Invalid container name (x), only
 * [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed". */
char *container_name_normalize(const char *name, struct berr *err);
/* The container among list (NULL-terminated) named name ("/x"), or NULL. */
const struct container *container_name_owner(struct container *const *list, const char *name);
/* BERR_EXISTS with docker's 409 text when name is taken (by another
 * container than self_id, which may be NULL). */
int container_name_check(struct container *const *list, const char *name, const char *self_id,
			 struct berr *err);
/* generateNewName: 6 random tries (a digit from the 2nd on) not in list,
 * else "/" + id[:12]; out gets "/name" (free()). */
char *container_name_generate(struct container *const *list, const char *id);

#endif
