/*
 * engine.h - what the container commands (create.c, start.c, wait.c)
 * share: where a container's runtime state lives and host facts.
 *
 * Under the exec root (berth_set_exec_root, daemon.json "exec-root",
 * default /run/berth), each container that ever started has
 * <exec-root>/<id>/: the OCI bundle's config.json, and the monitor's
 * files (monitor.pid, monitor.sock, container.pid, exit: monitor.h).  The
 * runtime keeps its own state in <exec-root>/runtime-<name>/.  All of it
 * is on a tmpfs in the field: a reboot clears it, and the store's records
 * then say Running for containers nobody runs, which readers correct
 * (container_refresh_state).
 */
#ifndef BERTH_CONTAINER_ENGINE_H
#define BERTH_CONTAINER_ENGINE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "../internal.h"

struct container;

/* 1 on a unified cgroup hierarchy (cgroup v2 at /sys/fs/cgroup). */
int container_cgroup_v2(void);

/* <exec-root>/<id> into buf. */
void container_state_dir(struct berth *b, const char *id, char *buf, size_t n);
/* The IDs of the container's execs whose process still runs (exec.c);
 * a new array, empty when none. */
json_t *container_exec_ids(struct berth *b, const char *container_id);

/* The exit status docker gives a start failure, from its text: 127 for a
 * command not found, 126 for one not executable, else 125. */
int container_start_failure_status(const char *msg);

/* A container recorded Running whose monitor is gone (killed, or a reboot
 * cleared the exec root) is not running: its record is corrected to
 * exited (the exit file's status when the monitor left one, else 0 as
 * dockerd's restore does) and saved.  Takes the store lock when it
 * changes anything. */
int container_refresh_state(struct berth *b, struct container *c, struct berr *err);
/* The same for a caller that holds the lock already (rmi, prune). */
int container_refresh_state_locked(struct berth *b, struct container *c, struct berr *err);

/* Records Paused false (pause.c): after a stop's signal resumed a paused
 * container (monitor_stop_kill), as dockerd's resume event does. */
int container_record_unpaused(struct berth *b, const char *id);

/* Removes the exec-root dirs of containers that no longer exist and whose
 * monitor is gone (an --rm container, a failed start, a removal behind
 * berth's back). */
void container_exec_gc(struct berth *b);

/* The OCI runtime a container runs under (HostConfig.Runtime, configured
 * or built in), as start runs it and exec and top reuse it: the binary
 * (an absolute path, else found in $PATH), its global args ("--root",
 * <exec-root>/runtime-<name>, then the configured runtimeArgs;
 * NULL-terminated, borrowing from rt and the handle's config), and
 * whether it must run with /sys/fs/cgroup/unified hidden (crun 1.8 on a
 * hybrid host: monitor.h hide_unified_cgroup).  Errors: "unknown runtime
 * specified X", `exec: "X": executable file not found in $PATH`. */
struct container_runtime {
	char path[PATH_MAX];
	char root[PATH_MAX];
	const char **args;
	int hide_unified_cgroup;
};
int container_runtime_get(struct berth *b, const struct container *c, struct container_runtime *rt,
			  struct berr *err);
void container_runtime_release(struct container_runtime *rt);
/* Go's exec.LookPath for a program name: as it is when it has a '/',
 * else the first executable in $PATH (default: the usual dirs). */
int container_look_path(const char *name, char *out, size_t n, struct berr *err);
/* Starts `<rt->path> <rt->args...> <cmd...>` with in, out and errfd as its
 * stdin, stdout and stderr (all three given, >= 3) and no other fd, every
 * signal at its default, in a private mount namespace without
 * /sys/fs/cgroup/unified when rt says so (exec.c).  The child's pid, or -1. */
pid_t container_runtime_spawn(const struct container_runtime *rt, const char *const *cmd, int in, int out,
			      int errfd, struct berr *err);

#endif
