/*
 * extract.c - applies a layer tar to an overlay2 diff dir the way Docker
 * 20.10's native overlay2 ApplyDiff does (go-archive Unpack with the overlay
 * whiteout converter), recording tar-split on the way.
 *
 * Docker unpacks inside a chroot of the diff dir.  We get the same path
 * semantics without chroot (which would be process-wide) by resolving each
 * entry's parent with openat2(RESOLVE_IN_ROOT) under the diff dirfd and
 * then touching only the last component with *at() calls that never follow
 * it.  Nothing here changes process state (cwd, umask, root), so several
 * layers can be extracted by threads of one process.
 */
#include "extract.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../util/fs.h"
#include "tar.h"

/* Payload copy buffer: big enough that a layer's large files cost few
 * syscalls, small enough for several concurrent extractions. */
#define EX_BUF_SIZE (1024 * 1024)

/* tar-split emits bytes after the end-of-archive marker in chunks of this
 * size (tar/asm/disassemble.go). */

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"

/* Largest time Go's system.Chtimes accepts (time.Unix(0, 1<<63-1)); beyond
 * it, and before the epoch, Docker uses the epoch. */
#define MAX_TIME_SEC 9223372036LL
#define MAX_TIME_NSEC 854775807L

/* A directory whose times are re-applied once every entry is written,
 * because creating children changes a directory's mtime. */
struct dir_time {
	size_t name_off;       /* into extractor.dir_names, NUL-terminated */
	struct timespec ts[2];
};

struct extractor {
	int root;
	struct tar_reader *tr;
	struct sbuf raw;                 /* raw header bytes for tar-split */
	struct tarsplit_writer *ts;
	char *buf;

	/* the cleaned entry name; base_off is where its last component starts */
	struct sbuf name;
	size_t base_off;
	struct sbuf link;                /* a cleaned hardlink target */

	/* the last parent dir resolved, by cleaned path ("" is the root) */
	struct sbuf cache_path;
	int cache_fd;

	struct dir_time *dirs;
	size_t n_dirs, alloc_dirs;
	struct sbuf dir_names;

	uint64_t crc;
	int64_t size;
	uint64_t entries;

	/* docker cp (opts->dest set): the options, and dest as Unpack sees
	 * it ("/d": its extractDir, for the breakout checks and messages) */
	const struct extract_opts *cp;
	char *dest_abs;
	struct sbuf path_abs;            /* the entry's Join(dest, name) */
};

/* ---- names ---- */

/* path.Clean(strings.TrimLeft(name, "/")) into out.  Returns 0, 1 when the
 * name cleans to "." (nothing to do), -1 when it climbs out of the root. */
static int clean_name(const char *in, size_t n, struct sbuf *out)
{
	size_t i = 0;

	sbuf_reset(out);
	while (i < n) {
		size_t j = i;
		while (j < n && in[j] != '/')
			j++;
		if (j - i == 2 && in[i] == '.' && in[i + 1] == '.') {
			char *slash;
			if (out->len == 0)
				return -1;
			slash = memrchr(out->buf, '/', out->len);
			out->len = slash ? (size_t)(slash - out->buf) : 0;
			out->buf[out->len] = '\0';
		} else if (j > i && !(j - i == 1 && in[i] == '.')) {
			if (out->len)
				sbuf_addch(out, '/');
			sbuf_add(out, in + i, j - i);
		}
		i = j + 1;
	}
	return out->len ? 0 : 1;
}

/* Offset of the last component of a cleaned name. */
static size_t base_offset(const struct sbuf *sb)
{
	char *slash = memrchr(sb->buf, '/', sb->len);

	return slash ? (size_t)(slash - sb->buf) + 1 : 0;
}

/* Go's %q, close enough for error messages: printable ASCII kept. */
static void quote(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(sb, "\\x%02x", c);
		else
			sbuf_addch(sb, (char)c);
	}
	sbuf_addch(sb, '"');
}

static int invalid_name(const char *what, const char *s, size_t n, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf q = SBUF_INIT;

	quote(&q, s, n);
	return berr_set(err, BERR_INVALID, "%s %s", what, sbuf_str(&q));
}

/* ---- resolving parents inside the root ---- */

static int openat2_in_root(int root, const char *path, struct berr *err)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	do
		fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	if (fd < 0 && errno != ENOENT)
		berr_sys(err, "open %s", path);
	return fd;
}

