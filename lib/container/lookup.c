/* lookup.c - Docker's GetContainer (lookup.h). */
#include "lookup.h"

#include <stdio.h>
#include <string.h>

#include "container.h"

static int is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int not_found(const char *term, struct berr *err)
{
	return berr_set(err, BERR_NOT_FOUND, "No such container: %s", term);
}

/* Steps 3 and 4 of lookup.h over every container on disk. */
static int search(struct container **all, const char *term, char id_out[65], struct berr *err)
{
	size_t tlen = strlen(term);
	const char *by_prefix = NULL;
	int many = 0;

	for (size_t i = 0; all[i]; i++) {
		const char *name = all[i]->name ? all[i]->name : "";

		if (!strcmp(name, term) || (name[0] == '/' && !strcmp(name + 1, term))) {
			snprintf(id_out, 65, "%s", all[i]->id);
			return 0;
		}
	}
	for (size_t i = 0; all[i]; i++) {
		if (strncmp(all[i]->id, term, tlen) != 0)
			continue;
		if (by_prefix)
			many = 1;
		by_prefix = all[i]->id;
	}
	if (many)
		return berr_set(err, BERR_INTERNAL, "Multiple IDs found with provided prefix: %s", term);
	if (!by_prefix)
		return not_found(term, err);
	snprintf(id_out, 65, "%s", by_prefix);
	return 0;
}

int container_lookup_id(struct store *s, const char *term, char id_out[65], struct berr *err)
{
	struct container **all = NULL;
	int rc;

	if (!*term)
		return berr_set(err, BERR_INVALID, "invalid name or ID supplied: \"\"");
	if (is_hex64(term)) {
		struct berr e2 = BERR_INIT;
		struct container *c = container_load(s, term, &e2);

		if (c) {
			container_free(c);
			snprintf(id_out, 65, "%s", term);
			return 0;
		}
	}
	if (container_list(s, 0, &all, err) < 0)
		return -1;
	rc = search(all, term, id_out, err);
	container_list_free(all);
	return rc;
}

struct container *container_lookup(struct store *s, const char *term, struct berr *err)
{
	char id[65];
	struct container *c;

	if (container_lookup_id(s, term, id, err) < 0)
		return NULL;
	c = container_load(s, id, err);
	/* Removed between the two reads: as if it had never been there. */
	if (!c && err->code == BERR_NOT_FOUND) {
		berr_clear(err);
		not_found(term, err);
	}
	return c;
}
