/*
 * load.c - `berth load`: a docker-archive or OCI layout archive -> store.
 *
 * One pass over the archive, with no temp copy of it: docker-archives put
 * manifest.json last (Docker writes the tar in lexical order), so every
 * member that may be a layer is extracted into a fresh store dir as it
 * streams by (layer_ingest: decompress, diff ID, tar-split, files), and
 * small JSON members are kept in memory.  At the end the manifest says
 * which members are which layers of which images; each layer's diff ID is
 * checked against its image config, and only when every image of the
 * archive verifies is anything registered, under the store lock.  On any
 * error all extracted dirs are removed: nothing is added.
 *
 * The archive's names are never used as file system paths: members are
 * looked up by cleaned name, symlinks and hard links are followed inside
 * the archive's own namespace, and a name that climbs out of it is
 * refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../image/ingest.h"
#include "../image/manifest.h"
#include "../image/register.h"
#include "../internal.h"
#include "../io/decompress.h"
#include "../io/feed.h"
#include "../reference.h"
#include "../store/layertar.h"
#include "../tar/tar.h"
#include "../util/fs.h"
#include "archive.h"

#define SMALL_MEMBER 1024 /* shorter than any tar with an end marker */
#define MAX_LINKS 40
/* Bounds a hostile archive's cost: members are looked up linearly, and
 * small members are kept in memory. */
#define MAX_MEMBERS 16384
#define MAX_MEMBER_BYTES (256 << 20)

enum member_kind { M_DATA, M_LAYER, M_LINK };

struct member {
	char *name;        /* cleaned, relative */
	enum member_kind kind;
	struct sbuf data;  /* M_DATA */
	char *target;      /* M_LINK: cleaned archive path */
	size_t layer;      /* M_LAYER: index into load.layers */
};

struct loaded_layer {
	struct layer_ingest in;
	int spent;                    /* registered (or found present) */
	char chain[DIGEST_STR_LEN];   /* the chain it was registered as */
};

struct load_image {
	struct sbuf config;           /* borrowed from a member */
	char id[DIGEST_STR_LEN];
	struct image_config cfg;
	size_t *layers;               /* index into load.layers per diff ID */
	char **tags;                  /* familiar name:tag, NULL-terminated */
};

struct load {
	struct berth *b;
	const struct berth_archive_load_opts *opts;
	struct member *members;
	size_t n_members;
	struct loaded_layer *layers;
	size_t n_layers;
	struct load_image *images;
	size_t n_images;
	size_t mem_bytes;   /* kept in memory so far */
	struct berth_archive_load_result *out; /* while committing */
};

/* ---- reading the archive ---- */

static struct member *member_add(struct load *ld, char *name, enum member_kind kind)
{
	struct member *m;

	/* A later entry of the same name replaces the earlier one, as it
	 * would on disk. */
	for (size_t i = 0; i < ld->n_members; i++)
		if (!strcmp(ld->members[i].name, name)) {
			m = &ld->members[i];
			free(name);
			sbuf_release(&m->data);
			free(m->target);
			m->target = NULL;
			m->kind = kind;
			return m;
		}
	if (ld->n_members >= MAX_MEMBERS)
		return NULL;
	ld->members = xrealloc(ld->members, (ld->n_members + 1) * sizeof(*ld->members));
	m = &ld->members[ld->n_members++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->kind = kind;
	sbuf_init(&m->data);
	return m;
}

/* An archive path, cleaned and relative; NULL when it leaves the archive. */
static char *archive_path(const char *dir, const char *name, size_t n)
{
	char *joined, *clean;
	size_t len;

	joined = dir && *name != '/' ? xasprintf("%s/%.*s", dir, (int)n, name) : xstrndup(name, n);
	clean = path_clean(joined, strlen(joined), &len);
	free(joined);
	if (!strcmp(clean, "..") || !strncmp(clean, "../", 3)) {
		free(clean);
		return NULL;
	}
	if (clean[0] == '/')
		memmove(clean, clean + 1, len);
	return clean;
}

/* A reader over the bytes already read from an entry, then the rest. */
struct member_reader {
	struct reader r;
	const char *head;
	size_t head_left;
	struct tar_reader *tr;
	struct load *ld;
	const char *id;
	int64_t done, total, last;
};

static void load_progress(struct load *ld, const char *id, int64_t cur, int64_t total)
{
	struct berth_progress m = { id, "Loading layer", 1, cur, total };

	if (ld->opts && ld->opts->progress)
		ld->opts->progress(ld->opts->progress_ctx, &m);
}

static ssize_t member_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	struct member_reader *mr = (struct member_reader *)r;
	ssize_t k;

