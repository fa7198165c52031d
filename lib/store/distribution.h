/*
 * distribution.h - Docker's distribution metadata, which tells a later
 * push which blobs a registry has already:
 *   image/overlay2/distribution/diffid-by-digest/sha256/<blob hex>    -> diff ID
 *   image/overlay2/distribution/v2metadata-by-diffid/sha256/<diff hex> -> [{Digest,SourceRepository,HMAC}]
 */
#ifndef BERTH_STORE_DISTRIBUTION_H
#define BERTH_STORE_DISTRIBUTION_H

#include "../util/err.h"

struct store;

/* Records that blob_digest (of layer diff_id) came from source_repo: the
 * entry moves to the end of the list, which keeps Docker's last 50.
 * Caller holds the lock. */
int store_dist_add(struct store *s, const char *blob_digest, const char *diff_id, const char *source_repo,
		   struct berr *err);

#endif
