/*
 * volume.c - docker 20.10's volume service on the local driver
 * (volume/service, volume/local), daemonless: the volumes are the dirs
 * under <root>/volumes/ (what dockerd's local driver scans at start), their
 * labels and options the entries of metadata.db (bolt.c), and their
 * references the containers' MountPoints, read from the store each time.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <berth/volume.h>

#include "../container/container.h"
#include "../format/gojson.h"
#include "../internal.h"
#include "../util/filters.h"
#include "../util/fs.h"
#include "volume.h"

#define VOLUMES "volumes"
/* berth scratch dir, shared with lifecycle.c */
#define RM_DIR "berth/tmp"
#define RM_PREFIX "rm-volume-"

int volume_name_check(const char *name, struct berr *err)
{
	size_t n = strlen(name);

	if (n == 1)
		return berr_set(err, BERR_INVALID,
				"volume name is too short, names should be at least two alphanumeric characters");
	int ok = n >= 2 && isalnum((unsigned char)name[0]);
	for (size_t i = 1; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || strchr("_.-", name[i]);
	if (!ok) {
		struct sbuf q = SBUF_INIT;
		gojson_write_string(&q, name, n, 0);
		berr_set(err, BERR_INVALID,
			 "%s includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
			 "allowed. If you intended to pass a host directory, use absolute path",
			 sbuf_str(&q));
		sbuf_release(&q);
		return -1;
	}
	return 0;
}

char *volume_data_path(struct store *s, const char *name)
{
	return xasprintf("%s/" VOLUMES "/%s/_data", s->root, name);
}

static int volumes_fd(struct store *s, int create, struct berr *err)
{
	int fd;

	if (create && mkdirat(s->root_fd, VOLUMES, 0701) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s/" VOLUMES, s->root);
	fd = openat(s->root_fd, VOLUMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && (create || errno != ENOENT))
		return berr_sys(err, "open %s/" VOLUMES, s->root);
	return fd;
}

int volume_exists(struct store *s, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), VOLUMES "/%s", name);
	return fstatat(s->root_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* ---- metadata entries ---- */

/* A nil map is null, an empty one {} (the 20.10 CLI sends empty maps;
 * a volume a container's -v makes has nil ones). */
static json_t *map_or_null(json_t *m)
{
	if (!json_is_object(m))
		return json_null();
	json_t *c = json_deep_copy(m);
	gojson_sort_keys(c);
	return c;
}

/* json.Marshal(volumeMetadata). */
static char *meta_text(const char *name, json_t *labels, json_t *options)
{
	json_t *o = json_object();
	struct sbuf sb = SBUF_INIT;

	json_object_set_new(o, "Name", json_string(name));
	json_object_set_new(o, "Driver", json_string("local"));
	json_object_set_new(o, "Labels", map_or_null(labels));
	json_object_set_new(o, "Options", map_or_null(options));
	gojson_write(&sb, o, NULL, NULL);
	json_decref(o);
	return sbuf_detach(&sb, NULL);
}

/* Rewrites metadata.db with name's entry set (text) or removed (NULL).
 * A dockerd holding the file: an entry that says nothing a missing one
 * would not (no labels, no options) is skipped, as are removals (its
 * restore drops entries of gone volumes); anything else is the error. */
static int db_update(int vfd, const char *name, const char *text, int trivial, struct berr *err)
{
	struct berr e = BERR_INIT;
	json_t *doc, *entries = json_object(), *v;
	const char *k;
	int busy, rc;

	if (volume_db_read(vfd, &doc, &e) < 0)
		doc = json_object();
	json_object_foreach(doc, k, v) {
		struct sbuf sb = SBUF_INIT;
		gojson_write(&sb, v, NULL, NULL);
		json_object_set_new(entries, k, json_string(sbuf_str(&sb)));
		sbuf_release(&sb);
	}
	json_decref(doc);
	if (text)
		json_object_set_new(entries, name, json_string(text));
	else if (!json_object_get(entries, name)) {
		json_decref(entries);
		return 0;
	} else
		json_object_del(entries, name);
	rc = volume_db_write(vfd, entries, &busy, &e);
	json_decref(entries);
	if (rc < 0 && busy && (trivial || !text))
		return 0;
	if (rc < 0)
		berr_copy(err, &e);
	return rc;
}

static json_t *db_entries(struct store *s)
{
	struct berr e = BERR_INIT;
	json_t *doc = NULL;
	int vfd = volumes_fd(s, 0, &e);

	if (vfd < 0 || volume_db_read(vfd, &doc, &e) < 0) {
		json_decref(doc);
		doc = json_object();
	}
	if (vfd >= 0)
		close(vfd);
	return doc;
}

/* ---- create ---- */

static int validate_options(json_t *options, struct berr *err)
{
	static const char *const valid[] = { "type", "o", "device", "size", NULL };
	static const char *const need[][3] = { { "device", "type", NULL }, { "type", "device", NULL },
					       { "o", "device", "type" } };
	const char *k;
	json_t *v;

	json_object_foreach(options, k, v) {
		size_t i;
		for (i = 0; valid[i] && strcmp(valid[i], k); i++)
			;
		if (!valid[i])
			return berr_set(err, BERR_INVALID, "invalid option: \"%s\"", k);
	}
	for (size_t i = 0; i < 3; i++) {
		if (!json_object_get(options, need[i][0]))
			continue;
		for (size_t j = 1; j < 3 && need[i][j]; j++)
			if (!json_object_get(options, need[i][j]))
				return berr_set(err, BERR_INVALID, "missing required option: \"%s\"", need[i][j]);
	}
	/* berth's local driver has no quota control, as dockerd on a
	 * filesystem without project quotas. */
	if (json_object_get(options, "size"))
		return berr_set(err, BERR_INVALID, "quota size requested but no quota support");
	return 0;
}

int volume_create_locked(struct store *s, const char *name, json_t *labels, json_t *options, struct berr *err)
{
	char path[PATH_MAX];
	int vfd, rc = -1;

	if (volume_exists(s, name))
		return 0;
	if (options && validate_options(options, err) < 0)
		return -1;
	if ((vfd = volumes_fd(s, 1, err)) < 0)
		return -1;
	if (mkdirat(vfd, name, 0701) < 0 && errno != EEXIST) {
		berr_sys(err, "error while creating volume root path '%s/" VOLUMES "/%s'", s->root, name);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/_data", name);
	if (mkdirat(vfd, path, 0755) < 0 && errno != EEXIST) {
		berr_sys(err, "error while creating volume data path '%s/" VOLUMES "/%s'", s->root, path);
		goto fail;
	}
	if (json_object_size(options)) {
		/* json.Marshal(optsConfig) */
		json_t *o = json_pack("{s:s, s:s, s:s, s:{s:i}}", "MountType",
				      json_string_value(json_object_get(options, "type")) ?: "", "MountOpts",
				      json_string_value(json_object_get(options, "o")) ?: "", "MountDevice",
				      json_string_value(json_object_get(options, "device")) ?: "", "Quota", "Size", 0);
		struct sbuf sb = SBUF_INIT;
		gojson_write(&sb, o, NULL, NULL);
		json_decref(o);
		snprintf(path, sizeof(path), "%s/opts.json", name);
		rc = atomic_write_at(vfd, path, sb.buf, sb.len, 0600, err);
		sbuf_release(&sb);
		if (rc < 0) {
			berr_wrap(err, "error while persisting volume options");
			goto fail;
		}
	}
	/* An entry with nil labels and options says what no entry says
	 * (dockerd's restore finds the volume through its driver): the
	 * volumes containers make need no rewrite of the file. */
	if (labels || options) {
		char *text = meta_text(name, labels, options);
		rc = db_update(vfd, name, text, !json_object_size(labels) && !json_object_size(options), err);
		free(text);
	} else {
		rc = 0;
	}
	if (rc == 0)
		goto out;
fail:
	remove_all_at(vfd, name, NULL);
	rc = -1;
out:
	close(vfd);
	return rc;
}

static void new_name(char out[65])
{
	random_id(out);
}

static json_t *kv_object(const char *const *v)
{
	json_t *o = json_object();

	for (; v && *v; v++) {
		const char *eq = strchr(*v, '=');
		char *k = eq ? xstrndup(*v, (size_t)(eq - *v)) : xstrdup(*v);
		json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
		free(k);
	}
	return o;
}

int berth_volume_create(struct berth *b, const struct berth_volume_create_opts *o, char **name_out,
			struct berr *err)
{
	char rnd[65];
	const char *name = o && o->name && *o->name ? o->name : NULL;
	json_t *labels, *options;
	int rc;

	if (!name) {
		new_name(rnd);
		name = rnd;
	}
	if (o && o->driver && *o->driver && strcmp(o->driver, "local"))
		return berr_set(err, BERR_NOT_FOUND, "create %s: error looking up volume plugin %s: plugin \"%s\" not found",
				name, o->driver, o->driver);
	if (volume_name_check(name, err) < 0)
		return berr_wrap(err, "create %s", name);
	labels = o && o->labels ? kv_object(o->labels) : NULL;
	options = o && o->options ? kv_object(o->options) : NULL;
	if ((rc = store_lock(b->store, err)) == 0) {
		rc = volume_create_locked(b->store, name, labels, options, err);
		store_unlock(b->store);
		if (rc < 0)
			berr_wrap(err, "create %s", name);
	}
	json_decref(labels);
	json_decref(options);
	if (rc == 0)
		*name_out = xstrdup(name);
	return rc;
}

/* ---- driver options: the local driver's mount ---- */

int volume_is_mounted(struct store *s, const char *name)
{
	char path[PATH_MAX];
	struct stat a, d;

	snprintf(path, sizeof(path), VOLUMES "/%s", name);
	if (fstatat(s->root_fd, path, &d, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	snprintf(path, sizeof(path), VOLUMES "/%s/_data", name);
	return fstatat(s->root_fd, path, &a, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev != d.st_dev;
}

/* moby/sys/mount's parseOptions: flags, and the rest as data. */
static unsigned long mount_flags(const char *opts, struct sbuf *data)
{
	static const struct { const char *name; int clear; unsigned long flag; } t[] = {
		{ "defaults", 0, 0 }, { "ro", 0, MS_RDONLY }, { "rw", 1, MS_RDONLY }, { "suid", 1, MS_NOSUID },
		{ "nosuid", 0, MS_NOSUID }, { "dev", 1, MS_NODEV }, { "nodev", 0, MS_NODEV }, { "exec", 1, MS_NOEXEC },
		{ "noexec", 0, MS_NOEXEC }, { "sync", 0, MS_SYNCHRONOUS }, { "async", 1, MS_SYNCHRONOUS },
		{ "dirsync", 0, MS_DIRSYNC }, { "remount", 0, MS_REMOUNT }, { "mand", 0, MS_MANDLOCK },
		{ "nomand", 1, MS_MANDLOCK }, { "atime", 1, MS_NOATIME }, { "noatime", 0, MS_NOATIME },
		{ "diratime", 1, MS_NODIRATIME }, { "nodiratime", 0, MS_NODIRATIME }, { "bind", 0, MS_BIND },
		{ "rbind", 0, MS_BIND | MS_REC }, { "relatime", 0, MS_RELATIME }, { "norelatime", 1, MS_RELATIME },
		{ "strictatime", 0, MS_STRICTATIME }, { "nostrictatime", 1, MS_STRICTATIME },
	};
	unsigned long flags = 0;
	char *dup = xstrdup(opts), *save = NULL;

	for (char *o = strtok_r(dup, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(t) / sizeof(t[0]) && strcmp(t[i].name, o); i++)
			;
		if (i == sizeof(t) / sizeof(t[0])) {
			sbuf_addf(data, "%s%s", data->len ? "," : "", o);
		} else if (t[i].clear) {
			flags &= ~t[i].flag;
		} else {
			flags |= t[i].flag;
		}
	}
	free(dup);
	return flags;
}

int volume_mount(struct store *s, const char *name, struct berr *err)
{
	struct sbuf sb = SBUF_INIT, data = SBUF_INIT;
	struct berr e = BERR_INIT;
	char path[PATH_MAX];
	json_t *o;
	int rc = 0;

	snprintf(path, sizeof(path), VOLUMES "/%s/opts.json", name);
	if (read_file_at(s->root_fd, path, &sb, 1 << 16, &e) < 0) {
		sbuf_release(&sb);
		return 0;
	}
	o = json_loadb(sb.buf, sb.len, 0, NULL);
	sbuf_release(&sb);
	const char *type = json_string_value(json_object_get(o, "MountType"));
	const char *dev = json_string_value(json_object_get(o, "MountDevice"));
	const char *opts = json_string_value(json_object_get(o, "MountOpts"));
	if ((type && *type) || (dev && *dev)) {
		if (!dev || !*dev) {
			rc = berr_set(err, BERR_INVALID, "missing device in volume options");
		} else if (!volume_is_mounted(s, name)) {
			char *target = volume_data_path(s, name);
			unsigned long flags = mount_flags(opts ? opts : "", &data);
			if (mount(dev, target, type ? type : "", flags, data.len ? sbuf_str(&data) : NULL) < 0)
				rc = berr_sys(err, "failed to mount local volume: mount %s:%s, flags: 0x%lx, data: %s", dev,
					      target, flags, sbuf_str(&data));
			free(target);
		}
	}
	sbuf_release(&data);
	json_decref(o);
	return rc;
}

/* ---- references ---- */

/* name -> [container IDs], from every container's MountPoints. */
static json_t *refs_map(struct store *s)
{
	struct container **list = NULL;
	json_t *refs = json_object();
	struct berr e = BERR_INIT;

	if (container_list(s, 0, &list, &e) < 0)
		return refs;
	for (size_t i = 0; list[i]; i++) {
		json_t *mp = container_mount_points(list[i]), *m;
		const char *dest;

		json_object_foreach(mp, dest, m) {
			const char *type = json_string_value(json_object_get(m, "Type"));
			const char *name = json_string_value(json_object_get(m, "Name"));
			if (!type || strcmp(type, "volume") || !name || !*name)
				continue;
			json_t *a = json_object_get(refs, name);
			if (!a)
				json_object_set_new(refs, name, a = json_array());
			json_array_append_new(a, json_string(list[i]->id));
		}
	}
	container_list_free(list);
	return refs;
}

static void remove_locked(struct store *s, const char *name)
{
	struct berr e = BERR_INIT;
	int vfd = volumes_fd(s, 0, &e);
	char *path = volume_data_path(s, name);

	/* The local driver unmounts a volume with options before removing it. */
	if (volume_is_mounted(s, name))
		umount2(path, MNT_DETACH);
	free(path);
	if (vfd < 0)
		return;
	/* Out of volumes/ in one rename, so that a removal cut short never
	 * leaves a dir dockerd's scan would take for a volume; the rest is
	 * deleted there (volume_gc_locked finishes it after a crash). */
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof(from), VOLUMES "/%s", name);
	snprintf(to, sizeof(to), RM_DIR "/" RM_PREFIX "%s", name);
	if (mkdir_p_at(s->root_fd, RM_DIR, 0700, NULL) == 0 && renameat(s->root_fd, from, s->root_fd, to) == 0)
		remove_all_at(s->root_fd, to, NULL);
	else
		remove_all_at(vfd, name, NULL);
	db_update(vfd, name, NULL, 1, &e);
	close(vfd);
}

static void volume_gc_locked(struct store *s)
{
	int fd = openat(s->root_fd, RM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, RM_PREFIX, strlen(RM_PREFIX)))
			remove_all_at(dirfd(d), de->d_name, NULL);
	closedir(d);
}

void volume_remove_anonymous_locked(struct store *s, json_t *mount_points)
{
	json_t *refs = NULL, *m;
	const char *dest;

	json_object_foreach(mount_points, dest, m) {
		const char *type = json_string_value(json_object_get(m, "Type"));
		const char *name = json_string_value(json_object_get(m, "Name"));
		const char *src = json_string_value(json_object_get(json_object_get(m, "Spec"), "Source"));

		/* Named volumes (-v name:/p) stay. */
		if (!type || strcmp(type, "volume") || !name || !*name || (src && *src))
			continue;
		if (!refs)
			refs = refs_map(s);
		if (json_array_size(json_object_get(refs, name)) || !volume_exists(s, name))
			continue;
		remove_locked(s, name);
	}
	json_decref(refs);
}

/* ---- listing ---- */

/* sortorder.NaturalLess, the docker CLI's order of volume names. */
static int natural_cmp(const char *a, const char *b)
{
	size_t i = 0, j = 0, la = strlen(a), lb = strlen(b);

	while (i < la && j < lb) {
		int da = isdigit((unsigned char)a[i]) != 0, db = isdigit((unsigned char)b[j]) != 0;
		if (da != db)
			return da ? -1 : 1;
		if (!da) {
			if (a[i] != b[j])
				return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
			i++;
			j++;
			continue;
		}
		while (i < la && a[i] == '0')
			i++;
		while (j < lb && b[j] == '0')
			j++;
		size_t na = i, nb = j;
		while (i < la && isdigit((unsigned char)a[i]))
			i++;
		while (j < lb && isdigit((unsigned char)b[j]))
			j++;
		if (i - na != j - nb)
			return i - na < j - nb ? -1 : 1;
		int c = strncmp(a + na, b + nb, i - na);
		if (c)
			return c;
		if (na != nb)
			return na < nb ? -1 : 1;
	}
	return (la - i > lb - j) - (la - i < lb - j);
}

static int cmp_volume(const void *x, const void *y)
{
	return natural_cmp(((const struct berth_volume *)x)->name, ((const struct berth_volume *)y)->name);
}

static char **pairs(json_t *m, size_t *n)
{
	size_t i = 0;
	const char *k;
	json_t *v, *c;
	char **out;

	*n = 0;
	if (!json_is_object(m))
		return NULL;
	c = json_deep_copy(m);
	gojson_sort_keys(c);
	out = xcalloc(2 * json_object_size(c) + 1, sizeof(char *));
	json_object_foreach(c, k, v) {
		out[i++] = xstrdup(k);
		out[i++] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	}
	*n = i / 2;
	json_decref(c);
	return out;
}

/* time.Unix(ctime).Format(time.RFC3339), in local time. */
static void rfc3339_local(time_t t, char out[40])
{
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!off)
		strcat(out, "Z");
	else
		snprintf(out + strlen(out), 12, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
			 (int)(labs(off) % 3600 / 60));
}

static void fill(struct store *s, const char *name, json_t *entry, struct berth_volume *v)
{
	char path[PATH_MAX], when[40] = "0001-01-01T00:00:00Z";
	struct stat st;

	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->driver = xstrdup("local");
	v->scope = xstrdup("local");
	v->mountpoint = volume_data_path(s, name);
	snprintf(path, sizeof(path), VOLUMES "/%s/_data", name);
	if (fstatat(s->root_fd, path, &st, 0) == 0)
		rfc3339_local(st.st_ctim.tv_sec, when);
	v->created_at = xstrdup(when);
	v->labels = pairs(json_object_get(entry, "Labels"), &v->n_labels);
	v->options = pairs(json_object_get(entry, "Options"), &v->n_options);
	v->size = v->ref_count = -1;
}

/* Every local volume (a dir under volumes/), sorted. */
static int scan(struct store *s, struct berth_volume **out, size_t *n, struct berr *err)
{
	int vfd = volumes_fd(s, 0, err);
	json_t *db;
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (vfd < 0)
		return err->code ? -1 : 0;
	if (!(d = fdopendir(vfd))) {
		close(vfd);
		return berr_sys(err, "read %s/" VOLUMES, s->root);
	}
	db = db_entries(s);
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap)
			*out = xrealloc(*out, (cap = cap ? 2 * cap : 16) * sizeof(**out));
		fill(s, de->d_name, json_object_get(db, de->d_name), &(*out)[(*n)++]);
	}
	closedir(d);
	json_decref(db);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_volume);
	return 0;
}

