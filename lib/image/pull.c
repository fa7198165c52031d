/*
 * pull.c - `berth pull`: registry -> store in one streaming pass per layer.
 *
 * For each layer that is not in the store yet, a worker thread downloads the
 * blob, hashing it as it arrives (the blob digest), and sends the bytes over
 * a socketpair to an extractor thread, which inflates them, hashes the tar
 * (the diff ID), and applies it to the layer's own fresh overlay2 diff dir
 * while recording tar-split.  Layers extract in parallel because an overlay
 * layer never needs its parent's files.  Nothing is written to a temp copy;
 * memory per layer is a few buffers.
 *
 * Only when every layer has been verified (blob digest and size against the
 * manifest, diff ID against the config) are the layers registered, bottom
 * up, then the config and the names, under the store lock.  A failed or
 * killed pull therefore registers nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../internal.h"
#include "../util/fs.h"
#include "../io/digest.h"
#include "../reference.h"
#include "../registry/registry.h"
#include "../util/sbuf.h"
#include "ingest.h"
#include "manifest.h"
#include "register.h"
#include "xfer.h"

struct pull;

struct layer_job {
	struct pull *p;
	const struct descriptor *desc;
	const char *diff_id;
	char chain_id[DIGEST_STR_LEN];
	char parent[DIGEST_STR_LEN];
	char short_id[13];
	int needed;
	struct layer_ingest in;
	/* download side */
	struct sha256 blob_hash;
	uint64_t received;
	uint64_t last_report;
	int send_fd;
	/* extract side */
	int recv_fd;
	int ex_rc;
	struct berr ex_err;
};

struct pull {
	struct berth *b;
	const struct berth_image_pull_opts *opts;
	struct registry_client *rc;
	struct xfer x;
	struct layer_job *jobs;
	size_t n_jobs;
};

/* Docker's progress.Update / progress reader: a per-layer status line. */
static void emit(struct pull *p, const char *id, const char *status, int64_t cur, int64_t total)
{
	xfer_update(&p->x, id, status, cur, total);
}

/* Docker's progress.Message: a plain line (with an id prefix if any). */
static void message(struct pull *p, const char *id, const char *status)
{
	xfer_message(&p->x, id, status);
}

static int cancelled(struct pull *p)
{
	return xfer_cancelled(&p->x);
}

/* ---- extractor thread ---- */

static void *extract_main(void *arg)
{
	struct layer_job *j = arg;
	struct fd_reader fr;

	fd_reader_init(&fr, j->recv_fd);
	j->ex_rc = layer_ingest_extract(&j->in, &fr.r, NULL, &j->ex_err);
	/* Closing our end makes a still-sending downloader fail fast. */
	close(j->recv_fd);
	j->recv_fd = -1;
	return NULL;
}

/* ---- download side ---- */

static int blob_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct layer_job *j = ctx;

	if (cancelled(j->p))
		return berr_set(err, BERR_CANCELLED, "cancelled");
	j->received += n;
	if (j->received > (uint64_t)j->desc->size)
		return berr_set(err, BERR_DIGEST, "filesystem layer verification failed for digest %s",
				j->desc->digest);
	sha256_update(&j->blob_hash, buf, n);
	if (xfer_send(j->send_fd, buf, n, "extraction stopped", err) < 0)
		return -1;
	if (j->received - j->last_report >= XFER_PROGRESS_STEP || j->received == (uint64_t)j->desc->size) {
		j->last_report = j->received;
		emit(j->p, j->short_id, "Downloading", (int64_t)j->received, j->desc->size);
	}
	return 0;
}

/* Picks the error to report: the extractor's own failure explains a
 * cancelled download better than "extraction stopped". */
