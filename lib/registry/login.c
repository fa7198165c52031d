/*
 * login.c - checking credentials against a registry as dockerd's /auth
 * does for `docker login` (registry/auth.go loginV2): GET /v2/ without
 * credentials to learn the challenge, then Basic credentials or a token
 * fetched from the Bearer realm with them, and a final GET /v2/ that must
 * answer 200.  Also the endpoint list of account.h.
 */
#include <stdlib.h>
#include <string.h>

#include <berth/berth.h>

#include "../hub.h"
#include "account.h"
#include "auth.h"
#include "http.h"

size_t account_endpoints(const struct berth_config *cfg, const char *host, struct account_endpoint out[2])
{
	if (!config_is_insecure(cfg, host) || http_host_has_certs(host)) {
		out[0].base = xasprintf("https://%s", host);
		out[0].tls_noverify = 0;
		return 1;
	}
	out[0].base = xasprintf("https://%s", host);
	out[0].tls_noverify = 1;
	out[1].base = xasprintf("http://%s", host);
	out[1].tls_noverify = 0;
	return 2;
}

void account_endpoints_release(struct account_endpoint *eps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(eps[i].base);
}

const char *account_status_text(long status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

static int get_v2(struct http_share *s, const struct account_endpoint *ep, const char *url, const char *authz,
		  struct http_resp *resp, struct berr *err)
{
	struct http_req req = { .url = url, .tls_noverify = ep->tls_noverify };
	int rc;

	if (authz)
		http_header_add(&req.headers, "Authorization: %s", authz);
	rc = http_do(s, &req, resp, err);
	curl_slist_free_all(req.headers);
	return rc;
}

static int attempt_failed(const char *url, long status, struct berr *err)
{
	/* A plain error in dockerd, not errdefs.Unauthorized: the CLI
	 * does not call it "invalid or expired". */
	return berr_set(err, BERR_INVALID, "login attempt to %s failed with status: %ld %s", url, status, account_status_text(status));
}

/* One endpoint.  *fallback: the transport failed before any answer, so
 * dockerd would try the next endpoint. */
static int login_endpoint(struct http_share *s, const struct account_endpoint *ep, const char *user,
			  const char *pass, int *fallback, struct berr *err)
{
	_cleanup_free_ char *url = xasprintf("%s/v2/", ep->base);
	_cleanup_free_ char *authz = NULL;
	struct auth_challenge c;
	struct http_resp resp;
	int rc = -1;

	*fallback = 0;
	http_resp_init(&resp);
	if (get_v2(s, ep, url, NULL, &resp, err) < 0) {
		*fallback = 1;
		goto out;
	}
	if (resp.status == 200) {
		rc = 0;
		goto out;
	}
	if (resp.status != 401 || auth_parse_challenge(resp.www_auth, &c) < 0) {
		rc = attempt_failed(url, resp.status, err);
		goto out;
	}
	if (c.scheme == AUTH_BASIC) {
		authz = auth_basic_header(user, pass);
	} else if (auth_fetch_token(s, &c, NULL, user, pass, &authz, err) < 0) {
		/* net/http's url.Error around the token handler's error. */
		berr_wrap(err, "Get \"%s\"", url);
		auth_challenge_release(&c);
		goto out;
	}
	auth_challenge_release(&c);
	if (get_v2(s, ep, url, authz, &resp, err) < 0)
		goto out;
	rc = resp.status == 200 ? 0 : attempt_failed(url, resp.status, err);
out:
	http_resp_release(&resp);
	return rc;
}

int berth_registry_login_check(const char *config_path, const char *key, const char *user, const char *pass,
		      struct berr *err)
{
	struct berth_config cfg;
	struct http_share share;
	struct account_endpoint eps[2];
	_cleanup_free_ char *host = berth_registry_hostname(key);
	size_t n;
	int rc = -1, fallback;

	if (config_load(&cfg, config_path, err) < 0)
		return -1;
	if (http_share_init(&share, err) < 0) {
		config_release(&cfg);
		return -1;
	}
	n = account_endpoints(&cfg, hub_is_registry(host) ? hub_registry_host() : host, eps);
	for (size_t i = 0; i < n; i++) {
		berr_clear(err);
		rc = login_endpoint(&share, &eps[i], user, pass, &fallback, err);
		if (rc == 0 || !fallback)
			break;
	}
	account_endpoints_release(eps, n);
	http_share_release(&share);
	config_release(&cfg);
	return rc;
}