static void volume_release(struct berth_volume *v)
{
	free(v->name);
	free(v->driver);
	free(v->mountpoint);
	free(v->scope);
	free(v->created_at);
	for (size_t k = 0; v->labels && k < 2 * v->n_labels; k++)
		free(v->labels[k]);
	for (size_t k = 0; v->options && k < 2 * v->n_options; k++)
		free(v->options[k]);
	free(v->labels);
	free(v->options);
}

void berth_volume_list_free(struct berth_volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		volume_release(&v[i]);
	free(v);
}

/* ---- filters (filters.Args as dockerd's volume service reads them) ---- */

static const char *pair_get(char **kv, size_t n, const char *key, size_t klen)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(kv[2 * i]) == klen && !strncmp(kv[2 * i], key, klen))
			return kv[2 * i + 1];
	return NULL;
}

/* Args.MatchKVList: every value ("k" or "k=v") in the labels. */
static int match_kv(const struct filter *fl, const struct berth_volume *v)
{
	if (!fl || !fl->n)
		return 1;
	if (!v->n_labels)
		return 0;
	for (size_t i = 0; i < fl->n; i++) {
		const char *eq = strchr(fl->values[i], '=');
		const char *have = pair_get(v->labels, v->n_labels, fl->values[i],
					    eq ? (size_t)(eq - fl->values[i]) : strlen(fl->values[i]));
		if (!have || (eq && strcmp(eq + 1, have)))
			return 0;
	}
	return 1;
}

