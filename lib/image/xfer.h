/*
 * xfer.h - what the worker threads of one pull or push share: the
 * progress callback (serialised: the CLI's renderer is not thread-safe),
 * and the first failure, which cancels the other workers.  The mutex
 * also guards the owner's own shared state (its job queue).
 */
#ifndef BERTH_IMAGE_XFER_H
#define BERTH_IMAGE_XFER_H

#include <pthread.h>
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
/* Records e unless a failure came first, and cancels. */
void xfer_fail(struct xfer *x, const struct berr *e);
int xfer_cancelled(struct xfer *x);
/* Starts over after a finished transfer (push -a: one per tag). */
void xfer_reset(struct xfer *x);

#endif
