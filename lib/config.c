/*
 * config.c - daemon.json settings (registry-mirrors, insecure-registries,
 * max-concurrent-downloads) validated as dockerd validates them, the
 * plain-HTTP decision for a registry host, and credentials from the docker
 * CLI's config.json "auths" with the CLI's lookup rules.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "credhelper.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/sbuf.h"

#define DEFAULT_CONFIG_PATH "/etc/berth/daemon.json"
#define DEFAULT_MAX_DOWNLOADS 3
#define DEFAULT_MAX_UPLOADS 5
/* Both files are small; the bound only stops a runaway file. */
#define CONFIG_MAX_BYTES (4 << 20)
/* The key the docker CLI stores Docker Hub credentials under. */
#define INDEX_SERVER "https://index.docker.io/v1/"

/* An address with its family, the form CIDR checks compare. */
struct ip_addr {
	int family;           /* AF_INET or AF_INET6 */
	unsigned char b[16];
};

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Reads and parses a JSON file.  Returns 1 with *out set, 0 if the file
 * does not exist, -1 on error (message names the file). */
static int load_json_file(const char *path, json_t **out, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	struct berr rerr = BERR_INIT;
	json_error_t jerr;

	*out = NULL;
	if (read_file_at(AT_FDCWD, path, &sb, CONFIG_MAX_BYTES, &rerr) < 0) {
		sbuf_release(&sb);
		if (rerr.errno_ == ENOENT)
			return 0;
		if (err)
			berr_copy(err, &rerr);
		return berr_wrap(err, "%s", path);
	}
	*out = json_loadb(sbuf_str(&sb), sb.len, 0, &jerr);
	sbuf_release(&sb);
	if (!*out)
		return berr_set(err, BERR_INVALID, "%s: invalid JSON at line %d column %d: %s", path,
				jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return berr_set(err, BERR_INVALID, "%s: the top level must be a JSON object", path);
	}
	return 1;
}

/* ---- addresses and CIDRs ---- */

/* An IPv4-mapped IPv6 address counts as IPv4, as Go's IPNet.Contains does. */
static bool parse_ip(const char *s, struct ip_addr *out)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->b) != 1)
		return false;
	out->family = AF_INET6;
	if (memcmp(out->b, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(out->b, out->b + 12, 4);
		memset(out->b + 4, 0, 12);
		out->family = AF_INET;
	}
	return true;
}

/* Parses "addr/bits"; false when s is not a CIDR. */
static bool parse_cidr(const char *s, struct ip_addr *net, int *bits)
{
	const char *slash = strchr(s, '/');
	char *end;
	long n;

	if (!slash || slash == s || !slash[1])
		return false;
	_cleanup_free_ char *addr = xstrndup(s, (size_t)(slash - s));
	/* Go's ParseCIDR wants the address in its plain family form. */
	if (inet_pton(AF_INET, addr, net->b) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, net->b) == 1)
		net->family = AF_INET6;
	else
		return false;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (*end || errno || n < 0 || n > (net->family == AF_INET ? 32 : 128) || !isdigit((unsigned char)slash[1]))
		return false;
	*bits = (int)n;
	return true;
}

static bool cidr_contains(const struct ip_addr *net, int bits, const struct ip_addr *ip)
{
	int full = bits / 8, rest = bits % 8;

	if (net->family != ip->family)
		return false;
	if (memcmp(net->b, ip->b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->b[full] & mask) == (ip->b[full] & mask);
}

static bool cidr_string_contains(const char *cidr, const struct ip_addr *ip)
{
	struct ip_addr net;
	int bits;

	return parse_cidr(cidr, &net, &bits) && cidr_contains(&net, bits, ip);
}

/* The host part of "host[:port]", "[v6]:port" or a bare IPv6 literal. */
static char *host_without_port(const char *host)
{
	const char *colon;

	if (host[0] == '[') {
		const char *close = strchr(host, ']');

		return close ? xstrndup(host + 1, (size_t)(close - host - 1)) : xstrdup(host);
	}
	colon = strchr(host, ':');
	if (colon && !strchr(colon + 1, ':'))
		return xstrndup(host, (size_t)(colon - host));
	return xstrdup(host);
}

/* ---- daemon.json ---- */

/* Reads an array of strings; NULL key means an empty list. */
static int get_strv(json_t *root, const char *key, char ***out, const char *path, struct berr *err)
{
	json_t *arr = json_object_get(root, key), *v;
	size_t i;

	*out = xcalloc(1, sizeof(char *));
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return berr_set(err, BERR_INVALID, "%s: \"%s\" must be an array of strings", path, key);
	free(*out);
	*out = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return berr_set(err, BERR_INVALID, "%s: \"%s\" must be an array of strings", path, key);
		(*out)[i] = xstrdup(json_string_value(v));
	}
	return 0;
}

