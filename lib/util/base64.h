/*
 * base64.h - standard, padded base64 as Go's encoding/base64 StdEncoding
 * writes and reads it (tar-split payloads, docker's config.json "auth").
 */
#ifndef BERTH_UTIL_BASE64_H
#define BERTH_UTIL_BASE64_H

#include <stddef.h>

#include "sbuf.h"

/* Appends the encoding of p[0..n) to out. */
void base64_encode(struct sbuf *out, const void *p, size_t n);
/* Appends the decoding of s[0..n) to out.  Like Go, '\r' and '\n' are
 * skipped and everything else is strict: whole quads, '=' only as final
 * padding.  Returns 0, or -1 with *bad_at (if non-NULL) the offending
 * input offset. */
int base64_decode(struct sbuf *out, const char *s, size_t n, size_t *bad_at);

#endif
