/* monitor.c - the monitor process: start, event loop, exit.  See monitor.h. */
#include "monitor.h"
#include "monitor-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <limits.h>

#include "logs/stdcopy.h"
#include "util/fs.h"
#include "util/unixsock.h"
#include "util/timefmt.h"

extern char **environ;

/* A client's pending output above which the container's output is no
 * longer read (docker's attach also blocks a container on a slow reader). */
#define CLIENT_HIGH_WATER (1 << 20)
/* Bound on waiting for the output pipes' EOF once the container is gone
 * (a process outside the container may hold them). */
#define DRAIN_TIMEOUT_MS 2000

enum client_kind { C_CMD, C_ATTACH, C_WAIT, C_DONE };

struct client {
	int fd;
	enum client_kind kind;
	int in, out, err;          /* attach flags */
	int in_eof;
	struct sbuf line;          /* the command line being read */
	struct sbuf pending;       /* output not yet sent */
	size_t off;
};

struct mon {
	const struct monitor_opts *o;
	int sigfd, lfd;
	int out_fd, err_fd;        /* container stdout/stderr read ends, or the pty master in out_fd */
	int in_fd;                 /* container stdin write end, or a dup of the pty master; -1 none */
	int stdin_closed;
	struct sbuf stdin_pending;
	pid_t cpid;
	int exited;
	struct monitor_exit ex;
	struct jsonfile_writer *log;
	struct jsonfile_copier *cout, *cerr;
	struct client **clients;
	size_t nclients;
	char oom_file[512];
	int rt_ns;                 /* hide_unified_cgroup: the runtime's mount namespace, or -1 */
	int rt_exe;                /* seal_runtime: sealed_copy() of the runtime, or -1 */
	int paused;                /* `runtime pause` done, no resume since */
	int no_restart;            /* a stop's kill came: the restart policy is over */
	int restarting;            /* between runs: no container, until restart_at */
	struct timespec restart_at; /* CLOCK_MONOTONIC */
	int64_t started_sec;       /* the current run's start */
	long started_nsec;
	char restart_error[BERR_MSG_MAX]; /* a restart that failed to start */
};

/* ------------------------------------------------------------ small helpers */

static void now(int64_t *sec, long *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*nsec = ts.tv_nsec;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void drain_fd_into(int fd, struct sbuf *sb)
{
	char buf[4096];
	ssize_t k;

	set_nonblock(fd);
	while ((k = read(fd, buf, sizeof(buf))) > 0 && sb->len < 65536)
		sbuf_add(sb, buf, (size_t)k);
}

/* The runtime's message from its stderr: the last "msg" of its JSON log
 * lines (--log-format json), or the trimmed text. */
static void runtime_message(const struct sbuf *text, struct sbuf *msg)
{
	const char *p = sbuf_str(text), *end = p + text->len;
	char *found = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *o = n && *p == '{' ? json_loadb(p, n, 0, NULL) : NULL;
		const char *m = o ? json_string_value(json_object_get(o, "msg")) : NULL;
		const char *lvl = o ? json_string_value(json_object_get(o, "level")) : NULL;
		if (m && (!lvl || !strcmp(lvl, "error") || !strcmp(lvl, "fatal"))) {
			free(found);
			found = xstrdup(m);
		}
		json_decref(o);
		p += n + 1;
	}
	sbuf_reset(msg);
	if (found) {
		sbuf_addstr(msg, found);
		free(found);
		return;
	}
	p = sbuf_str(text);
	size_t n = text->len;
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	sbuf_add(msg, p, n);
}

void monitor_runtime_message(const struct sbuf *text, struct sbuf *msg)
{
	runtime_message(text, msg);
}

/* vfork, not posix_spawn: glibc's posix_spawn leaves its internal
 * SIGCANCEL ignored in the child, and ignored signals survive exec into
 * the container.  The child only dup2s, resets signals and execs; *eno
 * gets exec's errno (the memory is shared until the exec). */
/* Every disposition back to the default, through the system call itself:
 * an ignored signal survives exec into the container, and glibc's
 * sigaction refuses the signals it keeps for itself (32 and 33), which a
 * parent such as a sanitizer runtime may have set to ignored. */
void monitor_child_default_signals(void)
{
	struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } dfl = { 0 };

	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
}

int monitor_hide_unified_cgroup(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0)
		return -1;
	return 0;
}

/* The namespace of monitor_hide_unified_cgroup() made once, for every runtime call
 * of this monitor: an unshare and an unmount cost several ms (the kernel
 * waits for an RCU grace period), too much to pay per runtime exec.  The
 * monitor itself stays in the host's namespace.  Returns an fd of it, or
 * -1 (the callers then make one per call). */
static int make_runtime_ns(void)
{
	int host = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC), ns = -1;
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (host < 0 || cwd < 0) {
		if (host >= 0)
			close(host);
		if (cwd >= 0)
			close(cwd);
		return -1;
	}
	if (monitor_hide_unified_cgroup() == 0)
		ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	/* setns also moves the caller to the namespace's root directory */
	if (setns(host, CLONE_NEWNS) < 0 || fchdir(cwd) < 0) {
		/* cannot happen for root; a monitor stuck outside the host's
		 * namespace would unmount nothing, so give up loudly */
		_exit(1);
	}
	close(host);
	close(cwd);
	return ns;
}

/* A sealed in-memory copy of the runtime binary, executed instead of the
 * file.  crun (like runc) protects itself against CVE-2019-5736 by copying
 * its own binary into a sealed memfd and executing that again at every
 * start, unless it already runs from one: made once per monitor, this
 * saves a copy and an exec on each runtime call.  -1 when it cannot be
 * made (the file is executed then). */