/* A missing implied parent: mkdir 0755 owned by root, chmod'ed so the
 * umask does not matter (idtools.MkdirAllAndChownNew). */
static int make_implied_dir(int pfd, const char *comp, const char *path, struct berr *err)
{
	int fd;

	if (mkdirat(pfd, comp, 0755) < 0)
		return berr_sys(err, "mkdir %s", path);
	if (fchownat(pfd, comp, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "chown %s", path);
	if (fchmodat(pfd, comp, 0755, 0) < 0)
		return berr_sys(err, "chmod %s", path);
	fd = openat(pfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	return fd;
}

/* mkdir -p of path under root, one component at a time, each existing
 * prefix resolved in root (a symlink among them resolves inside it).
 * Returns an O_PATH fd of the deepest dir. */
static int make_parents(int root, char *path, struct berr *err)
{
	int prev = root, fd = -1, created = 0;
	char *comp = path, *end;

	for (;;) {
		end = strchr(comp, '/');
		if (end)
			*end = '\0';
		fd = created ? -1 : openat2_in_root(root, path, err);
		if (fd < 0 && (created || errno == ENOENT)) {
			fd = make_implied_dir(prev, comp, path, err);
			created = 1;
		}
		if (prev != root)
			close(prev);
		if (end)
			*end = '/';
		if (fd < 0 || !end)
			return fd;
		prev = fd;
		comp = end + 1;
	}
}

/* Whether the last component of path (a dangling symlink, say) exists,
 * its own parent resolved in the root. */
static int parent_is_there(struct extractor *ex, const char *path)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : NULL;
	struct stat st;
	int fd = dir ? openat2_in_root(ex->root, dir, NULL) : ex->root, r;

	if (fd < 0)
		return 0;
	r = fstatat(fd, slash ? slash + 1 : path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (fd != ex->root)
		close(fd);
	return r;
}

/* The parent of the current entry, cached by path: entries of one
 * directory usually come together.  The cached fd stays valid because an
 * entry only ever removes things below its own parent. */
static int get_parent(struct extractor *ex, const char *parent, size_t len, int create, struct berr *err)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (len == 0)
		return ex->root;
	if (ex->cache_fd >= 0 && ex->cache_path.len == len && !memcmp(ex->cache_path.buf, parent, len))
		return ex->cache_fd;
	path = xstrndup(parent, len);
	fd = openat2_in_root(ex->root, path, err);
	if (fd < 0 && errno == ENOENT && create && ex->cp && parent_is_there(ex, path)) {
		/* Unpack makes a parent only when Lstat says it is missing: a
		 * dangling symlink stays, and the entry's open fails */
		berr_set(err, BERR_IO, "open %s: no such file or directory", ex->path_abs.buf);
		err->errno_ = ENOENT;
		return -1;
	}
	if (fd < 0 && errno == ENOENT) {
		if (create)
			fd = make_parents(ex->root, path, err);
		else
			berr_sys(err, "open %s", path);
	}
	if (fd < 0)
		return -1;
	if (ex->cache_fd >= 0)
		close(ex->cache_fd);
	ex->cache_fd = fd;
	sbuf_reset(&ex->cache_path);
	sbuf_add(&ex->cache_path, parent, len);
	return fd;
}

/* ---- removing what is in the way (os.RemoveAll, without following) ---- */

/* Keeps the layer size right: an inode leaves the tree when its last
 * name goes. */
static void forget_size(struct extractor *ex, const struct stat *st)
{
	if (!S_ISDIR(st->st_mode) && st->st_nlink == 1 && st->st_size > 0)
		ex->size -= st->st_size;
}

static int remove_entry(struct extractor *ex, int pfd, const char *name, int top, struct berr *err);

static int remove_children(struct extractor *ex, int dfd, const char *name, struct berr *err)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(dfd);
		return berr_sys(err, "opendir %s", name);
	}
	while (rc == 0) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = berr_sys(err, "readdir %s", name);
			break;
		}
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = remove_entry(ex, dirfd(d), de->d_name, 0, err);
	}
	closedir(d);
	return rc;
}

/* top: name is the entry's own base (ex->name), whose failed unlink
 * os.RemoveAll words as "unlinkat /its/path" (EBUSY on a file
 * bind-mounted there, as cp meets /etc/hosts). */
