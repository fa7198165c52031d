/*
 * reference.c - Docker image references: the grammar of
 * distribution/reference (name [":" tag] ["@" digest]) checked by a
 * hand-written matcher, ParseNormalizedNamed's Docker Hub defaults, the
 * digest checks of go-digest, and the familiar (short) forms.
 *
 * The grammar is unambiguous once split at the right places: '@' occurs only
 * before the digest, a tag holds no ':' or '/', and a ':' inside a name only
 * appears in its domain (port or IPv6 literal), which always ends at the
 * first '/'.  So a few splits replace the regular expression.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "reference.h"

#include "hub.h"
#include "util/sbuf.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128
#define OFFICIAL_PREFIX "library/"

/* A slice of the input: references are parsed without copying until the
 * parts are known to be valid. */
struct span {
	const char *p;
	size_t n;
};

struct ref_parts {
	struct span domain;   /* n == 0: no domain */
	struct span path;
	struct span tag;      /* p == NULL: none */
	struct span digest;   /* p == NULL: none */
};

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return isascii((unsigned char)c) && isalnum((unsigned char)c);
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static bool is_hex(char c)
{
	return isascii((unsigned char)c) && isxdigit((unsigned char)c);
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static const char *span_chr(struct span s, char c)
{
	return s.n ? memchr(s.p, c, s.n) : NULL;
}

/* Length of the separator at s[0..n): ".", "_", "__" or "-"+; 0 if none. */
static size_t separator_len(const char *s, size_t n)
{
	size_t i = 0;

	if (s[0] == '.')
		return 1;
	if (s[0] == '_')
		return n > 1 && s[1] == '_' ? 2 : 1;
	while (i < n && s[i] == '-')
		i++;
	return i;
}

/* path-component: [a-z0-9]+ (separator [a-z0-9]+)* */
static bool match_path_component(const char *s, size_t n)
{
	size_t i = 0, sep;

	for (;;) {
		size_t start = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		sep = separator_len(s + i, n - i);
		if (sep == 0)
			return false;
		i += sep;
	}
}

/* remote-name: path-component ("/" path-component)* */
static bool match_remote_name(struct span s)
{
	size_t i = 0;

	if (s.n == 0)
		return false;
	while (i <= s.n) {
		const char *slash = memchr(s.p + i, '/', s.n - i);
		size_t end = slash ? (size_t)(slash - s.p) : s.n;

		if (!match_path_component(s.p + i, end - i))
			return false;
		i = end + 1;
	}
	return true;
}

/* domain-name-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool match_domain_component(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* domain-name: component ("." component)*, which also covers IPv4. */
static bool match_domain_name(const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		const char *dot = memchr(s + i, '.', n - i);
		size_t end = dot ? (size_t)(dot - s) : n;

		if (!match_domain_component(s + i, end - i))
			return false;
		i = end + 1;
	}
	return true;
}

static bool match_port(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* domain: (domain-name | "[" [a-fA-F0-9:]+ "]") (":" [0-9]+)?  IPv6 zones
 * and embedded IPv4 are refused, as upstream does. */
static bool match_domain(struct span s)
{
	size_t host_end;

	if (s.n > 0 && s.p[0] == '[') {
		const char *close = memchr(s.p, ']', s.n);

		if (!close || close == s.p + 1)
			return false;
		for (const char *c = s.p + 1; c < close; c++)
			if (!is_hex(*c) && *c != ':')
				return false;
		host_end = (size_t)(close - s.p) + 1;
	} else {
		const char *colon = span_chr(s, ':');

		host_end = colon ? (size_t)(colon - s.p) : s.n;
		if (!match_domain_name(s.p, host_end))
			return false;
	}
	if (host_end == s.n)
		return true;
	return s.p[host_end] == ':' && match_port(s.p + host_end + 1, s.n - host_end - 1);
}

/* tag: [\w][\w.-]{0,127} */
static bool match_tag(struct span s)
{
	if (s.n == 0 || s.n > TAG_MAX_LEN || !is_word(s.p[0]))
		return false;
	for (size_t i = 1; i < s.n; i++)
		if (!is_word(s.p[i]) && s.p[i] != '.' && s.p[i] != '-')
			return false;
	return true;
}

/* algorithm: [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* */
static bool match_algorithm(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i >= n || !isascii((unsigned char)s[i]) || !isalpha((unsigned char)s[i]))
			return false;
		while (i < n && is_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (!strchr("-_+.", s[i]))
			return false;
		i++;
	}
}