static int sealed_copy(const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC), fd = -1;
	struct stat st;
	off_t off = 0;

	if (in < 0)
		return -1;
	if (fstat(in, &st) < 0 || (fd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
		goto fail;
	while (off < st.st_size)
		if (sendfile(fd, in, &off, (size_t)(st.st_size - off)) <= 0)
			goto fail;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		goto fail;
	close(in);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	close(in);
	return -1;
}

/* How the runtime is started: hide_unified with ns >= 0: the child enters
 * that mount namespace (and goes back to dir); ns -1: it makes its own.
 * exe_fd >= 0: sealed_copy() of the binary. */
struct spawn_how {
	int hide_unified;
	int ns;
	const char *dir;
	int exe_fd;
};

static pid_t spawn(const char *path, const char *const *argv, int in, int out, int errfd,
		   const struct spawn_how *how, int *eno)
{
	volatile int *e = eno;
	int hide_unified = how->hide_unified, ns = how->ns;
	const char *dir = how->dir;
	pid_t pid = vfork();

	if (pid == 0) {
		/* The child's own mount namespace (vfork shares memory, not
		 * the fs context), so the host's mounts are untouched. */
		if (hide_unified && (ns >= 0 ? setns(ns, CLONE_NEWNS) : monitor_hide_unified_cgroup()) < 0) {
			*e = errno;
			_exit(127);
		}
		/* setns moved the child to the namespace's root: back to the
		 * state dir, where the runtime's relative files go */
		if (ns >= 0 && chdir(dir) < 0) {
			*e = errno;
			_exit(127);
		}
		sigset_t none;
		if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) || dup2(errfd, 2) < 0) {
			*e = errno;
			_exit(127);
		}
		monitor_child_default_signals();
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (how->exe_fd >= 0)
			syscall(SYS_execveat, how->exe_fd, "", argv, environ, AT_EMPTY_PATH);
		execve(path, (char *const *)argv, environ);
		*e = errno;
		_exit(127);
	}
	return pid;
}

/* Runs the runtime with cmd appended to its global args; stdio fds (-1:
 * /dev/null); stderr goes to errfd, or to a pipe read into errtext when
 * errfd is -1.  Returns the wait status, or -1. */
static int run_runtime(const struct mon *m, const char *const *cmd, int in, int out, int errfd,
		       struct sbuf *errtext)
{
	const struct monitor_opts *o = m->o;
	const char *argv[64];
	size_t n = 0;
	int pipefd[2] = { -1, -1 }, status = -1;
	int exec_errno = 0;
	pid_t pid;

	argv[n++] = o->runtime;
	for (size_t i = 0; o->runtime_args && o->runtime_args[i] && n < 40; i++)
		argv[n++] = o->runtime_args[i];
	argv[n++] = "--log-format";
	argv[n++] = "json";
	for (size_t i = 0; cmd[i] && n < 63; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;

	if (errfd < 0) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -1;
		errfd = pipefd[1];
	}
	struct spawn_how how = { o->hide_unified_cgroup, m->rt_ns, o->state_dir, m->rt_exe };
	pid = spawn(o->runtime, argv, in, out, errfd, &how, &exec_errno);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (pid < 0 || exec_errno) {
		if (errtext)
			sbuf_addf(errtext, "exec %s: %s", o->runtime, strerror(pid < 0 ? errno : exec_errno));
		if (pid > 0)
			waitpid(pid, &status, 0);
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pipefd[0] >= 0) {
		if (errtext)
			drain_fd_into(pipefd[0], errtext);
		close(pipefd[0]);
	}
	return status;
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* ------------------------------------------------------------ clients */

static struct client *client_add(struct mon *m, int fd, enum client_kind kind)
{
	struct client *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->kind = kind;
	sbuf_init(&c->line);
	sbuf_init(&c->pending);
	set_nonblock(fd);
	m->clients = xrealloc(m->clients, (m->nclients + 1) * sizeof(*m->clients));
	m->clients[m->nclients++] = c;
	return c;
}

static void client_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	sbuf_release(&c->line);
	sbuf_release(&c->pending);
	free(c);
}

/* The peer is gone: nothing more is sent or read. */
static void client_drop(struct client *c)
{
	c->kind = C_DONE;
	sbuf_reset(&c->pending);
	c->off = 0;
}

/* Sends what is pending; a peer gone ends the client. */
static void client_flush(struct client *c)
{
	while (c->off < c->pending.len) {
		ssize_t k = send(c->fd, c->pending.buf + c->off, c->pending.len - c->off, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				client_drop(c);
			break;
		}
		c->off += (size_t)k;
	}
	if (c->off == c->pending.len) {
		sbuf_reset(&c->pending);
		c->off = 0;
	}
}

static void client_reply(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void client_reply(struct client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&c->pending, fmt, ap);
	va_end(ap);
	client_flush(c);
}

/* `runtime CMD <id>` (pause, resume); -1 with the runtime's message in msg. */
static int runtime_simple(struct mon *m, const char *what, struct sbuf *msg)
{
	const char *cmd[] = { what, m->o->id, NULL };
	_cleanup_sbuf_ struct sbuf et = SBUF_INIT;
	int st = run_runtime(m, cmd, -1, -1, -1, &et);

	if (st == 0)
		return 0;
	if (msg) {
		runtime_message(&et, msg);
		if (!msg->len)
			sbuf_addf(msg, "runtime %s failed", what);
	}
	return -1;
}

/* A signal argument passed on to the runtime: a name or a number, never
 * something it could take for an option. */
static int valid_signal_arg(const char *s)
{
	if (!*s || strlen(s) > 16)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '+'))
			return 0;
	return 1;
}

