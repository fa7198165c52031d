/*
 * push.c - `berth push`: store -> registry, one streaming pass per layer.
 *
 * A layer is rebuilt from its diff dir and tar-split (store_layer_tar: the
 * exact tar, so it hashes to the diff ID) by a producer thread that gzips
 * it and hashes the compressed bytes, and sends them over a socketpair to
 * the uploader, whose curl read callback streams them as the body of one
 * chunked PATCH.  The blob digest is known only when the tar ends; the
 * final PUT ?digest= names it, as the upload protocol allows.  Nothing is
 * written to disk and only a few buffers per layer are in memory.
 *
 * Before uploading, a layer goes through docker 20.10's shortcuts
 * (distribution/push_v2.go), fed by the distribution metadata pulls and
 * pushes record (v2metadata-by-diffid): a HEAD of a digest the layer is
 * known by ("Layer already exists"), then a cross-repository mount from
 * another repository of the same registry ("Mounted from <path>").
 *
 * The store changes only after the manifest is accepted: the layers'
 * digests go to the distribution metadata and the name@digest reference
 * to repositories.json, as docker does.  A failed push changes nothing.
 */
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../internal.h"
#include "../io/digest.h"
#include "../reference.h"
#include "../registry/upload.h"
#include "../store/layertar.h"
#include "../util/fs.h"
#include "../util/sbuf.h"
#include "manifest.h"
#include "xfer.h"

#define UPLOAD_ATTEMPTS 5               /* docker's maxUploadAttempts */
#define SMALL_LAYER (100 << 10)         /* docker's smallLayerMaximumSize */
#define MIDDLE_LAYER (10 << 20)         /* docker's middleLayerMaximumSize */
#define ZOUT_SIZE (256 << 10)
/* isa-l level 1: several times faster than zlib's default, a few percent
 * larger; compression is what bounds a push on a fast network. */
#define GZIP_LEVEL 1

struct push;

struct push_layer {
	struct push *p;
	char diff_id[DIGEST_STR_LEN];
	char chain_id[DIGEST_STR_LEN];
	char short_id[13];
	int64_t size;          /* the layer's own size: docker's progress total */
	struct store_dist_source *meta; /* oldest first, as stored; source: "127.0.0.1:5000/foo" */
	size_t n_meta;
	const char *prefer;    /* the blob of the manifest the image was pulled with */
	char (*checked)[DIGEST_STR_LEN];
	size_t n_checked;
	/* result */
	char digest[DIGEST_STR_LEN];
	int64_t blob_size;
	int record;            /* add (digest, this repository) to the metadata */
	struct push_layer *same;  /* an upper layer with this diff ID: uploaded once */
	/* producer */
	int send_fd, recv_fd;
	struct sha256 hash;
	struct isal_zstream zs;
	uint8_t *level_buf, *zout;
	int64_t tar_bytes, last_report;
	int prod_rc;
	struct berr prod_err;
};

/* docker's pushState.remoteLayers: what this push already knows is there. */
struct known_layer {
	char diff_id[DIGEST_STR_LEN];
	char digest[DIGEST_STR_LEN];
	int64_t size;
};

struct push {
	struct berth *b;
	const struct berth_image_push_opts *opts;
	struct registry_client *rc;
	struct reference *ref;
	char *full;            /* "127.0.0.1:5000/foo" */
	char *domain;
	struct xfer x;
	struct push_layer *layers;
	size_t n_layers;
	struct known_layer *known;
	size_t n_known;
};

/* docker's progress.Update: a layer's status line. */
static void emit(struct push *p, const char *id, const char *status)
{
	xfer_update(&p->x, id, status, 0, 0);
}

/* docker's progress.Message: a plain line. */
static void message(struct push *p, const char *status)
{
	xfer_message(&p->x, NULL, status);
}

static int cancelled(struct push *p)
{
	return xfer_cancelled(&p->x);
}

