/*
 * client.c - the registry client of registry.h: endpoint choice (Docker Hub
 * mirrors first), the lazy /v2/ ping that discovers the auth scheme, the
 * retry loop shared by manifest and blob requests (backoff on transient
 * failures, one re-authentication on a 401), and blob resume with Range.
 */
#include "registry.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../credentials/dockercfg.h"
#include "../hub.h"
#include "../io/digest.h"
#include "auth.h"
#include "http.h"
#include "upload.h"

#define ATTEMPTS 5               /* failures in a row without progress */
#define ATTEMPTS_TOTAL 50        /* even with progress: a server feeding bytes one by one */
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 3200

static const char manifest_accept[] =
	"Accept: application/vnd.docker.distribution.manifest.v2+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.oci.image.index.v1+json";

struct endpoint {
	char *base;        /* "scheme://host[:port]", no trailing slash */
	char *cred_host;   /* the config.json key to look credentials up by */
	int mirror;
	pthread_mutex_t mu;  /* guards everything below */
	int pinged;
	int dead;          /* a mirror that failed its ping: skipped from then on */
	char *authz;       /* Authorization value, or NULL */
	unsigned gen;      /* bumped whenever authz changes */
};

struct registry_client {
	const struct berth_config *cfg;
	char *path;
	char *scope;       /* "repository:<path>:pull" */
	struct http_share http;
	struct endpoint *eps;
	size_t n_eps;
};

