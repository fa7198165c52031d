/*
 * feed.h - a producer that writes (to a sink callback) read as a reader:
 * it runs in its own thread, writing into a pipe whose other end is the
 * reader.  For joining push-style sources (store_layer_tar, an HTTP body)
 * to pull-style consumers (layer_ingest_extract) without a temp copy.
 */
#ifndef BERTH_IO_FEED_H
#define BERTH_IO_FEED_H

#include <pthread.h>

#include "reader.h"

typedef int (*feed_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);
/* Writes everything through sink(sink_ctx, ...); 0 or -1 with err. */
typedef int (*feed_fn)(void *arg, feed_sink_fn sink, void *sink_ctx, struct berr *err);

struct feed {
	struct fd_reader r;   /* read from &feed.r.r */
	pthread_t th;
	int wfd;
	feed_fn fn;
	void *arg;
	int rc;
	struct berr err;
};

int feed_start(struct feed *f, feed_fn fn, void *arg, struct berr *err);
/* Closes the reading end (a producer still writing then fails), waits
 * for the producer and returns its result (its error into err). */
int feed_finish(struct feed *f, struct berr *err);

#endif