static int finish_job(struct layer_job *j, int dl_rc, struct berr *dl_err, struct berr *err)
{
	char got[DIGEST_STR_LEN];

	sha256_final(&j->blob_hash, got);
	if (j->ex_rc < 0 && (dl_rc == 0 || dl_err->code == BERR_CANCELLED)) {
		berr_copy(err, &j->ex_err);
		return berr_wrap(err, "failed to register layer");
	}
	if (dl_rc < 0) {
		berr_copy(err, dl_err);
		return -1;
	}
	if (strcmp(got, j->desc->digest) != 0 || j->received != (uint64_t)j->desc->size)
		return berr_set(err, BERR_DIGEST, "filesystem layer verification failed for digest %s",
				j->desc->digest);
	emit(j->p, j->short_id, "Verifying Checksum", 0, 0);
	emit(j->p, j->short_id, "Download complete", 0, 0);
	if (j->ex_rc < 0) {
		berr_copy(err, &j->ex_err);
		return berr_wrap(err, "failed to register layer");
	}
	if (strcmp(j->in.diff_id, j->diff_id) != 0)
		return berr_set(err, BERR_DIGEST,
				"failed to register layer: layers from manifest don't match image configuration "
				"(diff id %s, config says %s)", j->in.diff_id, j->diff_id);
	emit(j->p, j->short_id, "Extracting", j->desc->size, j->desc->size);
	return 0;
}

static int run_job(struct layer_job *j, struct berr *err)
{
	struct berr dl_err = BERR_INIT;
	pthread_t th;
	int rc;

	if (layer_ingest_begin(j->p->b->store, &j->in, err) < 0)
		return -1;
	if (xfer_channel(&j->send_fd, &j->recv_fd, err) < 0)
		return -1;
	sha256_init(&j->blob_hash);
	if (pthread_create(&th, NULL, extract_main, j) != 0) {
		sha256_release(&j->blob_hash);
		return berr_set(err, BERR_INTERNAL, "cannot start extractor thread");
	}
	rc = registry_get_blob(j->p->rc, j->desc->digest, blob_sink, j, NULL, &dl_err);
	shutdown(j->send_fd, SHUT_WR);
	close(j->send_fd);
	j->send_fd = -1;
	pthread_join(th, NULL);
	return finish_job(j, rc, &dl_err, err);
}

static int job_present(void *ctx, size_t i)
{
	struct pull *p = ctx;

	return !p->jobs[i].needed;
}

static int job_run(void *ctx, size_t i, struct berr *err)
{
	struct pull *p = ctx;

	return run_job(&p->jobs[i], err);
}

static void discard_jobs(struct pull *p)
{
	for (size_t i = 0; i < p->n_jobs; i++) {
		struct layer_job *j = &p->jobs[i];
		/* Workers are joined: whatever a failed set-up left open. */
		int *fds[] = { &j->send_fd, &j->recv_fd };
		for (size_t k = 0; k < 2; k++)
			if (*fds[k] >= 0) {
				close(*fds[k]);
				*fds[k] = -1;
			}
		layer_ingest_discard(p->b->store, &j->in);
	}
}

static int download_layers(struct pull *p, struct berr *err)
{
	struct xfer_pool pool = { &p->x, p->n_jobs, job_present, job_run, p, 0 };
	size_t needed = 0;
	int max = p->b->cfg.max_concurrent_downloads > 0 ? p->b->cfg.max_concurrent_downloads : 3;

	for (size_t i = 0; i < p->n_jobs; i++)
		if (p->jobs[i].needed)
			emit(p, p->jobs[i].short_id, "Pulling fs layer", 0, 0);
	for (size_t i = 0; i < p->n_jobs; i++)
		if (p->jobs[i].needed && ++needed > (size_t)max)
			emit(p, p->jobs[i].short_id, "Waiting", 0, 0);
	if (!needed)
		return 0;
	return xfer_pool_run(&pool, needed < (size_t)max ? needed : (size_t)max, "download", err);
}

/* ---- manifest resolution ---- */

/* The image manifest (resolved through an index when needed) into m, its
 * bytes into body and its media type into *mt_out (free()). */
static int fetch_manifest(struct pull *p, const struct reference *ref, struct manifest *m, char **top_digest,
			  struct sbuf *body_out, char **mt_out, struct berr *err)
{
	struct sbuf body = SBUF_INIT;
	char *mt = NULL, *dg = NULL;
	const char *what = ref->digest ? ref->digest : ref->tag;
	int rc = -1;

