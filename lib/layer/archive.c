/*
 * archive.c - docker 20.10's pkg/archive tar writer (TarWithOptions and
 * tarAppender.addTarFile) over a directory: commit's layer diff with the
 * overlay whiteout converter, and export without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../util/fs.h"
#include "../util/sbuf.h"
#include "gotar.h"
#include "layer.h"
#include "walk.h"

/* An id -> name lookup remembered, as Go's archive/tar keeps userMap:
 * only successes are kept. */
struct idname {
	unsigned id;
	char *name;
};

/* Where names come from: this host's user database (commit: dockerd
 * tars the diff dir itself), or the rootfs's own etc/passwd and etc/group
 * (export: dockerd tars in a chroot of the rootfs). */
struct names {
	struct idname *v;
	size_t n, cap;
	int group;
	int root_fd;            /* -1: the host */
	struct sbuf file;       /* the rootfs's file, read once */
	int loaded;
};

/* inode -> the first name walked (tarAppender.SeenFiles, keyed by inode
 * alone as docker's is): open addressing, so a tree of hard links (cp -al)
 * stays linear. */
struct seen_slot {
	ino_t ino;
	char *name;     /* NULL: free */
};

struct seen {
	struct seen_slot *v;
	size_t n, cap;  /* cap: a power of two */
};

struct appender {
	struct gotar tw;
	int whiteouts;                /* overlay's whiteout converter */
	const char *const *skip;
	size_t n_skip;
	struct names users, groups;
	struct seen seen;
	/* docker cp's resources: TarWithOptions' include and rebase, then the
	 * client's RebaseArchiveEntries (old_base -> new_base) */
	const char *include, *rebase;
	const struct layer_rename *renames;  /* 2, or NULL */
	char buf[65536];
};

/* "name:x:id:..." lines as nss_files reads them: the first match wins. */
static int file_name(struct names *c, unsigned id, char *out, size_t cap)
{
	const char *p, *end;

	if (!c->loaded) {
		c->loaded = 1;
		/* a missing or unreadable file names nobody, as in docker */
		if (walk_read_in_root(c->root_fd, c->group ? "etc/group" : "etc/passwd", &c->file, 64 << 20) < 0)
			sbuf_reset(&c->file);
	}
	for (p = c->file.buf; p && p < c->file.buf + c->file.len; p = end + 1) {
		const char *colon1, *colon2;
		char *num_end;
		unsigned long v;
		if (!(end = memchr(p, '\n', (size_t)(c->file.buf + c->file.len - p))))
			end = c->file.buf + c->file.len;
		colon1 = memchr(p, ':', (size_t)(end - p));
		colon2 = colon1 ? memchr(colon1 + 1, ':', (size_t)(end - colon1 - 1)) : NULL;
		if (!colon2 || colon1 == p || colon2 + 1 >= end)
			continue;
		v = strtoul(colon2 + 1, &num_end, 10);
		if (num_end == colon2 + 1 || (num_end < end && *num_end != ':') || v != id)
			continue;
		if ((size_t)(colon1 - p) >= cap)
			continue;
		memcpy(out, p, (size_t)(colon1 - p));
		out[colon1 - p] = '\0';
		return 1;
	}
	return 0;
}

static int host_name(const struct names *c, unsigned id, char *out, size_t cap)
{
	char tmp[16384];
	const char *found = NULL;

	if (c->group) {
		struct group gr, *res = NULL;
		if (getgrgid_r(id, &gr, tmp, sizeof(tmp), &res) == 0 && res)
			found = res->gr_name;
	} else {
		struct passwd pw, *res = NULL;
		if (getpwuid_r(id, &pw, tmp, sizeof(tmp), &res) == 0 && res)
			found = res->pw_name;
	}
	if (!found || strlen(found) >= cap)
		return 0;
	strcpy(out, found);
	return 1;
}

static const char *cached_name(struct names *c, unsigned id)
{
	char found[256];

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return c->v[i].name;
	if (!(c->root_fd < 0 ? host_name(c, id, found, sizeof(found)) : file_name(c, id, found, sizeof(found))))
		return "";
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].id = id;
	c->v[c->n].name = xstrdup(found);
	return c->v[c->n++].name;
}

static void names_init(struct names *c, int group, int root_fd)
{
	memset(c, 0, sizeof(*c));
	c->group = group;
	c->root_fd = root_fd;
	sbuf_init(&c->file);
}

static void names_release(struct names *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	sbuf_release(&c->file);
}

