/*
 * prune.c - Docker 20.10's ContainersPrune (daemon/prune.go): every
 * container not running, newest first, that the until and label filters
 * let through, removed as ContainerRm removes it; one that fails to go is
 * skipped, as the daemon logs and goes on.
 */
#include <stdlib.h>
#include <string.h>

#include <berth/container.h>

#include "../internal.h"
#include "../util/sbuf.h"
#include "../util/timefmt.h"
#include "container.h"
#include "engine.h"
#include "inspect.h"

struct prune_filter {
	int has_until;
	int64_t until;
	const char *const *filters; /* the "key=value" strings as given */
};

static int key_is(const char *f, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(f, key, n) && f[n] == '=';
}

/* filters.Validate(containersAcceptedFilters), then the one until. */
static int filter_parse(struct prune_filter *pf, const char *const *filters, struct berr *err)
{
	const char *until = NULL;

	memset(pf, 0, sizeof(*pf));
	pf->filters = filters;
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i];

		if (!key_is(f, "until") && !key_is(f, "label") && !key_is(f, "label!"))
			return berr_set(err, BERR_INVALID, "Invalid filter '%.*s'", (int)strcspn(f, "="), f);
	}
	for (size_t i = 0; filters && filters[i]; i++) {
		if (!key_is(filters[i], "until"))
			continue;
		/* filters.Args holds a set: the same value twice is one. */
		if (until && strcmp(until, filters[i] + 6) != 0)
			return berr_set(err, BERR_INVALID, "more than one until filter specified");
		until = filters[i] + 6;
	}
	if (until) {
		if (timestamp_parse(until, &pf->until, err) < 0)
			return -1;
		pf->has_until = 1;
	}
	return 0;
}

/* filters.MatchKVList(key, labels): every key=k or key=k=v value holds
 * (true when the key has no values; false on no labels otherwise). */
static int match_kv_list(const struct prune_filter *pf, const char *key, json_t *labels, int *present)
{
	size_t klen = strlen(key);

	*present = 0;
	for (size_t i = 0; pf->filters && pf->filters[i]; i++) {
		const char *f = pf->filters[i], *kv, *eq;
		json_t *v;

		if (!key_is(f, key))
			continue;
		*present = 1;
		if (!json_object_size(labels))
			return 0;
		kv = f + klen + 1;
		eq = strchr(kv, '=');
		if (eq) {
			char *k = xstrndup(kv, (size_t)(eq - kv));
			v = json_object_get(labels, k);
			free(k);
			if (!json_is_string(v) || strcmp(json_string_value(v), eq + 1) != 0)
				return 0;
		} else if (!json_object_get(labels, kv)) {
			return 0;
		}
	}
	return 1;
}

/* matchLabels: label= all hold, and label!= not all hold. */
static int labels_ok(const struct prune_filter *pf, json_t *labels)
{
	int present;

	if (!match_kv_list(pf, "label", labels, &present))
		return 0;
	return !(match_kv_list(pf, "label!", labels, &present) && present);
}

/* Created as (seconds, nanoseconds), for ordering. */
static void created_of(const struct container *c, int64_t *sec, long *nsec)
{
	const char *dot = c->created ? strchr(c->created, '.') : NULL;
	long ns = 0;
	int digits = 0;

	*sec = rfc3339_to_unix(c->created);
	if (dot)
		for (dot++; *dot >= '0' && *dot <= '9'; dot++)
			if (digits++ < 9)
				ns = ns * 10 + (*dot - '0');
	while (digits++ < 9)
		ns *= 10;
	*nsec = ns;
}

static int newest_first(const void *pa, const void *pb)
{
	const struct container *a = *(const struct container *const *)pa, *b = *(const struct container *const *)pb;
	int64_t sa, sb;
	long na, nb;

	created_of(a, &sa, &na);
	created_of(b, &sb, &nb);
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return na > nb ? -1 : na < nb;
}

int berth_container_prune(struct berth *b, const struct berth_container_prune_opts *opts, char ***ids_out,
			  uint64_t *reclaimed, struct berr *err)
{
	struct container **list = NULL;
	struct prune_filter pf;
	char **ids;
	size_t n = 0, count = 0;

	*ids_out = NULL;
	*reclaimed = 0;
	if (filter_parse(&pf, opts ? opts->filters : NULL, err) < 0)
		return -1;
	if (container_list(b->store, 0, &list, err) < 0)
		return -1;
	while (list[count])
		count++;
	qsort(list, count, sizeof(*list), newest_first);
	ids = xcalloc(count + 1, sizeof(*ids));
	for (size_t i = 0; i < count; i++) {
		struct container *c = list[i];
		int64_t sec, rw, rootfs;
		long nsec;

		if (container_refresh_state(b, c, NULL) < 0 || c->state.running)
			continue;
		created_of(c, &sec, &nsec);
		if (pf.has_until && (sec > pf.until || (sec == pf.until && nsec > 0)))
			continue;
		if (!labels_ok(&pf, json_object_get(container_config(c), "Labels")))
			continue;
		container_layer_size(b->store, c->id, &rw, &rootfs);
		if (berth_container_remove(b, c->id, NULL, NULL) < 0)
			continue;
		if (rw > 0)
			*reclaimed += (uint64_t)rw;
		ids[n++] = xstrdup(c->id);
	}
	container_list_free(list);
	*ids_out = ids;
	return 0;
}