/* digest: algorithm ":" [[:xdigit:]]{32,} */
static bool match_digest(struct span s)
{
	const char *colon = span_chr(s, ':');
	size_t alg_len, hex_len;

	if (!colon)
		return false;
	alg_len = (size_t)(colon - s.p);
	hex_len = s.n - alg_len - 1;
	if (!match_algorithm(s.p, alg_len) || hex_len < 32)
		return false;
	for (size_t i = 0; i < hex_len; i++)
		if (!is_hex(colon[1 + i]))
			return false;
	return true;
}

/* Splits a name into domain and remote-name.  Like the anchored regexp,
 * a leading domain is preferred; failing that the whole name must be a
 * remote-name (so "a_b.c/x" is a domain-less name). */
static bool match_name(struct span name, struct ref_parts *out)
{
	const char *slash = span_chr(name, '/');

	if (slash) {
		struct span dom = { name.p, (size_t)(slash - name.p) };
		struct span rest = { slash + 1, name.n - dom.n - 1 };

		if (match_domain(dom) && match_remote_name(rest)) {
			out->domain = dom;
			out->path = rest;
			return true;
		}
	}
	if (!match_remote_name(name))
		return false;
	out->domain = (struct span){ name.p, 0 };
	out->path = name;
	return true;
}

/* The whole reference grammar; true when s matches it. */
static bool match_reference(const char *s, struct ref_parts *out)
{
	struct span name = { s, strlen(s) };
	const char *at = strchr(s, '@');
	const char *colon, *slash;

	memset(out, 0, sizeof(*out));
	if (at) {
		out->digest = (struct span){ at + 1, strlen(at + 1) };
		name.n = (size_t)(at - s);
		if (!match_digest(out->digest))
			return false;
	}
	colon = memrchr(name.p, ':', name.n);
	slash = memrchr(name.p, '/', name.n);
	if (colon && (!slash || colon > slash)) {
		out->tag = (struct span){ colon + 1, name.n - (size_t)(colon - name.p) - 1 };
		name.n = (size_t)(colon - name.p);
		if (!match_tag(out->tag))
			return false;
	}
	return match_name(name, out);
}

static int digest_hex_len(const char *alg, size_t n)
{
	static const struct { const char *name; int hex; } algs[] = {
		{ "sha256", 64 }, { "sha384", 96 }, { "sha512", 128 },
	};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i].name) == n && memcmp(algs[i].name, alg, n) == 0)
			return algs[i].hex;
	return -1;
}

/* go-digest's Parse, with the algorithms Docker registers. */
static int validate_digest(struct span d, struct berr *err)
{
	const char *colon = span_chr(d, ':');
	size_t alg_len = (size_t)(colon - d.p), hex_len = d.n - alg_len - 1;
	int want = digest_hex_len(d.p, alg_len);

	if (want < 0)
		return berr_set(err, BERR_INVALID, "unsupported digest algorithm");
	if (hex_len != (size_t)want)
		return berr_set(err, BERR_INVALID, "invalid checksum digest length");
	for (size_t i = 0; i < hex_len; i++)
		if (!is_lower_hex(colon[1 + i]))
			return berr_set(err, BERR_INVALID, "invalid checksum digest format");
	return 0;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* Parse() of distribution/reference on an already-normalised string. */
static int parse_strict(struct reference *out, const char *s, struct berr *err)
{
	struct ref_parts parts;

	if (*s == '\0')
		return berr_set(err, BERR_INVALID, "repository name must have at least one component");
	if (!match_reference(s, &parts)) {
		_cleanup_free_ char *lower = xstrdup(s);
		struct ref_parts ignored;

		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcmp(lower, s) != 0 && match_reference(lower, &ignored))
			return berr_set(err, BERR_INVALID, "repository name must be lowercase");
		return berr_set(err, BERR_INVALID, "invalid reference format");
	}
	if (parts.path.n > NAME_MAX_LEN)
		return berr_set(err, BERR_INVALID, "repository name must not be more than %d characters",
				NAME_MAX_LEN);
	if (parts.digest.p && validate_digest(parts.digest, err) < 0)
		return -1;
	out->domain = xstrndup(parts.domain.p, parts.domain.n);
	out->path = xstrndup(parts.path.p, parts.path.n);
	out->tag = parts.tag.p ? xstrndup(parts.tag.p, parts.tag.n) : NULL;
	out->digest = parts.digest.p ? xstrndup(parts.digest.p, parts.digest.n) : NULL;
	return 0;
}

