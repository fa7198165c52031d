/*
 * cp.c - the docker client's side of docker cp (cli/command/container/
 * cp.go and pkg/archive/copy.go): which end is the container, the copy
 * rules (CopyInfoSourcePath, CopyInfoDestinationPath, PrepareArchiveCopy,
 * RebaseArchiveEntries), the local tar and the local untar, joined to the
 * daemon's side (archive.c) through a pipe as the client's HTTP body
 * would be.  Error texts are the client's; *daemon_side tells the caller
 * which of them docker prints as "Error response from daemon: ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <berth/container.h>

#include "../io/decompress.h"
#include "../io/feed.h"
#include "../layer/layer.h"
#include "../tar/extract.h"
#include "../util/fs.h"
#include "../util/gopath.h"
#include "archive.h"

/* Go's syscall error text: strerror, lower case. */
static void go_err(char *buf, size_t n, int e)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* An *os.PathError: "op path: reason". */
static int path_error(struct berr *err, const char *op, const char *path, int e)
{
	char m[128];

	go_err(m, sizeof(m), e);
	berr_set(err, e == ENOENT ? BERR_NOT_FOUND : BERR_IO, "%s %s: %s", op, path, m);
	err->errno_ = e;
	return -1;
}

/* splitCpArg: an absolute path, a path without ':' or one starting with
 * '.' is local; else CONTAINER:PATH. */
static void split_arg(const char *arg, char **ctr, char **path)
{
	const char *colon = strchr(arg, ':');

	if (arg[0] == '/' || !colon || arg[0] == '.') {
		*ctr = NULL;
		*path = xstrdup(arg);
		return;
	}
	*ctr = xstrndup(arg, (size_t)(colon - arg));
	*path = xstrdup(colon + 1);
}

/* resolveLocalPath: filepath.Abs, the trailing "/" or "/." kept. */
static char *local_abs(const char *p, struct berr *err)
{
	char cwd[PATH_MAX];
	_cleanup_free_ char *abs = NULL;

	if (p[0] == '/')
		abs = go_clean(p);
	else {
		if (!getcwd(cwd, sizeof(cwd))) {
			berr_sys(err, "getwd");
			return NULL;
		}
		abs = go_join(cwd, p);
	}
	return go_preserve_trailing(abs, p);
}

/* filepath.EvalSymlinks: realpath, with Go's "lstat <first missing>"
 * when a component is missing. */
static char *eval_symlinks(const char *path, struct berr *err)
{
	char *r = realpath(path, NULL);
	int e = errno;

	if (r)
		return r;
	if (e == ENOENT || e == ENOTDIR) {
		_cleanup_free_ char *c = go_clean(path);
		for (char *p = c + 1;; p++) {
			struct stat st;
			char save = *p;
			if (*p && *p != '/')
				continue;
			*p = '\0';
			if (lstat(c, &st) < 0) {
				path_error(err, "lstat", c, errno);
				return NULL;
			}
			*p = save;
			if (!save)
				break;
		}
	}
	path_error(err, "lstat", path, e);
	return NULL;
}

/* archive.CopyInfo */
struct copy_info {
	char *path;
	int exists, is_dir;
	char *rebase_name;     /* NULL: none */
};

static void copy_info_release(struct copy_info *ci)
{
	free(ci->path);
	free(ci->rebase_name);
	memset(ci, 0, sizeof(*ci));
}

/* GetRebaseName(path, resolved): resolved with path's trailing "/." or
 * "/" and the rebase name when the base changed. */
static void get_rebase_name(const char *path, char **resolved, char **rebase)
{
	char *r = *resolved, *t, *b1, *b2;

	if (go_specifies_current_dir(path) && !go_specifies_current_dir(r)) {
		t = xasprintf("%s/.", r);
		free(r);
		r = t;
	}
	if (go_has_trailing_sep(path) && !go_has_trailing_sep(r)) {
		t = xasprintf("%s/", r);
		free(r);
		r = t;
	}
	b1 = go_base(path);
	b2 = go_base(r);
	*rebase = strcmp(b1, b2) ? b1 : NULL;
	if (!*rebase)
		free(b1);
	free(b2);
	*resolved = r;
}

