/*
 * commit.c - docker commit (berth_container_commit): daemon/commit.go's
 * CreateImageFromContainer and images' CommitImage.  The layer is the
 * container's upper dir as docker's tar (lib/layer/), ingested like any
 * other layer, and registered through the one registration step
 * (lib/image/register.c) with the parent image's layers below it.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../archive/changes.h"
#include "../format/gojson.h"
#include "../image/ingest.h"
#include "../image/register.h"
#include "../layer/layer.h"
#include "../reference.h"
#include "../runtime/spec.h"
#include "../util/timefmt.h"
#include "container.h"
#include "lookup.h"

struct commit {
	struct berth *b;
	struct layer_ingest *li;        /* NULL for an empty diff */
	size_t n_parent_layers;
	const char *parent_id;          /* "" for a container of no image */
	const struct reference *ref;
	struct image_reg *r;
};

static int commit_layer(void *ctx, size_t i, const char *chain, const char *parent, struct layer_ingest **in,
			struct berr *err)
{
	struct commit *c = ctx;

	*in = i == c->n_parent_layers ? c->li : NULL;
	return 0;
}

static void commit_stored(void *ctx, const char *image_id)
{
	struct commit *c = ctx;

	if (c->parent_id[0])
		store_image_set_parent(c->b->store, image_id, c->parent_id, NULL);
}

static int commit_name(void *ctx, struct store_refs *refs, struct berr *err)
{
	struct commit *c = ctx;
	char *fam = reference_familiar_name(c->ref), *key = reference_familiar_string(c->ref);

	store_refs_set(refs, fam, key, c->r->id, NULL);
	free(fam);
	free(key);
	return 0;
}

/* The history entry: Go's History struct, created/author/created_by/comment/empty_layer. */
static json_t *history_entry(const char *created, const char *author, json_t *cmd, const char *comment, int empty)
{
	json_t *h = json_object(), *v;
	struct sbuf by = SBUF_INIT;
	size_t i;

	json_array_foreach(cmd, i, v)
		sbuf_addf(&by, "%s%s", i ? " " : "", json_string_value(v) ? json_string_value(v) : "");
	json_object_set_new(h, "created", json_string(created));
	if (author && *author)
		json_object_set_new(h, "author", json_string(author));
	if (by.len)
		json_object_set_new(h, "created_by", json_string(by.buf));
	if (comment && *comment)
		json_object_set_new(h, "comment", json_string(comment));
	if (empty)
		json_object_set_new(h, "empty_layer", json_true());
	sbuf_release(&by);
	return h;
}

/* image.Image, marshalled through a map by docker: keys sorted. */
static json_t *image_json(json_t *parent, struct container *c, json_t *config, const char *author,
			  const char *comment, const char *diff_id)
{
	json_t *img = json_object(), *rootfs = json_object(), *ids = json_array(), *hist = json_array(), *v;
	const char *arch = json_string_value(json_object_get(parent, "architecture"));
	const char *variant = json_string_value(json_object_get(parent, "variant"));
	struct timespec ts;
	char created[40];
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	unix_to_rfc3339nano(ts.tv_sec, ts.tv_nsec, created);
	json_array_foreach(json_object_get(json_object_get(parent, "rootfs"), "diff_ids"), i, v)
		json_array_append(ids, v);
	if (diff_id)
		json_array_append_new(ids, json_string(diff_id));
	json_array_foreach(json_object_get(parent, "history"), i, v)
		json_array_append(hist, v);
	json_array_append_new(hist, history_entry(created, author, json_object_get(container_config(c), "Cmd"),
						  comment, diff_id == NULL));
	json_object_set_new(img, "architecture", json_string(arch ? arch : "amd64"));
	if (author && *author)
		json_object_set_new(img, "author", json_string(author));
	json_object_set_new(img, "config", changes_config_json(config));
	json_object_set_new(img, "container", json_string(c->id));
	json_object_set_new(img, "container_config", changes_config_json(container_config(c)));
	json_object_set_new(img, "created", json_string(created));
	json_object_set_new(img, "docker_version", json_string(BERTH_VERSION));
	json_object_set_new(img, "history", hist);
	json_object_set_new(img, "os", json_string("linux"));
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", ids);
	json_object_set_new(img, "rootfs", rootfs);
	if (variant && *variant)
		json_object_set_new(img, "variant", json_string(variant));
	return img;
}

static json_t *parent_config(struct berth *b, const char *image_id, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	json_t *doc = NULL;

	if (!image_id[0])
		return json_object();
	if (store_image_config(b->store, image_id, &sb, err) == 0 && !(doc = json_loadb(sb.buf, sb.len, 0, NULL)))
		berr_set(err, BERR_INVALID, "image %s: config is not JSON", image_id);
	sbuf_release(&sb);
	return doc;
}