	if (mr->head_left) {
		k = (ssize_t)(n < mr->head_left ? n : mr->head_left);
		memcpy(buf, mr->head, (size_t)k);
		mr->head += k;
		mr->head_left -= (size_t)k;
	} else if (mr->tr) {
		k = tar_read(mr->tr, buf, n, err);
		if (k <= 0)
			return k;
	} else {
		return 0;
	}
	mr->done += k;
	if (mr->done - mr->last >= (512 << 10) || mr->done == mr->total) {
		mr->last = mr->done;
		load_progress(mr->ld, mr->id, mr->done, mr->total);
	}
	return k;
}

/* The id docker shows for a layer: its blob name when that is a digest
 * (Docker 25 archives name layer blobs by diff ID), else its directory. */
static void short_id(const char *name, char out[13])
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	if (strlen(base) < 12 || strspn(base, "0123456789abcdef") < 12) {
		const char *slash = strchr(name, '/');
		base = slash && slash - name >= 12 ? name : base;
	}
	snprintf(out, 13, "%.12s", base);
}

static int ingest_member(struct load *ld, struct member *m, const char *head, size_t head_len,
			 struct tar_reader *tr, int64_t total, struct berr *err)
{
	struct loaded_layer *l;
	char id[13];
	struct member_reader mr = { { member_read }, head, head_len, tr, ld, id, 0, total, 0 };

	short_id(m->name, id);
	ld->layers = xrealloc(ld->layers, (ld->n_layers + 1) * sizeof(*ld->layers));
	l = &ld->layers[ld->n_layers];
	memset(l, 0, sizeof(*l));
	layer_ingest_init(&l->in);
	m->layer = ld->n_layers++;
	m->kind = M_LAYER;
	if (layer_ingest_begin(ld->b->store, &l->in, err) < 0 ||
	    layer_ingest_extract(&l->in, &mr.r, NULL, err) < 0)
		return berr_wrap(err, "invalid archive: %s", m->name);
	return 0;
}

static int looks_like_json(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\n' || p[i] == '\t' || p[i] == '\r')
			continue;
		return p[i] == '{' || p[i] == '[';
	}
	return 0;
}

/* Small or JSON-looking members stay in memory (a layer among them is
 * extracted from there if the manifest asks for it); others are
 * extracted now. */
static int read_regular(struct load *ld, struct tar_reader *tr, const struct tar_header *h, char *name,
			struct berr *err)
{
	struct member *m = member_add(ld, name, M_DATA);
	char head[512];
	size_t got = 0;
	ssize_t k;

	if (!m) {
		free(name);
		return berr_set(err, BERR_INVALID, "invalid archive: more than %d entries", MAX_MEMBERS);
	}
	while (got < sizeof(head) && (k = tar_read(tr, head + got, sizeof(head) - got, err)) > 0)
		got += (size_t)k;
	if (k < 0)
		return -1;
	if (h->size >= SMALL_MEMBER && !(looks_like_json(head, got) && h->size <= ARCHIVE_JSON_MAX))
		return ingest_member(ld, m, head, got, tr, h->size, err);
	if (h->size > ARCHIVE_JSON_MAX)
		return berr_set(err, BERR_INVALID, "invalid archive: %s is too large", m->name);
	ld->mem_bytes += (size_t)h->size;
	if (ld->mem_bytes > MAX_MEMBER_BYTES)
		return berr_set(err, BERR_INVALID, "invalid archive: too much metadata");
	sbuf_add(&m->data, head, got);
	sbuf_grow(&m->data, (size_t)h->size - got);
	while ((k = tar_read(tr, m->data.buf + m->data.len, m->data.alloc - m->data.len - 1, err)) > 0)
		m->data.len += (size_t)k;
	m->data.buf[m->data.len] = '\0';
	return k < 0 ? -1 : 0;
}

