/*
 * summary.h - what listing images needs of each one (created, the size of
 * its layer chain, its labels), computed once per image and cached.
 *
 * Image configs are content-addressed, so what is derived from one never
 * changes; images are always enumerated from imagedb itself, so the cache
 * can only hold extra entries (of removed images), dropped at the next
 * complete listing.  The cache file is rewritten atomically and needs no
 * lock: any complete version of it is right.  With it, `images` reads one
 * file instead of every config and every layer's size file.
 */
#ifndef BERTH_IMAGE_SUMMARY_H
#define BERTH_IMAGE_SUMMARY_H

#include <jansson.h>
#include <stdint.h>

#include "../store/store.h"

struct image_summary {
	char id[DIGEST_STR_LEN];
	int64_t created;      /* unix seconds, 0 when absent */
	int64_t size;         /* the layer chain's total */
	int has_config;       /* the config has a "config" object */
	char top[DIGEST_STR_LEN]; /* the chain ID of its top layer, "" for none */
	json_t *labels;       /* config.Labels; NULL when none; borrowed until close */
};

struct summaries;

struct summaries *summaries_open(struct store *s);
/* 0, or -1 when the image's config cannot be read or parsed. */
int summaries_get(struct summaries *c, const char *id, struct image_summary *out);
/* complete: every image of the store was asked for (entries of images
 * not asked for are then dropped from the file). */
void summaries_close(struct summaries *c, int complete);

#endif
