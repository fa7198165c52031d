/*
 * search.c - Docker 20.10's image search, the daemon's half
 * (daemon/images/image_search.go, registry/service.go, registry/session.go):
 * filters checked before anything is asked, the index named by the term's
 * first component (Docker Hub's index otherwise), a /v1/_ping of a private
 * index (HTTPS, then HTTP when insecure), the limit check, and
 * GET /v1/search?q=&n= with X-Docker-Token and the stored credentials.
 *
 * Registries implementing only the distribution API answer that 404; for
 * them berth lists /v2/_catalog (following Link pages) and keeps the
 * repositories whose name contains the term, as podman does, rather than
 * failing as docker does ("Unexpected status code 404").
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <berth/berth.h>

#include "../credentials/dockercfg.h"
#include "../hub.h"
#include "account.h"
#include "auth.h"
#include "http.h"

#define SEARCH_BODY_MAX (8 << 20)
#define CATALOG_PAGE 100
#define CATALOG_PAGES_MAX 1000   /* 100k repositories: beyond that a loop */

struct filters {
	int has_automated, automated;
	int has_official, official;
	int has_stars;
	long long stars;
};

/* splitReposSearchTerm: a first component without '.' or ':' that is not
 * "localhost" is a Docker Hub name. */
static void split_term(const char *term, char **index, const char **remote)
{
	const char *slash = strchr(term, '/');
	size_t n = slash ? (size_t)(slash - term) : 0;

	if (!slash || (!memchr(term, '.', n) && !memchr(term, ':', n) && !(n == 9 && !strncmp(term, "localhost", 9)))) {
		*index = xstrdup(HUB_DOMAIN);
		*remote = term;
		return;
	}
	_cleanup_free_ char *name = xstrndup(term, n);
	*index = xstrdup(hub_index_name(name));
	*remote = slash + 1;
}

int berth_registry_search_check_term(const char *term, struct berr *err)
{
	_cleanup_free_ char *index = NULL;
	const char *remote;
	size_t n;

	split_term(term, &index, &remote);
	n = strlen(index);
	if (n && (index[0] == '-' || index[n - 1] == '-'))
		return berr_set(err, BERR_INVALID, "invalid index name (%s). Cannot begin or end with a hyphen", index);
	return 0;
}

/* filters.Args.Get as Go's %s prints it: "[a b]" (a set; sorted here,
 * where Go's map order is random). */
static void value_list(const char *const *filters, const char *key, struct sbuf *out)
{
	const char *vals[64];
	size_t n = 0, klen = strlen(key);

	for (size_t i = 0; filters[i] && n < 64; i++) {
		if (strncmp(filters[i], key, klen) || filters[i][klen] != '=')
			continue;
		size_t k;
		for (k = 0; k < n && strcmp(vals[k], filters[i] + klen + 1); k++)
			;
		if (k == n)
			vals[n++] = filters[i] + klen + 1;
	}
	qsort(vals, n, sizeof(*vals), str_ptr_cmp);
	sbuf_addch(out, '[');
	for (size_t i = 0; i < n; i++)
		sbuf_addf(out, "%s%s", i ? " " : "", vals[i]);
	sbuf_addch(out, ']');
}

/* UniqueExactMatch for "true"/"false": 1/0, or -1 (err set). */
static int bool_filter(const char *const *filters, const char *key, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf list = SBUF_INIT;

	value_list(filters, key, &list);
	if (!strcmp(sbuf_str(&list), "[true]"))
		return 1;
	if (!strcmp(sbuf_str(&list), "[false]"))
		return 0;
	return berr_set(err, BERR_INVALID, "Invalid filter '%s=%s'", key, sbuf_str(&list));
}

/* strconv.Atoi: an optional sign and decimal digits, nothing else. */
static int go_atoi(const char *s, long long *out)
{
	const char *p = s;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	*out = strtoll(s, &end, 10);
	return 0;
}

