/*
 * registry.h - registry accounts and search: docker login, logout, search.
 *
 * Part of the public API: include <berth/berth.h>, or this header alone.
 */
#ifndef BERTH_REGISTRY_H
#define BERTH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>
#include <berth/error.h>

/* No store needed: these take the daemon.json path (NULL: the default
 * lookup of berth_open) and use docker's client config for credentials
 * ($DOCKER_CONFIG/config.json or ~/.docker/config.json, or the credential
 * helper it names). */

#define BERTH_REGISTRY_INDEX_SERVER "https://index.docker.io/v1/"

/* Docker's ConvertToHostname: "https://host:port/path" -> "host:port" (free()). */
char *berth_registry_hostname(const char *server);
/* The key `docker login SERVER` stores credentials under: BERTH_REGISTRY_INDEX_SERVER
 * for NULL, "", "docker.io" and BERTH_REGISTRY_INDEX_SERVER, else the hostname. */
char *berth_registry_login_key(const char *server);
/* Credentials stored for key, *user and *pass NULL when there are none (a
 * credential helper's failure counts as none, as in docker). */
int berth_registry_login_stored(const char *key, char **user, char **pass, struct berr *err);
/* Checks user/pass against the registry of key as dockerd's /auth does:
 * GET /v2/, then Basic credentials or a token from the Bearer realm.
 * Errors are docker's ("login attempt to https://h/v2/ failed with status:
 * 401 Unauthorized", "Get \"http://h/v2/\": unauthorized: ..."). */
int berth_registry_login_check(const char *config_path, const char *key, const char *user, const char *pass,
		      struct berr *err);
/* The file berth_registry_login_save would write the password into in plain text
 * (free()), or NULL when a credential helper stores it. */
char *berth_registry_login_plaintext_path(const char *key);
/* Stores the credentials as docker's CLI does: through the credential
 * helper, or in config.json (0600 when new, docker's layout, other keys
 * kept).  Errors: "error storing credentials - err: ..., out: `...`". */
int berth_registry_login_save(const char *key, const char *user, const char *pass, struct berr *err);
/* Erases each of keys from the credential helper and config.json;
 * errs[i] (n of them) tells each key's result.  Returns the number of
 * keys that failed, or -1 with err set when config.json cannot be written. */
int berth_registry_logout(const char *const *keys, size_t n, struct berr *errs, struct berr *err);

struct berth_registry_search_result {
	char *name;
	char *description;
	int64_t star_count;
	int is_official, is_automated;
};
struct berth_registry_search_opts {
	int limit;                  /* docker's --limit: 1..100 */
	const char *const *filters; /* "stars=N", "is-official=B", "is-automated=B"; NULL-terminated or NULL */
};
/* The checks the docker CLI makes on a search term before asking its
 * daemon ("invalid index name (-x-). Cannot begin or end with a hyphen"). */
int berth_registry_search_check_term(const char *term, struct berr *err);
/* Docker 20.10's image search: the v1 search API of the registry the term
 * names (default Docker Hub's index), the daemon's filters and errors,
 * sorted by stars (descending, ties in the registry's order).  A registry
 * without the v1 API (404) is listed through /v2/_catalog instead: the
 * repositories containing the term, named "host/repo", no stars. */
int berth_registry_search(const char *config_path, const char *term, const struct berth_registry_search_opts *opts,
		 struct berth_registry_search_result **out, size_t *n, struct berr *err);
void berth_registry_search_results_free(struct berth_registry_search_result *v, size_t n);

#endif
