/*
 * save.c - `berth save`: images -> one tar stream (layout in archive.h).
 *
 * Every layer is rebuilt from its diff dir and tar-split straight into the
 * output (store_layer_tar): nothing is staged in memory or in temp files.
 * Because a tar header needs the entry's length first, each layer's tar
 * length is computed from its tar-split beforehand (no file is read).
 *
 * The store lock is held only while names are resolved and metadata read,
 * not while layers stream out: `berth save x | berth load` on one root
 * must not deadlock.  A layer removed meanwhile fails the save with its
 * name; it cannot produce a wrong archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "../format/gojson.h"
#include "../image/lookup.h"
#include "../image/manifest.h"
#include "../internal.h"
#include "../util/fs.h"
#include "../reference.h"
#include "../store/layertar.h"
#include "../tar/tar.h"
#include "../tar/tarwriter.h"
#include "../util/timefmt.h"
#include "archive.h"

struct save_image {
	char id[DIGEST_STR_LEN];
	struct sbuf config;
	struct image_config cfg;
	char (*chains)[DIGEST_STR_LEN];
	int64_t *tar_sizes;
	int64_t created;
	json_t *tags;       /* familiar "name:tag" strings, in order */
	json_t *names;      /* their full names, for index.json annotations */
	struct sbuf manifest;
	char manifest_digest[DIGEST_STR_LEN];
};

enum blob_kind { BLOB_LAYER, BLOB_CONFIG, BLOB_MANIFEST };

struct blob {
	const char *hex;
	enum blob_kind kind;
	size_t image, layer;
	int64_t size;
	int64_t mtime;
};

struct save {
	struct berth *b;
	struct save_image *images;
	size_t n_images;
	struct blob *blobs;
	size_t n_blobs;
};

/* ---- resolving names (Docker 20.10's tarexport parseNames) ---- */

static struct save_image *add_image(struct save *sv, const char *id)
{
	for (size_t i = 0; i < sv->n_images; i++)
		if (!strcmp(sv->images[i].id, id))
			return &sv->images[i];
	sv->images = xrealloc(sv->images, (sv->n_images + 1) * sizeof(*sv->images));
	struct save_image *im = &sv->images[sv->n_images++];
	memset(im, 0, sizeof(*im));
	snprintf(im->id, sizeof(im->id), "%s", id);
	sbuf_init(&im->config);
	sbuf_init(&im->manifest);
	im->tags = json_array();
	im->names = json_array();
	return im;
}

static void add_tag(struct save_image *im, const struct reference *ref)
{
	char *fam = reference_familiar_string(ref), *full = reference_string(ref);
	size_t i;
	json_t *v;

	json_array_foreach(im->tags, i, v)
		if (!strcmp(json_string_value(v), fam))
			goto out;
	json_array_append_new(im->tags, json_string(fam));
	json_array_append_new(im->names, json_string(full));
out:
	free(fam);
	free(full);
}

/* Every reference of repository fam, in lexical order, as docker's
 * ReferencesByName returns them. */
static void by_name(struct save *sv, const struct store_ref_list *repo)
{
	for (size_t i = 0; i < repo->n; i++) {
		const struct store_ref *r = &repo->v[i];
		struct reference ref;
		struct save_image *im;

		if (digest_validate(r->image_id, NULL) < 0)
			continue;
		im = add_image(sv, r->image_id);
		if (r->canonical)
			continue;
		if (reference_parse(&ref, r->ref, NULL) == 0) {
			add_tag(im, &ref);
			reference_release(&ref);
		}
	}
}

static int resolve_name(struct save *sv, const struct store_refs *refs, const char *name, struct berr *err)
{
	struct reference ref;
	char id[DIGEST_STR_LEN], *fam = NULL, *key = NULL;
	int rc = -1;

	if (!strncmp(name, "sha256:", 7)) {
		if (image_search_id(sv->b, name, id, err) < 0)
			return -1;
		add_image(sv, id);
		return 0;
	}
	if (reference_parse(&ref, name, NULL) < 0) {
		if (image_search_id(sv->b, name, id, err) < 0)
			return -1;
		add_image(sv, id);
		return 0;
	}
	fam = reference_familiar_name(&ref);
	if (!ref.tag && !ref.digest) {
		struct store_ref_list repo;

		store_refs_by_name(refs, fam, &repo);
		if (repo.n) {
			by_name(sv, &repo);
			rc = 0;
		} else if (image_search_id(sv->b, name, id, err) == 0) {
			add_image(sv, id);
			rc = 0;
		}
		store_ref_list_release(&repo);
		goto out;
	}
	key = reference_familiar_string(&ref);
	const char *target = store_refs_get(refs, fam, key);
	if (!target) {
		berr_set(err, BERR_NOT_FOUND, "reference does not exist");
		goto out;
	}
	struct save_image *im = add_image(sv, target);
	if (ref.tag && !ref.digest)
		add_tag(im, &ref);
	rc = 0;
out:
	free(fam);
	free(key);
	reference_release(&ref);
	return rc;
}

