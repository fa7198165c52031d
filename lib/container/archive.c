/*
 * archive.c - the daemon's side of docker cp (daemon/archive.go,
 * container/archive.go): HEAD, GET and PUT /containers/{id}/archive as
 * berth_container_stat_path, berth_container_archive_path and
 * berth_container_extract_to_dir.
 *
 * The container's root is its merged dir: mounted already while it runs,
 * mounted for the call (and unmounted after) when it does not.  Paths are
 * resolved as pkg/symlink's FollowSymlinkInScope resolves them (lexically,
 * every symlink taken relative to the container's root, "/.." staying at
 * the root, missing components accepted), and every file is then opened
 * with openat2(RESOLVE_IN_ROOT) under the root's fd, so neither a symlink
 * in the container nor one swapped in meanwhile reaches the host.
 *
 * The container's mounts are seen as dockerd's cp sees them
 * (daemon.mountVolumes before each call): its volumes and binds, and the
 * hostname, hosts and resolv.conf files of containers/<id>/ once it has
 * been started, bind-mounted over the root; tmpfs mounts are not (dockerd
 * skips them, and a running container's own mounts live in its own mount
 * namespace).  berth makes the same bind mounts, but in a private mount
 * namespace of a short-lived thread (view_open below) rather than by
 * redirecting paths through the mount table: the tar writer and the
 * extractor then walk one tree with mounts inside it, exactly as docker's
 * chrooted tar and untar do (a dir holding a mount point tars the mount's
 * contents; a symlink inside a volume resolves against the container's
 * whole view, other mounts included), with no second resolver to keep in
 * step, and nothing of it is ever visible on the host, nor left behind if
 * berth dies: the namespace goes with its last reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <berth/container.h>

#include "../format/gojson.h"
#include "../io/decompress.h"
#include "../store/store.h"
#include "../tar/extract.h"
#include "../util/fs.h"
#include "../util/base64.h"
#include "../util/gopath.h"
#include "../util/timefmt.h"
#include "archive.h"
#include "container.h"
#include "lookup.h"
#include "volumes.h"

/* The container's root, open for one call. */
struct ctr_fs {
	struct container *c;
	char *merged;
	int root;           /* the merged dir, in the view's namespace when there is one */
	int ns;             /* the private mount namespace holding the mounts, or -1 */
	int mounted_here;
};

static void ctr_fs_close(struct berth *b, struct ctr_fs *fs)
{
	if (fs->root >= 0)
		close(fs->root);
	/* the last reference to the view's namespace: its mounts go with it */
	if (fs->ns >= 0)
		close(fs->ns);
	if (fs->mounted_here) {
		/* a start meanwhile found the root mounted and uses it now */
		struct container *now = container_load(b->store, fs->c->id, NULL);
		if (!now || !now->state.running)
			store_rwlayer_unmount(b->store, fs->c->id, NULL);
		container_free(now);
	}
	free(fs->merged);
	container_free(fs->c);
	memset(fs, 0, sizeof(*fs));
	fs->root = fs->ns = -1;
}

