/* walk.c - Go's filepath.Walk on directory fds (see walk.h). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../util/sbuf.h"

int walk_read_names(int dirfd, char ***names, size_t *n, struct berr *err)
{
	int fd = dup(dirfd);
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*names = NULL;
	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, "open dir");
	}
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
		errno = 0;
	}
	if (errno) {
		berr_sys(err, "read dir");
		closedir(d);
		walk_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return -1;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), str_ptr_cmp);
	return 0;
}

void walk_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int walk_dir(int dirfd, struct sbuf *rel, walk_fn visit, void *ctx, struct berr *err)
{
	char **names;
	size_t n, base = rel->len;
	int rc = 0;

	if (walk_read_names(dirfd, &names, &n, err) < 0)
		return berr_wrap(err, "%s", base ? rel->buf : ".");
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;
		int r, sub;

		rel->len = base;
		if (base)
			sbuf_addch(rel, '/');
		sbuf_addstr(rel, names[i]);
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = berr_sys(err, "lstat %s", rel->buf);
			break;
		}
		if ((r = visit(ctx, dirfd, names[i], rel->buf, &st, err)) < 0) {
			rc = -1;
			break;
		}
		if (!S_ISDIR(st.st_mode) || r == WALK_PRUNE)
			continue;
		sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			rc = berr_sys(err, "open %s", rel->buf);
			break;
		}
		rc = walk_dir(sub, rel, visit, ctx, err);
		close(sub);
	}
	rel->len = base;
	if (rel->buf)
		rel->buf[base] = '\0';
	walk_names_free(names, n);
	return rc;
}

int walk_tree(int root_dirfd, walk_fn visit, void *ctx, struct berr *err)
{
	struct sbuf rel = SBUF_INIT;
	int rc = walk_dir(root_dirfd, &rel, visit, ctx, err);

	sbuf_release(&rel);
	return rc;
}

ssize_t walk_lgetxattr(int dirfd, const char *name, const char *attr, void *buf, size_t cap)
{
	char path[64 + 4096];

	/* no l*xattrat call: the fd's /proc path names the entry without
	 * following it, whatever its type (a fifo cannot be opened) */
	if ((size_t)snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return lgetxattr(path, attr, buf, cap);
}

int walk_is_opaque(int dirfd, const char *name, struct berr *err)
{
	char v[8];
	ssize_t n = walk_lgetxattr(dirfd, name, "trusted.overlay.opaque", v, sizeof(v));

	if (n < 0 && errno != ENODATA && errno != ENOTSUP && errno != ERANGE)
		return berr_sys(err, "getxattr trusted.overlay.opaque");
	return n == 1 && v[0] == 'y';
}

int walk_read_in_root(int root_fd, const char *path, struct sbuf *sb, size_t max)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char buf[16384];
	int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	ssize_t k;

	sbuf_reset(sb);
	if (fd < 0)
		return -1;
	while ((k = read(fd, buf, sizeof(buf))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || sb->len + (size_t)k > max) {
			close(fd);
			return -1;
		}
		sbuf_add(sb, buf, (size_t)k);
	}
	close(fd);
	return 0;
}
