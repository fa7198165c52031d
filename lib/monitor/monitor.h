/*
 * monitor.h - one small monitor process per running container (conmon's
 * model), so that no daemon is needed.  monitor_start() forks it from the
 * library (double fork + setsid: it outlives the command that started it;
 * a child subreaper: the container's process is its child), and it:
 *   - runs `<runtime> <runtime_args> --log-format json create` on the
 *     bundle, with stdio pipes it owns (or a pty received over
 *     --console-socket), then `start`; a failure comes back to
 *     monitor_start's caller as docker's text ("OCI runtime create failed:
 *     <runtime's message>: unknown"; the caller adds "failed to create shim
 *     task: " and maps 127/126/125 from it);
 *   - copies stdout/stderr to the json-file log and to attached clients,
 *     and stdin from attached clients (open_stdin);
 *   - serves <state_dir>/monitor.sock (0600), protocol below;
 *   - on the container's exit: drains the output, closes the log (log
 *     followers end), writes <state_dir>/exit, calls on_exit, removes
 *     monitor.sock, answers waiters and closes every client, then runs
 *     `<runtime> delete` (after the waiters: `docker run` need not wait
 *     for a runtime exec), removes monitor.pid and exits.  Until then it
 *     holds its lock, and a monitor_start on the same state_dir waits.
 *
 * Files in state_dir (<exec-root>/<id>): monitor.pid (the monitor's pid,
 * decimal, no newline; the monitor holds an exclusive flock on it for its
 * whole life), monitor.sock, container.pid (written by the runtime), exit.
 * A monitor killed with SIGKILL leaves monitor.pid unlocked, a dead
 * monitor.sock and no exit file: monitor_alive() says 0.  Its container
 * keeps running, re-parented to the next subreaper or init, with its
 * stdout/stderr pipes broken (its next write gets SIGPIPE/EPIPE; a tty
 * container gets SIGHUP) and stdin at EOF; nobody records its exit or
 * deletes its runtime state: `runtime kill` / `runtime delete -f` recover.
 *
 * Socket protocol: one connection per command; the client sends one line,
 * the monitor answers one line ("ok ...\n" or "error <text>\n"):
 *   attach [i][o][e]\n  -> "ok mux\n" (frames of logs/stdcopy.h, type 1
 *                          stdout, 2 stderr) or "ok raw\n" (tty: the pty's
 *                          bytes); then the stream until the container
 *                          exits (EOF).  With i, every later byte the
 *                          client sends is the container's stdin; the
 *                          client's half-close is stdin's EOF when
 *                          stdin_once (docker run -i).
 *   resize H W\n        -> TIOCSWINSZ on the pty; "ok\n"
 *   kill SIGNAL [stop]\n -> `runtime kill <id> SIGNAL` (name or number); "ok\n".
 *                          With stop (docker's ExitOnNext): no restart
 *                          after this exit, and a paused container is
 *                          resumed after the signal so it gets it.
 *   pause\n, resume\n   -> `runtime pause|resume <id>`; "ok\n"
 *   state\n             -> "ok running <pid>\n"
 *   wait\n              -> once the exit is recorded and on_exit has run:
 *                          "ok exited <code> <oom 0|1> <sec>.<nsec>\n"
 * Lines are at most 256 bytes.
 *
 * The exit file: {"ExitCode":137,"OOMKilled":false,"FinishedAt":"<RFC3339Nano>",
 * "FinishedAtUnixNano":<n>,"Pid":<container pid>}\n, replaced atomically.
 */
#ifndef BERTH_MONITOR_MONITOR_H
#define BERTH_MONITOR_MONITOR_H

#include <stdint.h>
#include <sys/types.h>

#include "logs/jsonfile.h"
#include "util/err.h"
#include "util/sbuf.h"

struct monitor_exit {
	int exit_code;            /* the exit status, 128+N for signal N */
	int oom_killed;           /* the container's cgroup saw an OOM kill (best effort) */
	int64_t finished_sec;     /* when the monitor reaped it (CLOCK_REALTIME) */
	long finished_nsec;
	pid_t pid;                /* the container's init, as the host sees it */
	const char *error;        /* on_exit only: why a restart failed to start, else NULL */
};

/* Called in the monitor process (a fork of monitor_start's caller, so ctx
 * and the library are usable, but the caller's later changes are not
 * seen) after the log is closed and the exit file written, and before
 * waiters are answered and the runtime's state deleted (it is "stopped"
 * then): update config.v2.json, remove an --rm container.  cwd is
 * state_dir, stdio is /dev/null, SIGCHLD is blocked (waitpid works);
 * it may remove state_dir; it must return, not exit.  Waiters wait for
 * it, so it should be quick. */
typedef void (*monitor_exit_fn)(const struct monitor_exit *ex, void *ctx);

/* A restart policy, applied by the monitor while it lives (docker's
 * restartmanager): after each exit that no stop caused ("kill SIG stop"),
 * restart_check (in the monitor, with on_exit_ctx) gets the exit and how
 * long the run lasted, and returns the delay in milliseconds before the
 * same bundle is created and started again (it has recorded the
 * container restarting then), or < 0 for no restart (on_exit follows).
 * Between runs the monitor keeps its lock and socket: "wait" waits for
 * the next exit, "kill SIG stop" cancels the restart (the monitor then
 * finishes, on_exit recording the last exit), attach and state answer
 * "error container is restarting".  Once the new run started,
 * restart_started records it; a run that fails to start ends the
 * monitor, with on_exit's ex->error set. */
