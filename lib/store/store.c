/*
 * store.c - the store handle, its layout on disk and its lock (store.h).
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "private.h"

int store_mkdir(int dirfd, const char *path, mode_t mode, struct berr *err)
{
	if (mkdirat(dirfd, path, mode) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", path);
	return 0;
}

int store_read_small(int dirfd, const char *path, char *out, size_t n, int trim, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;

	if (read_file_at(dirfd, path, &sb, STORE_SMALL_MAX, err) < 0) {
		sbuf_release(&sb);
		return -1;
	}
	if (trim)
		while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
			sb.buf[--sb.len] = '\0';
	if (sb.len >= n) {
		sbuf_release(&sb);
		return berr_set(err, BERR_INVALID, "%s: unexpected content", path);
	}
	memcpy(out, sbuf_str(&sb), sb.len + 1);
	sbuf_release(&sb);
	return 0;
}

int store_is_hex64(const char *s)
{
	return strlen(s) >= 64 && strspn(s, "0123456789abcdef") >= 64;
}

size_t store_count_hex64(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)))
		if (strlen(e->d_name) == 64 && store_is_hex64(e->d_name))
			n++;
	closedir(d);
	return n;
}

static int create_layout(int root_fd, struct berr *err)
{
	static const struct { const char *path; mode_t mode; } dirs[] = {
		{ "image", 0700 },
		{ "image/overlay2", 0700 },
		{ "image/overlay2/imagedb", 0700 },
		{ "image/overlay2/imagedb/content", 0700 },
		{ "image/overlay2/imagedb/content/sha256", 0700 },
		{ "image/overlay2/imagedb/metadata", 0700 },
		{ "image/overlay2/imagedb/metadata/sha256", 0700 },
		{ "image/overlay2/layerdb", 0700 },
		{ "image/overlay2/layerdb/sha256", 0755 },
		{ "image/overlay2/layerdb/tmp", 0755 },
		{ "image/overlay2/distribution", 0700 },
		{ "image/overlay2/distribution/diffid-by-digest", 0755 },
		{ "image/overlay2/distribution/diffid-by-digest/sha256", 0755 },
		{ "image/overlay2/distribution/v2metadata-by-diffid", 0755 },
		{ "image/overlay2/distribution/v2metadata-by-diffid/sha256", 0755 },
		{ "overlay2", 0710 },
		{ "overlay2/l", 0700 },
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (store_mkdir(root_fd, dirs[i].path, dirs[i].mode, err) < 0)
			return -1;
	return 0;
}

int store_open(struct store **out, const char *root, struct berr *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	pthread_mutexattr_t ma;

	s->root_fd = s->image_fd = s->overlay_fd = s->lock_fd = -1;
	s->root = path_absolute(root);
	/* Error-checking: a thread locking twice gets EDEADLK, not a hang. */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&s->lock_mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (root[0] && mkdir_p_at(AT_FDCWD, root, 0711, err) < 0)
		goto fail;
	s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		berr_sys(err, "open %s", root);
		goto fail;
	}
	if (create_layout(s->root_fd, err) < 0)
		goto fail;
	s->image_fd = openat(s->root_fd, "image/overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s->overlay_fd = openat(s->root_fd, "overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->image_fd < 0 || s->overlay_fd < 0) {
		berr_sys(err, "open store under %s", root);
		goto fail;
	}
	/* Opened here, not on first use: threads sharing the handle must
	 * not race to open it. */
	s->lock_fd = openat(s->root_fd, "berth.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	/* A read-only root, or a user who may read the store but not write
	 * it, can still list and inspect: flock works on a read-only
	 * descriptor, and where the file cannot exist at all store_lock
	 * reports it to the commands that need it. */
	if (s->lock_fd < 0 && (errno == EROFS || errno == EACCES || errno == EPERM)) {
		s->lock_errno = errno;
		s->lock_fd = openat(s->root_fd, "berth.lock", O_RDONLY | O_CLOEXEC);
	}
	if (s->lock_fd < 0 && !s->lock_errno) {
		berr_sys(err, "open lock");
		goto fail;
	}
	if (refs_create(s, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	berr_wrap(err, "open store %s", root);
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->overlay_fd >= 0)
		close(s->overlay_fd);
	if (s->image_fd >= 0)
		close(s->image_fd);
	if (s->root_fd >= 0)
		close(s->root_fd);
	pthread_mutex_destroy(&s->lock_mu);
	free(s->root);
	free(s);
}

/* The flock belongs to the open file description lock_fd names, which
 * every thread of this handle shares: to the kernel they are one holder.
 * So the mutex orders this handle's threads and only its holder touches
 * the flock, which orders the handles (each its own open, in this process
 * or another). */
int store_lock(struct store *s, struct berr *err)
{
	int rc = pthread_mutex_lock(&s->lock_mu);

	if (rc == EDEADLK)
		return berr_set(err, BERR_INTERNAL, "lock store: already held by this thread");
	if (rc) {
		errno = rc;
		return berr_sys(err, "lock store");
	}
	if (s->lock_fd < 0) {
		errno = s->lock_errno;
		berr_sys(err, "lock store: open %s/berth.lock", s->root);
		pthread_mutex_unlock(&s->lock_mu);
		return -1;
	}
	while (flock(s->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			berr_sys(err, "lock store");
			pthread_mutex_unlock(&s->lock_mu);
			return -1;
		}
	}
	return 0;
}

void store_unlock(struct store *s)
{
	/* The flock first: once the mutex is free another thread of this
	 * handle may take the flock, which an unlock would then drop. */
	flock(s->lock_fd, LOCK_UN);
	pthread_mutex_unlock(&s->lock_mu);
}

void store_gc(struct store *s)
{
	overlay2_gc(s);
	layerdb_gc(s);
	store_mounts_gc(s);
}