static void refs_fill(struct store *s, struct berth_volume *v, size_t n)
{
	json_t *refs = refs_map(s);

	for (size_t i = 0; i < n; i++)
		v[i].ref_count = (int64_t)json_array_size(json_object_get(refs, v[i].name));
	json_decref(refs);
}

/* Keeps the volumes for which keep() says so. */
static void keep_only(struct berth_volume *v, size_t *n, const unsigned char *keep)
{
	size_t j = 0;

	for (size_t i = 0; i < *n; i++) {
		if (keep[i]) {
			v[j++] = v[i];
		} else {
			volume_release(&v[i]);
		}
	}
	*n = j;
}

int berth_volume_list(struct berth *b, const char *const *filters, struct berth_volume **out, size_t *n,
		      struct berr *err)
{
	static const char *const accepted[] = { "dangling", "name", "driver", "label", NULL };
	struct filters f;
	struct filter *dangling;
	int want_dangling = -1;

	*out = NULL;
	*n = 0;
	filters_parse(&f, filters);
	if (filters_validate(&f, accepted, err) < 0) {
		filters_release(&f);
		return -1;
	}
	if ((dangling = filters_get(&f, "dangling"))) {
		if (filter_has(dangling, "true") || filter_has(dangling, "1"))
			want_dangling = 1;
		else if (filter_has(dangling, "false") || filter_has(dangling, "0"))
			want_dangling = 0;
		else {
			char *vs = filter_values_str(dangling);
			berr_set(err, BERR_INVALID, "Invalid filter 'dangling=%s'", vs);
			free(vs);
			filters_release(&f);
			return -1;
		}
	}
	if (scan(b->store, out, n, err) < 0) {
		filters_release(&f);
		return -1;
	}
	if (f.n) {
		unsigned char *keep = xcalloc(*n ? *n : 1, 1);
		if (want_dangling >= 0)
			refs_fill(b->store, *out, *n);
		for (size_t i = 0; i < *n; i++) {
			struct berth_volume *v = &(*out)[i];
			keep[i] = filters_exact_match(&f, "driver", v->driver) && filters_match(&f, "name", v->name) &&
				  match_kv(filters_get(&f, "label"), v) &&
				  (want_dangling < 0 || (v->ref_count == 0) == want_dangling);
		}
		keep_only(*out, n, keep);
		free(keep);
	}
	filters_release(&f);
	return 0;
}