typedef long (*monitor_restart_fn)(const struct monitor_exit *ex, int64_t ran_ms, void *ctx);
typedef void (*monitor_started_fn)(pid_t pid, int64_t sec, long nsec, void *ctx);

struct monitor_opts {
	const char *id;                    /* the runtime's container id */
	const char *bundle;                /* absolute path of the OCI bundle */
	const char *state_dir;             /* absolute; created 0700 if missing */
	const char *runtime;               /* e.g. "/usr/sbin/runc" */
	const char *const *runtime_args;   /* global args, NULL-terminated (may be NULL):
					      {"--root", "<exec-root>/runc", NULL} */
	const char *log_path;              /* json-file log, NULL for none */
	struct jsonfile_opts log_opts;
	int tty;                           /* the bundle has process.terminal */
	int open_stdin;                    /* keep a stdin pipe for attached clients */
	int stdin_once;                    /* the first attached stdin's EOF closes it */
	/* A connection attached from the very start (nothing is missed), as
	 * "attach" with these flags; returned in monitor_info.attach_fd. */
	int attach_stdin, attach_stdout, attach_stderr;
	/* `runtime run --detach` instead of create + start: one runtime exec
	 * fewer (about 5 ms with runc), but every failure then reads
	 * "OCI runtime create failed: runc run failed: ..." and the pid is
	 * read only once the process already runs. */
	int run_detached;
	/* Run each runtime command in a private mount namespace without the
	 * cgroup2 mount at /sys/fs/cgroup/unified: crun 1.8 refuses hybrid
	 * hosts ("cgroups in hybrid mode not supported") and works, on the v1
	 * controllers, once that mount is out of its sight (start.c decides). */
	int hide_unified_cgroup;
	/* run the runtime from a sealed in-memory copy of its binary, which
	 * crun then need not make itself at every call (see sealed_copy) */
	int seal_runtime;
	monitor_exit_fn on_exit;
	/* the same context, after the waiters are answered (before the
	 * runtime's delete): clean-up that nobody needs to wait for */
	monitor_exit_fn after_exit;
	void *on_exit_ctx;
	monitor_restart_fn restart_check;  /* NULL: no restart policy */
	monitor_started_fn restart_started;
};

struct monitor_info {
	pid_t monitor_pid;
	pid_t container_pid;
	int64_t started_sec;      /* when `runtime start` returned */
	long started_nsec;
	int attach_fd;            /* -1 unless attach_*; the caller closes it */
	int attach_raw;           /* tty: raw bytes, else stdcopy frames */
};

/* Starts the monitor and the container; returns once the container runs
 * (0) or failed to (-1: err has the runtime's message; BERR_EXISTS when a
 * monitor already runs for state_dir).  Adds no sleeps or polls. */
int monitor_start(const struct monitor_opts *o, struct monitor_info *out, struct berr *err);

/* Connects an attach client ("attach" above); *fd is the stream. */
int monitor_attach(const char *state_dir, int want_stdin, int want_stdout, int want_stderr, int *fd,
		   int *raw, struct berr *err);
/* `runtime kill` through the monitor; sig is a name ("KILL", "SIGTERM") or a number. */
int monitor_kill(const char *state_dir, const char *sig, struct berr *err);
/* The same as a stop's signal ("kill SIG stop": no restart, a paused
 * container resumed). */
int monitor_stop_kill(const char *state_dir, const char *sig, struct berr *err);
/* `runtime pause` (pause 1) or `runtime resume` (0); err has the runtime's message. */
int monitor_pause(const char *state_dir, int pause, struct berr *err);
/* Sets the pty's window size. */
int monitor_resize(const char *state_dir, unsigned short height, unsigned short width, struct berr *err);
/* The container's pid when its monitor answers "running"; -1 otherwise. */
int monitor_state(const char *state_dir, pid_t *pid, struct berr *err);
/* 1 when a monitor holds state_dir's monitor.pid lock, 0 when none does
 * (never started, exited, or killed). */
int monitor_alive(const char *state_dir);
/* Blocks until the container has exited and its exit is recorded; 0 with
 * *ex, or -1 (BERR_NOT_FOUND: the monitor is gone and left no exit file). */
int monitor_wait_exit(const char *state_dir, struct monitor_exit *ex, struct berr *err);
/* Reads state_dir/exit; -1 (errno ENOENT in err->errno_) when absent. */
int monitor_read_exit(const char *state_dir, struct monitor_exit *ex, struct berr *err);

/* The runtime's message from what it wrote to stderr with --log-format
 * json: the last error-level "msg", else the trimmed text (for exec's
 * and top's runtime commands too). */
void monitor_runtime_message(const struct sbuf *text, struct sbuf *msg);
/* For a runtime's child (a vfork child: raw syscalls only, no libc
 * state): every signal back to its default, which the exec'd runtime
 * inherits; and, on a hybrid-cgroup host, a private copy of the mount
 * namespace without the cgroup2 mount at /sys/fs/cgroup/unified (crun
 * 1.8 refuses such hosts).  0, or -1 with errno. */
void monitor_child_default_signals(void);
int monitor_hide_unified_cgroup(void);

#endif
