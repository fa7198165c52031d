/*
 * hub.h - Docker Hub's names, written down once.  Docker spells Hub four
 * ways, each in its own place:
 *   "docker.io"                   references' default domain, the index name
 *   "index.docker.io"             the index's host (its v1 API, search); as a
 *                                 reference domain or index name, the legacy
 *                                 spelling of docker.io
 *   "registry-1.docker.io"        where Hub's distribution API answers
 *   "https://index.docker.io/v1/" the key of Hub's credentials in
 *                                 config.json (BERTH_REGISTRY_INDEX_SERVER)
 * Which of them count as Hub depends on the question (see each function);
 * the callers ask the question they mean rather than keeping lists.
 */
#ifndef BERTH_HUB_H
#define BERTH_HUB_H

#include <stdbool.h>

#include <berth/berth.h>

#define HUB_DOMAIN "docker.io"
#define HUB_INDEX_HOST "index.docker.io"
#define HUB_REGISTRY "registry-1.docker.io"
#define HUB_INDEX_SERVER BERTH_REGISTRY_INDEX_SERVER

/* A registry host ("host[:port]") that is Docker Hub for pulls, pushes,
 * logins and credential lookups: the two domains and HUB_REGISTRY. */
bool hub_is_registry(const char *host);
/* docker's normalizeIndexName: HUB_INDEX_HOST -> HUB_DOMAIN, other
 * names as they are (borrowed from name or static).  HUB_REGISTRY is not
 * the index: docker searches it as a private one. */
const char *hub_index_name(const char *name);
/* The docker CLI's "default registry" test for `login SERVER`: NULL, "",
 * HUB_DOMAIN and HUB_INDEX_SERVER; not the other spellings, which docker
 * keys by their hostname. */
bool hub_is_login_default(const char *server);

/* $BERTH_HUB_HOST when set (tests stand it in for Docker Hub so nothing
 * leaves the machine), else NULL. */
const char *hub_host_override(void);
/* Where Hub's registry API is reached: the override, else HUB_REGISTRY. */
const char *hub_registry_host(void);

#endif
