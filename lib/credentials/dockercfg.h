/*
 * dockercfg.h - reading credentials from Docker's client config, with the
 * docker CLI's lookup rules: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json, "auths": {"host": {"auth": base64(user:pass)}}
 * (and "identitytoken"); Docker Hub is keyed "https://index.docker.io/v1/"
 * as docker keys it.  When the file names a credential helper
 * ("credHelpers": {"host": "name"} or "credsStore": "name"),
 * docker-credential-<name> is asked instead (helper.h).  Writing the file
 * (login, logout) is store.c's.
 */
#ifndef BERTH_CREDENTIALS_DOCKERCFG_H
#define BERTH_CREDENTIALS_DOCKERCFG_H

#include <jansson.h>

#include "../util/err.h"

/* config.json is small; the bound only stops a runaway file. */
#define DOCKERCFG_MAX_BYTES (4 << 20)

/* Credentials for a registry host ("host[:port]", or a config.json key)
 * from Docker's config.json.  Sets *user and *pass (free() them) or leaves
 * both NULL when none is stored; an identitytoken is returned as *pass
 * with *user = "<token>".  Returns -1 only for a malformed file. */
int dockercfg_get_auth(const char *host, char **user, char **pass, struct berr *err);

/* docker's client config file: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json (free(); NULL when there is no home). */
char *dockercfg_path(void);
/* The credential helper docker uses for key ("host:port", or
 * "https://index.docker.io/v1/"): credHelpers[key], else credsStore; NULL
 * for config.json itself.  root is the parsed config.json; borrowed. */
const char *dockercfg_helper(json_t *root, const char *key);

#endif