static size_t seen_hash(ino_t ino, size_t cap)
{
	return (size_t)(((uint64_t)ino * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static struct seen_slot *seen_find(struct seen_slot *v, size_t cap, ino_t ino)
{
	size_t i = seen_hash(ino, cap);

	while (v[i].name && v[i].ino != ino)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static void seen_grow(struct seen *s)
{
	size_t cap = s->cap ? 2 * s->cap : 64;
	struct seen_slot *v = xcalloc(cap, sizeof(*v));

	for (size_t i = 0; i < s->cap; i++)
		if (s->v[i].name)
			*seen_find(v, cap, s->v[i].ino) = s->v[i];
	free(s->v);
	s->v = v;
	s->cap = cap;
}

/* The first name walked for ino, or NULL after recording name for it. */
static const char *seen_link(struct seen *s, ino_t ino, const char *name)
{
	struct seen_slot *slot;

	if (2 * (s->n + 1) > s->cap)
		seen_grow(s);
	slot = seen_find(s->v, s->cap, ino);
	if (slot->name)
		return slot->name;
	slot->ino = ino;
	slot->name = xstrdup(name);
	s->n++;
	return NULL;
}

static void seen_release(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i].name);
	free(s->v);
}

/* tar.FileInfoHeader's type; 0 for what it refuses (sockets), which
 * docker logs and leaves out. */
static char typeflag_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return '0';
	case S_IFDIR: return '5';
	case S_IFLNK: return '2';
	case S_IFCHR: return '3';
	case S_IFBLK: return '4';
	case S_IFIFO: return '6';
	default: return 0;
	}
}

/* ReadSecurityXattrToTarHeader: a v3 capability (namespaced root uid)
 * is written as v2, 20 bytes. */
static ssize_t read_capability(int dirfd, const char *name, char *val, size_t cap)
{
	ssize_t n = walk_lgetxattr(dirfd, name, "security.capability", val, cap);

	if (n >= 4 && val[3] == 3) {
		val[3] = 2;
		n = 20;
	}
	return n;
}

static int copy_payload(struct appender *a, int dirfd, const char *name, int64_t size, struct berr *err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int64_t left = size;

	if (fd < 0)
		return berr_sys(err, "open %s", name);
	while (left > 0) {
		ssize_t r = read(fd, a->buf, left < (int64_t)sizeof(a->buf) ? (size_t)left : sizeof(a->buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			if (r < 0)
				return berr_sys(err, "read %s", name);
			return berr_set(err, BERR_IO, "archive/tar: missed writing %lld bytes", (long long)left);
		}
		if (gotar_write(&a->tw, a->buf, (size_t)r, err) < 0) {
			close(fd);
			return -1;
		}
		left -= r;
	}
	close(fd);
	return 0;
}

/* The opaque marker entry ConvertWrite adds after an opaque dir's own. */
static int write_opaque(struct appender *a, const struct gotar_hdr *dir, const char *rel, struct berr *err)
{
	struct gotar_hdr wo = *dir;
	_cleanup_free_ char *name = xasprintf("%s/.wh..wh..opq", rel);

	wo.name = name;
	wo.typeflag = '0';
	wo.mode = dir->mode & 0777;
	wo.size = 0;
	wo.mtime = 0;           /* a zero time.Time: Go writes the epoch */
	wo.linkname = "";
	wo.devmajor = wo.devminor = 0;
	wo.xattr_name = NULL;
	return gotar_header(&a->tw, &wo, err);
}

/* A header with the buffers its strings point into. */
struct entry {
	struct gotar_hdr h;
	char *name;
	char link[4097];
	char cap[256];
};

/* docker's FileInfoHeader (tar.FileInfoHeader, then the type bits of
 * fillGo18FileTypeBits, the second-truncated mtime, no atime/ctime) and
 * ReadSecurityXattrToTarHeader.  0, 1 for a type tar refuses, or -1. */
static int file_info_header(struct appender *a, int dirfd, const char *name, const char *rel,
			    const struct stat *st, struct entry *e, struct berr *err)
{
	struct gotar_hdr *h = &e->h;
	ssize_t n;

	memset(h, 0, sizeof(*h));
	if (!(h->typeflag = typeflag_of(st->st_mode)))
		return 1;
	h->linkname = "";
	if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(dirfd, name, e->link, sizeof(e->link) - 1)) < 0)
			return berr_sys(err, "readlink %s", rel);
		e->link[n] = '\0';
		h->linkname = e->link;
	}
	e->name = S_ISDIR(st->st_mode) ? xasprintf("%s/", rel) : xstrdup(rel);
	h->name = e->name;
	/* the permission and set-id bits with their file type bits, which
	 * for these types is st_mode itself */
	h->mode = st->st_mode;
	h->uid = st->st_uid;
	h->gid = st->st_gid;
	h->uname = cached_name(&a->users, st->st_uid);
	h->gname = cached_name(&a->groups, st->st_gid);
	h->size = S_ISREG(st->st_mode) ? st->st_size : 0;
	h->mtime = st->st_mtim.tv_sec;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		h->devmajor = major(st->st_rdev);
		h->devminor = minor(st->st_rdev);
	}
	if ((n = read_capability(dirfd, name, e->cap, sizeof(e->cap))) >= 0) {
		h->xattr_name = "security.capability";
		h->xattr_value = e->cap;
		h->xattr_len = (size_t)n;
	}
	return 0;
}