static int read_archive(struct load *ld, struct reader *src, struct berr *err)
{
	struct tar_reader *tr = tar_reader_new(src, NULL);
	const struct tar_header *h;
	int rc, entries = 0;

	while ((rc = tar_next(tr, &h, err)) == 1) {
		char *name = archive_path(NULL, h->name, h->name_len), *dir, *target;

		entries++;
		if (!name) {
			rc = berr_set(err, BERR_INVALID, "invalid archive: entry %s points outside the archive", h->name);
			break;
		}
		switch (h->typeflag) {
		case TAR_REG:
			rc = read_regular(ld, tr, h, name, err);
			break;
		case TAR_SYMLINK:
		case TAR_LINK:
			/* A symlink is relative to its directory; a hard link
			 * names a path from the archive root. */
			dir = h->typeflag == TAR_SYMLINK ? xstrdup(name) : NULL;
			if (dir)
				*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
			target = archive_path(dir, h->linkname, strlen(h->linkname));
			free(dir);
			if (!target) {
				rc = berr_set(err, BERR_INVALID, "invalid archive: %s links outside the archive (%s)",
					      name, h->linkname);
				free(name);
				break;
			}
			struct member *lm = member_add(ld, name, M_LINK);
			if (!lm) {
				free(name);
				free(target);
				rc = berr_set(err, BERR_INVALID, "invalid archive: more than %d entries", MAX_MEMBERS);
				break;
			}
			lm->target = target;
			rc = 0;
			break;
		default:
			free(name);
			rc = 0;
		}
		if (rc < 0)
			break;
	}
	tar_reader_free(tr);
	if (rc == 0 && !entries)
		return berr_set(err, BERR_INVALID, "invalid archive: no entries");
	return rc < 0 ? -1 : 0;
}

/* ---- resolving the manifest ---- */

static struct member *lookup(struct load *ld, const char *path, struct berr *err)
{
	char *p = archive_path(NULL, path, strlen(path));

	if (!p) {
		berr_set(err, BERR_INVALID, "invalid archive: %s points outside the archive", path);
		return NULL;
	}
	for (int hops = 0; hops <= MAX_LINKS; hops++) {
		struct member *m = NULL;
		for (size_t i = 0; i < ld->n_members && !m; i++)
			if (!strcmp(ld->members[i].name, p))
				m = &ld->members[i];
		if (!m)
			break;
		if (m->kind != M_LINK) {
			free(p);
			return m;
		}
		free(p);
		p = xstrdup(m->target);
	}
	berr_set(err, BERR_NOT_FOUND, "invalid archive: %s: no such file in the archive", path);
	free(p);
	return NULL;
}

static json_t *member_json(struct load *ld, const char *path, struct member **mo, struct berr *err)
{
	struct member *m = lookup(ld, path, err);
	json_error_t je;
	json_t *j;

	if (!m)
		return NULL;
	if (m->kind != M_DATA) {
		berr_set(err, BERR_INVALID, "invalid archive: %s is not JSON", path);
		return NULL;
	}
	j = json_loadb(m->data.buf ? m->data.buf : "", m->data.len, 0, &je);
	if (!j)
		berr_set(err, BERR_INVALID, "invalid archive: %s: %s", path, je.text);
	if (mo)
		*mo = m;
	return j;
}

/* A member to use as a layer: extracted already, or small and kept in
 * memory until now. */
static int member_layer(struct load *ld, const char *path, size_t *out, struct berr *err)
{
	struct member *m = lookup(ld, path, err);

	if (!m)
		return -1;
	if (m->kind == M_DATA) {
		struct sbuf data = m->data;
		sbuf_init(&m->data);
		int rc = ingest_member(ld, m, data.buf ? data.buf : "", data.len, NULL, (int64_t)data.len, err);
		sbuf_release(&data);
		if (rc < 0)
			return -1;
	}
	*out = m->layer;
	return 0;
}

static struct load_image *image_add(struct load *ld)
{
	struct load_image *im;

	ld->images = xrealloc(ld->images, (ld->n_images + 1) * sizeof(*ld->images));
	im = &ld->images[ld->n_images++];
	memset(im, 0, sizeof(*im));
	im->tags = xcalloc(1, sizeof(*im->tags));
	return im;
}

/* Tags are checked while reading, so that a bad one refuses the archive
 * before anything is stored (docker stores the image, then fails). */
static int image_tag(struct load_image *im, const char *tag, struct berr *err)
{
	struct reference ref;
	size_t n = 0;

	if (reference_parse(&ref, tag, err) < 0)
		return -1;
	if (!ref.tag || ref.digest) {
		reference_release(&ref);
		return berr_set(err, BERR_INVALID, "invalid tag \"%s\"", tag);
	}
	reference_release(&ref);

	while (im->tags[n])
		n++;
	im->tags = xrealloc(im->tags, (n + 2) * sizeof(*im->tags));
	im->tags[n] = xstrdup(tag);
	im->tags[n + 1] = NULL;
	return 0;
}

/* The config (verified against its digest when it is a blob) and the
 * layers, checked as docker load checks them. */
