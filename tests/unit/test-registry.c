/*
 * test-registry.c - the registry client against real servers on 127.0.0.1:
 * Debian's docker-registry (plain, htpasswd, token auth through
 * tests/lib/token-server.py), and tests/lib/flaky-registry.py for cut
 * connections, Range resume, 5xx retries, redirects and odd manifests.
 * Every server is started here and killed at the end.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/digest.h"
#include "registry/auth.h"
#include "registry/registry.h"
#include "test.h"

#define REGISTRY_BIN "/usr/bin/docker-registry"
#define MAX_PROCS 8
#define LAYER_SIZE (3 << 20)
#define FLAKY_SIZE (2 << 20)

struct env {
	char dir[64];
	const char *python;
	const char *srcdir;
	pid_t procs[MAX_PROCS];
	int n_procs;
	int plain, basic, token, token_srv, flaky, flaky_data;
	struct sbuf layer, config, manifest;
	char layer_dg[DIGEST_STR_LEN], config_dg[DIGEST_STR_LEN], manifest_dg[DIGEST_STR_LEN];
};

/* ---- processes and ports ---- */

static pid_t spawn(struct env *e, const char *log, char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* Servers must not outlive a crashed test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid > 0 && e->n_procs < MAX_PROCS)
		e->procs[e->n_procs++] = pid;
	return pid;
}

