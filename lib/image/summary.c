/*
 * summary.c - what listing needs of an image, computed once (summary.h).
 *
 * Cache file: <root>/berth/image-summaries, one line per image, sorted by
 * ID:  <id hex> <created> <size> <has config 0|1> <top chain hex or -> <config.Labels as JSON>
 * The labels are the rest of the line (compact JSON has no newline).
 */
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/fs.h"
#include "../util/timefmt.h"

#define CACHE_PATH "berth/image-summaries"
#define CACHE_MAX (64 << 20)

struct entry {
	char hex[65];
	int64_t created, size;
	int has_config;
	char top[65];        /* "" for an image without layers */
	char *labels_text;   /* "null" or a JSON object */
	json_t *labels;      /* parsed on demand */
	int used;
};

/* Cumulative layer chain sizes by chain ID: most images share their base
 * layers, so each size file is read once. */
struct size_cache {
	char (*keys)[DIGEST_STR_LEN];
	int64_t *vals;
	size_t cap, n;
};

struct summaries {
	struct store *s;
	struct entry *v;     /* sorted by hex (as loaded), then new ones appended */
	size_t n, n_sorted, cap;
	int dirty;
	struct size_cache sizes; /* for the images computed now */
};

static struct entry *push(struct summaries *c, const struct entry *e)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = *e;
	return &c->v[c->n++];
}

static int parse_line(char *line, struct entry *e)
{
	char *p = line, *end;

	memset(e, 0, sizeof(*e));
	if (strlen(line) < 66 || line[64] != ' ' || strspn(line, "0123456789abcdef") != 64)
		return -1;
	memcpy(e->hex, line, 64);
	p = line + 65;
	e->created = strtoll(p, &end, 10);
	if (*end != ' ')
		return -1;
	e->size = strtoll(end + 1, &end, 10);
	if (*end != ' ' || (end[1] != '0' && end[1] != '1') || end[2] != ' ')
		return -1;
	e->has_config = end[1] == '1';
	p = end + 3;
	if (p[0] == '-' && p[1] == ' ') {
		p += 2;
	} else if (strspn(p, "0123456789abcdef") == 64 && p[64] == ' ') {
		memcpy(e->top, p, 64);
		p += 65;
	} else {
		return -1;
	}
	e->labels_text = xstrdup(p);
	return 0;
}

