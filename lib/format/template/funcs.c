/*
 * funcs.c - the functions a template may call (internal.h): Go's builtins
 * and, or, not, eq, ne, lt, le, gt, ge, len, index, print, printf,
 * println, and docker's json, join, split, lower, upper, title, pad,
 * truncate; with Go's error messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../gojson.h"
#include "internal.h"

/* ---- argument checks ---- */

static const char *want_str(struct state *s, struct cmd *c, json_t *v)
{
	if (!v || json_is_null(v))
		tmpl_xerr(s, c->pos, c->src, "invalid value; expected string");
	if (!json_is_string(v))
		tmpl_xerr(s, c->pos, c->src, "wrong type for value; expected string; got %s", tmpl_type_name(v));
	return json_string_value(v);
}

static json_int_t want_int(struct state *s, struct cmd *c, json_t *v)
{
	if (!json_is_integer(v))
		tmpl_xerr(s, c->pos, c->src, "wrong type for value; expected int; got %s", tmpl_type_name(v));
	return json_integer_value(v);
}

static void want_n(struct state *s, struct cmd *c, const char *name, size_t n, size_t want, int atleast)
{
	if (atleast ? n < want : n != want)
		tmpl_xerr(s, c->pos, c->src, "wrong number of args for %s: want %s%zu got %zu",
			  name, atleast ? "at least " : "", want, n);
}

static json_t *str_result(struct sbuf *b)
{
	json_t *r = json_stringn(sbuf_str(b), b->len);

	sbuf_release(b);
	return r;
}

/* ---- logic and comparison ---- */

static json_t *fn_and_or(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	size_t i;

	want_n(s, c, name, n, 1, 1);
	for (i = 0; i + 1 < n; i++)
		if (tmpl_truth(a[i]) == (name[0] == 'o'))
			break;
	return json_incref(a[i]);
}

static json_t *fn_not(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	want_n(s, c, name, n, 1, 0);
	return json_boolean(!tmpl_truth(a[0]));
}

/* 0 nil, 1 bool, 2 int, 3 real, 4 string, -1 not comparable. */
static int basic_kind(json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		return 1;
	if (json_is_integer(v))
		return 2;
	if (json_is_real(v))
		return 3;
	if (json_is_string(v))
		return 4;
	return -1;
}

/* <0, 0, >0 as a is less, equal or greater; eq_only: only equality is
 * asked, so nil and bools compare too. */
static int compare(struct state *s, struct cmd *c, const char *name, json_t *a, json_t *b, int eq_only)
{
	int ka = basic_kind(a), kb = basic_kind(b);

	if (eq_only && (ka == 0 || kb == 0) && ka != kb)
		return 1;
	if (ka < 0 || kb < 0 || (!eq_only && (ka <= 1 || kb <= 1)))
		tmpl_xerr(s, c->pos, c->src, "error calling %s: %s", name,
			  ka < 0 || kb < 0 || !eq_only ? "invalid type for comparison" : "incompatible types for comparison");
	if (ka != kb)
		tmpl_xerr(s, c->pos, c->src, "error calling %s: incompatible types for comparison", name);
	switch (ka) {
	case 0: return 0;
	case 1: return json_is_true(a) != json_is_true(b);
	case 2: return (json_integer_value(a) > json_integer_value(b)) - (json_integer_value(a) < json_integer_value(b));
	case 3: return (json_real_value(a) > json_real_value(b)) - (json_real_value(a) < json_real_value(b));
	default: return strcmp(json_string_value(a), json_string_value(b));
	}
}

/* eq a b c...: a equals any of the others; ne a b. */
static json_t *fn_eq_ne(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	int hit = 0;
	size_t i;

	want_n(s, c, name, n, name[0] == 'e' ? 1 : 2, name[0] == 'e');
	if (n < 2)
		tmpl_xerr(s, c->pos, c->src, "error calling eq: missing argument for comparison");
	for (i = 1; i < n && !hit; i++)
		hit = !compare(s, c, name, a[0], a[i], 1);
	return json_boolean(name[0] == 'e' ? hit : !hit);
}