static void kill_all(struct env *e)
{
	for (int i = 0; i < e->n_procs; i++) {
		kill(e->procs[i], SIGTERM);
		waitpid(e->procs[i], NULL, 0);
	}
	e->n_procs = 0;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int port_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int wait_port(int port)
{
	for (int i = 0; i < 300; i++) {
		if (port_open(port))
			return 0;
		sleep_ms(50);
	}
	return -1;
}

static int read_ports(const char *path, int *a, int *b)
{
	for (int i = 0; i < 300; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			int n = fscanf(f, "%d %d", a, b);

			fclose(f);
			if (n >= 1)
				return 0;
		}
		sleep_ms(50);
	}
	return -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

static void write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

static void random_bytes(struct sbuf *sb, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;

	sbuf_grow(sb, n);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sb->buf[sb->len + i] = (char)(x >> 24);
	}
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* ---- servers ---- */

static int start_registry(struct env *e, const char *name, const char *auth_yaml)
{
	_cleanup_free_ char *cfg = xasprintf("%s/%s.yml", e->dir, name);
	_cleanup_free_ char *log = xasprintf("%s/%s.log", e->dir, name);
	_cleanup_free_ char *yml = NULL;
	int port = free_port();

	yml = xasprintf("version: 0.1\nlog: {level: error}\n"
			"storage: {filesystem: {rootdirectory: %s/data}, delete: {enabled: true}}\n"
			"http: {addr: \"127.0.0.1:%d\", secret: berth-test}\n%s",
			e->dir, port, auth_yaml ? auth_yaml : "");
	write_str(cfg, yml);
	{
		char *argv[] = { REGISTRY_BIN, "serve", cfg, NULL };

		spawn(e, log, argv);
	}
	return port;
}

static int start_token_server(struct env *e)
{
	_cleanup_free_ char *script = xasprintf("%s/tests/lib/token-server.py", e->srcdir);
	_cleanup_free_ char *cert = xasprintf("%s/token-cert.pem", e->dir);
	_cleanup_free_ char *key = xasprintf("%s/token-key.pem", e->dir);
	_cleanup_free_ char *pf = xasprintf("%s/token.port", e->dir);
	_cleanup_free_ char *tlog = xasprintf("%s/token-requests.log", e->dir);
	_cleanup_free_ char *log = xasprintf("%s/token.log", e->dir);
	char *argv[] = { (char *)e->python, script, "--cert", cert, "--key", key, "--port-file", pf,
			 "--user", "carol", "--password", "tokpw", "--log", tlog, NULL };
	int port, unused;

	spawn(e, log, argv);
	if (read_ports(pf, &port, &unused) < 0)
		return -1;
	return port;
}

static int start_flaky(struct env *e, const char *blob_path)
{
	_cleanup_free_ char *script = xasprintf("%s/tests/lib/flaky-registry.py", e->srcdir);
	_cleanup_free_ char *pf = xasprintf("%s/flaky.port", e->dir);
	_cleanup_free_ char *log = xasprintf("%s/flaky.log", e->dir);
	char *argv[] = { (char *)e->python, script, "--blob", (char *)blob_path, "--port-file", pf,
			 "--user", "bob", "--password", "flakypw", NULL };

	spawn(e, log, argv);
	return read_ports(pf, &e->flaky, &e->flaky_data);
}

static int has_python_jwt(const char *python)
{
	_cleanup_free_ char *cmd = xasprintf("%s -c 'import jwt, cryptography' 2>/dev/null", python);

	return system(cmd) == 0;
}

static char *htpasswd_line(const char *user, const char *pass)
{
	_cleanup_free_ char *cmd = xasprintf("htpasswd -Bbn %s %s 2>/dev/null", user, pass);
	struct sbuf sb = SBUF_INIT;
	char buf[512];
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sbuf_add(&sb, buf, n);
	if (pclose(p) != 0 || sb.len == 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

/* ---- uploads with plain libcurl ---- */

struct hdrs {
	char location[2048];
};

static size_t location_cb(char *p, size_t size, size_t n, void *ud)
{
	struct hdrs *h = ud;
	size_t len = size * n;

	if (len > 9 && strncasecmp(p, "Location:", 9) == 0) {
		size_t s = 9, e = len;

		while (s < e && p[s] == ' ')
			s++;
		while (e > s && (p[e - 1] == '\r' || p[e - 1] == '\n'))
			e--;
		if (e - s < sizeof(h->location)) {
			memcpy(h->location, p + s, e - s);
			h->location[e - s] = '\0';
		}
	}
	return len;
}

static size_t discard_cb(char *p, size_t size, size_t n, void *ud)
{
	return size * n;
}

/* Takes url (free()s it). */
static long http_get_status(char *url)
{
	CURL *c = curl_easy_init();
	long status = 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	free(url);
	return status;
}

static long http_send(const char *method, const char *url, const struct sbuf *body,
		      const char *ctype, struct hdrs *h)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	_cleanup_free_ char *ct = xasprintf("Content-Type: %s", ctype);
	long status = 0;

	hl = curl_slist_append(hl, ct);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body->buf : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body->len : 0));
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, location_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

static int upload_blob(int port, const char *repo, const struct sbuf *data, const char *dg)
{
	_cleanup_free_ char *url = xasprintf("http://127.0.0.1:%d/v2/%s/blobs/uploads/", port, repo);
	_cleanup_free_ char *put = NULL;
	struct hdrs h = { "" };

	if (http_send("POST", url, NULL, "application/octet-stream", &h) != 202 || !h.location[0])
		return -1;
	put = xasprintf("%s%s%sdigest=%s", h.location[0] == '/' ? "" : "",
			h.location, strchr(h.location, '?') ? "&" : "?", dg);
	if (h.location[0] == '/') {
		char *abs = xasprintf("http://127.0.0.1:%d%s", port, put);

		free(put);
		put = abs;
	}
	return http_send("PUT", put, data, "application/octet-stream", &h) == 201 ? 0 : -1;
}

static int upload_image(struct env *e, const char *repo, const char *tag)
{
	_cleanup_free_ char *url = xasprintf("http://127.0.0.1:%d/v2/%s/manifests/%s", e->plain, repo, tag);
	struct hdrs h = { "" };

	if (upload_blob(e->plain, repo, &e->layer, e->layer_dg) < 0 ||
	    upload_blob(e->plain, repo, &e->config, e->config_dg) < 0)
		return -1;
	return http_send("PUT", url, &e->manifest, "application/vnd.docker.distribution.manifest.v2+json",
			 &h) == 201 ? 0 : -1;
}

static void make_content(struct env *e)
{
	random_bytes(&e->layer, LAYER_SIZE);
	sha256_digest(e->layer.buf, e->layer.len, e->layer_dg);
	sbuf_addstr(&e->config, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
		    "{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{}}");
	sha256_digest(e->config.buf, e->config.len, e->config_dg);
	sbuf_addf(&e->manifest,
		  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		  "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":%zu,"
		  "\"digest\":\"%s\"},\"layers\":[{\"mediaType\":"
		  "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":%zu,\"digest\":\"%s\"}]}",
		  e->config.len, e->config_dg, e->layer.len, e->layer_dg);
	sha256_digest(e->manifest.buf, e->manifest.len, e->manifest_dg);
}

/* "Basic xxx" -> "xxx", the form config.json stores. */
static char *auth_b64(const char *user, const char *pass)
{
	_cleanup_free_ char *h = auth_basic_header(user, pass);

	return xstrdup(h + 6);
}

/* config.json with one credential per auth-requiring server; the token
 * server's is keyed as a URL, which docker's lookup also accepts. */
static void write_dockercfg_raw(struct env *e, const char *json)
{
	_cleanup_free_ char *dir = xasprintf("%s/docker", e->dir);
	_cleanup_free_ char *path = xasprintf("%s/config.json", dir);

	mkdir(dir, 0700);
	write_str(path, json);
	setenv("DOCKER_CONFIG", dir, 1);
}

static void write_dockercfg(struct env *e, const char *basic_pw, const char *token_pw)
{
	_cleanup_free_ char *a = auth_b64("alice", basic_pw);
	_cleanup_free_ char *b = auth_b64("carol", token_pw);
	_cleanup_free_ char *f = auth_b64("bob", "flakypw");
	_cleanup_free_ char *json = NULL;

	json = xasprintf("{\"auths\":{\"127.0.0.1:%d\":{\"auth\":\"%s\"},"
			 "\"http://127.0.0.1:%d\":{\"auth\":\"%s\"},"
			 "\"127.0.0.1:%d\":{\"auth\":\"%s\"}}}",
			 e->basic, a, e->token, b, e->flaky, f);
	write_dockercfg_raw(e, json);
}

/* ---- checks ---- */

struct collect {
	struct sbuf data;
	int calls;
	int64_t size_at_first_call;
	int64_t *size;
};

static int collect_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct collect *c = ctx;

	if (c->calls++ == 0)
		c->size_at_first_call = *c->size;
	sbuf_add(&c->data, buf, n);
	return 0;
}

