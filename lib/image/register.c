/* register.c - layers, config, names: the final step of pull, load and import (register.h). */
#include "register.h"

#include <stdio.h>
#include <string.h>

static int register_layers(struct store *s, struct image_reg *r, struct berr *err)
{
	char parent[DIGEST_STR_LEN] = "", chain[DIGEST_STR_LEN];

	for (size_t i = 0; i < r->n_layers; i++) {
		struct layer_ingest *in = NULL;

		chain_id(i ? parent : NULL, r->diff_ids[i], chain);
		if (r->layer(r->ctx, i, chain, parent, &in, err) < 0)
			return -1;
		if (in) {
			if (layer_ingest_register(s, in, parent, NULL, err) < 0)
				return -1;
			if (r->registered)
				r->registered(r->ctx, i);
		}
		/* The invariant every caller relies on, checked here rather than
		 * trusted to each callback: the image's chain exists layer by
		 * layer (an ingest of other content registers under another
		 * chain ID, and "present" may have been a stale answer). */
		if (!store_layer_exists(s, chain))
			return berr_set(err, BERR_DIGEST, "layer %s (diff ID %s) is not in the store after registering it",
					chain, r->diff_ids[i]);
		memcpy(parent, chain, sizeof(chain));
	}
	return 0;
}

static int set_names(struct store *s, image_name_fn name, void *ctx, struct berr *err)
{
	struct store_refs *refs;
	int rc;

	if (store_refs_load(s, &refs, err) < 0)
		return -1;
	rc = name(ctx, refs, err);
	if (rc == 0)
		rc = store_refs_save(s, refs, err);
	store_refs_free(refs);
	return rc;
}

int image_register(struct berth *b, struct image_reg *imgs, size_t n, image_name_fn name, void *name_ctx,
		   struct berr *err)
{
	struct store *s = b->store;
	int rc = -1;

	if (store_lock(s, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct image_reg *r = &imgs[i];

		if (register_layers(s, r, err) < 0 ||
		    store_image_put(s, r->config, r->config_len, r->id, err) < 0)
			goto out;
		if (r->stored)
			r->stored(r->ctx, r->id);
	}
	rc = name ? set_names(s, name, name_ctx, err) : 0;
out:
	store_unlock(s);
	return rc;
}