/* ---- per-image metadata ---- */

static int load_image(struct save *sv, struct save_image *im, struct berr *err)
{
	struct store *s = sv->b->store;
	json_t *cfg;

	if (store_image_config(s, im->id, &im->config, err) < 0 ||
	    image_config_parse(&im->cfg, im->config.buf, im->config.len, err) < 0)
		return berr_wrap(err, "image %s", im->id);
	cfg = json_loadb(im->config.buf, im->config.len, 0, NULL);
	im->created = rfc3339_to_unix(json_string_value(json_object_get(cfg, "created")));
	json_decref(cfg);
	im->chains = xcalloc(im->cfg.n_diff_ids + 1, sizeof(*im->chains));
	im->tar_sizes = xcalloc(im->cfg.n_diff_ids + 1, sizeof(*im->tar_sizes));
	for (size_t i = 0; i < im->cfg.n_diff_ids; i++) {
		chain_id(i ? im->chains[i - 1] : NULL, im->cfg.diff_ids[i], im->chains[i]);
		if (store_layer_tar_size(s, im->chains[i], &im->tar_sizes[i], err) < 0)
			return berr_wrap(err, "image %s", im->id);
	}
	return 0;
}

static json_t *descriptor(const char *mt, const char *digest, int64_t size)
{
	json_t *d = json_object();

	json_object_set_new(d, "mediaType", json_string(mt));
	json_object_set_new(d, "digest", json_string(digest));
	json_object_set_new(d, "size", json_integer(size));
	return d;
}

/* The OCI manifest Docker 25 writes for a saved image (json.Marshal). */
static void build_manifest(struct save_image *im)
{
	json_t *m = json_object(), *layers = json_array();
	char cfg_digest[DIGEST_STR_LEN];

	sha256_digest(im->config.buf, im->config.len, cfg_digest);
	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(MT_OCI_MANIFEST));
	json_object_set_new(m, "config", descriptor(MT_OCI_CONFIG, cfg_digest, (int64_t)im->config.len));
	for (size_t i = 0; i < im->cfg.n_diff_ids; i++)
		json_array_append_new(layers, descriptor(MT_OCI_LAYER, im->cfg.diff_ids[i], im->tar_sizes[i]));
	json_object_set_new(m, "layers", layers);
	gojson_write(&im->manifest, m, NULL, NULL);
	sha256_digest(im->manifest.buf, im->manifest.len, im->manifest_digest);
	json_decref(m);
}

static void add_blob(struct save *sv, const char *digest, enum blob_kind kind, size_t image, size_t layer,
		     int64_t size, int64_t mtime)
{
	const char *hex = digest_hex(digest);

	for (size_t i = 0; i < sv->n_blobs; i++)
		if (!strcmp(sv->blobs[i].hex, hex))
			return;
	sv->blobs = xrealloc(sv->blobs, (sv->n_blobs + 1) * sizeof(*sv->blobs));
	sv->blobs[sv->n_blobs++] = (struct blob){ hex, kind, image, layer, size, mtime };
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->hex, ((const struct blob *)b)->hex);
}

static void plan_blobs(struct save *sv)
{
	for (size_t i = 0; i < sv->n_images; i++) {
		struct save_image *im = &sv->images[i];
		for (size_t l = 0; l < im->cfg.n_diff_ids; l++)
			add_blob(sv, im->cfg.diff_ids[l], BLOB_LAYER, i, l, im->tar_sizes[l], im->created);
		add_blob(sv, im->id, BLOB_CONFIG, i, 0, (int64_t)im->config.len, im->created);
		add_blob(sv, im->manifest_digest, BLOB_MANIFEST, i, 0, (int64_t)im->manifest.len, 0);
	}
	qsort(sv->blobs, sv->n_blobs, sizeof(*sv->blobs), cmp_blob);
}

/* ---- top-level files ---- */

/* LayerSources is a Go map: keys sorted, each value a distribution
 * Descriptor (mediaType, size, digest in that order). */