/* Fails with a code that would otherwise be retried. */
static int failing_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	(*(int *)ctx)++;
	return berr_set(err, BERR_TEMPORARY, "sink gave up");
}

static int fetch_blob(struct registry_client *rc, const char *dg, struct sbuf *out, int64_t *size,
		      struct berr *err)
{
	struct collect c = { SBUF_INIT, 0, -2, size };
	int r = registry_get_blob(rc, dg, collect_sink, &c, size, err);

	*out = c.data;
	if (r == 0 && c.calls > 0 && c.size_at_first_call != *size)
		return berr_set(err, BERR_INTERNAL, "size_out not set before the first sink call");
	return r;
}

static int same(const struct sbuf *a, const struct sbuf *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

static struct registry_client *client(const struct berth_config *cfg, int port, const char *path)
{
	_cleanup_free_ char *dom = xasprintf("127.0.0.1:%d", port);
	struct registry_client *rc = NULL;
	struct berr err = BERR_INIT;

	if (registry_client_new(&rc, cfg, dom, path, &err) < 0)
		printf("# client: %s\n", err.msg);
	return rc;
}

static void test_challenges(void)
{
	struct auth_challenge c;

	T_OK(auth_parse_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
				  "scope=\"repository:library/busybox:pull\"", &c) == 0 &&
	     c.scheme == AUTH_BEARER && !strcmp(c.realm, "https://auth.docker.io/token") &&
	     !strcmp(c.service, "registry.docker.io") &&
	     !strcmp(c.scope, "repository:library/busybox:pull"), "bearer challenge parsed");
	auth_challenge_release(&c);
	T_OK(auth_parse_challenge("basic realm=\"a \\\"quoted\\\" realm\"", &c) == 0 &&
	     c.scheme == AUTH_BASIC && !strcmp(c.realm, "a \"quoted\" realm"), "basic challenge with escapes");
	auth_challenge_release(&c);
	T_OK(auth_parse_challenge("Bearer realm=http://x/t, service=svc, error=\"insufficient_scope\"", &c) == 0 &&
	     !strcmp(c.realm, "http://x/t") && !strcmp(c.service, "svc") && !c.scope, "token values");
	auth_challenge_release(&c);
	T_OK(auth_parse_challenge("Bearer service=\"x\"", &c) < 0, "bearer without realm refused");
	T_OK(auth_parse_challenge("Negotiate abc", &c) < 0, "unknown scheme refused");
	T_OK(auth_parse_challenge(NULL, &c) < 0, "no header");
}

