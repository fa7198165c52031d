/*
 * gojson.c - Go encoding/json compatible writer (see gojson.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"

static const char hexdig[] = "0123456789abcdef";

static void add_u(struct sbuf *out, unsigned int c)
{
	sbuf_addf(out, "\\u%04x", c);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned int *cp)
{
	unsigned int c = s[0], v;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return len;
}

char *gojson_quote(const char *str)
{
	static const char esc[] = "\aa\bb\ff\nn\rr\tt\vv";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, l;
	struct sbuf out = SBUF_INIT;
	unsigned int cp;

	sbuf_addch(&out, '"');
	while (i < n) {
		unsigned char c = s[i];
		const char *e = c ? strchr(esc, c) : NULL;

		if (c == '"' || c == '\\') {
			sbuf_addf(&out, "\\%c", c);
			i++;
			continue;
		}
		if (c < 0x80 && e && (e - esc) % 2 == 0) {
			sbuf_addf(&out, "\\%c", e[1]);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sbuf_addf(&out, "\\x%02x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			sbuf_addch(&out, (char)c);
			i++;
			continue;
		}
		l = utf8_len(s + i, n - i, &cp);
		if (!l) {
			sbuf_addf(&out, "\\x%02x", c);
			i++;
			continue;
		}
		/* unicode.IsPrint's commonest refusals: C1 controls, the soft
		 * hyphen, the line and paragraph separators, BOM */
		if (cp < 0xa0 || cp == 0xad || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
			add_u(&out, cp);
		else
			sbuf_add(&out, s + i, l);
		i += l;
	}
	sbuf_addch(&out, '"');
	return sbuf_detach(&out, NULL);
}

void gojson_write_string(struct sbuf *out, const char *str, size_t n, int escape_html)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, l;
	unsigned int cp;

	sbuf_addch(out, '"');
	while (i < n) {
		unsigned char c = s[i];

		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				sbuf_addch(out, '\\');
				sbuf_addch(out, c);
			} else if (c == '\n') {
				sbuf_addstr(out, "\\n");
			} else if (c == '\r') {
				sbuf_addstr(out, "\\r");
			} else if (c == '\t') {
				sbuf_addstr(out, "\\t");
			} else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
				sbuf_addstr(out, "\\u00");
				sbuf_addch(out, hexdig[c >> 4]);
				sbuf_addch(out, hexdig[c & 15]);
			} else {
				sbuf_addch(out, c);
			}
			i++;
			continue;
		}
		l = utf8_len(s + i, n - i, &cp);
		if (!l) {
			sbuf_addstr(out, "\\ufffd");
			i++;
			continue;
		}
		/* JavaScript treats these as line terminators; Go always escapes them. */
		if (cp == 0x2028 || cp == 0x2029)
			add_u(out, cp);
		else
			sbuf_add(out, s + i, l);
		i += l;
	}
	sbuf_addch(out, '"');
}

/* The exponent after the 'e' of a %e number: a sign and at most a few
 * digits, nothing after them; -1 when that is not what s holds. */
static int parse_exp10(const char *s, int *out)
{
	char *end;
	long x;

	if ((*s != '+' && *s != '-') || !(s[1] >= '0' && s[1] <= '9'))
		return -1;
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || *end || x < -9999 || x > 9999)
		return -1;
	*out = (int)x;
	return 0;
}

