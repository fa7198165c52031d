/* mounts.c - containers' read-write layers (mounts.h). */
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

static int is_container_id(const char *id)
{
	return strlen(id) == 64 && store_is_hex64(id);
}

static int write_small(struct store *s, const char *dir, const char *file, const char *v, struct berr *err)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	/* As dockerd writes them (no fsync): the dir's rename publishes them. */
	return cache_write_at(s->image_fd, p, v, strlen(v), 0644, err);
}

/* The init layer, then the RW layer on it: what the layer store's
 * CreateRWLayer asks of the driver. */
static int create_driver_dirs(struct store *s, const struct store_rwlayer *l, struct berr *err)
{
	struct store_layer top;
	const char *top_cache = NULL;

	if (l->parent[0]) {
		if (store_layer_read(s, l->parent, &top, err) < 0)
			return -1;
		top_cache = top.cache_id;
	}
	if (overlay2_create(s, l->init_id, top_cache, err) < 0)
		return -1;
	if (overlay2_init_layer(s, l->init_id, err) < 0 || overlay2_create(s, l->mount_id, l->init_id, err) < 0) {
		overlay2_remove_rw(s, l->init_id);
		return -1;
	}
	return 0;
}

static int write_mounts_dir(struct store *s, const struct store_rwlayer *l, int flags, struct berr *err)
{
	char tmp[128], final[128];

	snprintf(tmp, sizeof(tmp), "layerdb/tmp/mount-%s", l->container_id);
	snprintf(final, sizeof(final), "layerdb/mounts/%s", l->container_id);
	remove_all_at(s->image_fd, tmp, NULL);
	if (store_mkdir(s->image_fd, "layerdb/mounts", 0755, err) < 0)
		return -1;
	if (mkdirat(s->image_fd, tmp, 0755) < 0)
		return berr_sys(err, "mkdir %s", tmp);
	if (write_small(s, tmp, "mount-id", l->mount_id, err) < 0 ||
	    write_small(s, tmp, "init-id", l->init_id, err) < 0 ||
	    (l->parent[0] && write_small(s, tmp, "parent", l->parent, err) < 0))
		goto fail;
	if (renameat(s->image_fd, tmp, s->image_fd, final) < 0) {
		berr_sys(err, "rename %s", final);
		goto fail;
	}
	return (flags & STORE_RW_EPHEMERAL) ? 0 : fsync_dir_at(s->image_fd, "layerdb/mounts", err);
fail:
	remove_all_at(s->image_fd, tmp, NULL);
	return -1;
}

