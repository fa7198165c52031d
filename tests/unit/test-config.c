/*
 * test-config.c - daemon.json loading and validation, the plain-HTTP
 * decision for registry hosts, and docker CLI credential lookup, including
 * the config.json fixtures Debian ships with containers/image (skipped when
 * that package is not installed).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "credentials/dockercfg.h"
#include "util/sbuf.h"
#include "test.h"

#define FIXTURES "/usr/share/gocode/src/github.com/containers/image/pkg/docker/config/testdata"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* Loads daemon.json text written to dir/daemon.json. */
static int load_text(const char *dir, const char *text, struct berth_config *cfg, struct berr *err)
{
	_cleanup_free_ char *path = xasprintf("%s/daemon.json", dir);

	write_file(path, text);
	return config_load(cfg, path, err);
}

static void check_defaults(const char *dir)
{
	struct berr err = BERR_INIT;
	struct berth_config cfg;
	_cleanup_free_ char *missing = xasprintf("%s/nope.json", dir);

	setenv("BERTH_CONFIG", missing, 1);
	T_OK(config_load(&cfg, NULL, &err) == 0, "missing $BERTH_CONFIG file means defaults (%s)", err.msg);
	T_OK(cfg.mirrors && !cfg.mirrors[0] && cfg.insecure && !cfg.insecure[0], "defaults: empty lists");
	T_OK(cfg.max_concurrent_downloads == 3, "defaults: 3 concurrent downloads");
	config_release(&cfg);

	T_OK(config_load(&cfg, missing, &err) < 0, "a missing file named explicitly is an error");
	T_OK(strstr(err.msg, missing) != NULL, "the error names the file: %s", err.msg);
	unsetenv("BERTH_CONFIG");
}

static void check_valid(const char *dir)
{
	struct berr err = BERR_INIT;
	struct berth_config cfg;
	_cleanup_free_ char *path = xasprintf("%s/env.json", dir);

	T_OK(load_text(dir,
		       "{\"registry-mirrors\": [\"http://127.0.0.1:5000\", \"https://mirror.example.com/\"],\n"
		       " \"insecure-registries\": [\"myreg:5000\", \"10.0.0.0/8\", \"http://plain.example\",\n"
		       "   \"fd00::/8\"],\n"
		       " \"max-concurrent-downloads\": 5, \"debug\": true, \"storage-driver\": \"overlay2\",\n"
		       " \"log-opts\": {\"max-size\": \"10m\"}}",
		       &cfg, &err) == 0, "daemon.json loads (%s)", err.msg);
	T_STREQ(cfg.mirrors[0], "http://127.0.0.1:5000", "first mirror as written");
	T_STREQ(cfg.mirrors[1], "https://mirror.example.com/", "second mirror as written");
	T_OK(cfg.mirrors[2] == NULL, "two mirrors");
	T_STREQ(cfg.insecure[0], "myreg:5000", "insecure host:port");
	T_STREQ(cfg.insecure[2], "plain.example", "http:// dropped from an insecure registry, as dockerd does");
	T_OK(cfg.max_concurrent_downloads == 5, "max-concurrent-downloads");

	T_OK(config_is_insecure(&cfg, "myreg:5000") == 1, "listed host:port is insecure");
	T_OK(config_is_insecure(&cfg, "myreg:5001") == 0, "another port of it is not");
	T_OK(config_is_insecure(&cfg, "myreg") == 0, "nor the bare host");
	T_OK(config_is_insecure(&cfg, "plain.example") == 1, "listed bare host");
	T_OK(config_is_insecure(&cfg, "10.1.2.3:5000") == 1, "CIDR match ignores the port");
	T_OK(config_is_insecure(&cfg, "10.255.255.255") == 1, "CIDR match without port");
	T_OK(config_is_insecure(&cfg, "11.0.0.1:5000") == 0, "outside the CIDR");
	T_OK(config_is_insecure(&cfg, "[fd12::1]:443") == 1, "IPv6 CIDR match");
	T_OK(config_is_insecure(&cfg, "[fe80::1]:443") == 0, "outside the IPv6 CIDR");
	T_OK(config_is_insecure(&cfg, "ten.example:5000") == 0, "a hostname never matches a CIDR");
	T_OK(config_is_insecure(&cfg, "docker.io") == 0, "docker.io is secure");
	T_OK(config_is_insecure(&cfg, "127.0.0.1:5000") == 1, "127.0.0.1 is insecure");
	T_OK(config_is_insecure(&cfg, "127.3.2.1") == 1, "all of 127.0.0.0/8 is insecure");
	T_OK(config_is_insecure(&cfg, "[::1]:5000") == 1, "[::1]:5000 is insecure");
	T_OK(config_is_insecure(&cfg, "::1") == 1, "bare ::1 is insecure");
	T_OK(config_is_insecure(&cfg, "[::ffff:127.0.0.1]:80") == 1, "IPv4-mapped loopback is insecure");
	T_OK(config_is_insecure(&cfg, "localhost:5000") == 1, "localhost:5000 is insecure");
	T_OK(config_is_insecure(&cfg, "LOCALHOST") == 1, "localhost ignores case");
	T_OK(config_is_insecure(&cfg, "128.0.0.1") == 0, "128.0.0.1 is not loopback");
	T_OK(config_is_insecure(NULL, "127.0.0.1") == 1, "NULL config: loopback still insecure");
	T_OK(config_is_insecure(NULL, "example.com") == 0, "NULL config: others secure");
	config_release(&cfg);

	/* $BERTH_CONFIG is the file used when none is named. */
	write_file(path, "{\"max-concurrent-downloads\": 7}");
	setenv("BERTH_CONFIG", path, 1);
	T_OK(config_load(&cfg, NULL, &err) == 0 && cfg.max_concurrent_downloads == 7, "$BERTH_CONFIG is read");
	T_OK(cfg.mirrors && !cfg.mirrors[0], "keys not given keep defaults");
	config_release(&cfg);
	unsetenv("BERTH_CONFIG");
}