static int image_fill(struct load *ld, struct load_image *im, struct member *cfg_m, const char *want_digest,
		      json_t *layers, struct berr *err)
{
	size_t i;
	json_t *v;

	im->config = cfg_m->data;
	sha256_digest(im->config.buf ? im->config.buf : "", im->config.len, im->id);
	if (want_digest && strcmp(want_digest, im->id))
		return berr_set(err, BERR_DIGEST, "invalid archive: config %s has digest %s", want_digest, im->id);
	if (image_config_parse(&im->cfg, im->config.buf, im->config.len, err) < 0)
		return berr_wrap(err, "invalid archive: config %s", im->id);
	if (json_array_size(layers) != im->cfg.n_diff_ids)
		return berr_set(err, BERR_INVALID, "invalid manifest, layers length mismatch: expected %zu, got %zu",
				im->cfg.n_diff_ids, json_array_size(layers));
	im->layers = xcalloc(im->cfg.n_diff_ids + 1, sizeof(*im->layers));
	json_array_foreach(layers, i, v) {
		const char *path = json_string_value(json_is_object(v) ? json_object_get(v, "digest") : v);
		char blob[96];

		if (!path)
			return berr_set(err, BERR_INVALID, "invalid archive: bad layer entry");
		if (json_is_object(v)) {
			if (digest_validate(path, err) < 0)
				return -1;
			snprintf(blob, sizeof(blob), "blobs/sha256/%s", digest_hex(path));
			path = blob;
		}
		if (member_layer(ld, path, &im->layers[i], err) < 0)
			return -1;
		if (strcmp(ld->layers[im->layers[i]].in.diff_id, im->cfg.diff_ids[i]))
			return berr_set(err, BERR_DIGEST, "invalid diffID for layer %zu: expected \"%s\", got \"%s\"", i,
					im->cfg.diff_ids[i], ld->layers[im->layers[i]].in.diff_id);
	}
	return 0;
}

/* docker-archive: manifest.json (both the legacy and the Docker 25 layout). */
static int parse_docker_manifest(struct load *ld, json_t *man, struct berr *err)
{
	size_t i, k;
	json_t *item, *tag;

	if (!json_is_array(man))
		return berr_set(err, BERR_INVALID, "invalid archive: manifest.json is not a list");
	json_array_foreach(man, i, item) {
		const char *cfg_path = json_string_value(json_object_get(item, "Config"));
		json_t *layers = json_object_get(item, "Layers"), *cj;
		struct member *cm;
		struct load_image *im;

		if (!cfg_path || !json_is_array(layers))
			return berr_set(err, BERR_INVALID, "invalid archive: manifest.json item %zu lacks Config or Layers", i);
		if (!(cj = member_json(ld, cfg_path, &cm, err)))
			return -1;
		json_decref(cj);
		im = image_add(ld);
		json_array_foreach(json_object_get(item, "RepoTags"), k, tag)
			if (json_is_string(tag) && image_tag(im, json_string_value(tag), err) < 0)
				return -1;
		if (image_fill(ld, im, cm, NULL, layers, err) < 0)
			return -1;
	}
	return 0;
}

/* OCI image layout: index.json -> manifests (nested indexes: the entries
 * for this host's platform) -> config and layer blobs. */
static int parse_oci_manifest(struct load *ld, const char *digest, const char *name, int depth,
			      struct berr *err)
{
	char path[96];
	struct member *mm, *cm;
	json_t *m, *cj = NULL;
	struct manifest parsed = { 0 };
	int rc = -1;

	if (digest_validate(digest, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(digest));
	if (!(m = member_json(ld, path, &mm, err)))
		return -1;
	{
		char got[DIGEST_STR_LEN];
		sha256_digest(mm->data.buf, mm->data.len, got);
		if (strcmp(got, digest)) {
			berr_set(err, BERR_DIGEST, "invalid archive: blob %s has digest %s", digest, got);
			goto out;
		}
	}
	if (manifest_parse(&parsed, NULL, mm->data.buf, mm->data.len, err) < 0)
		goto out;
	if (parsed.kind == MANIFEST_INDEX) {
		struct platform want;
		int idx;
		if (depth > 4) {
			berr_set(err, BERR_INVALID, "invalid archive: indexes nested too deep");
			goto out;
		}
		if (platform_parse(&want, NULL, err) < 0)
			goto out;
		idx = manifest_select(&parsed, &want, err);
		platform_release(&want);
		if (idx >= 0)
			rc = parse_oci_manifest(ld, parsed.manifests[idx].digest, name, depth + 1, err);
		goto out;
	}
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(parsed.config.digest));
	if (!(cj = member_json(ld, path, &cm, err)))
		goto out;
	struct load_image *im = image_add(ld);
	if (name && image_tag(im, name, err) < 0)
		goto out;
	rc = image_fill(ld, im, cm, parsed.config.digest, json_object_get(m, "layers"), err);
out:
	manifest_release(&parsed);
	json_decref(cj);
	json_decref(m);
	return rc;
}

