/*
 * commit.c - commit's layer tar into the store: the tar of the upper dir
 * is produced in a feed thread and extracted by the ordinary layer ingest
 * (which hashes it and records tar-split), so the store gets the layer
 * exactly as if docker's tar had been pulled or loaded.
 */
#include <stdio.h>
#include <string.h>

#include "../io/feed.h"
#include "layer.h"

static int diff_feed(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err)
{
	return layer_diff_tar(*(int *)arg, sink, sink_ctx, err);
}

int layer_commit_ingest(struct store *s, int upper_dirfd, struct layer_ingest *li, struct berr *err)
{
	struct berr feed_err = BERR_INIT;
	struct feed f;
	int rc;

	if (layer_ingest_begin(s, li, err) < 0)
		goto fail;
	if (feed_start(&f, diff_feed, &upper_dirfd, err) < 0)
		goto fail;
	rc = layer_ingest_extract(li, &f.r.r, NULL, err);
	/* the producer's own failure (an unreadable file) explains a
	 * truncated tar better than the extractor's view of it */
	if (feed_finish(&f, &feed_err) < 0) {
		berr_copy(err, &feed_err);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	layer_ingest_discard(s, li);
	return -1;
}

int layer_commit(struct berth *b, int upper_dirfd, const char *parent_chain, char diff_id[DIGEST_STR_LEN],
		 char chain_id[DIGEST_STR_LEN], struct berr *err)
{
	struct layer_ingest li;
	int rc;

	layer_ingest_init(&li);
	if (layer_commit_ingest(b->store, upper_dirfd, &li, err) < 0)
		return -1;
	snprintf(diff_id, DIGEST_STR_LEN, "%s", li.diff_id);
	if (!strcmp(li.diff_id, LAYER_EMPTY_DIFF_ID)) {
		snprintf(chain_id, DIGEST_STR_LEN, "%s", parent_chain ? parent_chain : "");
		layer_ingest_discard(b->store, &li);
		return 0;
	}
	if (store_lock(b->store, err) < 0) {
		layer_ingest_discard(b->store, &li);
		return -1;
	}
	rc = layer_ingest_register(b->store, &li, parent_chain, chain_id, err);
	store_unlock(b->store);
	if (rc < 0)
		return berr_wrap(err, "register layer %s", diff_id);
	return 0;
}