/* ---- inspect ---- */

static json_t *map_json(char **kv, size_t n)
{
	json_t *o;

	if (!kv)
		return json_null();
	o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, kv[2 * i], json_string(kv[2 * i + 1]));
	return o;
}

int berth_volume_inspect_raw(struct berth *b, const char *name, char **json_out, struct berr *err)
{
	struct berth_volume v;
	struct sbuf sb = SBUF_INIT;
	json_t *db, *o;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || !volume_exists(b->store, name))
		return berr_set(err, BERR_NOT_FOUND, "get %s: no such volume", name);
	db = db_entries(b->store);
	fill(b->store, name, json_object_get(db, name), &v);
	json_decref(db);
	o = json_object();
	json_object_set_new(o, "CreatedAt", json_string(v.created_at));
	json_object_set_new(o, "Driver", json_string(v.driver));
	json_object_set_new(o, "Labels", map_json(v.labels, v.n_labels));
	json_object_set_new(o, "Mountpoint", json_string(v.mountpoint));
	json_object_set_new(o, "Name", json_string(v.name));
	json_object_set_new(o, "Options", map_json(v.options, v.n_options));
	json_object_set_new(o, "Scope", json_string(v.scope));
	gojson_write_opts(&sb, o, NULL, NULL, 0);
	json_decref(o);
	volume_release(&v);
	*json_out = sbuf_detach(&sb, NULL);
	return 0;
}