static int known_get(struct push *p, struct push_layer *l)
{
	int found = 0;

	pthread_mutex_lock(&p->x.mu);
	for (size_t i = 0; i < p->n_known && !found; i++)
		if (!strcmp(p->known[i].diff_id, l->diff_id)) {
			snprintf(l->digest, sizeof(l->digest), "%s", p->known[i].digest);
			l->blob_size = p->known[i].size;
			found = 1;
		}
	pthread_mutex_unlock(&p->x.mu);
	return found;
}

static void known_add(struct push *p, const struct push_layer *l)
{
	pthread_mutex_lock(&p->x.mu);
	p->known = xrealloc(p->known, (p->n_known + 1) * sizeof(*p->known));
	snprintf(p->known[p->n_known].diff_id, DIGEST_STR_LEN, "%s", l->diff_id);
	snprintf(p->known[p->n_known].digest, DIGEST_STR_LEN, "%s", l->digest);
	p->known[p->n_known++].size = l->blob_size;
	pthread_mutex_unlock(&p->x.mu);
}

/* ---- distribution metadata ---- */

/* The layer's recorded sources (v2metadata-by-diffid), oldest first. */
static void read_meta(struct push_layer *l)
{
	store_dist_sources(l->p->b->store, l->diff_id, &l->meta, &l->n_meta);
	l->checked = xcalloc(l->n_meta + 1, sizeof(*l->checked));
}

static size_t matching_components(const char *a, const char *b)
{
	size_t n = 0;

	for (;;) {
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

		if (la != lb || strncmp(a, b, la) != 0)
			return n;
		n++;
		if (!a[la] || !b[lb])
			return n;
		a += la + 1;
		b += lb + 1;
	}
}

/* docker's sortV2MetadataByLikenessAndAge: newest first, then (stable)
 * by how many path components match the target repository.  Fills idx
 * with indexes into l->meta. */
/* The order candidates are tried in: docker's (most path components
 * shared with the target repository first, newest first), except that the
 * blob of the manifest the image was pulled with goes first when it is on
 * the target registry: then the image keeps its manifest (and digest). */
static size_t meta_rank(const struct push_layer *l, size_t i)
{
	size_t r = matching_components(l->meta[i].source, l->p->full);

	return r && l->prefer && !strcmp(l->meta[i].digest, l->prefer) ? SIZE_MAX : r;
}

static void sort_meta(const struct push_layer *l, size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = n - 1 - i;
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], k = i;
		size_t mv = meta_rank(l, v);

		while (k > 0 && meta_rank(l, idx[k - 1]) < mv) {
			idx[k] = idx[k - 1];
			k--;
		}
		idx[k] = v;
	}
}

static int was_checked(const struct push_layer *l, const char *d)
{
	for (size_t i = 0; i < l->n_checked; i++)
		if (!strcmp(l->checked[i], d))
			return 1;
	return 0;
}

/* docker's layerAlreadyExists: HEAD up to max distinct known digests in
 * the target repository.  1 when one is there. */
static int already_exists(struct push_layer *l, int other_repos, size_t max)
{
	_cleanup_free_ size_t *idx = xcalloc(l->n_meta + 1, sizeof(*idx));
	_cleanup_free_ const char **tried = xcalloc(l->n_meta + 1, sizeof(*tried));
	size_t n = 0, n_tried = 0;

	for (size_t i = 0; i < l->n_meta; i++)
		idx[i] = i;
	sort_meta(l, idx, l->n_meta);
	for (size_t i = 0; i < l->n_meta && n_tried < max; i++) {
		const struct store_dist_source *m = &l->meta[idx[i]];
		int dup = 0;

		if (*m->source && !other_repos && strcmp(m->source, l->p->full) != 0)
			continue;
		for (size_t k = 0; k < n_tried; k++)
			dup |= !strcmp(tried[k], m->digest);
		if (dup || was_checked(l, m->digest))
			continue;
		tried[n_tried++] = m->digest;
		idx[n++] = idx[i];
	}
	for (size_t i = 0; i < n; i++) {
		const struct store_dist_source *m = &l->meta[idx[i]];
		struct berr e = BERR_INIT;
		int64_t size = -1;
		int r = upload_blob_exists(l->p->rc, m->digest, &size, &e);

		snprintf(l->checked[l->n_checked++], DIGEST_STR_LEN, "%s", m->digest);
		if (r == 1) {
			snprintf(l->digest, sizeof(l->digest), "%s", m->digest);
			l->blob_size = size;
			l->record = strcmp(m->source, l->p->full) != 0;
			emit(l->p, l->short_id, "Layer already exists");
			known_add(l->p, l);
			return 1;
		}
	}
	return 0;
}