static int remove_entry(struct extractor *ex, int pfd, const char *name, int top, struct berr *err)
{
	struct stat st;
	int dfd;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "lstat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
			return top ? berr_sys(err, "unlinkat %s", ex->name.buf) : berr_sys(err, "remove %s", name);
		forget_size(ex, &st);
		return 0;
	}
	dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, "open %s", name);
	if (remove_children(ex, dfd, name, err) < 0)
		return -1;
	if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", name);
	return 0;
}

static int remove_tree(struct extractor *ex, int pfd, const char *name, struct berr *err)
{
	return remove_entry(ex, pfd, name, 1, err);
}

/* Docker removes an existing entry unless old and new are both dirs. */
static int clear_path(struct extractor *ex, int pfd, const char *base, int new_is_dir, struct berr *err)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "lstat %s", ex->name.buf);
	if (new_is_dir && S_ISDIR(st.st_mode))
		return 0;
	return remove_tree(ex, pfd, base, err);
}

/* ---- payload ---- */

/* Reads the rest of the entry's payload, CRC'ing it for tar-split and
 * writing it to fd when fd >= 0.  Returns the bytes read. */
static int64_t copy_payload(struct extractor *ex, int fd, struct berr *err)
{
	int64_t total = 0;
	ssize_t k;

	while ((k = tar_read(ex->tr, ex->buf, EX_BUF_SIZE, err)) > 0) {
		if (ex->ts)
			ex->crc = crc64_iso_update(ex->crc, ex->buf, (size_t)k);
		if (fd >= 0 && fd_write_all(fd, ex->buf, (size_t)k, 0) < 0)
			return berr_sys(err, "write %s", ex->name.buf);
		total += k;
	}
	return k < 0 ? -1 : total;
}

/* ---- metadata ---- */

static struct timespec clamp_time(int64_t sec, long nsec)
{
	struct timespec t = { 0, 0 };

	if (sec < 0 || sec > MAX_TIME_SEC || (sec == MAX_TIME_SEC && nsec > MAX_TIME_NSEC))
		return t;
	t.tv_sec = (time_t)sec;
	t.tv_nsec = nsec;
	return t;
}

/* createTarFile: atime is never before mtime. */
static void entry_times(const struct tar_header *h, struct timespec ts[2])
{
	int a_before = h->atime_sec < h->mtime_sec ||
		       (h->atime_sec == h->mtime_sec && h->atime_nsec < h->mtime_nsec);

	ts[0] = a_before ? clamp_time(h->mtime_sec, h->mtime_nsec) : clamp_time(h->atime_sec, h->atime_nsec);
	ts[1] = clamp_time(h->mtime_sec, h->mtime_nsec);
}

static int xattr_failed(struct extractor *ex, const char *key, struct berr *err)
{
	/* Docker 20.10 only warns for these (no xattr support, userns). */
	if (errno == EPERM || errno == ENOTSUP)
		return 0;
	return berr_sys(err, "lsetxattr %s %s", key, ex->name.buf);
}

/* Entries other than regular files get their xattrs through the parent's
 * /proc magic link: the lsetxattr does not follow the last component, and
 * the parent is the one already resolved inside the root. */
static int set_xattrs_at(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			 struct berr *err)
{
	_cleanup_free_ char *path = NULL;

	if (h->n_xattrs == 0)
		return 0;
	path = xasprintf("/proc/self/fd/%d/%s", pfd, base);
	for (size_t i = 0; i < h->n_xattrs; i++) {
		const struct tar_xattr *x = &h->xattrs[i];
		if (lsetxattr(path, x->name, x->value, x->value_len, 0) < 0 && xattr_failed(ex, x->name, err) < 0)
			return -1;
	}
	return 0;
}

static int set_xattrs_fd(struct extractor *ex, int fd, const struct tar_header *h, struct berr *err)
{
	for (size_t i = 0; i < h->n_xattrs; i++) {
		const struct tar_xattr *x = &h->xattrs[i];
		if (fsetxattr(fd, x->name, x->value, x->value_len, 0) < 0 && xattr_failed(ex, x->name, err) < 0)
			return -1;
	}
	return 0;
}

/* createTarFile's Lchown: the header's owner, or ChownOpts (cp -a);
 * none at all for the client's CopyTo (NoLchown). */
static int lchown_wanted(const struct extractor *ex)
{
	return !(ex->cp && ex->cp->no_lchown);
}

static uid_t owner_uid(const struct extractor *ex, const struct tar_header *h)
{
	return ex->cp && ex->cp->chown_set ? (uid_t)ex->cp->chown_uid : (uid_t)h->uid;
}

