/* imagedb.c - Docker's image store and its per-image metadata (imagedb.h). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/fs.h"
#include "private.h"

/* Docker's own bound on a config it reads back. */
#define CONFIG_MAX (64u << 20)

static void content_path(char *buf, size_t n, const char *image_id)
{
	snprintf(buf, n, "imagedb/content/sha256/%s", digest_hex(image_id));
}

int store_image_exists(struct store *s, const char *image_id)
{
	char p[160];

	content_path(p, sizeof(p), image_id);
	return faccessat(s->image_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_image_put(struct store *s, const void *config, size_t len, char id_out[DIGEST_STR_LEN],
		    struct berr *err)
{
	char p[160];

	/* Docker creates imagedb/metadata/sha256/<id> only when it has
	 * metadata to write (tag, commit), never at pull. */
	sha256_digest(config, len, id_out);
	content_path(p, sizeof(p), id_out);
	return atomic_write_at(s->image_fd, p, config, len, 0600, err);
}

int store_image_config(struct store *s, const char *image_id, struct sbuf *out, struct berr *err)
{
	char p[160], got[DIGEST_STR_LEN];

	content_path(p, sizeof(p), image_id);
	if (read_file_at(s->image_fd, p, out, CONFIG_MAX, err) < 0)
		return -1;
	sha256_digest(out->buf, out->len, got);
	if (strcmp(got, image_id) != 0)
		return berr_set(err, BERR_DIGEST, "failed to verify: %s", image_id);
	return 0;
}

int store_image_list(struct store *s, char ***ids, struct berr *err)
{
	int fd = openat(s->image_fd, "imagedb/content/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	size_t n = 0, cap = 16;
	char **v;

	if (fd < 0)
		return berr_sys(err, "open imagedb");
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr_sys(err, "open imagedb");
	}
	v = xmalloc(cap * sizeof(*v));
	while ((de = readdir(d))) {
		char id[DIGEST_STR_LEN + 8];
		if (strlen(de->d_name) != DIGEST_HEX_LEN)
			continue;
		snprintf(id, sizeof(id), "sha256:%.64s", de->d_name);
		if (digest_validate(id, NULL) < 0)
			continue;
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = xstrdup(id);
	}
	closedir(d);
	v[n] = NULL;
	*ids = v;
	return 0;
}

int store_image_delete(struct store *s, const char *image_id, struct berr *err)
{
	char p[160];

	content_path(p, sizeof(p), image_id);
	if (unlinkat(s->image_fd, p, 0) < 0 && errno != ENOENT)
		return berr_sys(err, "delete image %s", image_id);
	fsync_dir_at(s->image_fd, "imagedb/content/sha256", NULL);
	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s", digest_hex(image_id));
	remove_all_at(s->image_fd, p, NULL);
	store_manifest_remove(s, image_id);
	return 0;
}

/* ---- metadata ---- */

int store_image_parent(struct store *s, const char *image_id, char parent_out[DIGEST_STR_LEN])
{
	char p[200];

	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s/parent", digest_hex(image_id));
	if (store_read_small(s->image_fd, p, parent_out, DIGEST_STR_LEN, 1, NULL) < 0 ||
	    digest_validate(parent_out, NULL) < 0) {
		parent_out[0] = '\0';
		return -1;
	}
	return 0;
}

char **store_image_metadata_ids(struct store *s, size_t *n)
{
	int fd = openat(s->image_fd, "imagedb/metadata/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (!store_is_hex64(de->d_name))
			continue;
		if (*n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), str_ptr_cmp);
	return v;
}

int store_ids_have(char **ids, size_t n, const char *hex)
{
	return ids && bsearch(&hex, ids, n, sizeof(*ids), str_ptr_cmp) != NULL;
}

void store_time_rfc3339nano(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char date[32], frac[16] = "", zone[24];
	long off;
	int k;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's .999999999: the fraction without trailing zeros, no dot when 0. */
	if (ts.tv_nsec) {
		snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
		for (k = (int)strlen(frac) - 1; frac[k] == '0'; k--)
			frac[k] = '\0';
	}
	off = tm.tm_gmtoff;
	if (!off)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
			 labs(off) % 3600 / 60);
	snprintf(buf, n, "%s%s%s", date, frac, zone);
}

int store_last_updated_read(struct store *s, const char *image_id, char *buf, size_t n)
{
	char p[200];
	ssize_t k;
	int fd;

	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s/lastUpdated", digest_hex(image_id));
	fd = openat(s->image_fd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	k = read(fd, buf, n - 1);
	close(fd);
	if (k <= 0 || (size_t)k >= n - 1)
		return -1;
	buf[k] = '\0';
	return 0;
}

int store_last_updated_touch(struct store *s, const char *image_id, struct berr *err)
{
	char dir[160], p[200], now[64];

	snprintf(dir, sizeof(dir), "imagedb/metadata/sha256/%s", digest_hex(image_id));
	if (mkdir_p_at(s->image_fd, dir, 0700, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lastUpdated", dir);
	store_time_rfc3339nano(now, sizeof(now));
	return atomic_write_at(s->image_fd, p, now, strlen(now), 0600, err);
}

size_t store_image_count(struct store *s)
{
	return store_count_hex64(s->image_fd, "imagedb/content/sha256");
}

int store_image_set_parent(struct store *s, const char *image_id, const char *parent_id, struct berr *err)
{
	char dir[160], p[200];

	snprintf(dir, sizeof(dir), "imagedb/metadata/sha256/%s", digest_hex(image_id));
	if (mkdir_p_at(s->image_fd, dir, 0700, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/parent", dir);
	return atomic_write_at(s->image_fd, p, parent_id, strlen(parent_id), 0600, err);
}