/* ---- remove, prune, usage ---- */

int berth_volume_remove(struct berth *b, const char *name, int force, struct berr *err)
{
	json_t *refs, *ids;
	int rc = 0;

	if (store_lock(b->store, err) < 0)
		return -1;
	volume_gc_locked(b->store);
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || !volume_exists(b->store, name)) {
		if (!force)
			rc = berr_set(err, BERR_NOT_FOUND, "get %s: no such volume", name);
		goto out;
	}
	refs = refs_map(b->store);
	if (json_array_size(ids = json_object_get(refs, name))) {
		struct sbuf sb = SBUF_INIT;
		size_t i;
		json_t *id;
		json_array_foreach(ids, i, id)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", json_string_value(id));
		rc = berr_set(err, BERR_EXISTS, "remove %s: volume is in use - [%s]", name, sbuf_str(&sb));
		sbuf_release(&sb);
	} else {
		remove_locked(b->store, name);
	}
	json_decref(refs);
out:
	store_unlock(b->store);
	return rc;
}

static int64_t volume_size(struct store *s, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), VOLUMES "/%s/_data", name);
	fd = openat(s->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? 0 : dir_usage(fd);
}

int berth_volume_usage(struct berth *b, struct berth_volume **out, size_t *n, struct berr *err)
{
	unsigned char *keep;

	if (scan(b->store, out, n, err) < 0)
		return -1;
	keep = xcalloc(*n ? *n : 1, 1);
	for (size_t i = 0; i < *n; i++)
		keep[i] = (*out)[i].n_options == 0;
	keep_only(*out, n, keep);
	free(keep);
	refs_fill(b->store, *out, *n);
	for (size_t i = 0; i < *n; i++)
		(*out)[i].size = volume_size(b->store, (*out)[i].name);
	return 0;
}

