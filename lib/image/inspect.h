/*
 * inspect.h - what inspect.c shares with history.c: Go's decoding rules
 * for image configs.
 */
#ifndef BERTH_IMAGE_INSPECT_H
#define BERTH_IMAGE_INSPECT_H

#include <stdint.h>
#include <jansson.h>

#include "../internal.h"

/* Unix seconds of Go's zero time.Time (0001-01-01T00:00:00Z). */
#define GO_ZERO_UNIX INT64_C(-62135596800)

/* The member of a Go-decoded object for struct field `field`: the last
 * key equal to it under ASCII case folding (encoding/json's matching). */
json_t *go_field(json_t *obj, const char *field);

/* A Go time.Time JSON string re-encoded as Go marshals it (RFC3339Nano,
 * fraction without trailing zeros, "Z" for a zero offset); NULL or an
 * unparsable value gives Go's zero time.  *unix_out (may be NULL) gets the
 * seconds.  buf has at least 64 bytes. */
void go_time(const char *s, char *buf, size_t n, int64_t *unix_out);

#endif
