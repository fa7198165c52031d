/*
 * rmi.c - Docker 20.10's image delete (daemon/images/image_delete.go):
 * untagging, conflicts, and layer release by reference count.
 *
 * Docker keeps reference counts in memory; berth recomputes them from the
 * store under the lock: a layer is held once by each child layer, once by
 * each image whose chain ends there and once by each container's RW layer
 * standing on it, so releasing an image's top layer frees the layers nobody
 * else holds, top first.  Containers using an image are conflicts as
 * checkImageDeleteConflict has them (users.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "../reference.h"
#include "lookup.h"
#include "manifest.h"
#include "summary.h"
#include "users.h"

struct g_layer {
	char chain[DIGEST_STR_LEN];
	char parent[DIGEST_STR_LEN];
	int removed;
};

struct g_image {
	char id[DIGEST_STR_LEN];
	char top[DIGEST_STR_LEN];    /* "" for an image without layers */
	char parent[DIGEST_STR_LEN]; /* imagedb metadata parent, "" if none */
	int removed;
};

struct graph {
	struct store *s;
	struct g_layer *layers;
	size_t n_layers;
	struct g_image *images;
	size_t n_images;
	struct store_refs *refs;
	struct image_users users;
};

struct items {
	struct berth_image_remove_item *v;
	size_t n, cap;
};

static void items_add(struct items *it, int deleted, const char *ref)
{
	if (it->n == it->cap)
		it->v = xrealloc(it->v, (it->cap = it->cap ? it->cap * 2 : 8) * sizeof(*it->v));
	it->v[it->n].deleted = deleted;
	it->v[it->n].ref = xstrdup(ref);
	it->n++;
}

void berth_image_remove_items_free(struct berth_image_remove_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].ref);
	free(v);
}

static void free_ids(char **ids)
{
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
}

static void graph_free(struct graph *g)
{
	free(g->layers);
	free(g->images);
	store_refs_free(g->refs);
	image_users_release(&g->users);
	memset(g, 0, sizeof(*g));
}

/* The graph with what containers hold: their images too when b is given,
 * else only the RW layers (enough to release layers). */
static int graph_load(struct graph *g, struct store *s, struct berth *b, struct berr *err)
{
	char **lids = NULL, **iids = NULL, **meta;
	struct summaries *sums;
	size_t n, n_meta;

	memset(g, 0, sizeof(*g));
	g->s = s;
	if (store_layer_list(s, &lids, err) < 0)
		return -1;
	if (store_image_list(s, &iids, err) < 0 || store_refs_load(s, &g->refs, err) < 0 ||
	    (b ? image_users_load(b, &g->users, err) : store_mounts_parents(s, &g->users.rw_parents, err)) < 0) {
		free_ids(lids);
		free_ids(iids);
		store_refs_free(g->refs);
		g->refs = NULL;
		return -1;
	}
	for (n = 0; lids[n]; n++)
		;
	g->layers = xcalloc(n + 1, sizeof(*g->layers));
	for (size_t i = 0; lids[i]; i++) {
		struct g_layer *gl = &g->layers[g->n_layers];
		/* The parent is what matters for counting; a layer whose other
		 * files are damaged still holds its parent. */
		snprintf(gl->chain, sizeof(gl->chain), "%s", lids[i]);
		store_layer_parent(s, lids[i], gl->parent);
		g->n_layers++;
	}
	for (n = 0; iids[n]; n++)
		;
	g->images = xcalloc(n + 1, sizeof(*g->images));
	sums = summaries_open(s);
	meta = store_image_metadata_ids(s, &n_meta);
	for (size_t i = 0; iids[i]; i++) {
		struct g_image *gi = &g->images[g->n_images++];
		struct image_summary sum;

		snprintf(gi->id, sizeof(gi->id), "%s", iids[i]);
		/* The summaries hold the top chain: no config is read. */
		if (summaries_get(sums, gi->id, &sum) == 0)
			memcpy(gi->top, sum.top, sizeof(gi->top));
		if (store_ids_have(meta, n_meta, digest_hex(gi->id)))
			store_image_parent(s, gi->id, gi->parent);
	}
	summaries_close(sums, 1);
	for (size_t i = 0; i < n_meta; i++)
		free(meta[i]);
	free(meta);
	free_ids(lids);
	free_ids(iids);
	return 0;
}

