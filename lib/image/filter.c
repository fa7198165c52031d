/*
 * filter.c - `images` as Docker 20.10's daemon lists them (image_list.go,
 * API 1.41): filters, intermediate images, references per image.
 *
 * It reads repositories.json, the image summaries (summary.h: created,
 * size, labels, computed once per image) and the parent file of images
 * that have imagedb metadata; it never walks layer trees.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../internal.h"
#include "../util/filters.h"
#include "../util/sbuf.h"
#include "../util/timefmt.h"
#include "lookup.h"
#include "summary.h"

static const char *const accepted_keys[] = { "dangling", "label", "before", "since", "reference", NULL };

/* ---- the images of the store ---- */

struct entry {
	char id[DIGEST_STR_LEN];
	char parent[DIGEST_STR_LEN];
	int64_t created;
	int64_t size;
	json_t *labels;  /* config.Labels, NULL if none */
	int has_config;  /* image.Config != nil */
	int has_children;
	char **refs;     /* familiar references */
	size_t nrefs;
};

static int load_entry(struct store *s, struct summaries *sums, char **meta, size_t n_meta, const char *id,
		      struct entry *e)
{
	struct image_summary sum;
	const char *hex = id + 7;

	if (summaries_get(sums, id, &sum) < 0)
		return -1;
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->created = sum.created;
	e->has_config = sum.has_config;
	e->labels = sum.labels ? json_incref(sum.labels) : NULL;
	e->size = sum.size;
	if (!store_ids_have(meta, n_meta, hex) || store_image_parent(s, id, e->parent) < 0)
		e->parent[0] = 0;
	return 0;
}

static int cmp_entry_id(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

static struct entry *find_entry(struct entry *v, size_t n, const char *id)
{
	struct entry key;

	snprintf(key.id, sizeof(key.id), "%s", id);
	return bsearch(&key, v, n, sizeof(*v), cmp_entry_id);
}

/* reference.String() of a familiar reference, for the daemon's lexical order. */
static void full_ref(const char *fam, char *out, size_t n)
{
	const char *slash = strchr(fam, '/');
	size_t first = slash ? (size_t)(slash - fam) : 0;

	if (!slash)
		snprintf(out, n, "docker.io/library/%s", fam);
	else if (memchr(fam, '.', first) || memchr(fam, ':', first) || (first == 9 && !strncmp(fam, "localhost", 9)))
		snprintf(out, n, "%s", fam);
	else
		snprintf(out, n, "docker.io/%s", fam);
}

static int cmp_ref(const void *a, const void *b)
{
	char x[512], y[512];

	full_ref(*(char *const *)a, x, sizeof(x));
	full_ref(*(char *const *)b, y, sizeof(y));
	return strcmp(x, y);
}

struct attach {
	struct entry *v;
	size_t n;
};

static int attach_one(void *ctx, const char *repo, const char *ref, const char *image_id)
{
	struct attach *a = ctx;
	struct entry *e = find_entry(a->v, a->n, image_id);

	if (e) {
		e->refs = xrealloc(e->refs, (e->nrefs + 1) * sizeof(char *));
		e->refs[e->nrefs++] = xstrdup(ref);
	}
	return 0;
}

static void attach_refs(const struct store_refs *refs, struct entry *v, size_t n)
{
	struct attach a = { v, n };

	store_refs_foreach(refs, attach_one, &a);
	for (size_t i = 0; i < n; i++)
		if (v[i].nrefs > 1)
			qsort(v[i].refs, v[i].nrefs, sizeof(char *), cmp_ref);
}

static void entries_free(struct entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].nrefs; k++)
			free(v[i].refs[k]);
		free(v[i].refs);
		json_decref(v[i].labels);
	}
	free(v);
}

/* ---- filters on an image ---- */

struct entries {
	struct entry *v;
	size_t n;
};

static int entry_known(void *ctx, const char *id)
{
	struct entries *es = ctx;

	return find_entry(es->v, es->n, id) != NULL;
}

/* GetImage over the images being listed. */
static struct entry *resolve(struct entry *v, size_t n, struct berth *b, const struct store_refs *refs, const char *s,
			     struct berr *err)
{
	struct entries es = { v, n };
	struct image_lookup_opts o = { refs, entry_known, &es };
	char id[DIGEST_STR_LEN];

	if (image_lookup(b, s, &o, id, err) < 0)
		return NULL;
	return find_entry(v, n, id);
}

/* filters.MatchKVList: every label=k or label=k=v must hold. */
static int labels_match(const struct filter *fl, json_t *labels)
{
	if (!fl || !fl->n)
		return 1;
	if (!labels || !json_object_size(labels))
		return 0;
	for (size_t i = 0; i < fl->n; i++) {
		const char *eq = strchr(fl->values[i], '=');
		char *k = eq ? xasprintf("%.*s", (int)(eq - fl->values[i]), fl->values[i]) : xstrdup(fl->values[i]);
		const char *have = json_string_value(json_object_get(labels, k));
		free(k);
		if (!have || (eq && strcmp(eq + 1, have) != 0))
			return 0;
	}
	return 1;
}

/* path.Match reports a malformed pattern; fnmatch does not. */
static int pattern_bad(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return 1;
		} else if (*p == '[') {
			const char *q = p + 1;
			if (*q == '^' || *q == '!')
				q++;
			if (*q == ']')
				return 1;
			while (*q && *q != ']')
				q += *q == '\\' && q[1] ? 2 : 1;
			if (!*q)
				return 1;
			p = q;
		}
	}
	return 0;
}

