/*
 * volume.h - what the container code (create, start, rm) needs of volumes
 * (lib/volume/volume.c), and the bbolt metadata file (bolt.c).
 *
 *   <root>/volumes/                 0701
 *   <root>/volumes/<name>/          0701
 *   <root>/volumes/<name>/_data     0755: the volume
 *   <root>/volumes/<name>/opts.json 0600: driver options (local driver's optsConfig)
 *   <root>/volumes/metadata.db      0600: bbolt, bucket "volumes": name ->
 *                                   {"Name","Driver","Labels","Options"}
 *
 * Changes happen under the store lock; a dockerd holding metadata.db
 * (bbolt's flock) keeps berth from writing entries, as it keeps another
 * dockerd out.
 */
#ifndef BERTH_VOLUME_VOLUME_H
#define BERTH_VOLUME_VOLUME_H

#include <jansson.h>

#include "../util/err.h"

struct store;

/* The name rules of the local driver (without the "create NAME: "). */
int volume_name_check(const char *name, struct berr *err);
/* <root>/volumes/<name>/_data (free()). */
char *volume_data_path(struct store *s, const char *name);
/* 1 when volumes/<name>/ is there. */
int volume_exists(struct store *s, const char *name);
/* Creates the volume unless it exists (then nothing changes): its dirs,
 * opts.json, and the metadata entry (labels, options: objects or NULL).
 * Caller holds the lock. */
int volume_create_locked(struct store *s, const char *name, json_t *labels, json_t *options, struct berr *err);
/* removeMountPoints(rm=true): the volumes of mount_points (a container's
 * MountPoints, the container already gone) that were anonymous (no
 * Spec.Source) and that no other container names.  Caller holds the lock. */
void volume_remove_anonymous_locked(struct store *s, json_t *mount_points);

/* A volume with driver options (opts.json: type, device, o) is mounted
 * on its _data, as the local driver mounts it, unless it is already; the
 * mount stays until the volume is removed (no daemon counts its users).
 * "missing device in volume options", "failed to mount local volume: ...". */
int volume_mount(struct store *s, const char *name, struct berr *err);
int volume_is_mounted(struct store *s, const char *name);

/* Copies the tree at src_dirfd into the volume's _data while that is
 * empty (else nothing): dockerd's copyExistingContents. */
int volume_copy_in(struct store *s, const char *name, int src_dirfd, struct berr *err);

/* metadata.db's "volumes" bucket as an object name -> parsed JSON (an
 * empty one when the file is missing). */
int volume_db_read(int volumes_fd, json_t **out, struct berr *err);
/* Replaces metadata.db by a file holding entries (name -> the JSON text
 * as a string).  *busy: a dockerd holds it (and nothing was written). */
int volume_db_write(int volumes_fd, json_t *entries, int *busy, struct berr *err);

#endif
