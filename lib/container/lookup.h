/*
 * lookup.h - finding a container by what a user typed: the one place berth
 * turns a name or ID into a container, and the one that says "No such
 * container".
 *
 * container_lookup() is Docker 20.10's daemon.GetContainer(prefixOrName),
 * which every command naming a container uses (start, stop, rm, logs,
 * inspect, exec, commit, ...):
 *   1. "" is BERR_INVALID `invalid name or ID supplied: ""`;
 *   2. a full 64-hex ID of a container: that container;
 *   3. an exact name, with or without its leading '/';
 *   4. a prefix of exactly one container ID; a prefix of several is
 *      BERR_INTERNAL "Multiple IDs found with provided prefix: X" (a 500
 *      in docker, errdefs.System), of none BERR_NOT_FOUND
 *      "No such container: X".
 * A name wins over an ID prefix, as in docker: a container named "abc"
 * hides the IDs beginning with abc.
 */
#ifndef BERTH_CONTAINER_LOOKUP_H
#define BERTH_CONTAINER_LOOKUP_H

#include "../util/err.h"

struct store;
struct container;

/* The container term names, loaded whole (HostConfig included;
 * container_free()), or NULL with err set as above.  No lock needed: the
 * answer can be stale by the time the caller acts, so commands that change
 * the container re-check under the lock. */
struct container *container_lookup(struct store *s, const char *term, struct berr *err);

/* The same, giving only the ID (id_out, 65 bytes). */
int container_lookup_id(struct store *s, const char *term, char id_out[65], struct berr *err);

#endif