static gid_t owner_gid(const struct extractor *ex, const struct tar_header *h)
{
	return ex->cp && ex->cp->chown_set ? (gid_t)ex->cp->chown_gid : (gid_t)h->gid;
}

static mode_t perm_bits(const struct tar_header *h)
{
	return (mode_t)(h->mode & 07777);
}

/* chown, xattrs, chmod (after chown, which clears set-id bits), times. */
static int apply_meta_at(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			 int is_symlink, struct berr *err)
{
	struct timespec ts[2];

	if (lchown_wanted(ex) && fchownat(pfd, base, owner_uid(ex, h), owner_gid(ex, h), AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "lchown %s", ex->name.buf);
	if (set_xattrs_at(ex, pfd, base, h, err) < 0)
		return -1;
	if (is_symlink && h->typeflag == TAR_LINK)
		return 0;
	if (!is_symlink && fchmodat(pfd, base, perm_bits(h), 0) < 0)
		return berr_sys(err, "chmod %s", ex->name.buf);
	entry_times(h, ts);
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "chtimes %s", ex->name.buf);
	return 0;
}

static int apply_meta_fd(struct extractor *ex, int fd, const struct tar_header *h, struct berr *err)
{
	struct timespec ts[2];

	if (lchown_wanted(ex) && fchown(fd, owner_uid(ex, h), owner_gid(ex, h)) < 0)
		return berr_sys(err, "lchown %s", ex->name.buf);
	if (set_xattrs_fd(ex, fd, h, err) < 0)
		return -1;
	if (fchmod(fd, perm_bits(h)) < 0)
		return berr_sys(err, "chmod %s", ex->name.buf);
	entry_times(h, ts);
	if (futimens(fd, ts) < 0)
		return berr_sys(err, "chtimes %s", ex->name.buf);
	return 0;
}

static void remember_dir(struct extractor *ex, const struct tar_header *h)
{
	struct dir_time *d;

	if (ex->n_dirs == ex->alloc_dirs) {
		ex->alloc_dirs = ex->alloc_dirs ? ex->alloc_dirs * 2 : 64;
		ex->dirs = xrealloc(ex->dirs, ex->alloc_dirs * sizeof(*ex->dirs));
	}
	d = &ex->dirs[ex->n_dirs++];
	d->name_off = ex->dir_names.len;
	sbuf_add(&ex->dir_names, ex->name.buf, ex->name.len + 1);
	/* The final Chtimes takes the header's atime as is (absent means
	 * Go's zero time, which it clamps to the epoch). */
	d->ts[0] = clamp_time(h->atime_sec, h->atime_nsec);
	d->ts[1] = clamp_time(h->mtime_sec, h->mtime_nsec);
}

/* ---- whiteouts (overlayWhiteoutConverter.ConvertRead) ---- */

static int make_opaque(struct extractor *ex, int pfd, struct berr *err)
{
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return berr_sys(err, "open parent of %s", ex->name.buf);
	if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) < 0)
		rc = berr_sys(err, "setxattr(parent of %s, " OPAQUE_XATTR "=y)", ex->name.buf);
	close(fd);
	return rc;
}

static int make_whiteout(struct extractor *ex, int pfd, const char *target, const struct tar_header *h,
			 struct berr *err)
{
	if (mknodat(pfd, target, S_IFCHR, makedev(0, 0)) < 0)
		return berr_sys(err, "failed to mknod(%s, S_IFCHR, 0) for %s", target, ex->name.buf);
	if ((h->uid || h->gid) && fchownat(pfd, target, (uid_t)h->uid, (gid_t)h->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "chown whiteout %s", ex->name.buf);
	return 0;
}

/* Returns 1 if the entry was a whiteout (and is done), 0 if not. */
static int whiteout(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
		    struct berr *err)
{
	if (strncmp(base, WH_PREFIX, 4))
		return 0;
	if (!strcmp(base, WH_PREFIX) || !strcmp(base, WH_PREFIX ".") || !strcmp(base, WH_PREFIX ".."))
		return invalid_name("invalid whiteout entry", h->name, h->name_len, err);
	if (clear_path(ex, pfd, base, h->typeflag == TAR_DIR, err) < 0)
		return -1;
	if (!strcmp(base, WH_OPAQUE))
		return make_opaque(ex, pfd, err) < 0 ? -1 : 1;
	return make_whiteout(ex, pfd, base + 4, h, err) < 0 ? -1 : 1;
}

/* ---- creating entries (createTarFile) ---- */

static int create_dir(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
		      struct berr *err)
{
	struct stat st;