/* dockerd's ValidateMirror: an http(s) URL with no path, query, fragment or
 * user information. */
static int validate_mirror(const char *m, struct berr *err)
{
	const char *rest, *slash;

	if (strncmp(m, "http://", 7) == 0)
		rest = m + 7;
	else if (strncmp(m, "https://", 8) == 0)
		rest = m + 8;
	else
		return berr_set(err, BERR_INVALID, "invalid mirror: unsupported scheme in \"%s\"", m);
	slash = strchr(rest, '/');
	if (strpbrk(rest, "?#") || (slash && slash[1]))
		return berr_set(err, BERR_INVALID,
				"invalid mirror: path, query, or fragment at end of the URI \"%s\"", m);
	if (memchr(rest, '@', slash ? (size_t)(slash - rest) : strlen(rest)))
		return berr_set(err, BERR_INVALID, "invalid mirror: username/password not allowed in URI \"%s\"", m);
	if (rest[0] == '\0' || rest[0] == '/')
		return berr_set(err, BERR_INVALID, "invalid mirror: \"%s\" is not a valid URI", m);
	return 0;
}

static bool valid_host_char(char c)
{
	return isascii((unsigned char)c) && (isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_');
}

/* host[:port] with a numeric port, or [v6][:port]. */
static bool valid_host_port(const char *s)
{
	const char *port = NULL, *p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct ip_addr ip;

		if (!close)
			return false;
		_cleanup_free_ char *h = xstrndup(s + 1, (size_t)(close - s - 1));
		if (!parse_ip(h, &ip))
			return false;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return false;
	} else {
		for (p = s; *p && *p != ':'; p++)
			if (!valid_host_char(*p))
				return false;
		if (p == s)
			return false;
		if (*p == ':')
			port = p + 1;
	}
	if (!port)
		return true;
	if (!*port || strlen(port) > 5)
		return false;
	for (p = port; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return atoi(port) <= 65535;
}

/* dockerd's LoadInsecureRegistries checks; an "http://" or "https://"
 * prefix is dropped as dockerd drops it. */
static int normalize_insecure(char **entry, struct berr *err)
{
	char *r = *entry;
	size_t n = strlen(r);
	struct ip_addr net;
	int bits;

	if (n == 0 || r[0] == '-' || r[n - 1] == '-')
		return berr_set(err, BERR_INVALID,
				"invalid index name (%s). Cannot begin or end with a hyphen", r);
	if (strncasecmp(r, "http://", 7) == 0 || strncasecmp(r, "https://", 8) == 0) {
		char *stripped = xstrdup(strstr(r, "://") + 3);

		free(r);
		*entry = r = stripped;
	} else if (strstr(r, "://")) {
		return berr_set(err, BERR_INVALID, "insecure registry %s should not contain '://'", r);
	}
	if (parse_cidr(r, &net, &bits) || valid_host_port(r))
		return 0;
	return berr_set(err, BERR_INVALID, "insecure registry %s is not valid", r);
}

static int parse_daemon_json(struct berth_config *cfg, json_t *root, const char *path, struct berr *err)
{
	json_t *max = json_object_get(root, "max-concurrent-downloads");
	json_t *maxup = json_object_get(root, "max-concurrent-uploads");

	if (get_strv(root, "registry-mirrors", &cfg->mirrors, path, err) < 0 ||
	    get_strv(root, "insecure-registries", &cfg->insecure, path, err) < 0)
		return -1;
	for (char **m = cfg->mirrors; *m; m++)
		if (validate_mirror(*m, err) < 0)
			return berr_wrap(err, "%s", path);
	for (char **r = cfg->insecure; *r; r++)
		if (normalize_insecure(r, err) < 0)
			return berr_wrap(err, "%s", path);
	if (max && !json_is_null(max)) {
		if (!json_is_integer(max))
			return berr_set(err, BERR_INVALID, "%s: \"max-concurrent-downloads\" must be an integer", path);
		if (json_integer_value(max) < 0 || json_integer_value(max) > INT32_MAX)
			return berr_set(err, BERR_INVALID, "%s: invalid max concurrent downloads: %lld", path,
					(long long)json_integer_value(max));
		cfg->max_concurrent_downloads = (int)json_integer_value(max);
	}
	if (maxup && !json_is_null(maxup)) {
		if (!json_is_integer(maxup))
			return berr_set(err, BERR_INVALID, "%s: \"max-concurrent-uploads\" must be an integer", path);
		if (json_integer_value(maxup) < 0 || json_integer_value(maxup) > INT32_MAX)
			return berr_set(err, BERR_INVALID, "%s: invalid max concurrent uploads: %lld", path,
					(long long)json_integer_value(maxup));
		cfg->max_concurrent_uploads = (int)json_integer_value(maxup);
	}
	return 0;
}

static void config_defaults(struct berth_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mirrors = xcalloc(1, sizeof(char *));
	cfg->insecure = xcalloc(1, sizeof(char *));
	cfg->max_concurrent_downloads = DEFAULT_MAX_DOWNLOADS;
	cfg->max_concurrent_uploads = DEFAULT_MAX_UPLOADS;
}

int config_load(struct berth_config *out, const char *path, struct berr *err)
{
	const char *env = getenv("BERTH_CONFIG");
	bool explicit_path = path != NULL;
	json_t *root;
	int rc;

	config_defaults(out);
	if (!path)
		path = env && *env ? env : DEFAULT_CONFIG_PATH;
	rc = load_json_file(path, &root, err);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		/* Like dockerd: only a file named on the command line must exist. */
		if (!explicit_path)
			return 0;
		berr_set(err, BERR_NOT_FOUND, "%s: no such file", path);
		goto fail;
	}
	free_strv(out->mirrors);
	free_strv(out->insecure);
	out->mirrors = out->insecure = NULL;
	rc = parse_daemon_json(out, root, path, err);
	json_decref(root);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	config_release(out);
	return -1;
}

