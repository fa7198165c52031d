/*
 * tar.h - a streaming tar reader with raw accounting (for tar-split).
 *
 * It reads the formats Go's archive/tar reads (v7, ustar, GNU with long
 * names/links and sparse files, PAX with records, globals and sparse
 * 0.0/0.1/1.0, star) because Docker's layer code is Go's archive/tar, and
 * whatever Go accepts in a layer berth must accept, and what Go refuses
 * berth refuses.
 *
 * Raw accounting: when `raw` is set, every byte the reader consumes from
 * its source that is not entry payload (header blocks, GNU/PAX extension
 * blocks and their data, padding, end-of-archive blocks) is appended to
 * `raw`; tar-split turns that into its segments.  Payload bytes are those
 * returned by tar_read() for non-sparse entries.
 */
#ifndef BERTH_TAR_TAR_H
#define BERTH_TAR_TAR_H

#include <stdint.h>
#include <sys/types.h>

#include "../io/reader.h"
#include "../util/sbuf.h"

/* Typeflags, as in the header. */
#define TAR_REG '0'
#define TAR_AREG '\0'
#define TAR_LINK '1'
#define TAR_SYMLINK '2'
#define TAR_CHAR '3'
#define TAR_BLOCK '4'
#define TAR_DIR '5'
#define TAR_FIFO '6'
#define TAR_CONT '7'
#define TAR_XHDR 'x'
#define TAR_XGLOBAL 'g'
#define TAR_GNU_SPARSE 'S'
#define TAR_GNU_LONGNAME 'L'
#define TAR_GNU_LONGLINK 'K'

struct tar_xattr {
	char *name;          /* without the "SCHILY.xattr." prefix */
	char *value;
	size_t value_len;
};

struct tar_header {
	char typeflag;       /* normalised: TAR_AREG becomes TAR_REG (or TAR_DIR for a trailing '/') */
	char *name;          /* as in the archive (PAX/GNU long names applied); never NULL */
	size_t name_len;     /* names may contain any byte but NUL */
	char *linkname;      /* never NULL ("" when none) */
	int64_t size;        /* logical size (expanded size for sparse files) */
	int64_t mode;        /* permission and set-id bits as stored (no S_IFMT) */
	int64_t uid, gid;
	char *uname, *gname;
	int64_t mtime_sec; long mtime_nsec;
	int64_t atime_sec; long atime_nsec;  /* 0/0 when absent */
	int64_t ctime_sec; long ctime_nsec;
	int64_t devmajor, devminor;
	struct tar_xattr *xattrs;            /* SCHILY.xattr.* records, in archive order */
	size_t n_xattrs;
	int is_sparse;
};

struct tar_reader;

/* src is borrowed.  raw may be NULL (no accounting). */
struct tar_reader *tar_reader_new(struct reader *src, struct sbuf *raw);
void tar_reader_free(struct tar_reader *tr);

/* Advances to the next entry, skipping any unread payload of the current
 * one.  Returns 1 with *hdr set (borrowed, valid until the next call), 0 at
 * the end of the archive, -1 on error (docker/Go wording: "archive/tar:
 * invalid tar header", "unexpected EOF", ...). */
int tar_next(struct tar_reader *tr, const struct tar_header **hdr, struct berr *err);

/* Reads the current entry's payload.  Returns bytes read, 0 at its end,
 * -1 on error. */
ssize_t tar_read(struct tar_reader *tr, void *buf, size_t n, struct berr *err);

/* After tar_next() returned 0: reads whatever follows the end-of-archive
 * marker in the source, calling cb for each chunk, until the source ends.
 * tar-split records these bytes so that the round trip is exact; the diff
 * ID covers them too. */
int tar_drain(struct tar_reader *tr, int (*cb)(void *ctx, const void *buf, size_t n, struct berr *err),
	      void *ctx, struct berr *err);

#endif
