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

/* The same, with docker's escape proxy on in_fd: once the detach sequence
 * (keys, n_keys bytes; NULL: none) is read whole, it returns 0 with
 * *detached set (the bytes before it sent, the sequence not). */
int berth_container_attach_stream(int attach_fd, int raw, int in_fd, int out_fd, int err_fd, const char *keys,
				  size_t n_keys, int *detached, struct berr *err);

/* ---- attach (lib/container/attach.c) ---- */

#define BERTH_CONTAINER_DETACH_KEYS_MAX 32
/* moby/term's ToBytes: "ctrl-p,ctrl-q" (a comma-separated list of single
 * characters, ctrl-@ ctrl-a..ctrl-z ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_,
 * DEL) into keys; BERR_INVALID "Invalid detach keys (SPEC) provided". */
int berth_container_detach_keys(const char *spec, char keys[BERTH_CONTAINER_DETACH_KEYS_MAX], size_t *n,
				struct berr *err);

struct berth_container_attach_opts {
	int stdin_, stdout_, stderr_;   /* the streams wanted */
	const char *detach_keys;        /* checked as dockerd does, NULL: none */
};
/* Docker's ContainerAttach to a running container: *fd (the caller closes
 * it) carries the stream as for berth_container_start's attach_fd, until
 * the container exits.  Errors: "Invalid detach keys (X) provided",
 * BERR_EXISTS "container NAME is paused, unpause the container before
 * attach", "container NAME is restarting, wait until the container is
 * running", and the docker CLI's "You cannot attach to a stopped
 * container, start it first". */
int berth_container_attach(struct berth *b, const char *name_or_id, const struct berth_container_attach_opts *o,
			   int *fd, int *raw, struct berr *err);
/* Docker's ContainerResize: the tty's window size. */
int berth_container_resize(struct berth *b, const char *name_or_id, unsigned short height, unsigned short width,
			   struct berr *err);

/* Docker's ContainerWait(next-exit / not-running): blocks until the
 * container is not running; *status gets its exit code. */
int berth_container_wait(struct berth *b, const char *name_or_id, int *status, struct berr *err);

struct berth_container_remove_opts {
	int force;      /* -f: kill a running container first */
	int volumes;    /* -v: also its anonymous volumes no other container names */
};
/* Docker's ContainerRm.  A running container without force:
 * BERR_EXISTS "You cannot remove a running container <id>. Stop the
 * container before attempting removal or force remove". */
int berth_container_remove(struct berth *b, const char *name_or_id, const struct berth_container_remove_opts *opts,
			   struct berr *err);

/* docker diff: what the container changed over its image (its RW layer
 * against the -init layer and the image's layers). */
struct berth_container_change {
	char *path;      /* "/etc/passwd" */
	int kind;        /* docker's ChangeType: 0 modified (C), 1 added (A), 2 deleted (D) */
};
int berth_container_changes(struct berth *b, const char *name_or_id, struct berth_container_change **out,
			    size_t *n, struct berr *err);
void berth_container_changes_free(struct berth_container_change *v, size_t n);

/* docker export: the container's merged root as a tar written to fd. */
int berth_container_export(struct berth *b, const char *name_or_id, int fd, struct berr *err);

/* docker commit: the container's RW layer becomes a new image layer on
 * its image (the config: the container's, with changes applied and
 * docker's merge; the history: the image's plus this commit). */
struct berth_container_commit_opts {
	const char *repo_tag;          /* REPOSITORY[:TAG], or NULL for none */
	const char *author;            /* -a */
	const char *comment;           /* -m */
	const char *const *changes;    /* -c Dockerfile instructions, NULL-terminated or NULL */
	int pause;                     /* -p (docker's default: 1): a running container is paused meanwhile */
};
int berth_container_commit(struct berth *b, const char *name_or_id, const struct berth_container_commit_opts *opts,
			   char id_out[72], struct berr *err);
/* ---- logs (lib/container/logs.c) ---- */

enum { BERTH_CONTAINER_LOG_STDOUT = 1, BERTH_CONTAINER_LOG_STDERR = 2 };

