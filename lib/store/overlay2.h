/*
 * overlay2.h - the overlay2 graph driver's side of the store:
 *
 *   <root>/overlay2/<cache id>/diff       the layer's files
 *   <root>/overlay2/<cache id>/link       its short link id
 *   <root>/overlay2/<cache id>/lower      "l/<parent link>:l/<grandparent link>..."
 *   <root>/overlay2/<cache id>/work       (layers with a parent)
 *   <root>/overlay2/<cache id>/committed  (layers with a child)
 *   <root>/overlay2/l/<link id>           -> ../<cache id>/diff
 *
 * It knows cache IDs only; which chain a dir belongs to is layerdb's
 * business (layerdb.h).  Read-write container layers and mounts go here.
 */
#ifndef BERTH_STORE_OVERLAY2_H
#define BERTH_STORE_OVERLAY2_H

#include "../util/err.h"
#include "../util/sbuf.h"

struct store;

/* A fresh overlay2/<cache id>/diff to extract into.  While it is being
 * filled, layerdb/tmp/incomplete-<cache id> exists and its creator holds a
 * flock on it: store_gc() removes the dirs of markers nobody holds (a
 * pull killed with -9), and never one still in use.  No lock needed. */
struct layer_dir {
	char cache_id[65];
	int diff_fd;
	int marker_fd;
};
int store_layer_dir_new(struct store *s, struct layer_dir *out, struct berr *err);
/* Closes diff_fd (idempotent). */
void store_layer_dir_close(struct layer_dir *ld);
/* Drops the incomplete marker: call just before registering the dir. */
void store_layer_dir_done(struct store *s, struct layer_dir *ld);
/* Removes an extracted dir that will not be registered. */
void store_layer_dir_discard(struct store *s, struct layer_dir *ld);

/* The temp file for a layer dir's tar-split.json.gz while extracting:
 * layerdb/tmp/ts-<cache id>. */
int store_tmpfile(struct store *s, const struct layer_dir *ld, char name_out[96], int *fd_out,
		  struct berr *err);
void store_tmpfile_discard(struct store *s, const char *name);

/* Links a filled dir as the driver's Create() leaves it: <cache>/link and
 * l/<link>; with a parent (parent_cache_id non-NULL) also <cache>/work,
 * <cache>/lower (the parent's link, then the parent's lower) and the
 * parent's "committed" marker.  link_out gets the new link id (also on
 * failure, once the l/ link exists: undo with overlay2_unlink).  Caller
 * holds the lock. */
int overlay2_link(struct store *s, const char *cache_id, const char *parent_cache_id, char link_out[27],
		  struct berr *err);
/* Removes l/<link> (undoing overlay2_link). */
void overlay2_unlink(struct store *s, const char *link);
/* The driver's Remove(): the l/ link named by <cache>/link, then the dir.
 * Anything but a 64-hex cache id is ignored.  Caller holds the lock. */
void overlay2_remove(struct store *s, const char *cache_id);
/* LowerDir as the driver's GetMetadata gives it: each l/<link> of
 * <cache>/lower resolved to <root>/overlay2/<cache id>/diff, ':'-joined,
 * appended to out (root as it is to be shown, e.g. its realpath).  -1 when
 * the dir has no lower file or an empty one (a base layer). */
int overlay2_lowerdir(struct store *s, const char *cache_id, const char *root, struct sbuf *out);
/* Removes unheld incomplete dirs with their tar-split temp files (part of
 * store_gc).  Caller holds the lock. */
void overlay2_gc(struct store *s);

/* ---- read-write (container) layers: mounts.h drives these ---- */

/* The driver's Create() of a fresh dir with no content yet:
 * <id>/ (0710) and <id>/diff (0755), then overlay2_link's links (with a
 * parent: lower, work and the parent's "committed").  id may be a 64-hex
 * mount ID or "<mount id>-init".  On failure nothing of id is left.
 * Caller holds the lock. */
int overlay2_create(struct store *s, const char *id, const char *parent_id, struct berr *err);
/* Fills <id>/diff with what daemon/initlayer puts in every container's
 * init layer: /dev/pts /dev/shm /proc /sys (dirs), /.dockerenv
 * /etc/resolv.conf /etc/hosts /etc/hostname /dev/console (empty, 0755),
 * /etc/mtab -> /proc/mounts.  Existing entries are kept. */
int overlay2_init_layer(struct store *s, const char *id, struct berr *err);
/* The driver's Get(): mounts overlay on <id>/merged (0700, created here)
 * with [index=off,]lowerdir=<root>/overlay2/l/...,upperdir=..,workdir=..;
 * when those options exceed a page, a forked child chdirs into overlay2/
 * and mounts with relative paths, as the driver does.  Already mounted is
 * success.  *merged_out (free()) gets the absolute merged path.  No lock. */
int overlay2_mount(struct store *s, const char *id, char **merged_out, struct berr *err);
/* The driver's Put(): umount2(MNT_DETACH) and rmdir merged/; not mounted
 * is success. */
int overlay2_unmount(struct store *s, const char *id, struct berr *err);
/* overlay2_remove for a container's dirs: accepts "<mount id>" and
 * "<mount id>-init" (unmounting a leftover merged/ first).  Caller holds
 * the lock. */
void overlay2_remove_rw(struct store *s, const char *id);
/* Whether <id>/merged is a mount point now. */
int overlay2_is_mounted(struct store *s, const char *id);

/* The layer dirs an overlay mount of id stacks: *upper gets
 * <id>/diff and lowers[0..*n) the diffs its lower file names, top first
 * (for a container's RW layer: the -init layer, then the image's layers),
 * each opened O_DIRECTORY (the caller closes them all; free(lowers)). */
int overlay2_open_layers(struct store *s, const char *id, int *upper, int **lowers, size_t *n, struct berr *err);

#endif