/* CopyInfoSourcePath on this host. */
static int source_info(const char *path, int follow, struct copy_info *ci, struct berr *err)
{
	struct stat st;

	memset(ci, 0, sizeof(*ci));
	if (follow) {
		if (!(ci->path = eval_symlinks(path, err)))
			return -1;
		get_rebase_name(path, &ci->path, &ci->rebase_name);
	} else {
		char *dir, *base, *rdir;
		go_split(path, &dir, &base);
		rdir = eval_symlinks(*dir ? dir : ".", err);
		if (rdir) {
			ci->path = xasprintf("%s/%s", strcmp(rdir, "/") ? rdir : "", base);
			if (go_has_trailing_sep(path)) {
				char *b1 = go_base(path), *b2 = go_base(ci->path);
				if (strcmp(b1, b2))
					ci->rebase_name = b1;
				else
					free(b1);
				free(b2);
			}
		}
		free(dir);
		free(base);
		free(rdir);
		if (!ci->path)
			return -1;
	}
	if (lstat(ci->path, &st) < 0) {
		path_error(err, "lstat", ci->path, errno);
		copy_info_release(ci);
		return -1;
	}
	ci->exists = 1;
	ci->is_dir = S_ISDIR(st.st_mode);
	return 0;
}

/* CopyInfoDestinationPath on this host. */
static int dest_info(const char *dst, struct copy_info *ci, struct berr *err)
{
	char *path = xstrdup(dst);
	struct stat st;
	int rc = lstat(path, &st), e = errno;

	memset(ci, 0, sizeof(*ci));
	for (int n = 0; rc == 0 && S_ISLNK(st.st_mode); n++) {
		char target[PATH_MAX];
		ssize_t len;
		if (n > 10) {
			free(path);
			return berr_set(err, BERR_INVALID, "too many symlinks in %s", dst);
		}
		if ((len = readlink(path, target, sizeof(target) - 1)) < 0) {
			path_error(err, "readlink", path, errno);
			free(path);
			return -1;
		}
		target[len] = '\0';
		if (target[0] != '/') {
			char *pdir, *pbase, *t;
			go_split_path_dir_entry(path, &pdir, &pbase);
			t = go_join(pdir, target);
			free(pdir);
			free(pbase);
			free(path);
			path = t;
		} else {
			free(path);
			path = xstrdup(target);
		}
		rc = lstat(path, &st);
		e = errno;
	}
	if (rc < 0) {
		char *pdir, *pbase;
		struct stat pst;
		if (e != ENOENT) {
			path_error(err, "lstat", path, e);
			free(path);
			return -1;
		}
		go_split_path_dir_entry(path, &pdir, &pbase);
		rc = stat(pdir, &pst);
		if (rc < 0)
			path_error(err, "stat", pdir, errno);
		else if (!S_ISDIR(pst.st_mode))
			rc = berr_set(err, BERR_INVALID, "not a directory");
		free(pdir);
		free(pbase);
		if (rc < 0) {
			free(path);
			return -1;
		}
		ci->path = path;
		return 0;
	}
	ci->path = path;
	ci->exists = 1;
	ci->is_dir = S_ISDIR(st.st_mode);
	return 0;
}

/* PrepareArchiveCopy: the dir to extract to (*dst_dir), and the rename
 * of the archive's base (old NULL: none). */
static int prepare_copy(const struct copy_info *src, const struct copy_info *dst, char **dst_dir,
			struct layer_rename *rn, char **hold_old, char **hold_new, struct berr *err)
{
	char *ddir, *dbase, *sdir, *sbase;

	*dst_dir = NULL;
	rn->old_base = rn->new_base = NULL;
	if (dst->exists && dst->is_dir) {
		*dst_dir = xstrdup(dst->path);
		return 0;
	}
	if (dst->exists && src->is_dir)
		return berr_set(err, BERR_INVALID, "cannot copy directory");
	if (!dst->exists && !src->is_dir && go_asserts_directory(dst->path))
		return berr_set(err, BERR_NOT_FOUND, "no such directory");
	go_split_path_dir_entry(dst->path, &ddir, &dbase);
	go_split_path_dir_entry(src->path, &sdir, &sbase);
	free(sdir);
	if (src->rebase_name) {
		free(sbase);
		sbase = xstrdup(src->rebase_name);
	}
	/* RebaseArchiveEntries: the root as old base is "" */
	if (!strcmp(sbase, "/"))
		sbase[0] = '\0';
	*dst_dir = ddir;
	rn->old_base = *hold_old = sbase;
	rn->new_base = *hold_new = dbase;
	return 0;
}

/* The client's not-found rewording of a 404 (objectNotFoundError). */
static int client_not_found(struct berr *err, int *daemon_side, const char *ctr, const char *path)
{
	if (err->code == BERR_NOT_FOUND) {
		berr_set(err, BERR_NOT_FOUND, "Error: No such container:path: %s:%s", ctr, path);
		*daemon_side = 0;
	} else {
		*daemon_side = 1;
	}
	return -1;
}

