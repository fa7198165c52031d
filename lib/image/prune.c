/*
 * prune.c - Docker 20.10's image prune (daemon/images/image_prune.go):
 * picks the images, then deletes each through berth_image_remove as the
 * daemon goes through ImageDelete, skipping the ones that fail.
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../internal.h"
#include "../reference.h"
#include "../util/timefmt.h"

struct layer_size {
	char *chain;
	int64_t size;
};

struct prune_filter {
	int dangling;       /* -1: not given */
	int has_until;
	int64_t until;
	const char **labels;     /* label= values */
	const char **not_labels; /* label!= values */
	size_t n_labels, n_not_labels;
};

static int filter_parse(struct prune_filter *f, const char *const *filters, struct berr *err)
{
	memset(f, 0, sizeof(*f));
	f->dangling = -1;
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *eq = strchr(filters[i], '=');
		const char *v = eq ? eq + 1 : "";
		size_t klen = eq ? (size_t)(eq - filters[i]) : strlen(filters[i]);

		if (klen == 5 && !strncmp(filters[i], "until", 5)) {
			if (timestamp_parse(v, &f->until, err) < 0)
				return -1;
			f->has_until = 1;
		} else if (klen == 5 && !strncmp(filters[i], "label", 5)) {
			f->labels = xrealloc(f->labels, (f->n_labels + 1) * sizeof(*f->labels));
			f->labels[f->n_labels++] = v;
		} else if (klen == 6 && !strncmp(filters[i], "label!", 6)) {
			f->not_labels = xrealloc(f->not_labels, (f->n_not_labels + 1) * sizeof(*f->not_labels));
			f->not_labels[f->n_not_labels++] = v;
		} else if (klen == 8 && !strncmp(filters[i], "dangling", 8)) {
			if (!strcasecmp(v, "true") || !strcmp(v, "1"))
				f->dangling = 1;
			else if (!strcasecmp(v, "false") || !strcmp(v, "0"))
				f->dangling = 0;
			else
				return berr_set(err, BERR_INVALID, "Invalid filter 'dangling=%s'", v);
		} else {
			return berr_set(err, BERR_INVALID, "Invalid filter '%.*s'", (int)klen, filters[i]);
		}
	}
	return 0;
}

/* One "key" or "key=value" label filter against the config's labels. */
static int label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	json_t *v;

	if (!eq)
		return json_object_get(labels, want) != NULL;
	{
		char *key = xstrndup(want, (size_t)(eq - want));
		v = json_object_get(labels, key);
		free(key);
	}
	return json_is_string(v) && !strcmp(json_string_value(v), eq + 1);
}

/* Docker's MatchKVList: every label= filter matches; label!= none does. */
static int labels_ok(const struct prune_filter *f, json_t *labels)
{
	for (size_t i = 0; i < f->n_labels; i++)
		if (!label_matches(labels, f->labels[i]))
			return 0;
	for (size_t i = 0; i < f->n_not_labels; i++)
		if (label_matches(labels, f->not_labels[i]))
			return 0;
	return 1;
}

