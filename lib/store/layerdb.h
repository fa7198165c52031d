/*
 * layerdb.h - Docker's layer store: image/overlay2/layerdb/sha256/<chain
 * id hex>/{diff,size,parent,cache-id,tar-split.json.gz}.
 *
 * A layer exists once its dir is renamed into place, which happens only
 * after its files are extracted and both digests verified (the dir is
 * assembled in layerdb/tmp/write-set-*).  Reads need no lock: they see a
 * layer whole or not at all.
 */
#ifndef BERTH_STORE_LAYERDB_H
#define BERTH_STORE_LAYERDB_H

#include <stdint.h>

#include "../io/digest.h"
#include "../util/err.h"

struct store;

struct store_layer {
	char chain_id[DIGEST_STR_LEN];
	char diff_id[DIGEST_STR_LEN];
	char parent[DIGEST_STR_LEN]; /* "" for a base layer */
	char cache_id[65];
	int64_t size;                /* the layer's own size */
};

int store_layer_exists(struct store *s, const char *chain_id);
int store_layer_read(struct store *s, const char *chain_id, struct store_layer *out, struct berr *err);
/* layerdb/sha256/<chain>/size alone (listing sizes). */
int store_layer_size(struct store *s, const char *chain_id, int64_t *size);
/* layerdb/sha256/<chain>/parent alone (what reference counting needs);
 * "" for a base layer. */
int store_layer_parent(struct store *s, const char *chain_id, char parent_out[DIGEST_STR_LEN]);
/* Lists the chain IDs of layerdb ("sha256:<hex>"); NULL-terminated, free each and the array. */
int store_layer_list(struct store *s, char ***ids, struct berr *err);
/* How many layers layerdb holds (info's count). */
size_t store_layer_count(struct store *s);

/* Registers a layer whose files are in overlay2/<l->cache_id>/diff and
 * whose tar-split is in layerdb/tmp/<tarsplit_tmp>.  The parent (if any)
 * must be registered.  When the chain ID exists already (another pull won),
 * the new dir and temp file are discarded and *existed is set.  Caller holds
 * the lock. */
int store_layer_register(struct store *s, const struct store_layer *l, const char *tarsplit_tmp,
			 int *existed, struct berr *err);

/* A layer is deleted as Docker does: its layerdb dir is first renamed to
 * <hex>-<random>-removing (from then on it no longer exists), then its
 * overlay2 dir and l/ link go, then the renamed dir.  An interrupted
 * deletion leaves only a -removing dir, which store_cleanup_removing()
 * finishes.  Callers hold the lock. */
int store_layer_delete(struct store *s, const char *chain_id, struct berr *err);
void store_cleanup_removing(struct store *s);
/* Removes layerdb/tmp/write-set-* dirs of interrupted registrations (part
 * of store_gc).  Caller holds the lock. */
void layerdb_gc(struct store *s);

#endif
