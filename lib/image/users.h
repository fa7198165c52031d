/*
 * users.h - what containers hold of images and layers, as Docker 20.10's
 * image delete asks it: each container's image ID and whether it runs
 * (daemon/images/image_delete.go's containers.First), and the chain IDs
 * the read-write layers stand on (the layer store's references, which
 * keep a layer and so its ancestors).  Containers dockerd created on the
 * same root count alike: both are read from the store, not from berth's
 * own bookkeeping.
 */
#ifndef BERTH_IMAGE_USERS_H
#define BERTH_IMAGE_USERS_H

#include <stddef.h>

#include "../internal.h"
#include "../io/digest.h"

struct image_user {
	char container[65];
	char image[DIGEST_STR_LEN];
	int running; /* State.Running, after correcting a record whose monitor is gone */
};

struct image_users {
	struct image_user *v;
	size_t n;
	char **rw_parents; /* NULL-terminated, duplicates kept */
};

/* Reads every container and RW layer.  Records saying Running whose
 * monitor is gone are corrected (and saved) first.  Caller holds the lock. */
int image_users_load(struct berth *b, struct image_users *u, struct berr *err);
void image_users_release(struct image_users *u);

enum image_user_state { IMAGE_USER_ANY, IMAGE_USER_RUNNING, IMAGE_USER_STOPPED };
/* The first container using image_id in that state, or NULL; borrowed from u. */
const struct image_user *image_users_first(const struct image_users *u, const char *image_id,
					   enum image_user_state state);
/* How many RW layers stand directly on chain. */
size_t image_users_rw_holds(const struct image_users *u, const char *chain);

/* Docker's release of a removed RW layer's parent: deletes chain and the
 * ancestors nothing holds any more (no image, child layer or other RW
 * layer), as an rmi -f of the container's image left them.  Caller holds
 * the lock (rmi.c). */
int image_layers_release(struct store *s, const char *chain, struct berr *err);

#endif
