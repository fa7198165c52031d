/* lifecycle.c - create, rename, remove (lifecycle.h). */
#include "lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../image/users.h"
#include "../store/store.h"
#include "../util/fs.h"
#include "../util/timefmt.h"
#include "../volume/volume.h"
#include "container.h"
#include "names.h"

#define TMP_DIR "berth/tmp"

static void fill_defaults(struct container *c)
{
	json_t *h = json_object_get(c->config, "Hostname");

	if (!c->id[0])
		container_new_id(c->id);
	if (!c->created || !strcmp(c->created, "0001-01-01T00:00:00Z")) {
		struct timespec ts;
		char t[40];

		clock_gettime(CLOCK_REALTIME, &ts);
		unix_to_rfc3339nano(ts.tv_sec, ts.tv_nsec, t);
		free(c->created);
		c->created = xstrdup(t);
	}
	if (json_is_object(c->config) && (!json_is_string(h) || !json_string_length(h))) {
		char host[13];
		snprintf(host, sizeof(host), "%.12s", c->id);
		json_object_set_new(c->config, "Hostname", json_string(host));
	}
}

/* A container that is removed when it exits (run --rm) is written
 * without fsyncs: the renames keep it whole when a process is killed, and
 * surviving a power loss is pointless for it (STORE_RW_EPHEMERAL). */
static int container_rw_flags(const struct container *c)
{
	return json_is_true(json_object_get(c->host_config, "AutoRemove")) ? STORE_RW_EPHEMERAL : 0;
}

/* berth/tmp/container-<id>, then rename to containers/<id>. */
static int write_container_dir(struct store *s, const struct container *c, struct berr *err)
{
	int durable = !(container_rw_flags(c) & STORE_RW_EPHEMERAL);
	char tmp[128], final[128];
	int fd, rc = -1;

	snprintf(tmp, sizeof(tmp), TMP_DIR "/container-%s", c->id);
	snprintf(final, sizeof(final), "containers/%s", c->id);
	if (mkdir_p_at(s->root_fd, TMP_DIR, 0700, err) < 0 || mkdir_p_at(s->root_fd, "containers", 0710, err) < 0)
		return -1;
	remove_all_at(s->root_fd, tmp, NULL);
	if (mkdirat(s->root_fd, tmp, 0710) < 0 || fchmodat(s->root_fd, tmp, 0710, 0) < 0)
		return berr_sys(err, "mkdir %s", tmp);
	fd = openat(s->root_fd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		berr_sys(err, "open %s", tmp);
		goto out;
	}
	if (mkdirat(fd, "checkpoints", 0700) < 0 || fchmodat(fd, "checkpoints", 0700, 0) < 0) {
		berr_sys(err, "mkdir checkpoints");
		goto out;
	}
	if (container_save_at(fd, c, durable, err) < 0)
		goto out;
	if (renameat(s->root_fd, tmp, s->root_fd, final) < 0) {
		berr_sys(err, "rename %s", final);
		goto out;
	}
	rc = durable ? fsync_dir_at(s->root_fd, "containers", err) : 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		remove_all_at(s->root_fd, tmp, NULL);
	return rc;
}

static int create_locked(struct store *s, struct container *c, const char *name, const char *top_layer,
			 struct berr *err)
{
	struct container **list = NULL;
	struct store_rwlayer rw;
	char *n = NULL, p[128];
	int rc = -1;