	if (mkdirat(pfd, base, perm_bits(h) & 0777) == 0)
		return 0;
	if (errno != EEXIST)
		return berr_sys(err, "mkdir %s", ex->name.buf);
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (remove_tree(ex, pfd, base, err) < 0)
		return -1;
	if (mkdirat(pfd, base, perm_bits(h) & 0777) < 0)
		return berr_sys(err, "mkdir %s", ex->name.buf);
	return 0;
}

static int open_new_file(struct extractor *ex, int pfd, const char *base, struct berr *err)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(pfd, base, flags, 0600);

	if (fd < 0 && errno == EEXIST) {
		if (remove_tree(ex, pfd, base, err) < 0)
			return -1;
		fd = openat(pfd, base, flags, 0600);
	}
	if (fd < 0)
		return berr_sys(err, "open %s", ex->name.buf);
	return fd;
}

static int create_file(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
		       struct berr *err)
{
	int fd = open_new_file(ex, pfd, base, err);
	int64_t n;

	if (fd < 0)
		return -1;
	n = copy_payload(ex, fd, err);
	if (n < 0 || apply_meta_fd(ex, fd, h, err) < 0) {
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return berr_sys(err, "close %s", ex->name.buf);
	ex->size += n;
	return 0;
}

/* Runs op; when it fails with EEXIST, removes what is there and retries
 * once (the layer dir starts empty, so this saves an lstat per entry). */
#define RETRY_EEXIST(ex, pfd, base, err, op) \
	((op) == 0 ? 0 : errno != EEXIST ? -1 : remove_tree(ex, pfd, base, err) < 0 ? -2 : (op))

static int create_node(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
		       struct berr *err)
{
	mode_t type = h->typeflag == TAR_CHAR ? S_IFCHR : h->typeflag == TAR_BLOCK ? S_IFBLK : S_IFIFO;
	dev_t dev = type == S_IFIFO ? 0 : makedev((unsigned)h->devmajor, (unsigned)h->devminor);
	int rc = RETRY_EEXIST(ex, pfd, base, err, mknodat(pfd, base, type | perm_bits(h), dev));

	if (rc == -1)
		return berr_sys(err, "mknod %s", ex->name.buf);
	return rc < 0 ? -1 : 0;
}

/* breakoutError: "invalid symlink \"/d/s\" -> \"../x\"", as Unpack words it. */
static int breakout(const char *what, const char *path, const char *link, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf q = SBUF_INIT;

	sbuf_addf(&q, "invalid %s ", what);
	quote(&q, path, strlen(path));
	sbuf_addstr(&q, " -> ");
	quote(&q, link, strlen(link));
	return berr_set(err, BERR_INVALID, "%s", sbuf_str(&q));
}

/* Go's strings.HasPrefix(filepath.Join(a, b), prefix), as Unpack checks
 * link targets against its extractDir (a string prefix, as docker's). */
static int joined_has_prefix(const char *a, size_t alen, const char *b, const char *prefix, char **joined)
{
	_cleanup_free_ char *cat = xasprintf("%.*s/%s", (int)alen, a, b);
	size_t n;

	*joined = path_clean(cat, strlen(cat), &n);
	return !strncmp(*joined, prefix, strlen(prefix));
}

static int create_symlink(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			  struct berr *err)
{
	int rc;

	if (ex->cp) {
		const char *p = ex->path_abs.buf, *slash = strrchr(p, '/');
		_cleanup_free_ char *target = NULL;
		if (!joined_has_prefix(p, slash && slash != p ? (size_t)(slash - p) : 1, h->linkname, ex->dest_abs,
				       &target))
			return breakout("symlink", p, h->linkname, err);
	}
	rc = RETRY_EEXIST(ex, pfd, base, err, symlinkat(h->linkname, pfd, base));

	if (rc == -1)
		return berr_sys(err, "symlink %s %s", h->linkname, ex->name.buf);
	if (rc < 0)
		return -1;
	ex->size += (int64_t)strlen(h->linkname);
	return 0;
}

/* The hardlink target, resolved like the entry names: relative to the
 * root even when absolute, never above it.  Returns the target's parent
 * fd (to close when it is not pfd or the root) and sets *tbase. */
static int link_target(struct extractor *ex, int pfd, const struct tar_header *h, const char **tbase,
		       struct berr *err)
{
	size_t toff, plen;
	_cleanup_free_ char *tparent = NULL;
	int fd;

