/*
 * layertar.h - a registered layer as the exact tar it was made from.
 *
 * The store keeps a layer's files (overlay2/<cache id>/diff) and its
 * tar-split (layerdb/.../tar-split.json.gz); together they rebuild the
 * original uncompressed tar byte for byte, so it hashes to the layer's
 * diff ID.  save, push and export of images read layers only through here.
 */
#ifndef BERTH_STORE_LAYERTAR_H
#define BERTH_STORE_LAYERTAR_H

#include <stdint.h>

#include "../tar/tarsplit.h"
#include "store.h"

/* The rebuilt tar's length, from the tar-split alone (no file is read). */
int store_layer_tar_size(struct store *s, const char *chain_id, int64_t *size, struct berr *err);

/* Streams the rebuilt tar to out.  A file changed since the layer was
 * registered fails with tar-split's "file integrity checksum failed for
 * \"NAME\"", wrapped with the layer's chain ID. */
int store_layer_tar(struct store *s, const char *chain_id, tarsplit_out_fn out, void *ctx, struct berr *err);

#endif
