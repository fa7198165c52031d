/*
 * config.c - daemon.json (config.h): the file read once, then one parser
 * per section of settings, each validating its keys as dockerd does; and
 * the plain-HTTP decision for a registry host.
 *
 * A new key goes into its section's parser (and struct field, default and
 * release); a new concern (runtimes, logging, networks) gets a section of
 * its own: a parse_*_settings function called from parse_daemon_json.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "util/ipnet.h"
#include "util/jsonfile.h"
#include "util/sbuf.h"

#define DEFAULT_CONFIG_PATH "/etc/berth/daemon.json"
#define DEFAULT_MAX_DOWNLOADS 3
#define DEFAULT_MAX_UPLOADS 5
#define DEFAULT_EXEC_ROOT "/run/berth"
/* The file is small; the bound only stops a runaway file. */
#define CONFIG_MAX_BYTES (4 << 20)

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ---- value readers shared by the sections ---- */

/* An array of strings; an absent or null key is an empty list. */
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

/* A non-negative int32; an absent or null key leaves *out as it is.  what
 * names it in the range error, as dockerd does ("max concurrent downloads"). */
static int get_count(json_t *root, const char *key, const char *what, int *out, const char *path,
		     struct berr *err)
{
	json_t *v = json_object_get(root, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return berr_set(err, BERR_INVALID, "%s: \"%s\" must be an integer", path, key);
	if (json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
		return berr_set(err, BERR_INVALID, "%s: invalid %s: %lld", path, what, (long long)json_integer_value(v));
	*out = (int)json_integer_value(v);
	return 0;
}

/* ---- registries: registry-mirrors, insecure-registries ---- */

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
		if (!ip_parse(h, &ip))
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
	struct ip_net net;

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
	if (ip_net_parse(r, &net) || valid_host_port(r))
		return 0;
	return berr_set(err, BERR_INVALID, "insecure registry %s is not valid", r);
}

static void registry_defaults(struct berth_config *cfg)
{
	cfg->mirrors = xcalloc(1, sizeof(char *));
	cfg->insecure = xcalloc(1, sizeof(char *));
}

static void registry_release(struct berth_config *cfg)
{
	free_strv(cfg->mirrors);
	free_strv(cfg->insecure);
	cfg->mirrors = cfg->insecure = NULL;
}

static int parse_registry_settings(struct berth_config *cfg, json_t *root, const char *path, struct berr *err)
{
	registry_release(cfg);
	if (get_strv(root, "registry-mirrors", &cfg->mirrors, path, err) < 0 ||
	    get_strv(root, "insecure-registries", &cfg->insecure, path, err) < 0)
		return -1;
	for (char **m = cfg->mirrors; *m; m++)
		if (validate_mirror(*m, err) < 0)
			return berr_wrap(err, "%s", path);
	for (char **r = cfg->insecure; *r; r++)
		if (normalize_insecure(r, err) < 0)
			return berr_wrap(err, "%s", path);
	return 0;
}

static bool is_loopback(const char *bare)
{
	struct ip_addr ip;

	if (strcasecmp(bare, "localhost") == 0)
		return true;
	if (!ip_parse(bare, &ip))
		return false;
	return ip_net_string_contains("127.0.0.0/8", &ip) || ip_net_string_contains("::1/128", &ip);
}

int config_is_insecure(const struct berth_config *cfg, const char *host)
{
	_cleanup_free_ char *bare = host_without_port(host);
	struct ip_addr ip;
	bool is_ip = ip_parse(bare, &ip);

	if (is_loopback(bare))
		return 1;
	if (!cfg || !cfg->insecure)
		return 0;
	for (char **r = cfg->insecure; *r; r++) {
		if (strcmp(*r, host) == 0)
			return 1;
		if (is_ip && ip_net_string_contains(*r, &ip))
			return 1;
	}
	return 0;
}

/* ---- transfers: max-concurrent-downloads, max-concurrent-uploads ---- */

static void transfer_defaults(struct berth_config *cfg)
{
	cfg->max_concurrent_downloads = DEFAULT_MAX_DOWNLOADS;
	cfg->max_concurrent_uploads = DEFAULT_MAX_UPLOADS;
}

static int parse_transfer_settings(struct berth_config *cfg, json_t *root, const char *path, struct berr *err)
{
	if (get_count(root, "max-concurrent-downloads", "max concurrent downloads", &cfg->max_concurrent_downloads,
		      path, err) < 0 ||
	    get_count(root, "max-concurrent-uploads", "max concurrent uploads", &cfg->max_concurrent_uploads, path,
		      err) < 0)
		return -1;
	return 0;
}

/* ---- runtimes: exec-root, default-runtime, runtimes ---- */

static const struct config_runtime builtin_runtimes[] = {
	{ "runc", "runc", NULL },
	{ "crun", "crun", NULL },
};

static void runtime_defaults(struct berth_config *cfg)
{
	cfg->exec_root = xstrdup(DEFAULT_EXEC_ROOT);
	cfg->default_runtime = xstrdup("runc");
}

static void runtime_release(struct berth_config *cfg)
{
	free(cfg->exec_root);
	free(cfg->default_runtime);
	for (size_t i = 0; i < cfg->n_runtimes; i++) {
		free(cfg->runtimes[i].name);
		free(cfg->runtimes[i].path);
		free_strv(cfg->runtimes[i].args);
	}
	free(cfg->runtimes);
}

static int get_string(json_t *root, const char *key, char **out, const char *path, struct berr *err)
{
	json_t *v = json_object_get(root, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return berr_set(err, BERR_INVALID, "%s: \"%s\" must be a non-empty string", path, key);
	free(*out);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int parse_runtime_entry(struct config_runtime *rt, const char *name, json_t *v, const char *path,
			       struct berr *err)
{
	rt->name = xstrdup(name);
	if (!json_is_object(v) || get_string(v, "path", &rt->path, path, err) < 0 || !rt->path)
		return berr_set(err, BERR_INVALID, "%s: runtime %s: \"path\" must be a non-empty string", path, name);
	return get_strv(v, "runtimeArgs", &rt->args, path, err);
}

static int parse_runtime_settings(struct berth_config *cfg, json_t *root, const char *path, struct berr *err)
{
	json_t *rts = json_object_get(root, "runtimes"), *v;
	const char *name;

	if (get_string(root, "exec-root", &cfg->exec_root, path, err) < 0 ||
	    get_string(root, "default-runtime", &cfg->default_runtime, path, err) < 0)
		return -1;
	if (cfg->exec_root[0] != '/')
		return berr_set(err, BERR_INVALID, "%s: \"exec-root\" must be an absolute path", path);
	if (rts && !json_is_null(rts)) {
		if (!json_is_object(rts))
			return berr_set(err, BERR_INVALID, "%s: \"runtimes\" must be an object", path);
		cfg->runtimes = xcalloc(json_object_size(rts) + 1, sizeof(*cfg->runtimes));
		json_object_foreach(rts, name, v)
			if (parse_runtime_entry(&cfg->runtimes[cfg->n_runtimes++], name, v, path, err) < 0)
				return -1;
	}
	if (!config_runtime(cfg, NULL))
		return berr_set(err, BERR_INVALID, "%s: default runtime %s is not a configured runtime", path,
				cfg->default_runtime);
	return 0;
}

const struct config_runtime *config_runtime(const struct berth_config *cfg, const char *name)
{
	if (!name || !*name)
		name = cfg->default_runtime;
	for (size_t i = 0; i < cfg->n_runtimes; i++)
		if (!strcmp(cfg->runtimes[i].name, name))
			return &cfg->runtimes[i];
	for (size_t i = 0; i < sizeof(builtin_runtimes) / sizeof(builtin_runtimes[0]); i++)
		if (!strcmp(builtin_runtimes[i].name, name))
			return &builtin_runtimes[i];
	return NULL;
}

/* ---- the file ---- */

static void config_defaults(struct berth_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	registry_defaults(cfg);
	transfer_defaults(cfg);
	runtime_defaults(cfg);
}

/* The sections in the order their errors take precedence. */
static int parse_daemon_json(struct berth_config *cfg, json_t *root, const char *path, struct berr *err)
{
	if (parse_registry_settings(cfg, root, path, err) < 0 || parse_transfer_settings(cfg, root, path, err) < 0 ||
	    parse_runtime_settings(cfg, root, path, err) < 0)
		return -1;
	return 0;
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
	rc = json_file_load(path, CONFIG_MAX_BYTES, &root, err);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		/* Like dockerd: only a file named on the command line must exist. */
		if (!explicit_path)
			return 0;
		berr_set(err, BERR_NOT_FOUND, "%s: no such file", path);
		goto fail;
	}
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
	registry_release(cfg);
	runtime_release(cfg);
	memset(cfg, 0, sizeof(*cfg));
}
