/*
 * images.c - listing the images of the store (inspect: inspect.c).
 *
 * Listing reads repositories.json and the image summaries (summary.h:
 * computed once per image from its config and its layers' size files);
 * it never walks layer trees.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../internal.h"
#include "../reference.h"
#include "../util/sbuf.h"
#include "../util/timefmt.h"
#include "summary.h"


struct collect {
	const char *id;
	char **tags, **digests;
	size_t nt, nd, cap;
};

static int collect_one(void *ctx, const char *repo, const char *ref, const char *image_id)
{
	struct collect *c = ctx;

	if (strcmp(image_id, c->id) != 0)
		return 0;
	if (c->nt + c->nd + 1 >= c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4;
		c->tags = xrealloc(c->tags, c->cap * sizeof(char *));
		c->digests = xrealloc(c->digests, c->cap * sizeof(char *));
	}
	if (strchr(ref, '@'))
		c->digests[c->nd++] = xstrdup(ref);
	else
		c->tags[c->nt++] = xstrdup(ref);
	return 0;
}

/* The image's tags and digests, NULL-terminated. */
static void collect_refs(const struct store_refs *refs, const char *id, char ***tags, char ***digests)
{
	struct collect c = { id, NULL, NULL, 0, 0, 0 };

	store_refs_foreach(refs, collect_one, &c);
	*tags = xrealloc(c.tags, (c.nt + 1) * sizeof(char *));
	*digests = xrealloc(c.digests, (c.nd + 1) * sizeof(char *));
	(*tags)[c.nt] = NULL;
	(*digests)[c.nd] = NULL;
}

static void sort_strv(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	qsort(v, n, sizeof(*v), str_ptr_cmp);
}

static int cmp_created(const void *a, const void *b)
{
	const struct berth_image *x = a, *y = b;

	return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

static int load_image(struct summaries *sums, const struct store_refs *refs, const char *id, struct berth_image *out)
{
	struct image_summary sum;

	if (summaries_get(sums, id, &sum) < 0)
		return -1;
	out->id = xstrdup(id);
	out->created = sum.created;
	out->size = sum.size;
	collect_refs(refs, id, &out->repo_tags, &out->repo_digests);
	sort_strv(out->repo_tags);
	sort_strv(out->repo_digests);
	return 0;
}

int berth_image_list(struct berth *b, struct berth_image **out, size_t *n, struct berr *err)
{
	char **ids;
	struct store_refs *refs;
	struct summaries *sums;
	size_t count = 0, k = 0;
	struct berth_image *v;

	if (store_image_list(b->store, &ids, err) < 0)
		return -1;
	if (store_refs_load(b->store, &refs, err) < 0) {
		for (size_t i = 0; ids[i]; i++)
			free(ids[i]);
		free(ids);
		return -1;
	}
	while (ids[count])
		count++;
	v = xcalloc(count + 1, sizeof(*v));
	sums = summaries_open(b->store);
	for (size_t i = 0; i < count; i++) {
		/* An unreadable image is skipped, as Docker skips it at restore. */
		if (load_image(sums, refs, ids[i], &v[k]) == 0)
			k++;
		free(ids[i]);
	}
	summaries_close(sums, 1);
	free(ids);
	store_refs_free(refs);
	qsort(v, k, sizeof(*v), cmp_created);
	*out = v;
	*n = k;
	return 0;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void berth_image_list_free(struct berth_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free_strv(v[i].repo_tags);
		free_strv(v[i].repo_digests);
	}
	free(v);
}