/* ValidateOutputPath */
static int validate_output(const char *path, struct berr *err)
{
	_cleanup_free_ char *c = go_clean(path);
	_cleanup_free_ char *dir = go_dir(c);
	struct stat st;

	if (strcmp(dir, ".") && stat(dir, &st) < 0 && errno == ENOENT)
		return berr_set(err, BERR_NOT_FOUND, "invalid output path: directory \"%s\" does not exist", dir);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return path_error(err, "stat", path, errno);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return berr_set(err, BERR_INVALID,
				"invalid output path: \"%s\" must be a directory or a regular file: got a device", path);
	return 0;
}

/* ---- the two streams ---- */

struct source_feed {
	struct ctr_source *src;
	struct layer_rename renames[2];
};

static int source_feed_fn(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err)
{
	struct source_feed *f = arg;

	return ctr_source_tar(f->src, f->renames, sink, sink_ctx, err);
}

/* archive.Untar on this host: NoLchown, NoOverwriteDirNonDir. */
static int local_untar(struct reader *r, const char *dst_dir, struct berr *err)
{
	_cleanup_free_ char *clean = go_clean(dst_dir);
	struct extract_opts x = { 0 };
	struct decompress_reader *dr;
	int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (root < 0)
		return berr_sys(err, "open /");
	x.dest = clean + 1;
	x.no_overwrite_dir_non_dir = 1;
	x.no_lchown = 1;
	dr = decompress_reader_new(r);
	rc = layer_extract(root, decompress_reader_base(dr), &x, NULL, err);
	decompress_reader_free(dr);
	close(root);
	return rc;
}

static int out_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	if (fd_write_all(*(const int *)ctx, buf, n, 0) < 0)
		return berr_sys(err, "write");
	return 0;
}

static int copy_from(struct berth *b, const struct berth_container_cp_opts *o, const char *ctr, const char *spath,
		     const char *dpath, int *daemon_side, struct berr *err)
{
	_cleanup_free_ char *dst = NULL, *src_path = xstrdup(spath), *rebase = NULL;
	_cleanup_free_ char *hold_old = NULL, *hold_new = NULL, *dst_dir = NULL, *srcdir = NULL, *srcbase = NULL;
	struct copy_info si = { 0 }, di = { 0 };
	struct source_feed f = { 0 };
	struct feed fd_feed;
	struct berr perr = BERR_INIT;
	int rc = -1, prc;

	if (strcmp(dpath, "-")) {
		if (!(dst = local_abs(dpath, err)))
			return -1;
	} else {
		dst = xstrdup("-");
	}
	if (validate_output(dst, err) < 0)
		return -1;
	if (o->follow_link) {
		struct berth_container_path_stat st;
		struct berr ignored = BERR_INIT;
		if (berth_container_stat_path(b, ctr, src_path, &st, &ignored) == 0) {
			if (st.mode & (1u << 27)) {
				char *target = xstrdup(st.link_target);
				get_rebase_name(src_path, &target, &rebase);
				free(src_path);
				src_path = target;
			}
			berth_container_path_stat_release(&st);
		}
	}
	if (ctr_source_open(b, ctr, src_path, &f.src, err) < 0)
		return client_not_found(err, daemon_side, ctr, src_path);
	if (!strcmp(dst, "-")) {
		rc = ctr_source_tar(f.src, NULL, out_sink, (void *)&o->out_fd, err);
		goto out;
	}
	si.path = xstrdup(src_path);
	si.exists = 1;
	si.is_dir = (ctr_source_stat(f.src)->mode & (1u << 31)) != 0;
	if (rebase) {
		go_split_path_dir_entry(si.path, &srcdir, &srcbase);
		f.renames[0].old_base = strcmp(srcbase, "/") ? srcbase : "";
		f.renames[0].new_base = rebase;
		si.rebase_name = xstrdup(rebase);
	}
	if (dest_info(dst, &di, err) < 0 ||
	    prepare_copy(&si, &di, &dst_dir, &f.renames[1], &hold_old, &hold_new, err) < 0)
		goto out;
	if (feed_start(&fd_feed, source_feed_fn, &f, err) < 0)
		goto out;
	rc = local_untar(&fd_feed.r.r, dst_dir, err);
	prc = feed_finish(&fd_feed, &perr);
	if (rc == 0 && prc < 0) {
		berr_copy(err, &perr);
		rc = -1;
	}
out:
	*daemon_side = 0;
	copy_info_release(&si);
	copy_info_release(&di);
	ctr_source_close(f.src);
	return rc;
}

struct local_feed {
	int dirfd;
	struct layer_resource_opts o;
};