static void test_plain(struct env *e, const struct berth_config *cfg)
{
	struct registry_client *rc = client(cfg, e->plain, "test/app");
	struct sbuf body = SBUF_INIT, blob = SBUF_INIT;
	char *mt = NULL, *dg = NULL, wrong[DIGEST_STR_LEN];
	struct berr err = BERR_INIT;
	int64_t size = -2;
	int r;

	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest), "manifest by tag (%s)", err.msg);
	T_STREQ(mt, "application/vnd.docker.distribution.manifest.v2+json", "manifest media type");
	T_STREQ(dg, e->manifest_dg, "manifest digest");
	free(mt);
	free(dg);

	r = registry_get_manifest(rc, e->manifest_dg, &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest) && dg && !strcmp(dg, e->manifest_dg),
	     "manifest by digest (%s)", err.msg);
	free(mt);
	free(dg);

	berr_clear(&err);
	r = registry_get_manifest(rc, "nope", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_NOT_FOUND, "missing tag is NOT_FOUND");
	T_STREQ(err.msg, "manifest unknown: manifest unknown", "missing tag text");
	T_OK(!mt && !dg, "no outputs on failure");

	sha256_digest("x", 1, wrong);
	berr_clear(&err);
	r = registry_get_manifest(rc, wrong, &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_NOT_FOUND, "unknown digest is NOT_FOUND (%s)", err.msg);
	berr_clear(&err);
	r = registry_get_manifest(rc, "sha256:zz", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_INVALID, "malformed digest refused (%s)", err.msg);

	r = fetch_blob(rc, e->layer_dg, &blob, &size, &err);
	T_OK(r == 0 && same(&blob, &e->layer), "layer streamed exactly (%s)", err.msg);
	T_OK(size == LAYER_SIZE, "size_out is the Content-Length (%lld)", (long long)size);
	sbuf_release(&blob);

	r = registry_get_blob_mem(rc, e->config_dg, REGISTRY_CONFIG_MAX, &body, &err);
	T_OK(r == 0 && same(&body, &e->config), "config via get_blob_mem (%s)", err.msg);
	berr_clear(&err);
	r = registry_get_blob_mem(rc, e->layer_dg, 1000, &body, &err);
	T_OK(r < 0 && strstr(err.msg, "too large"), "get_blob_mem bounded (%s)", err.msg);

	{
		int calls = 0;

		berr_clear(&err);
		r = registry_get_blob(rc, e->layer_dg, failing_sink, &calls, NULL, &err);
		T_OK(r < 0 && calls == 1 && !strcmp(err.msg, "sink gave up"),
		     "a failing sink aborts at once, its error kept (%d calls, %s)", calls, err.msg);
	}
	berr_clear(&err);
	r = fetch_blob(rc, wrong, &blob, &size, &err);
	T_OK(r < 0 && err.code == BERR_NOT_FOUND && blob.len == 0, "missing blob is NOT_FOUND (%s)", err.msg);
	sbuf_release(&blob);
	registry_client_free(rc);

	rc = client(cfg, e->plain, "no/such/repo");
	berr_clear(&err);
	r = registry_get_manifest(rc, "latest", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_NOT_FOUND, "missing repository is NOT_FOUND (%s)", err.msg);
	registry_client_free(rc);
	sbuf_release(&body);
}

struct par {
	struct registry_client *rc;
	struct env *e;
	int ok;
};

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct sbuf blob = SBUF_INIT;
	struct berr err = BERR_INIT;
	int64_t size;

	p->ok = fetch_blob(p->rc, p->e->layer_dg, &blob, &size, &err) == 0 && same(&blob, &p->e->layer);
	if (!p->ok)
		printf("# parallel: %s\n", err.msg);
	sbuf_release(&blob);
	return NULL;
}

