/* stdcopy.c - see stdcopy.h. */
#include "stdcopy.h"

#include <string.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <errno.h>

void stdcopy_header(unsigned char out[STDCOPY_HEADER], enum stdcopy_type type, uint32_t n)
{
	out[0] = (unsigned char)type;
	out[1] = out[2] = out[3] = 0;
	out[4] = (unsigned char)(n >> 24);
	out[5] = (unsigned char)(n >> 16);
	out[6] = (unsigned char)(n >> 8);
	out[7] = (unsigned char)n;
}

void stdcopy_frame(struct sbuf *out, enum stdcopy_type type, const void *p, size_t n)
{
	unsigned char h[STDCOPY_HEADER];

	stdcopy_header(h, type, (uint32_t)n);
	sbuf_add(out, h, sizeof(h));
	sbuf_add(out, p, n);
}

int stdcopy_write(int fd, int is_socket, enum stdcopy_type type, const void *p, size_t n)
{
	unsigned char h[STDCOPY_HEADER];
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)p, n } };
	size_t left = sizeof(h) + n;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	stdcopy_header(h, type, (uint32_t)n);
	while (left) {
		ssize_t k = is_socket ? sendmsg(fd, &m, MSG_NOSIGNAL) : writev(fd, m.msg_iov, (int)m.msg_iovlen);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		left -= (size_t)k;
		while (k > 0 && m.msg_iovlen) {
			if ((size_t)k >= m.msg_iov[0].iov_len) {
				k -= (ssize_t)m.msg_iov[0].iov_len;
				m.msg_iov++;
				m.msg_iovlen--;
			} else {
				m.msg_iov[0].iov_base = (char *)m.msg_iov[0].iov_base + k;
				m.msg_iov[0].iov_len -= (size_t)k;
				k = 0;
			}
		}
	}
	return 0;
}

void stdcopy_reader_init(struct stdcopy_reader *r)
{
	sbuf_init(&r->buf);
	r->off = 0;
}

void stdcopy_reader_release(struct stdcopy_reader *r)
{
	sbuf_release(&r->buf);
	r->off = 0;
}

void stdcopy_reader_feed(struct stdcopy_reader *r, const void *p, size_t n)
{
	if (r->off) {
		memmove(r->buf.buf, r->buf.buf + r->off, r->buf.len - r->off);
		r->buf.len -= r->off;
		r->off = 0;
	}
	sbuf_add(&r->buf, p, n);
}

int stdcopy_reader_next(struct stdcopy_reader *r, int *type, const char **payload, size_t *len)
{
	const unsigned char *h = (const unsigned char *)r->buf.buf + r->off;
	size_t avail = r->buf.len - r->off;
	uint32_t n;

	if (avail < STDCOPY_HEADER)
		return 0;
	if (h[0] > STDCOPY_SYSTEMERR)
		return -1;
	n = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
	if (avail - STDCOPY_HEADER < n)
		return 0;
	*type = h[0];
	*payload = (const char *)h + STDCOPY_HEADER;
	*len = n;
	r->off += STDCOPY_HEADER + n;
	return 1;
}
