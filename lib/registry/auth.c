/*
 * auth.c - WWW-Authenticate parsing (RFC 7235 challenges with quoted or
 * token parameter values) and the token fetch of the distribution token
 * auth flow: GET realm?service=...&scope=... with Basic credentials, or the
 * OAuth2 refresh-token POST docker uses for identity tokens.  See auth.h.
 */
#include "auth.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "util/base64.h"

/* A token answer is a few KiB; anything huge is not one. */
#define TOKEN_BODY_MAX (1 << 20)
#define TOKEN_ATTEMPTS 3

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

static int is_token_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr(",=\"", c);
}

/* A quoted-string with backslash escapes or a bare token; *p advances. */
static char *parse_value(const char **p)
{
	const char *s = *p;
	struct sbuf sb = SBUF_INIT;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			sbuf_addch(&sb, *s);
		}
		if (*s == '"')
			s++;
	} else {
		while (is_token_char(*s) || *s == '=')
			sbuf_addch(&sb, *s++);
	}
	*p = s;
	return sbuf_detach(&sb, NULL);
}

static void set_param(struct auth_challenge *c, const char *name, size_t nlen, char *value)
{
	char **slot = NULL;

	if (nlen == 5 && !strncasecmp(name, "realm", 5))
		slot = &c->realm;
	else if (nlen == 7 && !strncasecmp(name, "service", 7))
		slot = &c->service;
	else if (nlen == 5 && !strncasecmp(name, "scope", 5))
		slot = &c->scope;
	if (slot && !*slot)
		*slot = value;
	else
		free(value);
}

/* name=value pairs until the end or the next challenge's scheme (a token
 * not followed by '='). */
static void parse_params(const char *p, struct auth_challenge *c)
{
	for (;;) {
		const char *name, *q;
		size_t nlen;

		p = skip_ws(p);
		name = p;
		while (is_token_char(*p))
			p++;
		nlen = (size_t)(p - name);
		q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!nlen || *q != '=')
			return;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		set_param(c, name, nlen, parse_value(&q));
		p = q;
	}
}

int auth_parse_challenge(const char *hdr, struct auth_challenge *c)
{
	const char *p = hdr ? skip_ws(hdr) : "";
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	while (is_token_char(p[n]))
		n++;
	if (n == 5 && !strncasecmp(p, "Basic", 5))
		c->scheme = AUTH_BASIC;
	else if (n == 6 && !strncasecmp(p, "Bearer", 6))
		c->scheme = AUTH_BEARER;
	else
		return -1;
	parse_params(p + n, c);
	if (c->scheme == AUTH_BEARER && (!c->realm || !*c->realm)) {
		auth_challenge_release(c);
		return -1;
	}
	return 0;
}

void auth_challenge_release(struct auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

char *auth_basic_header(const char *user, const char *pass)
{
	_cleanup_free_ char *raw = xasprintf("%s:%s", user, pass);
	struct sbuf out = SBUF_INIT;

	sbuf_addstr(&out, "Basic ");
	base64_encode(&out, raw, strlen(raw));
	return sbuf_detach(&out, NULL);
}

static void add_query(struct sbuf *url, const char *name, const char *value, int *first)
{
	char *esc;

	if (!value || !*value)
		return;
	esc = curl_easy_escape(NULL, value, 0);
	if (!esc)
		abort();
	sbuf_addf(url, "%c%s=%s", *first ? (strchr(sbuf_str(url), '?') ? '&' : '?') : '&', name, esc);
	*first = 0;
	curl_free(esc);
}

static void add_form(struct sbuf *form, const char *name, const char *value)
{
	char *esc = curl_easy_escape(NULL, value ? value : "", 0);

	if (!esc)
		abort();
	sbuf_addf(form, "%s%s=%s", form->len ? "&" : "", name, esc);
	curl_free(esc);
}

static int token_from_json(const struct sbuf *body, char **authz, struct berr *err)
{
	json_t *root = json_loadb(sbuf_str(body), body->len, 0, NULL);
	const char *t;

	if (!root)
		return berr_set(err, BERR_AUTH, "unable to decode token response");
	t = json_string_value(json_object_get(root, "token"));
	if (!t || !*t)
		t = json_string_value(json_object_get(root, "access_token"));
	if (!t || !*t) {
		json_decref(root);
		return berr_set(err, BERR_AUTH, "authorization server did not include a token in the response");
	}
	*authz = xasprintf("Bearer %s", t);
	json_decref(root);
	return 0;
}

static int token_status_error(const struct http_resp *r, int had_creds, struct berr *err)
{
	if ((r->status == 401 || r->status == 403) && r->errbody.len == 0)
		return berr_set(err, BERR_AUTH, "unauthorized: %s",
				had_creds ? "incorrect username or password" : "authentication required");
	return http_status_error(r, "token endpoint not found", err);
}

/* One token request, retried on transient failures. */
static int token_request(struct http_share *s, struct http_req *req, struct sbuf *body,
			 int had_creds, struct berr *err)
{
	struct http_resp resp;
	int rc = -1;

	http_resp_init(&resp);
	for (int attempt = 1; attempt <= TOKEN_ATTEMPTS; attempt++) {
		sbuf_reset(body);
		berr_clear(err);
		rc = http_do(s, req, &resp, err);
		if (rc == 0 && resp.status >= 200 && resp.status < 300)
			break;
		if (rc == 0)
			rc = token_status_error(&resp, had_creds, err);
		if (err->code != BERR_TEMPORARY)
			break;
	}
	http_resp_release(&resp);
	return rc;
}

int auth_fetch_token(struct http_share *s, const struct auth_challenge *c, const char *scope,
		     const char *user, const char *pass, char **authz, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf url = SBUF_INIT, form = SBUF_INIT, body = SBUF_INIT;
	struct http_mem mem = { &body, TOKEN_BODY_MAX, "token response" };
	struct http_req req = { .body = http_mem_body, .ctx = &mem };
	int refresh = user && pass && !strcmp(user, "<token>");
	int first = 1, rc;

	sbuf_addstr(&url, c->realm);
	if (refresh) {
		add_form(&form, "grant_type", "refresh_token");
		add_form(&form, "refresh_token", pass);
		add_form(&form, "service", c->service);
		add_form(&form, "scope", scope);
		add_form(&form, "client_id", "berth");
		req.post = form.buf;
	} else {
		add_query(&url, "service", c->service, &first);
		add_query(&url, "scope", scope, &first);
		if (user && pass) {
			_cleanup_free_ char *basic = auth_basic_header(user, pass);

			http_header_add(&req.headers, "Authorization: %s", basic);
		}
	}
	req.url = url.buf;
	rc = token_request(s, &req, &body, user && pass, err);
	curl_slist_free_all(req.headers);
	if (rc == 0)
		rc = token_from_json(&body, authz, err);
	/* Auth failures read like docker's ("unauthorized: ..."); others
	 * need to say which server failed. */
	if (rc < 0 && err->code != BERR_AUTH)
		return berr_wrap(err, "failed to fetch token from %s", c->realm);
	return rc;
}