static struct g_image *find_image(struct graph *g, const char *id)
{
	for (size_t i = 0; i < g->n_images; i++)
		if (!g->images[i].removed && !strcmp(g->images[i].id, id))
			return &g->images[i];
	return NULL;
}

static struct g_layer *find_layer(struct graph *g, const char *chain)
{
	for (size_t i = 0; i < g->n_layers; i++)
		if (!g->layers[i].removed && !strcmp(g->layers[i].chain, chain))
			return &g->layers[i];
	return NULL;
}

static size_t children(struct graph *g, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n_images; i++)
		if (!g->images[i].removed && !strcmp(g->images[i].parent, id))
			n++;
	return n;
}

static size_t layer_refs(struct graph *g, const char *chain)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n_layers; i++)
		if (!g->layers[i].removed && !strcmp(g->layers[i].parent, chain))
			n++;
	for (size_t i = 0; i < g->n_images; i++)
		if (!g->images[i].removed && !strcmp(g->images[i].top, chain))
			n++;
	return n + image_users_rw_holds(&g->users, chain);
}

/* Untags every reference of id (removeAllReferencesToImageID). */
static void untag_all(struct graph *g, const char *id, struct items *it)
{
	struct store_ref_list refs;

	store_refs_of_image(g->refs, id, &refs);
	for (size_t i = 0; i < refs.n; i++) {
		store_refs_remove(g->refs, refs.v[i].repo, refs.v[i].ref);
		items_add(it, 0, refs.v[i].ref);
	}
	store_ref_list_release(&refs);
}

static int conflict(const char *id, int hard, const char *what, struct berr *err)
{
	return berr_set(err, BERR_EXISTS, "conflict: unable to delete %.12s (%s) - %s", digest_hex(id),
			hard ? "cannot be forced" : "must be forced", what);
}

/* Docker's conflict kinds: the hard ones even -f does not override. */
enum {
	CONFLICT_CHILD = 1,
	CONFLICT_RUNNING = 2,
	CONFLICT_REFERENCE = 4,
	CONFLICT_STOPPED = 8,
	CONFLICT_HARD = CONFLICT_CHILD | CONFLICT_RUNNING,
	CONFLICT_SOFT = CONFLICT_REFERENCE | CONFLICT_STOPPED,
};

static int container_conflict(const char *id, const struct image_user *u, struct berr *err)
{
	char what[96];

	snprintf(what, sizeof(what), "image is being used by %s container %.12s", u->running ? "running" : "stopped",
		 u->container);
	return conflict(id, u->running, what, err);
}

/* checkImageDeleteConflict: the first conflict of the kinds in mask, in
 * docker's order; 0 when there is none. */
static int check_conflict(struct graph *g, const char *id, int mask, struct berr *err)
{
	const struct image_user *u;
	struct store_ref_list refs;
	size_t nrefs;

	if ((mask & CONFLICT_CHILD) && children(g, id))
		return conflict(id, 1, "image has dependent child images", err);
	if ((mask & CONFLICT_RUNNING) && (u = image_users_first(&g->users, id, IMAGE_USER_RUNNING)))
		return container_conflict(id, u, err);
	if (mask & CONFLICT_REFERENCE) {
		store_refs_of_image(g->refs, id, &refs);
		nrefs = refs.n;
		store_ref_list_release(&refs);
		if (nrefs)
			return conflict(id, 0, "image is referenced in multiple repositories", err);
	}
	if ((mask & CONFLICT_STOPPED) && (u = image_users_first(&g->users, id, IMAGE_USER_STOPPED)))
		return container_conflict(id, u, err);
	return 0;
}

