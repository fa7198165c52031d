/*
 * test-container-lookup.c - Docker's GetContainer rules (lib/container/lookup.h)
 * on a store of layerless containers: full ID, name with and without '/',
 * unique and ambiguous ID prefixes, a name hiding an ID prefix, "".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/lifecycle.h"
#include "container/lookup.h"
#include "store/store.h"
#include "test.h"

static struct container *make(struct store *s, const char *id, const char *name)
{
	struct berr e = BERR_INIT;
	struct container *c = container_new();

	snprintf(c->id, sizeof(c->id), "%s", id);
	if (container_create(s, c, name, NULL, &e) < 0) {
		printf("# create %s: %s\n", name, e.msg);
		container_free(c);
		return NULL;
	}
	return c;
}

/* The ID term resolves to, or the error text. */
static char *resolve(struct store *s, const char *term)
{
	static char out[BERR_MSG_MAX + 16];
	struct berr e = BERR_INIT;
	struct container *c = container_lookup(s, term, &e);

	if (!c) {
		snprintf(out, sizeof(out), "%d:%s", e.code, e.msg);
		return out;
	}
	snprintf(out, sizeof(out), "%s", c->id);
	T_OK(c->host_config != NULL, "a looked-up container comes with its HostConfig (%.12s)", c->id);
	container_free(c);
	return out;
}

int main(void)
{
	char root[] = "/tmp/berth-lookup-XXXXXX";
	const char *a = "abc1230000000000000000000000000000000000000000000000000000000001";
	const char *b = "abc4560000000000000000000000000000000000000000000000000000000002";
	const char *d = "def7890000000000000000000000000000000000000000000000000000000003";
	struct berr e = BERR_INIT;
	struct store *s = NULL;
	char want[BERR_MSG_MAX];
	struct container *ca, *cb, *cd;

	if (!mkdtemp(root) || store_open(&s, root, &e) < 0) {
		printf("not ok 1 - store: %s\n", e.msg);
		return 1;
	}
	ca = make(s, a, "web");
	cb = make(s, b, "abc");   /* a name that is also a prefix of a's ID */
	cd = make(s, d, NULL);
	T_OK(ca && cb && cd, "three containers created");

	T_STREQ(resolve(s, a), a, "a full ID");
	T_STREQ(resolve(s, "web"), a, "a name");
	T_STREQ(resolve(s, "/web"), a, "a name with its '/'");
	T_STREQ(resolve(s, "def"), d, "a unique ID prefix");
	T_STREQ(resolve(s, "abc"), b, "a name wins over the ID prefix it also is");
	snprintf(want, sizeof(want), "%d:Multiple IDs found with provided prefix: ab", BERR_INTERNAL);
	T_STREQ(resolve(s, "ab"), want, "an ambiguous prefix is docker's truncindex error");
	snprintf(want, sizeof(want), "%d:No such container: nosuch", BERR_NOT_FOUND);
	T_STREQ(resolve(s, "nosuch"), want, "not found");
	snprintf(want, sizeof(want), "%d:No such container: %s", BERR_NOT_FOUND,
		 "0000000000000000000000000000000000000000000000000000000000000000");
	T_STREQ(resolve(s, "0000000000000000000000000000000000000000000000000000000000000000"), want,
		"an unknown full ID");
	snprintf(want, sizeof(want), "%d:invalid name or ID supplied: \"\"", BERR_INVALID);
	T_STREQ(resolve(s, ""), want, "an empty term");
	if (cd) {
		char gen[128];

		snprintf(gen, sizeof(gen), "%s", cd->name + 1);
		T_STREQ(resolve(s, gen), d, "a generated name (%s)", gen);
	}
	T_OK(container_remove(s, a, &e) == 0, "remove web (%s)", e.msg);
	snprintf(want, sizeof(want), "%d:No such container: web", BERR_NOT_FOUND);
	T_STREQ(resolve(s, "web"), want, "a removed container's name is gone");
	T_STREQ(resolve(s, "ab"), b, "its ID prefix now names one container");

	container_free(ca);
	container_free(cb);
	container_free(cd);
	container_remove(s, b, NULL);
	container_remove(s, d, NULL);
	store_close(s);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", root);
	}
	return t_done();
}