/* ConvertWrite's first half: a 0/0 char device is a whiteout. */
static void convert_whiteout(struct entry *e, const char *rel)
{
	const char *base = strrchr(rel, '/');

	free(e->name);
	e->name = base ? xasprintf("%.*s/.wh.%s", (int)(base - rel), rel, base + 1) : xasprintf(".wh.%s", rel);
	e->h.name = e->name;
	e->h.mode = 0600;
	e->h.typeflag = '0';
	e->h.size = 0;
}

/* Go's strings.Replace(s, old, new, 1) (an empty old matches at the
 * start) (free()). */
static char *go_replace1(const char *s, const char *old, const char *new)
{
	const char *p = *old ? strstr(s, old) : s;

	if (!p)
		return xstrdup(s);
	return xasprintf("%.*s%s%s", (int)(p - s), s, new, p + strlen(old));
}

/* tarAppender.addTarFile for the entry name in dirfd, rel its path. */
static int add_entry(struct appender *a, int dirfd, const char *name, const char *rel, const struct stat *st,
		     struct berr *err)
{
	struct entry e = { .name = NULL };
	const char *first;
	char *rebased = NULL, *rebased_link = NULL;
	int opaque = 0, rc;

	if ((rc = file_info_header(a, dirfd, name, rel, st, &e, err)) != 0)
		goto out;
	/* a later name of an inode walked already links to the first; the
	 * check precedes the whiteout conversion, so the kernel's shared
	 * whiteout inode makes whiteouts "links" to the first one's name */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1 && (first = seen_link(&a->seen, st->st_ino, rel))) {
		e.h.typeflag = '1';
		e.h.linkname = first;
		e.h.size = 0;
	}
	if (a->whiteouts && S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
		convert_whiteout(&e, rel);
	if (a->whiteouts && S_ISDIR(st->st_mode) && (opaque = walk_is_opaque(dirfd, name, err)) < 0) {
		rc = berr_wrap(err, "%s", rel);
		goto out;
	}
	for (int i = 0; a->renames && i < 2; i++) {
		const struct layer_rename *r = &a->renames[i];
		char *t;
		if (!r->old_base)
			continue;
		t = go_replace1(e.h.name, r->old_base, r->new_base);
		free(rebased);
		e.h.name = rebased = t;
		if (e.h.typeflag == '1') {
			t = go_replace1(e.h.linkname, r->old_base, r->new_base);
			free(rebased_link);
			e.h.linkname = rebased_link = t;
		}
	}
	if ((rc = gotar_header(&a->tw, &e.h, err)) < 0)
		goto out;
	if (opaque)
		rc = write_opaque(a, &e.h, rel, err);
	else if (e.h.typeflag == '0' && e.h.size > 0)
		rc = copy_payload(a, dirfd, name, e.h.size, err);
out:
	free(e.name);
	free(rebased);
	free(rebased_link);
	return rc < 0 ? -1 : 0;
}

static int skipped(const struct appender *a, const char *rel)
{
	for (size_t i = 0; i < a->n_skip; i++) {
		const char *s = a->skip[i];
		size_t n;
		while (*s == '/')
			s++;
		n = strlen(s);
		while (n && s[n - 1] == '/')
			n--;
		if (n && strlen(rel) == n && !memcmp(rel, s, n))
			return 1;
	}
	return 0;
}

static int visit(void *ctx, int dirfd, const char *name, const char *rel, const struct stat *st, struct berr *err)
{
	struct appender *a = ctx;

	if (add_entry(a, dirfd, name, rel, st, err) < 0)
		return -1;
	return S_ISDIR(st->st_mode) && skipped(a, rel) ? WALK_PRUNE : 0;
}

static int run(int dirfd, int whiteouts, const char *const *skip, size_t n_skip, layer_sink_fn out, void *ctx,
	       struct berr *err)
{
	struct appender *a = xcalloc(1, sizeof(*a));
	int rc;