/* What a request does with its answer; shared by manifests and blobs. */
struct op {
	const char *kind;        /* "manifests" or "blobs" */
	const char *ref;
	const char *accept;      /* full header line or NULL */
	const char *not_found;   /* text for a 404 without a JSON body */
	http_body_fn body;
	void *ctx;
	/* Before each attempt: reset state, add headers (Range). */
	void (*begin)(void *ctx, struct curl_slist **headers);
	/* After a 2xx answer; a BERR_TEMPORARY error retries. */
	int (*done)(void *ctx, const struct http_resp *resp, struct berr *err);
	uint64_t (*progress)(void *ctx);
	/* Non-zero when the failure must not be retried elsewhere. */
	int (*fatal)(void *ctx);
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void backoff(int failures)
{
	long ms = BACKOFF_FIRST_MS;

	for (int i = 1; i < failures && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	sleep_ms(ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS);
}

static void endpoint_init(struct endpoint *ep, char *base, const char *cred_host, int mirror)
{
	memset(ep, 0, sizeof(*ep));
	ep->base = base;
	ep->cred_host = xstrdup(cred_host);
	ep->mirror = mirror;
	pthread_mutex_init(&ep->mu, NULL);
}

static void endpoint_release(struct endpoint *ep)
{
	free(ep->base);
	free(ep->cred_host);
	free(ep->authz);
	pthread_mutex_destroy(&ep->mu);
}

/* "http://host:port/" -> base "http://host:port", cred host "host:port". */
static void add_mirror(struct registry_client *rc, const char *url)
{
	const char *h = strstr(url, "://");
	size_t n = strlen(url);
	_cleanup_free_ char *host = NULL;

	while (n > 0 && url[n - 1] == '/')
		n--;
	h = h ? h + 3 : url;
	host = xstrndup(h, strcspn(h, "/"));
	endpoint_init(&rc->eps[rc->n_eps++], xstrndup(url, n), host, 1);
}

static void add_host(struct registry_client *rc, const char *host, const char *cred_host)
{
	const char *scheme = config_is_insecure(rc->cfg, host) && !http_host_has_certs(host) ? "http" : "https";

	endpoint_init(&rc->eps[rc->n_eps++], xasprintf("%s://%s", scheme, host), cred_host, 0);
}

int registry_client_new(struct registry_client **out, const struct berth_config *cfg,
			const char *domain, const char *path, struct berr *err)
{
	struct registry_client *rc;
	size_t n_mirrors = 0;
	int hub = hub_is_registry(domain);

	*out = NULL;
	if (!*domain || !*path || strpbrk(domain, "/?#@ ") || strpbrk(path, "?#@ :"))
		return berr_set(err, BERR_INVALID, "invalid repository %s/%s", domain, path);
	if (hub && cfg && cfg->mirrors)
		while (cfg->mirrors[n_mirrors])
			n_mirrors++;
	rc = xcalloc(1, sizeof(*rc));
	rc->cfg = cfg;
	rc->path = xstrdup(path);
	rc->scope = xasprintf("repository:%s:pull", path);
	if (http_share_init(&rc->http, err) < 0) {
		free(rc->path);
		free(rc->scope);
		free(rc);
		return -1;
	}
	rc->eps = xcalloc(n_mirrors + 1, sizeof(*rc->eps));
	for (size_t i = 0; i < n_mirrors; i++)
		add_mirror(rc, cfg->mirrors[i]);
	if (hub)
		add_host(rc, hub_registry_host(), HUB_DOMAIN);
	else
		add_host(rc, domain, domain);
	*out = rc;
	return 0;
}

void registry_client_free(struct registry_client *rc)
{
	if (!rc)
		return;
	for (size_t i = 0; i < rc->n_eps; i++)
		endpoint_release(&rc->eps[i]);
	free(rc->eps);
	http_share_release(&rc->http);
	free(rc->path);
	free(rc->scope);
	free(rc);
}

static void set_authz(struct endpoint *ep, char *authz)
{
	free(ep->authz);
	ep->authz = authz;
	ep->gen++;
}

/* Turns a challenge into an Authorization value; called with ep->mu held.
 * had_basic: a Basic header was already refused, so asking again is futile. */
static int answer_challenge(struct registry_client *rc, struct endpoint *ep,
			    const struct auth_challenge *c, int had_basic, struct berr *err)
{
	_cleanup_free_ char *user = NULL, *pass = NULL;
	char *authz = NULL;

	if (dockercfg_get_auth(ep->cred_host, &user, &pass, err) < 0)
		return -1;
	if (c->scheme == AUTH_BASIC) {
		if (had_basic || !user || !pass || !strcmp(user, "<token>"))
			return berr_set(err, BERR_AUTH, "unauthorized: authentication required");
		authz = auth_basic_header(user, pass);
	} else if (auth_fetch_token(&rc->http, c, c->scope ? c->scope : rc->scope, user, pass,
				    &authz, err) < 0) {
		return -1;
	}
	set_authz(ep, authz);
	return 0;
}

static int ping_auth(struct registry_client *rc, struct endpoint *ep, const struct http_resp *r,
		     struct berr *err)
{
	struct auth_challenge c;
	int ret;

	if (auth_parse_challenge(r->www_auth, &c) < 0)
		return 0;
	ret = answer_challenge(rc, ep, &c, 0, err);
	/* Basic without stored credentials is not an error yet: the real
	 * request gets the registry's own 401 text. */
	if (ret < 0 && c.scheme == AUTH_BASIC && err->code == BERR_AUTH) {
		berr_clear(err);
		ret = 0;
	}
	auth_challenge_release(&c);
	return ret;
}

/* GET /v2/ without credentials; called with ep->mu held. */
static int ping(struct registry_client *rc, struct endpoint *ep, struct berr *err)
{
	_cleanup_free_ char *url = xasprintf("%s/v2/", ep->base);
	struct http_req req = { .url = url };
	struct http_resp resp;
	int attempts = ep->mirror ? 1 : ATTEMPTS, ret = -1;

	http_resp_init(&resp);
	for (int i = 1; i <= attempts; i++) {
		berr_clear(err);
		if (http_do(&rc->http, &req, &resp, err) == 0) {
			if (!http_status_retryable(resp.status)) {
				ret = 0;
				break;
			}
			http_status_error(&resp, "not found", err);
		}
		if (err->code != BERR_TEMPORARY)
			break;
		if (i < attempts)
			backoff(i);
	}
	if (ret == 0 && resp.status == 401)
		ret = ping_auth(rc, ep, &resp, err);
	http_resp_release(&resp);
	return ret;
}

static int endpoint_ready(struct registry_client *rc, struct endpoint *ep, struct berr *err)
{
	int r = 0;

	pthread_mutex_lock(&ep->mu);
	if (ep->dead) {
		r = berr_set(err, BERR_TEMPORARY, "mirror %s is unreachable", ep->base);
	} else if (!ep->pinged) {
		r = ping(rc, ep, err);
		if (r == 0)
			ep->pinged = 1;
		else if (ep->mirror && err->code == BERR_TEMPORARY)
			ep->dead = 1;
	}
	pthread_mutex_unlock(&ep->mu);
	return r;
}

/* After a 401 that used authorization generation gen: get new credentials
 * unless another thread already did. */
static int reauth(struct registry_client *rc, struct endpoint *ep, const struct http_resp *r,
		  unsigned gen, struct berr *err)
{
	struct auth_challenge c;
	int ret = 0;

	pthread_mutex_lock(&ep->mu);
	if (ep->gen == gen) {
		if (auth_parse_challenge(r->www_auth, &c) < 0) {
			ret = http_status_error(r, "not found", err);
		} else {
			ret = answer_challenge(rc, ep, &c, c.scheme == AUTH_BASIC && ep->authz, err);
			/* A refused Basic login: the registry's words are better. */
			if (ret < 0 && c.scheme == AUTH_BASIC && err->code == BERR_AUTH)
				http_status_error(r, "not found", err);
			auth_challenge_release(&c);
		}
	}
	pthread_mutex_unlock(&ep->mu);
	return ret;
}

static struct curl_slist *attempt_headers(struct endpoint *ep, const struct op *op, unsigned *gen)
{
	struct curl_slist *h = NULL;

	if (op->accept)
		http_header_add(&h, "%s", op->accept);
	pthread_mutex_lock(&ep->mu);
	if (ep->authz)
		http_header_add(&h, "Authorization: %s", ep->authz);
	*gen = ep->gen;
	pthread_mutex_unlock(&ep->mu);
	op->begin(op->ctx, &h);
	return h;
}

/* One attempt: 0 done, 1 retry now (new credentials), -1 failed (err). */
static int attempt(struct registry_client *rc, struct endpoint *ep, const struct op *op,
		   const char *url, int *reauthed, struct berr *err)
{
	struct http_req req = { .url = url, .body = op->body, .ctx = op->ctx };
	struct http_resp resp;
	unsigned gen;
	int r;

	http_resp_init(&resp);
	req.headers = attempt_headers(ep, op, &gen);
	r = http_do(&rc->http, &req, &resp, err);
	curl_slist_free_all(req.headers);
	if (r == 0) {
		if (resp.status >= 200 && resp.status < 300)
			r = op->done(op->ctx, &resp, err);
		else if (resp.status == 401 && !*reauthed) {
			*reauthed = 1;
			r = reauth(rc, ep, &resp, gen, err) == 0 ? 1 : -1;
		} else
			r = http_status_error(&resp, op->not_found, err);
	}
	http_resp_release(&resp);
	return r;
}

static int op_on_endpoint(struct registry_client *rc, struct endpoint *ep, const struct op *op,
			  struct berr *err)
{
	_cleanup_free_ char *url = xasprintf("%s/v2/%s/%s/%s", ep->base, rc->path, op->kind, op->ref);
	int failures = 0, total = 0, reauthed = 0;

	for (;;) {
		uint64_t before = op->progress(op->ctx);
		int r;

		berr_clear(err);
		r = attempt(rc, ep, op, url, &reauthed, err);
		if (r >= 0) {
			if (r == 0)
				return 0;
			continue;
		}
		if (err->code != BERR_TEMPORARY || (op->fatal && op->fatal(op->ctx)))
			return -1;
		if (op->progress(op->ctx) > before)
			failures = 0;
		if (++failures >= ATTEMPTS || ++total >= ATTEMPTS_TOTAL)
			return -1;
		backoff(failures);
	}
}

/* Mirrors first; a mirror's failure falls through to the next endpoint
 * unless the caller's sink gave up. */
static int run_op(struct registry_client *rc, const struct op *op, struct berr *err)
{
	for (size_t i = 0; i < rc->n_eps; i++) {
		struct endpoint *ep = &rc->eps[i];

		berr_clear(err);
		if (endpoint_ready(rc, ep, err) == 0 && op_on_endpoint(rc, ep, op, err) == 0)
			return 0;
		if (i + 1 == rc->n_eps || !ep->mirror || (op->fatal && op->fatal(op->ctx)))
			return -1;
	}
	return -1;
}

/* ---- manifests ---- */

struct manifest_ctx {
	struct http_mem mem;
	char *content_type;
};

static void manifest_begin(void *ctx, struct curl_slist **headers)
{
	struct manifest_ctx *m = ctx;

	sbuf_reset(m->mem.sb);
}

static int manifest_done(void *ctx, const struct http_resp *resp, struct berr *err)
{
	struct manifest_ctx *m = ctx;

	free(m->content_type);
	m->content_type = resp->content_type ? xstrdup(resp->content_type) : NULL;
	return 0;
}

static uint64_t no_progress(void *ctx)
{
	return 0;
}

/* "application/x; charset=utf-8" -> "application/x". */
static char *strip_params(const char *ct)
{
	size_t n = strcspn(ct, ";");

	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return xstrndup(ct, n);
}

/* Registries (and static file servers acting as one) may send a generic
 * type; the manifest then says what it is. */
static char *sniff_media_type(const struct sbuf *body)
{
	json_t *root = json_loadb(sbuf_str(body), body->len, 0, NULL);
	const char *mt;
	char *out = NULL;

	if (!root)
		return xstrdup("application/octet-stream");
	mt = json_string_value(json_object_get(root, "mediaType"));
	if (mt && *mt)
		out = xstrdup(mt);
	else if (json_integer_value(json_object_get(root, "schemaVersion")) == 1)
		out = xstrdup("application/vnd.docker.distribution.manifest.v1+json");
	else if (json_object_get(root, "manifests"))
		out = xstrdup("application/vnd.oci.image.index.v1+json");
	else
		out = xstrdup("application/vnd.oci.image.manifest.v1+json");
	json_decref(root);
	return out;
}

static int generic_type(const char *mt)
{
	return !*mt || !strcasecmp(mt, "application/json") || !strcasecmp(mt, "text/plain") ||
	       !strcasecmp(mt, "application/octet-stream");
}

int registry_get_manifest(struct registry_client *rc, const char *ref, struct sbuf *body,
			  char **media_type, char **digest, struct berr *err)
{
	struct manifest_ctx m = { { body, REGISTRY_MANIFEST_MAX, "manifest" }, NULL };
	struct op op = { "manifests", ref, manifest_accept, "manifest unknown", http_mem_body, &m,
			 manifest_begin, manifest_done, no_progress, NULL };
	char dg[DIGEST_STR_LEN];
	char *mt;
	int is_digest = strchr(ref, ':') != NULL;
	struct berr local = BERR_INIT;

	if (!err)
		err = &local;
	*media_type = *digest = NULL;
	if (is_digest ? digest_validate(ref, err) < 0 : (!*ref || strpbrk(ref, "/?#@ ")))
		return is_digest ? -1 : berr_set(err, BERR_INVALID, "invalid reference \"%s\"", ref);
	sbuf_reset(body);
	if (run_op(rc, &op, err) < 0) {
		free(m.content_type);
		return -1;
	}
	sha256_digest(body->buf ? body->buf : "", body->len, dg);
	if (is_digest && strcmp(dg, ref) != 0) {
		free(m.content_type);
		return berr_set(err, BERR_DIGEST, "manifest verification failed for digest %s", ref);
	}
	mt = strip_params(m.content_type ? m.content_type : "");
	free(m.content_type);
	if (generic_type(mt)) {
		free(mt);
		mt = sniff_media_type(body);
	}
	*media_type = mt;
	*digest = xstrdup(dg);
	return 0;
}

/* ---- blobs ---- */

struct blob_ctx {
	registry_sink_fn sink;
	void *sink_ctx;
	int64_t *size_out;
	uint64_t delivered;   /* bytes handed to the sink, over all attempts */
	int64_t total;        /* the blob's size, -1 while unknown */
	uint64_t pos;         /* blob offset of the next byte of this answer */
	int started;          /* this answer's body has begun */
	int size_known;
	int sink_failed;
};

static void blob_begin(void *ctx, struct curl_slist **headers)
{
	struct blob_ctx *b = ctx;

	b->started = 0;
	if (b->delivered > 0)
		http_header_add(headers, "Range: bytes=%llu-", (unsigned long long)b->delivered);
}

/* "bytes A-B/T" -> A and T (-1 for "*"). */
static int parse_content_range(const char *s, uint64_t *start, int64_t *total)
{
	unsigned long long a, b;
	int n = 0;

	if (!s || sscanf(s, "bytes %llu-%llu/%n", &a, &b, &n) < 2 || !n || b < a)
		return -1;
	*start = a;
	*total = s[n] == '*' ? -1 : strtoll(s + n, NULL, 10);
	return 0;
}

static int blob_start(struct blob_ctx *b, const struct http_resp *resp, struct berr *err)
{
	int64_t total = resp->content_length;
	uint64_t start = 0;

	if (resp->status == 206) {
		if (parse_content_range(resp->content_range, &start, &total) < 0 || start > b->delivered)
			return berr_set(err, BERR_INVALID, "registry answered an unexpected range (%s)",
					resp->content_range ? resp->content_range : "none");
		if (total < 0 && resp->content_length >= 0)
			total = (int64_t)start + resp->content_length;
	}
	if (b->size_known && b->total >= 0 && total >= 0 && total != b->total)
		return berr_set(err, BERR_DIGEST, "blob size changed between attempts (%lld, then %lld)",
				(long long)b->total, (long long)total);
	if (!b->size_known || b->total < 0)
		b->total = total;
	if (!b->size_known && b->size_out)
		*b->size_out = total;
	b->size_known = 1;
	b->pos = start;
	b->started = 1;
	return 0;
}

static int blob_body(void *ctx, const struct http_resp *resp, const void *buf, size_t n,
		     struct berr *err)
{
	struct blob_ctx *b = ctx;
	size_t skip = 0;

	if (!b->started && blob_start(b, resp, err) < 0)
		return -1;
	if (b->total >= 0 && b->pos + n > (uint64_t)b->total)
		return berr_set(err, BERR_DIGEST, "blob is larger than its Content-Length (%lld bytes)",
				(long long)b->total);
	/* A server that ignores Range resends from the start: drop what the
	 * sink already has. */
	if (b->delivered > b->pos)
		skip = b->delivered - b->pos < n ? (size_t)(b->delivered - b->pos) : n;
	b->pos += n;
	if (skip == n)
		return 0;
	if (b->sink(b->sink_ctx, (const char *)buf + skip, n - skip, err) < 0) {
		b->sink_failed = 1;
		return -1;
	}
	b->delivered += n - skip;
	return 0;
}

static int blob_done(void *ctx, const struct http_resp *resp, struct berr *err)
{
	struct blob_ctx *b = ctx;

	if (!b->started && blob_start(b, resp, err) < 0)
		return -1;
	if (b->total >= 0 && b->delivered < (uint64_t)b->total)
		return berr_set(err, BERR_TEMPORARY, "unexpected EOF: got %llu of %lld bytes",
				(unsigned long long)b->delivered, (long long)b->total);
	return 0;
}

static uint64_t blob_progress(void *ctx)
{
	return ((struct blob_ctx *)ctx)->delivered;
}

static int blob_fatal(void *ctx)
{
	return ((struct blob_ctx *)ctx)->sink_failed;
}

int registry_get_blob(struct registry_client *rc, const char *digest, registry_sink_fn sink,
		      void *ctx, int64_t *size_out, struct berr *err)
{
	struct blob_ctx b = { sink, ctx, size_out, 0, -1, 0, 0, 0, 0 };
	struct op op = { "blobs", digest, NULL, "blob unknown: blob unknown to registry", blob_body, &b,
			 blob_begin, blob_done, blob_progress, blob_fatal };
	struct berr local = BERR_INIT;

	if (!err)
		err = &local;
	if (size_out)
		*size_out = -1;
	if (digest_validate(digest, err) < 0)
		return -1;
	return run_op(rc, &op, err);
}

struct mem_sink {
	struct sbuf *body;
	size_t max;
	int64_t size;
	struct sha256 h;
};

static int mem_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct mem_sink *m = ctx;

	if ((m->size > 0 && (uint64_t)m->size > m->max) || n > m->max - m->body->len)
		return berr_set(err, BERR_INVALID, "blob too large (limit %zu bytes)", m->max);
	sbuf_add(m->body, buf, n);
	sha256_update(&m->h, buf, n);
	return 0;
}

int registry_get_blob_mem(struct registry_client *rc, const char *digest, size_t max,
			  struct sbuf *body, struct berr *err)
{
	struct mem_sink m = { body, max, -1, { NULL } };
	char got[DIGEST_STR_LEN];

