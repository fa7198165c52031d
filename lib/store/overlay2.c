/* overlay2.c - the overlay2 driver's dirs and links (overlay2.h). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "private.h"

/* The longest lower file Docker's driver writes (its maxDepth of 128
 * links fits well below). */
#define LOWER_MAX 8192

static void marker_path(char *buf, size_t n, const char *cache_id)
{
	snprintf(buf, n, "layerdb/tmp/incomplete-%s", cache_id);
}

int store_layer_dir_new(struct store *s, struct layer_dir *out, struct berr *err)
{
	char p[128];

	random_id(out->cache_id);
	out->diff_fd = -1;
	marker_path(p, sizeof(p), out->cache_id);
	out->marker_fd = openat(s->image_fd, p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out->marker_fd < 0)
		return berr_sys(err, "create %s", p);
	if (flock(out->marker_fd, LOCK_EX | LOCK_NB) < 0 || mkdirat(s->overlay_fd, out->cache_id, 0710) < 0) {
		berr_sys(err, "mkdir overlay2/%s", out->cache_id);
		store_layer_dir_done(s, out);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/diff", out->cache_id);
	if (mkdirat(s->overlay_fd, p, 0755) < 0 || fchmodat(s->overlay_fd, p, 0755, 0) < 0) {
		berr_sys(err, "mkdir overlay2/%s", p);
		goto fail;
	}
	out->diff_fd = openat(s->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->diff_fd < 0) {
		berr_sys(err, "open overlay2/%s", p);
		goto fail;
	}
	return 0;
fail:
	remove_all_at(s->overlay_fd, out->cache_id, NULL);
	return -1;
}

void store_layer_dir_close(struct layer_dir *ld)
{
	if (ld->diff_fd >= 0)
		close(ld->diff_fd);
	ld->diff_fd = -1;
}

void store_layer_dir_done(struct store *s, struct layer_dir *ld)
{
	char p[128];

	if (ld->marker_fd < 0)
		return;
	/* Unlink before unlocking: a gc that wins the lock then finds no
	 * marker to act on. */
	marker_path(p, sizeof(p), ld->cache_id);
	unlinkat(s->image_fd, p, 0);
	close(ld->marker_fd);
	ld->marker_fd = -1;
}

void store_layer_dir_discard(struct store *s, struct layer_dir *ld)
{
	store_layer_dir_close(ld);
	if (ld->cache_id[0])
		remove_all_at(s->overlay_fd, ld->cache_id, NULL);
	store_layer_dir_done(s, ld);
	ld->cache_id[0] = '\0';
}

int store_tmpfile(struct store *s, const struct layer_dir *ld, char name_out[96], int *fd_out,
		  struct berr *err)
{
	snprintf(name_out, 96, "layerdb/tmp/ts-%s", ld->cache_id);
	*fd_out = openat(s->image_fd, name_out, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (*fd_out < 0)
		return berr_sys(err, "create %s", name_out);
	return 0;
}

void store_tmpfile_discard(struct store *s, const char *name)
{
	if (name && name[0])
		unlinkat(s->image_fd, name, 0);
}

void overlay2_gc(struct store *s)
{
	int fd = openat(s->image_fd, "layerdb/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *id = de->d_name + 11;
		char p[160];
		int mfd;

		if (strncmp(de->d_name, "incomplete-", 11) || strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
			continue;
		mfd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC);
		if (mfd < 0)
			continue;
		if (flock(mfd, LOCK_EX | LOCK_NB) == 0) {
			remove_all_at(s->overlay_fd, id, NULL);
			snprintf(p, sizeof(p), "ts-%s", id);
			unlinkat(dirfd(d), p, 0);
			unlinkat(dirfd(d), de->d_name, 0);
		}
		close(mfd);
	}
	closedir(d);
}

/* <cache>/lower for a child of parent_cache_id: the parent's link, then
 * the parent's own lower. */
static int child_lower(struct store *s, const char *parent_cache_id, char lower[LOWER_MAX], size_t *len,
		       struct berr *err)
{
	char p[256], plink[32];
	struct sbuf plower = SBUF_INIT;
	int n;

	snprintf(p, sizeof(p), "%s/link", parent_cache_id);
	if (store_read_small(s->overlay_fd, p, plink, sizeof(plink), 1, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lower", parent_cache_id);
	if (read_file_at(s->overlay_fd, p, &plower, LOWER_MAX, err) < 0) {
		if (err && err->errno_ != ENOENT) {
			sbuf_release(&plower);
			return -1;
		}
		berr_clear(err);
	}
	n = snprintf(lower, LOWER_MAX, "l/%s%s%s", plink, plower.len ? ":" : "", sbuf_str(&plower));
	sbuf_release(&plower);
	if (n >= LOWER_MAX)
		return berr_set(err, BERR_INVALID, "max depth exceeded");
	*len = (size_t)n;
	return 0;
}

int overlay2_link(struct store *s, const char *cache_id, const char *parent_cache_id, char link_out[27],
		  struct berr *err)
{
	char p[256], target[128], lower[LOWER_MAX];
	size_t n = 0;

	link_out[0] = '\0';
	random_link_id(link_out);
	snprintf(p, sizeof(p), "%s/link", cache_id);
	/* link, lower and committed are written as dockerd writes them, without
	 * an fsync: what makes a layer exist is its layerdb rename, and a
	 * killed process loses nothing the page cache holds. */
	if (cache_write_at(s->overlay_fd, p, link_out, 26, 0644, err) < 0) {
		link_out[0] = '\0';
		return -1;
	}
	snprintf(target, sizeof(target), "../%s/diff", cache_id);
	snprintf(p, sizeof(p), "l/%s", link_out);
	if (symlinkat(target, s->overlay_fd, p) < 0) {
		link_out[0] = '\0';
		return berr_sys(err, "symlink overlay2/%s", p);
	}
	if (!parent_cache_id)
		return 0;
	if (child_lower(s, parent_cache_id, lower, &n, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/work", cache_id);
	if (store_mkdir(s->overlay_fd, p, 0700, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lower", cache_id);
	if (cache_write_at(s->overlay_fd, p, lower, n, 0644, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/committed", parent_cache_id);
	if (faccessat(s->overlay_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return cache_write_at(s->overlay_fd, p, "", 0, 0600, err);
}

void overlay2_unlink(struct store *s, const char *link)
{
	char p[40];

	if (!link[0])
		return;
	snprintf(p, sizeof(p), "l/%s", link);
	unlinkat(s->overlay_fd, p, 0);
}

void overlay2_remove(struct store *s, const char *cache_id)
{
	char p[128], link[32];

	if (!store_is_hex64(cache_id) || strlen(cache_id) != 64)
		return;
	snprintf(p, sizeof(p), "%s/link", cache_id);
	if (store_read_small(s->overlay_fd, p, link, sizeof(link), 1, NULL) == 0 && link[0] && !strchr(link, '/'))
		overlay2_unlink(s, link);
	remove_all_at(s->overlay_fd, cache_id, NULL);
}

int overlay2_lowerdir(struct store *s, const char *cache_id, const char *root, struct sbuf *out)
{
	struct sbuf sb = SBUF_INIT;
	char p[128], *save = NULL, *tok;

	snprintf(p, sizeof(p), "%s/lower", cache_id);
	if (read_file_at(s->overlay_fd, p, &sb, 1 << 20, NULL) < 0 || !sb.len) {
		sbuf_release(&sb);
		return -1;
	}
	for (tok = strtok_r(sb.buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char target[PATH_MAX];
		ssize_t k = readlinkat(s->overlay_fd, tok, target, sizeof(target) - 1);
		const char *t;

		if (k <= 0)
			continue;
		target[k] = '\0';
		/* "../<id>/diff", relative to l/ */
		t = !strncmp(target, "../", 3) ? target + 3 : target;
		if (out->len)
			sbuf_addch(out, ':');
		sbuf_addf(out, "%s/overlay2/%s", root, t);
	}
	sbuf_release(&sb);
	return 0;
}

/* ---- read-write (container) layers ---- */

#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>

/* "<64 hex>" or "<64 hex>-init": the only names a container's dirs have,
 * checked before any path is built from one read off disk. */
static int is_rw_id(const char *id)
{
	size_t n = strlen(id);

	return store_is_hex64(id) && (n == 64 || (n == 69 && !strcmp(id + 64, "-init")));
}

int overlay2_create(struct store *s, const char *id, const char *parent_id, struct berr *err)
{
	char p[128], link[27] = "";

	if (!is_rw_id(id))
		return berr_set(err, BERR_INVALID, "invalid mount id value");
	if (mkdirat(s->overlay_fd, id, 0710) < 0)
		return berr_sys(err, "mkdir overlay2/%s", id);
	snprintf(p, sizeof(p), "%s/diff", id);
	if (mkdirat(s->overlay_fd, p, 0755) < 0 || fchmodat(s->overlay_fd, p, 0755, 0) < 0) {
		berr_sys(err, "mkdir overlay2/%s", p);
		goto fail;
	}
	if (overlay2_link(s, id, parent_id, link, err) < 0)
		goto fail;
	return 0;
fail:
	overlay2_unlink(s, link);
	remove_all_at(s->overlay_fd, id, NULL);
	return -1;
}

int overlay2_init_layer(struct store *s, const char *id, struct berr *err)
{
	static const struct { const char *path; char type; } ents[] = {
		{ "dev", 'd' }, { "dev/pts", 'd' }, { "dev/shm", 'd' }, { "proc", 'd' }, { "sys", 'd' },
		{ ".dockerenv", 'f' }, { "etc", 'd' }, { "etc/resolv.conf", 'f' }, { "etc/hosts", 'f' },
		{ "etc/hostname", 'f' }, { "dev/console", 'f' }, { "etc/mtab", 'l' },
	};
	char p[128];
	int dfd, rc = 0;

	snprintf(p, sizeof(p), "%s/diff", id);
	dfd = openat(s->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, "open overlay2/%s", p);
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) && rc == 0; i++) {
		const char *e = ents[i].path;
		int fd;

		if (faccessat(dfd, e, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		switch (ents[i].type) {
		case 'd':
			rc = mkdirat(dfd, e, 0755) < 0 || fchmodat(dfd, e, 0755, 0) < 0 ? -1 : 0;
			break;
		case 'f':
			fd = openat(dfd, e, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
			rc = fd < 0 || fchmod(fd, 0755) < 0 ? -1 : 0;
			if (fd >= 0)
				close(fd);
			break;
		default:
			rc = symlinkat("/proc/mounts", dfd, e);
		}
		if (rc < 0)
			berr_sys(err, "init layer %s", e);
	}
	close(dfd);
	return rc;
}

int overlay2_is_mounted(struct store *s, const char *id)
{
	char p[128];
	struct statx st;

	snprintf(p, sizeof(p), "%s/merged", id);
	if (statx(s->overlay_fd, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) < 0)
		return 0;
	return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The lower file's l/<link> entries, each prefixed by pre (the absolute
 * overlay2 dir, or "" for paths relative to it). */
static int lower_opt(struct store *s, const char *id, const char *pre, struct sbuf *out, struct berr *err)
{
	struct sbuf lower = SBUF_INIT;
	char p[128], *save = NULL, *tok;
	int first = 1;

	snprintf(p, sizeof(p), "%s/lower", id);
	if (read_file_at(s->overlay_fd, p, &lower, LOWER_MAX, err) < 0) {
		sbuf_release(&lower);
		return -1;
	}
	for (tok = strtok_r(lower.buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		sbuf_addf(out, "%s%s%s", first ? "" : ":", pre, tok);
		first = 0;
	}
	sbuf_release(&lower);
	return 0;
}

static void mount_opts(struct sbuf *o, int index_off, const char *lower, const char *pre, const char *id)
{
	sbuf_addf(o, "%slowerdir=%s,upperdir=%s%s/diff,workdir=%s%s/work", index_off ? "index=off," : "", lower,
		  pre, id, pre, id);
}

/* What the driver's forked chroot does: mount with paths relative to
 * overlay2/, so the options fit in a page.  Only async-signal-safe calls
 * in the child (the parent may have threads). */
static int mount_relative(struct store *s, const char *target, const char *opts)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (fchdir(s->overlay_fd) < 0 || mount("overlay", target, "overlay", 0, opts) < 0)
			_exit(errno & 0xff);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
		return -1;
	}
	return 0;
}

int overlay2_mount(struct store *s, const char *id, char **merged_out, struct berr *err)
{
	struct sbuf lower = SBUF_INIT, opts = SBUF_INIT;
	char p[128], *base = xasprintf("%s/overlay2/", s->root);
	int index_off = access("/sys/module/overlay/parameters/index", F_OK) == 0, rc = -1;
	long page = sysconf(_SC_PAGESIZE);

	*merged_out = NULL;
	if (!is_rw_id(id)) {
		berr_set(err, BERR_INVALID, "invalid mount id value");
		goto out;
	}
	snprintf(p, sizeof(p), "%s/merged", id);
	if (overlay2_is_mounted(s, id)) {
		rc = 0;
		goto out;
	}
	if (store_mkdir(s->overlay_fd, p, 0700, err) < 0 || lower_opt(s, id, base, &lower, err) < 0)
		goto out;
	mount_opts(&opts, index_off, lower.buf, base, id);
	if ((long)opts.len < page) {
		char *target = xasprintf("%s%s", base, p);
		rc = mount("overlay", target, "overlay", 0, opts.buf);
		free(target);
	} else {
		sbuf_reset(&lower);
		sbuf_reset(&opts);
		if (lower_opt(s, id, "", &lower, err) < 0)
			goto out;
		mount_opts(&opts, index_off, lower.buf, "", id);
		rc = (long)opts.len < page ? mount_relative(s, p, opts.buf) : (errno = E2BIG, -1);
	}
	if (rc < 0)
		berr_sys(err, "error creating overlay mount to %s%s", base, p);
out:
	if (rc == 0)
		*merged_out = xasprintf("%s%s", base, p);
	sbuf_release(&lower);
	sbuf_release(&opts);
	free(base);
	return rc;
}

int overlay2_unmount(struct store *s, const char *id, struct berr *err)
{
	char p[128], *target;

	if (!is_rw_id(id))
		return berr_set(err, BERR_INVALID, "invalid mount id value");
	snprintf(p, sizeof(p), "%s/merged", id);
	if (overlay2_is_mounted(s, id)) {
		target = xasprintf("%s/overlay2/%s", s->root, p);
		if (umount2(target, MNT_DETACH) < 0 && errno != EINVAL) {
			berr_sys(err, "unmount %s", target);
			free(target);
			return -1;
		}
		free(target);
	}
	if (unlinkat(s->overlay_fd, p, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(err, "rmdir overlay2/%s", p);
	return 0;
}

void overlay2_remove_rw(struct store *s, const char *id)
{
	char p[128], link[32];

	if (!is_rw_id(id))
		return;
	overlay2_unmount(s, id, NULL);
	snprintf(p, sizeof(p), "%s/link", id);
	if (store_read_small(s->overlay_fd, p, link, sizeof(link), 1, NULL) == 0 && link[0] && !strchr(link, '/'))
		overlay2_unlink(s, link);
	remove_all_at(s->overlay_fd, id, NULL);
}

int overlay2_open_layers(struct store *s, const char *id, int *upper, int **lowers, size_t *n, struct berr *err)
{
	char p[300], lower[LOWER_MAX];
	char *save = NULL, *tok;

	*upper = -1;
	*lowers = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s/lower", id);
	if (store_read_small(s->overlay_fd, p, lower, sizeof(lower), 1, NULL) < 0)
		lower[0] = '\0';   /* a base layer has none */
	snprintf(p, sizeof(p), "%s/diff", id);
	*upper = openat(s->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*upper < 0)
		return berr_sys(err, "open overlay2/%s", p);
	*lowers = xcalloc(strlen(lower) / 2 + 2, sizeof(int));
	for (tok = strtok_r(lower, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		/* "l/<link>": a symlink to ../<cache id>/diff, inside overlay2/. */
		if (strncmp(tok, "l/", 2) != 0 || strlen(tok) != 28 || strchr(tok + 2, '/')) {
			berr_set(err, BERR_INVALID, "overlay2/%s/lower: bad entry %s", id, tok);
			goto fail;
		}
		(*lowers)[*n] = openat(s->overlay_fd, tok, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if ((*lowers)[*n] < 0) {
			berr_sys(err, "open overlay2/%s", tok);
			goto fail;
		}
		(*n)++;
	}
	return 0;
fail:
	for (size_t i = 0; i < *n; i++)
		close((*lowers)[i]);
	free(*lowers);
	*lowers = NULL;
	*n = 0;
	close(*upper);
	*upper = -1;
	return -1;
}
