/*
 * imagedb.h - Docker's image store: image/overlay2/imagedb/content/sha256/<id
 * hex> (the config; its digest is the image ID) and
 * imagedb/metadata/sha256/<id hex>/{parent,lastUpdated}.
 *
 * An image exists once its config is in imagedb (and its top layer in
 * layerdb).  Reads need no lock.
 */
#ifndef BERTH_STORE_IMAGEDB_H
#define BERTH_STORE_IMAGEDB_H

#include <stddef.h>

#include "../io/digest.h"
#include "../util/err.h"
#include "../util/sbuf.h"

struct store;

int store_image_exists(struct store *s, const char *image_id);
/* Stores a config; id_out gets its digest.  Docker creates no metadata dir
 * at pull.  Caller holds the lock. */
int store_image_put(struct store *s, const void *config, size_t len, char id_out[DIGEST_STR_LEN],
		    struct berr *err);
/* Reads and verifies ("failed to verify: <id>") an image config. */
int store_image_config(struct store *s, const char *image_id, struct sbuf *out, struct berr *err);
/* Lists image IDs ("sha256:<hex>"); *ids is NULL-terminated, free each and the array. */
int store_image_list(struct store *s, char ***ids, struct berr *err);
/* How many configs imagedb holds (no verification: info's count). */
size_t store_image_count(struct store *s);
/* Removes an image's imagedb content (the image is gone from then on),
 * its metadata and berth's manifest record.  Caller holds the lock. */
int store_image_delete(struct store *s, const char *image_id, struct berr *err);

/* imagedb/metadata/sha256/<hex>/parent into parent_out; -1 when absent. */
int store_image_parent(struct store *s, const char *image_id, char parent_out[DIGEST_STR_LEN]);
/* The hex IDs of the images that have an imagedb/metadata dir (a parent,
 * lastUpdated), sorted; one readdir instead of a failed open per image.
 * Free each and the array (NULL when there are none). */
char **store_image_metadata_ids(struct store *s, size_t *n);
/* Whether hex is in such a sorted list. */
int store_ids_have(char **ids, size_t n, const char *hex);

/* lastUpdated, which Docker 20.10 writes on every `docker tag` and shows
 * as Metadata.LastTagTime: time.Now().Format(time.RFC3339Nano) in local
 * time ("2024-05-01T12:34:56.123456789+02:00", trailing zeros of the
 * fraction dropped, "Z" for UTC).  buf gets at least 40 bytes. */
void store_time_rfc3339nano(char *buf, size_t n);
/* Reads lastUpdated into buf (NUL-terminated, as stored: no newline);
 * -1 when the file is missing, empty or too long. */
int store_last_updated_read(struct store *s, const char *image_id, char *buf, size_t n);
/* Writes lastUpdated = now (mode 0600, atomically, metadata dir created
 * 0700 when missing).  Caller holds the lock. */
int store_last_updated_touch(struct store *s, const char *image_id, struct berr *err);
/* imagedb/metadata/sha256/<hex>/parent = parent_id (docker's SetParent:
 * what commit records).  Caller holds the lock. */
int store_image_set_parent(struct store *s, const char *image_id, const char *parent_id, struct berr *err);

#endif
