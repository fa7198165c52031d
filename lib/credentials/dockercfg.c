/*
 * dockercfg.c - credentials from the docker CLI's config.json "auths" or
 * the credential helper it names, with the CLI's lookup rules
 * (cli/config/configfile, cli/config/credentials); see dockercfg.h.
 */
#include "dockercfg.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <berth/berth.h>

#include "../hub.h"
#include "../util/base64.h"
#include "../util/jsonfile.h"
#include "../util/sbuf.h"
#include "helper.h"

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
char *berth_registry_hostname(const char *server)
{
	const char *s = server;

	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	return xstrndup(s, strcspn(s, "/"));
}

/* The key the CLI keeps a registry host's credentials under: Docker Hub's
 * is a URL (see hub.h), any other host is its own key.  Borrowed. */
static const char *registry_key(const char *host)
{
	return hub_is_registry(host) ? HUB_INDEX_SERVER : host;
}

/* The CLI's fileStore.Get: the exact key first, then the first key whose
 * hostname is the server address.  Docker Hub's address is a URL, so for
 * it only the exact HUB_INDEX_SERVER key can match. */
static json_t *find_auth_entry(json_t *auths, const char *host)
{
	const char *server = registry_key(host);
	json_t *entry = json_object_get(auths, server), *v;
	const char *key;

	if (entry)
		return entry;
	json_object_foreach(auths, key, v) {
		_cleanup_free_ char *h = berth_registry_hostname(key);

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
	rc = json_file_load(path, DOCKERCFG_MAX_BYTES, &root, err);
	if (rc <= 0)
		return rc;
	auths = json_object_get(root, "auths");
	if (auths && !json_is_object(auths) && !json_is_null(auths)) {
		json_decref(root);
		return berr_set(err, BERR_INVALID, "%s: \"auths\" must be an object", path);
	}
	helper = dockercfg_helper(root, registry_key(host));
	if (helper) {
		struct berr herr = BERR_INIT;

		/* Like docker's CLI resolving credentials for a pull: a
		 * helper's failure means no credentials, not an error. */
		if (credhelper_get(helper, registry_key(host), user, pass, &herr) != 0) {
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
