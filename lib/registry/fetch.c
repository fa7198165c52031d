/* fetch.c - a plain GET of a URL, streamed (import's URL source). */
#include "fetch.h"

#include <string.h>

#include "http.h"

struct fetch_ctx {
	fetch_sink_fn sink;
	void *ctx;
};

static int fetch_body(void *ctx, const struct http_resp *resp, const void *buf, size_t n, struct berr *err)
{
	struct fetch_ctx *fc = ctx;

	return fc->sink(fc->ctx, buf, n, err);
}

int registry_fetch_url(const char *url, fetch_sink_fn sink, void *ctx, struct berr *err)
{
	struct http_share sh;
	struct http_resp resp;
	struct fetch_ctx fc = { sink, ctx };
	struct http_req req = { 0 };
	int rc;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return berr_set(err, BERR_INVALID, "unsupported URL: %s", url);
	if (http_share_init(&sh, err) < 0)
		return -1;
	req.url = url;
	req.body = fetch_body;
	req.ctx = &fc;
	http_resp_init(&resp);
	rc = http_do(&sh, &req, &resp, err);
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = berr_set(err, resp.status == 404 ? BERR_NOT_FOUND : BERR_IO, "failed to GET %s with status %ld",
			      url, resp.status);
	http_resp_release(&resp);
	http_share_release(&sh);
	return rc;
}
