/* fs.c - see fs.h. */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int replace_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode, int sync,
			struct berr *err)
{
	char tmp[4096];
	const char *base = strrchr(name, '/');
	char rnd[65];
	int fd;

	random_id(rnd);
	base = base ? base + 1 : name;
	if (snprintf(tmp, sizeof(tmp), "%.*s.tmp-%s%.8s", (int)(base - name), name, base, rnd) >=
	    (int)sizeof(tmp))
		return berr_set(err, BERR_INVALID, "path too long: %s", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return berr_sys(err, "create %s", tmp);
	if (fd_write_all(fd, data, len, 0) < 0 || fchmod(fd, mode) < 0 || (sync && fsync(fd) < 0)) {
		berr_sys(err, "write %s", name);
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		berr_sys(err, "rename %s", name);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int atomic_write_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, struct berr *err)
{
	return replace_file(dirfd, name, data, len, mode, 1, err);
}

int cache_write_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, struct berr *err)
{
	return replace_file(dirfd, name, data, len, mode, 0, err);
}

int read_file_at(int dirfd, const char *path, struct sbuf *sb, size_t max, struct berr *err)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	char buf[65536];

	sbuf_reset(sb);
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			berr_sys(err, "read %s", path);
			close(fd);
			return -1;
		}
		if (k == 0)
			break;
		if (sb->len + (size_t)k > max) {
			close(fd);
			return berr_set(err, BERR_INVALID, "%s: file too large", path);
		}
		sbuf_add(sb, buf, (size_t)k);
	}
	close(fd);
	return 0;
}

int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct berr *err)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return berr_set(err, BERR_INVALID, "path too long: %s", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
				return berr_sys(err, "mkdir %s", buf);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int remove_tree(int parent, const char *name, struct berr *err)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return berr_sys(err, "remove %s", name);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr_sys(err, "opendir %s", name);
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (remove_tree(dirfd(d), de->d_name, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", name);
	return 0;
}

int remove_all_at(int dirfd, const char *path, struct berr *err)
{
	return remove_tree(dirfd, path, err);
}

int fsync_dir_at(int dirfd, const char *path, struct berr *err)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(err, "open %s", path);
	if (fsync(fd) < 0) {
		close(fd);
		return berr_sys(err, "fsync %s", path);
	}
	close(fd);
	return 0;
}

static void fill_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n) {
		ssize_t k = getrandom(p, n, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		p += k;
		n -= (size_t)k;
	}
}

void random_id(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];

	for (;;) {
		int all_digits = 1;
		fill_random(b, sizeof(b));
		for (int i = 0; i < 32; i++) {
			out[2 * i] = hex[b[i] >> 4];
			out[2 * i + 1] = hex[b[i] & 15];
		}
		out[64] = '\0';
		for (int i = 0; i < 12; i++)
			if (out[i] > '9')
				all_digits = 0;
		if (!all_digits)
			return;
	}
}

void random_link_id(char out[27])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char b[17];
	unsigned acc = 0;
	int bits = 0, n = 0;

	fill_random(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b) && n < 26; i++) {
		acc = (acc << 8) | b[i];
		bits += 8;
		while (bits >= 5 && n < 26) {
			out[n++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[26] = '\0';
}

/* ---- path cleaning (Go's path/filepath.Clean on Unix) ---- */

char *path_clean(const char *name, size_t n, size_t *out_len)
{
	char *out = xmalloc(n + 2);
	int rooted = n > 0 && name[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;

	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (name[r] == '/') {
			r++;
		} else if (name[r] == '.' && (r + 1 == n || name[r + 1] == '/')) {
			r++;
		} else if (name[r] == '.' && r + 1 < n && name[r + 1] == '.' && (r + 2 == n || name[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				/* drop the last element */
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < n && name[r] != '/')
				out[w++] = name[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	*out_len = w;
	return out;
}

int fd_write_all(int fd, const void *buf, size_t n, int is_socket)
{
	const char *p = buf;

	while (n) {
		/* send(MSG_NOSIGNAL): a peer gone must be an error, not a SIGPIPE. */
		ssize_t k = is_socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

char *path_absolute(const char *path)
{
	char cwd[4096];

	if (!path[0] || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", path);
}

/* Hard-linked inodes already counted. */
struct inode_set {
	ino_t *v;
	size_t n, cap;
};

/* 1 when ino was not in the set yet (now added). */
static int inode_add(struct inode_set *s, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == ino)
			return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = ino;
	return 1;
}

static int64_t dir_usage_in(int dfd, struct inode_set *seen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int64_t total = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				total += dir_usage_in(sub, seen);
			continue;
		}
		/* Only hard-linked inodes can repeat. */
		if (st.st_size > 0 && (st.st_nlink < 2 || inode_add(seen, st.st_ino)))
			total += st.st_size;
	}
	closedir(d);
	return total;
}

int64_t dir_usage(int dfd)
{
	struct inode_set seen = { 0 };
	int64_t total = dir_usage_in(dfd, &seen);

	free(seen.v);
	return total;
}

int read_pid_file(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k <= 0)
		return -1;
	buf[k] = '\0';
	return atoi(buf);
}