/* The new config: the container's, the changes applied, docker's merge. */
static json_t *new_config(struct container *c, const char *const *changes, struct berr *err)
{
	json_t *cfg = json_deep_copy(container_config(c));

	if (changes_apply(cfg, changes, err) < 0) {
		json_decref(cfg);
		return NULL;
	}
	spec_merge_image_config(cfg, container_config(c));
	return cfg;
}

static int register_commit(struct commit *cm, json_t *parent, json_t *img, char id_out[72], struct berr *err)
{
	json_t *ids = json_object_get(json_object_get(img, "rootfs"), "diff_ids"), *v;
	char **diff_ids = xcalloc(json_array_size(ids) + 1, sizeof(char *));
	struct sbuf text = SBUF_INIT;
	struct image_reg r = { 0 };
	size_t i;
	int rc;

	json_array_foreach(ids, i, v)
		diff_ids[i] = (char *)json_string_value(v);
	gojson_write(&text, img, NULL, NULL);
	r.diff_ids = diff_ids;
	r.n_layers = json_array_size(ids);
	r.config = text.buf;
	r.config_len = text.len;
	r.layer = commit_layer;
	r.stored = commit_stored;
	r.ctx = cm;
	cm->r = &r;
	cm->n_parent_layers = json_array_size(json_object_get(json_object_get(parent, "rootfs"), "diff_ids"));
	rc = image_register(cm->b, &r, 1, cm->ref ? commit_name : NULL, cm, err);
	if (rc == 0)
		snprintf(id_out, 72, "%s", r.id);
	free(diff_ids);
	sbuf_release(&text);
	return rc;
}

int berth_container_commit(struct berth *b, const char *name_or_id, const struct berth_container_commit_opts *o,
			   char id_out[72], struct berr *err)
{
	struct berth_container_commit_opts none = { 0 };
	struct container *c;
	struct store_rwlayer rw;
	struct layer_ingest li;
	struct reference ref = { 0 };
	struct commit cm = { 0 };
	json_t *parent = NULL, *cfg = NULL, *img = NULL;
	int upper = -1, have_ref = 0, rc = -1, empty, paused_here = 0;
	char p[160];

	if (!o)
		o = &none;
	layer_ingest_init(&li);
	if (o->repo_tag && *o->repo_tag) {
		if (reference_parse_tag_target(&ref, o->repo_tag, "refusing to create a tag with a digest reference",
					       err) < 0)
			return -1;
		have_ref = 1;
	}
	if (!(c = container_lookup(b->store, name_or_id, err)))
		goto out;
	if (c->state.dead) {
		berr_set(err, BERR_EXISTS, "You cannot commit container %s which is Dead", c->id);
		goto out;
	}
	if (c->state.removal_in_progress) {
		berr_set(err, BERR_EXISTS, "You cannot commit container %s which is being removed", c->id);
		goto out;
	}
	/* -p (docker's default): frozen while its layer is read, as dockerd
	 * (which ignores a failure to pause) */
	if (o->pause && c->state.running && !c->state.paused) {
		struct berr ignore = BERR_INIT;
		paused_here = berth_container_pause(b, c->id, &ignore) == 0;
	}
	if (!(parent = parent_config(b, c->image, err)) || !(cfg = new_config(c, o->changes, err)) ||
	    store_rwlayer_read(b->store, c->id, &rw, err) < 0)
		goto out;
	snprintf(p, sizeof(p), "%s/diff", rw.mount_id);
	if ((upper = openat(b->store->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		berr_sys(err, "open overlay2/%s", p);
		goto out;
	}
	if (layer_commit_ingest(b->store, upper, &li, err) < 0)
		goto out;
	empty = !strcmp(li.diff_id, LAYER_EMPTY_DIFF_ID);
	img = image_json(parent, c, cfg, o->author, o->comment, empty ? NULL : li.diff_id);
	cm.b = b;
	cm.li = empty ? NULL : &li;
	cm.parent_id = c->image;
	cm.ref = have_ref ? &ref : NULL;
	rc = register_commit(&cm, parent, img, id_out, err);
out:
	if (paused_here) {
		struct berr ignore = BERR_INIT;
		berth_container_unpause(b, c->id, &ignore);
	}
	layer_ingest_discard(b->store, &li);
	if (upper >= 0)
		close(upper);
	json_decref(img);
	json_decref(cfg);
	json_decref(parent);
	container_free(c);
	if (have_ref)
		reference_release(&ref);
	return rc;
}