static void client_command(struct mon *m, struct client *c, const char *line)
{
	if (!strncmp(line, "attach", 6) && (line[6] == ' ' || !line[6]) && m->restarting) {
		client_reply(c, "error container is restarting\n");
		c->kind = C_DONE;
		return;
	}
	if (!strncmp(line, "attach", 6) && (line[6] == ' ' || !line[6])) {
		const char *f = line + 6;
		c->kind = C_ATTACH;
		c->in = strchr(f, 'i') && m->in_fd >= 0 && !m->stdin_closed;
		c->out = strchr(f, 'o') != NULL;
		c->err = strchr(f, 'e') != NULL;
		client_reply(c, "ok %s\n", m->o->tty ? "raw" : "mux");
		return;
	}
	if (!strncmp(line, "resize ", 7)) {
		unsigned h, w;
		struct winsize ws = { 0 };
		if (sscanf(line + 7, "%u %u", &h, &w) != 2 || h > 65535 || w > 65535) {
			client_reply(c, "error bad resize\n");
		} else if (!m->o->tty || m->out_fd < 0) {
			client_reply(c, "error the container has no tty\n");
		} else {
			ws.ws_row = (unsigned short)h;
			ws.ws_col = (unsigned short)w;
			if (ioctl(m->out_fd, TIOCSWINSZ, &ws) < 0)
				client_reply(c, "error resize: %s\n", strerror(errno));
			else
				client_reply(c, "ok\n");
		}
		c->kind = C_DONE;
		return;
	}
	if (!strncmp(line, "kill ", 5)) {
		_cleanup_free_ char *sig = xstrdup(line + 5);
		char *sp = strchr(sig, ' ');
		int stop = 0;
		if (sp) {
			*sp = '\0';
			stop = !strcmp(sp + 1, "stop");
		}
		if (!valid_signal_arg(sig) || (sp && !stop)) {
			client_reply(c, "error invalid signal: %s\n", line + 5);
		} else {
			/* docker's ExitOnNext: a stop's signal ends the restart
			 * policy, and a paused container is resumed to get it */
			if (stop)
				m->no_restart = 1;
			if (m->restarting) {
				client_reply(c, "ok\n");   /* no process to signal */
			} else {
				const char *cmd[] = { "kill", m->o->id, sig, NULL };
				_cleanup_sbuf_ struct sbuf et = SBUF_INIT, msg = SBUF_INIT;
				int st = run_runtime(m, cmd, -1, -1, -1, &et);
				runtime_message(&et, &msg);
				if (st == 0 && stop && m->paused && runtime_simple(m, "resume", NULL) == 0)
					m->paused = 0;
				if (st == 0)
					client_reply(c, "ok\n");
				else
					client_reply(c, "error %s\n", msg.len ? msg.buf : "runtime kill failed");
			}
		}
		c->kind = C_DONE;
		return;
	}
	if (!strcmp(line, "pause") || !strcmp(line, "resume")) {
		_cleanup_sbuf_ struct sbuf msg = SBUF_INIT;
		if (m->restarting) {
			client_reply(c, "error container is restarting\n");
		} else if (runtime_simple(m, line, &msg) < 0) {
			client_reply(c, "error %s\n", msg.buf);
		} else {
			m->paused = line[0] == 'p';
			client_reply(c, "ok\n");
		}
		c->kind = C_DONE;
		return;
	}
	if (!strcmp(line, "state")) {
		if (m->restarting)
			client_reply(c, "error container is restarting\n");
		else
			client_reply(c, "ok running %d\n", (int)m->cpid);
		c->kind = C_DONE;
		return;
	}
	if (!strcmp(line, "wait")) {
		c->kind = C_WAIT;
		return;
	}
	client_reply(c, "error unknown command\n");
	c->kind = C_DONE;
}

/* Reads a command line, or (attached with i) stdin bytes. */
static void client_readable(struct mon *m, struct client *c)
{
	char buf[65536];
	ssize_t k = recv(c->fd, buf, sizeof(buf), 0);

	if (k < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_drop(c);
		return;
	}
	if (c->kind == C_CMD) {
		char *nl;
		if (k == 0) {
			c->kind = C_DONE;
			return;
		}
		sbuf_add(&c->line, buf, (size_t)k);
		nl = memchr(c->line.buf, '\n', c->line.len);
		if (!nl) {
			if (c->line.len > 256)
				c->kind = C_DONE;
			return;
		}
		*nl = '\0';
		size_t rest = c->line.len - (size_t)(nl + 1 - c->line.buf);
		_cleanup_free_ char *cmd = xstrdup(c->line.buf);
		_cleanup_free_ char *tail = xstrndup(nl + 1, rest);
		client_command(m, c, cmd);
		if (c->kind == C_ATTACH && c->in && rest)
			sbuf_add(&m->stdin_pending, tail, rest);
		return;
	}
	if (c->kind == C_ATTACH && c->in) {
		if (k == 0) {
			c->in_eof = 1;
			if (m->o->stdin_once && !m->o->tty)
				m->stdin_closed = 1;   /* closed once pending is written */
			return;
		}
		sbuf_add(&m->stdin_pending, buf, (size_t)k);
		return;
	}
	/* an attach client without stdin: bytes are dropped; at its
	 * half-close it stops being read, and may still be written to */
	if (k == 0)
		c->in_eof = 1;
}

static void fan_out(struct mon *m, int type, const char *p, size_t n)
{
	for (size_t i = 0; i < m->nclients; i++) {
		struct client *c = m->clients[i];
		if (c->kind != C_ATTACH || !(type == STDCOPY_STDOUT ? c->out : c->err))
			continue;
		if (m->o->tty)
			sbuf_add(&c->pending, p, n);
		else
			stdcopy_frame(&c->pending, type, p, n);
		client_flush(c);
	}
}

/* ------------------------------------------------------------ output */

