/*
 * process.c - proc_run (process.h): posix_spawn with the child's fds set up
 * by file actions, then one poll loop feeding stdin and draining stdout and
 * stderr until all three are closed, then waitpid.
 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { IN, OUT, ERR, N_STREAMS };

/* The parent's end of each stream, -1 when there is none (or no more). */
struct streams {
	int fd[N_STREAMS];
	int child[N_STREAMS];   /* the child's end, closed once it is spawned */
};

void proc_result_init(struct proc_result *r)
{
	memset(r, 0, sizeof(*r));
	sbuf_init(&r->out);
	sbuf_init(&r->err);
}

void proc_result_release(struct proc_result *r)
{
	sbuf_release(&r->out);
	sbuf_release(&r->err);
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void close_streams(struct streams *s)
{
	for (int i = 0; i < N_STREAMS; i++) {
		close_fd(&s->fd[i]);
		close_fd(&s->child[i]);
	}
}

/* A pipe whose parent end is s->fd[i] and child end s->child[i]. */
static int open_pipe(struct streams *s, int i, struct berr *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	s->fd[i] = i == IN ? p[1] : p[0];
	s->child[i] = i == IN ? p[0] : p[1];
	return 0;
}

static int open_streams(const struct proc_spec *spec, struct streams *s, struct berr *err)
{
	for (int i = 0; i < N_STREAMS; i++)
		s->fd[i] = s->child[i] = -1;
	if ((spec->in && open_pipe(s, IN, err) < 0) || (spec->out == PROC_CAPTURE && open_pipe(s, OUT, err) < 0) ||
	    (spec->err == PROC_CAPTURE && open_pipe(s, ERR, err) < 0)) {
		close_streams(s);
		return -1;
	}
	/* Never block on a child that stops reading: poll says when. */
	if (s->fd[IN] >= 0)
		fcntl(s->fd[IN], F_SETFL, O_NONBLOCK);
	return 0;
}

static void child_stream(posix_spawn_file_actions_t *fa, const struct streams *s, int i, enum proc_stream how)
{
	if (s->child[i] >= 0)
		posix_spawn_file_actions_adddup2(fa, s->child[i], i);
	else if (how != PROC_INHERIT)
		posix_spawn_file_actions_addopen(fa, i, "/dev/null", i == IN ? O_RDONLY : O_WRONLY, 0);
}

/* Returns 0 or an errno value, as posix_spawn does. */
static int spawn(const struct proc_spec *spec, const struct streams *s, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_only;
	int rc;

	posix_spawn_file_actions_init(&fa);
	child_stream(&fa, s, IN, PROC_NULL);
	child_stream(&fa, s, OUT, spec->out);
	child_stream(&fa, s, ERR, spec->err);
	/* Whatever the caller's other threads opened without O_CLOEXEC. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_only);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, spec->path, &fa, &attr, spec->argv, spec->envp ? spec->envp : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Feeds stdin as far as the pipe takes it; closes it when done or when the
 * child is gone (EPIPE: SIGPIPE is blocked in this thread meanwhile). */
static void feed(const struct proc_spec *spec, struct streams *s, size_t *off, struct proc_result *r)
{
	const char *buf = spec->in;

	while (*off < spec->in_len) {
		ssize_t w = write(s->fd[IN], buf + *off, spec->in_len - *off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			r->stdin_closed = 1;
			break;
		}
		*off += (size_t)w;
	}
	close_fd(&s->fd[IN]);
}

static void drain(int *fd, struct sbuf *sb, size_t max, int *truncated)
{
	char buf[16384];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (sb->len + (size_t)n > max) {
		*truncated = 1;
		n = (ssize_t)(max - sb->len);
	}
	if (n > 0)
		sbuf_add(sb, buf, (size_t)n);
}

static int serve(const struct proc_spec *spec, struct streams *s, struct proc_result *r, struct berr *err)
{
	size_t off = 0;

	if (s->fd[IN] >= 0 && spec->in_len == 0)
		close_fd(&s->fd[IN]);
	while (s->fd[IN] >= 0 || s->fd[OUT] >= 0 || s->fd[ERR] >= 0) {
		struct pollfd pfd[N_STREAMS];

		for (int i = 0; i < N_STREAMS; i++) {
			pfd[i].fd = s->fd[i];
			pfd[i].events = i == IN ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, N_STREAMS, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, "poll");
		}
		if (pfd[IN].revents & (POLLERR | POLLHUP)) {
			r->stdin_closed = off < spec->in_len;
			close_fd(&s->fd[IN]);
		} else if (pfd[IN].revents & POLLOUT) {
			feed(spec, s, &off, r);
		}
		if (pfd[OUT].revents)
			drain(&s->fd[OUT], &r->out, spec->out_max, &r->out_truncated);
		if (pfd[ERR].revents)
			drain(&s->fd[ERR], &r->err, spec->err_max, &r->err_truncated);
	}
	return 0;
}

/* serve() with SIGPIPE blocked for this thread only (the library must not
 * change the process's dispositions), and the one a write to a gone child
 * raised taken off again. */
static int serve_nosigpipe(const struct proc_spec *spec, struct streams *s, struct proc_result *r,
			   struct berr *err)
{
	sigset_t pipe_set, old;
	int rc;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	rc = serve(spec, s, r, err);
	if (r->stdin_closed && !sigismember(&old, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int reap(pid_t pid, struct proc_result *r, struct berr *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, "waitpid");
	r->exited = WIFEXITED(status);
	r->exit_code = r->exited ? WEXITSTATUS(status) : -1;
	r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return 0;
}

int proc_run(const struct proc_spec *spec, struct proc_result *r, struct berr *err)
{
	struct streams s;
	pid_t pid;
	int rc;

	sbuf_reset(&r->out);
	sbuf_reset(&r->err);
	r->out_truncated = r->err_truncated = r->exited = r->exit_code = r->term_signal = 0;
	r->stdin_closed = r->exec_errno = 0;
	if (open_streams(spec, &s, err) < 0)
		return -1;
	rc = spawn(spec, &s, &pid);
	for (int i = 0; i < N_STREAMS; i++)
		close_fd(&s.child[i]);
	if (rc != 0) {
		close_streams(&s);
		r->exec_errno = rc;
		return berr_set(err, BERR_INTERNAL, "fork/exec %s: %s", spec->path, strerror(rc));
	}
	rc = serve_nosigpipe(spec, &s, r, err);
	/* On a poll failure the child sees EOF and EPIPE, and ends. */
	close_streams(&s);
	if (reap(pid, r, err) < 0 || rc < 0)
		return -1;
	return 0;
}

void proc_status_text(const struct proc_result *r, char *buf, size_t n)
{
	if (r->exited)
		snprintf(buf, n, "exit status %d", r->exit_code);
	else if (r->term_signal)
		snprintf(buf, n, "signal: %s", strsignal(r->term_signal));
	else
		snprintf(buf, n, "exit status unknown");
}