/* ---- producer: tar -> gzip -> sha256 -> socket ---- */

static int deflate_some(struct push_layer *l, struct berr *err)
{
	do {
		size_t n;

		l->zs.next_out = l->zout;
		l->zs.avail_out = ZOUT_SIZE;
		if (isal_deflate(&l->zs) != COMP_OK)
			return berr_set(err, BERR_INTERNAL, "gzip compression failed");
		n = ZOUT_SIZE - l->zs.avail_out;
		if (n) {
			sha256_update(&l->hash, l->zout, n);
			l->blob_size += (int64_t)n;
			if (xfer_send(l->send_fd, l->zout, n, "upload stopped", err) < 0)
				return -1;
		}
	} while (l->zs.avail_in > 0 || l->zs.avail_out == 0 ||
		 (l->zs.end_of_stream && l->zs.internal_state.state != ZSTATE_END));
	return 0;
}

static int tar_out(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct push_layer *l = ctx;

	if (cancelled(l->p))
		return berr_set(err, BERR_CANCELLED, "cancelled");
	l->zs.next_in = (uint8_t *)buf;
	l->zs.avail_in = (uint32_t)n;
	if (deflate_some(l, err) < 0)
		return -1;
	l->tar_bytes += (int64_t)n;
	if (l->tar_bytes - l->last_report >= XFER_PROGRESS_STEP) {
		l->last_report = l->tar_bytes;
		xfer_update(&l->p->x, l->short_id, "Pushing", l->tar_bytes, l->size);
	}
	return 0;
}

static void *produce_main(void *arg)
{
	struct push_layer *l = arg;
	int rc;

	rc = store_layer_tar(l->p->b->store, l->chain_id, tar_out, l, &l->prod_err);
	if (rc == 0) {
		l->zs.end_of_stream = 1;
		l->zs.next_in = NULL;
		l->zs.avail_in = 0;
		rc = deflate_some(l, &l->prod_err);
	}
	if (rc == 0)
		xfer_update(&l->p->x, l->short_id, "Pushing", l->tar_bytes, l->size);
	__atomic_store_n(&l->prod_rc, rc < 0 ? -1 : 1, __ATOMIC_RELEASE);
	/* EOF for the uploader: the body ends here. */
	shutdown(l->send_fd, SHUT_WR);
	return NULL;
}

/* curl's read callback: the socket's bytes; EOF ends the chunked body,
 * unless the producer failed, which aborts the request. */
static size_t body_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct push_layer *l = ctx;
	ssize_t k;

	do
		k = read(l->recv_fd, buf, size * nitems);
	while (k < 0 && errno == EINTR);
	if (k < 0 || (k == 0 && __atomic_load_n(&l->prod_rc, __ATOMIC_ACQUIRE) < 0))
		return CURL_READFUNC_ABORT;
	return (size_t)k;
}

