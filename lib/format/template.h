/*
 * template.h - the one Go text/template engine behind every --format of
 * berth, executing docker CLI templates against jansson values.
 *
 * Supported (what docker's --format templates use): text and {{actions}}
 * with {{- -}} trimming; fields .A.B (object keys); the dot; pipelines
 * with | ; variables $ and $x := ...; if/else if/else/end, range/else/end
 * (arrays and objects, objects in sorted key order as Go ranges maps),
 * with/else/end; literals (strings "..", `raw`, numbers, true/false, nil);
 * Go builtins and, or, not, eq, ne, lt, le, gt, ge, len, index, print,
 * printf, println; docker's json, join, split, lower, upper, title, pad,
 * truncate.
 *
 * Values print as Go prints them: strings as is, integers in decimal,
 * reals with %g, true/false, null as "<no value>", arrays as "[a b]",
 * objects as "map[k:v]" (sorted keys).  A missing field of an object is
 * "<no value>", as for Go maps.
 *
 * Typed data: docker's inspect templates run against Go structs, whose
 * values print unlike their JSON.  An object holding TMPL_GO_JSON is one
 * such value: it prints as its TMPL_GO_FMT string, tests as
 * TMPL_GO_TRUTH, and json, range, len and fields see its TMPL_GO_JSON
 * (a nil slice: JSON null, printed "[]"; a time.Time: its RFC 3339
 * string, printed "2006-01-02 15:04:05 +0000 UTC").  An object holding
 * TMPL_GO_STRUCT prints as a Go struct, "{v1 v2 ...}" in key order; json
 * gives its TMPL_GO_RAW when it has one, else its fields.  Keys starting
 * with \x01 are never fields.
 *
 * Errors use Go's wording, prefixed as docker prints them:
 *   "template parsing error: template: :1: function \"foo\" not defined"
 *   "template: :1:2: executing \"\" at <.Foo>: ..."
 */
#ifndef BERTH_FORMAT_TEMPLATE_H
#define BERTH_FORMAT_TEMPLATE_H

#include <jansson.h>

#include "../util/err.h"
#include "../util/sbuf.h"

struct tmpl;

#define TMPL_GO_JSON "\x01json"
#define TMPL_GO_FMT "\x01" "fmt"   /* apart: "\x01fmt" would be "\x1f" "mt" */
#define TMPL_GO_TRUTH "\x01truth"
#define TMPL_GO_STRUCT "\x01struct"
#define TMPL_GO_RAW "\x01raw"     /* a struct's JSON (omitempty applied), for json */

int tmpl_parse(struct tmpl **out, const char *text, struct berr *err);
/* Appends the output for data (borrowed) to out. */
int tmpl_exec(const struct tmpl *t, json_t *data, struct sbuf *out, struct berr *err);
/* missing_error: Go's Option("missingkey=error"), a missing key is an
 * error ("map has no entry for key \"Foo\"") instead of "<no value>". */
int tmpl_exec_opts(const struct tmpl *t, json_t *data, struct sbuf *out, int missing_error, struct berr *err);
void tmpl_free(struct tmpl *t);

/* The docker CLI's --format preprocessing (cli/command/formatter):
 * "table" / "table <tmpl>" / "json" / "raw" / a template; sets *is_table,
 * strips the "table" prefix, trims spaces and turns the two-character
 * sequences \t and \n into tab and newline.  *out is newly allocated. */
char *format_preprocess(const char *format, const char *default_table, int *is_table);

#endif