void config_release(struct berth_config *cfg)
{
	free_strv(cfg->mirrors);
	free_strv(cfg->insecure);
	memset(cfg, 0, sizeof(*cfg));
}

static bool is_loopback(const char *bare)
{
	struct ip_addr ip;

	if (strcasecmp(bare, "localhost") == 0)
		return true;
	if (!parse_ip(bare, &ip))
		return false;
	return cidr_string_contains("127.0.0.0/8", &ip) || cidr_string_contains("::1/128", &ip);
}

int config_is_insecure(const struct berth_config *cfg, const char *host)
{
	_cleanup_free_ char *bare = host_without_port(host);
	struct ip_addr ip;
	bool is_ip = parse_ip(bare, &ip);

	if (is_loopback(bare))
		return 1;
	if (!cfg || !cfg->insecure)
		return 0;
	for (char **r = cfg->insecure; *r; r++) {
		if (strcmp(*r, host) == 0)
			return 1;
		if (is_ip && cidr_string_contains(*r, &ip))
			return 1;
	}
	return 0;
}

/* ---- docker CLI credentials ---- */

/* "auth": base64("user:password"); the password loses NUL padding. */
static int decode_auth(const char *auth, char **user, char **pass, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf raw = SBUF_INIT;
	const char *colon;
	size_t start, end;

	if (base64_decode(&raw, auth, strlen(auth), NULL) < 0)
		return berr_set(err, BERR_INVALID, "illegal base64 data in \"auth\"");
	colon = memchr(raw.buf ? raw.buf : "", ':', raw.len);
	if (!colon)
		return berr_set(err, BERR_INVALID, "invalid auth configuration file");
	start = (size_t)(colon - raw.buf) + 1;
	end = raw.len;
	while (start < end && raw.buf[start] == '\0')
		start++;
	while (end > start && raw.buf[end - 1] == '\0')
		end--;
	*user = xstrndup(raw.buf, (size_t)(colon - raw.buf));
	*pass = xstrndup(raw.buf + start, end - start);
	return 0;
}

