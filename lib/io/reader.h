/*
 * reader.h - the pull-style byte stream every berth pipeline stage speaks.
 *
 * A stage (decompressor, digester, tar reader, archive member) wraps another
 * reader.  read() returns the number of bytes read (> 0), 0 at end of
 * stream, or -1 with *err set.  Readers never own their source: the code
 * that built a chain tears it down in reverse order.
 */
#ifndef BERTH_IO_READER_H
#define BERTH_IO_READER_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/err.h"

struct reader {
	ssize_t (*read)(struct reader *r, void *buf, size_t n, struct berr *err);
};

static inline ssize_t reader_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	return r->read(r, buf, n, err);
}

/* Reads exactly n bytes; returns 0 on success, 1 on clean EOF before any
 * byte, -1 on error (a short read after some bytes is an error:
 * "unexpected EOF"). */
int reader_read_full(struct reader *r, void *buf, size_t n, struct berr *err);

/* A reader over a file descriptor (not closed by the reader). */
struct fd_reader {
	struct reader r;
	int fd;
};
void fd_reader_init(struct fd_reader *fr, int fd);

/* A reader over a memory buffer (borrowed). */
struct mem_reader {
	struct reader r;
	const unsigned char *p;
	size_t left;
};
void mem_reader_init(struct mem_reader *mr, const void *buf, size_t len);

#endif