	if (registry_get_manifest(p->rc, what, &body, &mt, &dg, err) < 0)
		goto out;
	if (manifest_parse(m, mt, body.buf, body.len, err) < 0)
		goto out;
	*top_digest = dg;
	dg = NULL;
	if (m->kind == MANIFEST_INDEX) {
		struct platform want;
		int idx;
		char *child;

		if (platform_parse(&want, p->opts ? p->opts->platform : NULL, err) < 0)
			goto out;
		idx = manifest_select(m, &want, err);
		platform_release(&want);
		if (idx < 0)
			goto out;
		child = xstrdup(m->manifests[idx].digest);
		manifest_release(m);
		free(mt);
		mt = NULL;
		if (registry_get_manifest(p->rc, child, &body, &mt, &dg, err) < 0 ||
		    manifest_parse(m, mt, body.buf, body.len, err) < 0) {
			free(child);
			goto out;
		}
		free(child);
		if (m->kind != MANIFEST_IMAGE) {
			berr_set(err, BERR_INVALID, "invalid manifest: index entry is not an image manifest");
			goto out;
		}
	}
	*mt_out = xstrdup(m->media_type ? m->media_type : (mt ? mt : MT_DOCKER_MANIFEST));
	sbuf_release(body_out);
	*body_out = body;
	sbuf_init(&body);
	rc = 0;
out:
	free(mt);
	free(dg);
	sbuf_release(&body);
	return rc;
}

static int check_layers(const struct manifest *m, const struct image_config *cfg, struct berr *err)
{
	if (m->n_layers != cfg->n_diff_ids)
		return berr_set(err, BERR_INVALID,
				"invalid manifest, layers length mismatch: expected %zu, got %zu",
				cfg->n_diff_ids, m->n_layers);
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *mt = m->layers[i].media_type ? m->layers[i].media_type : "";
		if (strcmp(mt, MT_DOCKER_LAYER_GZIP) && strcmp(mt, MT_OCI_LAYER) && strcmp(mt, MT_OCI_LAYER_GZIP) &&
		    strcmp(mt, MT_OCI_LAYER_ZSTD) && strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar"))
			return berr_set(err, BERR_UNSUPPORTED, "unsupported layer media type %s", mt);
	}
	return 0;
}

static void plan_jobs(struct pull *p, const struct manifest *m, const struct image_config *cfg)
{
	int all_exist = 1;

	p->n_jobs = m->n_layers;
	p->jobs = xcalloc(p->n_jobs ? p->n_jobs : 1, sizeof(*p->jobs));
	for (size_t i = 0; i < p->n_jobs; i++) {
		struct layer_job *j = &p->jobs[i];
		j->p = p;
		j->desc = &m->layers[i];
		j->diff_id = cfg->diff_ids[i];
		layer_ingest_init(&j->in);
		j->send_fd = j->recv_fd = -1;
		snprintf(j->parent, sizeof(j->parent), "%s", i ? p->jobs[i - 1].chain_id : "");
		chain_id(i ? j->parent : NULL, j->diff_id, j->chain_id);
		snprintf(j->short_id, sizeof(j->short_id), "%.12s", digest_hex(j->desc->digest));
		all_exist = all_exist && store_layer_exists(p->b->store, j->chain_id);
		j->needed = !all_exist;
	}
}

/* ---- commit ---- */

struct commit_info {
	struct pull *p;
	const struct reference *ref;
	const struct image_config *cfg;
	const char *top_digest;
	const char *config;
	size_t config_len;
	const struct sbuf *manifest;
	const char *manifest_type;
	int show_layers;
	char *full;           /* the repository's full name */
	char image_id[DIGEST_STR_LEN];
	int tag_changed;
};

static int commit_layer(void *ctx, size_t i, const char *chain, const char *parent, struct layer_ingest **in,
			struct berr *err)
{
	struct commit_info *ci = ctx;
	struct layer_job *j = &ci->p->jobs[i];

	/* A layer found present when the pull was planned may have been
	 * removed since by an rmi (which holds this lock while deleting):
	 * registering children on it would break the chain. */
	if (!j->needed) {
		if (!store_layer_exists(ci->p->b->store, j->chain_id))
			return berr_set(err, BERR_TEMPORARY, "layer %s was removed during the pull, pull again",
					j->chain_id);
		*in = NULL;
		return 0;
	}
	*in = &j->in;
	return 0;
}

static void commit_registered(void *ctx, size_t i)
{
	struct commit_info *ci = ctx;

	if (ci->show_layers)
		emit(ci->p, ci->p->jobs[i].short_id, "Pull complete", 0, 0);
}

