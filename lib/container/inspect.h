/*
 * inspect.h - what container inspect derives and other container
 * commands (ps -s, prune) share.
 */
#ifndef BERTH_CONTAINER_INSPECT_H
#define BERTH_CONTAINER_INSPECT_H

#include <stdint.h>

struct store;
struct container_state;

/* State.StateString(): "paused", "restarting", "running", "removing",
 * "dead", "created" or "exited". */
const char *container_state_string(const struct container_state *st);

/* GetContainerLayerSize: *size_rw is what the RW layer's diff dir holds
 * (pkg/directory.Size: non-directories, each inode once; -1 when it
 * cannot be read), *size_root_fs that plus the image's layers.  Both 0
 * when the container has no RW layer. */
void container_layer_size(struct store *s, const char *id, int64_t *size_rw, int64_t *size_root_fs);

#endif
