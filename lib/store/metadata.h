/*
 * metadata.h - the per-image metadata files of imagedb besides `parent`
 * (store.h): imagedb/metadata/sha256/<hex>/lastUpdated, which Docker 20.10
 * writes on every `docker tag` and shows as Metadata.LastTagTime.
 *
 * Kept out of store.c so the tag and inspect code can grow without
 * touching the layer and image registration paths.
 */
#ifndef BERTH_STORE_METADATA_H
#define BERTH_STORE_METADATA_H

#include <stddef.h>

#include "store.h"

/* lastUpdated as Docker writes it: time.Now().Format(time.RFC3339Nano) in
 * local time ("2024-05-01T12:34:56.123456789+02:00", trailing zeros of
 * the fraction dropped, "Z" for UTC).  buf gets at least 40 bytes. */
void store_time_rfc3339nano(char *buf, size_t n);

/* Reads lastUpdated into buf (NUL-terminated, as stored: no newline);
 * -1 when the file is missing, empty or too long. */
int store_last_updated_read(struct store *s, const char *image_id, char *buf, size_t n);

/* Writes lastUpdated = now (mode 0600, atomically, metadata dir created
 * 0700 when missing).  Caller holds the lock. */
int store_last_updated_touch(struct store *s, const char *image_id, struct berr *err);

#endif
