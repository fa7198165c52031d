/* manifests.c - berth's record of pulled manifests (manifests.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/fs.h"

/* A manifest (4 MiB at most) and its two header lines. */
#define RECORD_MAX ((4 << 20) + 256)

static void record_path(char *buf, size_t n, const char *image_id)
{
	snprintf(buf, n, MANIFESTS_DIR "/%s", digest_hex(image_id));
}

int store_manifest_put(struct store *s, const char *image_id, const char *media_type, const char *source,
		       const void *buf, size_t len, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	char p[160];
	int rc;

	if (mkdir_p_at(s->root_fd, MANIFESTS_DIR, 0700, err) < 0)
		return -1;
	sbuf_addf(&sb, "%s\n%s\n", media_type, source);
	sbuf_add(&sb, buf, len);
	record_path(p, sizeof(p), image_id);
	rc = cache_write_at(s->root_fd, p, sb.buf, sb.len, 0600, err);
	sbuf_release(&sb);
	return rc;
}

/* Cuts the first line off sb into a new string. */
static char *take_line(struct sbuf *sb)
{
	char *nl = memchr(sb->buf, '\n', sb->len), *line;
	size_t n;

	if (!nl)
		return NULL;
	n = (size_t)(nl - sb->buf);
	line = xstrndup(sb->buf, n);
	memmove(sb->buf, nl + 1, sb->len - n - 1);
	sb->len -= n + 1;
	sb->buf[sb->len] = '\0';
	return line;
}

int store_manifest_get(struct store *s, const char *image_id, char **media_type, char **source, struct sbuf *out,
		       struct berr *err)
{
	char p[160];

	record_path(p, sizeof(p), image_id);
	if (read_file_at(s->root_fd, p, out, RECORD_MAX, err) < 0)
		return -1;
	*media_type = take_line(out);
	*source = take_line(out);
	if (!*media_type || !*source) {
		free(*media_type);
		free(*source);
		return berr_set(err, BERR_INVALID, "%s: bad header", p);
	}
	return 0;
}

void store_manifest_remove(struct store *s, const char *image_id)
{
	char p[160];

	record_path(p, sizeof(p), image_id);
	unlinkat(s->root_fd, p, 0);
}
