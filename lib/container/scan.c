/* scan.c - JSON object members as slices (scan.h). */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#include "../util/sbuf.h"

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at p (on its quote); NULL if unterminated or
 * holding a raw control character. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			if (++p >= end)
				return NULL;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

/* Past one value; containers by depth (strings skipped whole), so the
 * slice is only roughly checked: scan_json checks what is parsed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	p = ws(p, end);
	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[') {
		if (*p == '"')
			return skip_string(p, end);
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' &&
		       *p != '\t')
			p++;
		return p;
	}
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			p = skip_string(p, end);
			if (!p)
				return NULL;
			p--;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		default:
			break;
		}
	}
	return NULL;
}

int scan_object(struct scan *it, const char *p, size_t n)
{
	const char *end = p + n;

	p = ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	it->p = p + 1;
	it->end = end;
	it->first = 1;
	return 0;
}

int scan_next(struct scan *it, const char **key, size_t *klen, const char **val, size_t *vlen)
{
	const char *p = ws(it->p, it->end), *k, *v;

	if (p >= it->end)
		return -1;
	if (*p == '}') {
		it->p = p + 1;
		return 0;
	}
	if (!it->first) {
		if (*p != ',')
			return -1;
		p = ws(p + 1, it->end);
	}
	if (p >= it->end || *p != '"' || !(k = skip_string(p, it->end)))
		return -1;
	*key = p + 1;
	*klen = (size_t)(k - p - 2);
	p = ws(k, it->end);
	if (p >= it->end || *p != ':')
		return -1;
	p = ws(p + 1, it->end);
	if (!(v = skip_value(p, it->end)) || v == p)
		return -1;
	*val = p;
	*vlen = (size_t)(v - p);
	it->p = v;
	it->first = 0;
	return 1;
}

int scan_key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(key, name, klen);
}

char *scan_string(const char *v, size_t n)
{
	json_t *j;
	char *s;

	if (n < 2 || v[0] != '"')
		return NULL;
	/* The common case: nothing escaped, plain ASCII. */
	if (!memchr(v, '\\', n)) {
		size_t i;
		for (i = 1; i < n - 1 && (unsigned char)v[i] < 0x80; i++)
			;
		if (i == n - 1)
			return xstrndup(v + 1, n - 2);
	}
	j = json_loadb(v, n, JSON_DECODE_ANY, NULL);
	s = json_is_string(j) ? xstrdup(json_string_value(j)) : NULL;
	json_decref(j);
	return s;
}

int scan_bool(const char *v, size_t n)
{
	return n == 4 && !memcmp(v, "true", 4);
}

int64_t scan_int(const char *v, size_t n)
{
	char buf[32];

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

json_t *scan_json(const char *v, size_t n)
{
	if (n == 4 && !memcmp(v, "null", 4))
		return json_null();
	if (n == 2 && (!memcmp(v, "{}", 2) || !memcmp(v, "[]", 2)))
		return v[0] == '{' ? json_object() : json_array();
	return json_loadb(v, n, JSON_DECODE_ANY, NULL);
}
