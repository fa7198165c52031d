/*
 * register.h - the last step of every way an image enters the store
 * (pull, load, import; later commit): under one hold of the store lock,
 * each image's layers are registered bottom up and its config stored,
 * then the names are set and repositories.json saved once.
 *
 * The order is what makes a crash safe (store.h): a layer exists only on
 * its registered parent, an image only once its layers do, a name only
 * once its image does.  A failure leaves what was registered so far
 * (layers, whole images) and sets no name.
 */
#ifndef BERTH_IMAGE_REGISTER_H
#define BERTH_IMAGE_REGISTER_H

#include <stddef.h>

#include "../internal.h"
#include "ingest.h"

struct image_reg {
	char *const *diff_ids;   /* the config's rootfs.diff_ids, bottom up */
	size_t n_layers;
	const void *config;
	size_t config_len;
	/* Layer i (chain ID chain, on parent, "" for the base): *in gets
	 * the extracted layer to register there (the ingest is spent
	 * either way), or NULL when the layer is in the store already;
	 * the callback checks that itself, in its caller's words.  -1 (err
	 * set) stops the registration. */
	int (*layer)(void *ctx, size_t i, const char *chain, const char *parent, struct layer_ingest **in,
		     struct berr *err);
	/* Optional: layer i was registered from its ingest. */
	void (*registered)(void *ctx, size_t i);
	/* Optional: the config is stored as image_id, the names not set yet
	 * (berth's own records of the image go here). */
	void (*stored)(void *ctx, const char *image_id);
	void *ctx;
	char id[DIGEST_STR_LEN]; /* out: the image ID */
};

/* Sets the names, once every image is in; refs is saved afterwards. */
typedef int (*image_name_fn)(void *ctx, struct store_refs *refs, struct berr *err);

/* Registers imgs[0..n) in order, then (when name is non-NULL) loads
 * repositories.json, calls name and saves it.  Takes the store lock. */
int image_register(struct berth *b, struct image_reg *imgs, size_t n, image_name_fn name, void *name_ctx,
		   struct berr *err);

#endif