struct bad_case {
	const char *text;
	const char *expect;   /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	{ "{\"registry-mirrors\": [\"http://x\",}", "invalid JSON at line 1" },
	{ "{\n\"debug\": true\n\"x\": 1}", "line 3" },
	{ "", "invalid JSON" },
	{ "[1, 2]", "the top level must be a JSON object" },
	{ "{\"registry-mirrors\": \"http://x\"}", "\"registry-mirrors\" must be an array of strings" },
	{ "{\"registry-mirrors\": [1]}", "\"registry-mirrors\" must be an array of strings" },
	{ "{\"registry-mirrors\": [\"ftp://x\"]}", "invalid mirror: unsupported scheme" },
	{ "{\"registry-mirrors\": [\"mirror.example\"]}", "invalid mirror: unsupported scheme" },
	{ "{\"registry-mirrors\": [\"http://x/path\"]}", "invalid mirror: path, query, or fragment" },
	{ "{\"registry-mirrors\": [\"http://x?q=1\"]}", "invalid mirror: path, query, or fragment" },
	{ "{\"registry-mirrors\": [\"https://u:p@x\"]}", "username/password not allowed" },
	{ "{\"insecure-registries\": {\"a\": 1}}", "\"insecure-registries\" must be an array of strings" },
	{ "{\"insecure-registries\": [\"ftp://x\"]}", "insecure registry ftp://x should not contain '://'" },
	{ "{\"insecure-registries\": [\"-x:5000\"]}", "Cannot begin or end with a hyphen" },
	{ "{\"insecure-registries\": [\"x:port\"]}", "insecure registry x:port is not valid" },
	{ "{\"insecure-registries\": [\"10.0.0.0/33\"]}", "insecure registry 10.0.0.0/33 is not valid" },
	{ "{\"max-concurrent-downloads\": -1}", "invalid max concurrent downloads: -1" },
	{ "{\"max-concurrent-downloads\": \"3\"}", "\"max-concurrent-downloads\" must be an integer" },
};

static void check_invalid(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/daemon.json", dir);

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct berr err = BERR_INIT;
		struct berth_config cfg;
		int rc = load_text(dir, bad_cases[i].text, &cfg, &err);

		T_OK(rc < 0, "bad daemon.json %zu refused", i);
		T_OK(strstr(err.msg, bad_cases[i].expect) != NULL, "bad daemon.json %zu: %s", i, err.msg);
		T_OK(strncmp(err.msg, path, strlen(path)) == 0 && !strchr(err.msg, '\n'),
		     "bad daemon.json %zu: one line naming the file", i);
		T_OK(cfg.mirrors == NULL && cfg.insecure == NULL, "bad daemon.json %zu: nothing left allocated", i);
	}
}

