/*
 * volumes.c - a container's mounts (volumes.h): -v and --mount parsed by
 * linux_parser.go's rules into MountPoints at create, the volumes made and
 * filled, and their sources resolved at start.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../internal.h"
#include "../store/mounts.h"
#include "../util/fs.h"
#include "../volume/volume.h"
#include "container.h"
#include "lookup.h"
#include "volumes.h"

static const char *const propagations[] = { "private", "rprivate", "slave", "rslave", "shared", "rshared", NULL };

static int in_list(const char *const *v, const char *s)
{
	for (; *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static char *clean(const char *p)
{
	size_t n;
	return path_clean(p, strlen(p), &n);
}

/* linuxValidMountMode: each option known, at most one of each kind. */
static int valid_mode(const char *mode)
{
	static const char *const consistency[] = { "consistent", "cached", "delegated", NULL };
	int rw = 0, label = 0, prop = 0, copy = 0, cons = 0;
	char *dup;

	if (!*mode)
		return 1;
	dup = xstrdup(mode);
	/* strtok would merge empty fields, which Go's Split keeps (and rejects). */
	for (char *o = dup, *next; o; o = next) {
		next = strchr(o, ',');
		if (next)
			*next++ = '\0';
		if (!strcmp(o, "rw") || !strcmp(o, "ro"))
			rw++;
		else if (!strcmp(o, "z") || !strcmp(o, "Z"))
			label++;
		else if (in_list(propagations, o))
			prop++;
		else if (!strcmp(o, "nocopy"))
			copy++;
		else if (in_list(consistency, o))
			cons++;
		else {
			free(dup);
			return 0;
		}
	}
	free(dup);
	return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1 && cons <= 1;
}

static int mode_has(const char *mode, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = mode; *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && !strncmp(p, opt, n))
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

static const char *mode_propagation(const char *mode)
{
	for (size_t i = 0; propagations[i]; i++)
		if (mode_has(mode, propagations[i]))
			return propagations[i];
	return NULL;
}

