/*
 * test-hub.c - Docker Hub's names (hub.h) and the credential keys derived
 * from them: which spelling counts as Hub for which question.
 */
#include <stdlib.h>
#include <string.h>

#include <berth/berth.h>

#include "hub.h"
#include "test.h"

static void test_registry(void)
{
	T_OK(hub_is_registry("docker.io"), "docker.io is Hub's registry");
	T_OK(hub_is_registry("index.docker.io"), "index.docker.io too");
	T_OK(hub_is_registry("registry-1.docker.io"), "registry-1.docker.io too");
	T_OK(!hub_is_registry(BERTH_REGISTRY_INDEX_SERVER), "the index server URL is a key, not a host");
	T_OK(!hub_is_registry("docker.io:443"), "a port makes another host");
	T_OK(!hub_is_registry("127.0.0.1:5000"), "a private registry is not");
}

static void test_index_name(void)
{
	T_STREQ(hub_index_name("index.docker.io"), "docker.io", "normalizeIndexName");
	T_STREQ(hub_index_name("docker.io"), "docker.io", "docker.io stays");
	T_STREQ(hub_index_name("registry-1.docker.io"), "registry-1.docker.io", "registry-1 is a private index to search");
}

static void test_login_keys(void)
{
	char *k;

	T_OK(hub_is_login_default(NULL) && hub_is_login_default("") && hub_is_login_default("docker.io") &&
	     hub_is_login_default(BERTH_REGISTRY_INDEX_SERVER), "the CLI's default registry spellings");
	T_OK(!hub_is_login_default("index.docker.io") && !hub_is_login_default("registry-1.docker.io"),
	     "not the other spellings, keyed by hostname as docker keys them");
	k = berth_registry_login_key("docker.io");
	T_STREQ(k, BERTH_REGISTRY_INDEX_SERVER, "login docker.io -> the index server key");
	free(k);
	k = berth_registry_login_key("https://index.docker.io/v1/");
	T_STREQ(k, BERTH_REGISTRY_INDEX_SERVER, "login with the index server URL");
	free(k);
	k = berth_registry_login_key("index.docker.io");
	T_STREQ(k, "index.docker.io", "login index.docker.io -> its hostname");
	free(k);
	k = berth_registry_login_key("https://myreg:5000/v2/x");
	T_STREQ(k, "myreg:5000", "ConvertToHostname drops scheme and path");
	free(k);
	k = berth_registry_hostname("http://h:1");
	T_STREQ(k, "h:1", "ConvertToHostname of an http URL");
	free(k);
}

static void test_registry_host(void)
{
	unsetenv("BERTH_HUB_HOST");
	T_OK(hub_host_override() == NULL, "no override by default");
	T_STREQ(hub_registry_host(), "registry-1.docker.io", "Hub's registry API host");
	setenv("BERTH_HUB_HOST", "", 1);
	T_OK(hub_host_override() == NULL, "an empty override is none");
	setenv("BERTH_HUB_HOST", "127.0.0.1:1", 1);
	T_STREQ(hub_registry_host(), "127.0.0.1:1", "$BERTH_HUB_HOST stands in for Hub");
	unsetenv("BERTH_HUB_HOST");
}

int main(void)
{
	test_registry();
	test_index_name();
	test_login_keys();
	test_registry_host();
	return t_done();
}