int berth_volume_prune(struct berth *b, const char *const *filters, char ***names_out, uint64_t *reclaimed,
		       struct berr *err)
{
	static const char *const accepted[] = { "label", "label!", NULL };
	struct filters f;
	struct berth_volume *v = NULL;
	size_t n = 0, k = 0;
	char **names;

	*names_out = NULL;
	*reclaimed = 0;
	filters_parse(&f, filters);
	if (filters_validate(&f, accepted, err) < 0 || store_lock(b->store, err) < 0) {
		filters_release(&f);
		return -1;
	}
	volume_gc_locked(b->store);
	if (scan(b->store, &v, &n, err) < 0) {
		store_unlock(b->store);
		filters_release(&f);
		return -1;
	}
	refs_fill(b->store, v, n);
	names = xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		const struct filter *not = filters_get(&f, "label!");
		if (v[i].ref_count || v[i].n_options || !match_kv(filters_get(&f, "label"), &v[i]) ||
		    (not && match_kv(not, &v[i])))
			continue;
		*reclaimed += (uint64_t)volume_size(b->store, v[i].name);
		remove_locked(b->store, v[i].name);
		names[k++] = xstrdup(v[i].name);
	}
	store_unlock(b->store);
	berth_volume_list_free(v, n);
	filters_release(&f);
	*names_out = names;
	return 0;
}
