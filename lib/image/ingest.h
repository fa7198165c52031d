/*
 * ingest.h - one layer on its way into the store, whatever it came from
 * (a registry blob, a docker-archive member, an imported tar).
 *
 * begin() makes a fresh overlay2 dir (marked incomplete, so a killed berth
 * leaves nothing store_gc cannot remove) and a tar-split temp file;
 * extract() streams the layer into them: it inflates gzip/zstd by magic,
 * hashes the uncompressed tar (the diff ID) and applies it.  The parent
 * is not needed until register(), because an overlay layer's files never
 * depend on the layers below: so layers can be extracted in any order or
 * in parallel, and chained afterwards once the image config says how.
 */
#ifndef BERTH_IMAGE_INGEST_H
#define BERTH_IMAGE_INGEST_H

#include <stdint.h>

#include "../io/digest.h"
#include "../io/reader.h"
#include "../store/store.h"
#include "../tar/extract.h"

struct layer_ingest {
	struct layer_dir dir;
	char ts_tmp[96];
	int ts_fd;
	char diff_id[DIGEST_STR_LEN]; /* after extract() */
	uint64_t tar_len;             /* uncompressed bytes read */
	struct extract_result res;
};

void layer_ingest_init(struct layer_ingest *li);
int layer_ingest_begin(struct store *s, struct layer_ingest *li, struct berr *err);
/* Reads all of src.  opts may be NULL; its tarsplit field is ignored. */
int layer_ingest_extract(struct layer_ingest *li, struct reader *src, const struct extract_opts *opts,
			 struct berr *err);
/* Registers the layer on parent ("" or NULL for a base layer) as chain ID
 * chain(parent, diff_id); when that chain exists already the new copy is
 * dropped.  Caller holds the store lock.  The ingest is spent either way. */
int layer_ingest_register(struct store *s, struct layer_ingest *li, const char *parent,
			  char chain_out[DIGEST_STR_LEN], struct berr *err);
/* Removes whatever begin() and extract() made; NULL-safe on a spent ingest. */
void layer_ingest_discard(struct store *s, struct layer_ingest *li);

#endif