/* strerror as Go's syscall.Errno words it (lower case). */
static void go_errstr(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

static int lstat_error(const struct ctr_fs *fs, const char *abs, int e, struct berr *err)
{
	char msg[128];

	go_errstr(e, msg, sizeof(msg));
	berr_set(err, e == ENOENT ? BERR_NOT_FOUND : BERR_IO, "lstat %s%s: %s", fs->merged,
		 strcmp(abs, "/") ? abs : "", msg);
	err->errno_ = e;
	return -1;
}

/* pkg/symlink's evalSymlinksInScope of path (absolute in the container)
 * into out, "/a/b".  A missing component is accepted as it is. */
static int scope_resolve(const struct ctr_fs *fs, const char *path, struct sbuf *out, struct berr *err)
{
	char *rest = go_clean(path);
	struct sbuf b = SBUF_INIT;   /* resolved so far, relative, each component ending in '/' */
	int n = 0, rc = -1;

	while (*rest) {
		char *slash = strchr(rest, '/'), *p, *clean_p, *tmp;
		struct stat st;
		char target[4097];
		ssize_t len;

		if (++n > 255) {
			berr_set(err, BERR_INVALID, "evalSymlinksInScope: too many links in %s%s", fs->merged, path);
			goto out;
		}
		p = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
		tmp = xstrdup(slash ? slash + 1 : "");
		free(rest);
		rest = tmp;
		if (!*p) {
			free(p);
			continue;
		}
		tmp = xasprintf("/%s%s", sbuf_str(&b), p);
		clean_p = go_clean(tmp);
		free(tmp);
		if (!strcmp(clean_p, "/")) {
			sbuf_reset(&b);
			free(p);
			free(clean_p);
			continue;
		}
		if (fstatat(fs->root, clean_p + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) {
				lstat_error(fs, clean_p, errno, err);
				free(p);
				free(clean_p);
				goto out;
			}
			st.st_mode = 0;
		}
		if (!S_ISLNK(st.st_mode)) {
			/* b stays a cleaned path: ".." consumed here as
			 * Go's Clean of "/"+b+p would */
			sbuf_reset(&b);
			if (strcmp(clean_p, "/"))
				sbuf_addf(&b, "%s/", clean_p + 1);
			free(p);
			free(clean_p);
			continue;
		}
		len = readlinkat(fs->root, clean_p + 1, target, sizeof(target) - 1);
		if (len < 0) {
			berr_sys(err, "readlink %s%s", fs->merged, clean_p);
			free(p);
			free(clean_p);
			goto out;
		}
		target[len] = '\0';
		if (target[0] == '/')
			sbuf_reset(&b);
		else {
			/* b without p: the link's dir */
			char *d = go_dir(clean_p);
			sbuf_reset(&b);
			if (strcmp(d, "/"))
				sbuf_addf(&b, "%s/", d + 1);
			free(d);
		}
		tmp = xasprintf("%s/%s", target, rest);
		free(rest);
		rest = tmp;
		free(p);
		free(clean_p);
	}
	{
		_cleanup_free_ char *t = xasprintf("/%s", sbuf_str(&b));
		_cleanup_free_ char *c = go_clean(t);
		sbuf_reset(out);
		sbuf_addstr(out, c);
	}
	rc = 0;
out:
	free(rest);
	sbuf_release(&b);
	return rc;
}

/* Opens abs ("/a/b", resolved) in the root, never leaving it. */
static int open_in_root(const struct ctr_fs *fs, const char *abs, int flags, struct berr *err)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = abs[1] ? abs + 1 : ".";
	int fd;

	do
		fd = (int)syscall(SYS_openat2, fs->root, rel, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	if (fd < 0)
		return lstat_error(fs, abs, errno, err);
	return fd;
}

/* ---- the mounts: dockerd's mountVolumes in a private namespace ---- */

/* One bind of mountVolumes. */
struct view_mount {
	char *source, *dest;
	int rw, recursive;
};

/* What a call runs in the container's view (see view_open). */
typedef int (*view_fn)(struct ctr_fs *fs, void *arg, struct berr *err);

struct view_job {
	const struct ctr_fs *fs;
	const struct view_mount *m;
	size_t n;
	view_fn fn;
	void *arg;
	int rc;
	int root, ns;       /* out, without fn */
	struct berr err;
};

static size_t dest_depth(const char *dest)
{
	_cleanup_free_ char *c = go_clean(dest);
	size_t n = 0;

	for (const char *p = c; *p; p++)
		n += *p == '/';
	return n;
}

static void view_mounts_free(struct view_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].source);
		free(m[i].dest);
	}
	free(m);
}

/* setupMounts' list: the MountPoints but tmpfs ones, sources resolved
 * as at start (volume paths, -v bind sources made), by depth; then the
 * network files (a MountPoint at one of their paths takes its place, as
 * TrySetNetworkMount does), each only when it exists. */