static json_t *layer_sources(const struct save_image *im)
{
	size_t n = im->cfg.n_diff_ids;
	char **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	json_t *sources = json_object();

	for (size_t l = 0; l < n; l++)
		sorted[l] = im->cfg.diff_ids[l];
	qsort(sorted, n, sizeof(*sorted), str_ptr_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t l = 0;
		json_t *desc;

		if (json_object_get(sources, sorted[i]))
			continue;
		while (strcmp(im->cfg.diff_ids[l], sorted[i]))
			l++;
		desc = json_object();
		json_object_set_new(desc, "mediaType", json_string(MT_OCI_LAYER));
		json_object_set_new(desc, "size", json_integer(im->tar_sizes[l]));
		json_object_set_new(desc, "digest", json_string(sorted[i]));
		json_object_set_new(sources, sorted[i], desc);
	}
	free(sorted);
	return sources;
}

static void manifest_json(struct save *sv, struct sbuf *out)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < sv->n_images; i++) {
		struct save_image *im = &sv->images[i];
		json_t *item = json_object(), *layers = json_array();

		for (size_t l = 0; l < im->cfg.n_diff_ids; l++)
			json_array_append_new(layers, json_sprintf("blobs/sha256/%s", digest_hex(im->cfg.diff_ids[l])));
		json_object_set_new(item, "Config", json_sprintf("blobs/sha256/%s", digest_hex(im->id)));
		json_object_set(item, "RepoTags", json_array_size(im->tags) ? im->tags : json_null());
		json_object_set_new(item, "Layers", layers);
		if (im->cfg.n_diff_ids)
			json_object_set_new(item, "LayerSources", layer_sources(im));
		json_array_append_new(arr, item);
	}
	gojson_write(out, arr, NULL, NULL);
	sbuf_addch(out, '\n');
	json_decref(arr);
}

static void index_json(struct save *sv, struct sbuf *out)
{
	json_t *idx = json_object(), *mans = json_array();

	for (size_t i = 0; i < sv->n_images; i++) {
		struct save_image *im = &sv->images[i];
		size_t k;
		json_t *v;

		json_array_foreach(im->names, k, v) {
			json_t *d = descriptor(MT_OCI_MANIFEST, im->manifest_digest, (int64_t)im->manifest.len);
			json_t *ann = json_object();
			const char *full = json_string_value(v), *tag = strrchr(full, ':');
			json_object_set_new(ann, "io.containerd.image.name", json_string(full));
			json_object_set_new(ann, "org.opencontainers.image.ref.name", json_string(tag ? tag + 1 : ""));
			json_object_set_new(d, "annotations", ann);
			json_array_append_new(mans, d);
		}
		/* Docker 25's quirk: an untagged image is listed only while no
		 * manifest has been listed yet. */
		if (!json_array_size(im->names) && !json_array_size(mans))
			json_array_append_new(mans, descriptor(MT_OCI_MANIFEST, im->manifest_digest,
							       (int64_t)im->manifest.len));
	}
	json_object_set_new(idx, "schemaVersion", json_integer(2));
	json_object_set_new(idx, "mediaType", json_string(MT_OCI_INDEX));
	json_object_set_new(idx, "manifests", mans);
	gojson_write(out, idx, NULL, NULL);
	json_decref(idx);
}

/* {"name":{"tag":"<top diff ID hex>"}}, or nothing when no image is tagged. */
static int repositories_json(struct save *sv, struct sbuf *out)
{
	json_t *repos = json_object();
	int any = 0;

	for (size_t i = 0; i < sv->n_images; i++) {
		struct save_image *im = &sv->images[i];
		size_t k;
		json_t *v;

		if (!im->cfg.n_diff_ids)
			continue;
		json_array_foreach(im->tags, k, v) {
			const char *t = json_string_value(v), *colon = strrchr(t, ':');
			char *name = xstrndup(t, (size_t)(colon - t));
			json_t *repo = json_object_get(repos, name);
			if (!repo) {
				repo = json_object();
				json_object_set_new(repos, name, repo);
			}
			json_object_set_new(repo, colon + 1,
					    json_string(digest_hex(im->cfg.diff_ids[im->cfg.n_diff_ids - 1])));
			free(name);
			any = 1;
		}
	}
	if (any) {
		gojson_sort_keys(repos);
		gojson_write(out, repos, NULL, NULL);
		sbuf_addch(out, '\n');
	}
	json_decref(repos);
	return any;
}

/* ---- output ---- */

#define OUT_BUF (1 << 20)

struct out {
	int fd;
	char *buf;
	size_t len;
};

static int out_write_fd(int fd, const void *p, size_t n, struct berr *err)
{
	return fd_write_all(fd, p, n, 0) < 0 ? berr_sys(err, "write") : 0;
}

