/* filters.c - docker's filters.Args; see filters.h. */
#include "filters.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static char *trim_dup(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

struct filter *filters_get(const struct filters *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].key, key))
			return &f->v[i];
	return NULL;
}

int filter_has(const struct filter *fl, const char *value)
{
	for (size_t i = 0; fl && i < fl->n; i++)
		if (!strcmp(fl->values[i], value))
			return 1;
	return 0;
}

void filters_parse(struct filters *f, const char *const *in)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; in && in[i]; i++) {
		const char *eq = strchr(in[i], '=');
		char *key, *value;
		struct filter *fl;

		if (!eq)
			continue;
		key = trim_dup(in[i], (size_t)(eq - in[i]));
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		value = trim_dup(eq + 1, strlen(eq + 1));
		if (!(fl = filters_get(f, key))) {
			f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
			fl = &f->v[f->n++];
			memset(fl, 0, sizeof(*fl));
			fl->key = key;
		} else {
			free(key);
		}
		if (filter_has(fl, value)) {
			free(value);
			continue;
		}
		fl->values = xrealloc(fl->values, (fl->n + 1) * sizeof(char *));
		fl->values[fl->n++] = value;
	}
}

void filters_release(struct filters *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->v[i].n; k++) {
			free(f->v[i].values[k]);
			if (f->v[i].re_ok && f->v[i].re_ok[k])
				regfree(&f->v[i].re[k]);
		}
		free(f->v[i].re);
		free(f->v[i].re_ok);
		free(f->v[i].values);
		free(f->v[i].key);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int filters_validate(const struct filters *f, const char *const *accepted, struct berr *err)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t k;

		for (k = 0; accepted[k] && strcmp(accepted[k], f->v[i].key); k++)
			;
		if (!accepted[k])
			return berr_set(err, BERR_INVALID, "Invalid filter '%s'", f->v[i].key);
	}
	return 0;
}

int filters_exact_match(const struct filters *f, const char *key, const char *source)
{
	const struct filter *fl = filters_get(f, key);

	return !fl || !fl->n || filter_has(fl, source);
}

int filters_match(const struct filters *f, const char *key, const char *source)
{
	struct filter *fl = filters_get(f, key);

	if (filters_exact_match(f, key, source))
		return 1;
	if (!fl->re) {
		fl->re = xcalloc(fl->n, sizeof(*fl->re));
		fl->re_ok = xcalloc(fl->n, sizeof(*fl->re_ok));
		for (size_t i = 0; i < fl->n; i++)
			fl->re_ok[i] = regcomp(&fl->re[i], fl->values[i], REG_EXTENDED | REG_NOSUB) == 0;
	}
	for (size_t i = 0; i < fl->n; i++)
		if (fl->re_ok[i] && regexec(&fl->re[i], source, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

char *filter_values_str(const struct filter *fl)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addch(&sb, '[');
	for (size_t i = 0; fl && i < fl->n; i++) {
		if (i)
			sbuf_addch(&sb, ' ');
		sbuf_addstr(&sb, fl->values[i]);
	}
	sbuf_addch(&sb, ']');
	return sbuf_detach(&sb, NULL);
}
