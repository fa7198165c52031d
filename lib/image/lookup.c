/* lookup.c - GetImage and the image store's Search (lookup.h). */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reference.h"

static const char hexdigits[] = "0123456789abcdef";

/* The only place the words are written. */
static int not_found(struct berr *err, const char *what)
{
	return berr_set(err, BERR_NOT_FOUND, "No such image: %s", what);
}

static int is_image_id(const char *id)
{
	return id && strlen(id) == 71 && !strncmp(id, "sha256:", 7) && strspn(id + 7, hexdigits) == 64;
}

static int known(struct berth *b, const struct image_lookup_opts *o, const char *id)
{
	if (!is_image_id(id))
		return 0;
	return o && o->known ? o->known(o->ctx, id) : store_image_exists(b->store, id);
}

/* digestset.Lookup over the known images: 1 unique hit, 0 none, 2 several. */
static int search(struct berth *b, const struct image_lookup_opts *o, const char *hex,
		  char id_out[DIGEST_STR_LEN])
{
	size_t n = strlen(hex);
	char **ids;
	int hits = 0;

	if (!n || n > 64 || strspn(hex, hexdigits) != n)
		return 0;
	if (store_image_list(b->store, &ids, NULL) < 0)
		return 0;
	for (size_t i = 0; ids[i]; i++) {
		if (!strncmp(ids[i] + 7, hex, n) && known(b, o, ids[i]) && hits++ == 0)
			snprintf(id_out, DIGEST_STR_LEN, "%s", ids[i]);
		free(ids[i]);
	}
	free(ids);
	return hits > 1 ? 2 : hits;
}

static const char *strip_algorithm(const char *term)
{
	return !strncmp(term, "sha256:", 7) ? term + 7 : term;
}

/* The reference store's Get: a reference with both a tag and a digest is
 * looked up by its digest. */
static const char *refs_get(const struct store_refs *refs, const struct reference *ref)
{
	struct reference by_digest = *ref;
	char *fam = reference_familiar_name(ref), *key;
	const char *id;

	if (ref->digest)
		by_digest.tag = NULL;
	key = reference_familiar_string(&by_digest);
	id = store_refs_get(refs, fam, key);
	free(fam);
	free(key);
	return id;
}

static int lookup_ref(struct berth *b, const char *term, const struct reference *ref,
		      const struct image_lookup_opts *o, char id_out[DIGEST_STR_LEN], struct berr *err)
{
	struct store_refs *own = NULL;
	const struct store_refs *refs = o ? o->refs : NULL;
	const char *id;
	int rc = -1;

	if (!refs) {
		if (store_refs_load(b->store, &own, err) < 0)
			return -1;
		refs = own;
	}
	id = refs_get(refs, ref);
	if (known(b, o, id)) {
		snprintf(id_out, DIGEST_STR_LEN, "%s", id);
		rc = 0;
	} else if (search(b, o, strip_algorithm(term), id_out) == 1) {
		rc = 0;
	} else {
		char *key = reference_familiar_string(ref);
		not_found(err, key);
		free(key);
	}
	store_refs_free(own);
	return rc;
}

int image_lookup(struct berth *b, const char *term, const struct image_lookup_opts *opts,
		 char id_out[DIGEST_STR_LEN], struct berr *err)
{
	size_t len = strlen(term);
	struct reference ref;
	int rc;

	/* ParseAnyReference: an ID alone is a digest reference. */
	if ((len == 64 && strspn(term, hexdigits) == 64) ||
	    (len == 71 && !strncmp(term, "sha256:", 7) && strspn(term + 7, hexdigits) == 64)) {
		snprintf(id_out, DIGEST_STR_LEN, "sha256:%s", term + len - 64);
		if (known(b, opts, id_out))
			return 0;
		return not_found(err, id_out);
	}
	if (reference_parse(&ref, term, err) < 0) {
		if (err)
			err->code = BERR_INVALID;
		return -1;
	}
	reference_default_tag(&ref);
	rc = lookup_ref(b, term, &ref, opts, id_out, err);
	reference_release(&ref);
	return rc;
}

int image_search_id(struct berth *b, const char *term, char id_out[DIGEST_STR_LEN], struct berr *err)
{
	switch (search(b, NULL, strip_algorithm(term), id_out)) {
	case 1:
		return 0;
	case 2:
		return berr_set(err, BERR_INVALID, "ambiguous digest string");
	default:
		return not_found(err, term);
	}
}