struct berth_container_logs_opts {
	int streams;            /* BERTH_CONTAINER_LOG_STDOUT|_STDERR; 0: docker's 400 */
	int follow;             /* -f: then wait for more until the container stops */
	int timestamps;         /* -t: each line prefixed "2006-01-02T15:04:05.000000000Z " */
	int details;            /* --details: the attrs prefix ("" for json-file) + " " */
	long tail;              /* < 0 all, else the last N lines */
	int64_t since_sec;      /* 0: unset (berth_container_logs_time gives these) */
	long since_nsec;
	int64_t until_sec;      /* 0: unset */
	long until_nsec;
	int cancel_fd;          /* follow also ends when this is readable or hung up; -1 none */
};
#define BERTH_CONTAINER_LOGS_OPTS_INIT \
	{ BERTH_CONTAINER_LOG_STDOUT | BERTH_CONTAINER_LOG_STDERR, 0, 0, 0, -1, 0, 0, 0, 0, -1 }

/* One log line as docker's API streams it (prefixes applied); stream is
 * BERTH_CONTAINER_LOG_STDOUT or _STDERR (a tty's output is all stdout).
 * Non-zero stops reading. */
typedef int (*berth_container_log_fn)(int stream, const char *data, size_t len, void *ctx);

/* Docker's ContainerLogs on the json-file log: records oldest first across
 * rotated files.  Follow applies only to a running container, as dockerd's.
 * Errors in docker's words: "You must choose at least one stream",
 * BERR_EXISTS "can not get logs from container which is dead or marked for
 * removal", "configured logging driver does not support reading". */
int berth_container_logs(struct berth *b, const char *name_or_id, const struct berth_container_logs_opts *o,
			 berth_container_log_fn fn, void *ctx, struct berr *err);

/* The docker client's --since/--until (timetypes.GetTimestamp): a Go
 * duration ("10s", "1m30s") before now, an RFC3339 date or prefix of one
 * (local time without a zone), or unix seconds ("1700000000.5").  Errors:
 * `failed to parse value as time or duration: "X"`, Go's parse texts. */
int berth_container_logs_time(const char *value, int64_t now_sec, long now_nsec, int64_t *sec, long *nsec,
			      struct berr *err);

/* ---- stop, kill, restart (lib/container/stop.c) ---- */

/* docker's signal.ParseSignal: a number (any but 0; kill checks the range)
 * or a name with or without "SIG", any case ("TERM", "sigkill", "RTMIN+3")
 * into *sig; -1 with BERR_INVALID "Invalid signal: X". */
int berth_container_parse_signal(const char *s, int *sig, struct berr *err);

/* Docker's ContainerStop: Config.StopSignal (else SIGTERM), then SIGKILL
 * after timeout seconds (NULL: Config.StopTimeout, else 10; < 0: wait for
 * ever).  Records HasBeenManuallyStopped.  Returns 1 when the container
 * was not running (docker's 304), 0 when it stopped it. */
int berth_container_stop(struct berth *b, const char *name_or_id, const int *timeout, struct berr *err);

/* Docker's ContainerKill: signal NULL or KILL kills and waits for the exit;
 * any other is only sent.  Every failure reads "Cannot kill container:
 * NAME: <why>" (NAME as given), as docker's router words it: BERR_EXISTS
 * "... Container <id> is not running", BERR_NOT_FOUND "... No such
 * container: NAME". */
int berth_container_kill(struct berth *b, const char *name_or_id, const char *signal, struct berr *err);

/* Docker's ContainerRestart: stop as above when running, then start.
 * Failures: "Cannot restart container NAME: <why>". */
int berth_container_restart(struct berth *b, const char *name_or_id, const int *timeout, struct berr *err);
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

/* ---- exec (lib/container/exec.c) ---- */

/* Docker's ExecConfig, as `docker exec` sends it. */
struct berth_container_exec_opts {
	const char *const *cmd;     /* the command and its args, NULL-terminated, at least one */
	const char *const *env;     /* -e and --env-file entries ("K=V"; a bare "K" unsets K), in
				       the CLI's order; NULL-terminated or NULL */
	const char *user;           /* -u; NULL or "": the container's Config.User */
	const char *workdir;        /* -w; NULL or "": the container's Config.WorkingDir, else "/" */
	const char *detach_keys;    /* only checked: "Invalid escape keys (X) provided" */
	int tty;                    /* -t: a pty (the process's stderr is the pty too) */
	int attach_stdin;           /* -i: the process reads what berth_container_exec_io gets */
	int privileged;             /* --privileged: every capability */
	int detach;                 /* -d: stdin, stdout and stderr are /dev/null, nobody waits */
	unsigned short height, width; /* the pty's first size (0: the kernel's 0x0) */
};
/* One exec (docker's exec instance), from create to free.  Execs are not
 * recorded anywhere: the container's ExecIDs stays null in inspect. */