static int out_flush(struct out *o, struct berr *err)
{
	int rc = out_write_fd(o->fd, o->buf, o->len, err);

	o->len = 0;
	return rc;
}

static int out_write(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct out *o = ctx;

	if (o->len + n > OUT_BUF && out_flush(o, err) < 0)
		return -1;
	if (n >= OUT_BUF)
		return out_write_fd(o->fd, buf, n, err);
	memcpy(o->buf + o->len, buf, n);
	o->len += n;
	return 0;
}

static int tw_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	return tarwriter_write(ctx, buf, n, err);
}

static int write_blob(struct save *sv, struct tarwriter *tw, const struct blob *bl, struct berr *err)
{
	struct save_image *im = &sv->images[bl->image];
	char name[96];

	snprintf(name, sizeof(name), "blobs/sha256/%s", bl->hex);
	switch (bl->kind) {
	case BLOB_CONFIG:
		return tarwriter_file(tw, name, im->config.buf, im->config.len, bl->mtime, err);
	case BLOB_MANIFEST:
		return tarwriter_file(tw, name, im->manifest.buf, im->manifest.len, bl->mtime, err);
	case BLOB_LAYER:
		break;
	}
	if (tarwriter_header(tw, name, TAR_REG, 0644, bl->size, bl->mtime, NULL, err) < 0)
		return -1;
	if (store_layer_tar(sv->b->store, im->chains[bl->layer], tw_sink, tw, err) < 0)
		return -1;
	if (tw->left)
		return berr_set(err, BERR_DIGEST, "layer %s: rebuilt tar is shorter than its tar-split says",
				im->chains[bl->layer]);
	return 0;
}

static int write_archive(struct save *sv, struct out *o, struct berr *err)
{
	struct tarwriter tw;
	_cleanup_sbuf_ struct sbuf idx = SBUF_INIT, man = SBUF_INIT, repos = SBUF_INIT;
	static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";

	tarwriter_init(&tw, out_write, o);
	if (tarwriter_header(&tw, "blobs/", TAR_DIR, 0755, 0, 0, NULL, err) < 0 ||
	    tarwriter_header(&tw, "blobs/sha256/", TAR_DIR, 0755, 0, 0, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < sv->n_blobs; i++)
		if (write_blob(sv, &tw, &sv->blobs[i], err) < 0)
			return -1;
	index_json(sv, &idx);
	manifest_json(sv, &man);
	if (tarwriter_file(&tw, "index.json", idx.buf, idx.len, 0, err) < 0 ||
	    tarwriter_file(&tw, "manifest.json", man.buf, man.len, 0, err) < 0 ||
	    tarwriter_file(&tw, "oci-layout", layout, sizeof(layout) - 1, 0, err) < 0)
		return -1;
	if (repositories_json(sv, &repos) &&
	    tarwriter_file(&tw, "repositories", repos.buf, repos.len, 0, err) < 0)
		return -1;
	if (tarwriter_finish(&tw, err) < 0)
		return -1;
	return out_flush(o, err);
}

static int prepare(struct save *sv, const char *const *names, size_t n, struct berr *err)
{
	struct store_refs *refs = NULL;
	int rc = -1;

	if (store_lock(sv->b->store, err) < 0)
		return -1;
	if (store_refs_load(sv->b->store, &refs, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (resolve_name(sv, refs, names[i], err) < 0)
			goto out;
	for (size_t i = 0; i < sv->n_images; i++) {
		if (load_image(sv, &sv->images[i], err) < 0)
			goto out;
		build_manifest(&sv->images[i]);
	}
	plan_blobs(sv);
	rc = 0;
out:
	store_refs_free(refs);
	store_unlock(sv->b->store);
	return rc;
}

static void save_release(struct save *sv)
{
	for (size_t i = 0; i < sv->n_images; i++) {
		struct save_image *im = &sv->images[i];
		sbuf_release(&im->config);
		sbuf_release(&im->manifest);
		image_config_release(&im->cfg);
		free(im->chains);
		free(im->tar_sizes);
		json_decref(im->tags);
		json_decref(im->names);
	}
	free(sv->images);
	free(sv->blobs);
}

int berth_archive_save(struct berth *b, const char *const *names, size_t n, int fd, struct berr *err)
{
	struct save sv = { b, NULL, 0, NULL, 0 };
	struct out o = { fd, xmalloc(OUT_BUF), 0 };
	int rc = -1;

	if (prepare(&sv, names, n, err) == 0)
		rc = write_archive(&sv, &o, err);
	free(o.buf);
	save_release(&sv);
	return rc;
}
