/*
 * store.h - the image store, in Docker 20.10's overlay2 graph-driver layout
 * so that Docker can run on a root berth wrote and berth can read Docker's:
 *
 *   <root>/image/overlay2/repositories.json                       refs.h
 *   <root>/image/overlay2/imagedb/{content,metadata}/sha256/<id>  imagedb.h
 *   <root>/image/overlay2/layerdb/sha256/<chain id hex>/...       layerdb.h
 *   <root>/image/overlay2/distribution/...                        distribution.h
 *   <root>/overlay2/<cache id>/..., <root>/overlay2/l/<link id>   overlay2.h
 *   <root>/berth/manifests/<image hex>                            manifests.h
 *   <root>/berth.lock                                             (below)
 *
 * This header is the handle and the lock; it includes every module's
 * header, so a user of the store includes this one alone.  Each module
 * header declares `struct store` forward and stands on its own.
 *
 * Visibility rules (crash safety): a layer exists once its layerdb dir is
 * renamed into place, which happens only after its files are extracted and
 * both digests verified; an image exists once its config is in imagedb and
 * its top layer exists; names point at images through repositories.json,
 * rewritten atomically.  A killed pull leaves at worst an unregistered
 * overlay2/<cache id> dir that no image refers to.
 *
 * Locking (the contract every caller keeps):
 *  - store_lock() takes the store's one exclusive lock: it orders the
 *    threads sharing this handle (a mutex) and the handles sharing the
 *    root, in this process or another (an flock on <root>/berth.lock, on
 *    a descriptor each handle opens in store_open).  It blocks until the
 *    lock is free.
 *  - Not re-entrant: a thread holding the lock that calls store_lock()
 *    again gets an error (BERR_INTERNAL), never a deadlock.  Only the
 *    holder calls store_unlock().
 *  - Functions documented "Caller holds the lock" change names, layers or
 *    images; they, and every load-change-save of repositories.json, run
 *    between store_lock() and store_unlock() of the same thread.
 *  - Everything else needs no lock: reads see each store file whole (they
 *    are replaced by rename), layer dirs are filled unlocked (they are
 *    fresh and nobody else knows them), layer tars stream unlocked.  Two
 *    reads may see different states unless the lock is held across them.
 *  - Hold it for metadata updates only, never across network transfers or
 *    streaming a layer out (`berth save x | berth load` shares the root).
 *  - store_open() and store_close() are not thread-safe with any other use
 *    of the handle.  A forked child must not use its parent's handle (it
 *    would share the flock); exec closes the descriptors.
 */
#ifndef BERTH_STORE_STORE_H
#define BERTH_STORE_STORE_H

#include <pthread.h>

#include "../util/err.h"

struct store {
	char *root;
	int root_fd;
	int image_fd;   /* <root>/image/overlay2 */
	int overlay_fd; /* <root>/overlay2 */
	int lock_fd;    /* <root>/berth.lock: held by flock; -1 on a root where it cannot exist */
	int lock_errno; /* why berth.lock could not be opened for writing (0: it could) */
	pthread_mutex_t lock_mu;
};

/* Opens (creating when needed) the store under root. */
int store_open(struct store **out, const char *root, struct berr *err);
/* NULL-safe; the lock must not be held. */
void store_close(struct store *s);
/* See "Locking" above. */
int store_lock(struct store *s, struct berr *err);
void store_unlock(struct store *s);

/* Removes what interrupted berth processes left: unheld incomplete layer
 * dirs with their tar-split temp files (overlay2_gc), layerdb/tmp/write-set-*
 * dirs and half-done layer deletions (layerdb_gc).  Caller holds the lock. */
void store_gc(struct store *s);

#include "distribution.h"
#include "imagedb.h"
#include "layerdb.h"
#include "manifests.h"
#include "mounts.h"
#include "overlay2.h"
#include "refs.h"

#endif
