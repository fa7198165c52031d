/* xfer.c - progress and cancellation shared by a transfer's workers. */
#include "xfer.h"

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