/* Reads one chunk of the container's stdout/stderr; 0 at EOF. */
static int read_output(struct mon *m, int *fdp, int type)
{
	char buf[65536];
	struct jsonfile_copier *cp = type == STDCOPY_STDOUT ? m->cout : m->cerr;
	struct berr err = BERR_INIT;
	int64_t s;
	long ns;
	ssize_t k = read(*fdp, buf, sizeof(buf));

	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	now(&s, &ns);
	if (k <= 0) {
		/* EOF (a pty master reads EIO once the slave side is gone) */
		if (m->log)
			jsonfile_copier_eof(cp, m->log, s, ns, &err);
		close(*fdp);
		if (*fdp == m->in_fd)
			m->in_fd = -1;
		*fdp = -1;
		return 0;
	}
	if (m->log)
		jsonfile_copier_feed(cp, m->log, buf, (size_t)k, s, ns, &err);
	fan_out(m, type, buf, (size_t)k);
	return 1;
}

static void write_stdin(struct mon *m)
{
	while (m->in_fd >= 0 && m->stdin_pending.len) {
		ssize_t k = write(m->in_fd, m->stdin_pending.buf, m->stdin_pending.len);
		if (k < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			sbuf_reset(&m->stdin_pending);   /* the container closed its stdin */
			break;
		}
		memmove(m->stdin_pending.buf, m->stdin_pending.buf + k, m->stdin_pending.len - (size_t)k);
		m->stdin_pending.len -= (size_t)k;
	}
	if (m->stdin_closed && !m->stdin_pending.len && m->in_fd >= 0 && !m->o->tty) {
		close(m->in_fd);
		m->in_fd = -1;
	}
}

/* ------------------------------------------------------------ exit */

/* The memory cgroup file whose oom_kill count tells an OOM kill. */
static void find_oom_file(struct mon *m)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int)m->cpid);
	struct sbuf sb = SBUF_INIT;
	struct berr err = BERR_INIT;
	const char *p;

	m->oom_file[0] = '\0';
	if (read_file_at(AT_FDCWD, path, &sb, 65536, &err) < 0)
		goto out;
	for (p = sb.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *c1 = memchr(p, ':', n), *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - p)) : NULL;
		if (c2) {
			size_t clen = (size_t)(c2 - c1 - 1), plen = n - (size_t)(c2 + 1 - p);
			if (clen == 6 && !memcmp(c1 + 1, "memory", 6)) {
				snprintf(m->oom_file, sizeof(m->oom_file), "/sys/fs/cgroup/memory%.*s/memory.oom_control",
					 (int)plen, c2 + 1);
				break;
			}
			if (clen == 0 && p[0] == '0') {
				snprintf(m->oom_file, sizeof(m->oom_file), "/sys/fs/cgroup%.*s/memory.events", (int)plen,
					 c2 + 1);
				if (access(m->oom_file, R_OK) < 0)
					m->oom_file[0] = '\0';
			}
		}
		p = nl ? nl + 1 : NULL;
	}
out:
	sbuf_release(&sb);
}

static int read_oom_killed(const struct mon *m)
{
	struct sbuf sb = SBUF_INIT;
	struct berr err = BERR_INIT;
	const char *k;
	int killed = 0;

	if (m->oom_file[0] && read_file_at(AT_FDCWD, m->oom_file, &sb, 65536, &err) == 0 &&
	    (k = strstr(sb.buf, "oom_kill ")))
		killed = atol(k + 9) > 0;
	sbuf_release(&sb);
	return killed;
}

/* Reads the output pipes to EOF once the container is gone. */
static void drain_output(struct mon *m)
{
	int64_t s;
	long ns, deadline_ms = DRAIN_TIMEOUT_MS;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (m->out_fd >= 0 || m->err_fd >= 0) {
		struct pollfd p[2];
		int np = 0, r;
		if (m->out_fd >= 0)
			p[np++] = (struct pollfd){ m->out_fd, POLLIN, 0 };
		if (m->err_fd >= 0)
			p[np++] = (struct pollfd){ m->err_fd, POLLIN, 0 };
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long left = deadline_ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		r = poll(p, (nfds_t)np, (int)left);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == m->out_fd)
				read_output(m, &m->out_fd, STDCOPY_STDOUT);
			else if (p[i].fd == m->err_fd)
				read_output(m, &m->err_fd, STDCOPY_STDERR);
		}
	}
	/* whatever is still open is cut here: log the unterminated tails */
	now(&s, &ns);
	if (m->log) {
		struct berr err = BERR_INIT;
		if (m->out_fd >= 0)
			jsonfile_copier_eof(m->cout, m->log, s, ns, &err);
		if (m->err_fd >= 0)
			jsonfile_copier_eof(m->cerr, m->log, s, ns, &err);
	}
}

static void write_exit_file(const struct mon *m)
{
	char t[40];
	struct sbuf sb = SBUF_INIT;
	struct berr err = BERR_INIT;

	unix_to_rfc3339nano(m->ex.finished_sec, m->ex.finished_nsec, t);
	sbuf_addf(&sb, "{\"ExitCode\":%d,\"OOMKilled\":%s,\"FinishedAt\":\"%s\",\"FinishedAtUnixNano\":%lld,\"Pid\":%d}\n",
		  m->ex.exit_code, m->ex.oom_killed ? "true" : "false", t,
		  (long long)m->ex.finished_sec * 1000000000LL + m->ex.finished_nsec, (int)m->ex.pid);
	cache_write_at(AT_FDCWD, MONITOR_EXIT_FILE, sb.buf, sb.len, 0644, &err);
	sbuf_release(&sb);
}

/* Sends what clients still have pending, for a bounded time. */
static void flush_clients(struct mon *m)
{
	for (int round = 0; round < 200; round++) {
		struct pollfd p[64];
		int np = 0;
		for (size_t i = 0; i < m->nclients && np < 64; i++) {
			struct client *c = m->clients[i];
			if (c->kind != C_DONE && c->pending.len > c->off)
				p[np++] = (struct pollfd){ c->fd, POLLOUT, 0 };
		}
		if (!np || poll(p, (nfds_t)np, 10) < 0)
			break;
		for (size_t i = 0; i < m->nclients; i++)
			if (m->clients[i]->kind != C_DONE)
				client_flush(m->clients[i]);
	}
}

