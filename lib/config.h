/*
 * config.h - berth's daemon-level settings, read from a JSON file that uses
 * Docker's daemon.json keys, so an existing daemon.json works unchanged:
 *   "registry-mirrors": ["http://127.0.0.1:5000"]
 *   "insecure-registries": ["myreg:5000", "10.0.0.0/8"]
 *   "max-concurrent-downloads": 3
 * Unknown keys are ignored (Docker's file has many berth does not use).
 * The file is $BERTH_CONFIG, else /etc/berth/daemon.json; a missing file
 * means defaults, except a path passed explicitly (--config), which must
 * exist, as with dockerd's --config-file.
 *
 * Credentials come from Docker's client config: $DOCKER_CONFIG/config.json,
 * else ~/.docker/config.json, "auths": {"host": {"auth": base64(user:pass)}}
 * (and "identitytoken"); index.docker.io is keyed
 * "https://index.docker.io/v1/" as docker does.  When the file names a
 * credential helper ("credHelpers": {"host": "name"} or "credsStore":
 * "name"), docker-credential-<name> is asked instead (credhelper.h).
 */
#ifndef BERTH_CONFIG_H
#define BERTH_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

struct berth_config {
	char **mirrors;           /* NULL-terminated; URLs as written */
	char **insecure;          /* NULL-terminated; host[:port] or CIDR */
	int max_concurrent_downloads; /* default 3 like docker; berth uses it as given */
	int max_concurrent_uploads;   /* default 5 like docker */
};

/* path NULL: the default lookup above. */
int config_load(struct berth_config *out, const char *path, struct berr *err);
void config_release(struct berth_config *cfg);

/* 1 if host ("host[:port]") must be reached over plain HTTP: loopback
 * 127.0.0.0/8 and ::1, "localhost", or listed in insecure-registries
 * (by exact host[:port] or by CIDR match of an IP literal). */
int config_is_insecure(const struct berth_config *cfg, const char *host);

/* Credentials for a registry host from Docker's config.json.  Sets *user and
 * *pass (free() them) or leaves both NULL when none is stored; an
 * identitytoken is returned as *pass with *user = "<token>".  Returns -1 only
 * for a malformed file. */
int dockercfg_get_auth(const char *host, char **user, char **pass, struct berr *err);

/* docker's client config file: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json (free(); NULL when there is no home). */
char *dockercfg_path(void);
/* The credential helper docker uses for key ("host:port", or
 * "https://index.docker.io/v1/"): credHelpers[key], else credsStore; NULL
 * for config.json itself.  root is the parsed config.json; borrowed. */
const char *dockercfg_helper(json_t *root, const char *key);

#endif
