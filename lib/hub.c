/* hub.c - Docker Hub's names (hub.h). */
#include "hub.h"

#include <stdlib.h>
#include <string.h>

bool hub_is_registry(const char *host)
{
	return !strcmp(host, HUB_DOMAIN) || !strcmp(host, HUB_INDEX_HOST) || !strcmp(host, HUB_REGISTRY);
}

const char *hub_index_name(const char *name)
{
	return strcmp(name, HUB_INDEX_HOST) ? name : HUB_DOMAIN;
}

bool hub_is_login_default(const char *server)
{
	return !server || !*server || !strcmp(server, HUB_DOMAIN) || !strcmp(server, HUB_INDEX_SERVER);
}

const char *hub_host_override(void)
{
	const char *h = getenv("BERTH_HUB_HOST");

	return h && *h ? h : NULL;
}

const char *hub_registry_host(void)
{
	const char *h = hub_host_override();

	return h ? h : HUB_REGISTRY;
}