static int write_marker(struct store *s, const char *path, const char *mount_id, struct berr *err)
{
	int fd = openat(s->image_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return berr_sys(err, "create %s", path);
	if (fd_write_all(fd, mount_id, 64, 0) < 0) {
		berr_sys(err, "write %s", path);
		close(fd);
		unlinkat(s->image_fd, path, 0);
		return -1;
	}
	close(fd);
	return 0;
}

static void marker_path(char *buf, size_t n, const char *container_id)
{
	snprintf(buf, n, "layerdb/tmp/rwlayer-%s", container_id);
}

int store_rwlayer_create(struct store *s, const char *container_id, const char *parent_chain, int flags,
			 struct store_rwlayer *out, struct berr *err)
{
	char marker[128], p[128];

	memset(out, 0, sizeof(*out));
	if (!is_container_id(container_id))
		return berr_set(err, BERR_INVALID, "invalid container id %s", container_id);
	snprintf(p, sizeof(p), "layerdb/mounts/%s", container_id);
	if (faccessat(s->image_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return berr_set(err, BERR_EXISTS, "mount %s already exists", container_id);
	memcpy(out->container_id, container_id, 65);
	random_id(out->mount_id);
	snprintf(out->init_id, sizeof(out->init_id), "%s-init", out->mount_id);
	if (parent_chain && parent_chain[0]) {
		if (!store_layer_exists(s, parent_chain))
			return berr_set(err, BERR_NOT_FOUND, "layer does not exist");
		snprintf(out->parent, sizeof(out->parent), "%s", parent_chain);
	}
	/* The marker first: whatever follows is undone by gc from it.  Not
	 * renamed into place (a temp file would be a leftover of its own):
	 * one torn by a kill has no valid mount ID, and then nothing was
	 * created after it either. */
	marker_path(marker, sizeof(marker), container_id);
	if (write_marker(s, marker, out->mount_id, err) < 0)
		return -1;
	if (create_driver_dirs(s, out, err) < 0)
		goto fail;
	if (write_mounts_dir(s, out, flags, err) < 0) {
		overlay2_remove_rw(s, out->mount_id);
		overlay2_remove_rw(s, out->init_id);
		goto fail;
	}
	return 0;
fail:
	unlinkat(s->image_fd, marker, 0);
	return berr_wrap(err, "create rw layer");
}

void store_rwlayer_done(struct store *s, const char *container_id)
{
	char marker[128];

	marker_path(marker, sizeof(marker), container_id);
	unlinkat(s->image_fd, marker, 0);
}

static int read_rwlayer_dir(struct store *s, const char *dir, struct store_rwlayer *out, struct berr *err)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/mount-id", dir);
	if (store_read_small(s->image_fd, p, out->mount_id, sizeof(out->mount_id), 1, err) < 0)
		return -1;
	if (!is_container_id(out->mount_id))
		return berr_set(err, BERR_INVALID, "invalid mount id value");
	snprintf(p, sizeof(p), "%s/init-id", dir);
	if (store_read_small(s->image_fd, p, out->init_id, sizeof(out->init_id), 1, NULL) < 0)
		out->init_id[0] = '\0';
	else if (strlen(out->init_id) != 69 || !store_is_hex64(out->init_id) || strcmp(out->init_id + 64, "-init"))
		return berr_set(err, BERR_INVALID, "invalid init id value");
	snprintf(p, sizeof(p), "%s/parent", dir);
	if (store_read_small(s->image_fd, p, out->parent, sizeof(out->parent), 1, NULL) < 0)
		out->parent[0] = '\0';
	return 0;
}

int store_rwlayer_read(struct store *s, const char *container_id, struct store_rwlayer *out, struct berr *err)
{
	char dir[128];

	memset(out, 0, sizeof(*out));
	if (!is_container_id(container_id))
		return berr_set(err, BERR_NOT_FOUND, "no rw layer for %s", container_id);
	snprintf(out->container_id, sizeof(out->container_id), "%s", container_id);
	snprintf(dir, sizeof(dir), "layerdb/mounts/%s", container_id);
	if (faccessat(s->image_fd, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_set(err, BERR_NOT_FOUND, "no rw layer for %s", container_id);
	return read_rwlayer_dir(s, dir, out, err);
}

/* The driver dirs of a (renamed-away) mounts dir, then the dir. */
static void finish_remove(struct store *s, const char *dir)
{
	struct store_rwlayer l;

	memset(&l, 0, sizeof(l));
	if (read_rwlayer_dir(s, dir, &l, NULL) == 0 || l.mount_id[0]) {
		overlay2_remove_rw(s, l.mount_id);
		if (l.init_id[0])
			overlay2_remove_rw(s, l.init_id);
	}
	remove_all_at(s->image_fd, dir, NULL);
}

int store_rwlayer_remove(struct store *s, const char *container_id, int flags, struct berr *err)
{
	char from[128], to[128];

	if (!is_container_id(container_id))
		return 0;
	snprintf(from, sizeof(from), "layerdb/mounts/%s", container_id);
	snprintf(to, sizeof(to), "layerdb/tmp/rm-mount-%s", container_id);
	remove_all_at(s->image_fd, to, NULL);
	if (renameat(s->image_fd, from, s->image_fd, to) < 0) {
		if (errno == ENOENT)
			return 0;
		return berr_sys(err, "remove rw layer of %s", container_id);
	}
	if (!(flags & STORE_RW_EPHEMERAL))
		fsync_dir_at(s->image_fd, "layerdb/mounts", NULL);
	finish_remove(s, to);
	return 0;
}

int store_rwlayer_mount(struct store *s, const char *container_id, char **merged_out, struct berr *err)
{
	struct store_rwlayer l;

	*merged_out = NULL;
	if (store_rwlayer_read(s, container_id, &l, err) < 0)
		return -1;
	return overlay2_mount(s, l.mount_id, merged_out, err);
}

int store_rwlayer_unmount(struct store *s, const char *container_id, struct berr *err)
{
	struct store_rwlayer l;

	if (store_rwlayer_read(s, container_id, &l, err) < 0)
		return -1;
	return overlay2_unmount(s, l.mount_id, err);
}

/* Calls fn for each container-ID-named entry of layerdb/mounts. */
static int each_mount(struct store *s, void (*fn)(struct store *s, const char *id, void *ctx), void *ctx,
		      struct berr *err)
{
	int fd = openat(s->image_fd, "layerdb/mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : berr_sys(err, "open layerdb/mounts");
	}
	while ((de = readdir(d)))
		if (is_container_id(de->d_name))
			fn(s, de->d_name, ctx);
	closedir(d);
	return 0;
}

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_push(struct strv *sv, char *str)
{
	if (sv->n + 2 > sv->cap)
		sv->v = xrealloc(sv->v, (sv->cap = sv->cap ? sv->cap * 2 : 16) * sizeof(*sv->v));
	sv->v[sv->n++] = str;
	sv->v[sv->n] = NULL;
}

static void add_parent(struct store *s, const char *id, void *ctx)
{
	char p[160], parent[DIGEST_STR_LEN];

	snprintf(p, sizeof(p), "layerdb/mounts/%s/parent", id);
	if (store_read_small(s->image_fd, p, parent, sizeof(parent), 1, NULL) == 0 && parent[0])
		strv_push(ctx, xstrdup(parent));
}

static void add_id(struct store *s, const char *id, void *ctx)
{
	strv_push(ctx, xstrdup(id));
}

static int collect(struct store *s, void (*fn)(struct store *, const char *, void *), char ***out,
		   struct berr *err)
{
	struct strv sv = { NULL, 0, 0 };

	strv_push(&sv, NULL);
	sv.n = 0;
	if (each_mount(s, fn, &sv, err) < 0) {
		for (size_t i = 0; i < sv.n; i++)
			free(sv.v[i]);
		free(sv.v);
		return -1;
	}
	*out = sv.v;
	return 0;
}

int store_mounts_parents(struct store *s, char ***chains, struct berr *err)
{
	return collect(s, add_parent, chains, err);
}

int store_mounts_list(struct store *s, char ***ids, struct berr *err)
{
	return collect(s, add_id, ids, err);
}

/* An interrupted create: the marker names the mount ID; undo whatever of
 * it exists unless the container's record made it into place. */
static void gc_create(struct store *s, int tmpfd, const char *marker, const char *cid)
{
	char p[160], mount_id[80];
	struct store_rwlayer l;

	snprintf(p, sizeof(p), "containers/%s/config.v2.json", cid);
	if (faccessat(s->root_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		unlinkat(tmpfd, marker, 0);
		return;
	}
	if (store_read_small(tmpfd, marker, mount_id, sizeof(mount_id), 1, NULL) == 0 && is_container_id(mount_id)) {
		/* The mounts dir only if it is this create's (not a dockerd
		 * container reusing nothing of ours: IDs are random). */
		if (store_rwlayer_read(s, cid, &l, NULL) == 0 && !strcmp(l.mount_id, mount_id))
			store_rwlayer_remove(s, cid, 0, NULL);
		snprintf(p, sizeof(p), "%s-init", mount_id);
		overlay2_remove_rw(s, p);
		overlay2_remove_rw(s, mount_id);
	}
	snprintf(p, sizeof(p), "mount-%s", cid);
	remove_all_at(tmpfd, p, NULL);
	unlinkat(tmpfd, marker, 0);
}

void store_mounts_gc(struct store *s)
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
		char p[300];

		if (!strncmp(de->d_name, "rwlayer-", 8) && is_container_id(de->d_name + 8)) {
			gc_create(s, dirfd(d), de->d_name, de->d_name + 8);
		} else if (!strncmp(de->d_name, "rm-mount-", 9) && is_container_id(de->d_name + 9)) {
			snprintf(p, sizeof(p), "layerdb/tmp/%s", de->d_name);
			finish_remove(s, p);
		}
	}
	closedir(d);
}
