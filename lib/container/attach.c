/*
 * attach.c - the client end of an attach stream (berth_container_attach_copy):
 * the caller's stdin into the container, its output demultiplexed
 * (logs/stdcopy.h) onto the caller's descriptors.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <berth/container.h>

#include "../logs/stdcopy.h"
#include "../util/fs.h"

#define COPY_BUF 65536

/* One read of the container's output, written out; 0 at EOF. */
static ssize_t pump_output(int fd, int raw, struct stdcopy_reader *r, int out_fd, int err_fd, struct berr *err)
{
	char buf[COPY_BUF];
	ssize_t n = read(fd, buf, sizeof(buf));
	const char *p;
	size_t len;
	int type, k;

	if (n < 0)
		return errno == EINTR ? 1 : berr_sys(err, "attach: read");
	if (n == 0)
		return 0;
	if (raw) {
		fd_write_all(out_fd, buf, (size_t)n, 0);
		return n;
	}
	stdcopy_reader_feed(r, buf, (size_t)n);
	while ((k = stdcopy_reader_next(r, &type, &p, &len)) == 1)
		fd_write_all(type == STDCOPY_STDERR ? err_fd : out_fd, p, len, 0);
	if (k < 0)
		return berr_set(err, BERR_INVALID, "attach: a malformed stream frame");
	return n;
}

/* One read of the caller's stdin, sent on; at EOF the stream is half-closed. */
static int pump_input(int in_fd, int fd)
{
	char buf[COPY_BUF];
	ssize_t n = read(in_fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0 || fd_write_all(fd, buf, (size_t)n, 1) < 0) {
		shutdown(fd, SHUT_WR);
		return 0;
	}
	return 1;
}

int berth_container_attach_copy(int attach_fd, int raw, int in_fd, int out_fd, int err_fd, struct berr *err)
{
	struct stdcopy_reader r;
	struct pollfd pf[2];
	int rc = 0, in_open = in_fd >= 0;

	stdcopy_reader_init(&r);
	for (;;) {
		pf[0] = (struct pollfd){ .fd = attach_fd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = in_open ? in_fd : -1, .events = POLLIN };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = berr_sys(err, "attach: poll");
			break;
		}
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR))
			in_open = pump_input(in_fd, attach_fd);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = pump_output(attach_fd, raw, &r, out_fd, err_fd, err);

			if (n <= 0) {
				rc = n < 0 ? -1 : 0;
				break;
			}
		}
	}
	stdcopy_reader_release(&r);
	return rc;
}
