/* xfer.c - what a transfer's workers share (xfer.h): progress and
 * cancellation, the worker pool, the channel between a layer's threads. */
#include "xfer.h"

#include <stdint.h>
#include <sys/socket.h>

#include "../util/fs.h"

void xfer_init(struct xfer *x, berth_progress_fn fn, void *ctx)
{
	pthread_mutex_init(&x->mu, NULL);
	x->progress = fn;
	x->progress_ctx = ctx;
	x->cancelled = 0;
	berr_clear(&x->err);
}

void xfer_release(struct xfer *x)
{
	pthread_mutex_destroy(&x->mu);
}

void xfer_report(struct xfer *x, const char *id, const char *status, int detail, int64_t cur, int64_t total)
{
	struct berth_progress m = { id, status, detail, cur, total };

	if (!x->progress)
		return;
	pthread_mutex_lock(&x->mu);
	x->progress(x->progress_ctx, &m);
	pthread_mutex_unlock(&x->mu);
}

void xfer_fail(struct xfer *x, const struct berr *e)
{
	pthread_mutex_lock(&x->mu);
	if (!x->cancelled) {
		x->cancelled = 1;
		berr_copy(&x->err, e);
	}
	pthread_mutex_unlock(&x->mu);
}

int xfer_cancelled(struct xfer *x)
{
	int c;

	pthread_mutex_lock(&x->mu);
	c = x->cancelled;
	pthread_mutex_unlock(&x->mu);
	return c;
}

void xfer_reset(struct xfer *x)
{
	x->cancelled = 0;
	berr_clear(&x->err);
}

void xfer_update(struct xfer *x, const char *id, const char *status, int64_t cur, int64_t total)
{
	xfer_report(x, id, status, 1, cur, total);
}

void xfer_message(struct xfer *x, const char *id, const char *status)
{
	xfer_report(x, id, status, 0, 0, 0);
}

/* ---- the worker pool ---- */

/* The next job for a worker, or SIZE_MAX when there is none or the
 * transfer is cancelled. */
static size_t take_job(struct xfer_pool *pool)
{
	size_t i = SIZE_MAX;

	pthread_mutex_lock(&pool->x->mu);
	while (pool->next < pool->n_jobs && pool->skip(pool->ctx, pool->next))
		pool->next++;
	if (pool->next < pool->n_jobs && !pool->x->cancelled)
		i = pool->next++;
	pthread_mutex_unlock(&pool->x->mu);
	return i;
}

static void *worker_main(void *arg)
{
	struct xfer_pool *pool = arg;
	size_t i;

	while ((i = take_job(pool)) != SIZE_MAX) {
		struct berr e = BERR_INIT;

		if (pool->run(pool->ctx, i, &e) < 0)
			xfer_fail(pool->x, &e);
	}
	return NULL;
}

int xfer_pool_run(struct xfer_pool *pool, size_t n_threads, const char *what, struct berr *err)
{
	pthread_t th[XFER_MAX_THREADS];
	size_t started = 0;

	pool->next = 0;
	if (n_threads > XFER_MAX_THREADS)
		n_threads = XFER_MAX_THREADS;
	for (size_t i = 0; i < n_threads; i++)
		if (pthread_create(&th[started], NULL, worker_main, pool) == 0)
			started++;
	if (n_threads && !started)
		return berr_set(err, BERR_INTERNAL, "cannot start %s threads", what);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	/* The workers are joined: nothing else touches x now. */
	if (pool->x->cancelled) {
		berr_copy(err, &pool->x->err);
		return -1;
	}
	return 0;
}

/* ---- the channel ---- */

/* A megabyte in flight keeps both threads busy without much memory. */
#define CHANNEL_BUF_SIZE (1 << 20)

int xfer_channel(int *send_fd, int *recv_fd, struct berr *err)
{
	int sv[2], sz = CHANNEL_BUF_SIZE;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(err, "socketpair");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*send_fd = sv[0];
	*recv_fd = sv[1];
	return 0;
}

int xfer_send(int fd, const void *buf, size_t n, const char *stopped, struct berr *err)
{
	/* A socket: fd_write_all sends with MSG_NOSIGNAL. */
	if (fd_write_all(fd, buf, n, 1) < 0)
		return berr_set(err, BERR_CANCELLED, "%s", stopped);
	return 0;
}
