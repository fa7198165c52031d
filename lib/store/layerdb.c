/* layerdb.c - Docker's layer store (layerdb.h). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "private.h"

static void layer_path(char *buf, size_t n, const char *chain_id, const char *file)
{
	snprintf(buf, n, "layerdb/sha256/%s%s%s", digest_hex(chain_id), file ? "/" : "", file ? file : "");
}

int store_layer_exists(struct store *s, const char *chain_id)
{
	char p[256];

	layer_path(p, sizeof(p), chain_id, "diff");
	return faccessat(s->image_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_layer_read(struct store *s, const char *chain_id, struct store_layer *out, struct berr *err)
{
	char p[256], size[32];
	char *end;

	memset(out, 0, sizeof(*out));
	snprintf(out->chain_id, sizeof(out->chain_id), "%s", chain_id);
	layer_path(p, sizeof(p), chain_id, "diff");
	if (store_read_small(s->image_fd, p, out->diff_id, sizeof(out->diff_id), 1, err) < 0)
		goto fail;
	layer_path(p, sizeof(p), chain_id, "cache-id");
	if (store_read_small(s->image_fd, p, out->cache_id, sizeof(out->cache_id), 1, err) < 0)
		goto fail;
	layer_path(p, sizeof(p), chain_id, "size");
	if (store_read_small(s->image_fd, p, size, sizeof(size), 0, err) < 0)
		goto fail;
	errno = 0;
	out->size = strtoll(size, &end, 10);
	if (errno || *end || end == size) {
		berr_set(err, BERR_INVALID, "invalid size in %s", p);
		goto fail;
	}
	layer_path(p, sizeof(p), chain_id, "parent");
	if (store_read_small(s->image_fd, p, out->parent, sizeof(out->parent), 1, err) < 0) {
		if (err && err->errno_ != ENOENT)
			goto fail;
		out->parent[0] = '\0';
		berr_clear(err);
	}
	return 0;
fail:
	return berr_wrap(err, "layer %s", chain_id);
}

int store_layer_parent(struct store *s, const char *chain_id, char parent_out[DIGEST_STR_LEN])
{
	struct berr e = BERR_INIT;
	char p[256];

	layer_path(p, sizeof(p), chain_id, "parent");
	if (store_read_small(s->image_fd, p, parent_out, DIGEST_STR_LEN, 1, &e) < 0) {
		parent_out[0] = '\0';
		return e.errno_ == ENOENT ? 0 : -1;
	}
	return 0;
}

int store_layer_size(struct store *s, const char *chain_id, int64_t *size)
{
	char p[256], buf[32], *end;

	layer_path(p, sizeof(p), chain_id, "size");
	if (store_read_small(s->image_fd, p, buf, sizeof(buf), 1, NULL) < 0)
		return -1;
	errno = 0;
	*size = strtoll(buf, &end, 10);
	return errno || *end || end == buf ? -1 : 0;
}

int store_layer_list(struct store *s, char ***ids, struct berr *err)
{
	int fd = openat(s->image_fd, "layerdb/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0, cap = 16;
	char **v;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, "open layerdb");
	}
	v = xmalloc(cap * sizeof(*v));
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != DIGEST_HEX_LEN || !store_is_hex64(de->d_name))
			continue;
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = xasprintf("sha256:%s", de->d_name);
	}
	closedir(d);
	v[n] = NULL;
	*ids = v;
	return 0;
}

/* ---- registration ---- */

