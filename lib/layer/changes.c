/*
 * changes.c - docker diff's changes from an overlay upper dir and its
 * lowers.
 *
 * Docker 20.10 computes them naively on overlay2: it mounts the container
 * layer (upper over lowers) and its parent (the lowers alone), walks both
 * trees and compares every path (pkg/archive ChangesDirs, addChanges).
 * The same set follows from the upper dir alone, by overlay's rules
 * (docker mounts without redirect_dir or metacopy):
 *  - a path not in the upper dir is the same file in both views (the same
 *    lower entry, read through two mounts), so it is unchanged, and a dir
 *    not in the upper dir has no changes below it;
 *  - an upper whiteout deletes the old entry (D) if there was one;
 *  - any other upper entry is new (A, with all its upper descendants) if
 *    the old tree has none there, else compared as statDifferent and the
 *    security.capability xattr compare them (C);
 *  - an upper dir merges the old dir's children unless it is opaque, the
 *    old entry is not a dir, or its parent does not merge either (overlay
 *    stops looking below an opaque dir): the old children such a dir does
 *    not have are gone (D);
 *  - a dir with changes below it and no change of its own is C, inserted
 *    before them.
 * The old tree is resolved as overlay resolves the lower stack: the top
 * lower holding a name wins, a whiteout hides it, and a dir merges the
 * same dir of lower layers down to the first opaque one or non-dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../util/sbuf.h"
#include "layer.h"
#include "walk.h"

/* The old tree's view of one dir: the lower dirs merged there, top first. */
struct oldview {
	int *fds;
	size_t n;
};

struct oldentry {
	int exists;
	struct stat st;
	int layer_fd;           /* the dir holding the winning entry */
	struct oldview dir;     /* when it is a dir: its merged lower dirs */
};

struct differ {
	struct layer_changes *out;
	struct sbuf path;       /* "/a/b" */
};

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static void view_release(struct oldview *v)
{
	for (size_t i = 0; i < v->n; i++)
		close(v->fds[i]);
	free(v->fds);
	v->fds = NULL;
	v->n = 0;
}

static void view_push(struct oldview *v, int fd)
{
	v->fds = xrealloc(v->fds, (v->n + 1) * sizeof(*v->fds));
	v->fds[v->n++] = fd;
}

static int open_dir(int dirfd, const char *name, struct berr *err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		berr_sys(err, "open lower dir %s", name);
	return fd;
}

/* name in the old dir v, as the lower overlay mount would show it. */
static int old_lookup(const struct oldview *v, const char *name, struct oldentry *e, struct berr *err)
{
	size_t i;
	int fd, opaque;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < v->n; i++) {
		if (fstatat(v->fds[i], name, &e->st, AT_SYMLINK_NOFOLLOW) == 0)
			break;
		if (errno != ENOENT && errno != ENOTDIR)
			return berr_sys(err, "lstat lower %s", name);
	}
	if (i == v->n || is_whiteout(&e->st))
		return 0;
	e->exists = 1;
	e->layer_fd = v->fds[i];
	if (!S_ISDIR(e->st.st_mode))
		return 0;
	for (; i < v->n; i++) {
		struct stat st;
		if (fstatat(v->fds[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return berr_sys(err, "lstat lower %s", name);
		}
		if (!S_ISDIR(st.st_mode))
			break;
		if ((fd = open_dir(v->fds[i], name, err)) < 0)
			return -1;
		view_push(&e->dir, fd);
		if ((opaque = walk_is_opaque(v->fds[i], name, err)) < 0)
			return -1;
		if (opaque)
			break;
	}
	return 0;
}

static void add_change(struct differ *d, enum layer_change_kind kind)
{
	struct layer_changes *c = d->out;

	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n].path = xstrdup(d->path.buf);
	c->v[c->n++].kind = kind;
}

/* Docker's statDifferent, S_IFDIR test included as written there (so
 * sockets and block devices skip the mtime and size comparison too). */
static int stat_different(const struct stat *o, const struct stat *n)
{
	if (o->st_mode != n->st_mode || o->st_uid != n->st_uid || o->st_gid != n->st_gid ||
	    o->st_rdev != n->st_rdev)
		return 1;
	if ((o->st_mode & S_IFDIR) == S_IFDIR)
		return 0;
	if (o->st_size != n->st_size || o->st_mtim.tv_sec != n->st_mtim.tv_sec)
		return 1;
	/* sameFsTimeSpec: equal, or one side without nanoseconds */
	return o->st_mtim.tv_nsec != n->st_mtim.tv_nsec && o->st_mtim.tv_nsec && n->st_mtim.tv_nsec;
}

static int capability_different(int ofd, const char *oname, int nfd, const char *nname)
{
	char a[256], b[256];
	ssize_t na = walk_lgetxattr(ofd, oname, "security.capability", a, sizeof(a));
	ssize_t nb = walk_lgetxattr(nfd, nname, "security.capability", b, sizeof(b));

	if (na < 0)
		na = 0;
	if (nb < 0)
		nb = 0;
	return na != nb || memcmp(a, b, (size_t)na);
}

static void path_push(struct differ *d, const char *name, size_t *base)
{
	*base = d->path.len;
	if (d->path.len > 1)   /* not the root's "/" */
		sbuf_addch(&d->path, '/');
	sbuf_addstr(&d->path, name);
}

static void path_pop(struct differ *d, size_t base)
{
	d->path.len = base;
	d->path.buf[base] = '\0';
}

static int diff_dir(struct differ *d, int upper_fd, int merged, const struct oldview *old, int dir_changed,
		    struct berr *err);

