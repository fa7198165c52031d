/*
 * lifecycle.h - creating, renaming and removing containers in the store,
 * crash-safely and in dockerd's order.
 *
 * Create (one hold of the store lock): the name is checked or generated
 * against every container on disk; the RW layer is made (store/mounts.h:
 * its marker layerdb/tmp/rwlayer-<id> is written first); the container
 * dir is assembled as <root>/berth/tmp/container-<id> (config.v2.json,
 * hostconfig.json, checkpoints/) and renamed to containers/<id>; then the
 * marker goes.  A create killed at any point leaves no containers/<id>
 * (dockerd would log and skip a half one; berth never makes one) and
 * store_gc + container_gc undo the rest.
 *
 * Remove (dockerd's cleanupContainer order): Dead + checkpoint, release
 * the RW layer, then containers/<id> is renamed to
 * berth/tmp/rm-container-<id> and deleted.  A crash in between leaves a
 * Dead container (docker shows "Dead"; rm or container_gc finishes it)
 * or a leftover that container_gc deletes.
 */
#ifndef BERTH_CONTAINER_LIFECYCLE_H
#define BERTH_CONTAINER_LIFECYCLE_H

#include "../util/err.h"

struct store;
struct container;

/* Stores c as a new container: c->id drawn when empty, Created set now
 * when zero, Config.Hostname id[:12] when empty.  name: the user's (checked,
 * 400/409 texts as docker's) or NULL to generate one; c->name gets it.
 * top_layer: the image's top chain ID, NULL/"" for a layerless image.
 * Takes the store lock. */
int container_create(struct store *s, struct container *c, const char *name, const char *top_layer,
		     struct berr *err);
/* Removes containers/<id> and its RW layer (the caller has checked it is
 * not running and stopped its processes).  Takes the store lock. */
int container_remove(struct store *s, const char *id, struct berr *err);
/* container_remove, then, in the same lock hold, docker's release of the
 * RW layer's parent: the image layers nothing holds any more (an rmi -f
 * of the image left them for this container) are deleted.  What rm and
 * --rm use. */
int container_remove_release(struct store *s, const char *id, struct berr *err);
/* The same, except that the dirs are only renamed out of sight (the
 * container is gone for every reader at once, its rootfs unmounted);
 * container_remove_finish
 * deletes them, or the next create's gc when the caller is killed.  For
 * run --rm, whose command waits for the removal. */
int container_remove_deferred(struct store *s, const char *id, struct berr *err);
void container_remove_finish(struct store *s, const char *id);
/* The same, and with remove_volumes (rm -v, --rm) the container's
 * anonymous volumes that no other container names, in the same hold
 * (dockerd's removeMountPoints). */
int container_remove_release_volumes(struct store *s, const char *id, int remove_volumes, struct berr *err);
/* Sets a new name ('/' added when missing), in daemon.ContainerRename's
 * order and words: the same name is BERR_INVALID "Renaming a container
 * with the same name as its current name"; then the name is checked as
 * in create, its errors under "Error when allocating new name: " (the
 * invalid one named with its '/').  The endpoint stops being anonymous.
 * Takes the store lock. */
int container_rename(struct store *s, const char *id, const char *new_name, struct berr *err);
/* Deletes berth/tmp/container-* and rm-container-* leftovers of killed
 * creates and removals, and finishes removals killed after the RW layer
 * went (Dead records without layerdb/mounts/<id>).  store_gc handles the
 * RW layers' own leftovers; call it first.  Caller holds the lock. */
void container_gc(struct store *s);

#endif
