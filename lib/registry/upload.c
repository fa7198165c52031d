/*
 * upload.c - the requests of a push (upload.h): what docker's distribution
 * client sends, in the same order, so registries treat berth as docker:
 * HEAD blobs/<digest>; POST blobs/uploads/[?mount=&from=]; PATCH <location>
 * with the whole blob as one chunked stream; PUT <location>&digest=; PUT
 * manifests/<tag>.  The answers' errors read as docker words them
 * (http_status_error).
 */
#include "upload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTEMPTS 5
#define BACKOFF_FIRST_MS 200

/* A request body from memory (configs, manifests, empty final PUTs). */
struct mem_body {
	const char *p;
	size_t left;
};

static size_t mem_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct mem_body *m = ctx;
	size_t n = size * nitems < m->left ? size * nitems : m->left;

	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return n;
}

static void sleep_backoff(int attempt)
{
	long ms = BACKOFF_FIRST_MS << (attempt < 5 ? attempt - 1 : 4);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One request whose body can be sent again, retried on transient failures
 * (transport errors, 429 and 5xx).  0 with resp holding an answer in
 * ok_lo..ok_hi or 404 (when allow_404); otherwise -1 with the error. */
static int request(struct registry_client *rc, const char *method, const char *url, struct curl_slist *headers,
		   const void *body, size_t len, int allow_404, struct http_resp *resp, struct berr *err)
{
	const char *not_found = "blob unknown: blob unknown to registry";

	for (int attempt = 1;; attempt++) {
		struct http_req req = { 0 };
		struct http_upload up = { 0 };
		struct mem_body mb = { body, len };
		int r;

		req.url = url;
		req.headers = headers;
		if (!strcmp(method, "POST")) {
			req.post = "";
		} else {
			up.method = method;
			if (body || !strcmp(method, "PUT")) {
				up.read = mem_read;
				up.read_ctx = &mb;
				up.size = (int64_t)len;
			}
		}
		berr_clear(err);
		r = registry_request(rc, &req, &up, 1, resp, err);
		if (r == 0) {
			if (resp->status >= 200 && resp->status < 300)
				return 0;
			if (resp->status == 404 && allow_404)
				return 0;
			http_status_error(resp, not_found, err);
		}
		if (err->code != BERR_TEMPORARY || attempt >= ATTEMPTS)
			return -1;
		sleep_backoff(attempt);
	}
}

int upload_blob_exists(struct registry_client *rc, const char *digest, int64_t *size, struct berr *err)
{
	_cleanup_free_ char *url = xasprintf("/v2/%s/blobs/%s", registry_client_path(rc), digest);
	struct http_resp resp;
	int r;

	http_resp_init(&resp);
	r = request(rc, "HEAD", url, NULL, NULL, 0, 1, &resp, err);
	if (r == 0) {
		r = resp.status != 404;
		if (r && size)
			*size = resp.content_length;
	}
	http_resp_release(&resp);
	return r;
}

static char *take_location(struct http_resp *resp, struct berr *err)
{
	char *l = resp->location;

	if (!l || !*l) {
		berr_set(err, BERR_INVALID, "registry answered an upload without a Location");
		return NULL;
	}
	resp->location = NULL;
	return l;
}

int upload_start(struct registry_client *rc, const char *mount_digest, const char *from, char **location,
		 struct berr *err)
{
	_cleanup_free_ char *url = NULL;
	struct http_resp resp;
	int r;

	*location = NULL;
	if (mount_digest) {
		char *m = curl_easy_escape(NULL, mount_digest, 0), *f = curl_easy_escape(NULL, from, 0);

		if (!m || !f)
			abort();
		url = xasprintf("/v2/%s/blobs/uploads/?from=%s&mount=%s", registry_client_path(rc), f, m);
		curl_free(m);
		curl_free(f);
	} else {
		url = xasprintf("/v2/%s/blobs/uploads/", registry_client_path(rc));
	}
	http_resp_init(&resp);
	r = request(rc, "POST", url, NULL, NULL, 0, 0, &resp, err);
	if (r == 0) {
		if (resp.status == 201 && mount_digest)
			r = 1;
		else if (!(*location = take_location(&resp, err)))
			r = -1;
	}
	http_resp_release(&resp);
	return r;
}

int upload_patch(struct registry_client *rc, char **location, curl_read_callback read, void *ctx,
		 struct berr *err)
{
	struct curl_slist *h = NULL;
	struct http_req req = { 0 };
	struct http_upload up = { "PATCH", read, ctx, -1 };
	struct http_resp resp;
	int r;

	/* No "Expect: 100-continue" round trip: the registry takes the body. */
	http_header_add(&h, "Content-Type: application/octet-stream");
	http_header_add(&h, "Expect:");
	req.url = *location;
	req.headers = h;
	http_resp_init(&resp);
	r = registry_request(rc, &req, &up, 0, &resp, err);
	if (r == 0 && (resp.status < 200 || resp.status >= 300))
		r = http_status_error(&resp, "blob upload unknown: blob upload unknown to registry", err);
	if (r == 0) {
		char *l = take_location(&resp, err);

		if (!l) {
			r = -1;
		} else {
			free(*location);
			*location = l;
		}
	}
	curl_slist_free_all(h);
	http_resp_release(&resp);
	return r;
}

int upload_finish(struct registry_client *rc, const char *location, const char *digest, const void *body,
		  size_t len, struct berr *err)
{
	char *d = curl_easy_escape(NULL, digest, 0);
	_cleanup_free_ char *url = NULL;
	struct curl_slist *h = NULL;
	struct http_resp resp;
	int r;

	if (!d)
		abort();
	url = xasprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', d);
	curl_free(d);
	http_header_add(&h, "Content-Type: application/octet-stream");
	http_header_add(&h, "Expect:");
	http_resp_init(&resp);
	r = request(rc, "PUT", url, h, body ? body : "", len, 0, &resp, err);
	curl_slist_free_all(h);
	http_resp_release(&resp);
	return r;
}

int upload_blob_mem(struct registry_client *rc, const char *digest, const void *body, size_t len,
		    struct berr *err)
{
	char *loc = NULL;
	int r = upload_start(rc, NULL, NULL, &loc, err);

	if (r == 0)
		r = upload_finish(rc, loc, digest, body, len, err);
	free(loc);
	return r < 0 ? -1 : 0;
}

int upload_manifest(struct registry_client *rc, const char *tag, const char *media_type, const void *body,
		    size_t len, struct berr *err)
{
	_cleanup_free_ char *url = xasprintf("/v2/%s/manifests/%s", registry_client_path(rc), tag);
	struct curl_slist *h = NULL;
	struct http_resp resp;
	int r;

	http_header_add(&h, "Content-Type: %s", media_type);
	http_header_add(&h, "Expect:");
	http_resp_init(&resp);
	r = request(rc, "PUT", url, h, body, len, 0, &resp, err);
	curl_slist_free_all(h);
	http_resp_release(&resp);
	return r;
}