static int view_mounts(struct berth *b, struct container *c, struct view_mount **out, size_t *nout,
		       struct berr *err)
{
	static const char *const net_dest[3] = { "/etc/resolv.conf", "/etc/hostname", "/etc/hosts" };
	const char *net_src[3] = { c->resolv_conf_path, c->hostname_path, c->hosts_path };
	int net_rw[3];
	json_t *tmpfs = json_object_get(c->host_config, "Tmpfs"), *mps, *mp;
	struct view_mount *m;
	const char *dest;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	if (!(mps = container_mounts_for_start(b->store, container_mount_points(c), c->host_config, err)))
		return -1;
	m = xcalloc(json_object_size(mps) + 3, sizeof(*m));
	for (int i = 0; i < 3; i++)
		net_rw[i] = !json_is_true(json_object_get(c->host_config, "ReadonlyRootfs"));
	json_object_foreach(mps, dest, mp) {
		const char *type = json_string_value(json_object_get(mp, "Type"));
		const char *src = json_string_value(json_object_get(mp, "Source"));
		const char *mdest = json_string_value(json_object_get(mp, "Destination"));
		json_t *bo = json_object_get(json_object_get(mp, "Spec"), "BindOptions");
		int rw = json_is_true(json_object_get(mp, "RW")), net = -1;
		size_t j;

		if (json_object_get(tmpfs, dest) || (type && !strcmp(type, "tmpfs")))
			continue;
		for (int i = 0; i < 3; i++)
			if (mdest && !strcmp(mdest, net_dest[i]))
				net = i;
		if (net >= 0) {
			net_src[net] = src;
			net_rw[net] = rw;
			continue;
		}
		/* "Unable to setup mount point, neither source nor volume defined" */
		if (!src || !*src || !mdest)
			continue;
		/* sortMounts: by depth (its sort is not stable; equal depths
		 * never shadow each other) */
		for (j = n; j > 0 && dest_depth(m[j - 1].dest) > dest_depth(mdest); j--)
			m[j] = m[j - 1];
		m[j].source = xstrdup(src);
		m[j].dest = xstrdup(mdest);
		m[j].rw = rw;
		m[j].recursive = !json_is_true(json_object_get(bo, "NonRecursive"));
		n++;
	}
	for (int i = 0; i < 3; i++) {
		struct stat st;
		if (!net_src[i] || !*net_src[i] || stat(net_src[i], &st) < 0)
			continue;
		m[n].source = xstrdup(net_src[i]);
		m[n].dest = xstrdup(net_dest[i]);
		m[n].rw = net_rw[i];
		m[n].recursive = 1;
		n++;
	}
	json_decref(mps);
	*out = m;
	*nout = n;
	return 0;
}

/* fileutils.CreateIfNotExists of abs (resolved) in the root: the missing
 * dirs 0755, the last one a dir or an empty file; only ever below the
 * root (every component opened O_NOFOLLOW from the one before). */
static int create_if_not_exists(const struct ctr_fs *fs, const char *abs, int is_dir, struct berr *err)
{
	_cleanup_free_ char *path = xstrdup(abs);
	char *save = NULL, *comp, *next;
	int dfd = dup(fs->root), fd;

	if (dfd < 0)
		return berr_sys(err, "dup");
	for (comp = strtok_r(path, "/", &save); comp; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (!next && !is_dir) {
			fd = openat(dfd, comp, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0755);
			if (fd < 0) {
				berr_sys(err, "open %s%s", fs->merged, abs);
				close(dfd);
				return -1;
			}
			close(fd);
			break;
		}
		if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST) {
			berr_sys(err, "mkdir %s%s", fs->merged, abs);
			close(dfd);
			return -1;
		}
		fd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (fd < 0)
			return berr_sys(err, "mkdir %s%s", fs->merged, abs);
		dfd = fd;
	}
	close(dfd);
	return 0;
}

/* moby/sys/mount's mountError. */
static int mount_error(struct berr *err, const char *op, const char *src, const char *target, unsigned long flags)
{
	char msg[128];
	int e = errno;

	go_errstr(e, msg, sizeof(msg));
	berr_set(err, BERR_IO, "%s %s%s%s, flags: 0x%lx: %s", op, src ? src : "", src ? ":" : "", target, flags, msg);
	err->errno_ = e;
	return -1;
}

/* One mount of mountVolumes: the destination resolved in the scope of
 * the root as it stands (earlier mounts included), made if missing as
 * the source's kind, then "rbind" (or "bind"), "rw" or "ro".  The
 * target is named by an O_PATH fd opened in the root, never by a path a
 * symlink could redirect.  "rprivate" needs no call: every mount of this
 * namespace is private already, and a bind of a private mount is too. */
