/* feed.c - a producer thread feeding a reader through a pipe (feed.h). */
#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "../util/fs.h"

static int pipe_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct feed *f = ctx;

	return fd_write_all(f->wfd, buf, n, 0) < 0 ? berr_sys(err, "write") : 0;
}

static void *feed_main(void *arg)
{
	struct feed *f = arg;
	sigset_t pipe_only;

	/* A reader that stops early makes write() fail with EPIPE; the
	 * signal must not kill the process. */
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, NULL);
	f->rc = f->fn(f->arg, pipe_sink, f, &f->err);
	close(f->wfd);
	f->wfd = -1;
	return NULL;
}

int feed_start(struct feed *f, feed_fn fn, void *arg, struct berr *err)
{
	int p[2];

	f->fn = fn;
	f->arg = arg;
	f->rc = 0;
	berr_clear(&f->err);
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	f->wfd = p[1];
	fd_reader_init(&f->r, p[0]);
	if (pthread_create(&f->th, NULL, feed_main, f) != 0) {
		close(p[0]);
		close(p[1]);
		return berr_set(err, BERR_INTERNAL, "cannot start a thread");
	}
	return 0;
}

int feed_finish(struct feed *f, struct berr *err)
{
	close(f->r.fd);
	pthread_join(f->th, NULL);
	if (f->rc < 0) {
		berr_copy(err, &f->err);
		return -1;
	}
	return 0;
}