static void finish(struct mon *m)
{
	const char *del[] = { "delete", m->o->id, NULL };

	drain_output(m);
	jsonfile_close(m->log);   /* followers of the log end here */
	m->log = NULL;
	write_exit_file(m);
	/* its copy of the container's rootfs mount would keep the rootfs
	 * busy for on_exit's unmount and removal */
	if (m->rt_ns >= 0) {
		close(m->rt_ns);
		m->rt_ns = -1;
	}
	m->ex.error = m->restart_error[0] ? m->restart_error : NULL;
	if (m->o->on_exit)
		m->o->on_exit(&m->ex, m->o->on_exit_ctx);
	/* new clients now fail to connect and read the exit file instead */
	unlink(MONITOR_SOCK);
	close(m->lfd);
	m->lfd = -1;
	for (size_t i = 0; i < m->nclients; i++) {
		struct client *c = m->clients[i];
		if (c->kind == C_WAIT)
			client_reply(c, "ok exited %d %d %lld.%09ld\n", m->ex.exit_code, m->ex.oom_killed,
				     (long long)m->ex.finished_sec, m->ex.finished_nsec);
		else if (c->kind == C_CMD)
			client_reply(c, "error container is not running\n");
	}
	flush_clients(m);
	for (size_t i = 0; i < m->nclients; i++)
		client_free(m->clients[i]);
	free(m->clients);
	m->clients = NULL;
	m->nclients = 0;
	if (m->o->after_exit)
		m->o->after_exit(&m->ex, m->o->on_exit_ctx);
	/* the runtime's delete comes after the waiters heard (it costs a
	 * runtime exec: `docker run` need not wait for it); the monitor
	 * stays alive (locked) until it is done, so a restart waits */
	run_runtime(m, del, -1, -1, -1, NULL);
	unlink(MONITOR_PID_FILE);
}

/* Reaps children; returns 1 once the container's process is reaped. */
static int reap(struct mon *m)
{
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p == m->cpid) {
			m->exited = 1;
			m->ex.exit_code = status_code(status);
			m->ex.pid = m->cpid;
			now(&m->ex.finished_sec, &m->ex.finished_nsec);
			m->ex.oom_killed = read_oom_killed(m);
		}
	}
	return m->exited;
}

/* ------------------------------------------------------------ loop */

static int output_blocked(const struct mon *m)
{
	for (size_t i = 0; i < m->nclients; i++)
		if (m->clients[i]->kind == C_ATTACH && m->clients[i]->pending.len - m->clients[i]->off > CLIENT_HIGH_WATER)
			return 1;
	return 0;
}

/* Milliseconds left before a pending restart (0: due or cancelled), or
 * -1 for poll's no timeout when none is pending. */
