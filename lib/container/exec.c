/*
 * exec.c - docker exec without a daemon (berth_container_exec_*), and the
 * one way the library runs a container's runtime for a command of its own
 * (container_runtime_spawn: exec here, ps for top).
 *
 * Create is dockerd's ContainerExecCreate: the checks on the container,
 * then the exec's environment, user and directory settled from the
 * container's Config as dockerd does (daemon/exec.go).  Start is
 * ContainerExecStart: the process is the container's own OCI process (the
 * bundle's config.json, what dockerd gets back from containerd) with the
 * exec's args, env, cwd, terminal, user and, with --privileged, every
 * capability (daemon/exec_linux.go); apparmor, no-new-privileges, rlimits
 * and the rest stay the container's.
 *
 * The design: the runtime runs `exec --detach` from the calling process,
 * which becomes a child subreaper, so the process (the runtime's child,
 * orphaned when the runtime returns) is re-parented to the caller, which
 * reaps it and gets its status.  Why not the runtime in the foreground:
 * runc then copies the process's stdio through its own, and its start
 * failure ("exec: \"x\": executable file not found") comes out on that
 * same stderr, not to be told apart from the process's; and `runc exec -t`
 * in the foreground needs the caller's stdio to be a terminal.  Detached,
 * the runtime's words go to its --log file alone, and the process gets
 * what docker's gets: pipes (stdin /dev/null without -i), or a pty made by
 * the runtime inside the container (--console-socket) whose master berth
 * receives.  berth_container_exec_io copies between those and any fds the
 * caller gives (the CLI's stdio; an API server's sockets), so the same
 * calls serve both.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../monitor/monitor.h"
#include "../runtime/spec.h"
#include "../util/fs.h"
#include "../util/unixsock.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

#define EXEC_BUF 65536
#define EXEC_INPUT_MAX (1u << 20)   /* stdin bytes held while the process does not read */
#define BUNDLE_MAX (8u << 20)

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

struct berth_container_exec {
	char id[65];
	char cid[65];                   /* the container's ID (the runtime's name for it) */
	char state_dir[PATH_MAX];
	struct container_runtime rt;
	json_t *args, *env, *group_add;
	char *user, *workdir;
	int tty, attach_stdin, privileged, detach;
	unsigned short height, width;
	pid_t pid;
	int pidfd, master, in_w, out_r, err_r;
};

/* ---- the runtime ---- */

pid_t container_runtime_spawn(const struct container_runtime *rt, const char *const *cmd, int in, int out,
			      int errfd, struct berr *err)
{
	size_t n = 1, k = 0;
	const char **argv;
	volatile int eno = 0;
	pid_t pid;

	for (size_t i = 0; rt->args && rt->args[i]; i++)
		n++;
	for (size_t i = 0; cmd[i]; i++)
		n++;
	argv = xcalloc(n + 1, sizeof(*argv));
	argv[k++] = rt->path;
	for (size_t i = 0; rt->args && rt->args[i]; i++)
		argv[k++] = rt->args[i];
	for (size_t i = 0; cmd[i]; i++)
		argv[k++] = cmd[i];
	/* vfork, not posix_spawn (monitor.c says why); the child only
	 * unshares, dup2s, closes, resets signals and execs. */
	pid = vfork();
	if (pid == 0) {
		sigset_t none;

		if (rt->hide_unified_cgroup && monitor_hide_unified_cgroup() < 0) {
			eno = errno;
			_exit(127);
		}
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0) {
			eno = errno;
			_exit(127);
		}
		syscall(SYS_close_range, 3U, ~0U, 0U);
		monitor_child_default_signals();
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(argv[0], (char *const *)argv, environ);
		eno = errno;
		_exit(127);
	}
	free(argv);
	if (pid < 0)
		return berr_sys(err, "fork/exec %s", rt->path);
	if (eno) {
		waitpid(pid, NULL, 0);
		errno = eno;
		return berr_sys(err, "fork/exec %s", rt->path);
	}
	return pid;
}

