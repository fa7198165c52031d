/* distribution.c - Docker's distribution metadata (distribution.h). */
#include "store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"

/* Docker keeps the last 50 sources of a layer. */
#define V2METADATA_KEEP 50

int store_dist_add(struct store *s, const char *blob_digest, const char *diff_id, const char *source_repo,
		   struct berr *err)
{
	char p[200];
	struct sbuf sb = SBUF_INIT;
	json_t *arr = NULL, *fresh;
	char *txt;
	int rc;

	snprintf(p, sizeof(p), "distribution/diffid-by-digest/sha256/%s", digest_hex(blob_digest));
	if (atomic_write_at(s->image_fd, p, diff_id, strlen(diff_id), 0644, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "distribution/v2metadata-by-diffid/sha256/%s", digest_hex(diff_id));
	if (read_file_at(s->image_fd, p, &sb, 1u << 20, NULL) == 0)
		arr = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, NULL);
	sbuf_release(&sb);
	if (!json_is_array(arr)) {
		json_decref(arr);
		arr = json_array();
	}
	fresh = json_pack("{ssssss}", "Digest", blob_digest, "SourceRepository", source_repo, "HMAC", "");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		if (json_equal(e, fresh)) {
			json_array_remove(arr, i);
			break;
		}
	}
	json_array_append_new(arr, fresh);
	while (json_array_size(arr) > V2METADATA_KEEP)
		json_array_remove(arr, 0);
	txt = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!txt)
		return berr_set(err, BERR_INTERNAL, "encode v2metadata");
	rc = atomic_write_at(s->image_fd, p, txt, strlen(txt), 0644, err);
	free(txt);
	return rc;
}

void store_dist_sources(struct store *s, const char *diff_id, struct store_dist_source **out, size_t *n)
{
	struct sbuf sb = SBUF_INIT;
	char p[200];
	json_t *arr = NULL;

	*out = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "distribution/v2metadata-by-diffid/sha256/%s", digest_hex(diff_id));
	if (read_file_at(s->image_fd, p, &sb, 1u << 20, NULL) == 0)
		arr = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, NULL);
	sbuf_release(&sb);
	if (!json_array_size(arr)) {
		json_decref(arr);
		return;
	}
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		const char *d = json_string_value(json_object_get(e, "Digest"));
		const char *src = json_string_value(json_object_get(e, "SourceRepository"));

		if (!d || digest_validate(d, NULL) < 0 || strlen(d) >= DIGEST_STR_LEN)
			continue;
		snprintf((*out)[*n].digest, DIGEST_STR_LEN, "%s", d);
		(*out)[(*n)++].source = xstrdup(src ? src : "");
	}
	json_decref(arr);
}

void store_dist_sources_free(struct store_dist_source *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].source);
	free(v);
}