static int parse_filters(const char *const *filters, struct filters *f, struct berr *err)
{
	static const char *const known[] = { "is-automated", "is-official", "stars" };

	memset(f, 0, sizeof(*f));
	if (!filters)
		return 0;
	for (size_t i = 0; filters[i]; i++) {
		const char *eq = strchr(filters[i], '=');
		size_t klen = eq ? (size_t)(eq - filters[i]) : strlen(filters[i]), k;

		for (k = 0; k < 3; k++)
			if (strlen(known[k]) == klen && !strncmp(known[k], filters[i], klen))
				break;
		if (k == 3)
			return berr_set(err, BERR_INVALID, "Invalid filter '%.*s'", (int)klen, filters[i]);
		if (k == 0)
			f->has_automated = 1;
		else if (k == 1)
			f->has_official = 1;
		else
			f->has_stars = 1;
	}
	if (f->has_automated && (f->automated = bool_filter(filters, "is-automated", err)) < 0)
		return -1;
	if (f->has_official && (f->official = bool_filter(filters, "is-official", err)) < 0)
		return -1;
	for (size_t i = 0; f->has_stars && filters[i]; i++) {
		long long v;

		if (strncmp(filters[i], "stars=", 6))
			continue;
		if (go_atoi(filters[i] + 6, &v) < 0)
			return berr_set(err, BERR_INVALID, "Invalid filter 'stars=%s'", filters[i] + 6);
		if (v > f->stars)
			f->stars = v;
	}
	return 0;
}

/* url.QueryEscape */
static void query_escape(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			sbuf_addch(out, (char)c);
		else if (c == ' ')
			sbuf_addch(out, '+');
		else
			sbuf_addf(out, "%%%02X", c);
	}
}

struct search_ctx {
	const struct berth_config *cfg;
	struct http_share http;
	char *base;          /* the chosen endpoint */
	int tls_noverify;
	char *host;          /* host[:port] of the index */
	char *cred_key;      /* the config.json key of its credentials */
	char *user, *pass;
	char *authz;         /* for /v2/_catalog */
};

static int get(struct search_ctx *s, const char *url, const char *authz, int docker_token, struct sbuf *body,
	       struct http_resp *resp, struct berr *err)
{
	struct http_mem mem = { body, SEARCH_BODY_MAX, "search response" };
	struct http_req req = { .url = url, .body = http_mem_body, .ctx = &mem, .tls_noverify = s->tls_noverify };
	int rc;

	sbuf_reset(body);
	if (docker_token)
		http_header_add(&req.headers, "X-Docker-Token: true");
	if (authz)
		http_header_add(&req.headers, "Authorization: %s", authz);
	rc = http_do(&s->http, &req, resp, err);
	curl_slist_free_all(req.headers);
	return rc;
}

/* validateEndpoint: any HTTP answer to /v1/_ping will do. */
static int ping_index(struct search_ctx *s, struct berr *err)
{
	struct account_endpoint eps[2];
	size_t n = account_endpoints(s->cfg, s->host, eps);
	struct berr errs[2] = { BERR_INIT, BERR_INIT };
	_cleanup_sbuf_ struct sbuf body = SBUF_INIT;
	struct http_resp resp;
	int rc = -1;

	http_resp_init(&resp);
	for (size_t i = 0; i < n && rc < 0; i++) {
		_cleanup_free_ char *url = xasprintf("%s/v1/_ping", eps[i].base);

		s->tls_noverify = eps[i].tls_noverify;
		if (get(s, url, NULL, 0, &body, &resp, &errs[i]) == 0) {
			rc = 0;
			s->base = xstrdup(eps[i].base);
		}
	}
	if (rc < 0 && n == 1)
		berr_set(err, BERR_TEMPORARY,
			 "invalid registry endpoint %s/v1/: %s. If this private registry supports only HTTP or HTTPS "
			 "with an unknown CA certificate, please add `--insecure-registry %s` to the daemon's arguments. "
			 "In the case of HTTPS, if you have access to the registry's CA certificate, no need for the "
			 "flag; simply place the CA certificate at /etc/docker/certs.d/%s/ca.crt",
			 eps[0].base, errs[0].msg, s->host, s->host);
	else if (rc < 0)
		berr_set(err, BERR_TEMPORARY, "invalid registry endpoint \"%s/v1/\". HTTPS attempt: %s. HTTP attempt: %s",
			 eps[1].base, errs[0].msg, errs[1].msg);
	http_resp_release(&resp);
	account_endpoints_release(eps, n);
	return rc;
}

static int add_result(json_t *r, struct berth_registry_search_result **v, size_t *n)
{
	const char *name = json_string_value(json_object_get(r, "name"));
	const char *desc = json_string_value(json_object_get(r, "description"));
	json_t *stars = json_object_get(r, "star_count");

	if (!json_is_object(r) || (stars && !json_is_integer(stars) && !json_is_null(stars)))
		return -1;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = xstrdup(name ? name : "");
	(*v)[*n].description = xstrdup(desc ? desc : "");
	(*v)[*n].star_count = json_integer_value(stars);
	(*v)[*n].is_official = json_is_true(json_object_get(r, "is_official"));
	(*v)[*n].is_automated = json_is_true(json_object_get(r, "is_automated"));
	(*n)++;
	return 0;
}