	if (name && !(n = container_name_normalize(name, err)))
		return -1;
	if (container_list(s, 0, &list, err) < 0)
		goto out;
	if (n && container_name_check(list, n, NULL, err) < 0)
		goto out;
	snprintf(p, sizeof(p), "containers/%s", c->id);
	if (faccessat(s->root_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		berr_set(err, BERR_EXISTS, "container %s already exists", c->id);
		goto out;
	}
	if (!n)
		n = container_name_generate(list, c->id);
	free(c->name);
	c->name = n;
	n = NULL;
	if (store_rwlayer_create(s, c->id, top_layer, container_rw_flags(c), &rw, err) < 0)
		goto out;
	if (write_container_dir(s, c, err) < 0) {
		store_rwlayer_remove(s, c->id, container_rw_flags(c), NULL);
		store_rwlayer_done(s, c->id);
		goto out;
	}
	store_rwlayer_done(s, c->id);
	rc = 0;
out:
	free(n);
	container_list_free(list);
	return rc;
}

int container_create(struct store *s, struct container *c, const char *name, const char *top_layer,
		     struct berr *err)
{
	int rc;

	fill_defaults(c);
	if (store_lock(s, err) < 0)
		return -1;
	rc = create_locked(s, c, name, top_layer, err);
	store_unlock(s);
	return rc;
}

/* defer: STORE_RW_DEFER, the deletion of the dirs left to
 * container_remove_finish. */
static int remove_locked(struct store *s, const char *id, int defer, struct berr *err)
{
	struct container *c = container_load(s, id, err);
	char from[128], to[128];
	int flags;

	if (!c)
		return -1;
	flags = container_rw_flags(c) | (defer ? STORE_RW_DEFER : 0);
	/* Dead first, as cleanupContainer: an interrupted removal shows. */
	c->state.dead = 1;
	c->state.removal_in_progress = 0;
	if (container_checkpoint(s, c, err) < 0) {
		container_free(c);
		return -1;
	}
	container_free(c);
	if (store_rwlayer_remove(s, id, flags, err) < 0)
		return berr_wrap(err, "unable to remove filesystem for %s", id);
	snprintf(from, sizeof(from), "containers/%s", id);
	snprintf(to, sizeof(to), TMP_DIR "/rm-container-%s", id);
	if (mkdir_p_at(s->root_fd, TMP_DIR, 0700, err) < 0)
		return -1;
	remove_all_at(s->root_fd, to, NULL);
	if (renameat(s->root_fd, from, s->root_fd, to) < 0)
		return berr_sys(err, "unable to remove filesystem for %s", id);
	if (!(flags & STORE_RW_EPHEMERAL))
		fsync_dir_at(s->root_fd, "containers", NULL);
	if (!defer)
		remove_all_at(s->root_fd, to, NULL);
	return 0;
}

int container_remove(struct store *s, const char *id, struct berr *err)
{
	int rc;

	if (store_lock(s, err) < 0)
		return -1;
	rc = remove_locked(s, id, 0, err);
	store_unlock(s);
	return rc;
}

static int remove_release(struct store *s, const char *id, int defer, int remove_volumes, struct berr *err)
{
	struct store_rwlayer rw;
	json_t *mounts = NULL;
	int rc;

	if (store_lock(s, err) < 0)
		return -1;
	if (store_rwlayer_read(s, id, &rw, NULL) < 0)
		rw.parent[0] = '\0';
	/* deferred or not, the rootfs is unmounted before the caller hears:
	 * only the deletion of the files may come later */
	if (defer)
		store_rwlayer_unmount(s, id, NULL);
	if (remove_volumes) {
		struct container *c = container_load(s, id, NULL);
		if (c)
			mounts = json_incref(container_mount_points(c));
		container_free(c);
	}
	rc = remove_locked(s, id, defer, err);
	/* The layers an rmi -f left for this container go with it, as the
	 * layer store releases them (best effort: the container is gone). */
	if (rc == 0)
		image_layers_release(s, rw.parent, NULL);
	if (rc == 0 && mounts)
		volume_remove_anonymous_locked(s, mounts);
	json_decref(mounts);
	store_unlock(s);
	return rc;
}

int container_remove_release(struct store *s, const char *id, struct berr *err)
{
	return remove_release(s, id, 0, 0, err);
}

int container_remove_release_volumes(struct store *s, const char *id, int remove_volumes, struct berr *err)
{
	return remove_release(s, id, 0, remove_volumes, err);
}

int container_remove_deferred(struct store *s, const char *id, struct berr *err)
{
	/* run --rm: its anonymous volumes go too */
	return remove_release(s, id, 1, 1, err);
}

void container_remove_finish(struct store *s, const char *id)
{
	char dir[128];

	if (store_lock(s, NULL) < 0)
		return;
	store_rwlayer_finish_removal(s, id);
	snprintf(dir, sizeof(dir), TMP_DIR "/rm-container-%s", id);
	remove_all_at(s->root_fd, dir, NULL);
	store_unlock(s);
}

/* daemon.ContainerRename's order: the same name first, then reserveName
 * (validity, conflict) under "Error when allocating new name". */
static int rename_locked(struct store *s, const char *id, const char *new_name, struct berr *err)
{
	struct container **list = NULL;
	struct container *c = NULL;
	char *want = new_name[0] == '/' ? xstrdup(new_name) : xasprintf("/%s", new_name), *n = NULL;
	json_t *ns;
	int rc = -1;

	if (!(c = container_load(s, id, err)))
		goto out;
	if (c->name && !strcmp(c->name, want)) {
		berr_set(err, BERR_INVALID, "Renaming a container with the same name as its current name");
		goto out;
	}
	if (!(n = container_name_normalize(want, err))) {
		/* docker names the name with the '/' it added: normalizing
		 * "/" + want fails the same way and says so. */
		char *slashed = xasprintf("/%s", want);
		berr_clear(err);
		free(container_name_normalize(slashed, err));
		free(slashed);
		berr_wrap(err, "Error when allocating new name");
		goto out;
	}
	if (container_list(s, 0, &list, err) < 0)
		goto out;
	if (container_name_check(list, n, c->id, err) < 0) {
		berr_wrap(err, "Error when allocating new name");
		goto out;
	}
	free(c->name);
	c->name = n;
	n = NULL;
	/* A named container's endpoint is not anonymous any more. */
	if ((ns = container_network_settings(c)))
		json_object_set_new(ns, "IsAnonymousEndpoint", json_false());
	rc = container_save(s, c, err);
out:
	free(want);
	free(n);
	container_free(c);
	container_list_free(list);
	return rc;
}

int container_rename(struct store *s, const char *id, const char *new_name, struct berr *err)
{
	int rc;

	if (store_lock(s, err) < 0)
		return -1;
	rc = rename_locked(s, id, new_name, err);
	store_unlock(s);
	return rc;
}

/* A removal killed after the RW layer went: the record says Dead and
 * there is no layerdb/mounts/<id> (dockerd skips such a dir too). */
static void finish_dead(struct store *s)
{
	struct container **list = NULL;
	struct store_rwlayer rw;

	if (container_list(s, 0, &list, NULL) < 0)
		return;
	for (size_t i = 0; list[i]; i++) {
		struct berr e = BERR_INIT;
		char from[128], to[128];

		if (!list[i]->state.dead || store_rwlayer_read(s, list[i]->id, &rw, &e) == 0 || e.code != BERR_NOT_FOUND)
			continue;
		snprintf(from, sizeof(from), "containers/%s", list[i]->id);
		snprintf(to, sizeof(to), TMP_DIR "/rm-container-%s", list[i]->id);
		if (mkdir_p_at(s->root_fd, TMP_DIR, 0700, NULL) == 0 && renameat(s->root_fd, from, s->root_fd, to) == 0)
			remove_all_at(s->root_fd, to, NULL);
	}
	container_list_free(list);
}

/* berth/tmp/container-* (killed creates) and rm-container-* (killed removals). */
static void remove_tmp_dirs(struct store *s)
{
	int fd = openat(s->root_fd, TMP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "container-", 10) || !strncmp(de->d_name, "rm-container-", 13))
			remove_all_at(dirfd(d), de->d_name, NULL);
	closedir(d);
}

void container_gc(struct store *s)
{
	remove_tmp_dirs(s);
	finish_dead(s);
}
