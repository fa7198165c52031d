/*
 * mounts.h - containers' read-write layers, as Docker 20.10's layer store
 * keeps them:
 *
 *   <root>/image/overlay2/layerdb/mounts/<container id>/mount-id   <mount id>
 *                                                      /init-id    <mount id>-init
 *                                                      /parent     image top chain ID
 *   <root>/overlay2/<mount id>-init/   the init layer (docker's init entries),
 *                                       on the image's top layer
 *   <root>/overlay2/<mount id>/        the RW layer, on the init layer
 *
 * The three files are 0644 without a newline; parent is absent for a
 * layerless image.  dockerd loads every dir under mounts/ at its start.
 *
 * Crash safety: creating writes layerdb/tmp/rwlayer-<container id> (the
 * mount ID) first, builds both overlay2 dirs, assembles the mounts dir in
 * layerdb/tmp/mount-<container id> and renames it into mounts/ last.  The
 * marker stays until the container's own dir exists (the caller's
 * store_rwlayer_done), so a create killed at any point is rolled back by
 * store_mounts_gc: a marker whose containers/<id>/config.v2.json does not
 * exist means "undo everything of that mount ID".  Removing renames the
 * mounts dir to layerdb/tmp/rm-mount-<container id> first (from then on
 * the layer is gone for dockerd too), then removes the overlay2 dirs, then
 * the renamed dir; store_mounts_gc finishes an interrupted removal.
 * berth and dockerd never run on one root at the same time (a dockerd
 * half-way through its own create is not berth's to judge).
 */
#ifndef BERTH_STORE_MOUNTS_H
#define BERTH_STORE_MOUNTS_H

#include "../io/digest.h"
#include "../util/err.h"

struct store;

struct store_rwlayer {
	char container_id[65];
	char mount_id[65];
	char init_id[70];            /* "<mount id>-init"; "" when there is none */
	char parent[DIGEST_STR_LEN]; /* image top layer's chain ID; "" layerless */
};

/* A fresh RW layer for container_id on parent_chain (NULL or "" for a
 * layerless image; else it must exist): random mount ID, init layer, RW
 * layer, mounts dir.  Leaves the creation marker for store_rwlayer_done.
 * On failure nothing is left.  Caller holds the lock. */
int store_rwlayer_create(struct store *s, const char *container_id, const char *parent_chain, int flags,
			 struct store_rwlayer *out, struct berr *err);
/* flags: the layer of a container that is removed when it exits (run
 * --rm): its creation and removal skip the fsyncs that make them survive
 * a power loss (renames alone keep them whole when a process is killed). */
#define STORE_RW_EPHEMERAL 1
/* The container's dir is in place: drops the creation marker. */
void store_rwlayer_done(struct store *s, const char *container_id);
/* Reads layerdb/mounts/<container id>/ (BERR_NOT_FOUND when absent; ids
 * are checked against docker's ^[a-f0-9]{64}(-init)?$). No lock. */
int store_rwlayer_read(struct store *s, const char *container_id, struct store_rwlayer *out, struct berr *err);
/* Docker's ReleaseRWLayer: unmounts, removes both overlay2 dirs, their
 * l/ links and the mounts dir.  Absent is success.  Caller holds the lock. */
int store_rwlayer_remove(struct store *s, const char *container_id, int flags, struct berr *err);
/* Mounts the RW layer (overlay2_mount of its mount ID); *merged_out
 * (free()) gets the rootfs path.  No lock. */
int store_rwlayer_mount(struct store *s, const char *container_id, char **merged_out, struct berr *err);
int store_rwlayer_unmount(struct store *s, const char *container_id, struct berr *err);

/* The chain IDs RW layers stand on (each mounts/<id>/parent; duplicates
 * kept, layerless ones skipped), NULL-terminated; free each and the
 * array.  rmi/prune must not delete these layers (nor their ancestors).
 * Call it under the lock that the deletion holds. */
int store_mounts_parents(struct store *s, char ***chains, struct berr *err);
/* The container IDs with a mounts dir, NULL-terminated; free each and the array. */
int store_mounts_list(struct store *s, char ***ids, struct berr *err);
/* Rolls back interrupted creates and finishes interrupted removals (see
 * above).  Caller holds the lock. */
void store_mounts_gc(struct store *s);

#endif