/* ---- credentials ---- */

/* Looks host up and compares with "user:pass", or NULL for no credentials. */
static void expect_auth(const char *host, const char *want, const char *what)
{
	struct berr err = BERR_INIT;
	char *user = NULL, *pass = NULL;
	int rc = dockercfg_get_auth(host, &user, &pass, &err);
	_cleanup_free_ char *got = NULL;

	if (user || pass)
		got = xasprintf("%s:%s", user ? user : "(null)", pass ? pass : "(null)");
	T_OK(rc == 0, "%s: lookup of %s succeeds (%s)", what, host, err.msg);
	if (want)
		T_STREQ(got, want, "%s: credentials for %s", what, host);
	else
		T_OK(got == NULL, "%s: no credentials for %s (got %s)", what, host, got ? got : "none");
	free(user);
	free(pass);
}

static void expect_auth_error(const char *host, const char *expect, const char *what)
{
	struct berr err = BERR_INIT;
	char *user = (char *)"x", *pass = (char *)"x";
	int rc = dockercfg_get_auth(host, &user, &pass, &err);

	T_OK(rc < 0 && user == NULL && pass == NULL, "%s: refused", what);
	T_OK(strstr(err.msg, expect) && strstr(err.msg, "config.json") && !strchr(err.msg, '\n'),
	     "%s: %s", what, err.msg);
}

static void use_config(const char *dir, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", dir);

	write_file(path, text);
	setenv("DOCKER_CONFIG", dir, 1);
}

/* base64("alice:s3cret") and friends */
#define ALICE "YWxpY2U6czNjcmV0"
#define BOB "Ym9iOnB3"
#define CAROL "Y2Fyb2w6cDpxOnI="

static void check_auth(const char *dir)
{
	_cleanup_free_ char *home = xasprintf("%s/home", dir);
	_cleanup_free_ char *dotdocker = xasprintf("%s/home/.docker", dir);

	setenv("DOCKER_CONFIG", dir, 1);
	expect_auth("docker.io", NULL, "no config.json");

	use_config(dir,
		   "{\"auths\": {"
		   "\"https://index.docker.io/v1/\": {\"auth\": \"" ALICE "\"},"
		   "\"http://myreg:5000\": {\"auth\": \"" BOB "\"},"
		   "\"https://other.example/v1/\": {\"auth\": \"" CAROL "\"},"
		   "\"exact.example\": {\"auth\": \"" ALICE "\"},"
		   "\"https://exact.example\": {\"auth\": \"" BOB "\"},"
		   "\"tok.example\": {\"auth\": \"MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==\","
		   "  \"identitytoken\": \"tok-123\"},"
		   "\"fields.example\": {\"username\": \"dave\", \"password\": \"pw\"},"
		   "\"empty.example\": {},"
		   "\"nul.example\": {\"auth\": \"ZTpwdwAA\"}"
		   "}, \"credHelpers\": {\"gcr.io\": \"berth-test-missing\"},"
		   " \"psFormat\": \"table\"}");
	expect_auth("docker.io", "alice:s3cret", "Docker Hub");
	expect_auth("index.docker.io", "alice:s3cret", "Docker Hub legacy name");
	expect_auth("registry-1.docker.io", "alice:s3cret", "Docker Hub registry host");
	expect_auth("myreg:5000", "bob:pw", "http:// key");
	expect_auth("myreg", NULL, "port is part of the key");
	expect_auth("other.example", "carol:p:q:r", "https://host/v1/ key; password keeps its colons");
	expect_auth("exact.example", "alice:s3cret", "exact key wins");
	expect_auth("tok.example", "<token>:tok-123", "identitytoken");
	expect_auth("fields.example", "dave:pw", "username/password fields");
	expect_auth("empty.example", NULL, "empty entry (credsStore)");
	expect_auth("gcr.io", NULL, "credHelpers: a helper that is not installed gives none");
	expect_auth("nul.example", "e:pw", "NUL padding trimmed");
	expect_auth("unknown.example", NULL, "unknown host");

	/* With credsStore the helper is asked, not "auths" (docker's
	 * GetCredentialsStore); a missing helper means no credentials. */
	use_config(dir, "{\"auths\": {\"exact.example\": {\"auth\": \"" ALICE "\"}},"
			" \"credsStore\": \"berth-test-missing\"}");
	expect_auth("exact.example", NULL, "credsStore: the helper is asked instead of auths");
	use_config(dir, "{\"auths\": {\"a.example\": {\"auth\": \"!!!\"}}}");
	expect_auth_error("a.example", "illegal base64", "bad base64");
	expect_auth("b.example", NULL, "a bad entry for another host does not matter");
	use_config(dir, "{\"auths\": {\"a.example\": {\"auth\": \"bm9jb2xvbg==\"}}}");
	expect_auth_error("a.example", "invalid auth configuration file", "auth without a colon");
	use_config(dir, "{\"auths\": {\"a.example\": {\"auth\": \"YWxpY2U6czNjcmV0\"}");
	expect_auth_error("a.example", "invalid JSON", "truncated config.json");
	use_config(dir, "{\"auths\": [1]}");
	expect_auth_error("a.example", "\"auths\" must be an object", "auths not an object");
	use_config(dir, "{\"auths\": {\"a.example\": 5}}");
	expect_auth_error("a.example", "not an object", "entry not an object");

	/* Without $DOCKER_CONFIG: $HOME/.docker/config.json. */
	unsetenv("DOCKER_CONFIG");
	mkdir(home, 0700);
	mkdir(dotdocker, 0700);
	setenv("HOME", home, 1);
	expect_auth("docker.io", NULL, "HOME without config.json");
	use_config(dotdocker, "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" BOB "\"}}}");
	unsetenv("DOCKER_CONFIG");
	expect_auth("docker.io", "bob:pw", "$HOME/.docker/config.json");
}