static int restart_wait_ms(const struct mon *m)
{
	struct timespec t;
	long long ms;

	if (!m->restarting)
		return -1;
	if (m->no_restart)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (m->restart_at.tv_sec - t.tv_sec) * 1000LL + (m->restart_at.tv_nsec - t.tv_nsec + 999999) / 1000000;
	return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Serves clients and copies output until the container exits, or, between
 * runs, until the restart is due or cancelled. */
static void loop(struct mon *m)
{
	struct pollfd *p = NULL;
	struct client **pc = NULL;

	while (!m->exited && restart_wait_ms(m) != 0) {
		size_t np = 0, cap = m->nclients + 5;
		int blocked = output_blocked(m);
		p = xrealloc(p, cap * sizeof(*p));
		pc = xrealloc(pc, cap * sizeof(*pc));
		p[np++] = (struct pollfd){ m->sigfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ m->lfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ blocked ? -1 : m->out_fd, POLLIN, 0 };
		p[np++] = (struct pollfd){ blocked ? -1 : m->err_fd, POLLIN, 0 };
		p[np++] = (struct pollfd){ m->stdin_pending.len ? m->in_fd : -1, POLLOUT, 0 };
		for (size_t i = 0; i < m->nclients; i++) {
			struct client *c = m->clients[i];
			short ev = 0;
			if (c->kind == C_CMD || (c->kind == C_ATTACH && !c->in_eof && !m->stdin_pending.len))
				ev |= POLLIN;
			if (c->pending.len > c->off)
				ev |= POLLOUT;
			pc[np] = c;
			p[np++] = (struct pollfd){ c->fd, ev, 0 };
		}
		if (poll(p, (nfds_t)np, restart_wait_ms(m)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;
			while (read(m->sigfd, &si, sizeof(si)) > 0)
				;
			if (reap(m))
				break;
		}
		if (p[1].revents) {
			int fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				client_add(m, fd, C_CMD);
		}
		if (p[2].revents && m->out_fd >= 0)
			read_output(m, &m->out_fd, STDCOPY_STDOUT);
		if (p[3].revents && m->err_fd >= 0)
			read_output(m, &m->err_fd, STDCOPY_STDERR);
		for (size_t i = 5; i < np; i++) {
			if (p[i].revents & (POLLHUP | POLLERR))
				client_drop(pc[i]);   /* the peer is gone both ways */
			else if (p[i].revents & POLLIN)
				client_readable(m, pc[i]);
			if (p[i].revents & POLLOUT)
				client_flush(pc[i]);
		}
		write_stdin(m);
		/* drop finished clients */
		for (size_t i = 0; i < m->nclients;) {
			struct client *c = m->clients[i];
			if (c->kind == C_DONE && (c->pending.len <= c->off || c->fd < 0)) {
				client_free(c);
				m->clients[i] = m->clients[--m->nclients];
			} else {
				i++;
			}
		}
	}
	free(p);
	free(pc);
}

/* ------------------------------------------------------------ start */

struct start_report {
	int ok;
	int code;
	pid_t monitor_pid, container_pid;
	int64_t sec;
	long nsec;
	char msg[BERR_MSG_MAX];
};

static void report(int fd, const struct start_report *r)
{
	if (fd >= 0)
		fd_write_all(fd, r, sizeof(*r), 0);
}

/* Creates and starts the container; fills r (ok or the failure). */
/* runc words a failed `run` as "runc run failed: ...", where docker's
 * create-then-start shows "runc create failed: ...": the same failure. */
static void run_as_create_message(struct sbuf *msg)
{
	static const char run[] = " run failed: ", create[] = " create failed: ";
	char *p = msg->len ? strstr(msg->buf, run) : NULL;
	struct sbuf out = SBUF_INIT;

	if (!p || memchr(msg->buf, ' ', (size_t)(p - msg->buf)))
		return;   /* only as the runtime's own first word's suffix */
	sbuf_add(&out, msg->buf, (size_t)(p - msg->buf));
	sbuf_addstr(&out, create);
	sbuf_addstr(&out, p + sizeof(run) - 1);
	sbuf_reset(msg);
	sbuf_add(msg, out.buf, out.len);
	sbuf_release(&out);
}

static void create_and_start(struct mon *m, struct start_report *r)
{
	const struct monitor_opts *o = m->o;
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, csock = -1, st;
	_cleanup_sbuf_ struct sbuf et = SBUF_INIT, msg = SBUF_INIT;
	const char *create[12] = { "create", "--bundle", o->bundle, "--pid-file", MONITOR_CONTAINER_PID };
	size_t nc = 5;
	char console[PATH_MAX];
	const char *start[] = { "start", o->id, NULL };

	if (o->tty) {
		/* absolute: the runtime runs in the bundle; through /proc when
		 * state_dir is too long for a socket address */
		if (strlen(o->state_dir) + sizeof(MONITOR_CONSOLE_SOCK) + 1 <= sizeof(((struct sockaddr_un *)0)->sun_path))
			snprintf(console, sizeof(console), "%s/%s", o->state_dir, MONITOR_CONSOLE_SOCK);
		else
			snprintf(console, sizeof(console), "/proc/%d/cwd/%s", (int)getpid(), MONITOR_CONSOLE_SOCK);
		create[nc++] = "--console-socket";
		create[nc++] = console;
	}
	if (o->run_detached) {
		/* one runtime exec instead of two: `run --detach` is create + start */
		memmove(create + 2, create + 1, (nc - 1) * sizeof(*create));
		create[0] = "run";
		create[1] = "--detach";
		nc++;
	}
	create[nc++] = o->id;
	create[nc] = NULL;
	if (o->tty) {
		if ((csock = unix_listen(MONITOR_CONSOLE_SOCK, 1, 0)) < 0) {
			snprintf(r->msg, sizeof(r->msg), "console socket: %s", strerror(errno));
			return;
		}
		st = run_runtime(m, create, -1, -1, -1, &et);
	} else {
		if ((o->open_stdin && pipe2(inp, O_CLOEXEC) < 0) || pipe2(outp, O_CLOEXEC) < 0 ||
		    pipe2(errp, O_CLOEXEC) < 0) {
			snprintf(r->msg, sizeof(r->msg), "pipe: %s", strerror(errno));
			return;
		}
		st = run_runtime(m, create, inp[0], outp[1], errp[1], NULL);
		if (inp[0] >= 0)
			close(inp[0]);
		close(outp[1]);
		close(errp[1]);
		if (st != 0)
			drain_fd_into(errp[0], &et);
	}
	if (st != 0) {
		runtime_message(&et, &msg);
		if (o->run_detached)
			run_as_create_message(&msg);
		snprintf(r->msg, sizeof(r->msg), "OCI runtime create failed: %s: unknown",
			 msg.len ? msg.buf : "runtime create failed");
		r->code = BERR_INVALID;
		goto fail;
	}
	if (o->tty) {
		m->out_fd = unix_recv_fd(csock);
		close(csock);
		csock = -1;
		unlink(MONITOR_CONSOLE_SOCK);
		if (m->out_fd < 0) {
			snprintf(r->msg, sizeof(r->msg), "OCI runtime create failed: no console from the runtime: unknown");
			goto fail_delete;
		}
		m->in_fd = o->open_stdin ? m->out_fd : -1;
	} else {
		m->out_fd = outp[0];
		m->err_fd = errp[0];
		m->in_fd = inp[1];
		outp[0] = errp[0] = inp[1] = -1;
	}
	set_nonblock(m->out_fd);
	if (m->err_fd >= 0)
		set_nonblock(m->err_fd);
	if (m->in_fd >= 0 && m->in_fd != m->out_fd)
		set_nonblock(m->in_fd);
	m->cpid = read_pid_file(MONITOR_CONTAINER_PID);
	if (m->cpid <= 0) {
		snprintf(r->msg, sizeof(r->msg), "OCI runtime create failed: no pid file: unknown");
		goto fail_delete;
	}
	find_oom_file(m);
	sbuf_reset(&et);
	st = o->run_detached ? 0 : run_runtime(m, start, -1, -1, -1, &et);
	if (st != 0) {
		runtime_message(&et, &msg);
		snprintf(r->msg, sizeof(r->msg), "OCI runtime start failed: %s: unknown",
			 msg.len ? msg.buf : "runtime start failed");
		r->code = BERR_INVALID;
		goto fail_delete;
	}
	now(&r->sec, &r->nsec);
	r->container_pid = m->cpid;
	r->ok = 1;
	return;

fail_delete: {
		const char *del[] = { "delete", "--force", o->id, NULL };
		run_runtime(m, del, -1, -1, -1, NULL);
	}
fail:
	if (!r->code)
		r->code = BERR_INTERNAL;
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0) close(inp[i]);
		if (outp[i] >= 0) close(outp[i]);
		if (errp[i] >= 0) close(errp[i]);
	}
	if (csock >= 0) {
		close(csock);
		unlink(MONITOR_CONSOLE_SOCK);
	}
}

