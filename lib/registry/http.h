/*
 * http.h - the libcurl layer under the registry client: a per-client share
 * handle (connections, DNS, TLS sessions) usable from many threads, one easy
 * handle per request, response header capture, bounded error bodies, and the
 * mapping of HTTP answers to docker-like error messages.
 */
#ifndef BERTH_REGISTRY_HTTP_H
#define BERTH_REGISTRY_HTTP_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>

#include "../util/err.h"
#include "../util/sbuf.h"

/* Error bodies are only read for their message; anything larger is junk. */
#define HTTP_ERRBODY_MAX (64 << 10)

struct http_share {
	CURLSH *sh;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

int http_share_init(struct http_share *s, struct berr *err);
void http_share_release(struct http_share *s);

/* The headers of the final answer (after redirects) and, for non-2xx
 * answers, the start of its body. */
struct http_resp {
	long status;
	int64_t content_length;   /* -1 when absent */
	char *content_type;
	char *www_auth;           /* the first WWW-Authenticate */
	char *content_range;
	char *location;           /* upload sessions (push) */
	char *docker_digest;      /* Docker-Content-Digest */
	char *link;               /* Link (catalog pages, search.c) */
	struct sbuf errbody;
};

void http_resp_init(struct http_resp *r);
void http_resp_release(struct http_resp *r);

/* Receives the body of a 2xx answer as it arrives; returning -1 (with err
 * set) aborts the transfer. */
typedef int (*http_body_fn)(void *ctx, const struct http_resp *resp, const void *buf, size_t n,
			    struct berr *err);

struct http_req {
	const char *url;
	struct curl_slist *headers;   /* borrowed */
	const char *post;             /* non-NULL: POST this form body */
	http_body_fn body;            /* NULL: discard 2xx bodies */
	void *ctx;
	/* The HTTPS attempt at an insecure registry (login, search): no
	 * certificate check, as docker skips it for such hosts. */
	int tls_noverify;
};

/* Performs one request.  Returns 0 when an HTTP answer arrived, whatever its
 * status (see resp).  Returns -1 when the body callback aborted (its error is
 * kept) or the transport failed: then err->code is BERR_TEMPORARY when a
 * retry may help (connection refused or reset, body cut short, timeout). */
int http_do(struct http_share *s, const struct http_req *req, struct http_resp *resp,
	    struct berr *err);

/* What push (upload.c) adds to a request: another method ("HEAD", "PUT",
 * "PATCH"; a POST is req->post ""), and a body read through read(read_ctx),
 * of size bytes or, with -1, a chunked stream. */
struct http_upload {
	const char *method;
	curl_read_callback read;
	void *read_ctx;
	int64_t size;
};
/* http_do with push's method and body; up may be NULL. */
int http_do_ex(struct http_share *s, const struct http_req *req, const struct http_upload *up,
	       struct http_resp *resp, struct berr *err);

/* A body callback collecting into an sbuf of at most max bytes. */
struct http_mem {
	struct sbuf *sb;
	size_t max;
	const char *what;   /* for "<what> too large" */
};
int http_mem_body(void *ctx, const struct http_resp *resp, const void *buf, size_t n,
		  struct berr *err);

/* Sets err from a non-2xx answer the way docker words it: the registry's
 * {"errors":[{"code","message"}]} as "code words: message", else a default
 * for the status; not_found is the text used for a 404 without a body.
 * Codes: 401/403 BERR_AUTH, 404 BERR_NOT_FOUND, 429/5xx BERR_TEMPORARY. */
int http_status_error(const struct http_resp *r, const char *not_found, struct berr *err);

static inline int http_status_retryable(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/* 1 when docker's certs.d ($BERTH_CERTS_D) has a directory for
 * host[:port]: the user set up TLS for it, so it is reached over HTTPS
 * even when it would be insecure (loopback). */
int http_host_has_certs(const char *hostport);

/* curl_slist_append that aborts on OOM, with printf formatting. */
void http_header_add(struct curl_slist **list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
