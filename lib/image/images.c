/*
 * images.c - listing and inspecting the images of the store.
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

/* ---- inspect ---- */

/* Finds an image by name (tag or digest reference) or ID prefix. */
static int resolve_image(struct berth *b, const char *name, char id_out[DIGEST_STR_LEN], struct berr *err)
{
	json_t *refs;
	struct reference ref;
	size_t len = strlen(name);
	const char *hex = strncmp(name, "sha256:", 7) == 0 ? name + 7 : name;

	if (store_refs_load(b->store, &refs, err) < 0)
		return -1;
	if (reference_parse(&ref, name, NULL) == 0) {
		char *fam, *key;
		reference_default_tag(&ref);
		fam = reference_familiar_name(&ref);
		key = reference_familiar_string(&ref);
		const char *id = json_string_value(
			json_object_get(json_object_get(json_object_get(refs, "Repositories"), fam), key));
		if (id) {
			snprintf(id_out, DIGEST_STR_LEN, "%s", id);
			free(fam);
			free(key);
			reference_release(&ref);
			json_decref(refs);
			return 0;
		}
		free(fam);
		free(key);
		reference_release(&ref);
	}
	json_decref(refs);
	if (len && strspn(hex, "0123456789abcdef") == strlen(hex) && strlen(hex) <= 64) {
		char **ids;
		int found = 0;
		if (store_image_list(b->store, &ids, err) < 0)
			return -1;
		for (size_t i = 0; ids[i]; i++) {
			if (strncmp(ids[i] + 7, hex, strlen(hex)) == 0) {
				found++;
				snprintf(id_out, DIGEST_STR_LEN, "%s", ids[i]);
			}
			free(ids[i]);
		}
		free(ids);
		if (found == 1)
			return 0;
		if (found > 1)
			return berr_set(err, BERR_INVALID, "ambiguous digest string");
	}
	return berr_set(err, BERR_NOT_FOUND, "No such image: %s", name);
}

static json_t *strv_json(char **v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *graph_driver(struct berth *b, const struct image_config *cfg)
{
	char top[DIGEST_STR_LEN];
	struct store_layer l;
	json_t *data = json_object();

	chain_size(b->store, cfg, top);
	if (cfg->n_diff_ids && store_layer_read(b->store, top, &l, NULL) == 0) {
		char *dir = xasprintf("%s/overlay2/%s", b->store->root, l.cache_id);
		char *p;
		struct store_layer cur = l;
		struct sbuf lower = SBUF_INIT;
		while (cur.parent[0] && store_layer_read(b->store, cur.parent, &cur, NULL) == 0) {
			if (lower.len)
				sbuf_addch(&lower, ':');
			sbuf_addf(&lower, "%s/overlay2/%s/diff", b->store->root, cur.cache_id);
		}
		if (lower.len)
			json_object_set_new(data, "LowerDir", json_string(lower.buf));
		p = xasprintf("%s/merged", dir);
		json_object_set_new(data, "MergedDir", json_string(p));
		free(p);
		p = xasprintf("%s/diff", dir);
		json_object_set_new(data, "UpperDir", json_string(p));
		free(p);
		p = xasprintf("%s/work", dir);
		json_object_set_new(data, "WorkDir", json_string(p));
		free(p);
		free(dir);
		sbuf_release(&lower);
	}
	return json_pack("{soss}", "Data", data, "Name", "overlay2");
}

static json_t *str_or_empty(json_t *c, const char *key)
{
	const char *v = json_string_value(json_object_get(c, key));
	return json_string(v ? v : "");
}

int berth_image_inspect(struct berth *b, const char *name, char **json_out, struct berr *err)
{
	char id[DIGEST_STR_LEN];
	struct berth_image img = { 0 };
	struct sbuf config = SBUF_INIT;
	struct image_config cfg;
	json_t *refs = NULL, *c = NULL, *o, *layers;
	int rc = -1;

	if (resolve_image(b, name, id, err) < 0)
		return -1;
	if (store_refs_load(b->store, &refs, err) < 0 || load_image(b, refs, id, &img, err) < 0)
		goto out;
	if (store_image_config(b->store, id, &config, err) < 0 ||
	    image_config_parse(&cfg, config.buf, config.len, err) < 0)
		goto out;
	c = json_loadb(config.buf, config.len, 0, NULL);
	layers = strv_json(cfg.diff_ids);
	o = json_object();
	json_object_set_new(o, "Id", json_string(id));
	json_object_set_new(o, "RepoTags", strv_json(img.repo_tags));
	json_object_set_new(o, "RepoDigests", strv_json(img.repo_digests));
	json_object_set_new(o, "Parent", json_string(""));
	json_object_set_new(o, "Comment", str_or_empty(c, "comment"));
	json_object_set_new(o, "Created", str_or_empty(c, "created"));
	json_object_set_new(o, "Container", str_or_empty(c, "container"));
	json_object_set(o, "ContainerConfig", json_object_get(c, "container_config") ?: json_object());
	json_object_set_new(o, "DockerVersion", str_or_empty(c, "docker_version"));
	json_object_set_new(o, "Author", str_or_empty(c, "author"));
	json_object_set(o, "Config", json_object_get(c, "config") ?: json_null());
	json_object_set_new(o, "Architecture", str_or_empty(c, "architecture"));
	if (json_object_get(c, "variant"))
		json_object_set_new(o, "Variant", str_or_empty(c, "variant"));
	json_object_set_new(o, "Os", str_or_empty(c, "os"));
	json_object_set_new(o, "Size", json_integer(img.size));
	json_object_set_new(o, "VirtualSize", json_integer(img.size));
	json_object_set_new(o, "GraphDriver", graph_driver(b, &cfg));
	json_object_set_new(o, "RootFS", json_pack("{ssso}", "Type", "layers", "Layers", layers));
	json_object_set_new(o, "Metadata", json_pack("{ss}", "LastTagTime", "0001-01-01T00:00:00Z"));
	*json_out = json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(o);
	image_config_release(&cfg);
	rc = 0;
out:
	json_decref(c);
	json_decref(refs);
	sbuf_release(&config);
	free(img.id);
	free_strv(img.repo_tags);
	free_strv(img.repo_digests);
	return rc;
}