	gotar_init(&a->tw, out, ctx);
	a->whiteouts = whiteouts;
	/* export is the one without whiteouts, and the one tarred in a chroot */
	names_init(&a->users, 0, whiteouts ? -1 : dirfd);
	names_init(&a->groups, 1, whiteouts ? -1 : dirfd);
	a->skip = skip;
	a->n_skip = n_skip;
	rc = walk_tree(dirfd, visit, a, err);
	if (rc == 0)
		rc = gotar_close(&a->tw, err);
	gotar_release(&a->tw);
	names_release(&a->users);
	names_release(&a->groups);
	seen_release(&a->seen);
	free(a);
	return rc;
}

int layer_diff_tar(int upper_dirfd, layer_sink_fn out, void *ctx, struct berr *err)
{
	return run(upper_dirfd, 1, NULL, 0, out, ctx, err);
}

int layer_export_tar(int root_dirfd, const char *const *skip, size_t n_skip, layer_sink_fn out, void *ctx,
		     struct berr *err)
{
	return run(root_dirfd, 0, skip, n_skip, out, ctx, err);
}

/* ---- docker cp's resources ---- */

/* TarWithOptions' relFilePath for rel (below the walk root): "./rel"
 * under an include of ".", then RebaseNames (the root itself, "/",
 * replaced by nothing) (free()). */
static char *resource_name(const struct appender *a, const char *rel)
{
	_cleanup_free_ char *name = NULL;

	if (!strcmp(a->include, "."))
		name = rel ? xasprintf("./%s", rel) : xstrdup(".");
	else
		name = rel ? xasprintf("%s/%s", a->include, rel) : xstrdup(a->include);
	if (!a->rebase || !*a->rebase)
		return xstrdup(name);
	return go_replace1(name, a->include, strcmp(a->rebase, "/") ? a->rebase : "");
}

static int resource_visit(void *ctx, int dirfd, const char *name, const char *rel, const struct stat *st,
			  struct berr *err)
{
	struct appender *a = ctx;
	_cleanup_free_ char *n = resource_name(a, rel);

	return add_entry(a, dirfd, name, n, st, err);
}

int layer_resource_tar(int dirfd, const struct layer_resource_opts *o, layer_sink_fn out, void *ctx,
		       struct berr *err)
{
	struct appender *a = xcalloc(1, sizeof(*a));
	const char *entry = strcmp(o->include, ".") ? o->include : ".";
	struct stat st;
	int rc = -1, sub = -1;

	gotar_init(&a->tw, out, ctx);
	names_init(&a->users, 0, o->names_root_fd);
	names_init(&a->groups, 1, o->names_root_fd);
	a->include = o->include;
	a->rebase = o->rebase;
	a->renames = o->renames;
	if (fstatat(dirfd, entry, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		berr_sys(err, "lstat %s", entry);
		goto out;
	}
	{
		_cleanup_free_ char *n = resource_name(a, NULL);
		if (add_entry(a, dirfd, entry, n, &st, err) < 0)
			goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		sub = openat(dirfd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			berr_sys(err, "open %s", entry);
			goto out;
		}
		if (walk_tree(sub, resource_visit, a, err) < 0)
			goto out;
	}
	rc = gotar_close(&a->tw, err);
out:
	if (sub >= 0)
		close(sub);
	gotar_release(&a->tw);
	names_release(&a->users);
	names_release(&a->groups);
	seen_release(&a->seen);
	free(a);
	return rc;
}

struct fd_out {
	int fd;
	int is_socket;
};

static int fd_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct fd_out *o = ctx;

	if (fd_write_all(o->fd, buf, n, o->is_socket) < 0)
		return berr_sys(err, "write tar");
	return 0;
}

static void fd_out_init(struct fd_out *o, int fd)
{
	struct stat st;

	o->fd = fd;
	o->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int layer_diff_tar_fd(int upper_dirfd, int fd, struct berr *err)
{
	struct fd_out o;

	fd_out_init(&o, fd);
	return layer_diff_tar(upper_dirfd, fd_sink, &o, err);
}

int layer_export_tar_fd(int root_dirfd, const char *const *skip, size_t n_skip, int fd, struct berr *err)
{
	struct fd_out o;

	fd_out_init(&o, fd);
	return layer_export_tar(root_dirfd, skip, n_skip, fd_sink, &o, err);
}

int layer_resource_tar_fd(int dirfd, const struct layer_resource_opts *o, int fd, struct berr *err)
{
	struct fd_out out;

	fd_out_init(&out, fd);
	return layer_resource_tar(dirfd, o, fd_sink, &out, err);
}
