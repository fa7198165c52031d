/*
 * copy.c - an image's content into a new volume (dockerd's
 * copyExistingContents: continuity's fs.CopyDir, only while the volume is
 * empty): directories, files, symlinks, devices and fifos with their
 * modes, owners and times; hard links kept as links.  Everything is
 * opened relative to directory fds without following symlinks, so an
 * image's links cannot lead the copy outside either tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../internal.h"
#include "volume.h"

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *path;     /* relative to the destination root */
};

struct copy {
	int root_dfd;
	struct link_seen *links;
	size_t n_links;
};

static void set_info(int dfd, const char *name, const struct stat *st, int is_link)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	fchownat(dfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
	if (!is_link)
		fchmodat(dfd, name, st->st_mode & 07777, 0);
	utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_file(int sfd, const char *name, int dfd, const struct stat *st)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
	char buf[65536];
	ssize_t r = 0;

	if (in < 0)
		return -1;
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 0777);
	if (out < 0) {
		close(in);
		return -1;
	}
	while (1) {
		ssize_t c = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (c > 0)
			continue;
		if (c == 0)
			break;
		/* Across filesystems on old kernels: plain reads. */
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r) {
				r = -1;
				break;
			}
		break;
	}
	close(in);
	close(out);
	return r < 0 ? -1 : 0;
}

static int copy_dir(struct copy *x, int sfd, int dfd, const char *rel, struct berr *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, sdup = dup(sfd);

	if (sdup < 0 || !(d = fdopendir(sdup))) {
		if (sdup >= 0)
			close(sdup);
		return berr_sys(err, "copy %s", rel);
	}
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;
		char *sub;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		sub = xasprintf("%s/%s", rel, n);
		if (S_ISDIR(st.st_mode)) {
			int s2, d2;
			if (mkdirat(dfd, n, 0700) < 0 && errno != EEXIST) {
				rc = berr_sys(err, "copy %s", sub);
			} else if ((s2 = openat(sfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
				if ((d2 = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
					rc = copy_dir(x, s2, d2, sub, err);
					close(d2);
				}
				close(s2);
				set_info(dfd, n, &st, 0);
			}
			free(sub);
			continue;
		}
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			size_t i;
			for (i = 0; i < x->n_links; i++)
				if (x->links[i].dev == st.st_dev && x->links[i].ino == st.st_ino)
					break;
			if (i < x->n_links) {
				if (linkat(x->root_dfd, x->links[i].path + 1, dfd, n, 0) < 0)
					rc = berr_sys(err, "copy %s", sub);
				free(sub);
				continue;
			}
			x->links = xrealloc(x->links, (x->n_links + 1) * sizeof(*x->links));
			x->links[x->n_links++] = (struct link_seen){ st.st_dev, st.st_ino, xstrdup(sub) };
		}
		if (S_ISREG(st.st_mode)) {
			if (copy_file(sfd, n, dfd, &st) < 0)
				rc = berr_sys(err, "copy %s", sub);
			else
				set_info(dfd, n, &st, 0);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t l = readlinkat(sfd, n, target, sizeof(target) - 1);
			if (l >= 0) {
				target[l] = '\0';
				if (symlinkat(target, dfd, n) < 0)
					rc = berr_sys(err, "copy %s", sub);
				else
					set_info(dfd, n, &st, 1);
			}
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			if (mknodat(dfd, n, st.st_mode, st.st_rdev) < 0)
				rc = berr_sys(err, "copy %s", sub);
			else
				set_info(dfd, n, &st, 0);
		}
		/* sockets are skipped, as continuity skips them */
		free(sub);
	}
	closedir(d);
	return rc;
}

int volume_copy_in(struct store *s, const char *name, int src_dirfd, struct berr *err)
{
	char path[PATH_MAX];
	struct copy x = { 0 };
	struct stat st;
	DIR *d;
	struct dirent *de;
	int dfd, empty = 1, rc;

	snprintf(path, sizeof(path), "volumes/%s/_data", name);
	if ((dfd = openat(s->root_fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return berr_sys(err, "open %s/%s", s->root, path);
	{
		int d2 = dup(dfd);
		if (d2 >= 0 && (d = fdopendir(d2))) {
			while (empty && (de = readdir(d)))
				empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
			closedir(d);
		} else if (d2 >= 0) {
			close(d2);
		}
	}
	if (!empty) {
		close(dfd);
		return 0;
	}
	x.root_dfd = dfd;
	rc = copy_dir(&x, src_dirfd, dfd, "", err);
	/* fs.CopyDir gives the top directory the source's owner, mode and times too. */
	if (rc == 0 && fstat(src_dirfd, &st) == 0) {
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		fchown(dfd, st.st_uid, st.st_gid);
		fchmod(dfd, st.st_mode & 07777);
		futimens(dfd, ts);
	}
	for (size_t i = 0; i < x.n_links; i++)
		free(x.links[i].path);
	free(x.links);
	close(dfd);
	return rc;
}