static int64_t config_created(json_t *c)
{
	const char *s = json_string_value(json_object_get(c, "created"));
	int64_t t = 0;

	if (s && timestamp_parse(s, &t, NULL) == 0 && strchr(s, 'T'))
		return t;
	return 0;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The image's references as full names, sorted (refstore order); *has_tag
 * says whether one is a tag. */
static char **image_refs(const struct store_refs *refs, const char *id, int *has_tag)
{
	struct store_ref_list l;
	char **v;

	*has_tag = 0;
	store_refs_of_image(refs, id, &l);
	v = xcalloc(l.n + 1, sizeof(*v));
	for (size_t i = 0; i < l.n; i++) {
		if (!l.v[i].canonical)
			*has_tag = 1;
		v[i] = l.v[i].full;
		l.v[i].full = NULL;
	}
	store_ref_list_release(&l);
	return v;
}

static void append_items(struct berth_image_remove_item **all, size_t *n, struct berth_image_remove_item *v, size_t k)
{
	*all = xrealloc(*all, (*n + k + 1) * sizeof(**all));
	memcpy(*all + *n, v, k * sizeof(*v));
	*n += k;
	free(v);
}

/* Whether the image should go, by the filters. */
static int selected(struct berth *b, const struct prune_filter *f, const char *id)
{
	struct sbuf config = SBUF_INIT;
	json_t *c;
	int ok = 1;

	if (store_image_config(b->store, id, &config, NULL) < 0) {
		sbuf_release(&config);
		return 0;
	}
	c = json_loadb(config.buf, config.len, 0, NULL);
	sbuf_release(&config);
	if (f->has_until && config_created(c) > f->until)
		ok = 0;
	if (ok && (f->n_labels || f->n_not_labels))
		ok = labels_ok(f, json_object_get(json_object_get(c, "config"), "Labels"));
	json_decref(c);
	return ok;
}

int berth_image_prune(struct berth *b, const struct berth_image_prune_opts *opts, struct berth_image_remove_item **items,
		      size_t *n, int64_t *reclaimed, struct berr *err)
{
	struct prune_filter f;
	struct layer_size *sizes = NULL;
	size_t n_sizes = 0, n_ids = 0;
	char **ids = NULL, **lids = NULL;
	char (*parents)[DIGEST_STR_LEN] = NULL;
	struct store_refs *refs = NULL;
	struct berth_image_remove_item *all = NULL;
	size_t n_all = 0;
	int dangling_only, rc = -1;

	*items = NULL;
	*n = 0;
	*reclaimed = 0;
	if (filter_parse(&f, opts ? opts->filters : NULL, err) < 0)
		goto out;
	dangling_only = f.dangling >= 0 ? f.dangling : !(opts && opts->all);
	if (store_lock(b->store, err) < 0)
		goto out;
	store_cleanup_removing(b->store);
	if (store_layer_list(b->store, &lids, err) < 0 || store_image_list(b->store, &ids, err) < 0 ||
	    store_refs_load(b->store, &refs, err) < 0) {
		store_unlock(b->store);
		goto out;
	}
	store_unlock(b->store);
	/* Sizes before deleting: the report counts each freed layer's own size. */
	for (size_t i = 0; lids[i]; i++) {
		struct store_layer l;
		sizes = xrealloc(sizes, (n_sizes + 1) * sizeof(*sizes));
		sizes[n_sizes].chain = lids[i];
		sizes[n_sizes].size = store_layer_read(b->store, lids[i], &l, NULL) == 0 ? l.size : 0;
		n_sizes++;
	}
	while (ids[n_ids])
		n_ids++;
	qsort(ids, n_ids, sizeof(*ids), str_ptr_cmp);
	parents = xcalloc(n_ids + 1, sizeof(*parents));
	for (size_t i = 0; i < n_ids; i++)
		store_image_parent(b->store, ids[i], parents[i]);
	for (size_t i = 0; i < n_ids; i++) {
		int has_tag, child = 0;
		char **names;
		struct berth_image_remove_item *v;
		size_t k;
		struct berr ignored = BERR_INIT;

		/* Dangling mode looks at the heads only (images without children). */
		for (size_t j = 0; dangling_only && j < n_ids; j++)
			if (!strcmp(parents[j], ids[i]))
				child = 1;
		if (child || !selected(b, &f, ids[i]))
			continue;
		names = image_refs(refs, ids[i], &has_tag);
		if (names[0]) {
			if (!dangling_only || !has_tag) {
				for (size_t r = 0; names[r]; r++)
					if (berth_image_remove(b, names[r], &(struct berth_image_remove_opts){ 0 }, &v, &k,
							       &ignored) == 0)
						append_items(&all, &n_all, v, k);
			}
		} else if (berth_image_remove(b, ids[i] + 7, &(struct berth_image_remove_opts){ 0 }, &v, &k, &ignored) == 0) {
			append_items(&all, &n_all, v, k);
		}
		free_strv(names);
	}
	for (size_t i = 0; i < n_all; i++)
		for (size_t j = 0; all[i].deleted && j < n_sizes; j++)
			if (!strcmp(all[i].ref, sizes[j].chain))
				*reclaimed += sizes[j].size;
	*items = all;
	*n = n_all;
	rc = 0;
out:
	free(f.labels);
	free(f.not_labels);
	free(sizes);
	free(parents);
	free_strv(ids);
	free_strv(lids);
	store_refs_free(refs);
	return rc;
}
