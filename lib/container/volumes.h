/*
 * volumes.h - a container's mounts as dockerd 20.10 records and sets them
 * up (daemon/volumes.go registerMountPoints, create_unix.go's anonymous
 * volumes and populateVolumes, volumes_unix.go setupMounts), with the
 * -v/--mount rules and texts of volume/mounts/linux_parser.go.
 *
 * MountPoints (config.v2.json) are docker's: destination -> {Source,
 * Destination, RW, Name, Driver, Type, Relabel, Propagation, ID, Spec,
 * SkipMountpointCreation}.  A volume's Source is its _data path, except
 * for the anonymous ones of Config.Volumes, whose Source stays "" (dockerd
 * resolves it at mount time, and so does berth at start).
 */
#ifndef BERTH_CONTAINER_VOLUMES_H
#define BERTH_CONTAINER_VOLUMES_H

#include <jansson.h>

#include "../util/err.h"

struct store;
struct berth;

/* HostConfig Binds and Mounts, then Config.Volumes (the merged config)
 * into *mount_points (a new object); *plan gets the volumes to create,
 * [{"Name","Labels","Options","Copy","Anonymous","Destination"}].
 * Errors in dockerd's words ("invalid volume specification: 'x'",
 * "invalid mode: x", "Duplicate mount point: /x", `invalid mount config
 * for type "bind": bind source path does not exist: /x`, "create x: ..."). */
int container_mounts_register(struct store *s, json_t *config, json_t *host_config, json_t **mount_points,
			      json_t **plan, struct berr *err);
/* After the container is stored: the plan's volumes are created, and
 * those to be filled get the image's content at their destination while
 * they are empty (dockerd's CopyImagePathContent); "cannot mount volume
 * over existing file, file exists <path>" for an anonymous volume on a
 * file.  Takes the store lock to create. */
int container_mounts_setup(struct berth *b, const char *id, json_t *plan, struct berr *err);
/* What start hands to the spec: a copy of mount_points with each volume's
 * Source resolved; bind sources made as dockerd's MountPoint.Setup makes
 * them; each volume's mount ID set in mount_points (as dockerd records
 * it).  A volume gone: "get NAME: no such volume". */
json_t *container_mounts_for_start(struct store *s, json_t *mount_points, json_t *host_config, struct berr *err);

#endif
