/*
 * import.c - `berth import`: one tar (maybe compressed) -> a one-layer
 * image, as Docker 20.10's ImportImage builds it: the layer is the tar as
 * given (inflated first), so its diff ID is the one docker records; the
 * config is image.Image marshalled with sorted top-level keys, with the
 * --change instructions applied and a history entry "Imported from -".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../format/gojson.h"
#include "../image/ingest.h"
#include "../image/manifest.h"
#include "../image/register.h"
#include "../io/feed.h"
#include "../internal.h"
#include "../reference.h"
#include "../registry/fetch.h"
#include "../util/timefmt.h"
#include "changes.h"

/* image.Image: V1Image fields, rootfs and history; marshalled through a
 * map, so the keys come out sorted. */
static json_t *import_config(json_t *cfg, const struct platform *pl, const char *comment, const char *diff_id)
{
	json_t *img = json_object(), *hist = json_object(), *rootfs = json_object(), *ids = json_array();
	json_t *zero = json_object();
	struct timespec ts;
	char created[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	unix_to_rfc3339nano(ts.tv_sec, ts.tv_nsec, created);
	json_object_set_new(img, "architecture", json_string(pl->arch));
	json_object_set_new(img, "comment", json_string(comment));
	json_object_set_new(img, "config", changes_config_json(cfg));
	/* container_config is a struct with omitempty, which Go never omits. */
	json_object_set_new(img, "container_config", changes_config_json(zero));
	json_object_set_new(img, "created", json_string(created));
	json_object_set_new(img, "docker_version", json_string(BERTH_VERSION));
	json_object_set_new(hist, "created", json_string(created));
	json_object_set_new(hist, "comment", json_string(comment));
	json_object_set_new(img, "history", json_pack("[o]", hist));
	json_object_set_new(img, "os", json_string(pl->os));
	json_array_append_new(ids, json_string(diff_id));
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", ids);
	json_object_set_new(img, "rootfs", rootfs);
	if (pl->variant && *pl->variant)
		json_object_set_new(img, "variant", json_string(pl->variant));
	json_decref(zero);
	return img;
}

/* ---- the source: a file descriptor, or a URL fetched by a feed ---- */

static int fetch_fn(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err)
{
	return registry_fetch_url(arg, sink, sink_ctx, err);
}

/* 0, -1 for a bad tar, 1 for a failed download (err set either way). */
static int ingest_source(struct berth *b, int fd, const char *url, struct layer_ingest *li, struct berr *err)
{
	struct fd_reader fr;
	struct feed f;
	int rc;

	if (layer_ingest_begin(b->store, li, err) < 0)
		return -1;
	if (!url) {
		fd_reader_init(&fr, fd);
		return layer_ingest_extract(li, &fr.r, NULL, err);
	}
	if (feed_start(&f, fetch_fn, (void *)url, err) < 0)
		return -1;
	rc = layer_ingest_extract(li, &f.r.r, NULL, err);
	/* The download's own failure, not the tar's view of it. */
	if (feed_finish(&f, err) < 0)
		return 1;
	return rc;
}

struct commit {
	struct layer_ingest *li;
	const struct reference *ref;
	const struct image_reg *r;
};

static int commit_layer(void *ctx, size_t i, const char *chain, const char *parent, struct layer_ingest **in,
			struct berr *err)
{
	*in = ((struct commit *)ctx)->li;
	return 0;
}

/* The tag given, forced as AddTag(force) does. */
static int commit_name(void *ctx, struct store_refs *refs, struct berr *err)
{
	struct commit *c = ctx;
	char *fam = reference_familiar_name(c->ref), *key = reference_familiar_string(c->ref);

	store_refs_set(refs, fam, key, c->r->id, NULL);
	free(fam);
	free(key);
	return 0;
}

static int commit_import(struct berth *b, struct layer_ingest *li, const struct sbuf *config,
			 const struct reference *ref, char id[DIGEST_STR_LEN], struct berr *err)
{
	char *diff_ids[] = { li->diff_id };
	struct commit c = { li, ref, NULL };
	struct image_reg r = {
		.diff_ids = diff_ids,
		.n_layers = 1,
		.config = config->buf,
		.config_len = config->len,
		.layer = commit_layer,
		.ctx = &c,
	};
	c.r = &r;
	if (image_register(b, &r, 1, ref ? commit_name : NULL, &c, err) < 0)
		return -1;
	memcpy(id, r.id, DIGEST_STR_LEN);
	return 0;
}

int berth_archive_import(struct berth *b, int fd, const char *refstr, const struct berth_archive_import_opts *opts,
		       char id_out[72], struct berr *err)
{
	struct berth_archive_import_opts none = { 0 };
	struct reference ref = { 0 };
	struct platform pl = { 0 };
	struct layer_ingest li;
	json_t *cfg = json_object(), *img = NULL;
	struct sbuf config = SBUF_INIT;
	const char *url = NULL;
	char *comment = NULL;
	int rc = -1, have_ref = 0;

	if (!opts)
		opts = &none;
	layer_ingest_init(&li);
	if (opts->source && (!strncmp(opts->source, "http://", 7) || !strncmp(opts->source, "https://", 8)))
		url = opts->source;
	if (refstr && *refstr) {
		if (reference_parse_tag_target(&ref, refstr, "cannot import digest reference", err) < 0)
			goto out;
		have_ref = 1;
	}
	if (platform_parse(&pl, opts->platform, err) < 0)
		goto out;
	/* Docker 20.10 refuses any OS but its own (and then records its own
	 * architecture whatever was asked; berth records the requested one,
	 * as later Docker versions do). */
	if (strcmp(pl.os, "linux")) {
		berr_set(err, BERR_UNSUPPORTED, "operating system is not supported");
		goto out;
	}
	if (changes_apply(cfg, opts->changes, err) < 0)
		goto out;
	comment = opts->message && *opts->message ? xstrdup(opts->message)
						  : xasprintf("Imported from %s", url ? url : "-");
	if (store_lock(b->store, err) < 0)
		goto out;
	store_gc(b->store);
	store_unlock(b->store);
	if ((rc = ingest_source(b, fd, url, &li, err)) != 0) {
		/* docker's words for a layer its untar helper rejected */
		if (rc < 0)
			berr_wrap(err, "Error processing tar file(exit status 1)");
		rc = -1;
		goto out;
	}
	img = import_config(cfg, &pl, comment, li.diff_id);
	gojson_write(&config, img, NULL, NULL);
	rc = commit_import(b, &li, &config, have_ref ? &ref : NULL, id_out, err);
out:
	layer_ingest_discard(b->store, &li);
	if (have_ref)
		reference_release(&ref);
	platform_release(&pl);
	json_decref(cfg);
	json_decref(img);
	sbuf_release(&config);
	free(comment);
	return rc;
}
