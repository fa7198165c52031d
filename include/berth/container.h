/*
 * container.h - containers, daemonless, on Docker 20.10's layout
 * (lib/container/).  A created container is containers/<id>/ plus its RW
 * layer; a running one also has a monitor process (lib/monitor/) that owns
 * its stdio and records its exit, under the exec root.
 *
 * Create takes the very document the Engine API's POST /containers/create
 * takes (docker's container.Config at the top level, "HostConfig",
 * "NetworkingConfig"), so the CLI (which builds it from run/create flags
 * as the docker CLI does) and the API server feed the library alike.
 *
 * Names or IDs are resolved as docker's GetContainer: a full ID, an exact
 * name, a unique ID prefix (errors "No such container: X", "Multiple IDs
 * found with provided prefix: X").
 */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>

/* The directory of bundles, monitors and runtime state (default: daemon.json
 * "exec-root", else /run/berth).  Call before any container call. */
void berth_set_exec_root(struct berth *b, const char *dir);

struct berth_container_create_opts {
	const char *name;       /* --name (with or without '/'); NULL: generated */
};
/* Docker's ContainerCreate: the image (body "Image") must be in the store
 * (BERR_NOT_FOUND "No such image: NAME:TAG" otherwise: the CLI pulls and
 * retries, as docker's does); its config is merged in as docker does; the
 * daemon's HostConfig defaults are applied.  id_out gets the 64-hex ID.
 * Errors in docker's words: "Invalid container name (x), only ...", the
 * 409 name conflict, "No command specified". */
int berth_container_create(struct berth *b, const char *body, size_t len,
			   const struct berth_container_create_opts *opts, char id_out[65], struct berr *err);

struct berth_container_start_opts {
	/* docker run's attach: a stream connected before the process runs,
	 * so nothing is missed; *attach_fd (the caller closes it) carries
	 * stdcopy frames, or the raw pty when the container has a tty. */
	int attach_stdin, attach_stdout, attach_stderr;
	int *attach_fd;
	int *attach_raw;        /* out: 1 for a tty's raw stream */
};
/* Docker's ContainerStart: mounts the RW layer, writes hostname, hosts and
 * resolv.conf, the OCI bundle under the exec root, and starts the
 * container under its monitor with the configured runtime.  A start
 * failure is the runtime's message as docker words it ("failed to create
 * shim task: OCI runtime create failed: ...: unknown"); the container then
 * stays created with that State.Error and ExitCode 127/126/125 chosen from
 * the text, as docker does. */
int berth_container_start(struct berth *b, const char *name_or_id, const struct berth_container_start_opts *opts,
			  struct berr *err);

/* Copies between an attach stream and the caller's descriptors until the
 * container's output ends: in_fd (-1: none; its EOF half-closes the
 * stream) to the container's stdin, stdout/stderr frames to out_fd and
 * err_fd (raw: the pty's bytes, all to out_fd). */
int berth_container_attach_copy(int attach_fd, int raw, int in_fd, int out_fd, int err_fd, struct berr *err);

/* Docker's ContainerWait(next-exit / not-running): blocks until the
 * container is not running; *status gets its exit code. */
int berth_container_wait(struct berth *b, const char *name_or_id, int *status, struct berr *err);

struct berth_container_remove_opts {
	int force;      /* -f: kill a running container first */
};
/* Docker's ContainerRm.  A running container without force:
 * BERR_EXISTS "You cannot remove a running container <id>. Stop the
 * container before attempting removal or force remove". */
int berth_container_remove(struct berth *b, const char *name_or_id, const struct berth_container_remove_opts *opts,
			   struct berr *err);

/* Docker 20.10's GET /containers/{name}/json body (types.ContainerJSON)
 * for one name or ID, as the daemon encodes it: Go field order, compact,
 * no HTML escaping, no newline (free()).  size: also SizeRw and
 * SizeRootFs (-s).  Errors as container lookup's ("No such container: X",
 * BERR_NOT_FOUND). */
int berth_container_inspect_raw(struct berth *b, const char *name, int size, char **json_out, struct berr *err);

/* Docker's ContainerRename: the container name_or_id names gets new_name
 * (with or without its '/').  Errors in docker's words: "Neither old nor
 * new names may be empty", "No such container: X", "Renaming a container
 * with the same name as its current name", "Error when allocating new
 * name: Invalid container name (/x), ..." and the 409 conflict. */
int berth_container_rename(struct berth *b, const char *name_or_id, const char *new_name, struct berr *err);

struct berth_container_prune_opts {
	const char *const *filters; /* "until=...", "label=...", "label!=..."; NULL-terminated or NULL */
};
/* Docker's ContainersPrune: removes every container that is not running
 * and passes the filters (until: created no later; label: docker's
 * MatchKVList).  *ids_out gets the removed IDs, newest first
 * (NULL-terminated; free each and the array), *reclaimed the sum of
 * their RW layers' sizes.  Errors: "Invalid filter 'x'", "more than one
 * until filter specified", "failed to parse value as time or duration". */
int berth_container_prune(struct berth *b, const struct berth_container_prune_opts *opts, char ***ids_out,
			  uint64_t *reclaimed, struct berr *err);

#endif
