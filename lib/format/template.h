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

int tmpl_parse(struct tmpl **out, const char *text, struct berr *err);
/* Appends the output for data (borrowed) to out. */
int tmpl_exec(const struct tmpl *t, json_t *data, struct sbuf *out, struct berr *err);
void tmpl_free(struct tmpl *t);

/* The docker CLI's --format preprocessing (cli/command/formatter):
 * "table" / "table <tmpl>" / "json" / "raw" / a template; sets *is_table,
 * strips the "table" prefix, trims spaces and turns the two-character
 * sequences \t and \n into tab and newline.  *out is newly allocated. */
char *format_preprocess(const char *format, const char *default_table, int *is_table);

#endif