static void commit_stored(void *ctx, const char *image_id)
{
	struct commit_info *ci = ctx;
	struct pull *p = ci->p;

	/* Docker records the blob for every layer of a pull that got as far
	 * as the layers, present ones included ("Registered"). */
	for (size_t i = 0; ci->show_layers && i < p->n_jobs; i++)
		store_dist_add(p->b->store, p->jobs[i].desc->digest, p->jobs[i].diff_id, ci->full, NULL);
	/* For push's sake only: a failure to keep it costs nothing else. */
	store_manifest_put(p->b->store, image_id, ci->manifest_type, ci->full, ci->manifest->buf, ci->manifest->len,
			   NULL);
	memcpy(ci->image_id, image_id, DIGEST_STR_LEN);
}

static int update_refs(void *ctx, struct store_refs *refs, struct berr *err)
{
	struct commit_info *ci = ctx;
	char *fam = reference_familiar_name(ci->ref), *prev = NULL, *key;

	if (ci->ref->tag) {
		key = xasprintf("%s:%s", fam, ci->ref->tag);
		store_refs_set(refs, fam, key, ci->image_id, &prev);
		ci->tag_changed = !prev || strcmp(prev, ci->image_id) != 0;
		free(key);
		free(prev);
		prev = NULL;
	}
	/* A digest pull points its digest at the image (force); a tag pull
	 * adds repo@digest only when absent: Docker's reference store does
	 * not move an existing digest reference. */
	key = xasprintf("%s@%s", fam, ci->ref->digest ? ci->ref->digest : ci->top_digest);
	if (ci->ref->digest || !store_refs_get(refs, fam, key)) {
		store_refs_set(refs, fam, key, ci->image_id, &prev);
		if (!ci->ref->tag)
			ci->tag_changed = !prev || strcmp(prev, ci->image_id) != 0;
	}
	free(key);
	free(prev);
	free(fam);
	return 0;
}

static int commit_pull(struct pull *p, struct commit_info *ci, struct berr *err)
{
	struct image_reg r = {
		.diff_ids = ci->cfg->diff_ids,
		.n_layers = p->n_jobs,
		.config = ci->config,
		.config_len = ci->config_len,
		.layer = commit_layer,
		.registered = commit_registered,
		.stored = commit_stored,
		.ctx = ci,
	};
	int rc;

	ci->p = p;
	ci->full = reference_name(ci->ref);
	rc = image_register(p->b, &r, 1, update_refs, ci, err);
	free(ci->full);
	return rc;
}

/* ---- the whole pull of one reference ---- */

/* Docker 20.10 pulls a single-platform image whatever --platform says and
 * then warns when the image is not of that platform. */
static void platform_warning(struct pull *p, const struct reference *ref, const struct image_config *cfg)
{
	struct platform want, have = { cfg->platform.os, cfg->platform.arch, cfg->platform.variant };
	char w[128], h[128], *fam, *line;

	if (!p->opts || !p->opts->platform || !*p->opts->platform || platform_parse(&want, p->opts->platform, NULL) < 0)
		return;
	platform_format(&want, w, sizeof(w));
	platform_format(&have, h, sizeof(h));
	if (!platform_matches(&want, &have)) {
		fam = reference_familiar_name(ref);
		line = xasprintf("WARNING: image with reference %s was found but does not match the specified platform: "
				 "wanted %s, actual: %s", fam, w, h);
		message(p, NULL, line);
		free(line);
		free(fam);
	}
	platform_release(&want);
}

/* One tag or digest.  *changed says whether a name now points elsewhere;
 * with quiet_status the caller prints the Status line (pull -a). */
static int pull_one(struct pull *p, const struct reference *ref, int quiet_status, int *changed,
		    struct berr *err)
{
	struct manifest m = { 0 };
	struct image_config cfg = { 0 };
	struct sbuf config = SBUF_INIT, man = SBUF_INIT;
	struct commit_info ci = { 0 };
	char *top = NULL, *fam = NULL, *pulling = NULL, *id = NULL, *man_type = NULL;
	int rc = -1, have_image;