static int parse_oci_index(struct load *ld, json_t *index, struct berr *err)
{
	size_t i;
	json_t *d;

	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *digest = json_string_value(json_object_get(d, "digest"));
		json_t *ann = json_object_get(d, "annotations");
		const char *name = json_string_value(json_object_get(ann, "io.containerd.image.name"));
		struct reference ref;
		char *fam = NULL;

		if (!digest)
			return berr_set(err, BERR_INVALID, "invalid archive: index.json entry %zu has no digest", i);
		/* Only a full reference with a tag names the image; a bare
		 * ref.name ("latest") says nothing about the repository. */
		if (!name)
			name = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
		if (name && reference_parse(&ref, name, NULL) == 0) {
			if (ref.tag && !ref.digest)
				fam = reference_familiar_string(&ref);
			reference_release(&ref);
		}
		int rc = parse_oci_manifest(ld, digest, fam, 0, err);
		free(fam);
		if (rc < 0)
			return -1;
	}
	if (!ld->n_images)
		return berr_set(err, BERR_INVALID, "invalid archive: index.json lists no image");
	return 0;
}

static int parse_archive(struct load *ld, struct berr *err)
{
	struct member *m;
	json_t *j;
	int rc;

	if ((j = member_json(ld, "manifest.json", NULL, err))) {
		rc = parse_docker_manifest(ld, j, err);
		json_decref(j);
		return rc;
	}
	if (err && err->code != BERR_NOT_FOUND)
		return -1;
	berr_clear(err);
	if (!(m = lookup(ld, "oci-layout", NULL)) || !(j = member_json(ld, "index.json", NULL, NULL)))
		return berr_set(err, BERR_INVALID, "invalid archive: does not contain a manifest.json");
	rc = parse_oci_index(ld, j, err);
	json_decref(j);
	return rc;
}

/* ---- committing ---- */

struct layer_src {
	struct store *s;
	const char *chain;
};

static int layer_tar_fn(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err)
{
	struct layer_src *src = arg;

	return store_layer_tar(src->s, src->chain, sink, sink_ctx, err);
}

/* The same layer file under a second parent: its extracted dir went to
 * the first chain, so the tar is rebuilt from there into a fresh one. */
static int reingest(struct load *ld, struct loaded_layer *l, struct layer_ingest *out, struct berr *err)
{
	struct layer_src src = { ld->b->store, l->chain };
	struct feed f;
	int rc;

	layer_ingest_init(out);
	if (layer_ingest_begin(ld->b->store, out, err) < 0 || feed_start(&f, layer_tar_fn, &src, err) < 0)
		return -1;
	rc = layer_ingest_extract(out, &f.r.r, NULL, err);
	if (feed_finish(&f, rc == 0 ? err : NULL) < 0)
		rc = -1;
	if (rc == 0 && strcmp(out->diff_id, l->in.diff_id))
		rc = berr_set(err, BERR_DIGEST, "layer %s: rebuilt tar does not match", l->chain);
	return rc;
}

/* One image of the archive on its way in. */
struct reg_image {
	struct load *ld;
	struct load_image *im;
	struct layer_ingest again; /* a layer re-extracted for a second parent */
};

static int register_layer(void *ctx, size_t i, const char *chain, const char *parent, struct layer_ingest **in,
			  struct berr *err)
{
	struct reg_image *ri = ctx;
	struct loaded_layer *l = &ri->ld->layers[ri->im->layers[i]];

	*in = NULL;
	if (store_layer_exists(ri->ld->b->store, chain))
		return 0;
	if (!l->spent) {
		memcpy(l->chain, chain, DIGEST_STR_LEN);
		l->spent = 1;
		*in = &l->in;
		return 0;
	}
	if (reingest(ri->ld, l, &ri->again, err) < 0) {
		layer_ingest_discard(ri->ld->b->store, &ri->again);
		return -1;
	}
	*in = &ri->again;
	return 0;
}

