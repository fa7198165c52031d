/*
 * inspect.h - what inspect.c shares with history.c and tag.c: Docker
 * 20.10's image lookup (daemon/images.GetImage) and Go's decoding rules
 * for image configs.
 */
#ifndef BERTH_IMAGE_INSPECT_H
#define BERTH_IMAGE_INSPECT_H

#include <stdint.h>
#include <jansson.h>

#include "../internal.h"

/* Unix seconds of Go's zero time.Time (0001-01-01T00:00:00Z). */
#define GO_ZERO_UNIX INT64_C(-62135596800)

/* GetImage(refOrID): a 64-hex ID or sha256:<64 hex>, a name in
 * repositories.json (tag defaulted to latest, a digest preferred over a
 * tag), else an ID prefix ([sha256:]hex, unique).  Errors as the daemon's:
 * BERR_INVALID with the reference parser's text, BERR_NOT_FOUND
 * "No such image: <FamiliarString(TagNameOnly(ref))>". */
int image_lookup(struct berth *b, const char *term, char id_out[DIGEST_STR_LEN], struct berr *err);

/* The member of a Go-decoded object for struct field `field`: the last
 * key equal to it under ASCII case folding (encoding/json's matching). */
json_t *go_field(json_t *obj, const char *field);

/* A Go time.Time JSON string re-encoded as Go marshals it (RFC3339Nano,
 * fraction without trailing zeros, "Z" for a zero offset); NULL or an
 * unparsable value gives Go's zero time.  *unix_out (may be NULL) gets the
 * seconds.  buf has at least 64 bytes. */
void go_time(const char *s, char *buf, size_t n, int64_t *unix_out);

#endif