static void load(struct summaries *c)
{
	struct sbuf sb = SBUF_INIT;
	char *line, *save = NULL;

	if (read_file_at(c->s->root_fd, CACHE_PATH, &sb, CACHE_MAX, NULL) < 0 || !sb.len) {
		sbuf_release(&sb);
		return;
	}
	for (line = strtok_r(sb.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct entry e;
		if (parse_line(line, &e) < 0)
			continue;
		/* A damaged or unsorted file is just not used past that point. */
		if (c->n && strcmp(c->v[c->n - 1].hex, e.hex) >= 0) {
			free(e.labels_text);
			break;
		}
		push(c, &e);
	}
	c->n_sorted = c->n;
	sbuf_release(&sb);
}

struct summaries *summaries_open(struct store *s)
{
	struct summaries *c = xcalloc(1, sizeof(*c));

	c->s = s;
	load(c);
	return c;
}

static struct entry *find(struct summaries *c, const char *hex)
{
	size_t lo = 0, hi = c->n_sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(c->v[mid].hex, hex);
		if (!r)
			return &c->v[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = c->n_sorted; i < c->n; i++)
		if (!strcmp(c->v[i].hex, hex))
			return &c->v[i];
	return NULL;
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int64_t *cache_slot(struct size_cache *c, const char *key, int *found)
{
	size_t i;

	if (2 * (c->n + 1) > c->cap) {
		struct size_cache nc = { 0 };
		nc.cap = c->cap ? c->cap * 2 : 256;
		nc.keys = xcalloc(nc.cap, sizeof(*nc.keys));
		nc.vals = xcalloc(nc.cap, sizeof(*nc.vals));
		for (size_t k = 0; k < c->cap; k++) {
			int f;
			if (c->keys[k][0])
				*cache_slot(&nc, c->keys[k], &f) = c->vals[k];
		}
		free(c->keys);
		free(c->vals);
		*c = nc;
	}
	for (i = hash_str(key) & (c->cap - 1); c->keys[i][0]; i = (i + 1) & (c->cap - 1))
		if (strcmp(c->keys[i], key) == 0) {
			*found = 1;
			return &c->vals[i];
		}
	memcpy(c->keys[i], key, DIGEST_STR_LEN);
	c->n++;
	*found = 0;
	return &c->vals[i];
}

static int64_t layer_own_size(struct store *s, const char *chain)
{
	int64_t size;

	return store_layer_size(s, chain, &size) == 0 ? size : 0;
}

static int64_t chain_sizes(struct store *s, struct size_cache *c, json_t *diff_ids, char top[65])
{
	char chain[DIGEST_STR_LEN] = "";
	int64_t total = 0;
	size_t i;
	json_t *d;

	json_array_foreach(diff_ids, i, d) {
		char next[DIGEST_STR_LEN];
		int found;
		int64_t *slot;
		if (!json_is_string(d) || digest_validate(json_string_value(d), NULL) < 0)
			break;
		chain_id(i ? chain : NULL, json_string_value(d), next);
		memcpy(chain, next, sizeof(chain));
		snprintf(top, 65, "%s", digest_hex(chain));
		slot = cache_slot(c, chain, &found);
		if (!found)
			*slot = total + layer_own_size(s, chain);
		total = *slot;
	}
	return total;
}


static struct entry *compute(struct summaries *c, const char *id)
{
	struct sbuf config = SBUF_INIT;
	json_t *j, *cfg, *labels;
	struct entry e = { 0 };

	if (store_image_config(c->s, id, &config, NULL) < 0) {
		sbuf_release(&config);
		return NULL;
	}
	j = json_loadb(config.buf, config.len, 0, NULL);
	sbuf_release(&config);
	if (!j)
		return NULL;
	snprintf(e.hex, sizeof(e.hex), "%s", digest_hex(id));
	e.created = rfc3339_to_unix(json_string_value(json_object_get(j, "created")));
	cfg = json_object_get(j, "config");
	e.has_config = json_is_object(cfg);
	labels = e.has_config ? json_object_get(cfg, "Labels") : NULL;
	e.labels_text = json_is_object(labels) ? json_dumps(labels, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("null");
	e.size = chain_sizes(c->s, &c->sizes, json_object_get(json_object_get(j, "rootfs"), "diff_ids"), e.top);
	json_decref(j);
	c->dirty = 1;
	return push(c, &e);
}

int summaries_get(struct summaries *c, const char *id, struct image_summary *out)
{
	struct entry *e;

	if (digest_validate(id, NULL) < 0)
		return -1;
	e = find(c, digest_hex(id));
	if (!e && !(e = compute(c, id)))
		return -1;
	e->used = 1;
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->created = e->created;
	out->size = e->size;
	out->has_config = e->has_config;
	snprintf(out->top, sizeof(out->top), "%s%s", e->top[0] ? "sha256:" : "", e->top);
	if (!e->labels && strcmp(e->labels_text, "null"))
		e->labels = json_loads(e->labels_text, 0, NULL);
	out->labels = json_is_object(e->labels) ? e->labels : NULL;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->hex, ((const struct entry *)b)->hex);
}

/* Writes the entries (only the used ones when the listing was complete,
 * so removed images drop out), sorted.  Any failure just leaves the old
 * file, which stays correct. */
static void save(struct summaries *c, int complete)
{
	struct sbuf sb = SBUF_INIT;

	qsort(c->v, c->n, sizeof(*c->v), cmp_entry);
	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->v[i];
		if (complete && !e->used)
			continue;
		if (i && !strcmp(e->hex, c->v[i - 1].hex))
			continue;
		sbuf_addf(&sb, "%s %lld %lld %d %s %s\n", e->hex, (long long)e->created, (long long)e->size,
			  e->has_config, e->top[0] ? e->top : "-", e->labels_text);
	}
	if (mkdir_p_at(c->s->root_fd, "berth", 0700, NULL) == 0)
		cache_write_at(c->s->root_fd, CACHE_PATH, sb.buf ? sb.buf : "", sb.len, 0600, NULL);
	sbuf_release(&sb);
}

void summaries_close(struct summaries *c, int complete)
{
	size_t unused = 0;

	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		unused += !c->v[i].used;
	if (c->dirty || (complete && unused))
		save(c, complete);
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].labels_text);
		json_decref(c->v[i].labels);
	}
	free(c->v);
	free(c->sizes.keys);
	free(c->sizes.vals);
	free(c);
}
