/*
 * refs.c - Docker's reference store, repositories.json (refs.h).
 *
 * Kept as the jansson document it is on disk, so that saving writes the
 * same bytes Go's json.Marshal does (JSON_SORT_KEYS | JSON_COMPACT).
 */
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../reference.h"
#include "../util/fs.h"
#include "private.h"

/* repositories.json is read whole. */
#define REFS_MAX (64u << 20)

struct store_refs {
	json_t *repos; /* the "Repositories" object */
};

int refs_create(struct store *s, struct berr *err)
{
	static const char empty[] = "{\"Repositories\":{}}";

	if (faccessat(s->image_fd, "repositories.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return atomic_write_at(s->image_fd, "repositories.json", empty, sizeof(empty) - 1, 0600, err);
}

int store_refs_load(struct store *s, struct store_refs **out, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	json_error_t je;
	json_t *j, *repos;

	if (read_file_at(s->image_fd, "repositories.json", &sb, REFS_MAX, err) < 0) {
		sbuf_release(&sb);
		return -1;
	}
	j = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &je);
	sbuf_release(&sb);
	if (!j || !json_is_object(j))
		goto bad;
	repos = json_object_get(j, "Repositories");
	if (!repos) {
		repos = json_object();
	} else if (json_is_object(repos)) {
		json_incref(repos);
	} else {
		goto bad;
	}
	json_decref(j);
	*out = xcalloc(1, sizeof(**out));
	(*out)->repos = repos;
	return 0;
bad:
	json_decref(j);
	return berr_set(err, BERR_INVALID, "repositories.json: malformed");
}

int store_refs_save(struct store *s, const struct store_refs *r, struct berr *err)
{
	/* Only "Repositories" is kept (Docker marshals just that field), keys
	 * sorted as Go sorts map keys, no trailing newline. */
	json_t *doc = json_pack("{sO}", "Repositories", r->repos);
	char *txt = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	json_decref(doc);
	if (!txt)
		return berr_set(err, BERR_INTERNAL, "encode repositories.json");
	rc = atomic_write_at(s->image_fd, "repositories.json", txt, strlen(txt), 0600, err);
	free(txt);
	return rc;
}

void store_refs_free(struct store_refs *r)
{
	if (!r)
		return;
	json_decref(r->repos);
	free(r);
}

const char *store_refs_get(const struct store_refs *r, const char *repo, const char *ref)
{
	return json_string_value(json_object_get(json_object_get(r->repos, repo), ref));
}

void store_refs_set(struct store_refs *r, const char *repo, const char *ref, const char *image_id, char **prev)
{
	json_t *o = json_object_get(r->repos, repo);
	const char *old;

	if (!o) {
		o = json_object();
		json_object_set_new(r->repos, repo, o);
	}
	old = json_string_value(json_object_get(o, ref));
	if (prev)
		*prev = old ? xstrdup(old) : NULL;
	json_object_set_new(o, ref, json_string(image_id));
}

int store_refs_remove(struct store_refs *r, const char *repo, const char *ref)
{
	json_t *o = json_object_get(r->repos, repo);

	if (!o || json_object_del(o, ref) < 0)
		return -1;
	if (json_object_size(o) == 0)
		json_object_del(r->repos, repo);
	return 0;
}

int store_refs_foreach(const struct store_refs *r, store_refs_fn fn, void *ctx)
{
	const char *name, *key;
	json_t *o, *target;
	int rc;

	json_object_foreach(r->repos, name, o) {
		json_object_foreach(o, key, target) {
			if (!json_is_string(target))
				continue;
			if ((rc = fn(ctx, name, key, json_string_value(target))))
				return rc;
		}
	}
	return 0;
}

/* ---- copied-out lists ---- */

static void list_add(struct store_ref_list *l, const char *repo, const char *ref, const char *image_id,
		     int with_full)
{
	struct store_ref *e;
	struct reference parsed;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	e = &l->v[l->n++];
	e->repo = xstrdup(repo);
	e->ref = xstrdup(ref);
	e->image_id = xstrdup(image_id);
	/* The digest starts after the name: a registry port has a colon,
	 * never an '@'. */
	e->canonical = strchr(strncmp(ref, repo, strlen(repo)) ? ref : ref + strlen(repo), '@') != NULL;
	e->full = NULL;
	if (!with_full)
		return;
	if (reference_parse(&parsed, ref, NULL) == 0) {
		e->full = reference_string(&parsed);
		reference_release(&parsed);
	} else {
		e->full = xstrdup(ref);
	}
}

static int cmp_full(const void *a, const void *b)
{
	return strcmp(((const struct store_ref *)a)->full, ((const struct store_ref *)b)->full);
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct store_ref *)a)->ref, ((const struct store_ref *)b)->ref);
}

struct of_image {
	struct store_ref_list *out;
	const char *image_id;
};

static int add_if_image(void *ctx, const char *repo, const char *ref, const char *image_id)
{
	struct of_image *o = ctx;

	if (!strcmp(image_id, o->image_id))
		list_add(o->out, repo, ref, image_id, 1);
	return 0;
}

void store_refs_of_image(const struct store_refs *r, const char *image_id, struct store_ref_list *out)
{
	struct of_image o = { out, image_id };

	out->v = NULL;
	out->n = 0;
	store_refs_foreach(r, add_if_image, &o);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_full);
}

void store_refs_by_name(const struct store_refs *r, const char *repo, struct store_ref_list *out)
{
	const char *key;
	json_t *target;

	out->v = NULL;
	out->n = 0;
	json_object_foreach(json_object_get(r->repos, repo), key, target)
		if (json_is_string(target))
			list_add(out, repo, key, json_string_value(target), 0);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_ref);
}

void store_ref_list_release(struct store_ref_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].repo);
		free(l->v[i].ref);
		free(l->v[i].full);
		free(l->v[i].image_id);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