static int decode_results(const struct sbuf *body, struct berth_registry_search_result **v, size_t *n, struct berr *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(sbuf_str(body), body->len, 0, &jerr), *results, *r;
	size_t i;

	if (!root || !json_is_object(root)) {
		json_decref(root);
		return berr_set(err, BERR_INVALID, "error decoding registry search results: %s",
				root ? "not a JSON object" : jerr.text);
	}
	results = json_object_get(root, "results");
	json_array_foreach(results, i, r) {
		if (add_result(r, v, n) < 0) {
			json_decref(root);
			return berr_set(err, BERR_INVALID, "error decoding registry search results: invalid result");
		}
	}
	json_decref(root);
	return 0;
}

/* ---- the /v2/_catalog fallback ---- */

/* After a 401: Basic with the stored credentials, or a catalog token. */
static int catalog_auth(struct search_ctx *s, const struct http_resp *resp, struct berr *err)
{
	struct auth_challenge c;
	int rc = 0;

	if (auth_parse_challenge(resp->www_auth, &c) < 0)
		return http_status_error(resp, "not found", err);
	if (c.scheme == AUTH_BASIC) {
		if (!s->user || !s->pass)
			rc = berr_set(err, BERR_AUTH, "unauthorized: authentication required");
		else
			s->authz = auth_basic_header(s->user, s->pass);
	} else {
		rc = auth_fetch_token(&s->http, &c, "registry:catalog:*", s->user, s->pass, &s->authz, err);
	}
	auth_challenge_release(&c);
	return rc;
}

/* The next page from a Link header: `</v2/_catalog?last=x&n=100>; rel="next"`,
 * relative or absolute; NULL at the end. */
static char *next_page(const struct search_ctx *s, const char *link)
{
	const char *lt, *gt;

	if (!link || !strstr(link, "rel=\"next\"") || !(lt = strchr(link, '<')) || !(gt = strchr(lt, '>')))
		return NULL;
	lt++;
	if (lt[0] == '/')
		return xasprintf("%s%.*s", s->base, (int)(gt - lt), lt);
	/* Absolute: only on the same registry (credentials go with it). */
	if (strncmp(lt, s->base, strlen(s->base)) || lt[strlen(s->base)] != '/')
		return NULL;
	return xstrndup(lt, (size_t)(gt - lt));
}