	if (ex->cp) {
		_cleanup_free_ char *target = NULL;
		if (!joined_has_prefix(ex->dest_abs, strlen(ex->dest_abs), h->linkname, ex->dest_abs, &target))
			return breakout("hardlink", target, h->linkname, err);
		if (clean_name(target, strlen(target), &ex->link) != 0)
			return invalid_name("invalid hardlink target", h->linkname, strlen(h->linkname), err);
	} else if (clean_name(h->linkname, strlen(h->linkname), &ex->link) != 0)
		return invalid_name("invalid hardlink target", h->linkname, strlen(h->linkname), err);
	toff = base_offset(&ex->link);
	*tbase = ex->link.buf + toff;
	plen = toff ? toff - 1 : 0;
	if (plen == 0)
		return ex->root;
	if (ex->base_off && plen == ex->base_off - 1 && !memcmp(ex->link.buf, ex->name.buf, plen))
		return pfd;
	tparent = xstrndup(ex->link.buf, plen);
	fd = openat2_in_root(ex->root, tparent, err);
	if (fd < 0 && errno == ENOENT && ex->cp)
		berr_sys(err, "link /%s %s", ex->link.buf, ex->path_abs.buf);
	else if (fd < 0 && errno == ENOENT)
		berr_sys(err, "link %s %s", h->linkname, ex->name.buf);
	return fd;
}

static int create_hardlink(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			   int *is_symlink, struct berr *err)
{
	const char *tbase = NULL;
	struct stat st;
	int tfd = link_target(ex, pfd, h, &tbase, err);
	int rc;

	if (tfd < 0)
		return -1;
	rc = RETRY_EEXIST(ex, pfd, base, err, linkat(tfd, tbase, pfd, base, 0));
	if (rc == -1 && ex->cp)
		berr_sys(err, "link /%s %s", ex->link.buf, ex->path_abs.buf);
	else if (rc == -1)
		berr_sys(err, "link %s %s", h->linkname, ex->name.buf);
	if (tfd != pfd && tfd != ex->root)
		close(tfd);
	if (rc < 0)
		return -1;
	/* Docker skips chmod and times when the target is a symlink. */
	*is_symlink = fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
	return 0;
}

static int create_entry(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			struct berr *err)
{
	int is_symlink = 0, rc;

	switch (h->typeflag) {
	case TAR_REG:
		return create_file(ex, pfd, base, h, err);
	case TAR_DIR:
		rc = create_dir(ex, pfd, base, h, err);
		break;
	case TAR_CHAR:
	case TAR_BLOCK:
	case TAR_FIFO:
		rc = create_node(ex, pfd, base, h, err);
		break;
	case TAR_LINK:
		rc = create_hardlink(ex, pfd, base, h, &is_symlink, err);
		break;
	case TAR_SYMLINK:
		is_symlink = 1;
		rc = create_symlink(ex, pfd, base, h, err);
		break;
	default:
		return berr_set(err, BERR_INVALID, "unhandled tar header type %d", h->typeflag);
	}
	if (rc < 0 || apply_meta_at(ex, pfd, base, h, is_symlink, err) < 0)
		return -1;
	if (h->typeflag == TAR_DIR)
		remember_dir(ex, h);
	return 0;
}

/* Unpack's names for cp: filepath.Clean(hdr.Name), "." (the dest dir
 * itself) skipped; the entry is Join(dest, name), and a breakout when
 * Rel(dest, that) starts with "../" (so "../" at the root collapses, as
 * in docker's chroot, and dest's own parent is allowed, as in docker).
 * 0, 1 to skip, -1. */
static int cp_name(struct extractor *ex, const struct tar_header *h, struct berr *err)
{
	size_t n, jn, dn = strlen(ex->dest_abs);
	_cleanup_free_ char *name = path_clean(h->name, h->name_len, &n);
	_cleanup_free_ char *cat = NULL, *joined = NULL, *parent = NULL;
	const char *slash;
	int rc;

	if (!strcmp(name, "."))
		return 1;
	cat = xasprintf("%s/%s", ex->dest_abs, name);
	joined = path_clean(cat, strlen(cat), &jn);
	slash = strrchr(ex->dest_abs, '/');
	parent = slash == ex->dest_abs ? xstrdup("/") : xstrndup(ex->dest_abs, (size_t)(slash - ex->dest_abs));
	if (!(dn == 1 || !strcmp(joined, ex->dest_abs) || (jn > dn && !strncmp(joined, ex->dest_abs, dn) &&
							     joined[dn] == '/') || !strcmp(joined, parent))) {
		_cleanup_sbuf_ struct sbuf q = SBUF_INIT;
		quote(&q, name, n);
		sbuf_addstr(&q, " is outside of ");
		quote(&q, ex->dest_abs, dn);
		return berr_set(err, BERR_INVALID, "%s", sbuf_str(&q));
	}
	rc = clean_name(joined, jn, &ex->name);
	if (rc != 0)
		return rc > 0 ? 1 : invalid_name("invalid entry name", h->name, h->name_len, err);
	sbuf_reset(&ex->path_abs);
	sbuf_addch(&ex->path_abs, '/');
	sbuf_add(&ex->path_abs, ex->name.buf, ex->name.len);
	return 0;
}

/* Go's words for a failed call in cp mode: "op /abs/path: reason" in
 * lower case, as the *os.PathError dockerd's untar prints. */
static int cp_go_error(struct extractor *ex, struct berr *err)
{
	char *m = err->msg, *at, *colon;
	_cleanup_sbuf_ struct sbuf sb = SBUF_INIT;

	if (err->code != BERR_IO)
		return -1;
	at = strchr(m, ' ');
	if (at && !strncmp(at + 1, ex->name.buf, ex->name.len) && at[1 + ex->name.len] == ':') {
		sbuf_add(&sb, m, (size_t)(at + 1 - m));
		sbuf_addstr(&sb, ex->path_abs.buf);
		sbuf_addstr(&sb, at + 1 + ex->name.len);
		snprintf(err->msg, sizeof(err->msg), "%s", sbuf_str(&sb));
	}
	colon = strrchr(err->msg, ':');
	if (colon && colon[1] == ' ' && colon[2] >= 'A' && colon[2] <= 'Z' && !(colon[3] >= 'A' && colon[3] <= 'Z'))
		colon[2] = (char)(colon[2] - 'A' + 'a');
	return -1;
}

/* NoOverwriteDirNonDir: an existing dir stays a dir, an existing
 * non-dir (a symlink too) a non-dir. */
static int cp_check_overwrite(struct extractor *ex, int pfd, const char *base, const struct tar_header *h,
			      struct berr *err)
{
	struct stat st;
	const char *p = ex->path_abs.buf;

