/*
 * test-reference.c - image reference parsing against the facts of
 * distribution/reference (normalize_test.go, reference_test.go) and the
 * error texts docker 28's CLI prints for the same inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "util/sbuf.h"
#include "test.h"

#define D256 "sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"
#define U256 "sha256:7CC4B5AEFD1D0CADF8D97D4350462BA51C694EBCA145B08D7D41B41ACC8DB5AA"
#define HEX64 "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
#define D512 "sha512:" HEX64 HEX64
#define LOWERCASE_ERR(s) "invalid reference format: repository name must be lowercase"
#define BAD "invalid reference format"

/* A successful case names its domain, path, full string and familiar
 * string (tag and digest are checked through those strings); a failing
 * case names only the error text. */
struct ref_case {
	const char *in;
	const char *domain;
	const char *path;
	const char *full;
	const char *familiar;
	const char *err;
};

static const struct ref_case cases[] = {
	{ "busybox", "docker.io", "library/busybox", "docker.io/library/busybox", "busybox", NULL },
	{ "library/busybox", "docker.io", "library/busybox", "docker.io/library/busybox", "busybox", NULL },
	{ "docker.io/busybox", "docker.io", "library/busybox", "docker.io/library/busybox", "busybox", NULL },
	{ "index.docker.io/busybox", "docker.io", "library/busybox", "docker.io/library/busybox", "busybox", NULL },
	{ "index.docker.io/library/busybox:1.36", "docker.io", "library/busybox",
	  "docker.io/library/busybox:1.36", "busybox:1.36", NULL },
	{ "fooo/bar", "docker.io", "fooo/bar", "docker.io/fooo/bar", "fooo/bar", NULL },
	{ "library/foo/bar", "docker.io", "library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", NULL },
	{ "other/library", "docker.io", "other/library", "docker.io/other/library", "other/library", NULL },
	{ "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base",
	  "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", NULL },
	{ "localhost/foo", "localhost", "foo", "localhost/foo", "localhost/foo", NULL },
	{ "localhost:5000/foo:tag", "localhost:5000", "foo", "localhost:5000/foo:tag", "localhost:5000/foo:tag", NULL },
	{ "localhost:5000", "docker.io", "library/localhost", "docker.io/library/localhost:5000", "localhost:5000", NULL },
	{ "127.0.0.1:5000/a/b@" D256, "127.0.0.1:5000", "a/b", "127.0.0.1:5000/a/b@" D256,
	  "127.0.0.1:5000/a/b@" D256, NULL },
	{ "busybox:latest@" D256, "docker.io", "library/busybox", "docker.io/library/busybox:latest@" D256,
	  "busybox:latest@" D256, NULL },
	{ "busybox@" D512, "docker.io", "library/busybox", "docker.io/library/busybox@" D512,
	  "busybox@" D512, NULL },
	{ "example.com:8000/private/moonbase", "example.com:8000", "private/moonbase",
	  "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", NULL },
	{ "192.168.0.1", "docker.io", "library/192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1", NULL },
	{ "192.168.0.1:80", "docker.io", "library/192.168.0.1", "docker.io/library/192.168.0.1:80",
	  "192.168.0.1:80", NULL },
	{ "Foo/bar", "Foo", "bar", "Foo/bar", "Foo/bar", NULL },
	{ "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN", "fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", NULL },
	{ "[::1]:5000/foo", "[::1]:5000", "foo", "[::1]:5000/foo", "[::1]:5000/foo", NULL },
	{ "[fc00:1:2:3:4:5:6:7]:5000/library/debian:x", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian",
	  "[fc00:1:2:3:4:5:6:7]:5000/library/debian:x", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:x", NULL },
	{ "a__b", "docker.io", "library/a__b", "docker.io/library/a__b", "a__b", NULL },
	{ "docker---rules/docker", "docker.io", "docker---rules/docker", "docker.io/docker---rules/docker",
	  "docker---rules/docker", NULL },
	{ "a_b-c/x.y", "docker.io", "a_b-c/x.y", "docker.io/a_b-c/x.y", "a_b-c/x.y", NULL },
	{ "busybox:LATEST_1.0-rc", "docker.io", "library/busybox", "docker.io/library/busybox:LATEST_1.0-rc",
	  "busybox:LATEST_1.0-rc", NULL },
	{ "docker.io/" HEX64, "docker.io", "library/" HEX64, "docker.io/library/" HEX64, HEX64, NULL },
	/* The domain "a_b.c" is not a domain, so like upstream's regexp the
	 * whole name becomes a domain-less path. */
	{ "a_b.c/foo", "", "a_b.c/foo", "a_b.c/foo", "a_b.c/foo", NULL },

	{ "Foo", NULL, NULL, NULL, NULL, LOWERCASE_ERR("library/Foo") },
	{ "FOO:TAG", NULL, NULL, NULL, NULL, LOWERCASE_ERR("library/FOO") },
	{ "foo/Bar:X", NULL, NULL, NULL, NULL, LOWERCASE_ERR("foo/Bar") },
	{ "Foo/Bar", NULL, NULL, NULL, NULL, LOWERCASE_ERR("Bar") },
	{ "localhost/Foo", NULL, NULL, NULL, NULL, LOWERCASE_ERR("Foo") },
	{ "busybox@SHA256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa", NULL, NULL, NULL,
	  NULL, LOWERCASE_ERR("library/busybox@SHA256") },
	{ HEX64, NULL, NULL, NULL, NULL,
	  "invalid repository name (" HEX64 "), cannot specify 64-byte hexadecimal strings" },
	{ "", NULL, NULL, NULL, NULL, BAD },
	{ ":tag", NULL, NULL, NULL, NULL, BAD },
	{ "@" D256, NULL, NULL, NULL, NULL, BAD },
	{ "busybox@sha256:abc", NULL, NULL, NULL, NULL, BAD },
	{ "busybox@md5:ffff", NULL, NULL, NULL, NULL, BAD },
	{ "a..b", NULL, NULL, NULL, NULL, BAD },
	{ "a___b", NULL, NULL, NULL, NULL, BAD },
	{ "foo-", NULL, NULL, NULL, NULL, BAD },
	{ "-docker", NULL, NULL, NULL, NULL, BAD },
	{ "docker-/docker", NULL, NULL, NULL, NULL, BAD },
	{ "dock_.er/docker", NULL, NULL, NULL, NULL, BAD },
	{ "____/____", NULL, NULL, NULL, NULL, BAD },
	{ "docker/", NULL, NULL, NULL, NULL, BAD },
	{ "docker///docker", NULL, NULL, NULL, NULL, BAD },
	{ "a:", NULL, NULL, NULL, NULL, BAD },
	{ "foo:tag:tag", NULL, NULL, NULL, NULL, BAD },
	{ "foo@" D256 "@" D256, NULL, NULL, NULL, NULL, BAD },
	{ "https://github.com/docker/docker", NULL, NULL, NULL, NULL, BAD },
	{ "[fc00::1]", NULL, NULL, NULL, NULL, BAD },
	{ "[fc00::1]:5000", NULL, NULL, NULL, NULL, BAD },
	{ "fc00::1:5000/debian", NULL, NULL, NULL, NULL, BAD },
	{ "[fe80::1%eth0]:5000/debian", NULL, NULL, NULL, NULL, BAD },
	{ "[2001:db8:3:4::192.0.2.33]:5000/debian", NULL, NULL, NULL, NULL, BAD },
	{ "-docker.io/docker/docker", NULL, NULL, NULL, NULL, BAD },
	{ "busybox@" U256, NULL, NULL, NULL, NULL, "invalid checksum digest format" },
	{ "busybox:tag@" U256, NULL, NULL, NULL, NULL, "invalid checksum digest format" },
	{ "busybox@sha512:" HEX64, NULL, NULL, NULL, NULL, "invalid checksum digest length" },
	{ "busybox@foo+bar:" HEX64, NULL, NULL, NULL, NULL, "unsupported digest algorithm" },
};

static void check_case(const struct ref_case *c)
{
	struct berr err = BERR_INIT;
	struct reference ref;
	int rc = reference_parse(&ref, c->in, &err);

	if (c->err) {
		T_OK(rc < 0, "'%.60s' is refused", c->in);
		T_STREQ(err.msg, c->err, "'%.60s' error text", c->in);
		T_OK(ref.path == NULL, "'%.60s' leaves nothing allocated", c->in);
		return;
	}
	T_OK(rc == 0, "'%.60s' parses (%s)", c->in, err.msg);
	if (rc < 0)
		return;
	_cleanup_free_ char *full = reference_string(&ref);
	_cleanup_free_ char *fam = reference_familiar_string(&ref);

	T_STREQ(ref.domain, c->domain, "'%.60s' domain", c->in);
	T_STREQ(ref.path, c->path, "'%.60s' path", c->in);
	T_STREQ(full, c->full, "'%.60s' string", c->in);
	T_STREQ(fam, c->familiar, "'%.60s' familiar string", c->in);
	reference_release(&ref);
}

static char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addstr(&sb, prefix);
	for (size_t i = 0; i < n; i++)
		sbuf_addch(&sb, c);
	sbuf_addstr(&sb, suffix);
	return sbuf_detach(&sb, NULL);
}

