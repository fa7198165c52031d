/*
 * distribution.h - Docker's distribution metadata, which tells a later
 * push which blobs a registry has already:
 *   image/overlay2/distribution/diffid-by-digest/sha256/<blob hex>    -> diff ID
 *   image/overlay2/distribution/v2metadata-by-diffid/sha256/<diff hex> -> [{Digest,SourceRepository,HMAC}]
 */
#ifndef BERTH_STORE_DISTRIBUTION_H
#define BERTH_STORE_DISTRIBUTION_H

#include <stddef.h>

#include "../io/digest.h"
#include "../util/err.h"

struct store;

/* Records that blob_digest (of layer diff_id) came from source_repo: the
 * entry moves to the end of the list, which keeps Docker's last 50.
 * Caller holds the lock. */
int store_dist_add(struct store *s, const char *blob_digest, const char *diff_id, const char *source_repo,
		   struct berr *err);

/* One recorded source of a layer's blob. */
struct store_dist_source {
	char digest[DIGEST_STR_LEN]; /* the blob, "sha256:<hex>" (validated) */
	char *source;     /* the repository it came from or went to */
};
/* The sources recorded for layer diff_id, oldest first as stored; entries
 * without a valid digest are skipped, and anything unreadable is no
 * metadata, as for docker.  *out (store_dist_sources_free) may be NULL
 * when *n is 0.  No lock needed. */
void store_dist_sources(struct store *s, const char *diff_id, struct store_dist_source **out, size_t *n);
void store_dist_sources_free(struct store_dist_source *v, size_t n);

#endif
