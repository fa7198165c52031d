/*
 * store.c - the docker CLI's credential stores for login and logout
 * (cli/config/credentials): the plain-text file store in config.json and
 * the native store of a credential helper, which keeps an empty entry in
 * config.json's "auths" so that logout still finds the key.
 *
 * config.json is written as the CLI's ConfigFile.Save writes it:
 * json.MarshalIndent with tabs, no final newline, "auths" first (its keys
 * sorted, each entry reduced to "auth" = base64(user:pass) plus the fields
 * docker keeps), through a temp file and a rename, keeping the old file's
 * mode (0600 for a new one).  Unlike docker, keys berth does not know are
 * kept, after docker's own, in their order.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <berth/berth.h>

#include "../format/gojson.h"
#include "../hub.h"
#include "../util/base64.h"
#include "../util/fs.h"
#include "../util/sbuf.h"
#include "dockercfg.h"
#include "helper.h"

/* ConfigFile's JSON fields in struct order; the map-typed ones are Go
 * maps, written with sorted keys. */
static const struct {
	const char *key;
	int is_map;
} cfg_fields[] = {
	{ "auths", 1 }, { "HttpHeaders", 1 }, { "psFormat", 0 }, { "imagesFormat", 0 },
	{ "networksFormat", 0 }, { "pluginsFormat", 0 }, { "volumesFormat", 0 }, { "statsFormat", 0 },
	{ "detachKeys", 0 }, { "credsStore", 0 }, { "credHelpers", 1 }, { "serviceInspectFormat", 0 },
	{ "servicesFormat", 0 }, { "tasksFormat", 0 }, { "secretFormat", 0 }, { "configFormat", 0 },
	{ "nodesFormat", 0 }, { "pruneFilters", 0 }, { "proxies", 1 }, { "experimental", 0 },
	{ "stackOrchestrator", 0 }, { "kubernetes", 0 }, { "currentContext", 0 },
	{ "cliPluginsExtraDirs", 0 }, { "plugins", 1 }, { "aliases", 1 },
};

char *berth_registry_login_key(const char *server)
{
	if (hub_is_login_default(server))
		return xstrdup(HUB_INDEX_SERVER);
	return berth_registry_hostname(server);
}

int berth_registry_login_stored(const char *key, char **user, char **pass, struct berr *err)
{
	return dockercfg_get_auth(key, user, pass, err);
}

/* Reads config.json: 1 with *root, 0 when missing (*root a new object). */
static int load_cfg(const char *path, json_t **root, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf sb = SBUF_INIT;
	struct berr rerr = BERR_INIT;
	json_error_t jerr;

	*root = NULL;
	if (read_file_at(AT_FDCWD, path, &sb, DOCKERCFG_MAX_BYTES, &rerr) < 0) {
		if (rerr.errno_ != ENOENT) {
			berr_copy(err, &rerr);
			return -1;
		}
		*root = json_object();
		return 0;
	}
	/* An empty file is an empty config to docker. */
	if (sb.len == 0) {
		*root = json_object();
		return 1;
	}
	*root = json_loadb(sbuf_str(&sb), sb.len, JSON_DECODE_ANY, &jerr);
	if (!*root || !json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return berr_set(err, BERR_INVALID, "loading config file: %s: invalid JSON at line %d column %d: %s",
				path, jerr.line, jerr.column, jerr.text);
	}
	return 1;
}

char *berth_registry_login_plaintext_path(const char *key)
{
	char *path = dockercfg_path();
	json_t *root = NULL;
	int plain;

	if (!path)
		return NULL;
	if (load_cfg(path, &root, NULL) < 0) {
		/* berth_registry_login_save will report the broken file. */
		return path;
	}
	plain = dockercfg_helper(root, key) == NULL;
	json_decref(root);
	if (!plain) {
		free(path);
		return NULL;
	}
	return path;
}

/* A copy of obj with its keys in sorted order (a Go map). */
static json_t *sorted_copy(json_t *obj)
{
	const char **keys;
	size_t n = json_object_size(obj), i = 0;
	const char *k;
	json_t *v, *out = json_object();

	keys = xcalloc(n + 1, sizeof(*keys));
	json_object_foreach(obj, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), str_ptr_cmp);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	return out;
}

/* An auths entry as SaveToWriter leaves it: username and password folded
 * into "auth", serveraddress dropped, then docker's other fields. */
static json_t *entry_for_save(json_t *e)
{
	static const char *const keep[] = { "email", "identitytoken", "registrytoken" };
	const char *u = json_string_value(json_object_get(e, "username"));
	const char *p = json_string_value(json_object_get(e, "password"));
	const char *auth = json_string_value(json_object_get(e, "auth"));
	json_t *out = json_object(), *v;
	const char *k;

	if (!json_is_object(e))
		return out;
	if ((u && *u) || (p && *p)) {
		_cleanup_sbuf_ struct sbuf raw = SBUF_INIT, enc = SBUF_INIT;

		sbuf_addf(&raw, "%s:%s", u ? u : "", p ? p : "");
		base64_encode(&enc, raw.buf, raw.len);
		json_object_set_new(out, "auth", json_string(sbuf_str(&enc)));
	} else if (auth && *auth) {
		json_object_set_new(out, "auth", json_string(auth));
	}
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *s = json_string_value(json_object_get(e, keep[i]));

		if (s && *s)
			json_object_set_new(out, keep[i], json_string(s));
	}
	json_object_foreach(e, k, v) {
		if (strcmp(k, "username") && strcmp(k, "password") && strcmp(k, "auth") &&
		    strcmp(k, "serveraddress") && !json_object_get(out, k) && strcmp(k, "email") &&
		    strcmp(k, "identitytoken") && strcmp(k, "registrytoken"))
			json_object_set(out, k, v);
	}
	return out;
}

