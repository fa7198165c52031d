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
 * its source is appended to `raw` except the payload bytes tar_read()
 * hands to the caller for non-sparse entries.  So, in stream order,
 * raw + the payload of non-sparse entries == the input, byte for byte.
 * The reader only appends; the caller empties `raw` when it likes.
 *
 * What each call appends, in stream order (this is what tar-split's fork
 * of archive/tar returns from RawBytes(), see the compat note below):
 *
 *   tar_next() == 1:  the unread rest of the previous entry's payload (its
 *                     physical data for a sparse entry), the previous
 *                     entry's padding, then every block of this entry's
 *                     headers: each PAX 'x' / GNU 'L'/'K' header block with
 *                     its data and padding, the main header block, the old
 *                     GNU sparse extension blocks, and, for a PAX 1.0
 *                     sparse entry, the blocks of the sparse map that
 *                     precede its data.  A global 'g' entry is returned
 *                     after its header block and data; its padding comes
 *                     with the next call.
 *   tar_read():       nothing for a non-sparse entry; for a sparse entry,
 *                     the physical data bytes it consumes (the caller gets
 *                     the expanded data instead).
 *   tar_next() == 0:  the unread rest and padding of the last entry, then
 *                     the end marker as Go reads it: one or two zero blocks
 *                     (one when the source ends after the first), or
 *                     nothing when the source ends right after the padding
 *                     (a source ending inside the padding also ends the
 *                     archive, as in Go, with the partial padding in raw).
 *   tar_drain():      nothing: it hands the rest of the source to its cb.
 *
 * tar-split's disassembler records, per entry: RawBytes() after Next() as a
 * segment (if non-empty), the file entry after reading the payload, then
 * RawBytes() again (if non-empty); at EOF, RawBytes() as a segment.  With
 * the appends above, flushing `raw` at the same points gives the same
 * segments.  One difference for sparse entries only: tar-split's RawBytes()
 * contains neither the PAX 1.0 sparse map nor the physical data read
 * through Read(); tar_reader_tarsplit_compat() makes this reader leave them
 * out too (then raw + payload no longer rebuilds such an input, exactly as
 * with tar-split).  Unread payload skipped by Next() IS in RawBytes(), in
 * both modes.
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

struct tar_pax_record {
	const char *key;
	const char *value;   /* NUL-terminated too */
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
	/* Go's Header.PAXRecords: the records of the last 'x' (or of the 'g')
	 * header, one per key (the last value wins), GNU.sparse.offset and
	 * .numbytes folded into GNU.sparse.map as Go does; values may hold
	 * NULs (but not for path, linkpath, uname, gname). */
	struct tar_pax_record *pax;
	size_t n_pax;
};

struct tar_reader;

/* src is borrowed.  raw may be NULL (no accounting). */
struct tar_reader *tar_reader_new(struct reader *src, struct sbuf *raw);
void tar_reader_free(struct tar_reader *tr);
/* Makes raw accounting match tar-split's RawBytes() for sparse entries
 * too (see above).  Call before the first tar_next(). */
void tar_reader_tarsplit_compat(struct tar_reader *tr, int on);

/* Advances to the next entry, skipping any unread payload of the current
 * one.  Returns 1 with *hdr set (borrowed, valid until the next call), 0 at
 * the end of the archive, -1 on error (Go's wording: "archive/tar: invalid
 * tar header", "archive/tar: header field too long", "unexpected EOF").
 * A PAX global header comes back as an entry of typeflag TAR_XGLOBAL with
 * only name, xattrs and pax records set, as Go returns it (Docker skips
 * it when extracting; tar-split records it as a file entry of size 0); its
 * records are not applied to later entries, as in Go. */
int tar_next(struct tar_reader *tr, const struct tar_header **hdr, struct berr *err);

/* Reads the current entry's payload (for a sparse entry the expanded
 * data, holes as zeros, hdr->size bytes in all).  Returns bytes read, 0 at
 * its end, -1 on error ("unexpected EOF", "archive/tar: sparse file
 * references non-existent data", "... contains unreferenced data").
 * Errors are sticky: after one, tar_next() and tar_read() repeat it. */
ssize_t tar_read(struct tar_reader *tr, void *buf, size_t n, struct berr *err);

/* After tar_next() returned 0: reads whatever follows the end-of-archive
 * marker in the source, calling cb for each chunk, until the source ends.
 * tar-split records these bytes so that the round trip is exact; the diff
 * ID covers them too. */
int tar_drain(struct tar_reader *tr, int (*cb)(void *ctx, const void *buf, size_t n, struct berr *err),
	      void *ctx, struct berr *err);

#endif