int gojson_shortest(double d, char *digits, int *exp10)
{
	char buf[64];
	int p, nd = 0;
	char *e, *q;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* Only a finite d prints with an exponent ("inf", "nan" do not). */
	e = strchr(buf, 'e');
	if (!e || parse_exp10(e + 1, exp10) < 0) {
		digits[0] = 0;
		*exp10 = 0;
		return 0;
	}
	for (q = buf; q < e; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	return nd;
}

static void add_fixed(struct sbuf *out, const char *dg, int nd, int dp)
{
	int i;

	if (dp <= 0) {
		sbuf_addstr(out, "0.");
		for (i = 0; i < -dp; i++)
			sbuf_addch(out, '0');
		sbuf_add(out, dg, nd);
		return;
	}
	for (i = 0; i < dp; i++)
		sbuf_addch(out, i < nd ? dg[i] : '0');
	if (nd > dp) {
		sbuf_addch(out, '.');
		sbuf_add(out, dg + dp, nd - dp);
	}
}

static void add_exp(struct sbuf *out, const char *dg, int nd, int x, int min_exp_digits)
{
	sbuf_addch(out, dg[0]);
	if (nd > 1) {
		sbuf_addch(out, '.');
		sbuf_add(out, dg + 1, nd - 1);
	}
	sbuf_addf(out, "e%c%0*d", x < 0 ? '-' : '+', min_exp_digits, abs(x));
}

void gojson_format_real(struct sbuf *out, double d, int go_g)
{
	char dg[32];
	int x, nd;

	if (isnan(d)) {
		sbuf_addstr(out, "NaN");
		return;
	}
	if (isinf(d)) {
		sbuf_addstr(out, d < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (signbit(d))
		sbuf_addch(out, '-');
	d = fabs(d);
	if (d == 0) {
		sbuf_addch(out, '0');
		return;
	}
	nd = gojson_shortest(d, dg, &x);
	if (go_g) {
		/* fmt's %v: shortest 'g' uses exponent form from 1e+06 on. */
		if (x < -4 || x >= 6)
			add_exp(out, dg, nd, x, 2);
		else
			add_fixed(out, dg, nd, x + 1);
		return;
	}
	if (d < 1e-6 || d >= 1e21)
		add_exp(out, dg, nd, x, 1);
	else
		add_fixed(out, dg, nd, x + 1);
}

static void newline(struct sbuf *out, const char *prefix, const char *indent, int depth)
{
	int i;

	sbuf_addch(out, '\n');
	sbuf_addstr(out, prefix);
	for (i = 0; i < depth; i++)
		sbuf_addstr(out, indent);
}

static void write_value(struct sbuf *out, json_t *v, const char *prefix, const char *indent,
			int depth, int escape_html)
{
	size_t i;
	const char *k;
	json_t *m;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!json_object_size(v)) {
			sbuf_addstr(out, "{}");
			return;
		}
		sbuf_addch(out, '{');
		json_object_foreach(v, k, m) {
			if (!first)
				sbuf_addch(out, ',');
			first = 0;
			if (indent)
				newline(out, prefix, indent, depth + 1);
			gojson_write_string(out, k, strlen(k), escape_html);
			sbuf_addstr(out, indent ? ": " : ":");
			write_value(out, m, prefix, indent, depth + 1, escape_html);
		}
		if (indent)
			newline(out, prefix, indent, depth);
		sbuf_addch(out, '}');
		return;
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			sbuf_addstr(out, "[]");
			return;
		}
		sbuf_addch(out, '[');
		json_array_foreach(v, i, m) {
			if (i)
				sbuf_addch(out, ',');
			if (indent)
				newline(out, prefix, indent, depth + 1);
			write_value(out, m, prefix, indent, depth + 1, escape_html);
		}
		if (indent)
			newline(out, prefix, indent, depth);
		sbuf_addch(out, ']');
		return;
	case JSON_STRING:
		gojson_write_string(out, json_string_value(v), json_string_length(v), escape_html);
		return;
	case JSON_INTEGER:
		sbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		gojson_format_real(out, json_real_value(v), 0);
		return;
	case JSON_TRUE:
		sbuf_addstr(out, "true");
		return;
	case JSON_FALSE:
		sbuf_addstr(out, "false");
		return;
	default:
		sbuf_addstr(out, "null");
	}
}

void gojson_write_opts(struct sbuf *out, json_t *v, const char *prefix, const char *indent,
		       int escape_html)
{
	if (!v) {
		sbuf_addstr(out, "null");
		return;
	}
	write_value(out, v, prefix ? prefix : "", indent, 0, escape_html);
}

void gojson_write(struct sbuf *out, json_t *v, const char *prefix, const char *indent)
{
	gojson_write_opts(out, v, prefix, indent, 1);
}

void gojson_sort_keys(json_t *v)
{
	size_t i, n;
	const char *k;
	json_t *m;
	const char **keys;
	json_t **vals;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			gojson_sort_keys(m);
		return;
	}
	if (!json_is_object(v))
		return;
	n = json_object_size(v);
	keys = xcalloc(n + 1, sizeof(*keys));
	vals = xcalloc(n + 1, sizeof(*vals));
	i = 0;
	json_object_foreach(v, k, m)
		keys[i++] = xstrdup(k);
	qsort(keys, n, sizeof(*keys), str_ptr_cmp);
	for (i = 0; i < n; i++) {
		vals[i] = json_incref(json_object_get(v, keys[i]));
		gojson_sort_keys(vals[i]);
	}
	json_object_clear(v);
	for (i = 0; i < n; i++) {
		json_object_set_new(v, keys[i], vals[i]);
		free((char *)keys[i]);
	}
	free(keys);
	free(vals);
}
