/*
 * fs.h - file helpers for the store: atomic writes (temp in the same
 * directory, fsync, rename: Docker's atomicwriter), bounded reads, mkdir -p,
 * recursive removal, and the random IDs Docker's store uses.
 * All paths are relative to a directory fd unless they are absolute.
 */
#ifndef BERTH_UTIL_FS_H
#define BERTH_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "sbuf.h"

/* Writes data to dirfd/name atomically with the given mode. */
int atomic_write_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		    struct berr *err);
/* The same without the fsync, for berth's caches: a crash may lose the
 * new version (never leave a torn one), which costs only a recomputation. */
int cache_write_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, struct berr *err);
/* Reads at most max bytes of dirfd/path into sb (replacing its content);
 * a larger file is an error.  Returns 0, or -1 (errno ENOENT is kept in
 * err->errno_ so callers can tell "missing" apart). */
int read_file_at(int dirfd, const char *path, struct sbuf *sb, size_t max, struct berr *err);
/* path made absolute against the working directory (malloc'd), as
 * dockerd takes its --data-root and --exec-root: monitors and runtimes
 * run elsewhere, so berth never keeps a relative root. */
char *path_absolute(const char *path);
/* docker's pkg/directory.Size of the tree at dfd (which it takes and
 * closes): the sizes of everything but directories, each inode once (hard
 * links), entries vanishing meanwhile ignored. */
int64_t dir_usage(int dfd);
/* The decimal pid a runtime wrote to path (--pid-file), or -1. */
int read_pid_file(const char *path);
/* mkdir -p relative to dirfd; existing dirs are fine; mode for new ones. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct berr *err);
/* rm -rf relative to dirfd (no symlink following). Missing is fine. */
int remove_all_at(int dirfd, const char *path, struct berr *err);
/* fsync a directory. */
int fsync_dir_at(int dirfd, const char *path, struct berr *err);

/* Writes all of buf to fd (is_socket: with send(MSG_NOSIGNAL), so that a
 * peer gone is an error, not a SIGPIPE); 0, or -1 with errno set. */
int fd_write_all(int fd, const void *buf, size_t n, int is_socket);

/* Go's filepath.Clean of name[0..n): a malloc'd copy, *out_len its length. */
char *path_clean(const char *name, size_t n, size_t *out_len);

/* 64 lowercase hex chars from getrandom (Docker's stringid.GenerateRandomID,
 * including its "first 12 not all digits" rule). out has 65 bytes. */
void random_id(char out[65]);
/* 26 chars of base32 (A-Z2-7) from 17 random bytes (overlay2 link ids). */
void random_link_id(char out[27]);

#endif
