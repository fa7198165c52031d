/*
 * refs.h - Docker's reference store: image/overlay2/repositories.json,
 * which maps each familiar repository name ("busybox", "127.0.0.1:5000/a")
 * to its references ("busybox:latest", "busybox@sha256:...") and each of
 * those to an image ID.  Nobody outside refs.c knows the file's JSON.
 *
 * The file stays byte-identical to what Docker writes: only
 * {"Repositories":...}, keys sorted as Go sorts map keys, compact, no
 * trailing newline.
 *
 * A struct store_refs is an in-memory copy: load, change, save.  Loading
 * needs no lock (the file is replaced atomically); a load-change-save
 * cycle must run entirely under store_lock, or updates get lost.  The
 * copy is not thread-safe: one thread at a time uses it.
 */
#ifndef BERTH_STORE_REFS_H
#define BERTH_STORE_REFS_H

#include <stddef.h>

#include "../util/err.h"

struct store;
struct store_refs;

int store_refs_load(struct store *s, struct store_refs **out, struct berr *err);
/* Writes repositories.json atomically.  Caller holds the lock. */
int store_refs_save(struct store *s, const struct store_refs *r, struct berr *err);
void store_refs_free(struct store_refs *r);

/* The image ID repo's reference ref points at, or NULL; borrowed from r
 * until r changes. */
const char *store_refs_get(const struct store_refs *r, const char *repo, const char *ref);
/* Points repo's ref at image_id (force: an existing target is replaced);
 * *prev (free(), may be NULL) gets the old target or NULL. */
void store_refs_set(struct store_refs *r, const char *repo, const char *ref, const char *image_id, char **prev);
/* Removes repo's ref; a repository left empty goes too.  -1 when absent. */
int store_refs_remove(struct store_refs *r, const char *repo, const char *ref);

/* Calls fn(ctx, repo, ref, image_id) for every reference, repositories and
 * their references in the file's order (sorted once loaded; new ones after);
 * a nonzero return stops the walk and is returned.  The strings are
 * borrowed for the call; fn must not change r. */
typedef int (*store_refs_fn)(void *ctx, const char *repo, const char *ref, const char *image_id);
int store_refs_foreach(const struct store_refs *r, store_refs_fn fn, void *ctx);

/* One reference, copied out (every string owned by the list). */
struct store_ref {
	char *repo;     /* familiar repository name */
	char *ref;      /* familiar reference */
	char *full;     /* reference.String(), "docker.io/library/busybox:latest" */
	char *image_id;
	int canonical;  /* a digest reference (repo@sha256:...) */
};
struct store_ref_list {
	struct store_ref *v;
	size_t n;
};
/* refstore.References(id): the image's references sorted by full name. */
void store_refs_of_image(const struct store_refs *r, const char *image_id, struct store_ref_list *out);
/* refstore.ReferencesByName(repo): the repository's references sorted by
 * name (within one repository the familiar order is the full order). */
void store_refs_by_name(const struct store_refs *r, const char *repo, struct store_ref_list *out);
void store_ref_list_release(struct store_ref_list *l);

#endif
