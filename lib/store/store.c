/*
 * store.c - the overlay2-layout store; see store.h for the layout and the
 * visibility rules this code keeps.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"

#define REFS_MAX (64u << 20)
#define SMALL_MAX 4096

static int mkdir_mode(int dirfd, const char *path, mode_t mode, struct berr *err)
{
	if (mkdirat(dirfd, path, mode) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", path);
	return 0;
}

static int create_layout(int root_fd, struct berr *err)
{
	static const struct { const char *path; mode_t mode; } dirs[] = {
		{ "image", 0700 },
		{ "image/overlay2", 0700 },
		{ "image/overlay2/imagedb", 0700 },
		{ "image/overlay2/imagedb/content", 0700 },
		{ "image/overlay2/imagedb/content/sha256", 0700 },
		{ "image/overlay2/imagedb/metadata", 0700 },
		{ "image/overlay2/imagedb/metadata/sha256", 0700 },
		{ "image/overlay2/layerdb", 0700 },
		{ "image/overlay2/layerdb/sha256", 0755 },
		{ "image/overlay2/layerdb/tmp", 0755 },
		{ "image/overlay2/distribution", 0700 },
		{ "image/overlay2/distribution/diffid-by-digest", 0755 },
		{ "image/overlay2/distribution/diffid-by-digest/sha256", 0755 },
		{ "image/overlay2/distribution/v2metadata-by-diffid", 0755 },
		{ "image/overlay2/distribution/v2metadata-by-diffid/sha256", 0755 },
		{ "overlay2", 0710 },
		{ "overlay2/l", 0700 },
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir_mode(root_fd, dirs[i].path, dirs[i].mode, err) < 0)
			return -1;
	if (faccessat(root_fd, "image/overlay2/repositories.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		static const char empty[] = "{\"Repositories\":{}}";
		if (atomic_write_at(root_fd, "image/overlay2/repositories.json", empty, sizeof(empty) - 1, 0600,
				    err) < 0)
			return -1;
	}
	return 0;
}

int store_open(struct store **out, const char *root, struct berr *err)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->root_fd = s->image_fd = s->overlay_fd = s->lock_fd = -1;
	s->root = xstrdup(root);
	if (root[0] && mkdir_p_at(AT_FDCWD, root, 0711, err) < 0)
		goto fail;
	s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		berr_sys(err, "open %s", root);
		goto fail;
	}
	if (create_layout(s->root_fd, err) < 0)
		goto fail;
	s->image_fd = openat(s->root_fd, "image/overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s->overlay_fd = openat(s->root_fd, "overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->image_fd < 0 || s->overlay_fd < 0) {
		berr_sys(err, "open store under %s", root);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	berr_wrap(err, "open store %s", root);
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->overlay_fd >= 0)
		close(s->overlay_fd);
	if (s->image_fd >= 0)
		close(s->image_fd);
	if (s->root_fd >= 0)
		close(s->root_fd);
	free(s->root);
	free(s);
}

int store_lock(struct store *s, struct berr *err)
{
	if (s->lock_fd < 0) {
		s->lock_fd = openat(s->root_fd, "berth.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (s->lock_fd < 0)
			return berr_sys(err, "open lock");
	}
	while (flock(s->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return berr_sys(err, "lock store");
	return 0;
}

void store_unlock(struct store *s)
{
	if (s->lock_fd >= 0)
		flock(s->lock_fd, LOCK_UN);
}

/* ---- layers ---- */

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

static int read_small(int dirfd, const char *path, char *out, size_t n, int trim, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;

	if (read_file_at(dirfd, path, &sb, SMALL_MAX, err) < 0) {
		sbuf_release(&sb);
		return -1;
	}
	if (trim)
		while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
			sb.buf[--sb.len] = '\0';
	if (sb.len >= n) {
		sbuf_release(&sb);
		return berr_set(err, BERR_INVALID, "%s: unexpected content", path);
	}
	memcpy(out, sbuf_str(&sb), sb.len + 1);
	sbuf_release(&sb);
	return 0;
}