/* containers/image's fixtures: what the docker CLI's lookup makes of them. */
static void use_fixture(const char *dir, const char *name)
{
	_cleanup_free_ char *src = xasprintf("%s/%s", FIXTURES, name);
	_cleanup_sbuf_ struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(src, "r");

	if (!f) {
		perror(src);
		exit(2);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	use_config(dir, sbuf_str(&sb));
}

static void check_fixtures(const char *dir)
{
	struct stat st;

	if (stat(FIXTURES "/full.json", &st) < 0) {
		T_SKIP("containers/image fixtures not installed (golang-github-containers-image-dev)");
		return;
	}
	use_fixture(dir, "example.json");
	expect_auth("example.org", "example:org", "example.json");
	use_fixture(dir, "example_identitytoken.json");
	expect_auth("example.org", "<token>:some very long identity token", "example_identitytoken.json");
	use_fixture(dir, "full.json");
	expect_auth("example.org", "example:org", "full.json");
	expect_auth("localhost", "local:host", "full.json");
	expect_auth("localhost:5000", "local:host-5000", "full.json");
	expect_auth("10.10.30.45", "10.10:30.45", "full.json");
	expect_auth("10.10.30.45:5000", "10.10:30.45-5000", "full.json");
	expect_auth("normalize.example.org", "normalize:example", "full.json");
	/* docker keys Hub credentials only as https://index.docker.io/v1/ */
	expect_auth("docker.io", NULL, "full.json (docker.io keys unused by docker)");
	use_fixture(dir, "abnormal.json");
	expect_auth("example.org", "example:org", "abnormal.json");
	expect_auth("127.0.0.1:5000", "127.0:0.1-5000", "abnormal.json");
	expect_auth("localhost", "local:host", "abnormal.json");
	expect_auth("localhost:5001", "local:host-5001", "abnormal.json");
	expect_auth("localhost:5000", "local:host-5000", "abnormal.json");
	expect_auth("docker.io", NULL, "abnormal.json (no trailing slash: not docker's key)");
	use_fixture(dir, "refpath.json");
	expect_auth("example.org", "local:host", "refpath.json (exact key first)");
	use_fixture(dir, "config.json");
	expect_auth("registry-no-creds.com", NULL, "credHelpers-only config.json");
	use_fixture(dir, "empty.json");
	expect_auth("example.org", NULL, "empty.json");
	use_fixture(dir, "legacy.json");
	expect_auth("localhost", NULL, "legacy .dockercfg layout has no auths");
}

int main(void)
{
	char tmpl[] = "/tmp/berth-test-config-XXXXXX";
	char *dir = mkdtemp(tmpl);
	_cleanup_free_ char *cmd = NULL;

	if (!dir) {
		perror("mkdtemp");
		return 2;
	}
	check_defaults(dir);
	check_valid(dir);
	check_invalid(dir);
	check_auth(dir);
	check_fixtures(dir);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
