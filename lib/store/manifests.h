/*
 * manifests.h - berth's own record, beside Docker's layout (docker keeps
 * none): the manifest an image was pulled with, so that push can send it
 * in its own format (docker schema2 or OCI, the layers' media types) and,
 * when no layer changed, byte for byte.  <root>/berth/manifests/<image
 * hex>: "<media type>\n<repository pulled from>\n<manifest>".  Removed
 * with the image; may be deleted at any time (push then builds one).
 */
#ifndef BERTH_STORE_MANIFESTS_H
#define BERTH_STORE_MANIFESTS_H

#include <stddef.h>

#include "../util/err.h"
#include "../util/sbuf.h"

struct store;

#define MANIFESTS_DIR "berth/manifests"

int store_manifest_put(struct store *s, const char *image_id, const char *media_type, const char *source,
		       const void *buf, size_t len, struct berr *err);
/* *media_type and *source (free()), the manifest into out (replacing its content). */
int store_manifest_get(struct store *s, const char *image_id, char **media_type, char **source, struct sbuf *out,
		       struct berr *err);
/* Drops the record (missing is fine). */
void store_manifest_remove(struct store *s, const char *image_id);

#endif
