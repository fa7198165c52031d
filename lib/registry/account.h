/*
 * account.h - what login.c and search.c share: the endpoints docker tries
 * for a registry host outside of pulls.  A secure host (or one with a
 * certs.d directory) is HTTPS with verification only; an insecure one
 * (loopback, insecure-registries) is HTTPS without verification first,
 * then plain HTTP, as dockerd orders them.
 */
#ifndef BERTH_REGISTRY_ACCOUNT_H
#define BERTH_REGISTRY_ACCOUNT_H

#include <stddef.h>

#include "../config.h"

struct account_endpoint {
	char *base;        /* "scheme://host[:port]" */
	int tls_noverify;
};

/* Fills out[0..1]; returns how many (1 or 2). */
size_t account_endpoints(const struct berth_config *cfg, const char *host, struct account_endpoint out[2]);
void account_endpoints_release(struct account_endpoint *eps, size_t n);
/* net/http's StatusText for the statuses registries answer. */
const char *account_status_text(long status);

#endif
