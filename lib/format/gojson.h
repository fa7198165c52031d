/*
 * gojson.h - JSON written byte for byte as Go's encoding/json writes it,
 * for output docker users diff against: inspect documents, {{json .}}.
 *
 * Key order is the jansson object's insertion order (build objects in Go
 * struct field order; call gojson_sort_keys() for Go maps).  Strings are
 * escaped as Go does (\u003c \u003e \u0026, \u2028 \u2029, control
 * characters as \n \r \t or \u00XX, invalid UTF-8 as \ufffd).  Reals print
 * as Go's strconv 'g'-like shortest form.  indent NULL is compact
 * (json.Marshal); otherwise json.MarshalIndent(v, prefix, indent): empty
 * arrays/objects as [] and {}.
 */
#ifndef BERTH_FORMAT_GOJSON_H
#define BERTH_FORMAT_GOJSON_H

#include <jansson.h>

#include "../util/sbuf.h"

void gojson_write(struct sbuf *out, json_t *v, const char *prefix, const char *indent);
/* Recursively re-inserts every object's keys in sorted order (Go maps). */
void gojson_sort_keys(json_t *v);
/* gojson_write with HTML escaping of < > & switchable (Encoder.SetEscapeHTML). */
void gojson_write_opts(struct sbuf *out, json_t *v, const char *prefix, const char *indent,
		       int escape_html);
/* A Go-quoted JSON string of n bytes. */
void gojson_write_string(struct sbuf *out, const char *s, size_t n, int escape_html);
/* strconv.Quote(s): "..." with Go's escapes (\n, \", \x01, \u0085,
 * invalid UTF-8 bytes as \xNN); printable UTF-8 kept (free()).  Not
 * JSON: the CLI's texts and errors quote values this way. */
char *gojson_quote(const char *s);
/* Shortest round-trip digits of d > 0 and its decimal exponent; returns ndigits
 * (0, with digits "" and *exp10 0, for an infinite or NaN d). */
int gojson_shortest(double d, char *digits, int *exp10);
/* A float64 as encoding/json writes it, or (go_g) as fmt's %v does. */
void gojson_format_real(struct sbuf *out, double d, int go_g);

#endif