struct berth_container_exec;

/* Docker's ContainerExecCreate: the container must run.  Errors in the
 * daemon's words: BERR_NOT_FOUND "No such container: X", BERR_EXISTS
 * "Container <id> is not running", "Container X is paused, unpause the
 * container before exec", "Container <id> is restarting, wait until the
 * container is running"; BERR_INVALID "Invalid escape keys (K) provided".
 * The environment (PATH, HOSTNAME, TERM=xterm with tty, the container's
 * Env, then opts->env), the user and the directory are settled here.
 * *out: berth_container_exec_free(). */
int berth_container_exec_create(struct berth *b, const char *name_or_id, const struct berth_container_exec_opts *o,
				struct berth_container_exec **out, struct berr *err);

/* Docker's ContainerExecStart, up to a running process: the container's
 * own OCI process (the bundle's) with the exec's args, env, cwd, terminal,
 * user (resolved in the container's /etc/passwd and /etc/group, with its
 * GroupAdd) and, when privileged, every capability, written as
 * <exec-root>/<id>/exec-<exec id>.json and run with `<runtime> exec
 * --detach --process FILE [--console-socket S] <id>` (the container's
 * runtime, crun's hybrid-cgroup workaround included).  Returns once the
 * process runs.  Unless detached, the calling process becomes a child
 * subreaper (prctl PR_SET_CHILD_SUBREAPER, once), so that the process,
 * orphaned when the runtime exits, is its child: berth_container_exec_io
 * reaps it (the caller must not reap unknown children with waitpid(-1)).
 * Errors: the runtime's as docker words them ("OCI runtime exec failed:
 * exec failed: unable to start container process: exec: \"x\": executable
 * file not found in $PATH: unknown"), "unable to find user x: no matching
 * entries in passwd file"; docker's exec then has exit code 126. */
int berth_container_exec_start(struct berth *b, struct berth_container_exec *x, struct berr *err);

/* The pty's size (tty only; else nothing). */
int berth_container_exec_resize(struct berth_container_exec *x, unsigned short height, unsigned short width,
				struct berr *err);

/* After a foreground start: copies in_fd (-1: none; only with
 * attach_stdin; its EOF closes the process's stdin) to the process, its
 * stdout to out_fd and its stderr to err_fd (tty: everything to out_fd;
 * -1: dropped), and waits for it: without a tty until its output is closed
 * (by it and its children) and it has exited, with a tty until it exits,
 * as docker's exec.  *exit_code: its status, 128+N when killed by signal
 * N.  SIGPIPE is blocked in the calling thread meanwhile. */
int berth_container_exec_io(struct berth_container_exec *x, int in_fd, int out_fd, int err_fd, int *exit_code,
			    struct berr *err);

/* The exec's 64-hex ID and the process's host pid (0 before the start). */
const char *berth_container_exec_id(const struct berth_container_exec *x);
int berth_container_exec_pid(const struct berth_container_exec *x);
void berth_container_exec_free(struct berth_container_exec *x);

/* ---- top (lib/container/top.c) ---- */

/* Docker's ContainerTopOKBody. */
struct berth_container_top {
	char **titles;              /* ps's header fields */
	size_t n_titles;
	char ***processes;          /* n_processes rows of n_titles cells */
	size_t n_processes;
};
/* Docker's ContainerTop: `ps <ps_args split at each space> -q<pids>` on
 * the host (ps_args NULL or "": "-ef"; without -q when ps refuses it),
 * the rows of the container's processes (the runtime's `ps --format
 * json`) kept.  Errors in the daemon's words: `specifying "k=PID" is not
 * allowed`, "No such container: X", "Container <id> is not running",
 * "ps: <ps's first line of stderr>", "Couldn't find PID field in ps
 * output". */
int berth_container_top(struct berth *b, const char *name_or_id, const char *ps_args,
			struct berth_container_top *out, struct berr *err);
void berth_container_top_release(struct berth_container_top *t);
/* ---- docker cp: the archive endpoints (lib/container/archive.c) ----
 * For the API: BERR_NOT_FOUND (a missing container or path) is dockerd's
 * 404; every other failure of these three is its 500 (errdefs.System),
 * whatever its code.  Volumes and binds are not mounted yet (TODO). */

/* Docker's ContainerPathStat (the X-Docker-Container-Path-Stat header's
 * JSON: {"name","size","mode","mtime","linkTarget"}). */
