/*
 * buildcache.c - docker's POST /build/prune (builder-next's Prune through
 * the build backend) on a store without a build cache: berth builds
 * nothing, so nothing is reclaimed, but the filters are checked as
 * toBuildkitPruneInfo checks them, because `system prune` reports those
 * errors after the other prunes have run.
 */
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "../util/timefmt.h"

static int key_is(const char *f, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(f, key, n) && f[n] == '=';
}

int berth_system_build_cache_prune(struct berth *b, const struct berth_system_build_cache_prune_opts *opts,
				   uint64_t *reclaimed, struct berr *err)
{
	static const char *const cache_fields[] = { "id", "parent", "type", "description", "inuse", "shared",
						    "private" };
	const char *const *f = opts ? opts->filters : NULL;
	const char *until = NULL, *key = "until";
	size_t n_until = 0, n_unused = 0;
	int64_t ns;

	(void)b;
	*reclaimed = 0;
	/* filters.Args holds sets: one value given twice is one value. */
	for (size_t i = 0; f && f[i]; i++) {
		int unused = key_is(f[i], "unused-for");
		const char *v;
		int dup = 0;

		if (!unused && !key_is(f[i], "until"))
			continue;
		v = strchr(f[i], '=') + 1;
		for (size_t j = 0; j < i; j++)
			dup |= !strcmp(f[j], f[i]);
		if (dup)
			continue;
		if (unused)
			n_unused++;
		else
			n_until++;
		until = v;
	}
	if (n_until && n_unused)
		return berr_set(err, BERR_INVALID,
				"failed to prune build cache: conflicting filters: \"until\" and \"unused-for\"");
	if (n_unused)
		key = "unused-for";
	if (n_until + n_unused > 1)
		return berr_set(err, BERR_INVALID, "failed to prune build cache: filters expect only one value");
	if (until && go_parse_duration(until, &ns, err) < 0)
		return berr_wrap(err, "failed to prune build cache: \"%s\" filter expects a duration (e.g., '24h')", key);
	for (size_t k = 0; k < sizeof(cache_fields) / sizeof(cache_fields[0]); k++) {
		const char *first = NULL;

		for (size_t i = 0; f && f[i]; i++) {
			if (!key_is(f[i], cache_fields[k]))
				continue;
			if (first && strcmp(first, f[i]) != 0)
				return berr_set(err, BERR_INVALID,
						"failed to prune build cache: filters expect only one value");
			first = f[i];
		}
	}
	return 0;
}
