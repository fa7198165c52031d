/* refs.c - Docker's reference store, repositories.json (refs.h). */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"

/* repositories.json is read whole. */
#define REFS_MAX (64u << 20)

int store_refs_load(struct store *s, json_t **out, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	json_error_t je;
	json_t *j;

	if (read_file_at(s->image_fd, "repositories.json", &sb, REFS_MAX, err) < 0) {
		sbuf_release(&sb);
		return -1;
	}
	j = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &je);
	sbuf_release(&sb);
	if (!j || !json_is_object(j))
		goto bad;
	if (!json_object_get(j, "Repositories"))
		json_object_set_new(j, "Repositories", json_object());
	if (!json_is_object(json_object_get(j, "Repositories")))
		goto bad;
	*out = j;
	return 0;
bad:
	json_decref(j);
	return berr_set(err, BERR_INVALID, "repositories.json: malformed");
}

int store_refs_save(struct store *s, json_t *refs, struct berr *err)
{
	/* Only "Repositories" is kept (Docker marshals just that field), keys
	 * sorted as Go sorts map keys, no trailing newline. */
	json_t *doc = json_pack("{sO}", "Repositories", json_object_get(refs, "Repositories"));
	char *txt = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	json_decref(doc);
	if (!txt)
		return berr_set(err, BERR_INTERNAL, "encode repositories.json");
	rc = atomic_write_at(s->image_fd, "repositories.json", txt, strlen(txt), 0600, err);
	free(txt);
	return rc;
}

void store_refs_set(json_t *refs, const char *familiar_name, const char *key, const char *image_id,
		    char **prev)
{
	json_t *repos = json_object_get(refs, "Repositories");
	json_t *repo = json_object_get(repos, familiar_name);
	const char *old;

	if (!repo) {
		repo = json_object();
		json_object_set_new(repos, familiar_name, repo);
	}
	old = json_string_value(json_object_get(repo, key));
	if (prev)
		*prev = old ? xstrdup(old) : NULL;
	json_object_set_new(repo, key, json_string(image_id));
}
