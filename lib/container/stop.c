/*
 * stop.c - docker's ContainerStop, ContainerKill and ContainerRestart.
 *
 * A signal goes through the container's monitor (`runtime kill`).  Waiting
 * for the exit with a deadline: monitor_wait_exit blocks until the monitor
 * has recorded the exit, so a thread makes that call and reports through a
 * pipe, which the caller polls with the stop timeout; when it expires the
 * container gets SIGKILL and the thread's answer is awaited for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../monitor/monitor.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

/* docker's DefaultStopTimeout */
#define STOP_TIMEOUT_DEFAULT 10
/* docker's Kill: how long SIGKILL is given before it reports failure */
#define KILL_WAIT_SEC 10
/* docker's fixed SIGRTMIN/SIGRTMAX (pkg/signal, linux) */
#define SIGNAL_RTMIN 34
#define SIGNAL_RTMAX 64

static const struct {
	const char *name;
	int num;
} signal_names[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS }, { "CHLD", SIGCHLD }, { "CLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "FPE", SIGFPE }, { "HUP", SIGHUP }, { "ILL", SIGILL }, { "INT", SIGINT },
	{ "IO", SIGIO }, { "IOT", SIGIOT }, { "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "POLL", SIGPOLL },
	{ "PROF", SIGPROF }, { "PWR", SIGPWR }, { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV },
	{ "STKFLT", SIGSTKFLT }, { "STOP", SIGSTOP }, { "SYS", SIGSYS }, { "TERM", SIGTERM },
	{ "TRAP", SIGTRAP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM }, { "WINCH", SIGWINCH },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

/* "RTMIN", "RTMIN+n" (n 1..15), "RTMAX-n" (n 1..14), "RTMAX": docker's names. */
static int realtime_signal(const char *s)
{
	char *end;
	long n;

	if (!strcmp(s, "RTMIN"))
		return SIGNAL_RTMIN;
	if (!strcmp(s, "RTMAX"))
		return SIGNAL_RTMAX;
	if (!strncmp(s, "RTMIN+", 6) && s[6] >= '1' && s[6] <= '9') {
		n = strtol(s + 6, &end, 10);
		return !*end && n <= 15 ? SIGNAL_RTMIN + (int)n : -1;
	}
	if (!strncmp(s, "RTMAX-", 6) && s[6] >= '1' && s[6] <= '9') {
		n = strtol(s + 6, &end, 10);
		return !*end && n <= 14 ? SIGNAL_RTMAX - (int)n : -1;
	}
	return -1;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, nothing else. */
static int go_atoi(const char *s, long *out)
{
	const char *p = s + (*s == '-' || *s == '+');
	char *end;

	if (!*p || strspn(p, "0123456789") != strlen(p))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno ? -1 : 0;
}

int berth_container_parse_signal(const char *s, int *sig, struct berr *err)
{
	_cleanup_free_ char *up = xstrdup(s);
	const char *name = up;
	long n;

	if (go_atoi(s, &n) == 0) {
		if (n == 0 || n < INT_MIN || n > INT_MAX)
			return berr_set(err, BERR_INVALID, "Invalid signal: %s", s);
		*sig = (int)n;
		return 0;
	}
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (!strncmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (!strcmp(name, signal_names[i].name)) {
			*sig = signal_names[i].num;
			return 0;
		}
	if ((*sig = realtime_signal(name)) > 0)
		return 0;
	return berr_set(err, BERR_INVALID, "Invalid signal: %s", s);
}

/* Config.StopSignal, else SIGTERM (container.StopSignal). */
static int stop_signal(struct container *c)
{
	const char *s = json_string_value(json_object_get(container_config(c), "StopSignal"));
	int sig = 0;

	if (s && *s && berth_container_parse_signal(s, &sig, NULL) < 0)
		sig = 0;
	return sig > 0 && sig <= SIGNAL_RTMAX ? sig : SIGTERM;
}

/* Config.StopTimeout, else 10 (container.StopTimeout). */
static int stop_timeout(struct container *c)
{
	json_t *v = json_object_get(container_config(c), "StopTimeout");

	return json_is_integer(v) ? (int)json_integer_value(v) : STOP_TIMEOUT_DEFAULT;
}

/* killWithSignal's bookkeeping: HasBeenManuallyStopped, so a restart
 * policy leaves the container alone. */
static int mark_manually_stopped(struct berth *b, const char *id, struct berr *err)
{
	struct container *c;
	int rc = 0;

	if (store_lock(b->store, err) < 0)
		return -1;
	if ((c = container_load(b->store, id, NULL)) && !c->has_been_manually_stopped) {
		c->has_been_manually_stopped = 1;
		rc = container_checkpoint(b->store, c, err);
	}
	container_free(c);
	store_unlock(b->store);
	return rc;
}

/* killWithSignal's ExitOnNext: sig ends the restart policy (and resumes a
 * paused container) unless the container has its own stop signal and sig
 * is neither that nor SIGKILL. */
static int exits_on_next(struct container *c, int sig)
{
	const char *s = json_string_value(json_object_get(container_config(c), "StopSignal"));
	int stop = 0;

	if (!s || !*s || sig == SIGKILL)
		return 1;
	return berth_container_parse_signal(s, &stop, NULL) == 0 && stop == sig;
}

/* The signal through the monitor; a stop's resumes a paused container,
 * which is then recorded unpaused (dockerd's resume event). */
static int send_signal(struct berth *b, struct container *c, const char *dir, int sig, struct berr *err)
{
	char num[16];
	int stop = exits_on_next(c, sig);

	snprintf(num, sizeof(num), "%d", sig);
	if ((stop ? monitor_stop_kill(dir, num, err) : monitor_kill(dir, num, err)) < 0)
		return -1;
	if (stop && c->state.paused) {
		container_record_unpaused(b, c->id);
		c->state.paused = 0;
	}
	return 0;
}

/* ---- waiting with a deadline ---- */

struct exit_waiter {
	const char *dir;
	int pipe[2];             /* the thread writes one byte to [1] when done */
	pthread_t thread;
	int rc;                  /* monitor_wait_exit's */
	struct berr err;
};

static void *waiter_main(void *arg)
{
	struct exit_waiter *w = arg;
	struct monitor_exit ex;
	char one = 1;

	w->rc = monitor_wait_exit(w->dir, &ex, &w->err);
	while (write(w->pipe[1], &one, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int waiter_start(struct exit_waiter *w, const char *dir, struct berr *err)
{
	memset(w, 0, sizeof(*w));
	w->dir = dir;
	berr_clear(&w->err);
	if (pipe2(w->pipe, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if ((errno = pthread_create(&w->thread, NULL, waiter_main, w)) != 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		return berr_sys(err, "pthread_create");
	}
	return 0;
}

/* 1 when the exit came within ms milliseconds (< 0: no limit), else 0. */
static int waiter_poll(struct exit_waiter *w, long ms)
{
	struct timespec t0, t;
	struct pollfd p = { .fd = w->pipe[0], .events = POLLIN };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left = -1;
		int r;

		if (ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left < 0)
				left = 0;
		}
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r == 0 && left == 0)
			return 0;
	}
}

/* Joins the thread (after the exit, or after the monitor went away). */
static int waiter_finish(struct exit_waiter *w, struct berr *err)
{
	pthread_join(w->thread, NULL);
	close(w->pipe[0]);
	close(w->pipe[1]);
	if (w->rc < 0)
		berr_copy(err, &w->err);
	return w->rc;
}

/* Signals the container, waits up to sec seconds (< 0: for ever), then
 * kills it and waits for the exit. */
static int signal_and_wait(struct berth *b, struct container *c, const char *dir, int sig, long sec,
			   struct berr *err)
{
	struct exit_waiter w;
	struct berr ignore = BERR_INIT;

	if (waiter_start(&w, dir, err) < 0)
		return -1;
	/* docker: a failed signal leaves 2 s for an exit already under way */
	if (send_signal(b, c, dir, sig, &ignore) < 0 && sec >= 0)
		sec = 2;
	if (!waiter_poll(&w, sec < 0 ? -1 : sec * 1000) && sig != SIGKILL)
		send_signal(b, c, dir, SIGKILL, &ignore);
	return waiter_finish(&w, err);
}

/* The container named (its record corrected first; free it), with
 * *not_running set unless it runs under a live monitor; NULL with err. */
static struct container *running(struct berth *b, const char *name_or_id, char *dir, size_t n, int *not_running,
				 struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);

	*not_running = 0;
	if (!c)
		return NULL;
	if (container_refresh_state(b, c, err) < 0) {
		container_free(c);
		return NULL;
	}
	container_state_dir(b, c->id, dir, n);
	if (!c->state.running || !monitor_alive(dir))
		*not_running = 1;
	return c;
}

/* containerStop on a running container c. */
static int stop_running(struct berth *b, struct container *c, const char *dir, const int *timeout, struct berr *err)
{
	int sec = timeout ? *timeout : stop_timeout(c);

	if (mark_manually_stopped(b, c->id, err) < 0)
		return -1;
	if (signal_and_wait(b, c, dir, stop_signal(c), sec, err) < 0)
		return -1;
	return container_refresh_state(b, c, err);
}

int berth_container_stop(struct berth *b, const char *name_or_id, const int *timeout, struct berr *err)
{
	char dir[PATH_MAX];
	int not_running, rc;
	struct container *c = running(b, name_or_id, dir, sizeof(dir), &not_running, err);

	if (!c)
		return -1;
	if (not_running) {
		container_free(c);
		return 1;
	}
	rc = stop_running(b, c, dir, timeout, err);
	if (rc < 0)
		berr_wrap(err, "cannot stop container: %s", name_or_id);
	container_free(c);
	return rc;
}

int berth_container_kill(struct berth *b, const char *name_or_id, const char *signal, struct berr *err)
{
	int sig = SIGKILL;
	char dir[PATH_MAX];
	int not_running, rc = -1;
	struct container *c;

	/* the router parses the signal first; its error stands alone */
	if (signal && *signal && berth_container_parse_signal(signal, &sig, err) < 0)
		return -1;
	/* the router words every later failure so, a missing container too */
	if (!(c = running(b, name_or_id, dir, sizeof(dir), &not_running, err)))
		return berr_wrap(err, "Cannot kill container: %s", name_or_id);
	if (sig < 1 || sig > SIGNAL_RTMAX) {
		berr_set(err, BERR_INVALID, "Cannot kill container: %s: The linux daemon does not support signal %d",
			 name_or_id, sig);
		goto out;
	}
	if (not_running) {
		berr_set(err, BERR_EXISTS, "Cannot kill container: %s: Container %s is not running", name_or_id, c->id);
		goto out;
	}
	if (mark_manually_stopped(b, c->id, err) < 0)
		goto out;
	if (sig == SIGKILL)
		rc = signal_and_wait(b, c, dir, SIGKILL, KILL_WAIT_SEC, err);
	else
		rc = send_signal(b, c, dir, sig, err);
	if (rc < 0)
		berr_wrap(err, "Cannot kill container: %s", name_or_id);
out:
	container_free(c);
	return rc;
}

int berth_container_restart(struct berth *b, const char *name_or_id, const int *timeout, struct berr *err)
{
	char dir[PATH_MAX];
	int not_running, rc = 0;
	struct container *c = running(b, name_or_id, dir, sizeof(dir), &not_running, err);

	if (!c)
		return -1;
	if (!not_running)
		rc = stop_running(b, c, dir, timeout, err);
	if (rc == 0)
		rc = berth_container_start(b, c->id, NULL, err);
	if (rc < 0 && err->code != BERR_NOT_FOUND)
		berr_wrap(err, "Cannot restart container %s", name_or_id);
	container_free(c);
	return rc;
}