static void out_line(struct berth_archive_load_result *out, char *line)
{
	out->lines = xrealloc(out->lines, (out->n + 1) * sizeof(*out->lines));
	out->lines[out->n++] = line;
}

/* Docker's AddTag(force) for each RepoTag, with its lines. */
static int tag_image(struct load *ld, struct store_refs *refs, struct load_image *im, struct berth_archive_load_result *out,
		     struct berr *err)
{
	for (size_t t = 0; im->tags[t]; t++) {
		struct reference ref;
		char *fam, *key, *prev = NULL;

		if (reference_parse(&ref, im->tags[t], err) < 0)
			return -1;
		if (!ref.tag || ref.digest) {
			reference_release(&ref);
			return berr_set(err, BERR_INVALID, "invalid tag \"%s\"", im->tags[t]);
		}
		fam = reference_familiar_name(&ref);
		key = reference_familiar_string(&ref);
		store_refs_set(refs, fam, key, im->id, &prev);
		if (prev && strcmp(prev, im->id))
			out_line(out, xasprintf("The image %s already exists, renaming the old one with ID %s to empty string",
						key, prev));
		out_line(out, xasprintf("Loaded image: %s", key));
		free(prev);
		free(fam);
		free(key);
		reference_release(&ref);
	}
	return 0;
}

static int tag_images(void *ctx, struct store_refs *refs, struct berr *err)
{
	struct load *ld = ctx;

	for (size_t i = 0; i < ld->n_images; i++)
		if (tag_image(ld, refs, &ld->images[i], ld->out, err) < 0)
			return -1;
	return 0;
}

static int commit(struct load *ld, struct berth_archive_load_result *out, struct berr *err)
{
	struct reg_image *ris = xcalloc(ld->n_images + 1, sizeof(*ris));
	struct image_reg *regs = xcalloc(ld->n_images + 1, sizeof(*regs));
	int rc;

	for (size_t i = 0; i < ld->n_images; i++) {
		struct load_image *im = &ld->images[i];
		ris[i].ld = ld;
		ris[i].im = im;
		regs[i] = (struct image_reg){
			.diff_ids = im->cfg.diff_ids,
			.n_layers = im->cfg.n_diff_ids,
			.config = im->config.buf,
			.config_len = im->config.len,
			.layer = register_layer,
			.ctx = &ris[i],
		};
	}
	ld->out = out;
	rc = image_register(ld->b, regs, ld->n_images, tag_images, ld, err);
	free(regs);
	free(ris);
	if (rc < 0)
		return -1;
	/* Docker's quirk: the IDs are printed only when the last image of
	 * the archive had no tag. */
	if (ld->n_images && !ld->images[ld->n_images - 1].tags[0])
		for (size_t i = 0; i < ld->n_images; i++)
			out_line(out, xasprintf("Loaded image ID: %s", ld->images[i].id));
	return 0;
}

static void load_release(struct load *ld)
{
	for (size_t i = 0; i < ld->n_layers; i++)
		if (!ld->layers[i].spent)
			layer_ingest_discard(ld->b->store, &ld->layers[i].in);
	for (size_t i = 0; i < ld->n_images; i++) {
		struct load_image *im = &ld->images[i];
		image_config_release(&im->cfg);
		free(im->layers);
		for (size_t t = 0; im->tags[t]; t++)
			free(im->tags[t]);
		free(im->tags);
	}
	for (size_t i = 0; i < ld->n_members; i++) {
		free(ld->members[i].name);
		free(ld->members[i].target);
		sbuf_release(&ld->members[i].data);
	}
	free(ld->members);
	free(ld->layers);
	free(ld->images);
}

int berth_archive_load(struct berth *b, int fd, const struct berth_archive_load_opts *opts, struct berth_archive_load_result *out,
		     struct berr *err)
{
	struct load ld = { 0 };
	struct fd_reader fr;
	struct decompress_reader *dz;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	ld.b = b;
	ld.opts = opts;
	if (store_lock(b->store, err) < 0)
		return -1;
	store_gc(b->store);
	store_unlock(b->store);
	fd_reader_init(&fr, fd);
	dz = decompress_reader_new(&fr.r);
	if (read_archive(&ld, decompress_reader_base(dz), err) == 0 && parse_archive(&ld, err) == 0)
		rc = commit(&ld, out, err);
	decompress_reader_free(dz);
	load_release(&ld);
	if (rc < 0)
		berth_archive_load_result_release(out);
	return rc;
}

void berth_archive_load_result_release(struct berth_archive_load_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->n = 0;
}