/* Closes every fd but 0-2 and the ones in keep (ascending order not needed). */
static void close_other_fds(const int *keep, int nkeep)
{
	int sorted[4], n = 0;
	unsigned from = 3;

	for (int i = 0; i < nkeep; i++)
		if (keep[i] >= 3)
			sorted[n++] = keep[i];
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			int t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if ((unsigned)sorted[i] > from)
			close_range(from, (unsigned)sorted[i] - 1, 0);
		from = (unsigned)sorted[i] + 1;
	}
	close_range(from, ~0U, 0);
}

static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t all;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* The end of a run that a restart policy follows: the log closed (its
 * followers end, as docker's at each exit), the exit file written,
 * waiters answered and attached streams ended (docker's waiters and
 * attaches end at every exit too), the runtime's state deleted. */
static void end_run(struct mon *m)
{
	const char *del[] = { "delete", m->o->id, NULL };

	drain_output(m);
	jsonfile_close(m->log);
	m->log = NULL;
	write_exit_file(m);
	for (size_t i = 0; i < m->nclients; i++) {
		struct client *c = m->clients[i];
		if (c->kind == C_WAIT)
			client_reply(c, "ok exited %d %d %lld.%09ld\n", m->ex.exit_code, m->ex.oom_killed,
				     (long long)m->ex.finished_sec, m->ex.finished_nsec);
	}
	flush_clients(m);
	for (size_t i = 0; i < m->nclients;) {
		struct client *c = m->clients[i];
		if (c->kind == C_WAIT || c->kind == C_ATTACH || c->kind == C_DONE) {
			client_free(c);
			m->clients[i] = m->clients[--m->nclients];
		} else {
			i++;
		}
	}
	if (m->out_fd >= 0)
		close(m->out_fd);
	if (m->err_fd >= 0)
		close(m->err_fd);
	if (m->in_fd >= 0 && m->in_fd != m->out_fd)
		close(m->in_fd);
	m->out_fd = m->err_fd = m->in_fd = -1;
	m->stdin_closed = 0;
	sbuf_reset(&m->stdin_pending);
	m->paused = 0;
	run_runtime(m, del, -1, -1, -1, NULL);
}

/* After an exit: applies the restart policy (monitor_opts.restart_check).
 * Returns 1 when the container runs again, 0 when the monitor is to
 * finish (no restart, a stop cancelled it, or the new run failed to start:
 * then m->restart_error says why). */
static int restart(struct mon *m)
{
	const struct monitor_opts *o = m->o;
	struct start_report r = { 0 };
	struct berr err = BERR_INIT;
	int64_t ran_ms;
	long delay;

	if (!o->restart_check || m->no_restart)
		return 0;
	ran_ms = (m->ex.finished_sec - m->started_sec) * 1000 + (m->ex.finished_nsec - m->started_nsec) / 1000000;
	if ((delay = o->restart_check(&m->ex, ran_ms, o->on_exit_ctx)) < 0)
		return 0;
	end_run(m);
	clock_gettime(CLOCK_MONOTONIC, &m->restart_at);
	m->restart_at.tv_sec += delay / 1000;
	m->restart_at.tv_nsec += (delay % 1000) * 1000000;
	if (m->restart_at.tv_nsec >= 1000000000) {
		m->restart_at.tv_sec++;
		m->restart_at.tv_nsec -= 1000000000;
	}
	m->restarting = 1;
	m->exited = 0;
	m->cpid = 0;
	loop(m);
	m->restarting = 0;
	if (m->no_restart || m->exited) {
		m->exited = 1;
		return 0;
	}
	if (o->log_path && !(m->log = jsonfile_open(o->log_path, &o->log_opts, &err))) {
		snprintf(m->restart_error, sizeof(m->restart_error), "%s", err.msg);
		m->exited = 1;
		return 0;
	}
	jsonfile_copier_init(m->cout, "stdout");
	jsonfile_copier_init(m->cerr, "stderr");
	unlink(MONITOR_EXIT_FILE);
	create_and_start(m, &r);
	if (!r.ok) {
		r.msg[sizeof(r.msg) - 1] = '\0';
		snprintf(m->restart_error, sizeof(m->restart_error), "%s", r.msg);
		m->exited = 1;
		return 0;
	}
	m->started_sec = r.sec;
	m->started_nsec = r.nsec;
	if (o->restart_started)
		o->restart_started(m->cpid, r.sec, r.nsec, o->on_exit_ctx);
	return 1;
}

/* The monitor process itself; never returns. */
static void __attribute__((noreturn)) monitor_main(const struct monitor_opts *o, int report_fd, int attach_fd)
{
	struct mon m = { .o = o, .sigfd = -1, .lfd = -1, .out_fd = -1, .err_fd = -1, .in_fd = -1, .rt_ns = -1, .rt_exe = -1 };
	struct start_report r = { 0 };
	struct berr err = BERR_INIT;
	int keep[2] = { report_fd, attach_fd }, nullfd, pidfd;
	sigset_t chld;
	char pidbuf[32];

	r.monitor_pid = getpid();
	/* keep the two fds out of 0-2, which become /dev/null */
	if (report_fd >= 0 && report_fd < 3)
		report_fd = keep[0] = fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
	if (attach_fd >= 0 && attach_fd < 3)
		attach_fd = keep[1] = fcntl(attach_fd, F_DUPFD_CLOEXEC, 3);
	reset_signals();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_NAME, "berth-monitor");
	close_other_fds(keep, 2);
	nullfd = open("/dev/null", O_RDWR);
	if (nullfd >= 0) {
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		if (nullfd > 2)
			close(nullfd);
	}
	if (chdir(o->state_dir) < 0) {
		snprintf(r.msg, sizeof(r.msg), "chdir %s: %s", o->state_dir, strerror(errno));
		goto fail;
	}
	pidfd = open(MONITOR_PID_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pidfd < 0 || flock(pidfd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(r.msg, sizeof(r.msg), "lock %s/%s: %s", o->state_dir, MONITOR_PID_FILE, strerror(errno));
		goto fail;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)r.monitor_pid);
	if (ftruncate(pidfd, 0) < 0 || fd_write_all(pidfd, pidbuf, strlen(pidbuf), 0) < 0) {
		snprintf(r.msg, sizeof(r.msg), "write pid file: %s", strerror(errno));
		goto fail;
	}
	unlink(MONITOR_EXIT_FILE);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	m.sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	m.lfd = unix_listen(MONITOR_SOCK, 16, 0);
	if (m.sigfd < 0 || m.lfd < 0) {
		snprintf(r.msg, sizeof(r.msg), "monitor socket: %s", strerror(errno));
		goto fail;
	}
	set_nonblock(m.lfd);
	if (o->log_path) {
		m.log = jsonfile_open(o->log_path, &o->log_opts, &err);
		if (!m.log) {
			snprintf(r.msg, sizeof(r.msg), "%s", err.msg);
			goto fail;
		}
	}
	m.cout = xmalloc(sizeof(*m.cout));
	m.cerr = xmalloc(sizeof(*m.cerr));
	jsonfile_copier_init(m.cout, "stdout");
	jsonfile_copier_init(m.cerr, "stderr");
	sbuf_init(&m.stdin_pending);
	if (attach_fd >= 0) {
		struct client *c = client_add(&m, attach_fd, C_ATTACH);
		c->in = o->attach_stdin && o->open_stdin;
		c->out = o->attach_stdout;
		c->err = o->attach_stderr;
	}
	if (o->hide_unified_cgroup)
		m.rt_ns = make_runtime_ns();
	if (o->seal_runtime)
		m.rt_exe = sealed_copy(o->runtime);
	create_and_start(&m, &r);
	if (!r.ok)
		goto fail;
	report(report_fd, &r);
	close(report_fd);
	m.started_sec = r.sec;
	m.started_nsec = r.nsec;
	do {
		loop(&m);
		if (!m.exited) {
			/* the loop broke on a poll failure: wait for the container anyway */
			int status;
			if (waitpid(m.cpid, &status, 0) == m.cpid) {
				m.exited = 1;
				m.ex.exit_code = status_code(status);
				m.ex.pid = m.cpid;
				now(&m.ex.finished_sec, &m.ex.finished_nsec);
			}
			break;
		}
	} while (restart(&m));
	finish(&m);
	_exit(0);

fail:
	if (!r.code)
		r.code = BERR_INTERNAL;
	jsonfile_close(m.log);
	unlink(MONITOR_SOCK);
	unlink(MONITOR_PID_FILE);
	report(report_fd, &r);
	_exit(1);
}

