/*
 * http.c - libcurl plumbing for the registry client: the shared handle and
 * its locks, easy handle setup (timeouts, buffers, TLS trust from docker's
 * certs.d), header capture and docker-style error texts.  See http.h.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <berth/berth.h>

/* $BERTH_CERTS_D stands in for docker's directory, so tests need not
 * write into the real /etc/docker. */
static const char *certs_d(void)
{
	const char *d = getenv("BERTH_CERTS_D");

	return d && *d ? d : "/etc/docker/certs.d";
}
#define CERTS_D certs_d()
#define SYSTEM_CA_PATH "/etc/ssl/certs"
/* Blob throughput is the product: big reads mean fewer write callbacks. */
#define RECV_BUFFER (512 << 10)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	struct http_share *s = ud;

	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	struct http_share *s = ud;

	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&s->locks[data]);
}

int http_share_init(struct http_share *s, struct berr *err)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return berr_set(err, BERR_INTERNAL, "curl_global_init: %s", curl_easy_strerror(global_rc));
	s->sh = curl_share_init();
	if (!s->sh)
		return berr_set(err, BERR_INTERNAL, "curl_share_init failed");
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return 0;
}

void http_share_release(struct http_share *s)
{
	if (!s->sh)
		return;
	curl_share_cleanup(s->sh);
	s->sh = NULL;
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
}

void http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	sbuf_init(&r->errbody);
}

static void resp_reset(struct http_resp *r)
{
	free(r->content_type);
	free(r->www_auth);
	free(r->content_range);
	free(r->location);
	free(r->docker_digest);
	free(r->link);
	sbuf_release(&r->errbody);
	http_resp_init(r);
}

void http_resp_release(struct http_resp *r)
{
	resp_reset(r);
}

void http_header_add(struct curl_slist **list, const char *fmt, ...)
{
	struct curl_slist *l;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	l = curl_slist_append(*list, s);
	free(s);
	if (!l)
		abort();
	*list = l;
}

struct xfer {
	const struct http_req *req;
	struct http_resp *resp;
	struct berr *err;
	int body_failed;
	const struct http_upload *up;
};

/* "Name: value\r\n" -> value when name matches, trimmed, else NULL. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v, *end = line + len;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static void take_header(char **slot, char *v)
{
	if (!v)
		return;
	if (*slot)
		free(v);
	else
		*slot = v;
}

static size_t header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	struct http_resp *r = x->resp;
	size_t len = size * nmemb;
	char *v;

	/* Every answer (redirects, 100 Continue) starts afresh: only the last
	 * one's headers describe the body we get. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);

		resp_reset(r);
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if ((v = header_value(p, len, "Content-Length"))) {
		char *end;
		long long n = strtoll(v, &end, 10);

		if (end != v && *end == '\0' && n >= 0)
			r->content_length = n;
		free(v);
	}
	take_header(&r->content_type, header_value(p, len, "Content-Type"));
	take_header(&r->www_auth, header_value(p, len, "WWW-Authenticate"));
	take_header(&r->content_range, header_value(p, len, "Content-Range"));
	take_header(&r->location, header_value(p, len, "Location"));
	take_header(&r->docker_digest, header_value(p, len, "Docker-Content-Digest"));
	take_header(&r->link, header_value(p, len, "Link"));
	return len;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nmemb;
	long st = x->resp->status;

	if (st >= 200 && st < 300) {
		if (x->req->body && x->req->body(x->req->ctx, x->resp, p, len, x->err) < 0) {
			x->body_failed = 1;
			return CURL_WRITEFUNC_ERROR;
		}
		return len;
	}
	if (x->resp->errbody.len < HTTP_ERRBODY_MAX) {
		size_t room = HTTP_ERRBODY_MAX - x->resp->errbody.len;

		sbuf_add(&x->resp->errbody, p, len < room ? len : room);
	}
	return len;
}

/* "https://host:port/path" -> "host:port", the name docker's certs.d uses. */
static char *url_hostport(const char *url)
{
	const char *s = strstr(url, "://");

	s = s ? s + 3 : url;
	return xstrndup(s, strcspn(s, "/?#"));
}

static int file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

int http_host_has_certs(const char *hostport)
{
	_cleanup_free_ char *dir = NULL;
	struct stat st;

	if (!*hostport || strchr(hostport, '/') || strstr(hostport, ".."))
		return 0;
	dir = xasprintf("%s/%s", CERTS_D, hostport);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Docker trusts certs.d/<host:port>/ca.crt in addition to the system CAs
 * and presents client.cert/client.key from there.  Setting CAINFO replaces
 * curl's default bundle, so the system directory is named as CAPATH. */
static void setup_tls(CURL *h, const char *url)
{
	_cleanup_free_ char *hp = url_hostport(url);
	_cleanup_free_ char *ca = NULL, *cert = NULL, *key = NULL;

	if (strncmp(url, "https://", 8) != 0 || !*hp || strstr(hp, ".."))
		return;
	ca = xasprintf("%s/%s/ca.crt", CERTS_D, hp);
	cert = xasprintf("%s/%s/client.cert", CERTS_D, hp);
	key = xasprintf("%s/%s/client.key", CERTS_D, hp);
	if (file_exists(ca)) {
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
		curl_easy_setopt(h, CURLOPT_CAPATH, SYSTEM_CA_PATH);
	}
	if (file_exists(cert) && file_exists(key)) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	}
}