int store_layer_read(struct store *s, const char *chain_id, struct store_layer *out, struct berr *err)
{
	char p[256], size[32];
	char *end;

	memset(out, 0, sizeof(*out));
	snprintf(out->chain_id, sizeof(out->chain_id), "%s", chain_id);
	layer_path(p, sizeof(p), chain_id, "diff");
	if (read_small(s->image_fd, p, out->diff_id, sizeof(out->diff_id), 1, err) < 0)
		goto fail;
	layer_path(p, sizeof(p), chain_id, "cache-id");
	if (read_small(s->image_fd, p, out->cache_id, sizeof(out->cache_id), 1, err) < 0)
		goto fail;
	layer_path(p, sizeof(p), chain_id, "size");
	if (read_small(s->image_fd, p, size, sizeof(size), 0, err) < 0)
		goto fail;
	errno = 0;
	out->size = strtoll(size, &end, 10);
	if (errno || *end || end == size) {
		berr_set(err, BERR_INVALID, "invalid size in %s", p);
		goto fail;
	}
	layer_path(p, sizeof(p), chain_id, "parent");
	if (read_small(s->image_fd, p, out->parent, sizeof(out->parent), 1, err) < 0) {
		if (err && err->errno_ != ENOENT)
			goto fail;
		out->parent[0] = '\0';
		berr_clear(err);
	}
	return 0;
fail:
	return berr_wrap(err, "layer %s", chain_id);
}

static void marker_path(char *buf, size_t n, const char *cache_id)
{
	snprintf(buf, n, "layerdb/tmp/incomplete-%s", cache_id);
}