static int mount_error(struct berr *err, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int mount_error(struct berr *err, const char *type, const char *fmt, ...)
{
	char msg[BERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return berr_set(err, BERR_INVALID, "invalid mount config for type \"%s\": %s", type, msg);
}

/* validateMountConfigImpl. */
static int validate_mount(const json_t *m, int bind_source_exists, struct berr *err)
{
	const char *type = jstr(m, "Type"), *target = jstr(m, "Target"), *source = jstr(m, "Source");
	const json_t *bo = json_object_get(m, "BindOptions"), *vo = json_object_get(m, "VolumeOptions");
	char *t;

	if (!*target)
		return mount_error(err, type, "field %s must not be empty", "Target");
	t = clean(target);
	if (!strcmp(t, "/")) {
		free(t);
		return mount_error(err, type, "%sinvalid specification: destination can't be '/'", "");
	}
	free(t);
	if (target[0] != '/')
		return mount_error(err, type, "invalid mount path: '%s' mount path must be absolute", target);
	if (!strcmp(type, "bind")) {
		const char *p = jstr(bo, "Propagation");
		struct stat st;
		if (!*source)
			return mount_error(err, type, "field %s must not be empty", "Source");
		if (*p && !in_list(propagations, p))
			return mount_error(err, type, "invalid propagation mode: %s", p);
		if (vo && !json_is_null(vo))
			return mount_error(err, type, "field %s must not be specified", "VolumeOptions");
		if (source[0] != '/')
			return mount_error(err, type, "invalid mount path: '%s' mount path must be absolute", source);
		if (bind_source_exists && stat(source, &st) < 0) {
			if (errno == ENOENT)
				return mount_error(err, type, "bind source path does not exist: %s", source);
			return mount_error(err, type, "%s", strerror(errno));
		}
	} else if (!strcmp(type, "volume")) {
		if (bo && !json_is_null(bo))
			return mount_error(err, type, "field %s must not be specified", "BindOptions");
		if (!*source && json_is_true(json_object_get(m, "ReadOnly")))
			return mount_error(err, type, "%smust not set ReadOnly mode when using anonymous volumes", "");
	} else if (!strcmp(type, "tmpfs")) {
		if (bo && !json_is_null(bo))
			return mount_error(err, type, "field %s must not be specified", "BindOptions");
		if (*source)
			return mount_error(err, type, "field %s must not be specified", "Source");
	} else {
		return mount_error(err, type, "%smount type unknown", "");
	}
	return 0;
}

/* parseMountSpec: the MountPoint of a validated mount.Mount. */
static json_t *mount_point(json_t *spec, int *copy)
{
	const char *type = jstr(spec, "Type"), *source = jstr(spec, "Source");
	const json_t *vo = json_object_get(spec, "VolumeOptions");
	char *dest = clean(jstr(spec, "Target"));
	json_t *mp = json_object();

	json_object_set_new(mp, "Source", json_string(""));
	json_object_set_new(mp, "Destination", json_string(dest));
	json_object_set_new(mp, "RW", json_boolean(!json_is_true(json_object_get(spec, "ReadOnly"))));
	json_object_set_new(mp, "Name", json_string(""));
	json_object_set_new(mp, "Driver", json_string(""));
	json_object_set_new(mp, "Type", json_string(type));
	free(dest);
	*copy = 0;
	if (!strcmp(type, "volume")) {
		char rnd[65];
		if (!*source)
			random_id(rnd);
		json_object_set_new(mp, "Name", json_string(*source ? source : rnd));
		*copy = !json_is_true(json_object_get(vo, "NoCopy"));
		const char *drv = jstr(json_object_get(vo, "DriverConfig"), "Name");
		json_object_set_new(mp, "Driver", json_string(drv));
	} else if (!strcmp(type, "bind")) {
		char *src = clean(source);
		const char *p = jstr(json_object_get(spec, "BindOptions"), "Propagation");
		json_object_set_new(mp, "Source", json_string(src));
		json_object_set_new(mp, "Propagation", json_string(*p ? p : "rprivate"));
		free(src);
	}
	json_object_set_new(mp, "Spec", json_incref(spec));
	json_object_set_new(mp, "SkipMountpointCreation", json_false());
	return mp;
}

/* ParseMountRaw: one -v (HostConfig.Binds) entry. */
static json_t *parse_bind(const char *raw, const char *volume_driver, int *copy, struct berr *err)
{
	char *arr[3] = { NULL, NULL, NULL };
	const char *mode = "";
	size_t n = 0, colons = 0;
	json_t *spec, *mp = NULL;

	for (const char *p = raw; *p; p++)
		colons += *p == ':';
	if (colons > 2 || raw[0] == ':' || !raw[0]) {
		berr_set(err, BERR_INVALID, "invalid volume specification: '%s'", raw);
		return NULL;
	}
	/* strings.SplitN(raw, ":", 3) */
	for (const char *p = raw; n < 3; n++) {
		size_t l = n == 2 ? strlen(p) : strcspn(p, ":");
		arr[n] = xstrndup(p, l);
		if (!p[l]) {
			n++;
			break;
		}
		p += l + 1;
	}
	spec = json_object();
	if (n == 1) {
		json_object_set_new(spec, "Target", json_string(arr[0]));
	} else if (n == 2) {
		if (valid_mode(arr[1])) {
			berr_set(err, BERR_INVALID, "invalid volume specification: '%s'", raw);
			goto out;
		}
		json_object_set_new(spec, "Source", json_string(arr[0]));
		json_object_set_new(spec, "Target", json_string(arr[1]));
	} else {
		json_object_set_new(spec, "Source", json_string(arr[0]));
		json_object_set_new(spec, "Target", json_string(arr[1]));
		mode = arr[2];
	}
	if (!valid_mode(mode)) {
		berr_set(err, BERR_INVALID, "invalid mode: %s", mode);
		goto out;
	}
	{
		/* Go's key order of mount.Mount: Type first. */
		json_t *s2 = json_object();
		const char *src = jstr(spec, "Source");
		json_object_set_new(s2, "Type", json_string(src[0] == '/' ? "bind" : "volume"));
		if (*src)
			json_object_set_new(s2, "Source", json_string(src));
		json_object_set(s2, "Target", json_object_get(spec, "Target"));
		json_decref(spec);
		spec = s2;
	}
	if (mode_has(mode, "ro"))
		json_object_set_new(spec, "ReadOnly", json_true());
	if (volume_driver && *volume_driver && !strcmp(jstr(spec, "Type"), "volume"))
		json_object_set_new(spec, "VolumeOptions", json_pack("{s:{s:s}}", "DriverConfig", "Name", volume_driver));
	if (mode_has(mode, "nocopy")) {
		if (!json_object_get(spec, "VolumeOptions"))
			json_object_set_new(spec, "VolumeOptions", json_object());
		json_object_set_new(json_object_get(spec, "VolumeOptions"), "NoCopy", json_true());
	}
	if (mode_propagation(mode))
		json_object_set_new(spec, "BindOptions", json_pack("{s:s}", "Propagation", mode_propagation(mode)));
	if (validate_mount(spec, 0, err) < 0) {
		char msg[BERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		berr_clear(err);
		berr_set(err, BERR_INVALID, "invalid volume specification: '%s': %s", raw, msg);
		goto out;
	}
	mp = mount_point(spec, copy);
	if (*mode)
		json_object_set_new(mp, "Relabel", json_string(mode));
out:
	json_decref(spec);
	for (size_t i = 0; i < 3; i++)
		free(arr[i]);
	return mp;
}

/* A volume mount point's volume: made (or found) as volumes.Create would. */
static int plan_volume(struct store *s, json_t *mp, json_t *labels, json_t *options, int copy, int anonymous,
		       json_t *plan, struct berr *err)
{
	const char *name = jstr(mp, "Name"), *driver = jstr(mp, "Driver");

	if (*driver && strcmp(driver, "local"))
		return berr_set(err, BERR_NOT_FOUND, "create %s: error looking up volume plugin %s: plugin \"%s\" not found",
				name, driver, driver);
	if (volume_name_check(name, err) < 0)
		return berr_wrap(err, "create %s", name);
	json_object_set_new(mp, "Driver", json_string("local"));
	if (!anonymous) {
		char *path = volume_data_path(s, name);
		json_object_set_new(mp, "Source", json_string(path));
		free(path);
		/* setBindModeIfNull */
		if (!*jstr(mp, "Relabel"))
			json_object_set_new(mp, "Relabel", json_string("z"));
	}
	json_array_append_new(plan, json_pack("{s:s, s:O?, s:O?, s:b, s:b, s:s}", "Name", name, "Labels", labels,
					      "Options", options, "Copy", copy, "Anonymous", anonymous,
					      "Destination", jstr(mp, "Destination")));
	return 0;
}

/* ParseVolumesFrom, then each of that container's mount points, as
 * registerMountPoints copies them (no Relabel, no ID, no copy). */
static int volumes_from(struct store *s, const char *spec, json_t *mps, struct berr *err)
{
	const char *colon = strchr(spec, ':'), *mode = colon ? colon + 1 : "rw";
	char *id = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	struct container *c = NULL;
	json_t *m;
	const char *dest;
	int rc = -1;

	if (!*spec) {
		berr_set(err, BERR_INVALID, "volumes-from specification cannot be an empty string");
		goto out;
	}
	if (colon && (!valid_mode(mode) || mode_propagation(mode) || mode_has(mode, "nocopy"))) {
		berr_set(err, BERR_INVALID, "invalid mode: %s", mode);
		goto out;
	}
	if (!(c = container_lookup(s, id, err))) {
		err->code = BERR_INVALID;
		goto out;
	}
	json_object_foreach(container_mount_points(c), dest, m) {
		const char *name = jstr(m, "Name");
		json_t *cp = json_object();
		json_object_set_new(cp, "Source", json_string(jstr(m, "Source")));
		json_object_set_new(cp, "Destination", json_string(jstr(m, "Destination")));
		json_object_set_new(cp, "RW", json_boolean(json_is_true(json_object_get(m, "RW")) && !mode_has(mode, "ro")));
		json_object_set_new(cp, "Name", json_string(name));
		json_object_set_new(cp, "Driver", json_string(jstr(m, "Driver")));
		json_object_set_new(cp, "Type", json_string(jstr(m, "Type")));
		if (*jstr(m, "Propagation"))
			json_object_set_new(cp, "Propagation", json_string(jstr(m, "Propagation")));
		json_object_set(cp, "Spec", json_is_object(json_object_get(m, "Spec")) ? json_object_get(m, "Spec")
											 : json_object());
		json_object_set_new(cp, "SkipMountpointCreation", json_false());
		if (!*jstr(m, "Source") && *name && !volume_exists(s, name)) {
			berr_set(err, BERR_NOT_FOUND, "get %s: no such volume", name);
			json_decref(cp);
			goto out;
		}
		json_object_set_new(mps, jstr(cp, "Destination"), cp);
	}
	rc = 0;
out:
	container_free(c);
	free(id);
	return rc;
}

int container_mounts_register(struct store *s, json_t *config, json_t *hc, json_t **mount_points, json_t **plan,
			      struct berr *err)
{
	json_t *mps = json_object(), *pl = json_array(), *v, *tmpfs = json_object_get(hc, "Tmpfs");
	json_t *binds = json_object();
	const char *vd = jstr(hc, "VolumeDriver"), *k;
	size_t i;
	int copy;

	/* validateHostConfig: every --mount first, bind sources existing. */
	json_array_foreach(json_object_get(hc, "Mounts"), i, v)
		if (validate_mount(v, 1, err) < 0)
			goto fail;
	json_array_foreach(json_object_get(hc, "VolumesFrom"), i, v)
		if (json_is_string(v) && volumes_from(s, json_string_value(v), mps, err) < 0)
			goto fail;
	json_array_foreach(json_object_get(hc, "Binds"), i, v) {
		json_t *mp;
		if (!json_is_string(v))
			continue;
		if (!(mp = parse_bind(json_string_value(v), vd, &copy, err)))
			goto fail;
		const char *dest = jstr(mp, "Destination");
		if (json_object_get(binds, dest) || json_object_get(tmpfs, dest)) {
			berr_set(err, BERR_INVALID, "Duplicate mount point: %s", dest);
			json_decref(mp);
			goto fail;
		}
		if (!strcmp(jstr(mp, "Type"), "volume") && plan_volume(s, mp, NULL, NULL, copy, 0, pl, err) < 0) {
			json_decref(mp);
			goto fail;
		}
		json_object_set_new(binds, dest, json_true());
		json_object_set_new(mps, dest, mp);
	}
	json_array_foreach(json_object_get(hc, "Mounts"), i, v) {
		json_t *mp = mount_point(v, &copy);
		const char *dest = jstr(mp, "Destination");
		if (json_object_get(binds, dest)) {
			berr_set(err, BERR_INVALID, "Duplicate mount point: %s", jstr(v, "Target"));
			json_decref(mp);
			goto fail;
		}
		if (!strcmp(jstr(mp, "Type"), "volume")) {
			json_t *vo = json_object_get(v, "VolumeOptions");
			if (plan_volume(s, mp, json_object_get(vo, "Labels"),
					json_object_get(json_object_get(vo, "DriverConfig"), "Options"), copy, 0, pl, err) < 0) {
				json_decref(mp);
				goto fail;
			}
			/* --mount type=volume without a source is still named by its Spec: not anonymous for rm -v. */
		}
		if (!strcmp(jstr(mp, "Type"), "bind"))
			json_object_set_new(mp, "SkipMountpointCreation", json_true());
		json_object_set_new(binds, dest, json_true());
		json_object_set_new(mps, dest, mp);
	}
	/* createContainerOSSpecificSettings: the image's and -v's anonymous volumes. */
	json_object_foreach(json_object_get(config, "Volumes"), k, v) {
		char *dest = clean(k), rnd[65];
		if (json_object_get(mps, dest) || json_object_get(tmpfs, dest)) {
			free(dest);
			continue;
		}
		random_id(rnd);
		json_t *mp = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:{}, s:b}", "Source", "", "Destination", dest, "RW",
				       1, "Name", rnd, "Driver", "local", "Type", "volume", "Spec", "SkipMountpointCreation", 0);
		plan_volume(s, mp, NULL, NULL, 1, 1, pl, err);
		json_object_set_new(mps, dest, mp);
		free(dest);
	}
	json_decref(binds);
	*mount_points = mps;
	*plan = pl;
	return 0;
fail:
	json_decref(binds);
	json_decref(mps);
	json_decref(pl);
	return -1;
}

/* The destination in the rootfs, every symlink resolved inside it. */
static int open_in_root(const char *root, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (rfd < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	close(rfd);
	return fd;
}

int container_mounts_setup(struct berth *b, const char *id, json_t *plan, struct berr *err)
{
	json_t *v;
	size_t i;
	int need_copy = 0, rc = 0;
	char *merged = NULL;

	if (!json_array_size(plan))
		return 0;
	if (store_lock(b->store, err) < 0)
		return -1;
	json_array_foreach(plan, i, v) {
		json_t *labels = json_object_get(v, "Labels"), *opts = json_object_get(v, "Options");
		if (volume_create_locked(b->store, jstr(v, "Name"), json_is_object(labels) ? labels : NULL,
					 json_is_object(opts) ? opts : NULL, err) < 0) {
			berr_wrap(err, "create %s", jstr(v, "Name"));
			store_unlock(b->store);
			return -1;
		}
		need_copy |= json_is_true(json_object_get(v, "Copy"));
	}
	store_unlock(b->store);
	if (!need_copy)
		return 0;
	if (store_rwlayer_mount(b->store, id, &merged, err) < 0)
		return -1;
	json_array_foreach(plan, i, v) {
		const char *dest = jstr(v, "Destination");
		struct stat st;
		int fd;

		if (!json_is_true(json_object_get(v, "Copy")))
			continue;
		if ((fd = open_in_root(merged, dest)) < 0)
			continue;   /* nothing there in the image */
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
			close(fd);
			if (json_is_true(json_object_get(v, "Anonymous"))) {
				rc = berr_set(err, BERR_INVALID, "cannot mount volume over existing file, file exists %s%s",
					      merged, dest);
				break;
			}
			continue;
		}
		int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		if (dfd < 0)
			continue;
		rc = volume_copy_in(b->store, jstr(v, "Name"), dfd, err);
		close(dfd);
		if (rc < 0)
			break;
	}
	store_rwlayer_unmount(b->store, id, NULL);
	free(merged);
	return rc;
}

json_t *container_mounts_for_start(struct store *s, json_t *mount_points, json_t *hc, struct berr *err)
{
	json_t *out = json_deep_copy(mount_points), *mp, *tmpfs = json_object_get(hc, "Tmpfs");
	const char *dest;

	json_object_foreach(out, dest, mp) {
		const char *type = jstr(mp, "Type");
		if (json_object_get(tmpfs, dest) || !strcmp(type, "tmpfs"))
			continue;
		if (!strcmp(type, "volume") || (*jstr(mp, "Name") && *jstr(mp, "Driver"))) {
			const char *name = jstr(mp, "Name");
			json_t *rec = json_object_get(mount_points, dest);
			if (!volume_exists(s, name)) {
				berr_set(err, BERR_NOT_FOUND, "get %s: no such volume", name);
				json_decref(out);
				return NULL;
			}
			if (volume_mount(s, name, err) < 0) {
				berr_wrap(err, "error while mounting volume '%s'", jstr(mp, "Source"));
				json_decref(out);
				return NULL;
			}
			char *path = volume_data_path(s, name);
			json_object_set_new(mp, "Source", json_string(path));
			free(path);
			if (!*jstr(rec, "ID")) {
				char id[65];
				random_id(id);
				json_object_set_new(rec, "ID", json_string(id));
			}
			continue;
		}
		if (!strcmp(type, "bind") && !json_is_true(json_object_get(mp, "SkipMountpointCreation")) &&
		    *jstr(mp, "Source")) {
			struct berr e = BERR_INIT;
			struct stat st;
			/* MkdirAllAndChownNew; a file there is fine (ENOTDIR is ignored). */
			if (stat(jstr(mp, "Source"), &st) < 0 && mkdir_p_at(AT_FDCWD, jstr(mp, "Source"), 0755, &e) < 0) {
				berr_set(err, e.code, "error while creating mount source path '%s': %s", jstr(mp, "Source"),
					 e.msg);
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}