static void setup_easy(CURL *h, struct http_share *s, const struct http_req *req, struct xfer *x,
		       char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_SHARE, s->sh);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	/* The Authorization header is set by hand; curl must keep it from
	 * other hosts and ports a blob redirect may point at (a CDN). */
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer is an error; a slow big blob is not. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "berth/" BERTH_VERSION);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (req->headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, req->headers);
	if (req->post)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->post);
	if (x->up && x->up->method && !strcmp(x->up->method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (x->up && x->up->method)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->up->method);
	if (x->up && x->up->read) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, x->up->read);
		curl_easy_setopt(h, CURLOPT_READDATA, x->up->read_ctx);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->up->size);
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, (long)RECV_BUFFER);
	}
	setup_tls(h, req->url);
	if (req->tls_noverify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static int curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Go's url.Error names the method so: "Get", "Post", "Put", "Patch". */
static const char *go_op(const struct http_req *req, const struct http_upload *up)
{
	static const char *const ops[] = { "Head", "Put", "Patch", "Delete", "Post" };

	for (size_t i = 0; up && up->method && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcasecmp(up->method, ops[i]))
			return ops[i];
	return req->post ? "Post" : "Get";
}

int http_do(struct http_share *s, const struct http_req *req, struct http_resp *resp,
	    struct berr *err)
{
	return http_do_ex(s, req, NULL, resp, err);
}

int http_do_ex(struct http_share *s, const struct http_req *req, const struct http_upload *up,
	       struct http_resp *resp, struct berr *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = { req, resp, err, 0, up };
	CURL *h = curl_easy_init();
	CURLcode rc;

	resp_reset(resp);
	if (!h)
		return berr_set(err, BERR_INTERNAL, "curl_easy_init failed");
	setup_easy(h, s, req, &x, errbuf);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (x.body_failed)
		return -1;
	if (rc != CURLE_OK)
		return berr_set(err, curl_retryable(rc) ? BERR_TEMPORARY : BERR_INTERNAL, "%s \"%s\": %s",
				go_op(req, up), req->url,
				errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
}

int http_mem_body(void *ctx, const struct http_resp *resp, const void *buf, size_t n,
		  struct berr *err)
{
	struct http_mem *m = ctx;

	if ((resp->content_length > 0 && (uint64_t)resp->content_length > m->max) ||
	    n > m->max - m->sb->len)
		return berr_set(err, BERR_INVALID, "%s too large (limit %zu bytes)", m->what, m->max);
	sbuf_add(m->sb, buf, n);
	return 0;
}

/* Docker's errcode text: "MANIFEST_UNKNOWN" -> "manifest unknown". */
static void code_words(const char *code, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; code[i] && i + 1 < outsz; i++)
		out[i] = code[i] == '_' ? ' ' : (char)tolower((unsigned char)code[i]);
	out[i] = '\0';
}

/* The first of {"errors":[{"code","message"}]}, or Docker Hub's token
 * service's {"details": "..."}; 0 when found. */
static int parse_error_body(const struct sbuf *body, char *code, size_t codesz, char *msg,
			    size_t msgsz)
{
	json_t *root = json_loadb(sbuf_str(body), body->len, 0, NULL), *e;
	const char *c, *m;
	int rc = -1;

	if (!root)
		return -1;
	e = json_array_get(json_object_get(root, "errors"), 0);
	c = json_string_value(json_object_get(e, "code"));
	m = json_string_value(json_object_get(e, "message"));
	if (c || m) {
		code_words(c ? c : "unknown", code, codesz);
		snprintf(msg, msgsz, "%s", m ? m : "");
		rc = 0;
	} else if ((m = json_string_value(json_object_get(root, "details")))) {
		code[0] = '\0';
		snprintf(msg, msgsz, "%s", m);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

static enum berr_code status_code(long status, const char *code)
{
	if (status == 401 || status == 403 || !strcmp(code, "unauthorized") || !strcmp(code, "denied"))
		return BERR_AUTH;
	if (status == 404)
		return BERR_NOT_FOUND;
	if (http_status_retryable(status) || !strcmp(code, "toomanyrequests"))
		return BERR_TEMPORARY;
	return status >= 400 && status < 500 ? BERR_INVALID : BERR_INTERNAL;
}

static const char *status_default(long status, const char *not_found)
{
	switch (status) {
	case 401:
		return "unauthorized: authentication required";
	case 403:
		return "denied: requested access to the resource is denied";
	case 404:
		return not_found;
	case 429:
		return "toomanyrequests: too many requests";
	default:
		return NULL;
	}
}

int http_status_error(const struct http_resp *r, const char *not_found, struct berr *err)
{
	char code[128], msg[512];
	const char *def;

	if (parse_error_body(&r->errbody, code, sizeof(code), msg, sizeof(msg)) == 0) {
		if (!code[0])
			code_words(r->status == 401 ? "UNAUTHORIZED" : "UNKNOWN", code, sizeof(code));
		return berr_set(err, status_code(r->status, code), "%s: %s", code, msg);
	}
	def = status_default(r->status, not_found);
	if (def)
		return berr_set(err, status_code(r->status, ""), "%s", def);
	return berr_set(err, status_code(r->status, ""), "received unexpected HTTP status: %ld",
			r->status);
}