	id = ref->digest ? reference_string(ref) : xstrdup(ref->tag);
	if (fetch_manifest(p, ref, &m, &top, &man, &man_type, err) < 0) {
		if (err && err->code == BERR_NOT_FOUND && strstr(err->msg, "manifest unknown")) {
			fam = reference_familiar_string(ref);
			berr_wrap(err, "manifest for %s not found", fam);
		}
		goto out;
	}
	/* Docker says where it pulls from once the manifest is in hand. */
	pulling = xasprintf("Pulling from %s", ref->path);
	message(p, id, pulling);
	if (registry_get_blob_mem(p->rc, m.config.digest, REGISTRY_CONFIG_MAX, &config, err) < 0)
		goto out;
	if (image_config_parse(&cfg, config.buf, config.len, err) < 0 || check_layers(&m, &cfg, err) < 0)
		goto out;
	plan_jobs(p, &m, &cfg);
	have_image = store_image_exists(p->b->store, m.config.digest) &&
		     (p->n_jobs == 0 || !p->jobs[p->n_jobs - 1].needed);
	if (!have_image) {
		for (size_t i = 0; i < p->n_jobs; i++)
			if (!p->jobs[i].needed)
				emit(p, p->jobs[i].short_id, "Already exists", 0, 0);
		if (download_layers(p, err) < 0)
			goto out;
	}
	ci.ref = ref;
	ci.cfg = &cfg;
	ci.top_digest = top;
	ci.config = config.buf;
	ci.config_len = config.len;
	ci.manifest = &man;
	ci.manifest_type = man_type;
	ci.show_layers = !have_image;
	if (commit_pull(p, &ci, err) < 0)
		goto out;
	free(pulling);
	pulling = xasprintf("Digest: %s", top);
	message(p, NULL, pulling);
	*changed = ci.tag_changed;
	if (!quiet_status) {
		fam = reference_familiar_string(ref);
		free(pulling);
		pulling = xasprintf("Status: %s for %s",
				    ci.tag_changed ? "Downloaded newer image" : "Image is up to date", fam);
		message(p, NULL, pulling);
	}
	platform_warning(p, ref, &cfg);
	rc = 0;
out:
	discard_jobs(p);
	free(p->jobs);
	p->jobs = NULL;
	p->n_jobs = 0;
	manifest_release(&m);
	image_config_release(&cfg);
	sbuf_release(&config);
	sbuf_release(&man);
	free(man_type);
	free(top);
	free(fam);
	free(pulling);
	free(id);
	return rc;
}

/* pull -a: every tag of the repository, then one Status line for the
 * repository as a whole, as Docker prints it. */
static int pull_all_tags(struct pull *p, struct reference *ref, struct berr *err)
{
	char **tags = NULL, *fam, *status;
	int rc = 0, any = 0;

	if (registry_list_tags(p->rc, &tags, err) < 0)
		return -1;
	for (size_t i = 0; tags[i] && rc == 0; i++) {
		int changed = 0;
		free(ref->tag);
		ref->tag = xstrdup(tags[i]);
		rc = pull_one(p, ref, 1, &changed, err);
		any |= changed;
	}
	for (size_t i = 0; tags[i]; i++)
		free(tags[i]);
	free(tags);
	free(ref->tag);
	ref->tag = NULL;
	if (rc < 0)
		return -1;
	fam = reference_familiar_name(ref);
	status = xasprintf("Status: %s for %s", any ? "Downloaded newer image" : "Image is up to date", fam);
	message(p, NULL, status);
	free(status);
	free(fam);
	return 0;
}

int berth_image_pull(struct berth *b, const char *refstr, const struct berth_image_pull_opts *opts, char **canonical_out,
	       struct berr *err)
{
	struct reference ref;
	struct pull p = { 0 };
	int all = opts && opts->all_tags, changed, rc = -1;

	if (reference_parse(&ref, refstr, err) < 0)
		return -1;
	if (all && (ref.tag || ref.digest)) {
		reference_release(&ref);
		return berr_set(err, BERR_INVALID, "tag can't be used with --all-tags/-a");
	}
	if (!all)
		reference_default_tag(&ref);
	p.b = b;
	p.opts = opts;
	xfer_init(&p.x, opts ? opts->progress : NULL, opts ? opts->progress_ctx : NULL);
	/* What a killed pull left behind goes first. */
	if (store_lock(b->store, err) < 0)
		goto out;
	store_gc(b->store);
	store_unlock(b->store);
	if (registry_client_new(&p.rc, &b->cfg, ref.domain, ref.path, err) < 0)
		goto out;
	rc = all ? pull_all_tags(&p, &ref, err) : pull_one(&p, &ref, 0, &changed, err);
	if (rc == 0 && canonical_out)
		*canonical_out = all ? reference_name(&ref) : reference_string(&ref);
out:
	registry_client_free(p.rc);
	xfer_release(&p.x);
	reference_release(&ref);
	return rc;
}
