/*
 * upload.h - the push side of the registry client (registry.h): blob
 * existence checks, upload sessions (start, cross-repository mount, a
 * streamed PATCH, the final PUT), and manifest upload.  One request each;
 * HEAD, POST and PUT of small bodies retry transient failures themselves,
 * a streamed PATCH cannot (its body is gone) and leaves retrying the whole
 * blob to the caller.
 */
#ifndef BERTH_REGISTRY_UPLOAD_H
#define BERTH_REGISTRY_UPLOAD_H

#include <stdint.h>

#include "http.h"
#include "registry.h"

/* In client.c, where the endpoint and auth state live. */
/* Token scope "repository:<path>:push,pull" from now on. */
void registry_client_want_push(struct registry_client *rc);
/* One request to the registry itself (never a mirror): req->url is
 * "/v2/..." or an absolute URL (an upload Location).  Adds the client's
 * Authorization; on a 401 gets new credentials and, when the body can be
 * sent again (replayable), repeats once.  0 when an answer arrived, any
 * status (see resp). */
int registry_request(struct registry_client *rc, const struct http_req *req, const struct http_upload *up,
		     int replayable, struct http_resp *resp, struct berr *err);
/* "library/busybox" (borrowed). */
const char *registry_client_path(const struct registry_client *rc);

/* HEAD /v2/<path>/blobs/<digest>: 1 present (*size from Content-Length),
 * 0 absent, -1 on error. */
int upload_blob_exists(struct registry_client *rc, const char *digest, int64_t *size, struct berr *err);

/* POST /v2/<path>/blobs/uploads/, with ?mount=<digest>&from=<repo path>
 * when mount_digest is set.  Returns 1 when the registry mounted the blob,
 * 0 when it opened an upload session instead (*location, free()). */
int upload_start(struct registry_client *rc, const char *mount_digest, const char *from, char **location,
		 struct berr *err);

/* PATCH the session with a body streamed through read(ctx) until it
 * returns 0 (chunked); *location becomes the session's next URL. */
int upload_patch(struct registry_client *rc, char **location, curl_read_callback read, void *ctx,
		 struct berr *err);

/* PUT <location>&digest=<digest> with an optional last chunk: closes the
 * session; the registry verifies the digest. */
int upload_finish(struct registry_client *rc, const char *location, const char *digest, const void *body,
		  size_t len, struct berr *err);

/* A small blob (a config) in one session: POST, then PUT with the body. */
int upload_blob_mem(struct registry_client *rc, const char *digest, const void *body, size_t len,
		    struct berr *err);

/* PUT /v2/<path>/manifests/<tag> with Content-Type media_type. */
int upload_manifest(struct registry_client *rc, const char *tag, const char *media_type, const void *body,
		    size_t len, struct berr *err);

#endif
