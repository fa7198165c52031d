/*
 * filters.h - docker's filters.Args, the one parser and matcher behind
 * every --filter (images, ps, volumes): "key=value" strings as the docker
 * CLI's filters.ParseFlag reads them (keys lowercased, both sides
 * trimmed, the values of a key a set, strings without '=' ignored), and
 * the daemon's Validate, ExactMatch and Match.
 */
#ifndef BERTH_UTIL_FILTERS_H
#define BERTH_UTIL_FILTERS_H

#include <regex.h>
#include <stddef.h>

#include "err.h"

struct filter {
	char *key;
	char **values;
	size_t n;
	regex_t *re;   /* the values compiled, on the first filters_match */
	int *re_ok;
};

struct filters {
	struct filter *v;
	size_t n;
};

/* in: NULL-terminated (or NULL). */
void filters_parse(struct filters *f, const char *const *in);
void filters_release(struct filters *f);
/* Args.Validate: BERR_INVALID "Invalid filter 'KEY'" for a key not in
 * accepted (NULL-terminated). */
int filters_validate(const struct filters *f, const char *const *accepted, struct berr *err);
struct filter *filters_get(const struct filters *f, const char *key);
/* value is one of fl's (fl may be NULL: no). */
int filter_has(const struct filter *fl, const char *value);
/* Args.ExactMatch: the key has no values, or source is one of them. */
int filters_exact_match(const struct filters *f, const char *key, const char *source);
/* Args.Match: exact, or any value as an unanchored regexp (Go's RE2;
 * POSIX ERE here), a value that does not compile matching nothing. */
int filters_match(const struct filters *f, const char *key, const char *source);
/* The values as Go prints a []string: "[a b]" (malloc'd). */
char *filter_values_str(const struct filter *fl);

#endif