/* One upper entry: its own change, then what is below it. */
static int diff_entry(struct differ *d, int upper_fd, int merged, const char *name, const struct oldview *old,
		      struct berr *err)
{
	struct oldentry e;
	struct stat st;
	int changed = 0, rc = 0, sub, opaque;

	if (fstatat(upper_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "lstat %s", d->path.buf);
	if (old_lookup(old, name, &e, err) < 0)
		goto out_err;
	if (is_whiteout(&st))
		goto out;  /* its D, if any, comes with the dir's deletions */
	if (!e.exists) {
		add_change(d, LAYER_CHANGE_ADD);
		changed = 1;
	} else if (stat_different(&e.st, &st) || capability_different(e.layer_fd, name, upper_fd, name)) {
		add_change(d, LAYER_CHANGE_MODIFY);
		changed = 1;
	}
	if (!S_ISDIR(st.st_mode))
		goto out;
	if ((sub = open_dir(upper_fd, name, err)) < 0)
		goto out_err;
	if ((opaque = walk_is_opaque(upper_fd, name, err)) >= 0)
		rc = diff_dir(d, sub, merged && !opaque && S_ISDIR(e.st.st_mode), &e.dir, changed, err);
	else
		rc = -1;
	close(sub);
out:
	view_release(&e.dir);
	return rc;
out_err:
	view_release(&e.dir);
	return -1;
}

/* The old dir's names (union of its merged lower dirs), sorted, unique. */
static int old_names(const struct oldview *old, char ***names, size_t *n, struct berr *err)
{
	*names = NULL;
	*n = 0;
	for (size_t i = 0; i < old->n; i++) {
		char **v;
		size_t nv;
		if (walk_read_names(old->fds[i], &v, &nv, err) < 0) {
			walk_names_free(*names, *n);
			return -1;
		}
		*names = xrealloc(*names, (*n + nv + 1) * sizeof(**names));
		memcpy(*names + *n, v, nv * sizeof(*v));
		*n += nv;
		free(v);
	}
	return 0;
}

static int in_sorted(char **v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(*v), str_ptr_cmp) != NULL;
}

/* D for name if the old dir has it. */
static int delete_if_old(struct differ *d, const struct oldview *old, const char *name, struct berr *err)
{
	struct oldentry e;
	size_t base;
	int rc = old_lookup(old, name, &e, err);

	if (rc == 0 && e.exists) {
		path_push(d, name, &base);
		add_change(d, LAYER_CHANGE_DELETE);
		path_pop(d, base);
	}
	view_release(&e.dir);
	return rc;
}

static int upper_whiteout(int upper_fd, const char *name)
{
	struct stat st;

	return fstatat(upper_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && is_whiteout(&st);
}

/* Deletions in a dir: every old child an upper whiteout hides, and when
 * the dir does not merge the lowers every old child the upper dir lacks
 * (the only case that needs the old names). */
static int deletions(struct differ *d, int upper_fd, int merged, const struct oldview *old, char **upper,
		     size_t n_upper, struct berr *err)
{
	char **names;
	size_t n;
	int rc = 0;

	if (merged) {
		for (size_t i = 0; i < n_upper && rc == 0; i++)
			if (upper_whiteout(upper_fd, upper[i]))
				rc = delete_if_old(d, old, upper[i], err);
		return rc;
	}
	if (old_names(old, &names, &n, err) < 0)
		return -1;
	if (n)
		qsort(names, n, sizeof(*names), str_ptr_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		if (!in_sorted(upper, n_upper, names[i]) || upper_whiteout(upper_fd, names[i]))
			rc = delete_if_old(d, old, names[i], err);
	}
	walk_names_free(names, n);
	return rc;
}

static int diff_dir(struct differ *d, int upper_fd, int merged, const struct oldview *old, int dir_changed,
		    struct berr *err)
{
	size_t at_entry = d->out->n, n, base;
	char **names;
	int rc = 0;

	if (walk_read_names(upper_fd, &names, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		path_push(d, names[i], &base);
		rc = diff_entry(d, upper_fd, merged, names[i], old, err);
		path_pop(d, base);
	}
	if (rc == 0)
		rc = deletions(d, upper_fd, merged, old, names, n, err);
	walk_names_free(names, n);
	if (rc == 0 && d->out->n > at_entry && !dir_changed) {
		struct layer_change dir;
		add_change(d, LAYER_CHANGE_MODIFY);
		dir = d->out->v[d->out->n - 1];
		memmove(d->out->v + at_entry + 1, d->out->v + at_entry, (d->out->n - 1 - at_entry) * sizeof(dir));
		d->out->v[at_entry] = dir;
	}
	return rc;
}

int layer_changes(int upper_dirfd, const int *lower_dirfds, size_t n_lowers, struct layer_changes *out,
		  struct berr *err)
{
	struct differ d = { out, SBUF_INIT };
	struct oldview root = { NULL, 0 };
	int rc = -1, fd;

	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < n_lowers; i++) {
		if ((fd = fcntl(lower_dirfds[i], F_DUPFD_CLOEXEC, 0)) < 0) {
			berr_sys(err, "dup");
			goto out;
		}
		view_push(&root, fd);
	}
	sbuf_addch(&d.path, '/');
	rc = diff_dir(&d, upper_dirfd, 1, &root, 1, err);
out:
	view_release(&root);
	sbuf_release(&d.path);
	if (rc < 0)
		layer_changes_release(out);
	return rc;
}

void layer_changes_release(struct layer_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const char *layer_change_kind_letter(enum layer_change_kind kind)
{
	return kind == LAYER_CHANGE_ADD ? "A" : kind == LAYER_CHANGE_DELETE ? "D" : "C";
}