static int catalog_search(struct search_ctx *s, const char *term, int limit, struct berth_registry_search_result **v,
			  size_t *n, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf body = SBUF_INIT;
	char *url = xasprintf("%s/v2/_catalog?n=%d", s->base, CATALOG_PAGE);
	struct http_resp resp;
	int rc = 0, reauthed = 0;

	http_resp_init(&resp);
	for (int page = 0; url && page < CATALOG_PAGES_MAX && (int)*n < limit;) {
		json_t *root, *repos, *r;
		size_t i;

		if (get(s, url, s->authz, 0, &body, &resp, err) < 0) {
			rc = -1;
			break;
		}
		if (resp.status == 401 && !reauthed) {
			reauthed = 1;
			if (catalog_auth(s, &resp, err) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (resp.status != 200) {
			rc = http_status_error(&resp, "not found", err);
			break;
		}
		root = json_loadb(sbuf_str(&body), body.len, 0, NULL);
		repos = json_object_get(root, "repositories");
		if (!json_is_array(repos)) {
			json_decref(root);
			rc = berr_set(err, BERR_INVALID, "error decoding registry catalog");
			break;
		}
		json_array_foreach(repos, i, r) {
			const char *name = json_string_value(r);
			json_t *res;

			if (!name || !strstr(name, term) || (int)*n >= limit)
				continue;
			res = json_object();
			json_object_set_new(res, "name", json_sprintf("%s/%s", s->host, name));
			add_result(res, v, n);
			json_decref(res);
			/* An exact match goes first, as in podman. */
			if (!strcmp(name, term) && *n > 1) {
				struct berth_registry_search_result t = (*v)[*n - 1];

				memmove(*v + 1, *v, (*n - 1) * sizeof(**v));
				(*v)[0] = t;
			}
		}
		free(url);
		url = json_array_size(repos) ? next_page(s, resp.link) : NULL;
		json_decref(root);
		page++;
	}
	free(url);
	http_resp_release(&resp);
	return rc;
}

/* ---- the search ---- */

static int v1_search(struct search_ctx *s, const char *term, int limit, struct berth_registry_search_result **v, size_t *n,
		     struct berr *err)
{
	_cleanup_sbuf_ struct sbuf url = SBUF_INIT, body = SBUF_INIT;
	_cleanup_free_ char *basic = NULL;
	struct http_resp resp;
	int rc;

	sbuf_addf(&url, "%s/v1/search?q=", s->base);
	query_escape(&url, term);
	sbuf_addf(&url, "&n=%d", limit);
	/* The v1 session sends Basic credentials along with X-Docker-Token. */
	if (s->user && s->pass && strcmp(s->user, "<token>"))
		basic = auth_basic_header(s->user, s->pass);
	http_resp_init(&resp);
	rc = get(s, url.buf, basic, 1, &body, &resp, err);
	if (rc == 0 && resp.status == 404) {
		http_resp_release(&resp);
		return catalog_search(s, term, limit, v, n, err);
	}
	if (rc == 0 && resp.status != 200)
		rc = berr_set(err, http_status_retryable(resp.status) ? BERR_TEMPORARY : BERR_INVALID,
			      "Unexpected status code %ld", resp.status);
	http_resp_release(&resp);
	if (rc < 0)
		return -1;
	return decode_results(&body, v, n, err);
}

static int keep(const struct filters *f, const struct berth_registry_search_result *r)
{
	return (!f->has_automated || f->automated == r->is_automated) &&
	       (!f->has_official || f->official == r->is_official) && (!f->has_stars || r->star_count >= f->stars);
}

/* Stars descending; stable (Go's sort.Slice is an insertion sort for the
 * usual 12 results or fewer, so stable there too). */
static void sort_by_stars(struct berth_registry_search_result *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct berth_registry_search_result t = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1].star_count < t.star_count; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

static void search_ctx_release(struct search_ctx *s)
{
	http_share_release(&s->http);
	free(s->base);
	free(s->host);
	free(s->cred_key);
	free(s->user);
	free(s->pass);
	free(s->authz);
}

int berth_registry_search(const char *config_path, const char *term, const struct berth_registry_search_opts *opts,
		 struct berth_registry_search_result **out, size_t *n_out, struct berr *err)
{
	struct berth_config cfg;
	struct search_ctx s = { .cfg = &cfg };
	struct filters f;
	struct berth_registry_search_result *v = NULL;
	_cleanup_free_ char *index = NULL;
	const char *remote;
	size_t n = 0, k = 0;
	int rc = -1;

	*out = NULL;
	*n_out = 0;
	if (parse_filters(opts->filters, &f, err) < 0)
		return -1;
	if (strstr(term, "://"))
		return berr_set(err, BERR_INVALID, "Invalid repository name (ex: \"registry.domain.tld/myrepos\")");
	if (berth_registry_search_check_term(term, err) < 0)
		return -1;
	split_term(term, &index, &remote);
	if (config_load(&cfg, config_path, err) < 0)
		return -1;
	if (http_share_init(&s.http, err) < 0) {
		config_release(&cfg);
		return -1;
	}
	if (!strcmp(index, HUB_DOMAIN)) {
		/* Official index: "library/x" is searched as "x", and docker
		 * never pings it. */
		if (!strncmp(remote, "library/", 8))
			remote += 8;
		s.cred_key = xstrdup(HUB_INDEX_SERVER);
		if (hub_host_override()) {
			s.host = xstrdup(hub_host_override());
			if (ping_index(&s, err) < 0)
				goto out;
		} else {
			s.host = xstrdup(HUB_INDEX_HOST);
			s.base = xstrdup("https://" HUB_INDEX_HOST);
		}
	} else {
		s.host = xstrdup(index);
		s.cred_key = xstrdup(index);
		if (ping_index(&s, err) < 0)
			goto out;
	}
	if (opts->limit < 1 || opts->limit > 100) {
		berr_set(err, BERR_INVALID, "Limit %d is outside the range of [1, 100]", opts->limit);
		goto out;
	}
	dockercfg_get_auth(s.cred_key, &s.user, &s.pass, NULL);
	if (v1_search(&s, remote, opts->limit, &v, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (keep(&f, &v[i])) {
			v[k++] = v[i];
		} else {
			free(v[i].name);
			free(v[i].description);
		}
	}
	sort_by_stars(v, k);
	*out = v;
	*n_out = k;
	v = NULL;
	n = 0;
	rc = 0;
out:
	berth_registry_search_results_free(v, n);
	search_ctx_release(&s);
	config_release(&cfg);
	return rc;
}

void berth_registry_search_results_free(struct berth_registry_search_result *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].description);
	}
	free(v);
}