/* The CLI's ConvertToHostname: drop the scheme and everything after the
 * first '/'. */
static char *key_hostname(const char *key)
{
	const char *s = key;

	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	return xstrndup(s, strcspn(s, "/"));
}

static bool is_docker_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	       strcmp(host, "registry-1.docker.io") == 0;
}

/* The CLI's fileStore.Get: the exact key first, then the first key whose
 * hostname is the server address.  Docker Hub's address is a URL, so for
 * it only the exact INDEX_SERVER key can match. */
static json_t *find_auth_entry(json_t *auths, const char *host)
{
	const char *server = is_docker_hub(host) ? INDEX_SERVER : host;
	json_t *entry = json_object_get(auths, server), *v;
	const char *key;

	if (entry)
		return entry;
	json_object_foreach(auths, key, v) {
		_cleanup_free_ char *h = key_hostname(key);

		if (strcmp(h, server) == 0)
			return v;
	}
	return NULL;
}

static const char *entry_string(json_t *entry, const char *key)
{
	const char *s = json_string_value(json_object_get(entry, key));

	return s && *s ? s : NULL;
}

static int entry_fields(json_t *entry, char **user, char **pass, struct berr *err)
{
	const char *token = entry_string(entry, "identitytoken");
	const char *auth = entry_string(entry, "auth");
	const char *u = entry_string(entry, "username"), *p = entry_string(entry, "password");

	if (token) {
		*user = xstrdup("<token>");
		*pass = xstrdup(token);
		return 0;
	}
	if (auth)
		return decode_auth(auth, user, pass, err);
	if (u || p) {
		*user = xstrdup(u ? u : "");
		*pass = xstrdup(p ? p : "");
	}
	return 0;
}

static int entry_credentials(json_t *entry, char **user, char **pass, struct berr *err)
{
	if (!json_is_object(entry))
		return berr_set(err, BERR_INVALID, "an \"auths\" entry is not an object");
	return entry_fields(entry, user, pass, err);
}

char *dockercfg_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");

	if (dir && *dir)
		return xasprintf("%s/config.json", dir);
	if (!home || !*home) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || !res)
			return NULL;
		return xasprintf("%s/.docker/config.json", res->pw_dir);
	}
	return xasprintf("%s/.docker/config.json", home);
}

/* The CLI's getConfiguredCredentialStore: credHelpers[key], else
 * credsStore; NULL for the plain-text file.  Borrowed from root. */
const char *dockercfg_helper(json_t *root, const char *key)
{
	const char *h = json_string_value(json_object_get(json_object_get(root, "credHelpers"), key));

	if (h && *h)
		return h;
	h = json_string_value(json_object_get(root, "credsStore"));
	return h && *h ? h : NULL;
}

int dockercfg_get_auth(const char *host, char **user, char **pass, struct berr *err)
{
	_cleanup_free_ char *path = dockercfg_path();
	json_t *root, *auths, *entry;
	const char *helper;
	int rc;

	*user = *pass = NULL;
	if (!path)
		return 0;
	rc = load_json_file(path, &root, err);
	if (rc <= 0)
		return rc;
	auths = json_object_get(root, "auths");
	if (auths && !json_is_object(auths) && !json_is_null(auths)) {
		json_decref(root);
		return berr_set(err, BERR_INVALID, "%s: \"auths\" must be an object", path);
	}
	helper = dockercfg_helper(root, is_docker_hub(host) ? INDEX_SERVER : host);
	if (helper) {
		struct berr herr = BERR_INIT;

		/* Like docker's CLI resolving credentials for a pull: a
		 * helper's failure means no credentials, not an error. */
		if (credhelper_get(helper, is_docker_hub(host) ? INDEX_SERVER : host, user, pass, &herr) != 0) {
			free(*user);
			free(*pass);
			*user = *pass = NULL;
		}
		json_decref(root);
		return 0;
	}
	entry = json_is_object(auths) ? find_auth_entry(auths, host) : NULL;
	rc = entry ? entry_credentials(entry, user, pass, err) : 0;
	json_decref(root);
	if (rc < 0)
		return berr_wrap(err, "%s: %s", path, host);
	return 0;
}