/* lt, le, gt, ge. */
static json_t *fn_order(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	int r;

	want_n(s, c, name, n, 2, 0);
	r = compare(s, c, name, a[0], a[1], 0);
	if (name[0] == 'g')
		r = -r;
	return json_boolean(name[1] == 't' ? r < 0 : r <= 0);
}

/* ---- collections ---- */

static json_t *fn_len(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	want_n(s, c, name, n, 1, 0);
	if (tmpl_is_typed(a[0]) && json_is_null(json_object_get(a[0], TMPL_GO_JSON)))
		return json_integer(0);
	if (json_is_string(a[0]))
		return json_integer(json_string_length(a[0]));
	if (json_is_array(a[0]))
		return json_integer(json_array_size(a[0]));
	if (json_is_object(a[0]))
		return json_integer(json_object_size(a[0]));
	if (!a[0] || json_is_null(a[0]))
		tmpl_xerr(s, c->pos, c->src, "error calling len: len of nil pointer");
	tmpl_xerr(s, c->pos, c->src, "error calling len: len of type %s", tmpl_type_name(a[0]));
}

/* v[x] of an array; borrowed. */
static json_t *index_array(struct state *s, struct cmd *c, json_t *v, json_t *x)
{
	json_int_t i;

	if (!json_is_integer(x))
		tmpl_xerr(s, c->pos, c->src, "error calling index: cannot index slice/array with type %s",
			  tmpl_type_name(x));
	i = json_integer_value(x);
	if (i < 0 || (size_t)i >= json_array_size(v))
		tmpl_xerr(s, c->pos, c->src, "error calling index: index out of range: %" JSON_INTEGER_FORMAT, i);
	return json_array_get(v, i);
}

/* index v k1 k2...: v[k1][k2]...; a missing map key is nil. */
static json_t *fn_index(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	json_t *v;
	size_t i;

	want_n(s, c, name, n, 1, 1);
	v = a[0];
	if (!v || json_is_null(v))
		tmpl_xerr(s, c->pos, c->src, "error calling index: index of untyped nil");
	for (i = 1; i < n; i++) {
		if (json_is_array(v)) {
			v = index_array(s, c, v, a[i]);
		} else if (json_is_object(v)) {
			if (!json_is_string(a[i]))
				tmpl_xerr(s, c->pos, c->src, "error calling index: value has type %s; should be string",
					  tmpl_type_name(a[i]));
			v = json_object_get(v, json_string_value(a[i]));
			if (!v)
				return json_null();
		} else {
			tmpl_xerr(s, c->pos, c->src, "error calling index: can't index item of type %s", tmpl_type_name(v));
		}
	}
	return json_incref(v);
}

/* ---- printing ---- */

/* fmt.Sprint (spaces between operands when neither is a string) and
 * fmt.Sprintln (always spaces, and a newline). */
static json_t *fn_print(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	struct sbuf b = SBUF_INIT;
	int ln = name[5] == 'l';
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (ln || (!json_is_string(a[i]) && !json_is_string(a[i - 1]))))
			sbuf_addch(&b, ' ');
		tmpl_print_v(&b, a[i]);
	}
	if (ln)
		sbuf_addch(&b, '\n');
	return str_result(&b);
}

static json_t *fn_printf(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	struct sbuf b = SBUF_INIT;

	want_n(s, c, name, n, 1, 1);
	tmpl_sprintf(&b, want_str(s, c, a[0]), a + 1, n - 1);
	return str_result(&b);
}

/* docker's json func turns HTML escaping off. */
static json_t *fn_json(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	struct sbuf b = SBUF_INIT;
	json_t *pv;

	want_n(s, c, name, n, 1, 0);
	pv = tmpl_plain(a[0]);
	gojson_write_opts(&b, json_is_null(pv) ? NULL : pv, NULL, NULL, 0);
	json_decref(pv);
	return str_result(&b);
}

/* ---- strings ---- */

/* strings.Split; an empty separator splits into UTF-8 sequences. */
static json_t *split(const char *str, const char *sep)
{
	json_t *r = json_array();
	size_t sl = strlen(sep);
	const char *p = str, *q;

	if (!sl) {
		while (*p) {
			size_t l = 1;

			while (p[l] && ((unsigned char)p[l] & 0xc0) == 0x80)
				l++;
			json_array_append_new(r, json_stringn(p, l));
			p += l;
		}
		return r;
	}
	while ((q = strstr(p, sep))) {
		json_array_append_new(r, json_stringn(p, q - p));
		p = q + sl;
	}
	json_array_append_new(r, json_string(p));
	return r;
}