/* Releases the image's hold on its top layer and every layer freed by that. */
static int release_layers(struct graph *g, const char *top, struct items *it, struct berr *err)
{
	struct g_layer *l = top[0] ? find_layer(g, top) : NULL;

	while (l && layer_refs(g, l->chain) == 0) {
		if (store_layer_delete(g->s, l->chain, err) < 0)
			return -1;
		l->removed = 1;
		items_add(it, 1, l->chain);
		l = l->parent[0] ? find_layer(g, l->parent) : NULL;
	}
	return 0;
}

int image_layers_release(struct store *s, const char *chain, struct berr *err)
{
	struct graph g;
	struct items it = { 0 };
	int rc;

	if (!chain || !chain[0])
		return 0;
	if (graph_load(&g, s, NULL, err) < 0)
		return -1;
	rc = release_layers(&g, chain, &it, err);
	berth_image_remove_items_free(it.v, it.n);
	graph_free(&g);
	return rc;
}

/* imageDeleteHelper */
static int delete_helper(struct graph *g, struct g_image *img, int force, int prune, int quiet, struct items *it,
			 struct berr *err)
{
	char parent[DIGEST_STR_LEN];
	struct g_image *p;
	struct berr found = BERR_INIT;

	/* Docker keeps a quiet conflict only for a dangling image nobody
	 * uses; dangling means no names and no children, so what is left is
	 * a container's, and that is ignored too. */
	if (check_conflict(g, img->id, CONFLICT_HARD | (force ? 0 : CONFLICT_SOFT), quiet ? &found : err) < 0)
		return quiet ? 0 : -1;
	memcpy(parent, img->parent, sizeof(parent));
	untag_all(g, img->id, it);
	/* Names go first, so that an interrupted delete leaves an untagged
	 * image rather than a name pointing nowhere. */
	if (store_refs_save(g->s, g->refs, err) < 0 || store_image_delete(g->s, img->id, err) < 0)
		return -1;
	img->removed = 1;
	items_add(it, 1, img->id);
	if (release_layers(g, img->top, it, err) < 0)
		return -1;
	if (!prune || !parent[0] || !(p = find_image(g, parent)))
		return 0;
	return delete_helper(g, p, 0, 1, 1, it, err);
}

static int is_id_prefix(const char *id, const char *s)
{
	return !strncmp(id, s, strlen(s)) || !strncmp(id + 7, s, strlen(s));
}

static int graph_known(void *ctx, const char *id)
{
	return find_image(ctx, id) != NULL;
}

/* GetImage over the graph being edited. */
static int resolve(struct graph *g, struct berth *b, const char *name, struct g_image **out, struct berr *err)
{
	struct image_lookup_opts o = { g->refs, graph_known, g };
	char id[DIGEST_STR_LEN];

	if (image_lookup(b, name, &o, id, err) < 0)
		return -1;
	*out = find_image(g, id);
	return 0;
}

/* isSingleReference: all references in one repository, at most one tag. */
static int single_reference(const struct store_ref *refs, size_t n)
{
	const struct store_ref *single = NULL;
	const char *canon = NULL;
	int ncanon = 0;

	if (n <= 1)
		return n == 1;
	for (size_t i = 0; i < n; i++) {
		if (refs[i].canonical) {
			if (!canon || strcmp(canon, refs[i].repo) != 0) {
				if (canon)
					ncanon = 2;
				else
					ncanon = 1;
				canon = refs[i].repo;
			}
		} else if (!single) {
			single = &refs[i];
		} else {
			return 0;
		}
	}
	if (!single)
		single = &refs[0];
	return ncanon == 1 && !strcmp(canon, single->repo);
}

/* The name branch of ImageDelete: untag name; *done when names remain. */
static int untag_name(struct graph *g, struct g_image *img, const char *name, struct items *it, int *done,
		      struct berr *err)
{
	struct reference ref;
	char *fam, *key;
	struct store_ref_list refs;
	char *stored;
	int has_tag = 0, canonical, rc;