/* reference.FamiliarMatch: the familiar string, then the familiar name. */
static int ref_matches(const struct filter *fl, const char *ref)
{
	size_t nl = strcspn(ref, "@");
	char name[512];
	const char *colon;

	snprintf(name, sizeof(name), "%.*s", (int)nl, ref);
	colon = strrchr(name, ':');
	if (colon && !strchr(colon, '/'))
		name[colon - name] = 0;
	for (size_t i = 0; i < fl->n; i++)
		if (fnmatch(fl->values[i], ref, FNM_PATHNAME) == 0 || fnmatch(fl->values[i], name, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

static int cmp_created(const void *a, const void *b)
{
	const struct berth_image *x = a, *y = b;

	return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

int berth_image_list_filtered(struct berth *b, const struct berth_image_list_opts *opts,
			      struct berth_image **out, size_t *nout, struct berr *err)
{
	struct filters f;
	struct summaries *sums = NULL;
	char **meta = NULL;
	size_t n_meta = 0;
	struct entry *v = NULL, *before = NULL, *since = NULL;
	struct filter *fl, *fref, *flabel;
	struct berth_image *res;
	struct store_refs *refs = NULL;
	char **ids = NULL;
	size_t n = 0, count = 0, k = 0;
	int dangling_only = 0, rc = -1;

	filters_parse(&f, opts ? opts->filters : NULL);
	if (filters_validate(&f, accepted_keys, err) < 0)
		goto out;
	if ((fl = filters_get(&f, "dangling"))) {
		if (filter_has(fl, "true")) {
			dangling_only = 1;
		} else if (!filter_has(fl, "false")) {
			char *vs = filter_values_str(fl);
			berr_set(err, BERR_INVALID, "Invalid filter 'dangling=%s'", vs);
			free(vs);
			goto out;
		}
	}
	if ((fref = filters_get(&f, "reference")))
		for (size_t i = 0; i < fref->n; i++)
			if (pattern_bad(fref->values[i])) {
				berr_set(err, BERR_INVALID, "syntax error in pattern");
				goto out;
			}
	flabel = filters_get(&f, "label");

	if (store_image_list(b->store, &ids, err) < 0)
		goto out;
	if (store_refs_load(b->store, &refs, err) < 0)
		goto out;
	while (ids[count])
		count++;
	v = xcalloc(count + 1, sizeof(*v));
	sums = summaries_open(b->store);
	meta = store_image_metadata_ids(b->store, &n_meta);
	for (size_t i = 0; i < count; i++)
		if (load_entry(b->store, sums, meta, n_meta, ids[i], &v[n]) == 0)
			n++;
	summaries_close(sums, 1);
	sums = NULL;
	qsort(v, n, sizeof(*v), cmp_entry_id);
	for (size_t i = 0; i < n; i++) {
		struct entry *p;
		if (v[i].parent[0] && (p = find_entry(v, n, v[i].parent)))
			p->has_children = 1;
	}
	attach_refs(refs, v, n);

	if ((fl = filters_get(&f, "before")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(before = resolve(v, n, b, refs, fl->values[i], err)))
				goto out;
	if ((fl = filters_get(&f, "since")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(since = resolve(v, n, b, refs, fl->values[i], err)))
				goto out;

	res = xcalloc(n + 1, sizeof(*res));
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &v[i];
		size_t nt = 0, nd = 0;
		char **tags, **digests;
		if (dangling_only && e->has_children)
			continue;
		if (before && e->created >= before->created)
			continue;
		if (since && e->created <= since->created)
			continue;
		if (flabel && (!e->has_config || !labels_match(flabel, e->labels)))
			continue;
		tags = xcalloc(e->nrefs + 1, sizeof(char *));
		digests = xcalloc(e->nrefs + 1, sizeof(char *));
		for (size_t r = 0; r < e->nrefs; r++) {
			if (fref && !ref_matches(fref, e->refs[r]))
				continue;
			if (strchr(e->refs[r], '@'))
				digests[nd++] = xstrdup(e->refs[r]);
			else
				tags[nt++] = xstrdup(e->refs[r]);
		}
		if (!nt && !nd) {
			/* Untagged: shown unless it is an intermediate image
			 * (has children) and -a was not given. */
			if ((opts && opts->all) || !e->has_children) {
				if ((filters_get(&f, "dangling") && !dangling_only) || fref)
					goto skip;
			} else {
				goto skip;
			}
		} else if (dangling_only && nt) {
			goto skip;
		}
		res[k].id = xstrdup(e->id);
		res[k].repo_tags = tags;
		res[k].repo_digests = digests;
		res[k].created = e->created;
		res[k].size = e->size;
		k++;
		continue;
skip:
		for (size_t r = 0; tags[r]; r++)
			free(tags[r]);
		for (size_t r = 0; digests[r]; r++)
			free(digests[r]);
		free(tags);
		free(digests);
	}
	qsort(res, k, sizeof(*res), cmp_created);
	*out = res;
	*nout = k;
	rc = 0;
out:
	if (ids) {
		for (size_t i = 0; ids[i]; i++)
			free(ids[i]);
		free(ids);
	}
	store_refs_free(refs);
	entries_free(v, n);
	for (size_t i = 0; i < n_meta; i++)
		free(meta[i]);
	free(meta);
	filters_release(&f);
	return rc;
}
