/*
 * xfer.h - what pull and push share to move layers in parallel:
 *   - the progress callback (serialised: the CLI's renderer is not
 *     thread-safe) and the first failure, which cancels the other workers
 *     (struct xfer; its mutex also guards the owner's own shared state);
 *   - the worker pool: up to N threads taking jobs in order;
 *   - the byte channel between a layer's two threads (a socketpair: the
 *     downloader feeding the extractor, the compressor feeding the
 *     uploader).
 */
#ifndef BERTH_IMAGE_XFER_H
#define BERTH_IMAGE_XFER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>

struct xfer {
	pthread_mutex_t mu;
	berth_progress_fn progress;  /* may be NULL */
	void *progress_ctx;
	int cancelled;
	struct berr err;             /* the first failure */
};

void xfer_init(struct xfer *x, berth_progress_fn fn, void *ctx);
void xfer_release(struct xfer *x);
/* One progress message (see struct berth_progress). */
void xfer_report(struct xfer *x, const char *id, const char *status, int detail, int64_t cur, int64_t total);
/* docker's progress.Update: a layer's status line (detail, cur of total). */
void xfer_update(struct xfer *x, const char *id, const char *status, int64_t cur, int64_t total);
/* docker's progress.Message: a plain line, with an id prefix when id is set. */
void xfer_message(struct xfer *x, const char *id, const char *status);
/* Bytes between two progress updates of a layer, as docker's progress
 * reader spaces them. */
#define XFER_PROGRESS_STEP (512 * 1024)
/* Records e unless a failure came first, and cancels. */
void xfer_fail(struct xfer *x, const struct berr *e);
int xfer_cancelled(struct xfer *x);
/* Starts over after a finished transfer (push -a: one per tag). */
void xfer_reset(struct xfer *x);

/* ---- the worker pool ---- */

#define XFER_MAX_THREADS 64

/* Jobs 0..n_jobs-1, taken in order by the workers under x->mu.  skip says
 * a job is not a worker's (present already, or shared with another job);
 * run does one, and a failure (-1, err set) goes to xfer_fail, after which
 * no worker takes a new job. */
struct xfer_pool {
	struct xfer *x;
	size_t n_jobs;
	int (*skip)(void *ctx, size_t i);
	int (*run)(void *ctx, size_t i, struct berr *err);
	void *ctx;
	size_t next;                 /* xfer_pool_run's; guarded by x->mu */
};

/* Runs every job on up to n_threads threads (at most XFER_MAX_THREADS)
 * and joins them.  0, or -1 with the first failure in err; what names the
 * threads when none could start ("cannot start download threads"). */
int xfer_pool_run(struct xfer_pool *pool, size_t n_threads, const char *what, struct berr *err);

/* ---- the channel between a layer's two threads ---- */

/* A socketpair with large buffers (CLOEXEC): the producer writes
 * *send_fd, the consumer reads *recv_fd. */
int xfer_channel(int *send_fd, int *recv_fd, struct berr *err);
/* Writes all of buf to the channel; a consumer that has gone (closed or
 * shut down its end) is BERR_CANCELLED with text stopped ("upload
 * stopped"), never a SIGPIPE. */
int xfer_send(int fd, const void *buf, size_t n, const char *stopped, struct berr *err);

#endif
