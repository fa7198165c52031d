/*
 * tag.c - Docker 20.10's image tag (daemon/images.TagImage and the
 * reference store's AddTag with force): the target always wins, except
 * for a name that reads as a digest algorithm; every tag, even one that
 * changes nothing, stamps the image's lastUpdated (Metadata.LastTagTime).
 */
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "../reference.h"
#include "../store/store.h"

int berth_image_tag(struct berth *b, const char *source, const char *target, struct berr *err)
{
	char id[DIGEST_STR_LEN];
	struct reference ref;
	char *fam = NULL, *key = NULL, *prev = NULL;
	struct store_refs *refs = NULL;
	int rc = -1;

	if (image_lookup(b, source, NULL, id, err) < 0)
		return -1;
	if (reference_parse(&ref, target, err) < 0)
		return -1;
	if (ref.digest) {
		reference_release(&ref);
		return berr_set(err, BERR_INVALID, "refusing to create a tag with a digest reference");
	}
	reference_default_tag(&ref);
	fam = reference_familiar_name(&ref);
	key = reference_familiar_string(&ref);
	if (!strcmp(fam, "sha256")) {
		berr_set(err, BERR_INVALID, "refusing to create an ambiguous tag using digest algorithm as name");
		goto out;
	}
	if (store_lock(b->store, err) < 0)
		goto out;
	if (store_refs_load(b->store, &refs, err) < 0)
		goto unlock;
	store_refs_set(refs, fam, key, id, &prev);
	/* The reference store saves only when the tag moved. */
	if ((!prev || strcmp(prev, id) != 0) && store_refs_save(b->store, refs, err) < 0)
		goto unlock;
	if (store_last_updated_touch(b->store, id, err) < 0)
		goto unlock;
	rc = 0;
unlock:
	store_unlock(b->store);
out:
	store_refs_free(refs);
	free(prev);
	free(fam);
	free(key);
	reference_release(&ref);
	return rc;
}
