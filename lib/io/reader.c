/* reader.c - basic readers; see reader.h. */
#include "reader.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int reader_read_full(struct reader *r, void *buf, size_t n, struct berr *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = reader_read(r, (char *)buf + got, n - got, err);
		if (k < 0)
			return -1;
		if (k == 0) {
			if (got == 0)
				return 1;
			return berr_set(err, BERR_INVALID, "unexpected EOF");
		}
		got += (size_t)k;
	}
	return 0;
}

static ssize_t fd_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	struct fd_reader *fr = (struct fd_reader *)r;
	ssize_t k;

	do
		k = read(fr->fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return berr_sys(err, "read");
	return k;
}

void fd_reader_init(struct fd_reader *fr, int fd)
{
	fr->r.read = fd_read;
	fr->fd = fd;
}

static ssize_t mem_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	struct mem_reader *mr = (struct mem_reader *)r;

	(void)err;
	if (n > mr->left)
		n = mr->left;
	memcpy(buf, mr->p, n);
	mr->p += n;
	mr->left -= n;
	return (ssize_t)n;
}

void mem_reader_init(struct mem_reader *mr, const void *buf, size_t len)
{
	mr->r.read = mem_read;
	mr->p = buf;
	mr->left = len;
}
