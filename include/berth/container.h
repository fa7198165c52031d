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

/* What `docker ps` asks the daemon for (GET /containers/json, API 1.41). */
struct berth_container_list_opts {
	int all;                    /* -a: not only running containers */
	int limit;                  /* -n (-l: 1): the newest N in any state; <= 0: no limit */
	int size;                   /* size_rw and size_root_fs */
	int network_mode;           /* network_mode too (a second small read per container) */
	const char *const *filters; /* "key=value" strings, NULL-terminated; NULL: none */
};
struct berth_container_port {
	char *ip;                   /* "" when only exposed */
	uint16_t private_port, public_port;
	char *type;                 /* "tcp", "udp", "sctp" */
};
struct berth_container_mount {
	char *type, *name, *source, *destination, *driver, *mode, *propagation;
	int rw;
};
/* One item of docker's /containers/json, computed as dockerd does
 * (the status text too, at the time of the call). */
struct berth_container_item {
	char id[65];
	char **names;               /* "/name", NULL-terminated */
	char *image;                /* Config.Image, or the image ID when that no longer names it */
	char *image_id;             /* "sha256:<hex>" */
	char *command;              /* Path and Args, args with a space in '...' */
	int64_t created;            /* unix seconds */
	struct berth_container_port *ports;
	size_t n_ports;
	char **labels;              /* Config.Labels: key, value, key, value ... sorted by key */
	size_t n_labels;            /* pairs */
	char *state;                /* "created", "running", "paused", "restarting", "removing", "exited", "dead" */
	char *status;               /* "Up 2 minutes", "Exited (0) 3 seconds ago", "Created", ... */
	int64_t size_rw, size_root_fs; /* with opts->size; else 0 */
	char *network_mode;         /* HostConfig.NetworkMode with opts->network_mode, else "" */
	char **networks;            /* NetworkSettings.Networks' names, sorted, NULL-terminated */
	struct berth_container_mount *mounts;
	size_t n_mounts;
};
/* Docker 20.10's container list: newest first; filters ancestor, before,
 * exited, id, isolation, label, name, status, health, since, volume,
 * network, is-task, publish, expose, with the daemon's errors ("Invalid
 * filter 'bogus'", "Invalid filter 'status=x'", ...; BERR_INVALID, and
 * BERR_NOT_FOUND "no such container X" for before/since).  Records whose
 * monitor is gone are corrected first (they show as exited). */
int berth_container_list(struct berth *b, const struct berth_container_list_opts *opts,
			 struct berth_container_item **items, size_t *n, struct berr *err);
void berth_container_list_free(struct berth_container_item *v, size_t n);
/* The docker CLI's IMAGE column when truncating: the image ID's 12 hex
 * when image is that ID, else image as a familiar name[:tag] without its
 * digest, else image as it is (free()). */
char *berth_container_image_short(const char *image, const char *image_id);

#endif
