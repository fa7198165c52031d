/*
 * images.c - listing the images of the store (inspect: inspect.c).
 *
 * Listing reads only small files (configs, repositories.json and each
 * layer's size file); it never walks layer trees.
 */
#define _XOPEN_SOURCE 700
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../internal.h"
#include "../reference.h"
#include "../util/sbuf.h"
#include "../util/timefmt.h"
#include "manifest.h"


/* Sum of the sizes of the image's layer chain. */
static int64_t chain_size(struct store *s, const struct image_config *cfg, char top_out[DIGEST_STR_LEN])
{
	char chain[DIGEST_STR_LEN] = "";
	int64_t total = 0;

	for (size_t i = 0; i < cfg->n_diff_ids; i++) {
		char next[DIGEST_STR_LEN];
		struct store_layer l;
		chain_id(i ? chain : NULL, cfg->diff_ids[i], next);
		memcpy(chain, next, sizeof(chain));
		if (store_layer_read(s, chain, &l, NULL) == 0)
			total += l.size;
	}
	if (top_out)
		memcpy(top_out, chain, DIGEST_STR_LEN);
	return total;
}

static void collect_refs(json_t *refs, const char *id, char ***tags, char ***digests)
{
	json_t *repos = json_object_get(refs, "Repositories"), *repo, *target;
	const char *name, *key;
	size_t nt = 0, nd = 0, cap = 0;

	json_object_foreach(repos, name, repo)
		cap += json_object_size(repo);
	*tags = xcalloc(cap + 1, sizeof(char *));
	*digests = xcalloc(cap + 1, sizeof(char *));
	json_object_foreach(repos, name, repo) {
		json_object_foreach(repo, key, target) {
			if (strcmp(json_string_value(target) ? json_string_value(target) : "", id) != 0)
				continue;
			if (strchr(key, '@'))
				(*digests)[nd++] = xstrdup(key);
			else
				(*tags)[nt++] = xstrdup(key);
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_strv(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	qsort(v, n, sizeof(*v), cmp_str);
}

static int cmp_created(const void *a, const void *b)
{
	const struct berth_image *x = a, *y = b;

	return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

static int load_image(struct berth *b, json_t *refs, const char *id, struct berth_image *out, struct berr *err)
{
	struct sbuf config = SBUF_INIT;
	struct image_config cfg;
	json_t *j;

	if (store_image_config(b->store, id, &config, err) < 0)
		goto fail;
	if (image_config_parse(&cfg, config.buf, config.len, err) < 0)
		goto fail;
	j = json_loadb(config.buf, config.len, 0, NULL);
	out->id = xstrdup(id);
	out->created = rfc3339_to_unix(json_string_value(json_object_get(j, "created")));
	json_decref(j);
	out->size = chain_size(b->store, &cfg, NULL);
	image_config_release(&cfg);
	collect_refs(refs, id, &out->repo_tags, &out->repo_digests);
	sort_strv(out->repo_tags);
	sort_strv(out->repo_digests);
	sbuf_release(&config);
	return 0;
fail:
	sbuf_release(&config);
	return -1;
}

int berth_image_list(struct berth *b, struct berth_image **out, size_t *n, struct berr *err)
{
	char **ids;
	json_t *refs;
	size_t count = 0, k = 0;
	struct berth_image *v;

	if (store_image_list(b->store, &ids, err) < 0)
		return -1;
	if (store_refs_load(b->store, &refs, err) < 0) {
		for (size_t i = 0; ids[i]; i++)
			free(ids[i]);
		free(ids);
		return -1;
	}
	while (ids[count])
		count++;
	v = xcalloc(count + 1, sizeof(*v));
	for (size_t i = 0; i < count; i++) {
		/* An unreadable image is skipped, as Docker skips it at restore. */
		if (load_image(b, refs, ids[i], &v[k], NULL) == 0)
			k++;
		free(ids[i]);
	}
	free(ids);
	json_decref(refs);
	qsort(v, k, sizeof(*v), cmp_created);
	*out = v;
	*n = k;
	return 0;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void berth_image_list_free(struct berth_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free_strv(v[i].repo_tags);
		free_strv(v[i].repo_digests);
	}
	free(v);
}