static int is_empty_value(json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
	       (json_is_object(v) && !json_object_size(v)) || (json_is_array(v) && !json_array_size(v));
}

/* The document ConfigFile.SaveToWriter marshals. */
static json_t *doc_for_save(json_t *root)
{
	json_t *out = json_object(), *auths = json_object_get(root, "auths"), *sorted, *v;
	const char *k;

	sorted = json_is_object(auths) ? sorted_copy(auths) : json_object();
	json_object_foreach(sorted, k, v)
		json_object_set_new(sorted, k, entry_for_save(v));
	json_object_set_new(out, "auths", sorted);
	for (size_t i = 1; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]); i++) {
		v = json_object_get(root, cfg_fields[i].key);
		/* omitempty, as every field but "auths" is. */
		if (is_empty_value(v) || (json_is_false(v)))
			continue;
		if (cfg_fields[i].is_map && json_is_object(v)) {
			json_t *m = sorted_copy(v);

			/* The CLI never stores its own User-Agent header. */
			if (!strcmp(cfg_fields[i].key, "HttpHeaders")) {
				const char *hk;
				void *tmp;

				json_object_foreach_safe(m, tmp, hk, v)
					if (!strcasecmp(hk, "User-Agent"))
						json_object_del(m, hk);
			}
			json_object_set_new(out, cfg_fields[i].key, m);
		} else {
			json_object_set(out, cfg_fields[i].key, v);
		}
	}
	json_object_foreach(root, k, v)
		if (!json_object_get(out, k) && !is_empty_value(v)) {
			size_t i;

			for (i = 0; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]); i++)
				if (!strcmp(cfg_fields[i].key, k))
					break;
			if (i == sizeof(cfg_fields) / sizeof(cfg_fields[0]))
				json_object_set(out, k, v);
		}
	return out;
}

static int save_cfg(const char *path, json_t *root, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf out = SBUF_INIT;
	_cleanup_free_ char *dir = NULL, *target = NULL;
	json_t *doc = doc_for_save(root);
	mode_t mode = 0600;
	struct stat st;
	char *slash;

	gojson_write(&out, doc, "", "\t");
	json_decref(doc);
	/* Like the CLI, write through a symlinked config.json to its target. */
	target = realpath(path, NULL);
	if (!target)
		target = xstrdup(path);
	dir = xstrdup(target);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
			return berr_wrap(err, "saving config file");
	}
	if (stat(target, &st) == 0)
		mode = st.st_mode & 07777;
	if (atomic_write_at(AT_FDCWD, target, out.buf ? out.buf : "", out.len, mode, err) < 0)
		return berr_wrap(err, "saving config file");
	return 0;
}

static json_t *auths_of(json_t *root)
{
	json_t *auths = json_object_get(root, "auths");

	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(root, "auths", auths);
	}
	return auths;
}

int berth_registry_login_save(const char *key, const char *user, const char *pass, struct berr *err)
{
	_cleanup_free_ char *path = dockercfg_path();
	const char *helper;
	json_t *root, *entry;
	int rc;

	if (!path)
		return berr_set(err, BERR_INTERNAL, "Error saving credentials: no home directory for config.json");
	if (load_cfg(path, &root, err) < 0)
		return berr_wrap(err, "Error saving credentials");
	helper = dockercfg_helper(root, key);
	entry = json_object();
	if (helper) {
		if (credhelper_store(helper, key, user, pass, err) < 0) {
			json_decref(entry);
			json_decref(root);
			return berr_wrap(err, "Error saving credentials");
		}
	} else {
		json_object_set_new(entry, "username", json_string(user));
		json_object_set_new(entry, "password", json_string(pass));
	}
	/* The native store keeps a fileStore entry without secrets (docker
	 * keeps the email there). */
	json_object_set_new(auths_of(root), key, entry);
	rc = save_cfg(path, root, err);
	json_decref(root);
	if (rc < 0)
		return berr_wrap(err, "Error saving credentials");
	return 0;
}

int berth_registry_logout(const char *const *keys, size_t n, struct berr *errs, struct berr *err)
{
	_cleanup_free_ char *path = dockercfg_path();
	json_t *root;
	int failed = 0, rc;

	if (!path)
		return berr_set(err, BERR_INTERNAL, "no home directory for config.json");
	if (load_cfg(path, &root, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *helper = dockercfg_helper(root, keys[i]);

		berr_clear(&errs[i]);
		if (helper && credhelper_erase(helper, keys[i], &errs[i]) < 0) {
			failed++;
			continue;
		}
		json_object_del(auths_of(root), keys[i]);
	}
	/* Docker's fileStore.Erase saves even when nothing changed. */
	rc = save_cfg(path, root, err);
	json_decref(root);
	return rc < 0 ? -1 : failed;
}