static int stream_setup(struct push_layer *l, struct berr *err)
{
	if (xfer_channel(&l->send_fd, &l->recv_fd, err) < 0)
		return -1;
	isal_deflate_init(&l->zs);
	l->zs.level = GZIP_LEVEL;
	l->zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	if (!l->level_buf)
		l->level_buf = xmalloc(ISAL_DEF_LVL1_DEFAULT);
	if (!l->zout)
		l->zout = xmalloc(ZOUT_SIZE);
	l->zs.level_buf = l->level_buf;
	l->zs.gzip_flag = IGZIP_GZIP;
	l->zs.flush = NO_FLUSH;
	sha256_init(&l->hash);
	l->tar_bytes = l->last_report = l->blob_size = 0;
	l->prod_rc = 0;
	berr_clear(&l->prod_err);
	return 0;
}

/* One upload of the blob into session *loc: PATCH the stream, PUT the digest. */
static int stream_blob(struct push_layer *l, char **loc, struct berr *err)
{
	pthread_t th;
	int r;

	if (stream_setup(l, err) < 0)
		return -1;
	if (pthread_create(&th, NULL, produce_main, l) != 0) {
		close(l->send_fd);
		close(l->recv_fd);
		sha256_release(&l->hash);
		return berr_set(err, BERR_INTERNAL, "cannot start compressor thread");
	}
	r = upload_patch(l->p->rc, loc, body_read, l, err);
	/* A producer still sending to a failed upload fails fast. */
	shutdown(l->recv_fd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(l->send_fd);
	close(l->recv_fd);
	sha256_final(&l->hash, l->digest);
	if (l->prod_rc < 0 && (r == 0 || l->prod_err.code != BERR_CANCELLED)) {
		berr_copy(err, &l->prod_err);
		return -1;
	}
	if (r < 0)
		return -1;
	return upload_finish(l->p->rc, *loc, l->digest, NULL, 0, err);
}

/* ---- one layer: docker's v2PushDescriptor.Upload ---- */

static void max_attempts(int64_t size, size_t *mounts, size_t *checks, int *other)
{
	if (size > MIDDLE_LAYER) {
		*mounts = 4, *checks = 3, *other = 1;
	} else if (size > SMALL_LAYER) {
		*mounts = 3, *checks = 1, *other = 0;
	} else {
		*mounts = 1, *checks = 1, *other = 0;
	}
}

/* The repository path of a full name on the target's registry, or NULL. */
static char *same_registry_path(struct push *p, const char *source)
{
	struct reference r;
	char *path = NULL;

	if (!*source || !strcmp(source, p->full) || reference_parse(&r, source, NULL) < 0)
		return NULL;
	if (!strcmp(r.domain, p->domain))
		path = xstrdup(r.path);
	reference_release(&r);
	return path;
}

static int try_mounts(struct push_layer *l, size_t max, char **loc)
{
	_cleanup_free_ size_t *idx = xcalloc(l->n_meta + 1, sizeof(*idx));
	size_t n = 0;

	for (size_t i = 0; i < l->n_meta; i++)
		idx[i] = i;
	sort_meta(l, idx, l->n_meta);
	for (size_t i = 0; i < l->n_meta && n < max; i++) {
		const struct store_dist_source *m = &l->meta[idx[i]];
		_cleanup_free_ char *from = same_registry_path(l->p, m->source);
		struct berr e = BERR_INIT;
		char *session = NULL, *line;
		int r;

		if (!from)
			continue;
		n++;
		r = upload_start(l->p->rc, m->digest, from, &session, &e);
		if (r == 1) {
			/* The mount's answer has no size: ask, as docker does. */
			int64_t size = -1;

			if (upload_blob_exists(l->p->rc, m->digest, &size, &e) != 1)
				continue;
			snprintf(l->digest, sizeof(l->digest), "%s", m->digest);
			l->blob_size = size;
			l->record = 1;
			line = xasprintf("Mounted from %s", from);
			emit(l->p, l->short_id, line);
			free(line);
			known_add(l->p, l);
			return 1;
		}
		/* Refused mounts open a session instead: docker uploads into
		 * the last one. */
		if (r == 0) {
			free(*loc);
			*loc = session;
		}
	}
	return 0;
}

static int layer_upload_once(struct push_layer *l, struct berr *err)
{
	size_t max_mounts, max_checks;
	int other, r;
	char *loc = NULL;

	if (known_get(l->p, l)) {
		emit(l->p, l->short_id, "Layer already exists");
		return 0;
	}
	max_attempts(l->size, &max_mounts, &max_checks, &other);
	if (l->n_meta && already_exists(l, 1, 1))
		return 0;
	if (try_mounts(l, max_mounts, &loc))
		goto found;
	if (max_checks > l->n_checked && already_exists(l, other, max_checks - l->n_checked))
		goto found;
	if (!loc && upload_start(l->p->rc, NULL, NULL, &loc, err) < 0)
		return -1;
	r = stream_blob(l, &loc, err);
	free(loc);
	if (r < 0)
		return -1;
	l->record = 1;
	emit(l->p, l->short_id, "Pushed");
	known_add(l->p, l);
	return 0;
found:
	free(loc);
	return 0;
}

/* docker's upload manager: transient failures retry the whole layer after
 * 5, 10, 15, 20 seconds, counting down on the layer's line. */
static int layer_upload(struct push_layer *l, struct berr *err)
{
	for (int attempt = 1;; attempt++) {
		berr_clear(err);
		if (layer_upload_once(l, err) == 0)
			return 0;
		if (err->code != BERR_TEMPORARY || attempt >= UPLOAD_ATTEMPTS || cancelled(l->p))
			return -1;
		for (int s = attempt * 5; s > 0 && !cancelled(l->p); s--) {
			char line[64];
			struct timespec ts = { 1, 0 };

			snprintf(line, sizeof(line), "Retrying in %d second%s", s, s == 1 ? "" : "s");
			emit(l->p, l->short_id, line);
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
	}
}

/* An upper layer with the diff ID of another: uploaded once, by that one. */
static int layer_shared(void *ctx, size_t i)
{
	struct push *p = ctx;

	return p->layers[i].same != NULL;
}

static int layer_run(void *ctx, size_t i, struct berr *err)
{
	struct push *p = ctx;

	return layer_upload(&p->layers[i], err);
}

static int upload_layers(struct push *p, struct berr *err)
{
	struct xfer_pool pool = { &p->x, p->n_layers, layer_shared, layer_run, p, 0 };
	size_t n_threads = 0;
	size_t max = p->b->cfg.max_concurrent_uploads > 0 ? (size_t)p->b->cfg.max_concurrent_uploads : 5;

	/* Also what the "Waiting" lines count against. */
	if (max > XFER_MAX_THREADS)
		max = XFER_MAX_THREADS;
	for (size_t i = 0; i < p->n_layers; i++)
		emit(p, p->layers[i].short_id, "Preparing");
	for (size_t i = 0, unique = 0; i < p->n_layers; i++)
		if (!p->layers[i].same && ++unique > max)
			emit(p, p->layers[i].short_id, "Waiting");
	for (size_t i = 0; i < p->n_layers && n_threads < max; i++)
		n_threads += !p->layers[i].same;
	if (xfer_pool_run(&pool, n_threads, "upload", err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_layers; i++)
		if (p->layers[i].same) {
			snprintf(p->layers[i].digest, DIGEST_STR_LEN, "%s", p->layers[i].same->digest);
			p->layers[i].blob_size = p->layers[i].same->blob_size;
		}
	return 0;
}

/* ---- one tag ---- */

/* The manifest the image was pulled with (store_manifest_get), when it
 * still describes it: same config, same number of layers. */
struct orig_manifest {
	char *media_type;
	char *source;
	struct sbuf raw;
	struct manifest m;
	int usable;
};

static void orig_load(struct push *p, const char *image_id, struct orig_manifest *o)
{
	memset(o, 0, sizeof(*o));
	sbuf_init(&o->raw);
	if (store_manifest_get(p->b->store, image_id, &o->media_type, &o->source, &o->raw, NULL) < 0 ||
	    manifest_parse(&o->m, o->media_type, o->raw.buf, o->raw.len, NULL) < 0)
		return;
	o->usable = o->m.kind == MANIFEST_IMAGE && o->m.config.digest && !strcmp(o->m.config.digest, image_id) &&
		    o->m.n_layers == p->n_layers &&
		    (!strcmp(o->media_type, MT_DOCKER_MANIFEST) || !strcmp(o->media_type, MT_OCI_MANIFEST));
}

/* Makes the original blob a candidate (docker records blobs only for
 * pulls that fetched layers, so a second pull of the same image in another
 * format left none) and marks it preferred. */
static void prefer_blob(struct push_layer *l, const char *digest, const char *source)
{
	size_t i;

	if (!digest || digest_validate(digest, NULL) < 0)
		return;
	l->prefer = digest;
	for (i = 0; i < l->n_meta; i++)
		if (!strcmp(l->meta[i].digest, digest))
			return;
	l->meta = xrealloc(l->meta, (l->n_meta + 2) * sizeof(*l->meta));
	l->checked = xrealloc(l->checked, (l->n_meta + 2) * sizeof(*l->checked));
	snprintf(l->meta[l->n_meta].digest, DIGEST_STR_LEN, "%s", digest);
	l->meta[l->n_meta++].source = xstrdup(source);
}

static void orig_release(struct orig_manifest *o)
{
	free(o->media_type);
	free(o->source);
	sbuf_release(&o->raw);
	manifest_release(&o->m);
}

/* The original descriptor of layer i (bottom up) when the push ended up
 * with the same blob, else NULL. */
static const struct descriptor *orig_layer(const struct push *p, const struct orig_manifest *o, size_t i)
{
	const struct push_layer *l = &p->layers[p->n_layers - 1 - i];

	if (!o->usable || !o->m.layers[i].digest || strcmp(o->m.layers[i].digest, l->digest) ||
	    o->m.layers[i].size != l->blob_size || !o->m.layers[i].media_type)
		return NULL;
	return &o->m.layers[i];
}

/* The manifest to push: the one the image was pulled with when every
 * blob is the same (the image keeps its format and its digest), else
 * one in that format (docker schema2 by default, as docker 20.10 always
 * pushes), encoded as distribution's FromStruct does:
 * json.MarshalIndent(m, "", "   "), layers bottom up. */
static const char *build_manifest(struct push *p, const struct orig_manifest *o, const char *config_digest,
				  size_t config_len, struct sbuf *out)
{
	int oci = o->usable && !strcmp(o->media_type, MT_OCI_MANIFEST), same = o->usable;
	const char *mt = oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST;

	for (size_t i = 0; i < p->n_layers && same; i++)
		same = orig_layer(p, o, i) != NULL;
	if (same) {
		sbuf_add(out, o->raw.buf, o->raw.len);
		return o->media_type;
	}
	sbuf_addf(out,
		  "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"%s\",\n   \"config\": {\n"
		  "      \"mediaType\": \"%s\",\n      \"size\": %zu,\n      \"digest\": \"%s\"\n   },\n"
		  "   \"layers\": [",
		  mt, oci ? MT_OCI_CONFIG : MT_DOCKER_CONFIG, config_len, config_digest);
	for (size_t i = p->n_layers; i-- > 0;) {
		const struct push_layer *l = &p->layers[i];
		const struct descriptor *d = orig_layer(p, o, p->n_layers - 1 - i);
		const char *lmt = d ? d->media_type : oci ? MT_OCI_LAYER_GZIP : MT_DOCKER_LAYER_GZIP;

		sbuf_addf(out,
			  "%s\n      {\n         \"mediaType\": \"%s\",\n         \"size\": %lld,\n"
			  "         \"digest\": \"%s\"\n      }",
			  i + 1 == p->n_layers ? "" : ",", lmt, (long long)l->blob_size, l->digest);
	}
	sbuf_addstr(out, p->n_layers ? "\n   ]\n}" : "]\n}");
	return mt;
}

static int plan_layers(struct push *p, const struct image_config *cfg, struct berr *err)
{
	p->n_layers = cfg->n_diff_ids;
	p->layers = xcalloc(p->n_layers ? p->n_layers : 1, sizeof(*p->layers));
	/* chain IDs bottom up; layers listed top down, as docker walks them */
	for (size_t k = 0; k < cfg->n_diff_ids; k++) {
		struct push_layer *l = &p->layers[cfg->n_diff_ids - 1 - k];
		struct store_layer sl;

		l->p = p;
		l->send_fd = l->recv_fd = -1;
		snprintf(l->diff_id, sizeof(l->diff_id), "%s", cfg->diff_ids[k]);
		chain_id(k ? p->layers[cfg->n_diff_ids - k].chain_id : NULL, l->diff_id, l->chain_id);
		snprintf(l->short_id, sizeof(l->short_id), "%.12s", digest_hex(l->diff_id));
		if (store_layer_read(p->b->store, l->chain_id, &sl, err) < 0)
			return berr_wrap(err, "layer %s", l->chain_id);
		l->size = sl.size;
		read_meta(l);
	}
	for (size_t i = 0; i < p->n_layers; i++)
		for (size_t k = 0; k < i && !p->layers[i].same; k++)
			if (!strcmp(p->layers[k].diff_id, p->layers[i].diff_id))
				p->layers[i].same = &p->layers[k];
	return 0;
}

static void free_layers(struct push *p)
{
	for (size_t i = 0; i < p->n_layers; i++) {
		struct push_layer *l = &p->layers[i];

		for (size_t k = 0; k < l->n_meta; k++)
			free(l->meta[k].source);
		free(l->meta);
		free(l->checked);
		free(l->level_buf);
		free(l->zout);
	}
	free(p->layers);
	p->layers = NULL;
	p->n_layers = 0;
	xfer_reset(&p->x);
}

/* After the manifest is in: what docker records, under the store lock. */
static int commit_push(struct push *p, const char *image_id, const char *manifest_digest, struct berr *err)
{
	char *fam = reference_familiar_name(p->ref), *key = xasprintf("%s@%s", fam, manifest_digest);
	struct store_refs *refs = NULL;
	int rc = -1;

	if (store_lock(p->b->store, err) < 0)
		goto out;
	for (size_t i = 0; i < p->n_layers; i++)
		if (p->layers[i].record &&
		    store_dist_add(p->b->store, p->layers[i].digest, p->layers[i].diff_id, p->full, err) < 0)
			goto unlock;
	if (store_refs_load(p->b->store, &refs, err) < 0)
		goto unlock;
	/* docker's addDigestReference: an existing digest reference stays. */
	if (store_refs_get(refs, fam, key)) {
		rc = 0;
	} else {
		store_refs_set(refs, fam, key, image_id, NULL);
		rc = store_refs_save(p->b->store, refs, err);
	}
	store_refs_free(refs);
unlock:
	store_unlock(p->b->store);
out:
	free(fam);
	free(key);
	return rc;
}

static int push_tag(struct push *p, const char *tag, const char *image_id, struct berr *err)
{
	struct sbuf config = SBUF_INIT, man = SBUF_INIT;
	struct image_config cfg = { 0 };
	char mdigest[DIGEST_STR_LEN];
	struct orig_manifest orig = { 0 };
	const char *mt;
	int64_t csize;
	int rc = -1, have_config;
	char *line;

	if (store_image_config(p->b->store, image_id, &config, err) < 0 ||
	    image_config_parse(&cfg, config.buf, config.len, err) < 0 || plan_layers(p, &cfg, err) < 0)
		goto out;
	/* The first request also says whether the registry is there at all,
	 * before any layer line, as docker's ping does. */
	orig_load(p, image_id, &orig);
	for (size_t i = 0; orig.usable && i < p->n_layers; i++)
		prefer_blob(&p->layers[p->n_layers - 1 - i], orig.m.layers[i].digest, orig.source);
	have_config = upload_blob_exists(p->rc, image_id, &csize, err);
	if (have_config < 0 || upload_layers(p, err) < 0)
		goto out;
	if (!have_config && upload_blob_mem(p->rc, image_id, config.buf, config.len, err) < 0)
		goto out;
	mt = build_manifest(p, &orig, image_id, config.len, &man);
	if (upload_manifest(p->rc, tag, mt, man.buf, man.len, err) < 0)
		goto out;
	sha256_digest(man.buf, man.len, mdigest);
	if (commit_push(p, image_id, mdigest, err) < 0)
		goto out;
	line = xasprintf("%s: digest: %s size: %zu", tag, mdigest, man.len);
	message(p, line);
	free(line);
	rc = 0;
out:
	free_layers(p);
	orig_release(&orig);
	image_config_release(&cfg);
	sbuf_release(&config);
	sbuf_release(&man);
	return rc;
}

/* ---- the whole push ---- */

int berth_image_push(struct berth *b, const char *refstr, const struct berth_image_push_opts *opts, char **canonical_out,
	       struct berr *err)
{
	struct reference ref;
	struct push p = { 0 };
	struct store_refs *refs = NULL;
	struct store_ref_list repo = { 0 };
	char *fam = NULL, *line;
	int all = opts && opts->all_tags, rc = -1, pushed = 0;

	if (reference_parse(&ref, refstr, err) < 0)
		return -1;
	if (all && (ref.tag || ref.digest)) {
		reference_release(&ref);
		return berr_set(err, BERR_INVALID, "tag can't be used with --all-tags/-a");
	}
	if (ref.digest) {
		reference_release(&ref);
		return berr_set(err, BERR_INVALID, "cannot push a digest reference");
	}
	if (!all)
		reference_default_tag(&ref);
	p.b = b;
	p.opts = opts;
	p.ref = &ref;
	p.full = reference_name(&ref);
	p.domain = ref.domain;
	xfer_init(&p.x, opts ? opts->progress : NULL, opts ? opts->progress_ctx : NULL);
	fam = reference_familiar_name(&ref);
	if (store_refs_load(b->store, &refs, err) < 0)
		goto out;
	store_refs_by_name(refs, fam, &repo);
	line = xasprintf("The push refers to repository [%s]", p.full);
	message(&p, line);
	free(line);
	if (!repo.n) {
		berr_set(err, BERR_NOT_FOUND, "An image does not exist locally with the tag: %s", fam);
		goto out;
	}
	if (registry_client_new(&p.rc, &b->cfg, ref.domain, ref.path, err) < 0)
		goto out;
	registry_client_want_push(p.rc);
	if (!all) {
		_cleanup_free_ char *key = xasprintf("%s:%s", fam, ref.tag);
		const char *id = store_refs_get(refs, fam, key);

		if (!id) {
			berr_set(err, BERR_NOT_FOUND, "tag does not exist: %s", key);
			goto out;
		}
		rc = push_tag(&p, ref.tag, id, err);
	} else {
		/* docker pushes the tags in the lexical order of their names
		 * (by_name's order) */
		size_t plen = strlen(fam) + 1;

		rc = 0;
		for (size_t i = 0; i < repo.n && rc == 0; i++) {
			if (repo.v[i].canonical)
				continue;
			rc = push_tag(&p, repo.v[i].ref + plen, repo.v[i].image_id, err);
			pushed++;
		}
		if (rc == 0 && !pushed)
			rc = berr_set(err, BERR_NOT_FOUND, "no tags to push for %s", fam);
	}
	if (rc == 0 && canonical_out)
		*canonical_out = all ? reference_name(&ref) : reference_string(&ref);
out:
	store_ref_list_release(&repo);
	store_refs_free(refs);
	free(p.known);
	free(fam);
	free(p.full);
	registry_client_free(p.rc);
	xfer_release(&p.x);
	reference_release(&ref);
	return rc;
}
