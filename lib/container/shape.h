/*
 * shape.h - docker's Go structs as jansson documents in Go's encoding
 * order.  Go decodes a JSON body into a struct (keys matched case-
 * insensitively, unknown ones dropped, missing ones zero) and encodes the
 * struct back in field order, maps with sorted keys; shape_*() do that to
 * a json_t so gojson_write() then writes dockerd's bytes.
 *
 * Used for what berth stores (config.v2.json, hostconfig.json) and for
 * what an Engine API create body or the CLI's flags give.  Each returns a
 * new reference, or NULL with err set (BERR_INVALID, Go's unmarshal
 * message shape) when a value has the wrong JSON type.  in may be NULL
 * (all zero values).
 */
#ifndef BERTH_CONTAINER_SHAPE_H
#define BERTH_CONTAINER_SHAPE_H

#include <jansson.h>

#include "../util/err.h"

/* container.Config (api/types/container/config.go). */
json_t *shape_config(json_t *in, struct berr *err);
/* container.HostConfig with its Resources (host_config.go). */
json_t *shape_host_config(json_t *in, struct berr *err);
/* daemon/network.Settings, the NetworkSettings of config.v2.json. */
json_t *shape_network_settings(json_t *in, struct berr *err);
/* map[string]*volumemounts.MountPoint (config.v2.json's MountPoints). */
json_t *shape_mount_points(json_t *in, struct berr *err);
/* The Health of State: null or {Status, FailingStreak, Log}. */
json_t *shape_health(json_t *in, struct berr *err);

#endif