static void test_parallel(struct env *e, const struct berth_config *cfg, int port, const char *what)
{
	struct registry_client *rc = client(cfg, port, "test/app");
	struct par p[8];
	pthread_t th[8];
	int ok = 1;

	for (int i = 0; i < 8; i++) {
		p[i] = (struct par){ rc, e, 0 };
		pthread_create(&th[i], NULL, par_main, &p[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ok &= p[i].ok;
	}
	T_OK(ok, "8 threads download through one client (%s)", what);
	registry_client_free(rc);
}

static void test_basic(struct env *e, const struct berth_config *cfg)
{
	struct registry_client *rc = client(cfg, e->basic, "test/app");
	struct sbuf body = SBUF_INIT;
	char *mt = NULL, *dg = NULL;
	struct berr err = BERR_INIT;
	int r;

	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest), "htpasswd: manifest with stored credentials (%s)", err.msg);
	free(mt);
	free(dg);
	r = registry_get_blob_mem(rc, e->config_dg, REGISTRY_CONFIG_MAX, &body, &err);
	T_OK(r == 0 && same(&body, &e->config), "htpasswd: blob (%s)", err.msg);
	registry_client_free(rc);

	write_dockercfg(e, "wrong", "tokpw");
	rc = client(cfg, e->basic, "test/app");
	berr_clear(&err);
	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_AUTH, "htpasswd: wrong password is BERR_AUTH");
	T_STREQ(err.msg, "unauthorized: authentication required", "htpasswd: wrong password text");
	registry_client_free(rc);

	unsetenv("DOCKER_CONFIG");
	setenv("HOME", e->dir, 1);
	rc = client(cfg, e->basic, "test/app");
	berr_clear(&err);
	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_AUTH, "htpasswd: no credentials is BERR_AUTH (%s)", err.msg);
	registry_client_free(rc);
	write_dockercfg(e, "s3cret", "tokpw");
	sbuf_release(&body);
}

static int count_lines(const char *path, const char *needle)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static void test_token(struct env *e, const struct berth_config *cfg)
{
	_cleanup_free_ char *tlog = xasprintf("%s/token-requests.log", e->dir);
	struct registry_client *rc = client(cfg, e->token, "test/app");
	struct sbuf body = SBUF_INIT, blob = SBUF_INIT;
	char *mt = NULL, *dg = NULL;
	struct berr err = BERR_INIT;
	int64_t size;
	int r;

	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest), "token: manifest (%s)", err.msg);
	free(mt);
	free(dg);
	r = fetch_blob(rc, e->layer_dg, &blob, &size, &err);
	T_OK(r == 0 && same(&blob, &e->layer), "token: layer (%s)", err.msg);
	sbuf_release(&blob);
	T_OK(count_lines(tlog, "ok repository:test/app:pull") == 1,
	     "token: one token fetched, scope repository:test/app:pull");
	registry_client_free(rc);

	test_parallel(e, cfg, e->token, "token auth");

	http_get_status(xasprintf("http://127.0.0.1:%d/control/bad-next", e->token_srv));
	rc = client(cfg, e->token, "test/app");
	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r == 0 && count_lines(tlog, "ok repository:test/app:pull") == 4,
	     "token: a rejected token is fetched again once (%s)", err.msg);
	free(mt);
	free(dg);
	registry_client_free(rc);

	write_dockercfg(e, "s3cret", "bad");
	rc = client(cfg, e->token, "test/app");
	berr_clear(&err);
	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_AUTH, "token: wrong password is BERR_AUTH");
	T_STREQ(err.msg, "unauthorized: incorrect username or password", "token: wrong password text");
	registry_client_free(rc);

	{
		_cleanup_free_ char *j = xasprintf("{\"auths\":{\"127.0.0.1:%d\":{\"identitytoken\":\"tokpw\"}}}",
						   e->token);

		write_dockercfg_raw(e, j);
	}
	rc = client(cfg, e->token, "test/app");
	berr_clear(&err);
	r = registry_get_manifest(rc, "v1", &body, &mt, &dg, &err);
	T_OK(r == 0 && count_lines(tlog, "ok-refresh repository:test/app:pull") == 1,
	     "token: identity token exchanged by POST (%s)", err.msg);
	free(mt);
	free(dg);
	registry_client_free(rc);
	write_dockercfg(e, "s3cret", "tokpw");
	sbuf_release(&body);
}

static json_t *flaky_stats(struct env *e)
{
	_cleanup_free_ char *url = xasprintf("http://127.0.0.1:%d/stats", e->flaky);
	CURL *c = curl_easy_init();
	FILE *mem;
	char *buf = NULL;
	size_t len = 0;
	json_t *j;

	mem = open_memstream(&buf, &len);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	fclose(mem);
	j = json_loadb(buf, len, 0, NULL);
	free(buf);
	return j;
}

