/*
 * attach.c - docker's ContainerAttach on the container's monitor
 * (berth_container_attach, berth_container_resize), and the client end of
 * an attach stream (berth_container_attach_copy): the caller's stdin into
 * the container (through docker's escape proxy for the detach keys), its
 * output demultiplexed (logs/stdcopy.h) onto the caller's descriptors.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <berth/container.h>

#include "../logs/stdcopy.h"
#include "../monitor/monitor.h"
#include "../util/fs.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

/* moby/term's ASCII table: ctrl-@ is 0, ctrl-a 1 ... ctrl-_ 31. */
static const char ctrl_tail[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

int berth_container_detach_keys(const char *spec, char keys[BERTH_CONTAINER_DETACH_KEYS_MAX], size_t *n,
				struct berr *err)
{
	const char *p = spec;
	size_t k = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *hit;

		if (k == BERTH_CONTAINER_DETACH_KEYS_MAX)
			return berr_set(err, BERR_INVALID, "Invalid detach keys (%s) provided", spec);
		if (len == 1)
			keys[k++] = p[0];
		else if (len == 6 && !strncmp(p, "ctrl-", 5) && p[5] && (hit = strchr(ctrl_tail, p[5])))
			keys[k++] = (char)(hit - ctrl_tail);
		else if (len == 3 && !strncmp(p, "DEL", 3))
			keys[k++] = 127;
		else
			return berr_set(err, BERR_INVALID, "Invalid detach keys (%s) provided", spec);
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = k;
	return 0;
}

int berth_container_attach(struct berth *b, const char *name_or_id, const struct berth_container_attach_opts *o,
			   int *fd, int *raw, struct berr *err)
{
	struct container *c;
	char dir[PATH_MAX];
	int rc = -1;

	*fd = -1;
	if (o->detach_keys && *o->detach_keys) {
		char keys[BERTH_CONTAINER_DETACH_KEYS_MAX];
		size_t n;
		if (berth_container_detach_keys(o->detach_keys, keys, &n, err) < 0)
			return -1;
	}
	if (!(c = container_lookup(b->store, name_or_id, err)))
		return -1;
	if (container_refresh_state(b, c, err) < 0)
		goto out;
	/* dockerd's checks and words (name as given) */
	if (c->state.paused) {
		berr_set(err, BERR_EXISTS, "container %s is paused, unpause the container before attach", name_or_id);
		goto out;
	}
	if (c->state.restarting) {
		berr_set(err, BERR_EXISTS, "container %s is restarting, wait until the container is running",
			 name_or_id);
		goto out;
	}
	container_state_dir(b, c->id, dir, sizeof(dir));
	if (!c->state.running || monitor_attach(dir, o->stdin_, o->stdout_, o->stderr_, fd, raw, err) < 0) {
		/* dockerd attaches to a stopped container and ends at once;
		 * the docker CLI has refused before */
		berr_clear(err);
		berr_set(err, BERR_EXISTS, "You cannot attach to a stopped container, start it first");
		goto out;
	}
	rc = 0;
out:
	container_free(c);
	return rc;
}

int berth_container_resize(struct berth *b, const char *name_or_id, unsigned short height, unsigned short width,
			   struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	char dir[PATH_MAX];
	int rc;

	if (!c)
		return -1;
	container_state_dir(b, c->id, dir, sizeof(dir));
	rc = monitor_resize(dir, height, width, err);
	container_free(c);
	return rc;
}

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

/* docker's escape proxy (moby/term): a partial detach sequence is held
 * back; a byte that breaks it sends the held bytes and itself on. */
struct escape {
	const char *keys;
	size_t n, pos;
};

/* One read of the caller's stdin, sent on; at EOF the stream is
 * half-closed (0); the whole detach sequence read: -2. */
static int pump_input(int in_fd, int fd, struct escape *e)
{
	char buf[COPY_BUF], out[COPY_BUF + 2 * BERTH_CONTAINER_DETACH_KEYS_MAX];
	ssize_t n = read(in_fd, buf, sizeof(buf));
	size_t k = 0;

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0) {
		shutdown(fd, SHUT_WR);
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (e->n && buf[i] == e->keys[e->pos]) {
			if (++e->pos == e->n) {
				fd_write_all(fd, out, k, 1);
				return -2;
			}
			continue;
		}
		if (e->pos)
			memcpy(out + k, e->keys, e->pos);
		k += e->pos;
		e->pos = 0;
		out[k++] = buf[i];
	}
	if (k && fd_write_all(fd, out, k, 1) < 0) {
		shutdown(fd, SHUT_WR);
		return 0;
	}
	return 1;
}

int berth_container_attach_copy(int attach_fd, int raw, int in_fd, int out_fd, int err_fd, struct berr *err)
{
	return berth_container_attach_stream(attach_fd, raw, in_fd, out_fd, err_fd, NULL, 0, NULL, err);
}

int berth_container_attach_stream(int attach_fd, int raw, int in_fd, int out_fd, int err_fd, const char *keys,
				  size_t n_keys, int *detached, struct berr *err)
{
	struct stdcopy_reader r;
	struct pollfd pf[2];
	struct escape esc = { keys, keys ? n_keys : 0, 0 };
	int rc = 0, in_open = in_fd >= 0;

	if (detached)
		*detached = 0;
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
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			in_open = pump_input(in_fd, attach_fd, &esc);
			if (in_open == -2) {
				if (detached)
					*detached = 1;
				break;
			}
		}
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
