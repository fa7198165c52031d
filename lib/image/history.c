/*
 * history.c - Docker 20.10's image history (daemon/images.ImageHistory):
 * one row per config history entry, newest first; a non-empty entry takes
 * the next diff ID and shows that layer's own size.  The top row carries
 * the image ID, and each row below the ID of the image's parent chain
 * (imagedb metadata `parent`) while there is one: pulled images have no
 * parents, so their lower rows are <missing>.
 */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "lookup.h"
#include "../util/sbuf.h"

void berth_image_history_free(struct berth_image_history_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].created_by);
		free(v[i].comment);
	}
	free(v);
}

static json_t *load_config(struct berth *b, const char *id, struct berr *err)
{
	struct sbuf config = SBUF_INIT;
	json_t *c;

	if (store_image_config(b->store, id, &config, err) < 0)
		return NULL;
	c = json_loadb(config.buf, config.len, 0, NULL);
	sbuf_release(&config);
	if (!json_is_object(c)) {
		json_decref(c);
		berr_set(err, BERR_INVALID, "invalid image JSON: %s", id);
		return NULL;
	}
	return c;
}

int berth_image_history(struct berth *b, const char *name, struct berth_image_history_item **out, size_t *n,
			struct berr *err)
{
	char id[DIGEST_STR_LEN], chain[DIGEST_STR_LEN] = "";
	json_t *c, *hist, *diff_ids, *h;
	struct berth_image_history_item *v;
	size_t nh, i, layer = 0;

	if (image_lookup(b, name, NULL, id, err) < 0)
		return -1;
	if (!(c = load_config(b, id, err)))
		return -1;
	hist = go_field(c, "history");
	diff_ids = go_field(go_field(c, "rootfs"), "diff_ids");
	nh = json_is_array(hist) ? json_array_size(hist) : 0;
	v = xcalloc(nh + 1, sizeof(*v));
	json_array_foreach(hist, i, h) {
		struct berth_image_history_item *it = &v[nh - 1 - i];
		const char *s;
		char when[64];

		if (!json_is_true(go_field(h, "empty_layer"))) {
			char next[DIGEST_STR_LEN];
			struct store_layer l;
			const char *diff = json_string_value(json_array_get(diff_ids, layer));

			if (!diff) {
				berth_image_history_free(v, nh);
				json_decref(c);
				return berr_set(err, BERR_INVALID, "too many non-empty layers in History section");
			}
			chain_id(layer ? chain : NULL, diff, next);
			memcpy(chain, next, sizeof(chain));
			if (store_layer_read(b->store, chain, &l, err) < 0) {
				berth_image_history_free(v, nh);
				json_decref(c);
				return -1;
			}
			it->size = l.size;
			layer++;
		}
		go_time(json_string_value(go_field(h, "created")), when, sizeof(when), &it->created);
		s = json_string_value(go_field(h, "created_by"));
		it->created_by = xstrdup(s ? s : "");
		s = json_string_value(go_field(h, "comment"));
		it->comment = xstrdup(s ? s : "");
		it->id = xstrdup("<missing>");
	}
	json_decref(c);
	/* The image's ID, then its parents' while the chain lasts. */
	for (i = 0; i < nh; i++) {
		char parent[DIGEST_STR_LEN];

		free(v[i].id);
		v[i].id = xstrdup(id);
		if (store_image_parent(b->store, id, parent) < 0 || !store_image_exists(b->store, parent))
			break;
		memcpy(id, parent, sizeof(id));
	}
	*out = v;
	*n = nh;
	return 0;
}