static void test_flaky(struct env *e, const struct berth_config *cfg, const struct sbuf *data)
{
	static const char *const repos[] = { "cut", "norange", "busy", "good" };
	char dg[DIGEST_STR_LEN];
	struct berr err = BERR_INIT;
	json_t *st;

	sha256_digest(data->buf, data->len, dg);
	for (size_t i = 0; i < sizeof(repos) / sizeof(repos[0]); i++) {
		struct registry_client *rc = client(cfg, e->flaky, repos[i]);
		struct sbuf blob = SBUF_INIT;
		int64_t size = -2;
		int r;

		berr_clear(&err);
		r = fetch_blob(rc, dg, &blob, &size, &err);
		T_OK(r == 0 && same(&blob, data) && size == (int64_t)data->len,
		     "flaky %s: exact bytes after retry (%s)", repos[i], err.msg);
		sbuf_release(&blob);
		registry_client_free(rc);
	}
	st = flaky_stats(e);
	T_OK(st && json_integer_value(json_object_get(st, "ranges")) >= 2,
	     "flaky: resumed with Range requests");
	T_OK(st && json_integer_value(json_object_get(st, "leaks")) == 0 &&
	     json_integer_value(json_object_get(json_object_get(st, "data"), "good")) == 1,
	     "flaky: Authorization not sent across the redirect");
	json_decref(st);
}

static void test_flaky_manifests(struct env *e, const struct berth_config *cfg, const struct sbuf *data)
{
	struct registry_client *rc = client(cfg, e->flaky, "good");
	struct sbuf body = SBUF_INIT;
	char *mt = NULL, *dg = NULL, wrong[DIGEST_STR_LEN];
	struct berr err = BERR_INIT;
	int r;

	r = registry_get_manifest(rc, "latest", &body, &mt, &dg, &err);
	T_OK(r == 0, "generic Content-Type manifest fetched (%s)", err.msg);
	T_STREQ(mt, "application/vnd.oci.image.manifest.v1+json", "media type sniffed from the body");
	free(mt);
	free(dg);
	sha256_digest("not it", 6, wrong);
	berr_clear(&err);
	r = registry_get_manifest(rc, wrong, &body, &mt, &dg, &err);
	T_OK(r < 0 && err.code == BERR_DIGEST && !mt && !dg, "digest mismatch is BERR_DIGEST (%s)", err.msg);
	registry_client_free(rc);

	rc = client(cfg, e->flaky, "huge");
	berr_clear(&err);
	r = registry_get_manifest(rc, "latest", &body, &mt, &dg, &err);
	T_OK(r < 0 && strstr(err.msg, "manifest too large"), "oversized manifest aborted (%s)", err.msg);
	registry_client_free(rc);
	sbuf_release(&body);
}

static void test_mirrors(struct env *e)
{
	_cleanup_free_ char *good = xasprintf("http://127.0.0.1:%d/", e->plain);
	_cleanup_free_ char *dead = xasprintf("http://127.0.0.1:%d", free_port());
	_cleanup_free_ char *hub = xasprintf("127.0.0.1:%d", e->plain);
	_cleanup_free_ char *dead_hub = xasprintf("127.0.0.1:%d", free_port());
	char *m1[] = { good, NULL }, *m2[] = { dead, NULL };
	struct berth_config c1 = { .mirrors = m1, .max_concurrent_downloads = 3 },
			    c2 = { .mirrors = m2, .max_concurrent_downloads = 3 };
	struct registry_client *rc = NULL;
	struct sbuf body = SBUF_INIT;
	char *mt = NULL, *dg = NULL;
	struct berr err = BERR_INIT;
	int r;

	/* Hub must never be contacted: point it at a closed local port. */
	setenv("BERTH_HUB_HOST", dead_hub, 1);
	registry_client_new(&rc, &c1, "docker.io", "library/hubimg", &err);
	r = registry_get_manifest(rc, "latest", &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest), "docker.io served by the mirror (%s)", err.msg);
	free(mt);
	free(dg);
	r = registry_get_blob_mem(rc, e->config_dg, REGISTRY_CONFIG_MAX, &body, &err);
	T_OK(r == 0, "blob from the mirror (%s)", err.msg);
	registry_client_free(rc);

	setenv("BERTH_HUB_HOST", hub, 1);
	berr_clear(&err);
	registry_client_new(&rc, &c2, "docker.io", "library/hubimg", &err);
	r = registry_get_manifest(rc, "latest", &body, &mt, &dg, &err);
	T_OK(r == 0 && same(&body, &e->manifest), "dead mirror falls back to the hub (%s)", err.msg);
	free(mt);
	free(dg);
	r = registry_get_blob_mem(rc, e->config_dg, REGISTRY_CONFIG_MAX, &body, &err);
	T_OK(r == 0, "blob after fallback (%s)", err.msg);
	registry_client_free(rc);
	unsetenv("BERTH_HUB_HOST");
	sbuf_release(&body);
}