	sbuf_reset(body);
	if (digest_validate(digest, err) < 0)
		return -1;
	sha256_init(&m.h);
	if (registry_get_blob(rc, digest, mem_sink, &m, &m.size, err) < 0) {
		sha256_release(&m.h);
		return -1;
	}
	sha256_final(&m.h, got);
	if (strcmp(got, digest) != 0)
		return berr_set(err, BERR_DIGEST, "digest mismatch for %s: got %s", digest, got);
	return 0;
}

/* ---- tags ---- */

static void tags_begin(void *ctx, struct curl_slist **headers)
{
	struct http_mem *m = ctx;

	sbuf_reset(m->sb);
}

static int tags_done(void *ctx, const struct http_resp *resp, struct berr *err)
{
	return 0;
}

int registry_list_tags(struct registry_client *rc, char ***tags_out, struct berr *err)
{
	struct sbuf body = SBUF_INIT;
	struct http_mem m = { &body, REGISTRY_MANIFEST_MAX, "tag list" };
	struct op op = { "tags", "list", NULL, "repository name not known to registry", http_mem_body, &m,
			 tags_begin, tags_done, no_progress, NULL };
	json_t *root, *tags;
	char **v;
	size_t n;

	if (run_op(rc, &op, err) < 0) {
		sbuf_release(&body);
		return -1;
	}
	root = json_loadb(sbuf_str(&body), body.len, 0, NULL);
	sbuf_release(&body);
	tags = json_object_get(root, "tags");
	if (!json_is_array(tags) && !json_is_null(tags)) {
		json_decref(root);
		return berr_set(err, BERR_INVALID, "invalid tag list");
	}
	n = json_array_size(tags);
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(tags, i));
		if (!t) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			json_decref(root);
			return berr_set(err, BERR_INVALID, "invalid tag list");
		}
		v[i] = xstrdup(t);
	}
	json_decref(root);
	*tags_out = v;
	return 0;
}