int store_layer_dir_new(struct store *s, struct layer_dir *out, struct berr *err)
{
	char p[128];

	random_id(out->cache_id);
	out->diff_fd = -1;
	marker_path(p, sizeof(p), out->cache_id);
	out->marker_fd = openat(s->image_fd, p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out->marker_fd < 0)
		return berr_sys(err, "create %s", p);
	if (flock(out->marker_fd, LOCK_EX | LOCK_NB) < 0 || mkdirat(s->overlay_fd, out->cache_id, 0710) < 0) {
		berr_sys(err, "mkdir overlay2/%s", out->cache_id);
		store_layer_dir_done(s, out);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/diff", out->cache_id);
	if (mkdirat(s->overlay_fd, p, 0755) < 0 || fchmodat(s->overlay_fd, p, 0755, 0) < 0) {
		berr_sys(err, "mkdir overlay2/%s", p);
		goto fail;
	}
	out->diff_fd = openat(s->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->diff_fd < 0) {
		berr_sys(err, "open overlay2/%s", p);
		goto fail;
	}
	return 0;
fail:
	remove_all_at(s->overlay_fd, out->cache_id, NULL);
	return -1;
}

void store_layer_dir_close(struct layer_dir *ld)
{
	if (ld->diff_fd >= 0)
		close(ld->diff_fd);
	ld->diff_fd = -1;
}

void store_layer_dir_done(struct store *s, struct layer_dir *ld)
{
	char p[128];

	if (ld->marker_fd < 0)
		return;
	/* Unlink before unlocking: a gc that wins the lock then finds no
	 * marker to act on. */
	marker_path(p, sizeof(p), ld->cache_id);
	unlinkat(s->image_fd, p, 0);
	close(ld->marker_fd);
	ld->marker_fd = -1;
}

void store_layer_dir_discard(struct store *s, struct layer_dir *ld)
{
	store_layer_dir_close(ld);
	if (ld->cache_id[0])
		remove_all_at(s->overlay_fd, ld->cache_id, NULL);
	store_layer_dir_done(s, ld);
	ld->cache_id[0] = '\0';
}

void store_gc(struct store *s)
{
	int fd = openat(s->image_fd, "layerdb/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *id = de->d_name + 11;
		char p[160];
		int mfd;

		if (!strncmp(de->d_name, "write-set-", 10)) {
			remove_all_at(dirfd(d), de->d_name, NULL);
			continue;
		}
		if (strncmp(de->d_name, "incomplete-", 11) || strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
			continue;
		mfd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC);
		if (mfd < 0)
			continue;
		if (flock(mfd, LOCK_EX | LOCK_NB) == 0) {
			remove_all_at(s->overlay_fd, id, NULL);
			snprintf(p, sizeof(p), "ts-%s", id);
			unlinkat(dirfd(d), p, 0);
			unlinkat(dirfd(d), de->d_name, 0);
		}
		close(mfd);
	}
	closedir(d);
	store_cleanup_removing(s);
}

int store_tmpfile(struct store *s, const struct layer_dir *ld, char name_out[96], int *fd_out,
		  struct berr *err)
{
	snprintf(name_out, 96, "layerdb/tmp/ts-%s", ld->cache_id);
	*fd_out = openat(s->image_fd, name_out, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (*fd_out < 0)
		return berr_sys(err, "create %s", name_out);
	return 0;
}

void store_tmpfile_discard(struct store *s, const char *name)
{
	if (name && name[0])
		unlinkat(s->image_fd, name, 0);
}

/* overlay2/<cache>/{link,lower,work} and l/<link>, and the parent's
 * "committed" marker, as the overlay2 driver's create() leaves them. */
static int overlay_link_layer(struct store *s, const struct store_layer *l, char link_out[27], struct berr *err)
{
	char p[256], target[128];

	random_link_id(link_out);
	snprintf(p, sizeof(p), "%s/link", l->cache_id);
	if (atomic_write_at(s->overlay_fd, p, link_out, 26, 0644, err) < 0)
		return -1;
	snprintf(target, sizeof(target), "../%s/diff", l->cache_id);
	snprintf(p, sizeof(p), "l/%s", link_out);
	if (symlinkat(target, s->overlay_fd, p) < 0)
		return berr_sys(err, "symlink overlay2/%s", p);
	if (!l->parent[0])
		return 0;

	struct store_layer parent;
	char plink[32], lower[8192];
	struct sbuf plower = SBUF_INIT;
	int n;

	if (store_layer_read(s, l->parent, &parent, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/link", parent.cache_id);
	if (read_small(s->overlay_fd, p, plink, sizeof(plink), 1, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lower", parent.cache_id);
	if (read_file_at(s->overlay_fd, p, &plower, sizeof(lower), err) < 0) {
		if (err && err->errno_ != ENOENT) {
			sbuf_release(&plower);
			return -1;
		}
		berr_clear(err);
	}
	n = snprintf(lower, sizeof(lower), "l/%s%s%s", plink, plower.len ? ":" : "", sbuf_str(&plower));
	sbuf_release(&plower);
	if (n >= (int)sizeof(lower))
		return berr_set(err, BERR_INVALID, "max depth exceeded");
	snprintf(p, sizeof(p), "%s/work", l->cache_id);
	if (mkdir_mode(s->overlay_fd, p, 0700, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lower", l->cache_id);
	if (atomic_write_at(s->overlay_fd, p, lower, (size_t)n, 0644, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/committed", parent.cache_id);
	return atomic_write_at(s->overlay_fd, p, "", 0, 0600, err);
}

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
	if (overlay_link_layer(s, l, link, err) < 0)
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
	if (link[0]) {
		char p[40];
		snprintf(p, sizeof(p), "l/%s", link);
		unlinkat(s->overlay_fd, p, 0);
	}
	return berr_wrap(err, "register layer %s", l->chain_id);
}

/* ---- images ---- */

int store_image_exists(struct store *s, const char *image_id)
{
	char p[160];

	snprintf(p, sizeof(p), "imagedb/content/sha256/%s", digest_hex(image_id));
	return faccessat(s->image_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_image_put(struct store *s, const void *config, size_t len, char id_out[DIGEST_STR_LEN],
		    struct berr *err)
{
	char p[160];

	/* Docker creates imagedb/metadata/sha256/<id> only when it has
	 * metadata to write (tag, commit), never at pull. */
	sha256_digest(config, len, id_out);
	snprintf(p, sizeof(p), "imagedb/content/sha256/%s", digest_hex(id_out));
	return atomic_write_at(s->image_fd, p, config, len, 0600, err);
}

int store_image_config(struct store *s, const char *image_id, struct sbuf *out, struct berr *err)
{
	char p[160], got[DIGEST_STR_LEN];

	snprintf(p, sizeof(p), "imagedb/content/sha256/%s", digest_hex(image_id));
	if (read_file_at(s->image_fd, p, out, 64u << 20, err) < 0)
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

/* ---- references ---- */

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

/* ---- distribution metadata ---- */

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
	while (json_array_size(arr) > 50)
		json_array_remove(arr, 0);
	txt = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!txt)
		return berr_set(err, BERR_INTERNAL, "encode v2metadata");
	rc = atomic_write_at(s->image_fd, p, txt, strlen(txt), 0644, err);
	free(txt);
	return rc;
}

/* ---- deletion ---- */

static int is_hex64(const char *s)
{
	return strlen(s) >= 64 && strspn(s, "0123456789abcdef") >= 64;
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
		if (strlen(de->d_name) != DIGEST_HEX_LEN || !is_hex64(de->d_name))
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

/* overlay2's Remove: the l/ link named by <cache>/link, then the dir. */
static void remove_driver_dir(struct store *s, const char *cache_id)
{
	char p[128], link[32];

	if (!is_hex64(cache_id) || strlen(cache_id) != 64)
		return;
	snprintf(p, sizeof(p), "%s/link", cache_id);
	if (read_small(s->overlay_fd, p, link, sizeof(link), 1, NULL) == 0 && link[0] && !strchr(link, '/')) {
		snprintf(p, sizeof(p), "l/%s", link);
		unlinkat(s->overlay_fd, p, 0);
	}
	remove_all_at(s->overlay_fd, cache_id, NULL);
}

static void finish_removing(struct store *s, const char *dir)
{
	char p[256], cache_id[80];

	snprintf(p, sizeof(p), "%s/cache-id", dir);
	if (read_small(s->image_fd, p, cache_id, sizeof(cache_id), 1, NULL) == 0)
		remove_driver_dir(s, cache_id);
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
		if (len < 9 || strcmp(de->d_name + len - 9, "-removing") != 0 || !is_hex64(de->d_name))
			continue;
		snprintf(p, sizeof(p), "layerdb/sha256/%s", de->d_name);
		finish_removing(s, p);
	}
	closedir(d);
}

int store_image_delete(struct store *s, const char *image_id, struct berr *err)
{
	char p[160];

	snprintf(p, sizeof(p), "imagedb/content/sha256/%s", digest_hex(image_id));
	if (unlinkat(s->image_fd, p, 0) < 0 && errno != ENOENT)
		return berr_sys(err, "delete image %s", image_id);
	fsync_dir_at(s->image_fd, "imagedb/content/sha256", NULL);
	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s", digest_hex(image_id));
	remove_all_at(s->image_fd, p, NULL);
	snprintf(p, sizeof(p), MANIFESTS_DIR "/%s", digest_hex(image_id));
	unlinkat(s->root_fd, p, 0);
	return 0;
}

int store_image_parent(struct store *s, const char *image_id, char parent_out[DIGEST_STR_LEN])
{
	char p[200];

	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s/parent", digest_hex(image_id));
	if (read_small(s->image_fd, p, parent_out, DIGEST_STR_LEN, 1, NULL) < 0 ||
	    digest_validate(parent_out, NULL) < 0) {
		parent_out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---- berth's own records ---- */

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
	snprintf(p, sizeof(p), MANIFESTS_DIR "/%s", digest_hex(image_id));
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

	snprintf(p, sizeof(p), MANIFESTS_DIR "/%s", digest_hex(image_id));
	if (read_file_at(s->root_fd, p, out, (4 << 20) + 256, err) < 0)
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

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
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
		if (!is_hex64(de->d_name))
			continue;
		if (*n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), cmp_strp);
	return v;
}

int store_ids_have(char **ids, size_t n, const char *hex)
{
	return ids && bsearch(&hex, ids, n, sizeof(*ids), cmp_strp) != NULL;
}

int store_layer_parent(struct store *s, const char *chain_id, char parent_out[DIGEST_STR_LEN])
{
	struct berr e = BERR_INIT;
	char p[256];

	layer_path(p, sizeof(p), chain_id, "parent");
	if (read_small(s->image_fd, p, parent_out, DIGEST_STR_LEN, 1, &e) < 0) {
		parent_out[0] = '\0';
		return e.errno_ == ENOENT ? 0 : -1;
	}
	return 0;
}

int store_layer_size(struct store *s, const char *chain_id, int64_t *size)
{
	char p[256], buf[32], *end;

	layer_path(p, sizeof(p), chain_id, "size");
	if (read_small(s->image_fd, p, buf, sizeof(buf), 1, NULL) < 0)
		return -1;
	errno = 0;
	*size = strtoll(buf, &end, 10);
	return errno || *end || end == buf ? -1 : 0;
}