/* A monitor still holding the lock after it removed its socket is only
 * deleting the runtime's state: wait for it.  -1 when one really runs. */
static int wait_finishing_monitor(const char *state_dir)
{
	_cleanup_free_ char *pidf = xasprintf("%s/%s", state_dir, MONITOR_PID_FILE);
	_cleanup_free_ char *sock = xasprintf("%s/%s", state_dir, MONITOR_SOCK);
	int fd = open(pidf, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		if (access(sock, F_OK) == 0)
			rc = -1;
		else
			while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
				;
	}
	close(fd);
	return rc;
}

int monitor_start(const struct monitor_opts *o, struct monitor_info *out, struct berr *err)
{
	int rp[2], sp[2] = { -1, -1 }, status;
	struct start_report r = { 0 };
	ssize_t k;
	size_t got = 0;
	pid_t child;

	out->monitor_pid = out->container_pid = 0;
	out->attach_fd = -1;
	out->attach_raw = o->tty;
	if (mkdir_p_at(AT_FDCWD, o->state_dir, 0700, err) < 0)
		return -1;
	if (wait_finishing_monitor(o->state_dir) < 0)
		return berr_set(err, BERR_EXISTS, "a monitor already runs for %s", o->state_dir);
	if (pipe2(rp, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if ((o->attach_stdin || o->attach_stdout || o->attach_stderr) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		close(rp[0]);
		close(rp[1]);
		return berr_sys(err, "socketpair");
	}
	child = fork();
	if (child < 0) {
		berr_sys(err, "fork");
		goto fail;
	}
	if (child == 0) {
		close(rp[0]);
		if (sp[0] >= 0)
			close(sp[0]);
		setsid();
		pid_t g = fork();
		if (g == 0)
			monitor_main(o, rp[1], sp[1]);
		_exit(g < 0 ? 1 : 0);
	}
	close(rp[1]);
	rp[1] = -1;
	if (sp[1] >= 0) {
		close(sp[1]);
		sp[1] = -1;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	while (got < sizeof(r) && (k = read(rp[0], (char *)&r + got, sizeof(r) - got)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)k;
	}
	close(rp[0]);
	rp[0] = -1;
	if (got != sizeof(r)) {
		berr_set(err, BERR_INTERNAL, "the container monitor exited before starting the container");
		goto fail;
	}
	if (!r.ok) {
		r.msg[sizeof(r.msg) - 1] = '\0';
		berr_set(err, (enum berr_code)r.code, "%s", r.msg);
		goto fail;
	}
	out->monitor_pid = r.monitor_pid;
	out->container_pid = r.container_pid;
	out->started_sec = r.sec;
	out->started_nsec = r.nsec;
	/* attached from the start: no "ok" line, the stream begins at once */
	out->attach_fd = sp[0];
	return 0;
fail:
	if (rp[0] >= 0)
		close(rp[0]);
	if (rp[1] >= 0)
		close(rp[1]);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	return -1;
}