static int wait_child(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* ---- create ---- */

/* moby/term's ToBytes: comma-separated single characters, "ctrl-X" or DEL. */
static int check_detach_keys(const char *keys)
{
	static const char ctrl[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
	const char *k = keys;

	for (;;) {   /* Go's Split: empty keys between commas count */
		size_t n = strcspn(k, ",");

		if (!(n == 1 || (n == 3 && !strncmp(k, "DEL", 3)) ||
		      (n == 6 && !strncmp(k, "ctrl-", 5) && memchr(ctrl, k[5], sizeof(ctrl) - 1))))
			return -1;
		if (!k[n])
			return 0;
		k += n + 1;
	}
}

static json_t *str_array(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int berth_container_exec_create(struct berth *b, const char *name_or_id, const struct berth_container_exec_opts *o,
				struct berth_container_exec **out, struct berr *err)
{
	struct berth_container_exec *x;
	struct container *c;
	json_t *cfg, *defaults, *base, *extra;

	*out = NULL;
	if (!o->cmd || !o->cmd[0])
		return berr_set(err, BERR_INVALID, "No exec command specified");
	if (!(c = container_lookup(b->store, name_or_id, err)))
		return -1;
	if (container_refresh_state(b, c, err) < 0)
		goto fail;
	if (!c->state.running) {
		berr_set(err, BERR_EXISTS, "Container %s is not running", c->id);
		goto fail;
	}
	if (c->state.paused) {
		berr_set(err, BERR_EXISTS, "Container %s is paused, unpause the container before exec", name_or_id);
		goto fail;
	}
	if (c->state.restarting) {
		berr_set(err, BERR_EXISTS, "Container %s is restarting, wait until the container is running", c->id);
		goto fail;
	}
	if (o->detach_keys && *o->detach_keys && check_detach_keys(o->detach_keys) < 0) {
		berr_set(err, BERR_INVALID, "Invalid escape keys (%s) provided", o->detach_keys);
		goto fail;
	}
	x = xcalloc(1, sizeof(*x));
	x->pidfd = x->master = x->in_w = x->out_r = x->err_r = -1;
	if (container_runtime_get(b, c, &x->rt, err) < 0) {
		free(x);
		goto fail;
	}
	random_id(x->id);
	memcpy(x->cid, c->id, sizeof(x->cid));
	container_state_dir(b, c->id, x->state_dir, sizeof(x->state_dir));
	cfg = container_config(c);
	x->args = str_array(o->cmd);
	x->tty = o->tty;
	x->attach_stdin = o->attach_stdin && !o->detach;
	x->privileged = o->privileged;
	x->detach = o->detach;
	x->height = o->height;
	x->width = o->width;
	/* CreateDaemonEnvironment, then the exec's own */
	defaults = json_array();
	json_array_append_new(defaults, json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	json_array_append_new(defaults, json_sprintf("HOSTNAME=%s", jstr(cfg, "Hostname")));
	if (o->tty)
		json_array_append_new(defaults, json_string("TERM=xterm"));
	base = spec_env_merge(defaults, json_object_get(cfg, "Env"));
	extra = str_array(o->env);
	x->env = spec_env_merge(base, extra);
	json_decref(defaults);
	json_decref(base);
	json_decref(extra);
	x->user = xstrdup(o->user && *o->user ? o->user : jstr(cfg, "User"));
	x->workdir = xstrdup(o->workdir && *o->workdir ? o->workdir : jstr(cfg, "WorkingDir"));
	x->group_add = json_deep_copy(json_object_get(c->host_config, "GroupAdd"));
	container_free(c);
	*out = x;
	return 0;
fail:
	container_free(c);
	return -1;
}

/* ---- start ---- */

static json_t *exec_process(struct berth_container_exec *x, struct berr *err)
{
	char path[PATH_MAX + 16];
	struct sbuf sb = SBUF_INIT;
	json_error_t je;
	json_t *spec, *p;

	snprintf(path, sizeof(path), "%s/config.json", x->state_dir);
	if (read_file_at(AT_FDCWD, path, &sb, BUNDLE_MAX, err) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	spec = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &je);
	sbuf_release(&sb);
	p = json_object_get(spec, "process");
	if (!json_is_object(p)) {
		json_decref(spec);
		berr_set(err, BERR_INVALID, "%s: no process", path);
		return NULL;
	}
	json_incref(p);
	json_object_set(p, "args", x->args);
	json_object_set(p, "env", x->env);
	json_object_set_new(p, "cwd", json_string(*x->workdir ? x->workdir : "/"));
	/* Go's omitempty: terminal only when true */
	if (x->tty && !x->detach)
		json_object_set_new(p, "terminal", json_true());
	else
		json_object_del(p, "terminal");
	if (*x->user) {
		const char *rootfs = jstr(json_object_get(spec, "root"), "path");
		struct spec_user u;
		json_t *gids;

		if (spec_resolve_user(rootfs, x->user, x->group_add, &u, err) < 0) {
			json_decref(p);
			json_decref(spec);
			return NULL;
		}
		gids = json_array();
		for (size_t i = 0; i < u.ngids; i++)
			json_array_append_new(gids, json_integer(u.gids[i]));
		json_object_set_new(p, "user", json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u.uid, "gid",
							 (json_int_t)u.gid, "additionalGids", gids));
		spec_user_release(&u);
	}
	if (x->privileged) {
		json_t *all = spec_capabilities(NULL, NULL, 1, err);

		if (!all) {
			json_decref(p);
			json_decref(spec);
			return NULL;
		}
		json_object_set_new(p, "capabilities", json_pack("{s:O, s:O, s:O}", "bounding", all, "effective", all,
								 "permitted", all));
		json_decref(all);
	}
	json_decref(spec);
	return p;
}

/* A listening socket at dir/name (0600); *addr gets the path the runtime
 * dials: dir/name, or through /proc/<pid>/fd/<dirfd> when that is too
 * long for a socket address (the dir fd stays open in *dirfd). */
static int listen_console(const char *dir, const char *name, char *addr, size_t n, int *dirfd)
{
	struct sockaddr_un sa;
	char path[PATH_MAX + 80];
	int fd;

	*dirfd = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if ((*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d/%s", (int)getpid(), *dirfd, name);
	}
	snprintf(addr, n, "%s", path);
	if ((fd = unix_listen(path, 1, SOCK_NONBLOCK)) < 0 && *dirfd >= 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return fd;
}

/* The start time of pid (field 22 of /proc/<pid>/stat), which tells a
 * process from a later one with the same pid; 0 when it is gone. */
static unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* after the command's ")": state is field 3, starttime field 22 */
	if (!(p = strrchr(buf, ')')))
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

/* Docker's container.ExecCommands, daemonless: <state dir>/execs/<exec id>
 * holds "<pid> <start time>" while the exec's process lives; inspect's
 * ExecIDs lists the live ones and drops the others. */
static void exec_record(const char *state_dir, const char *id, pid_t pid)
{
	char dir[PATH_MAX + 8], path[PATH_MAX + 80], line[64];
	struct berr e = BERR_INIT;

	snprintf(dir, sizeof(dir), "%s/execs", state_dir);
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	snprintf(line, sizeof(line), "%d %llu", (int)pid, proc_start_time(pid));
	if (mkdir_p_at(AT_FDCWD, dir, 0700, &e) == 0)
		cache_write_at(AT_FDCWD, path, line, strlen(line), 0600, &e);
}

json_t *container_exec_ids(struct berth *b, const char *container_id)
{
	char dir[PATH_MAX + 8];
	json_t *ids = json_array();
	struct dirent *de;
	DIR *d;

	container_state_dir(b, container_id, dir, sizeof(dir) - 8);
	strcat(dir, "/execs");
	if (!(d = opendir(dir)))
		return ids;
	while ((de = readdir(d))) {
		char line[64] = "";
		unsigned long long started = 0;
		int pid = 0, fd;
		ssize_t n;

		if (strlen(de->d_name) != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
			continue;
		if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, line, sizeof(line) - 1);
			close(fd);
			line[n > 0 ? n : 0] = '\0';
		}
		if (sscanf(line, "%d %llu", &pid, &started) == 2 && pid > 0 && proc_start_time(pid) == started)
			json_array_append_new(ids, json_string(de->d_name));
		else
			unlinkat(dirfd(d), de->d_name, 0);   /* its process is gone */
	}
	closedir(d);
	return ids;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The runtime's message, as containerd's exec reports it. */
static void runtime_failure(const char *log_path, int err_r, struct berr *err)
{
	struct sbuf text = SBUF_INIT, msg = SBUF_INIT;
	char buf[4096];
	ssize_t k;

	if (read_file_at(AT_FDCWD, log_path, &text, 1 << 20, NULL) < 0 || !text.len) {
		sbuf_reset(&text);
		fcntl(err_r, F_SETFL, O_NONBLOCK);
		while (text.len < (1 << 16) && (k = read(err_r, buf, sizeof(buf))) > 0)
			sbuf_add(&text, buf, (size_t)k);
	}
	monitor_runtime_message(&text, &msg);
	berr_set(err, BERR_INVALID, "OCI runtime exec failed: %s: unknown", msg.len ? sbuf_str(&msg) : "runtime exec failed");
	sbuf_release(&text);
	sbuf_release(&msg);
}

int berth_container_exec_start(struct berth *b, struct berth_container_exec *x, struct berr *err)
{
	char proc_path[PATH_MAX + 96], pid_path[PATH_MAX + 96], log_path[PATH_MAX + 96], sock_name[64];
	char sock_addr[PATH_MAX + 96];
	int in_r = -1, out_w = -1, err_w = -1, rt_err[2] = { -1, -1 }, null_fd = -1, null_in = -1, lfd = -1;
	int dirfd = -1;
	int tty = x->tty && !x->detach, rc = -1, st;
	const char *cmd[20];
	size_t nc = 0;
	_cleanup_free_ char *text = NULL;
	json_t *p;
	pid_t rpid;

	(void)b;
	if (x->pid)
		return berr_set(err, BERR_EXISTS, "Error: Exec command %s has already run", x->id);
	if (!(p = exec_process(x, err)))
		return -1;
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	snprintf(proc_path, sizeof(proc_path), "%s/exec-%s.json", x->state_dir, x->id);
	snprintf(pid_path, sizeof(pid_path), "%s/exec-%s.pid", x->state_dir, x->id);
	snprintf(log_path, sizeof(log_path), "%s/exec-%s.log", x->state_dir, x->id);
	snprintf(sock_name, sizeof(sock_name), "exec-%.12s.sock", x->id);
	if (cache_write_at(AT_FDCWD, proc_path, text, strlen(text), 0600, err) < 0)
		return -1;
	/* docker's process gets /dev/null for stdin read-only */
	if ((null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0 ||
	    (null_in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || pipe2(rt_err, O_CLOEXEC) < 0) {
		berr_sys(err, "exec: pipe");
		goto out;
	}
	if (tty) {
		if ((lfd = listen_console(x->state_dir, sock_name, sock_addr, sizeof(sock_addr), &dirfd)) < 0) {
			berr_sys(err, "exec: console socket");
			goto out;
		}
	} else if (!x->detach) {
		int pi[2] = { -1, -1 }, po[2], pe[2];

		if ((x->attach_stdin && pipe2(pi, O_CLOEXEC) < 0) || pipe2(po, O_CLOEXEC) < 0) {
			berr_sys(err, "exec: pipe");
			goto out;
		}
		if (pipe2(pe, O_CLOEXEC) < 0) {
			close(po[0]);
			close(po[1]);
			berr_sys(err, "exec: pipe");
			goto out;
		}
		in_r = pi[0];
		x->in_w = pi[1];
		x->out_r = po[0];
		out_w = po[1];
		x->err_r = pe[0];
		err_w = pe[1];
	}
	cmd[nc++] = "--log";
	cmd[nc++] = log_path;
	cmd[nc++] = "--log-format";
	cmd[nc++] = "json";
	cmd[nc++] = "exec";
	cmd[nc++] = "--process";
	cmd[nc++] = proc_path;
	cmd[nc++] = "--detach";
	cmd[nc++] = "--pid-file";
	cmd[nc++] = pid_path;
	if (tty) {
		cmd[nc++] = "--console-socket";
		cmd[nc++] = sock_addr;
	}
	cmd[nc++] = x->cid;
	cmd[nc] = NULL;
	/* the orphaned process must come back to us (see the top) */
	if (!x->detach && prctl(PR_GET_CHILD_SUBREAPER, &st) == 0 && !st && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		berr_sys(err, "exec: PR_SET_CHILD_SUBREAPER");
		goto out;
	}
	/* Without a pty the process inherits the runtime's stdio (--detach);
	 * the runtime's own words go to --log, and also to its stderr when it
	 * fails, before any process ran. */
	rpid = container_runtime_spawn(&x->rt, cmd, in_r >= 0 ? in_r : null_in, out_w >= 0 ? out_w : null_fd,
				       err_w >= 0 ? err_w : rt_err[1], err);
	close_fd(&in_r);
	close_fd(&out_w);
	close_fd(&err_w);
	close_fd(&rt_err[1]);
	if (rpid < 0)
		goto out;
	st = wait_child(rpid);
	if (st != 0) {
		runtime_failure(log_path, x->err_r >= 0 ? x->err_r : rt_err[0], err);
		goto out;
	}
	x->pid = (pid_t)read_pid_file(pid_path);
	if (x->pid <= 0) {
		x->pid = 0;
		berr_set(err, BERR_INTERNAL, "OCI runtime exec failed: no pid file: unknown");
		goto out;
	}
	exec_record(x->state_dir, x->id, x->pid);
	if (tty) {
		struct winsize ws = { .ws_row = x->height, .ws_col = x->width };

		if ((x->master = unix_recv_fd(lfd)) < 0) {
			berr_set(err, BERR_INTERNAL, "OCI runtime exec failed: no console from the runtime: unknown");
			goto out;
		}
		if (x->height || x->width)
			ioctl(x->master, TIOCSWINSZ, &ws);
	}
	if (!x->detach && (x->pidfd = (int)syscall(SYS_pidfd_open, x->pid, 0)) < 0) {
		berr_sys(err, "exec: pidfd_open %d", (int)x->pid);
		goto out;
	}
	rc = 0;
out:
	if (lfd >= 0) {
		char path[PATH_MAX + 80];

		snprintf(path, sizeof(path), "%s/%s", x->state_dir, sock_name);
		unlink(path);
		close(lfd);
	}
	close_fd(&dirfd);
	close_fd(&in_r);
	close_fd(&out_w);
	close_fd(&err_w);
	close_fd(&rt_err[0]);
	close_fd(&rt_err[1]);
	close_fd(&null_fd);
	close_fd(&null_in);
	unlink(proc_path);
	unlink(pid_path);
	unlink(log_path);
	if (rc < 0) {
		close_fd(&x->in_w);
		close_fd(&x->out_r);
		close_fd(&x->err_r);
		close_fd(&x->master);
	}
	return rc;
}

int berth_container_exec_resize(struct berth_container_exec *x, unsigned short height, unsigned short width,
				struct berr *err)
{
	struct winsize ws = { .ws_row = height, .ws_col = width };

	if (x->master < 0)
		return 0;
	if (ioctl(x->master, TIOCSWINSZ, &ws) < 0)
		return berr_sys(err, "exec resize");
	return 0;
}

/* ---- the streams ---- */

/* One read of src into dst (-1: dropped): 1 on data or a retry, 0 at
 * EOF, EIO (a pty whose every slave is closed) or nothing more now, -1
 * when dst takes no more (its reader is gone: the caller then closes src,
 * and the process's next write gets EPIPE, as when docker's client dies
 * of SIGPIPE). */
static int pump(int src, int dst)
{
	char buf[EXEC_BUF];
	ssize_t n = read(src, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR ? 1 : 0;
	if (n == 0)
		return 0;
	if (dst >= 0 && fd_write_all(dst, buf, (size_t)n, 0) < 0 && errno != EAGAIN)
		return -1;
	return 1;
}

/* What is left to read without waiting, once the process has exited. */
static void drain(int src, int dst)
{
	int fl = fcntl(src, F_GETFL);

	fcntl(src, F_SETFL, fl | O_NONBLOCK);
	while (pump(src, dst) > 0)
		;
	fcntl(src, F_SETFL, fl);
}

int berth_container_exec_io(struct berth_container_exec *x, int in_fd, int out_fd, int err_fd, int *exit_code,
			    struct berr *err)
{
	int tty = x->master >= 0, exited = 0, status = 0, rc = 0;
	int target = tty ? x->master : x->in_w;     /* where stdin goes */
	int in_open = in_fd >= 0 && x->attach_stdin && target >= 0;
	int out_src = tty ? x->master : x->out_r, err_src = tty ? -1 : x->err_r;
	struct sbuf pending = SBUF_INIT;
	sigset_t pipe_set, old;
	char buf[EXEC_BUF];

	*exit_code = -1;
	if (x->pidfd < 0)
		return berr_set(err, BERR_INVALID, "exec %s: not started in the foreground", x->id);
	if (target >= 0)
		fcntl(target, F_SETFL, fcntl(target, F_GETFL) | O_NONBLOCK);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	for (;;) {
		struct pollfd pf[5];
		int ni = -1, no = -1, ne = -1, nt = -1, np = -1, pr;
		nfds_t n = 0;

		if (exited && (tty || (out_src < 0 && err_src < 0)))
			break;
		if (!exited) {
			np = (int)n;
			pf[n++] = (struct pollfd){ .fd = x->pidfd, .events = POLLIN };
		}
		if (out_src >= 0) {
			no = (int)n;
			pf[n++] = (struct pollfd){ .fd = out_src, .events = POLLIN };
		}
		if (err_src >= 0) {
			ne = (int)n;
			pf[n++] = (struct pollfd){ .fd = err_src, .events = POLLIN };
		}
		if (in_open && pending.len < EXEC_INPUT_MAX) {
			ni = (int)n;
			pf[n++] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
		}
		if (target >= 0 && pending.len && !tty) {
			nt = (int)n;
			pf[n++] = (struct pollfd){ .fd = target, .events = POLLOUT };
		} else if (tty && pending.len) {
			/* the master is polled for input already; ask for POLLOUT there */
			pf[no].events |= POLLOUT;
			nt = no;
		}
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = berr_sys(err, "exec: poll");
			break;
		}
		if (nt >= 0 && (pf[nt].revents & (POLLOUT | POLLERR | POLLHUP)) && pending.len) {
			ssize_t k = write(target, pending.buf, pending.len);

			if (k > 0) {
				memmove(pending.buf, pending.buf + k, pending.len - (size_t)k);
				pending.len -= (size_t)k;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				pending.len = 0;
				in_open = 0;   /* the process closed its stdin */
			}
			if (!pending.len && !in_open && !tty)
				close_fd(&x->in_w), target = -1;
		}
		if (ni >= 0 && (pf[ni].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t k = read(in_fd, buf, sizeof(buf));

			if (k > 0)
				sbuf_add(&pending, buf, (size_t)k);
			else if (k == 0 || errno != EINTR) {
				in_open = 0;
				/* CloseStdin: the process sees EOF once what was read is written */
				if (!tty && !pending.len)
					close_fd(&x->in_w), target = -1;
			}
		}
		if (no >= 0 && (pf[no].revents & (POLLIN | POLLHUP | POLLERR)) && (pr = pump(out_src, out_fd)) <= 0) {
			/* EIO: nothing holds the pty any more; a reader gone:
			 * the pty hangs up (SIGHUP) */
			if (tty && pr < 0)
				close_fd(&x->master);
			if (tty)
				break;
			close_fd(&x->out_r);
			out_src = -1;
		}
		if (ne >= 0 && (pf[ne].revents & (POLLIN | POLLHUP | POLLERR)) && pump(err_src, err_fd) <= 0) {
			close_fd(&x->err_r);
			err_src = -1;
		}
		if (np >= 0 && (pf[np].revents & POLLIN)) {
			exited = 1;
			if (tty)
				drain(x->master, out_fd);
		}
	}
	if (!rc) {
		while (waitpid(x->pid, &status, 0) < 0) {
			if (errno != EINTR) {
				rc = berr_sys(err, "exec: wait for %d", (int)x->pid);
				break;
			}
		}
		if (!rc)
			*exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
				     : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
	}
	if (!sigismember(&old, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sbuf_release(&pending);
	close_fd(&x->in_w);
	close_fd(&x->out_r);
	close_fd(&x->err_r);
	close_fd(&x->master);
	close_fd(&x->pidfd);
	return rc;
}

const char *berth_container_exec_id(const struct berth_container_exec *x)
{
	return x->id;
}

int berth_container_exec_pid(const struct berth_container_exec *x)
{
	return (int)x->pid;
}

void berth_container_exec_free(struct berth_container_exec *x)
{
	if (!x)
		return;
	close_fd(&x->in_w);
	close_fd(&x->out_r);
	close_fd(&x->err_r);
	close_fd(&x->master);
	close_fd(&x->pidfd);
	container_runtime_release(&x->rt);
	json_decref(x->args);
	json_decref(x->env);
	json_decref(x->group_add);
	free(x->user);
	free(x->workdir);
	free(x);
}