static bool is_identifier(const char *s)
{
	size_t n = strlen(s);

	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/* splitDockerDomain: "<domain>/<remainder>" with Docker Hub's defaults. */
static char *normalize(const char *s)
{
	const char *slash = strchr(s, '/');
	struct sbuf sb = SBUF_INIT;
	const char *rest = s;
	size_t dlen = slash ? (size_t)(slash - s) : 0;
	bool domain = false;

	if (slash) {
		if ((dlen == 9 && !memcmp(s, "localhost", 9)) || memchr(s, '.', dlen) ||
		    memchr(s, ':', dlen) || has_upper(s, dlen))
			domain = true;
	}
	if (domain && !(dlen == strlen(HUB_INDEX_HOST) && !memcmp(s, HUB_INDEX_HOST, dlen))) {
		sbuf_add(&sb, s, dlen);
	} else {
		sbuf_addstr(&sb, HUB_DOMAIN);
	}
	if (domain)
		rest = slash + 1;
	sbuf_addch(&sb, '/');
	if (strcmp(sbuf_str(&sb), HUB_DOMAIN "/") == 0 && !strchr(rest, '/'))
		sbuf_addstr(&sb, OFFICIAL_PREFIX);
	sbuf_addstr(&sb, rest);
	return sbuf_detach(&sb, NULL);
}

int reference_parse(struct reference *out, const char *s, struct berr *err)
{
	_cleanup_free_ char *full = NULL;
	const char *remote, *colon;
	size_t remote_len;

	memset(out, 0, sizeof(*out));
	if (is_identifier(s))
		return berr_set(err, BERR_INVALID,
				"invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
	full = normalize(s);
	/* Upstream checks the remainder up to its first ':' (so a digest's
	 * algorithm is included when there is no tag), and only for
	 * uppercase: the lowercase form is the one it compares against. */
	remote = strchr(full, '/') + 1;
	colon = strchr(remote, ':');
	remote_len = colon ? (size_t)(colon - remote) : strlen(remote);
	/* Docker 20.10's wording (later versions add the name in brackets). */
	if (has_upper(remote, remote_len))
		return berr_set(err, BERR_INVALID, "invalid reference format: repository name must be lowercase");
	return parse_strict(out, full, err);
}

void reference_default_tag(struct reference *ref)
{
	if (!ref->tag && !ref->digest)
		ref->tag = xstrdup("latest");
}

void reference_release(struct reference *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

static void add_name(struct sbuf *sb, const char *domain, const char *path)
{
	if (domain && *domain) {
		sbuf_addstr(sb, domain);
		sbuf_addch(sb, '/');
	}
	sbuf_addstr(sb, path);
}

/* familiarizeName: drop "docker.io/" and a "library/" with nothing nested
 * below it. */
static void add_familiar_name(struct sbuf *sb, const struct reference *ref)
{
	const char *path = ref->path;

	if (!ref->domain || strcmp(ref->domain, HUB_DOMAIN) != 0) {
		add_name(sb, ref->domain, path);
		return;
	}
	if (strncmp(path, OFFICIAL_PREFIX, strlen(OFFICIAL_PREFIX)) == 0 &&
	    !strchr(path + strlen(OFFICIAL_PREFIX), '/'))
		path += strlen(OFFICIAL_PREFIX);
	sbuf_addstr(sb, path);
}

static void add_suffix(struct sbuf *sb, const struct reference *ref)
{
	if (ref->tag)
		sbuf_addf(sb, ":%s", ref->tag);
	if (ref->digest)
		sbuf_addf(sb, "@%s", ref->digest);
}

char *reference_name(const struct reference *ref)
{
	struct sbuf sb = SBUF_INIT;

	add_name(&sb, ref->domain, ref->path);
	return sbuf_detach(&sb, NULL);
}

char *reference_familiar_name(const struct reference *ref)
{
	struct sbuf sb = SBUF_INIT;

	add_familiar_name(&sb, ref);
	return sbuf_detach(&sb, NULL);
}

char *reference_familiar_string(const struct reference *ref)
{
	struct sbuf sb = SBUF_INIT;

	add_familiar_name(&sb, ref);
	add_suffix(&sb, ref);
	return sbuf_detach(&sb, NULL);
}

char *reference_string(const struct reference *ref)
{
	struct sbuf sb = SBUF_INIT;

	add_name(&sb, ref->domain, ref->path);
	add_suffix(&sb, ref);
	return sbuf_detach(&sb, NULL);
}

int reference_parse_tag_target(struct reference *ref, const char *s, const char *digest_msg, struct berr *err)
{
	if (reference_parse(ref, s, err) < 0)
		return -1;
	if (ref->digest) {
		reference_release(ref);
		return berr_set(err, BERR_INVALID, "%s", digest_msg);
	}
	reference_default_tag(ref);
	return 0;
}