	if (!ex->cp->no_overwrite_dir_non_dir || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode) && h->typeflag != TAR_DIR)
		return berr_set(err, BERR_INVALID, "cannot overwrite directory \"%s\" with non-directory \"%s\"", p,
				ex->dest_abs);
	if (!S_ISDIR(st.st_mode) && h->typeflag == TAR_DIR)
		return berr_set(err, BERR_INVALID, "cannot overwrite non-directory \"%s\" with directory \"%s\"", p,
				ex->dest_abs);
	return 0;
}

/* Unpack's loop body for one header. */
static int apply_entry(struct extractor *ex, const struct tar_header *h, struct berr *err)
{
	const char *base;
	int pfd, rc;

	if (h->typeflag == TAR_XGLOBAL)
		return 0;
	if (ex->cp) {
		if ((rc = cp_name(ex, h, err)) != 0)
			return rc < 0 ? -1 : 0;
	} else {
		rc = clean_name(h->name, h->name_len, &ex->name);
		if (rc > 0)
			return 0;
		if (rc < 0)
			return invalid_name("invalid entry name", h->name, h->name_len, err);
	}
	ex->base_off = base_offset(&ex->name);
	base = ex->name.buf + ex->base_off;
	pfd = get_parent(ex, ex->name.buf, ex->base_off ? ex->base_off - 1 : 0, 1, err);
	if (pfd < 0)
		return -1;
	if (ex->cp) {
		if (cp_check_overwrite(ex, pfd, base, h, err) < 0)
			return -1;
		if (create_entry(ex, pfd, base, h, err) < 0)
			return cp_go_error(ex, err);
		return 0;
	}
	rc = whiteout(ex, pfd, base, h, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return create_entry(ex, pfd, base, h, err);
}

/* ---- tar-split and the stream ---- */

static int flush_raw(struct extractor *ex, struct berr *err)
{
	int rc = 0;

	if (ex->ts && ex->raw.len > 0)
		rc = tarsplit_add_segment(ex->ts, ex->raw.buf, ex->raw.len, err);
	sbuf_reset(&ex->raw);
	return rc;
}

/* The sequence tar-split's disassembler writes: the raw bytes before the
 * entry, the file entry (after its payload, for the CRC), then whatever
 * raw bytes reading the payload produced. */
static int extract_one(struct extractor *ex, const struct tar_header *h, const struct extract_opts *opts,
		       struct berr *err)
{
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx);
	if (flush_raw(ex, err) < 0)
		return -1;
	ex->crc = 0;
	if (apply_entry(ex, h, err) < 0)
		return -1;
	/* Whatever was not written (dirs, whiteouts, skipped entries) still
	 * goes through the CRC. */
	if (copy_payload(ex, -1, err) < 0)
		return -1;
	ex->entries++;
	if (!ex->ts)
		return 0;
	if (tarsplit_add_file(ex->ts, h->name, h->name_len, h->size, ex->crc, err) < 0)
		return -1;
	return flush_raw(ex, err);
}