struct berth_container_path_stat {
	char *name;             /* the base of the path as asked ("/" for the root, "." for "dir/.") */
	int64_t size;
	uint32_t mode;          /* Go's os.FileMode: permissions | ModeDir 1<<31, ModeSymlink 1<<27, ... */
	int64_t mtime_sec;
	long mtime_nsec;
	char *link_target;      /* a symlink's target fully resolved in the container ("/abs"); else "" */
};
void berth_container_path_stat_release(struct berth_container_path_stat *st);
/* The stat as dockerd's json.Marshal writes it (free()):
 * {"name":"a","size":3,"mode":420,"mtime":"2020-09-13T12:26:40Z","linkTarget":""};
 * and that base64'd, the X-Docker-Container-Path-Stat header's value. */
char *berth_container_path_stat_json(const struct berth_container_path_stat *st);
char *berth_container_path_stat_header(const struct berth_container_path_stat *st);

/* Docker's ContainerStatPath (HEAD /containers/{id}/archive?path=): the
 * path's dir resolved in the container's root (symlinks never leave it),
 * its last element lstat'ed.  A stopped container's root is mounted for
 * the call.  BERR_NOT_FOUND "No such container: X", or "Could not find
 * the file PATH in container NAME". */
int berth_container_stat_path(struct berth *b, const char *name_or_id, const char *path,
			      struct berth_container_path_stat *out, struct berr *err);

/* Called with the path's stat before any tar byte (the API's header);
 * non-zero: stop there, with success. */
typedef int (*berth_container_path_stat_fn)(const struct berth_container_path_stat *st, void *ctx);
/* Docker's ContainerArchivePath (GET /containers/{id}/archive?path=): the
 * tar dockerd writes to fd: a dir's entries under the path's base name
 * ("d/", "d/f"; "./", "./f" for "d/."), a file or symlink as one entry;
 * owner names from the container's own passwd/group.  Errors as stat's. */
int berth_container_archive_path(struct berth *b, const char *name_or_id, const char *path, int fd,
				 berth_container_path_stat_fn on_stat, void *ctx, struct berr *err);

struct berth_container_extract_opts {
	int no_overwrite_dir_non_dir; /* ?noOverwriteDirNonDir (the CLI always sets it) */
	int copy_uid_gid;             /* ?copyUIDGID (cp -a): with Config.User, everything owned by that user */
};
/* Docker's ContainerExtractToDir (PUT /containers/{id}/archive?path=): the
 * tar (plain, gzip, xz or zstd) read from fd is unpacked into the dir at
 * path (its last element followed if a symlink), inside the container's
 * root whatever the entries say: "../" names, symlinks and hardlinks
 * pointing above the dir fail ("Error processing tar file(exit status 1):
 * \"../x\" is outside of \"/d\"", "invalid symlink ...").  Owners: the
 * entries' own.  Errors also "extraction point is not a directory",
 * "container rootfs is marked read-only", the not-found ones above. */
int berth_container_extract_to_dir(struct berth *b, const char *name_or_id, const char *path, int fd,
				   const struct berth_container_extract_opts *o, struct berr *err);

/* docker cp as the docker 20.10 client does it (cp.go, pkg/archive's
 * copy rules), on the three calls above: src and dst as typed
 * ("CONTAINER:PATH", a local path, "-" for a tar on in_fd / out_fd).
 * -1 with err set to docker's text as the client prints it (its own
 * "Error: No such container:path: C:P" included); *daemon_side 1 when
 * docker prints it as "Error response from daemon: <text>". */
struct berth_container_cp_opts {
	const char *src, *dst;
	int follow_link;        /* -L */
	int copy_uid_gid;       /* -a */
	int in_fd, out_fd;
};
int berth_container_cp(struct berth *b, const struct berth_container_cp_opts *o, int *daemon_side,
		       struct berr *err);
/* ---- pause, unpause (lib/container/pause.c) ---- */

/* Docker's ContainerPause: `runtime pause` (the cgroup freezer), then
 * State.Paused.  Errors in docker's words: BERR_EXISTS "Container <id> is
 * not running", "... is already paused", "... is restarting, wait until
 * the container is running"; "Cannot pause container <id>: <why>". */
int berth_container_pause(struct berth *b, const char *name_or_id, struct berr *err);
/* Docker's ContainerUnpause: "Container <id> is not paused",
 * "Cannot unpause container <id>: <why>". */
int berth_container_unpause(struct berth *b, const char *name_or_id, struct berr *err);

#endif