static int local_feed_fn(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err)
{
	struct local_feed *f = arg;

	return layer_resource_tar(f->dirfd, &f->o, sink, sink_ctx, err);
}

static int copy_to(struct berth *b, const struct berth_container_cp_opts *o, const char *ctr, const char *spath,
		   const char *dpath, int *daemon_side, struct berr *err)
{
	_cleanup_free_ char *src = NULL, *dst_path = xstrdup(dpath), *dst_dir = NULL;
	_cleanup_free_ char *hold_old = NULL, *hold_new = NULL, *sdir = NULL, *sbase = NULL;
	struct berth_container_extract_opts xo = { 1, o->copy_uid_gid };
	struct berth_container_path_stat st;
	struct berr serr = BERR_INIT, perr = BERR_INIT;
	struct copy_info si = { 0 }, di = { 0 };
	struct local_feed lf = { .dirfd = -1 };
	struct feed fd_feed;
	int have_stat, rc = -1, prc;

	*daemon_side = 0;
	if (strcmp(spath, "-")) {
		if (!(src = local_abs(spath, err)))
			return -1;
	}
	di.path = xstrdup(dst_path);
	have_stat = berth_container_stat_path(b, ctr, dst_path, &st, &serr) == 0;
	if (have_stat && (st.mode & (1u << 27))) {
		char *target = xstrdup(st.link_target);
		free(di.path);
		di.path = target;
		berth_container_path_stat_release(&st);
		berr_clear(&serr);
		have_stat = berth_container_stat_path(b, ctr, target, &st, &serr) == 0;
	}
	if (have_stat && (st.mode & (1u << 26))) {
		berth_container_path_stat_release(&st);
		berr_set(err, BERR_INVALID, "destination \"%s:%s\" must be a directory or a regular file: got a device",
			 ctr, dst_path);
		goto out;
	}
	if (have_stat) {
		di.exists = 1;
		di.is_dir = (st.mode & (1u << 31)) != 0;
		berth_container_path_stat_release(&st);
	}
	if (!src) {
		struct fd_reader r;
		if (!di.is_dir) {
			berr_set(err, BERR_INVALID, "destination \"%s:%s\" must be a directory", ctr, dst_path);
			goto out;
		}
		fd_reader_init(&r, o->in_fd);
		if ((rc = ctr_extract(b, ctr, di.path, &r.r, &xo, err)) < 0)
			client_not_found(err, daemon_side, ctr, di.path);
		goto out;
	}
	if (source_info(src, o->follow_link, &si, err) < 0)
		goto out;
	/* TarResource: TarWithOptions(dir, [base], rebase) */
	go_split_path_dir_entry(si.path, &sdir, &sbase);
	if ((lf.dirfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		path_error(err, "lstat", sdir, errno);
		goto out;
	}
	lf.o.names_root_fd = -1;
	lf.o.include = sbase;
	lf.o.rebase = si.rebase_name;
	if (prepare_copy(&si, &di, &dst_dir, &lf.o.renames[0], &hold_old, &hold_new, err) < 0)
		goto out;
	if (feed_start(&fd_feed, local_feed_fn, &lf, err) < 0)
		goto out;
	rc = ctr_extract(b, ctr, dst_dir, &fd_feed.r.r, &xo, err);
	prc = feed_finish(&fd_feed, &perr);
	if (rc < 0)
		client_not_found(err, daemon_side, ctr, dst_dir);
	else if (prc < 0) {
		berr_copy(err, &perr);
		rc = -1;
	}
out:
	if (lf.dirfd >= 0)
		close(lf.dirfd);
	copy_info_release(&si);
	copy_info_release(&di);
	return rc;
}

int berth_container_cp(struct berth *b, const struct berth_container_cp_opts *o, int *daemon_side,
		       struct berr *err)
{
	char *sc, *sp, *dc, *dp;
	int rc;

	*daemon_side = 0;
	if (!*o->src)
		return berr_set(err, BERR_INVALID, "source can not be empty");
	if (!*o->dst)
		return berr_set(err, BERR_INVALID, "destination can not be empty");
	split_arg(o->src, &sc, &sp);
	split_arg(o->dst, &dc, &dp);
	if (sc && dc)
		rc = berr_set(err, BERR_INVALID, "copying between containers is not supported");
	else if (sc)
		rc = copy_from(b, o, sc, sp, dp, daemon_side, err);
	else if (dc)
		rc = copy_to(b, o, dc, sp, dp, daemon_side, err);
	else
		rc = berr_set(err, BERR_INVALID, "must specify at least one container source");
	free(sc);
	free(sp);
	free(dc);
	free(dp);
	return rc;
}
