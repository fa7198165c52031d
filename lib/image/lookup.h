/*
 * lookup.h - finding an image by what a user typed: the one place berth
 * turns a name or ID into an image, and the one that says "No such image".
 *
 * image_lookup() is Docker 20.10's daemon/images.GetImage(refOrID), which
 * every command naming an existing image uses (inspect, history, tag, rmi,
 * images --filter before/since, and later create/run/commit):
 *   1. a full ID, 64 hex with or without "sha256:": that image or nothing;
 *   2. else a reference (errors: the parser's, BERR_INVALID), tag defaulted
 *      to latest, looked up in repositories.json (name:tag@digest by its
 *      digest, as the reference store does);
 *   3. else an ID prefix ([sha256:]hex) matching exactly one image (an
 *      ambiguous prefix is not found: GetImage drops Search's error);
 *   4. else BERR_NOT_FOUND "No such image: <familiar name:tag[@digest]>".
 *
 * image_search_id() is the image store's Search alone, which `save`
 * (tarexport's parseNames) uses for IDs: an ambiguous prefix is an error
 * of its own, and not-found names the term as typed.
 */
#ifndef BERTH_IMAGE_LOOKUP_H
#define BERTH_IMAGE_LOOKUP_H

#include "../internal.h"

/* What a lookup may use instead of re-reading the store (all optional). */
struct image_lookup_opts {
	/* The names to look in; NULL: repositories.json is read. */
	const struct store_refs *refs;
	/* Which image IDs count as existing (a caller's snapshot of the store,
	 * e.g. the images it could read); NULL: those in imagedb. */
	int (*known)(void *ctx, const char *image_id);
	void *ctx;
};

/* GetImage(term) into id_out ("sha256:<hex>").  opts may be NULL. */
int image_lookup(struct berth *b, const char *term, const struct image_lookup_opts *opts,
		 char id_out[DIGEST_STR_LEN], struct berr *err);

/* imagestore.Search(term): [sha256:]hex, a prefix of exactly one image ID.
 * BERR_NOT_FOUND "No such image: <term>", or BERR_INVALID "ambiguous
 * digest string". */
int image_search_id(struct berth *b, const char *term, char id_out[DIGEST_STR_LEN], struct berr *err);

#endif