static int setup(struct env *e, int *have_basic, int *have_token, struct sbuf *flaky_data)
{
	_cleanup_free_ char *blob_path = xasprintf("%s/flaky.blob", e->dir);
	_cleanup_free_ char *htp = htpasswd_line("alice", "s3cret");
	_cleanup_free_ char *htp_path = xasprintf("%s/htpasswd", e->dir);
	_cleanup_free_ char *basic_yaml = NULL, *token_yaml = NULL;

	make_content(e);
	random_bytes(flaky_data, FLAKY_SIZE);
	write_file(blob_path, flaky_data->buf, flaky_data->len);
	if (start_flaky(e, blob_path) < 0)
		return -1;
	*have_token = has_python_jwt(e->python);
	if (*have_token && (e->token_srv = start_token_server(e)) < 0)
		return -1;
	e->plain = start_registry(e, "plain", NULL);
	*have_basic = htp != NULL;
	if (htp) {
		write_str(htp_path, htp);
		basic_yaml = xasprintf("auth: {htpasswd: {realm: test, path: %s}}\n", htp_path);
		e->basic = start_registry(e, "basic", basic_yaml);
	}
	if (*have_token) {
		token_yaml = xasprintf("auth:\n  token:\n    realm: http://127.0.0.1:%d/token\n"
				       "    service: test-registry\n    issuer: test-issuer\n"
				       "    rootcertbundle: %s/token-cert.pem\n", e->token_srv, e->dir);
		e->token = start_registry(e, "token", token_yaml);
	}
	if (wait_port(e->plain) < 0 || (htp && wait_port(e->basic) < 0) ||
	    (*have_token && wait_port(e->token) < 0))
		return -1;
	if (upload_image(e, "test/app", "v1") < 0 || upload_image(e, "library/hubimg", "latest") < 0)
		return -1;
	write_dockercfg(e, "s3cret", "tokpw");
	return 0;
}

int main(void)
{
	struct env e = { .python = "/usr/bin/python3" };
	struct berth_config cfg = { .max_concurrent_downloads = 3 };
	struct sbuf flaky_data = SBUF_INIT;
	int have_basic = 0, have_token = 0;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_challenges();
	if (access(REGISTRY_BIN, X_OK) != 0 || access(e.python, X_OK) != 0) {
		T_SKIP("docker-registry or python3 not installed");
		return t_done();
	}
	e.srcdir = getenv("BERTH_SRCDIR") ? getenv("BERTH_SRCDIR") : ".";
	snprintf(e.dir, sizeof(e.dir), "/tmp/berth-reg-XXXXXX");
	if (!mkdtemp(e.dir)) {
		perror("mkdtemp");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (setup(&e, &have_basic, &have_token, &flaky_data) < 0) {
		T_OK(0, "test servers start (logs in %s)", e.dir);
		kill_all(&e);
		return t_done();
	}
	test_plain(&e, &cfg);
	test_parallel(&e, &cfg, e.plain, "plain");
	if (have_basic)
		test_basic(&e, &cfg);
	else
		T_SKIP("htpasswd not installed");
	if (have_token)
		test_token(&e, &cfg);
	else
		T_SKIP("python3-jwt/python3-cryptography not installed");
	test_flaky(&e, &cfg, &flaky_data);
	test_flaky_manifests(&e, &cfg, &flaky_data);
	test_mirrors(&e);
	kill_all(&e);
	if (!t_failed) {
		_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", e.dir);

		if (system(rm) != 0)
			printf("# could not remove %s\n", e.dir);
	} else {
		printf("# logs kept in %s\n", e.dir);
	}
	sbuf_release(&flaky_data);
	sbuf_release(&e.layer);
	sbuf_release(&e.config);
	sbuf_release(&e.manifest);
	curl_global_cleanup();
	return t_done();
}