/* ---- push (upload.c) ---- */

void registry_client_want_push(struct registry_client *rc)
{
	free(rc->scope);
	rc->scope = xasprintf("repository:%s:push,pull", rc->path);
}

/* Pushes go to the registry itself, never to a mirror: the last endpoint.
 * Credentials go only to URLs under it (an upload Location could name
 * another host). */
int registry_request(struct registry_client *rc, const struct http_req *req, const struct http_upload *up,
		     int replayable, struct http_resp *resp, struct berr *err)
{
	struct endpoint *ep = &rc->eps[rc->n_eps - 1];
	_cleanup_free_ char *url = NULL;
	int reauthed = 0, r;

	if (endpoint_ready(rc, ep, err) < 0)
		return -1;
	url = req->url[0] == '/' ? xasprintf("%s%s", ep->base, req->url) : xstrdup(req->url);
	for (;;) {
		struct http_req r2 = *req;
		struct curl_slist *h = NULL;
		unsigned gen;

		for (struct curl_slist *l = req->headers; l; l = l->next)
			http_header_add(&h, "%s", l->data);
		pthread_mutex_lock(&ep->mu);
		if (ep->authz && !strncmp(url, ep->base, strlen(ep->base)) &&
		    strchr("/?", url[strlen(ep->base)]))
			http_header_add(&h, "Authorization: %s", ep->authz);
		gen = ep->gen;
		pthread_mutex_unlock(&ep->mu);
		r2.url = url;
		r2.headers = h;
		r = http_do_ex(&rc->http, &r2, up, resp, err);
		curl_slist_free_all(h);
		if (r < 0 || resp->status != 401 || !replayable || reauthed)
			return r;
		reauthed = 1;
		if (reauth(rc, ep, resp, gen, err) < 0)
			return -1;
	}
}

const char *registry_client_path(const struct registry_client *rc)
{
	return rc->path;
}
