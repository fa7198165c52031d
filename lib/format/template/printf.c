/*
 * printf.c - Go's fmt.Sprintf for the printf function (internal.h): the
 * verbs v s q d x X c f e g t with flags, width and precision, and fmt's
 * %!verb(type=value), %!(NOVERB), %!verb(MISSING) and %!(EXTRA ...).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* %!verb(type=value): a verb for the wrong type. */
static void bad_verb(struct sbuf *b, char verb, json_t *v)
{
	sbuf_addf(b, "%%!%c(", verb);
	if (!v || json_is_null(v)) {
		sbuf_addstr(b, "<nil>)");
		return;
	}
	sbuf_addf(b, "%s=", tmpl_type_name(v));
	tmpl_print_v(b, v);
	sbuf_addch(b, ')');
}

/* %q of a string: quoted, with Go's escapes for quotes, backslashes and
 * ASCII control characters; other bytes as they are. */
static void quote_go(struct sbuf *b, json_t *v)
{
	const char *p = json_string_value(v);
	size_t i, n = json_string_length(v);

	sbuf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char ch = p[i];

		if (ch == '"' || ch == '\\')
			sbuf_addf(b, "\\%c", ch);
		else if (ch == '\n')
			sbuf_addstr(b, "\\n");
		else if (ch == '\t')
			sbuf_addstr(b, "\\t");
		else if (ch == '\r')
			sbuf_addstr(b, "\\r");
		else if (ch < 0x20 || ch == 0x7f)
			sbuf_addf(b, "\\x%02x", ch);
		else
			sbuf_addch(b, ch);
	}
	sbuf_addch(b, '"');
}

/* %c: code point cp (0..0x10ffff) in UTF-8. */
static void add_utf8(struct sbuf *b, json_int_t cp)
{
	char u[5] = { 0 };

	if (cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
	}
	sbuf_add(b, u, cp ? strlen(u) : 1);
}

/* The C formats below are built from a checked spec (flags, width and
 * precision characters only) and a fixed verb, never from raw user text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* The numeric verbs C formats itself: 1 when done, 0 for a wrong type. */
static int fmt_number(struct sbuf *b, const char *spec, char verb, json_t *v)
{
	char f[64];

	if ((verb == 'd' || verb == 'x' || verb == 'X') && json_is_integer(v)) {
		snprintf(f, sizeof(f), "%%%sll%c", spec, verb);
		sbuf_addf(b, f, (long long)json_integer_value(v));
		return 1;
	}
	if ((verb == 'f' || verb == 'e' || verb == 'g') && json_is_real(v)) {
		snprintf(f, sizeof(f), "%%%s%c", spec, verb);
		sbuf_addf(b, f, json_real_value(v));
		return 1;
	}
	return 0;
}

/* The text of the other verbs, before padding. */
static void fmt_text(struct sbuf *t, char verb, json_t *v)
{
	switch (verb) {
	case 'v':
		tmpl_print_v(t, v);
		return;
	case 's':
		if (json_is_string(v) || json_is_array(v))
			tmpl_print_v(t, v);
		else
			bad_verb(t, verb, v);
		return;
	case 'q':
		if (json_is_string(v))
			quote_go(t, v);
		else
			bad_verb(t, verb, v);
		return;
	case 'c':
		if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 0x10ffff)
			add_utf8(t, json_integer_value(v));
		else
			bad_verb(t, verb, v);
		return;
	case 't':
		if (json_is_boolean(v))
			tmpl_print_v(t, v);
		else
			bad_verb(t, verb, v);
		return;
	default:
		bad_verb(t, verb, v);
	}
}

/* One %<spec><verb> of v. */
static void fmt_one(struct sbuf *b, const char *spec, char verb, json_t *v)
{
	struct sbuf t = SBUF_INIT;
	char f[64];

	if (fmt_number(b, spec, verb, v))
		return;
	fmt_text(&t, verb, v);
	snprintf(f, sizeof(f), "%%%ss", spec);
	sbuf_addf(b, f, sbuf_str(&t));
	sbuf_release(&t);
}
#pragma GCC diagnostic pop

/* %!(EXTRA type=value, ...): arguments no verb used. */
static void extra_args(struct sbuf *b, json_t **a, size_t n)
{
	size_t i;

	sbuf_addstr(b, "%!(EXTRA ");
	for (i = 0; i < n; i++) {
		sbuf_addf(b, "%s=", tmpl_type_name(a[i]));
		tmpl_print_v(b, a[i]);
		if (i + 1 < n)
			sbuf_addstr(b, ", ");
	}
	sbuf_addch(b, ')');
}

/* Go's fmt takes a width or precision up to about 1e7: its parsenum gives
 * up on a number once it is past 1e6 with digits to go. */
#define GO_FMT_MAX_NUM 1000000

/* The flags, width and precision after a '%' into spec (at most n - 1
 * characters), *fmt moved past them; -1 for a number Go finds too large. */
static int scan_spec(const char **fmt, char *spec, size_t n)
{
	const char *f = *fmt;
	size_t sl = 0;
	long num = 0;

	while (*f && strchr("-+ #0123456789.", *f) && sl < n - 1) {
		if (*f >= '0' && *f <= '9') {
			if (num > GO_FMT_MAX_NUM)
				return -1;
			num = num * 10 + (*f - '0');
		} else {
			num = 0;
		}
		spec[sl++] = *f++;
	}
	spec[sl] = 0;
	*fmt = f;
	return 0;
}

void tmpl_sprintf(struct sbuf *b, const char *fmt, json_t **a, size_t n)
{
	size_t ai = 0;

	while (*fmt) {
		char spec[32];

		if (*fmt != '%') {
			sbuf_addch(b, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			sbuf_addch(b, *fmt++);
			continue;
		}
		/* A number too large, like a format ending in a spec, ends it. */
		if (scan_spec(&fmt, spec, sizeof(spec)) < 0 || !*fmt) {
			sbuf_addstr(b, "%!(NOVERB)");
			break;
		}
		if (ai >= n)
			sbuf_addf(b, "%%!%c(MISSING)", *fmt);
		else
			fmt_one(b, spec, *fmt, a[ai++]);
		fmt++;
	}
	if (ai < n)
		extra_args(b, a + ai, n - ai);
}