/* The limits: 128-character tags, 255-character paths ("library/"
 * counts, as upstream measures the normalised path). */
static void check_lengths(void)
{
	struct berr err = BERR_INIT;
	struct reference ref;
	_cleanup_free_ char *tag128 = repeat("busybox:", 'x', 128, "");
	_cleanup_free_ char *tag129 = repeat("busybox:", 'x', 129, "");
	_cleanup_free_ char *name255 = repeat("", 'a', 247, ":t");
	_cleanup_free_ char *name256 = repeat("", 'a', 248, "");
	_cleanup_free_ char *host256 = repeat("docker.io/library/", 'a', 248, "");

	T_OK(reference_parse(&ref, tag128, &err) == 0 && strlen(ref.tag) == 128, "128-character tag");
	reference_release(&ref);
	T_OK(reference_parse(&ref, tag129, &err) < 0, "129-character tag refused");
	T_STREQ(err.msg, BAD, "129-character tag error");
	T_OK(reference_parse(&ref, name255, &err) == 0 && strlen(ref.path) == 255, "255-character path");
	reference_release(&ref);
	T_OK(reference_parse(&ref, name256, &err) < 0, "256-character path refused");
	T_STREQ(err.msg, "repository name must not be more than 255 characters", "too long error");
	T_OK(reference_parse(&ref, host256, &err) < 0, "256-character path with domain refused");
}

static void check_helpers(void)
{
	struct berr err = BERR_INIT;
	struct reference ref;
	char *s;

	T_OK(reference_parse(&ref, "busybox", &err) == 0, "busybox parses");
	T_OK(ref.tag == NULL && ref.digest == NULL, "no tag until defaulted");
	reference_default_tag(&ref);
	T_STREQ(ref.tag, "latest", "default tag is latest");
	s = reference_name(&ref);
	T_STREQ(s, "docker.io/library/busybox", "reference_name");
	free(s);
	s = reference_familiar_name(&ref);
	T_STREQ(s, "busybox", "reference_familiar_name");
	free(s);
	s = reference_string(&ref);
	T_STREQ(s, "docker.io/library/busybox:latest", "reference_string after default tag");
	free(s);
	reference_release(&ref);

	T_OK(reference_parse(&ref, "busybox@" D256, &err) == 0, "digest reference parses");
	reference_default_tag(&ref);
	T_OK(ref.tag == NULL, "digest reference gets no default tag");
	T_STREQ(ref.digest, D256, "digest kept");
	reference_release(&ref);

	T_OK(reference_parse(&ref, "Foo", NULL) < 0, "NULL err is allowed");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_lengths();
	check_helpers();
	return t_done();
}
