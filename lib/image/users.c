/*
 * users.c - containers' holds on images and layers (users.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../container/container.h"
#include "../container/engine.h"
#include "users.h"

int image_users_load(struct berth *b, struct image_users *u, struct berr *err)
{
	struct container **list;

	memset(u, 0, sizeof(*u));
	if (container_list(b->store, 0, &list, err) < 0)
		return -1;
	for (size_t i = 0; list[i]; i++)
		u->n++;
	u->v = xcalloc(u->n + 1, sizeof(*u->v));
	for (size_t i = 0; list[i]; i++) {
		struct image_user *iu = &u->v[i];

		/* A record we cannot correct still says Running: docker's
		 * answer for it too. */
		container_refresh_state_locked(b, list[i], NULL);
		memcpy(iu->container, list[i]->id, sizeof(iu->container));
		memcpy(iu->image, list[i]->image, sizeof(iu->image));
		iu->running = list[i]->state.running;
	}
	container_list_free(list);
	if (store_mounts_parents(b->store, &u->rw_parents, err) < 0) {
		image_users_release(u);
		return -1;
	}
	return 0;
}

void image_users_release(struct image_users *u)
{
	for (size_t i = 0; u->rw_parents && u->rw_parents[i]; i++)
		free(u->rw_parents[i]);
	free(u->rw_parents);
	free(u->v);
	memset(u, 0, sizeof(*u));
}

const struct image_user *image_users_first(const struct image_users *u, const char *image_id,
					   enum image_user_state state)
{
	for (size_t i = 0; i < u->n; i++) {
		const struct image_user *iu = &u->v[i];

		if (strcmp(iu->image, image_id) != 0)
			continue;
		if (state == IMAGE_USER_ANY || (state == IMAGE_USER_RUNNING) == !!iu->running)
			return iu;
	}
	return NULL;
}

size_t image_users_rw_holds(const struct image_users *u, const char *chain)
{
	size_t n = 0;

	for (size_t i = 0; u->rw_parents && u->rw_parents[i]; i++)
		if (!strcmp(u->rw_parents[i], chain))
			n++;
	return n;
}
