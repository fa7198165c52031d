/*
 * value.c - jansson values as a Go template sees them (internal.h): their
 * types, truth and printed form.  NULL stands for Go's invalid
 * reflect.Value (a missing key), json null for a nil interface.
 */
#include <stdlib.h>
#include <string.h>

#include "../gojson.h"
#include "internal.h"

const char *tmpl_type_name(json_t *v)
{
	if (!v || json_is_null(v))
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "[]interface {}";
	default: return "map[string]interface {}";
	}
}

/* Typed values (template.h): a Go value whose printed form is not its
 * JSON's, and Go structs. */
int tmpl_is_typed(json_t *v)
{
	return json_is_object(v) && json_object_get(v, TMPL_GO_JSON);
}

int tmpl_is_struct(json_t *v)
{
	return json_is_object(v) && json_object_get(v, TMPL_GO_STRUCT);
}

json_t *tmpl_plain(json_t *v)
{
	json_t *r, *m;
	const char *k;
	size_t i;

	if (tmpl_is_typed(v))
		return tmpl_plain(json_object_get(v, TMPL_GO_JSON));
	if (tmpl_is_struct(v) && json_object_get(v, TMPL_GO_RAW))
		return json_incref(json_object_get(v, TMPL_GO_RAW));
	if (json_is_object(v)) {
		r = json_object();
		json_object_foreach(v, k, m)
			if (k[0] != '\x01')
				json_object_set_new(r, k, tmpl_plain(m));
		return r;
	}
	if (json_is_array(v)) {
		r = json_array();
		json_array_foreach(v, i, m)
			json_array_append_new(r, tmpl_plain(m));
		return r;
	}
	return json_incref(v);
}

int tmpl_truth(json_t *v)
{
	if (!v)
		return 0;
	if (tmpl_is_typed(v))
		return json_is_true(json_object_get(v, TMPL_GO_TRUTH));
	if (tmpl_is_struct(v))
		return 1;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return 1;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return 0;
	}
}

const char **tmpl_sorted_keys(json_t *o, size_t *n)
{
	const char **k = xcalloc(json_object_size(o) + 1, sizeof(*k));
	const char *key;
	json_t *m;

	*n = 0;
	json_object_foreach(o, key, m)
		k[(*n)++] = key;
	qsort(k, *n, sizeof(*k), str_ptr_cmp);
	return k;
}

/* fmt's %v of a struct: the fields in order, no names. */
static void print_struct(struct sbuf *out, json_t *v)
{
	const char *k;
	json_t *m;
	int first = 1;

	sbuf_addch(out, '{');
	json_object_foreach(v, k, m) {
		if (k[0] == '\x01')
			continue;
		if (!first)
			sbuf_addch(out, ' ');
		first = 0;
		tmpl_print_v(out, m);
	}
	sbuf_addch(out, '}');
}

static void print_array(struct sbuf *out, json_t *v)
{
	size_t i;

	sbuf_addch(out, '[');
	for (i = 0; i < json_array_size(v); i++) {
		if (i)
			sbuf_addch(out, ' ');
		tmpl_print_v(out, json_array_get(v, i));
	}
	sbuf_addch(out, ']');
}

/* A map prints in sorted key order. */
static void print_map(struct sbuf *out, json_t *v)
{
	size_t i, n;
	const char **keys = tmpl_sorted_keys(v, &n);

	sbuf_addstr(out, "map[");
	for (i = 0; i < n; i++) {
		if (i)
			sbuf_addch(out, ' ');
		sbuf_addstr(out, keys[i]);
		sbuf_addch(out, ':');
		tmpl_print_v(out, json_object_get(v, keys[i]));
	}
	sbuf_addch(out, ']');
	free(keys);
}

void tmpl_print_v(struct sbuf *out, json_t *v)
{
	if (!v || json_is_null(v)) {
		sbuf_addstr(out, "<nil>");
		return;
	}
	if (tmpl_is_typed(v)) {
		sbuf_addstr(out, json_string_value(json_object_get(v, TMPL_GO_FMT)));
		return;
	}
	if (tmpl_is_struct(v)) {
		print_struct(out, v);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		sbuf_add(out, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		sbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		gojson_format_real(out, json_real_value(v), 1);
		return;
	case JSON_TRUE: sbuf_addstr(out, "true"); return;
	case JSON_FALSE: sbuf_addstr(out, "false"); return;
	case JSON_ARRAY:
		print_array(out, v);
		return;
	default:
		print_map(out, v);
	}
}

void tmpl_print_value(struct sbuf *out, json_t *v)
{
	if (tmpl_is_typed(v))
		tmpl_print_v(out, v);
	else if (!v || json_is_null(v))
		sbuf_addstr(out, "<no value>");
	else
		tmpl_print_v(out, v);
}