static int view_mount_one(const struct ctr_fs *fs, const struct view_mount *m, struct berr *err)
{
	struct sbuf res = SBUF_INIT;
	struct stat st;
	char proc[64];
	unsigned long flags = MS_BIND | (m->recursive ? MS_REC : 0) | (m->rw ? 0 : MS_RDONLY);
	int fd = -1, rc = -1;

	if (scope_resolve(fs, m->dest, &res, err) < 0)
		goto out;
	if (stat(m->source, &st) < 0) {
		/* os.Stat's error; a missing source is the call's 404 */
		char msg[128];
		int e = errno;
		go_errstr(e, msg, sizeof(msg));
		berr_set(err, e == ENOENT ? BERR_NOT_FOUND : BERR_IO, "stat %s: %s", m->source, msg);
		err->errno_ = e;
		goto out;
	}
	if (create_if_not_exists(fs, sbuf_str(&res), S_ISDIR(st.st_mode), err) < 0)
		goto out;
	if ((fd = open_in_root(fs, sbuf_str(&res), O_PATH, err)) < 0)
		goto out;
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	if (mount(m->source, proc, NULL, flags & ~MS_RDONLY, NULL) < 0) {
		_cleanup_free_ char *t = xasprintf("%s%s", fs->merged, sbuf_str(&res));
		mount_error(err, "mount", m->source, t, flags);
		goto out;
	}
	if (!m->rw) {
		/* the bind's own root now, reached through it: the remount
		 * applies to the mount on top, not the dir under it */
		close(fd);
		if ((fd = open_in_root(fs, sbuf_str(&res), O_PATH, err)) < 0)
			goto out;
		snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
		if (mount(NULL, proc, NULL, flags | MS_REMOUNT, NULL) < 0) {
			_cleanup_free_ char *t = xasprintf("%s%s", fs->merged, sbuf_str(&res));
			mount_error(err, "remount", NULL, t, flags | MS_REMOUNT);
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	sbuf_release(&res);
	return rc;
}

/* The thread's body: unshare(CLONE_NEWNS) acts on the calling thread
 * alone, so the process (and an API server's other threads) keep the
 * host's namespace.  Reads need nothing more than fds into the view: the
 * caller gets the root opened in the new namespace and the namespace's
 * own fd, which keeps it (and so the mounts under that root) alive after
 * the thread is gone.  Writes run in the thread itself (fn), because
 * unlink, rmdir and rename refuse a mount point (EBUSY, as dockerd's untar
 * meets them on /etc/hosts) only in the namespace that has the mount. */
static void *view_thread(void *arg)
{
	struct view_job *j = arg;
	struct ctr_fs fs = *j->fs;

	j->rc = -1;
	fs.root = fs.ns = -1;
	fs.mounted_here = 0;
	if (unshare(CLONE_NEWNS) < 0) {
		berr_sys(&j->err, "unshare mount namespace");
		return NULL;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		berr_sys(&j->err, "make / rprivate");
		return NULL;
	}
	/* the merged dir as this namespace has it: mounts go on its copy */
	if ((fs.root = open(fs.merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		berr_sys(&j->err, "open %s", fs.merged);
		return NULL;
	}
	for (size_t i = 0; i < j->n; i++)
		if (view_mount_one(&fs, &j->m[i], &j->err) < 0)
			goto out;
	if (j->fn) {
		j->rc = j->fn(&fs, j->arg, &j->err);
		goto out;
	}
	if ((j->ns = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0) {
		berr_sys(&j->err, "open /proc/thread-self/ns/mnt");
		goto out;
	}
	j->root = fs.root;
	j->rc = 0;
	return NULL;
out:
	close(fs.root);
	return NULL;
}

/* The container's view, when it has mounts.  Without fn, fs->root is
 * replaced by the root of a namespace holding them; with fn, fn runs in
 * that namespace and its result is returned.  With no mounts, the plain
 * root is the view (fn runs here). */
static int view_open(struct berth *b, struct ctr_fs *fs, view_fn fn, void *arg, struct berr *err)
{
	struct view_job j = { .fs = fs, .fn = fn, .arg = arg, .root = -1, .ns = -1, .err = BERR_INIT };
	struct view_mount *m;
	pthread_t t;
	size_t n;
	int rc;

	if (view_mounts(b, fs->c, &m, &n, err) < 0)
		return -1;
	if (n == 0) {
		free(m);
		return fn ? fn(fs, arg, err) : 0;
	}
	j.m = m;
	j.n = n;
	if ((rc = pthread_create(&t, NULL, view_thread, &j)) != 0) {
		errno = rc;
		view_mounts_free(m, n);
		return berr_sys(err, "pthread_create");
	}
	pthread_join(t, NULL);
	view_mounts_free(m, n);
	if (j.rc < 0) {
		*err = j.err;
		return -1;
	}
	if (!fn) {
		close(fs->root);
		fs->root = j.root;
		fs->ns = j.ns;
	}
	return j.rc;
}

/* The container's root (the merged dir) and, without fn, its view
 * (view_open); with fn, fn's result in the view. */
static int ctr_fs_open_run(struct berth *b, const char *name_or_id, struct ctr_fs *fs, view_fn fn, void *arg,
			   struct berr *err)
{
	struct store_rwlayer rw;

	memset(fs, 0, sizeof(*fs));
	fs->root = fs->ns = -1;
	if (!(fs->c = container_lookup(b->store, name_or_id, err)))
		return -1;
	if (store_rwlayer_read(b->store, fs->c->id, &rw, err) < 0)
		goto fail;
	/* A running container's root is mounted already (and stays so); a
	 * stopped one's is mounted for this call, as export does.
	 * TODO: dockerd counts mounts; two calls on one stopped container
	 * at once here can still unmount under each other (a start is
	 * checked for at the unmount). */
	fs->mounted_here = !overlay2_is_mounted(b->store, rw.mount_id);
	if (store_rwlayer_mount(b->store, fs->c->id, &fs->merged, err) < 0) {
		fs->mounted_here = 0;
		goto fail;
	}
	fs->root = open(fs->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root < 0) {
		berr_sys(err, "open %s", fs->merged);
		goto fail;
	}
	if (view_open(b, fs, fn, arg, err) < 0)
		goto fail;
	return 0;
fail:
	if (!fn)
		ctr_fs_close(b, fs);
	return -1;
}

static int ctr_fs_open(struct berth *b, const char *name_or_id, struct ctr_fs *fs, struct berr *err)
{
	return ctr_fs_open_run(b, name_or_id, fs, NULL, NULL, err);
}

/* Go's os.FileMode of a st_mode. */
static uint32_t go_file_mode(mode_t m)
{
	uint32_t g = m & 0777;

	switch (m & S_IFMT) {
	case S_IFBLK: g |= 1u << 26; break;
	case S_IFCHR: g |= (1u << 26) | (1u << 21); break;
	case S_IFDIR: g |= 1u << 31; break;
	case S_IFIFO: g |= 1u << 25; break;
	case S_IFLNK: g |= 1u << 27; break;
	case S_IFSOCK: g |= 1u << 24; break;
	}
	if (m & S_ISUID)
		g |= 1u << 23;
	if (m & S_ISGID)
		g |= 1u << 22;
	if (m & S_ISVTX)
		g |= 1u << 20;
	return g;
}

void berth_container_path_stat_release(struct berth_container_path_stat *st)
{
	free(st->name);
	free(st->link_target);
	memset(st, 0, sizeof(*st));
}

char *berth_container_path_stat_json(const struct berth_container_path_stat *st)
{
	struct sbuf sb = SBUF_INIT;
	char mt[40];

	/* json.Marshal of types.ContainerPathStat: HTML escaped, the mtime
	 * as time.Time's RFC 3339 (the daemon's zone: UTC here) */
	unix_to_rfc3339nano(st->mtime_sec, st->mtime_nsec, mt);
	sbuf_addstr(&sb, "{\"name\":");
	gojson_write_string(&sb, st->name, strlen(st->name), 1);
	sbuf_addf(&sb, ",\"size\":%lld,\"mode\":%u,\"mtime\":\"%s\",\"linkTarget\":", (long long)st->size,
		  (unsigned)st->mode, mt);
	gojson_write_string(&sb, st->link_target, strlen(st->link_target), 1);
	sbuf_addch(&sb, '}');
	return sbuf_detach(&sb, NULL);
}

char *berth_container_path_stat_header(const struct berth_container_path_stat *st)
{
	_cleanup_free_ char *json = berth_container_path_stat_json(st);
	struct sbuf sb = SBUF_INIT;

	base64_encode(&sb, json, strlen(json));
	return sbuf_detach(&sb, NULL);
}

/* A path resolved as container.ResolvePath does: its dir in the scope of
 * the root, its base as given; stat'ed as StatPath does. */
struct resolved {
	char *abs;          /* absPath: "/a/b", trailing "/" or "/." kept */
	struct sbuf dir;    /* the resolved dir, "/x" */
	char *base;         /* absPath's last element as split ("" or "." possible) */
	int dirfd;          /* dir, O_RDONLY */
	struct stat st;     /* lstat of dir/base */
};

static void resolved_release(struct resolved *r)
{
	free(r->abs);
	free(r->base);
	sbuf_release(&r->dir);
	if (r->dirfd >= 0)
		close(r->dirfd);
}

static char *container_abs(const char *path)
{
	_cleanup_free_ char *j = go_join("/", path);

	return go_preserve_trailing(j, path);
}

static int resolve_path(const struct ctr_fs *fs, const char *path, struct resolved *r, struct berr *err)
{
	_cleanup_free_ char *dir = NULL;

	memset(r, 0, sizeof(*r));
	r->dirfd = -1;
	r->abs = container_abs(path);
	go_split(r->abs, &dir, &r->base);
	if (scope_resolve(fs, dir, &r->dir, err) < 0)
		return -1;
	if ((r->dirfd = open_in_root(fs, sbuf_str(&r->dir), O_RDONLY | O_DIRECTORY, err)) < 0) {
		/* what docker's lstat of dir/base would say */
		if (err->errno_ == ENOENT || err->errno_ == ENOTDIR) {
			_cleanup_free_ char *full = xasprintf("%s/%s", sbuf_str(&r->dir), r->base);
			int e = err->errno_;
			return lstat_error(fs, strcmp(sbuf_str(&r->dir), "/") ? full : full + 1, e, err);
		}
		return -1;
	}
	if (fstatat(r->dirfd, *r->base ? r->base : ".", &r->st, AT_SYMLINK_NOFOLLOW) < 0) {
		_cleanup_free_ char *full = xasprintf("%s/%s", strcmp(sbuf_str(&r->dir), "/") ? sbuf_str(&r->dir) : "",
						      r->base);
		return lstat_error(fs, full, errno, err);
	}
	return 0;
}

static int stat_of(const struct ctr_fs *fs, const struct resolved *r, struct berth_container_path_stat *out,
		   struct berr *err)
{
	memset(out, 0, sizeof(*out));
	out->name = go_base(r->abs);
	out->size = r->st.st_size;
	out->mode = go_file_mode(r->st.st_mode);
	out->mtime_sec = r->st.st_mtim.tv_sec;
	out->mtime_nsec = r->st.st_mtim.tv_nsec;
	if (S_ISLNK(r->st.st_mode)) {
		struct sbuf t = SBUF_INIT;
		if (scope_resolve(fs, r->abs, &t, err) < 0) {
			berth_container_path_stat_release(out);
			return -1;
		}
		out->link_target = sbuf_detach(&t, NULL);
	} else {
		out->link_target = xstrdup("");
	}
	return 0;
}

/* containerFileNotFound for a missing path (ENOENT), dockerd's 404. */
static int not_found(struct berr *err, const char *path, const char *name)
{
	if (err->errno_ == ENOENT)
		berr_set(err, BERR_NOT_FOUND, "Could not find the file %s in container %s", path, name);
	return -1;
}

int berth_container_stat_path(struct berth *b, const char *name_or_id, const char *path,
			      struct berth_container_path_stat *out, struct berr *err)
{
	struct ctr_fs fs;
	struct resolved r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ctr_fs_open(b, name_or_id, &fs, err) < 0)
		return not_found(err, path, name_or_id);
	rc = resolve_path(&fs, path, &r, err);
	if (rc == 0)
		rc = stat_of(&fs, &r, out, err);
	if (rc < 0)
		not_found(err, path, name_or_id);
	resolved_release(&r);
	ctr_fs_close(b, &fs);
	return rc;
}

struct ctr_source {
	struct berth *b;
	struct ctr_fs fs;
	struct resolved r;
	struct berth_container_path_stat stat;
	int src_fd;         /* the dir the tar walks from */
	char *include, *rebase;
};

void ctr_source_close(struct ctr_source *s)
{
	if (!s)
		return;
	if (s->src_fd >= 0)
		close(s->src_fd);
	berth_container_path_stat_release(&s->stat);
	resolved_release(&s->r);
	ctr_fs_close(s->b, &s->fs);
	free(s->include);
	free(s->rebase);
	free(s);
}

int ctr_source_open(struct berth *b, const char *name_or_id, const char *path, struct ctr_source **out,
		    struct berr *err)
{
	struct ctr_source *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	s->b = b;
	s->src_fd = -1;
	s->r.dirfd = -1;
	s->fs.root = -1;
	if (ctr_fs_open(b, name_or_id, &s->fs, err) < 0) {
		free(s);
		return not_found(err, path, name_or_id);
	}
	if (resolve_path(&s->fs, path, &s->r, err) < 0 || stat_of(&s->fs, &s->r, &s->stat, err) < 0) {
		not_found(err, path, name_or_id);
		ctr_source_close(s);
		return -1;
	}
	/* containerArchivePath: a dir is tarred from itself with the include
	 * "." (its entries "./..."), anything else from its dir; either
	 * rebased to absPath's base */
	s->rebase = go_base(s->r.abs);
	if (S_ISDIR(s->r.st.st_mode)) {
		const char *base = s->r.base;
		s->include = xstrdup(".");
		if (!*base || !strcmp(base, "."))
			s->src_fd = dup(s->r.dirfd);
		else
			s->src_fd = openat(s->r.dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s->src_fd < 0) {
			berr_sys(err, "open %s", s->r.abs);
			ctr_source_close(s);
			return -1;
		}
	} else {
		s->include = xstrdup(s->r.base);
		s->src_fd = dup(s->r.dirfd);
	}
	*out = s;
	return 0;
}

const struct berth_container_path_stat *ctr_source_stat(const struct ctr_source *s)
{
	return &s->stat;
}

int ctr_source_tar(struct ctr_source *s, const struct layer_rename *renames, layer_sink_fn out, void *ctx,
		   struct berr *err)
{
	struct layer_resource_opts o = {
		.names_root_fd = s->fs.root,   /* dockerd tars in a chroot of the root */
		.include = s->include,
		.rebase = s->rebase,
	};

	if (renames)
		memcpy(o.renames, renames, sizeof(o.renames));
	return layer_resource_tar(s->src_fd, &o, out, ctx, err);
}

struct fd_sink_ctx {
	int fd;
	int is_socket;
};

static int fd_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct fd_sink_ctx *o = ctx;

	if (fd_write_all(o->fd, buf, n, o->is_socket) < 0)
		return berr_sys(err, "write tar");
	return 0;
}

int berth_container_archive_path(struct berth *b, const char *name_or_id, const char *path, int fd,
				 berth_container_path_stat_fn on_stat, void *ctx, struct berr *err)
{
	struct ctr_source *s;
	struct fd_sink_ctx o = { fd, 0 };
	struct stat st;
	int rc;

	if (ctr_source_open(b, name_or_id, path, &s, err) < 0)
		return -1;
	if (on_stat && on_stat(&s->stat, ctx) != 0) {
		ctr_source_close(s);
		return 0;
	}
	o.is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	rc = ctr_source_tar(s, NULL, fd_sink, &o, err);
	ctr_source_close(s);
	return rc;
}

/* tarCopyOptions: -a with Config.User set chowns everything to that
 * user as the host's passwd knows it (idtools.LookupUser, as dockerd
 * 20.10 does: the host's, not the container's). */
static int copy_owner(struct container *c, struct extract_opts *x, struct berr *err)
{
	json_t *cfg = container_config(c);
	const char *user = json_string_value(json_object_get(cfg, "User"));
	struct passwd pw, *res = NULL;
	char buf[16384];

	if (!user || !*user)
		return 0;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return berr_set(err, BERR_INVALID, "getent unable to find entry \"%s\" in passwd database", user);
	x->chown_set = 1;
	x->chown_uid = pw.pw_uid;
	x->chown_gid = pw.pw_gid;
	return 0;
}

/* checkIfPathIsInAVolume: 1 when abs (resolved, "/x") is at or below a
 * read-write MountPoint's destination (parser.HasResource, a tmpfs one
 * too), -1 when the MountPoint it is found in first is read-only
 * (dockerd walks a Go map: with nested mounts its answer varies). */
static int in_volume(struct container *c, const char *abs, struct berr *err)
{
	json_t *mp;
	const char *key;

	json_object_foreach(container_mount_points(c), key, mp) {
		const char *d = json_string_value(json_object_get(mp, "Destination"));
		_cleanup_free_ char *dest = go_clean(d ? d : key);
		size_t n = strlen(dest);

		if (!(strcmp(dest, "/") == 0 || (strncmp(abs, dest, n) == 0 && (abs[n] == '\0' || abs[n] == '/'))))
			continue;
		if (json_is_true(json_object_get(mp, "RW")))
			return 1;
		return berr_set(err, BERR_INVALID, "mounted volume is marked read-only");
	}
	return 0;
}

struct extract_job {
	const char *path, *name_or_id;
	struct reader *src;
	const struct berth_container_extract_opts *o;
	int ran;            /* the extraction's own errors are worded already */
};

/* containerExtractToDir past the mounts, in the container's view. */
static int extract_in_view(struct ctr_fs *fs, void *arg, struct berr *err)
{
	struct extract_job *j = arg;
	struct sbuf resolved = SBUF_INIT;
	struct extract_opts x = { 0 };
	struct decompress_reader *dr = NULL;
	_cleanup_free_ char *abs = container_abs(j->path);
	struct stat st;
	int fd = -1, rc = -1, in_vol;

	j->ran = 1;
	/* the last element is followed too, so that a symlink to a dir
	 * extracts into that dir */
	if (scope_resolve(fs, abs, &resolved, err) < 0)
		goto out;
	if ((fd = open_in_root(fs, sbuf_str(&resolved), O_PATH, err)) < 0 || fstat(fd, &st) < 0) {
		not_found(err, j->path, j->name_or_id);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		berr_set(err, BERR_INVALID, "extraction point is not a directory");
		goto out;
	}
	/* checkIfPathIsInAVolume on the resolved dir: a read-only mount
	 * refuses it, a read-write one lifts the read-only rootfs */
	if ((in_vol = in_volume(fs->c, sbuf_str(&resolved), err)) < 0)
		goto out;
	if (!in_vol && json_is_true(json_object_get(fs->c->host_config, "ReadonlyRootfs"))) {
		berr_set(err, BERR_INVALID, "container rootfs is marked read-only");
		goto out;
	}
	x.dest = sbuf_str(&resolved) + 1;
	x.no_overwrite_dir_non_dir = j->o && j->o->no_overwrite_dir_non_dir;
	if (j->o && j->o->copy_uid_gid && copy_owner(fs->c, &x, err) < 0)
		goto out;
	dr = decompress_reader_new(j->src);
	rc = layer_extract(fs->root, decompress_reader_base(dr), &x, NULL, err);
	/* dockerd's docker-untar child says why it failed on its stderr */
	if (rc < 0)
		berr_wrap(err, "Error processing tar file(exit status 1)");
out:
	decompress_reader_free(dr);
	if (fd >= 0)
		close(fd);
	sbuf_release(&resolved);
	return rc;
}

int ctr_extract(struct berth *b, const char *name_or_id, const char *path, struct reader *src,
		const struct berth_container_extract_opts *o, struct berr *err)
{
	struct extract_job j = { path, name_or_id, src, o, 0 };
	struct ctr_fs fs;
	int rc;

	rc = ctr_fs_open_run(b, name_or_id, &fs, extract_in_view, &j, err);
	/* a mount's missing source is the call's 404 too (os.IsNotExist) */
	if (rc < 0 && !j.ran)
		not_found(err, path, name_or_id);
	ctr_fs_close(b, &fs);
	return rc;
}

int berth_container_extract_to_dir(struct berth *b, const char *name_or_id, const char *path, int fd,
				   const struct berth_container_extract_opts *o, struct berr *err)
{
	struct fd_reader r;

	fd_reader_init(&r, fd);
	return ctr_extract(b, name_or_id, path, &r.r, o, err);
}