static int apply_dir_times(struct extractor *ex, struct berr *err)
{
	for (size_t i = 0; i < ex->n_dirs; i++) {
		struct dir_time *d = &ex->dirs[i];
		const char *name = ex->dir_names.buf + d->name_off;
		const char *slash = strrchr(name, '/');
		size_t plen = slash ? (size_t)(slash - name) : 0;
		int pfd = get_parent(ex, name, plen, 0, err);

		if (pfd < 0)
			return -1;
		if (utimensat(pfd, slash ? slash + 1 : name, d->ts, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(err, "chtimes %s", name);
	}
	return 0;
}

static int discard_cb(void *ctx, const void *buf, size_t n, struct berr *err)
{
	return 0;
}

/* End of archive: the last raw bytes, then everything after the marker,
 * which the digest below us must see too. */
static int finish_stream(struct extractor *ex, struct berr *err)
{
	if (flush_raw(ex, err) < 0)
		return -1;
	if (ex->ts)
		return tarsplit_add_trailer(ex->ts, ex->tr, err);
	return tar_drain(ex->tr, discard_cb, NULL, err) < 0 ? -1 : 0;
}

static void extractor_release(struct extractor *ex)
{
	tar_reader_free(ex->tr);
	if (ex->cache_fd >= 0)
		close(ex->cache_fd);
	sbuf_release(&ex->raw);
	sbuf_release(&ex->name);
	sbuf_release(&ex->link);
	sbuf_release(&ex->cache_path);
	sbuf_release(&ex->dir_names);
	sbuf_release(&ex->path_abs);
	free(ex->dest_abs);
	free(ex->dirs);
	free(ex->buf);
}

static int extract_all(struct extractor *ex, const struct extract_opts *opts, struct berr *err)
{
	const struct tar_header *h;
	int rc;

	while ((rc = tar_next(ex->tr, &h, err)) > 0)
		if (extract_one(ex, h, opts, err) < 0)
			return -1;
	if (rc < 0 || finish_stream(ex, err) < 0)
		return -1;
	return apply_dir_times(ex, err);
}

int layer_extract(int diff_dirfd, struct reader *src, const struct extract_opts *opts,
		  struct extract_result *out, struct berr *err)
{
	struct extractor ex;
	int rc;

	memset(&ex, 0, sizeof(ex));
	ex.root = diff_dirfd;
	ex.cache_fd = -1;
	ex.ts = opts ? opts->tarsplit : NULL;
	if (opts && opts->dest) {
		size_t n;
		_cleanup_free_ char *abs = xasprintf("/%s", opts->dest);
		ex.cp = opts;
		ex.dest_abs = path_clean(abs, strlen(abs), &n);
	}
	ex.buf = xmalloc(EX_BUF_SIZE);
	ex.tr = tar_reader_new(src, ex.ts ? &ex.raw : NULL);
	/* Sparse data is payload to tar-split, as in Docker's tar-split.json.gz. */
	tar_reader_tarsplit_compat(ex.tr, 1);
	rc = extract_all(&ex, opts, err);
	if (rc == 0 && out) {
		out->size = ex.size;
		out->entries = ex.entries;
	}
	extractor_release(&ex);
	return rc;
}
