/*
 * fetch.h - GET one URL and stream its body (import FILE|URL).  Lives
 * here because only lib/registry talks HTTP.
 */
#ifndef BERTH_REGISTRY_FETCH_H
#define BERTH_REGISTRY_FETCH_H

#include <stddef.h>

#include "../util/err.h"

typedef int (*fetch_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);

/* Returns 0 after a 2xx body was delivered whole, else -1 with err. */
int registry_fetch_url(const char *url, fetch_sink_fn sink, void *ctx, struct berr *err);

#endif