static int write_layer_files(struct store *s, const char *dir, const struct store_layer *l,
			     const char *tarsplit_tmp, struct berr *err)
{
	char p[256], size[32];
	int n;

	snprintf(p, sizeof(p), "%s/diff", dir);
	if (atomic_write_at(s->image_fd, p, l->diff_id, strlen(l->diff_id), 0644, err) < 0)
		return -1;
	n = snprintf(size, sizeof(size), "%lld", (long long)l->size);
	snprintf(p, sizeof(p), "%s/size", dir);
	if (atomic_write_at(s->image_fd, p, size, (size_t)n, 0644, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/cache-id", dir);
	if (atomic_write_at(s->image_fd, p, l->cache_id, strlen(l->cache_id), 0644, err) < 0)
		return -1;
	if (l->parent[0]) {
		snprintf(p, sizeof(p), "%s/parent", dir);
		if (atomic_write_at(s->image_fd, p, l->parent, strlen(l->parent), 0644, err) < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/tar-split.json.gz", dir);
	if (renameat(s->image_fd, tarsplit_tmp, s->image_fd, p) < 0)
		return berr_sys(err, "rename tar-split");
	return fsync_dir_at(s->image_fd, dir, err);
}

/* The driver side first: the parent's cache dir gets its child links. */
static int link_driver_dir(struct store *s, const struct store_layer *l, char link_out[27], struct berr *err)
{
	struct store_layer parent;

	if (!l->parent[0])
		return overlay2_link(s, l->cache_id, NULL, link_out, err);
	if (store_layer_read(s, l->parent, &parent, err) < 0) {
		link_out[0] = '\0';
		return -1;
	}
	return overlay2_link(s, l->cache_id, parent.cache_id, link_out, err);
}

int store_layer_register(struct store *s, const struct store_layer *l, const char *tarsplit_tmp,
			 int *existed, struct berr *err)
{
	char dir[96], final[128], link[27] = "";
	char id[65];

	*existed = 0;
	if (store_layer_exists(s, l->chain_id)) {
		*existed = 1;
		store_tmpfile_discard(s, tarsplit_tmp);
		remove_all_at(s->overlay_fd, l->cache_id, NULL);
		return 0;
	}
	if (link_driver_dir(s, l, link, err) < 0)
		goto fail;
	random_id(id);
	snprintf(dir, sizeof(dir), "layerdb/tmp/write-set-%.20s", id);
	if (mkdirat(s->image_fd, dir, 0700) < 0) {
		berr_sys(err, "mkdir %s", dir);
		goto fail;
	}
	if (write_layer_files(s, dir, l, tarsplit_tmp, err) < 0) {
		remove_all_at(s->image_fd, dir, NULL);
		goto fail;
	}
	layer_path(final, sizeof(final), l->chain_id, NULL);
	if (renameat(s->image_fd, dir, s->image_fd, final) < 0) {
		berr_sys(err, "rename %s", final);
		remove_all_at(s->image_fd, dir, NULL);
		goto fail;
	}
	return fsync_dir_at(s->image_fd, "layerdb/sha256", err);
fail:
	overlay2_unlink(s, link);
	return berr_wrap(err, "register layer %s", l->chain_id);
}

/* ---- deletion ---- */

static void finish_removing(struct store *s, const char *dir)
{
	char p[256], cache_id[80];

	snprintf(p, sizeof(p), "%s/cache-id", dir);
	if (store_read_small(s->image_fd, p, cache_id, sizeof(cache_id), 1, NULL) == 0)
		overlay2_remove(s, cache_id);
	remove_all_at(s->image_fd, dir, NULL);
}

int store_layer_delete(struct store *s, const char *chain_id, struct berr *err)
{
	char from[128], to[256], rnd[65];

	random_id(rnd);
	layer_path(from, sizeof(from), chain_id, NULL);
	snprintf(to, sizeof(to), "%s-%s-removing", from, rnd);
	if (renameat(s->image_fd, from, s->image_fd, to) < 0)
		return berr_sys(err, "remove layer %s", chain_id);
	fsync_dir_at(s->image_fd, "layerdb/sha256", NULL);
	finish_removing(s, to);
	return 0;
}

void store_cleanup_removing(struct store *s)
{
	int fd = openat(s->image_fd, "layerdb/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t len;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char p[400];
		len = strlen(de->d_name);
		if (len < 9 || strcmp(de->d_name + len - 9, "-removing") != 0 || !store_is_hex64(de->d_name))
			continue;
		snprintf(p, sizeof(p), "layerdb/sha256/%s", de->d_name);
		finish_removing(s, p);
	}
	closedir(d);
}

void layerdb_gc(struct store *s)
{
	int fd = openat(s->image_fd, "layerdb/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "write-set-", 10))
			remove_all_at(dirfd(d), de->d_name, NULL);
	closedir(d);
	store_cleanup_removing(s);
}

size_t store_layer_count(struct store *s)
{
	return store_count_hex64(s->image_fd, "layerdb/sha256");
}