static json_t *fn_split(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	want_n(s, c, name, n, 2, 0);
	return split(want_str(s, c, a[0]), want_str(s, c, a[1]));
}

static json_t *join(struct state *s, struct cmd *c, json_t *list, const char *sep)
{
	struct sbuf b = SBUF_INIT;
	size_t i;
	json_t *r;

	if (!json_is_array(list))
		tmpl_xerr(s, c->pos, c->src, "wrong type for value; expected []string; got %s", tmpl_type_name(list));
	/* All checked before b holds anything: tmpl_xerr would leak it. */
	for (i = 0; i < json_array_size(list); i++)
		want_str(s, c, json_array_get(list, i));
	for (i = 0; i < json_array_size(list); i++) {
		if (i)
			sbuf_addstr(&b, sep);
		sbuf_addstr(&b, json_string_value(json_array_get(list, i)));
	}
	r = json_string(sbuf_str(&b));
	sbuf_release(&b);
	return r;
}

static json_t *fn_join(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	want_n(s, c, name, n, 2, 0);
	return join(s, c, a[0], want_str(s, c, a[1]));
}

/* lower, upper (ASCII) and title (strings.Title: a word starts after
 * anything but letters, digits, _ and '). */
static json_t *fn_case(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	char *d, *p;
	int start = 1, kind = name[0];
	json_t *r;

	want_n(s, c, name, n, 1, 0);
	d = xstrdup(want_str(s, c, a[0]));
	for (p = d; *p; p++) {
		unsigned char ch = *p;

		if (kind == 'l')
			*p = tolower(ch);
		else if (kind == 'u')
			*p = toupper(ch);
		else {
			if (start && ch < 0x80)
				*p = toupper(ch);
			start = ch < 0x80 && !isalnum(ch) && ch != '_' && ch != '\'';
		}
	}
	r = json_string(d);
	free(d);
	return r;
}

/* docker's pad: l spaces, the string, r spaces; nothing for "". */
static json_t *fn_pad(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	struct sbuf b = SBUF_INIT;
	const char *str;
	json_int_t l, r;

	want_n(s, c, name, n, 3, 0);
	str = want_str(s, c, a[0]);
	l = want_int(s, c, a[1]);
	r = want_int(s, c, a[2]);
	if (!*str)
		return json_string("");
	sbuf_addf(&b, "%*s%s%*s", (int)(l > 0 ? l : 0), "", str, (int)(r > 0 ? r : 0), "");
	return str_result(&b);
}

/* docker truncates bytes, not runes. */
static json_t *fn_truncate(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	const char *str;
	json_int_t l;

	want_n(s, c, name, n, 2, 0);
	str = want_str(s, c, a[0]);
	l = want_int(s, c, a[1]);
	if ((json_int_t)strlen(str) < l)
		return json_string(str);
	return json_stringn(str, l < 0 ? 0 : l);
}

/* ---- the table ---- */

typedef json_t *func_fn(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n);

static const struct func {
	const char *name;
	func_fn *fn;
} funcs[] = {
	{ "and", fn_and_or }, { "or", fn_and_or }, { "not", fn_not },
	{ "eq", fn_eq_ne }, { "ne", fn_eq_ne },
	{ "lt", fn_order }, { "le", fn_order }, { "gt", fn_order }, { "ge", fn_order },
	{ "len", fn_len }, { "index", fn_index },
	{ "print", fn_print }, { "printf", fn_printf }, { "println", fn_print },
	{ "json", fn_json }, { "join", fn_join }, { "split", fn_split },
	{ "lower", fn_case }, { "upper", fn_case }, { "title", fn_case },
	{ "pad", fn_pad }, { "truncate", fn_truncate },
};

static const struct func *find_func(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

int tmpl_is_builtin(const char *name)
{
	return find_func(name) != NULL;
}

json_t *tmpl_call(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	const struct func *f = find_func(name);

	if (!f)
		tmpl_xerr(s, c->pos, c->src, "function \"%s\" not defined", name);
	return f->fn(s, c, name, a, n);
}
