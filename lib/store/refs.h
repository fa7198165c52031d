/*
 * refs.h - Docker's reference store: image/overlay2/repositories.json,
 * {"Repositories":{familiar name:{familiar reference:image id}}}.
 */
#ifndef BERTH_STORE_REFS_H
#define BERTH_STORE_REFS_H

#include <jansson.h>

#include "../util/err.h"

struct store;

/* repositories.json, as a jansson object {"Repositories":{name:{key:id}}}. */
int store_refs_load(struct store *s, json_t **out, struct berr *err);
int store_refs_save(struct store *s, json_t *refs, struct berr *err);
/* Points refs[familiar_name][key] at image_id; *prev (free()) gets the old
 * target or NULL.  Caller holds the lock and saves. */
void store_refs_set(json_t *refs, const char *familiar_name, const char *key, const char *image_id,
		    char **prev);

#endif