	if (reference_parse(&ref, name, err) < 0)
		return -1;
	reference_default_tag(&ref);
	canonical = ref.digest != NULL;
	fam = reference_familiar_name(&ref);
	key = reference_familiar_string(&ref);
	/* The reference store deletes name:tag@digest by its digest; the
	 * untagged line names it as given. */
	if (ref.digest && ref.tag) {
		free(ref.tag);
		ref.tag = NULL;
	}
	stored = reference_familiar_string(&ref);
	reference_release(&ref);
	rc = store_refs_remove(g->refs, fam, stored);
	free(stored);
	if (rc < 0) {
		free(fam);
		free(key);
		return berr_set(err, BERR_NOT_FOUND, "reference does not exist");
	}
	items_add(it, 0, key);
	store_refs_of_image(g->refs, img->id, &refs);
	if (!canonical) {
		for (size_t i = 0; i < refs.n; i++)
			if (!refs.v[i].canonical && !strcmp(refs.v[i].repo, fam))
				has_tag = 1;
		/* The last tag of a repository takes its digests along. */
		if (!has_tag) {
			for (size_t i = 0; i < refs.n; i++) {
				if (refs.v[i].canonical && !strcmp(refs.v[i].repo, fam)) {
					store_refs_remove(g->refs, fam, refs.v[i].ref);
					items_add(it, 0, refs.v[i].ref);
				}
			}
			store_ref_list_release(&refs);
			store_refs_of_image(g->refs, img->id, &refs);
		}
	}
	*done = refs.n > 0;
	store_ref_list_release(&refs);
	free(fam);
	free(key);
	return 0;
}

/* A container using id when id's names are a single reference. */
static const struct image_user *first_user_of_single(struct graph *g, const char *id)
{
	struct store_ref_list refs;
	int single;

	store_refs_of_image(g->refs, id, &refs);
	single = single_reference(refs.v, refs.n);
	store_ref_list_release(&refs);
	return single ? image_users_first(&g->users, id, IMAGE_USER_ANY) : NULL;
}

static int rmi_one(struct berth *b, const char *name, int force, int prune, struct berth_image_remove_item **items,
		   size_t *n, struct berr *err)
{
	struct graph g;
	struct g_image *img;
	struct items it = { 0 };
	const struct image_user *user;
	int removed_ref = 0, rc = -1;

	if (store_lock(b->store, err) < 0)
		return -1;
	store_cleanup_removing(b->store);
	if (graph_load(&g, b->store, b, err) < 0) {
		store_unlock(b->store);
		return -1;
	}
	if (resolve(&g, b, name, &img, err) < 0)
		goto out;
	if (!is_id_prefix(img->id, name)) {
		int done = 0;
		if (!force && (user = first_user_of_single(&g, img->id))) {
			/* Untagging would leave a container's image dangling. */
			berr_set(err, BERR_EXISTS,
				 "conflict: unable to remove repository reference \"%s\" (must force) - container %.12s is using its referenced image %.12s",
				 name, user->container, digest_hex(img->id));
			goto out;
		}
		if (untag_name(&g, img, name, &it, &done, err) < 0)
			goto out;
		if (done) {
			rc = store_refs_save(b->store, g.refs, err);
			goto out;
		}
		removed_ref = 1;
	} else {
		struct store_ref_list refs;
		int single;

		store_refs_of_image(g.refs, img->id, &refs);
		single = single_reference(refs.v, refs.n);
		store_ref_list_release(&refs);
		if (single) {
			if (check_conflict(&g, img->id, CONFLICT_HARD | (force ? 0 : CONFLICT_STOPPED), err) < 0)
				goto out;
			untag_all(&g, img->id, &it);
		}
	}
	rc = delete_helper(&g, img, force, prune, removed_ref, &it, err);
	if (rc == 0)
		rc = store_refs_save(b->store, g.refs, err);
out:
	graph_free(&g);
	store_unlock(b->store);
	if (rc < 0) {
		berth_image_remove_items_free(it.v, it.n);
		return -1;
	}
	*items = it.v;
	*n = it.n;
	return 0;
}

int berth_image_remove(struct berth *b, const char *name, const struct berth_image_remove_opts *opts,
		       struct berth_image_remove_item **items, size_t *n, struct berr *err)
{
	return rmi_one(b, name, opts && opts->force, !(opts && opts->no_prune), items, n, err);
}
