/*
 * registry.h - an OCI distribution-spec client on libcurl.
 *
 * One client serves one repository on one registry; it keeps the auth state
 * (Basic credentials or a Bearer token obtained from the WWW-Authenticate
 * challenge) and a curl share handle for connections and DNS, and is safe to
 * use from several threads at once (each call uses its own easy handle).
 *
 * Transport: HTTPS with verification, except plain HTTP for hosts
 * config_is_insecure() names (loopback by default).  Docker Hub
 * ("docker.io") is reached at registry-1.docker.io, or through the
 * registry-mirrors of the config first ($BERTH_HUB_HOST replaces
 * registry-1.docker.io, for tests).
 *
 * Retries: transient failures (connection errors, 5xx, 429, a body cut
 * short) are retried with backoff; a blob download resumes with a Range
 * request, so the sink sees every byte exactly once, in order.
 */
#ifndef BERTH_REGISTRY_REGISTRY_H
#define BERTH_REGISTRY_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "../config.h"
#include "../util/err.h"
#include "../util/sbuf.h"

#define REGISTRY_MANIFEST_MAX (4 << 20)   /* like containerd/docker limits */
#define REGISTRY_CONFIG_MAX (8 << 20)

struct registry_client;

/* domain: "docker.io", "127.0.0.1:5000"; path: "library/busybox".
 * cfg is borrowed for the client's lifetime. */
int registry_client_new(struct registry_client **out, const struct berth_config *cfg,
			const char *domain, const char *path, struct berr *err);
void registry_client_free(struct registry_client *rc);

/* GET /v2/<path>/manifests/<ref> with Accept for docker schema2, docker
 * manifest list, OCI manifest and OCI index.  Fills body (at most
 * REGISTRY_MANIFEST_MAX bytes), *media_type (Content-Type, or sniffed from
 * the body's mediaType when absent; free()) and *digest (sha256 of the body;
 * free()).  When ref is a digest the body is verified against it. */
int registry_get_manifest(struct registry_client *rc, const char *ref, struct sbuf *body,
			  char **media_type, char **digest, struct berr *err);

/* Streams blob `digest` to sink, in order, following redirects.  The sink
 * returns 0 or -1 (with err set) to abort.  Does NOT verify the digest: the
 * caller hashes what it receives (it has to anyway, in the same pass).
 * If size_out is non-NULL it gets the Content-Length (or -1) once known,
 * before the first sink call. */
typedef int (*registry_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);
int registry_get_blob(struct registry_client *rc, const char *digest, registry_sink_fn sink,
		      void *ctx, int64_t *size_out, struct berr *err);

/* Small blobs (configs): into body, at most max bytes, digest verified. */
int registry_get_blob_mem(struct registry_client *rc, const char *digest, size_t max,
			  struct sbuf *body, struct berr *err);

/* GET /v2/<path>/tags/list: *tags_out is NULL-terminated (free each and
 * the array), in the registry's order. */
int registry_list_tags(struct registry_client *rc, char ***tags_out, struct berr *err);

#endif
