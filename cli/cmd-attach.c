/*
 * cmd-attach.c - `berth attach [--no-stdin] [--sig-proxy] [--detach-keys]
 * CONTAINER`, as the docker 20.10 CLI runs it: the container inspected and
 * its state checked (the client's own texts), the streams attached, the
 * terminal made raw for a tty (the detach keys, ctrl-p ctrl-q by default,
 * are then read client-side: "read escape sequence", status 1), signals
 * forwarded to a container without a tty (--sig-proxy), and the exit
 * status the container's.
 *
 * cli_attach_session is the copying part, which `start -a/-i` shares.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "attach [OPTIONS] CONTAINER\n\nAttach local standard input, output, and error streams to a running container"
#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

/* strconv.ParseBool. */
static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]))
			return *out = 1, 0;
		if (!strcmp(s, f[i]))
			return *out = 0, 0;
	}
	return -1;
}

int cli_inspect_container(struct cli *c, const char *name, struct json_t **out)
{
	struct berr err = BERR_INIT;
	char *raw = NULL;

	*out = NULL;
	if (berth_container_inspect_raw(c->b, name, 0, &raw, &err) < 0) {
		/* the docker client's own words for inspect's 404 */
		if (err.code == BERR_NOT_FOUND)
			fprintf(stderr, "Error: No such container: %s\n", name);
		else
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return -1;
	}
	*out = json_loads(raw, 0, NULL);
	free(raw);
	if (!*out) {
		fprintf(stderr, "Error: bad inspect document\n");
		return -1;
	}
	return 0;
}

/* ---- the session ---- */

struct session {
	struct cli *c;
	const char *id;
	int tty, sig_proxy;
	sigset_t set;
	/* set by the session's end, then SIGWINCH (in every set) sent to the
	 * thread: it returns instead of forwarding (no pthread_cancel, which
	 * ASan's thread teardown does not survive) */
	volatile sig_atomic_t done;
};

static void resize(struct session *s, int grow)
{
	struct winsize ws;
	struct berr err = BERR_INIT;

	/* resizeTtyTo skips 0x0 (which grown is 1x1) */
	if (ioctl(1, TIOCGWINSZ, &ws) < 0 || (!grow && !ws.ws_row && !ws.ws_col))
		return;
	berth_container_resize(s->c->b, s->id, (unsigned short)(ws.ws_row + grow), (unsigned short)(ws.ws_col + grow),
			       &err);
}

/* The signal thread: a tty's SIGWINCH resizes it (MonitorTtySize);
 * without a tty every signal is the container's (ForwardAllSignals, as
 * `docker kill -s`). */
static void *signal_main(void *arg)
{
	struct session *s = arg;
	int sig;

	for (;;) {
		if (sigwait(&s->set, &sig) != 0)
			continue;
		if (s->done)
			return NULL;
		if (s->tty) {
			if (sig == SIGWINCH)
				resize(s, 0);
			continue;
		}
		if (s->sig_proxy) {
			char num[16];
			struct berr err = BERR_INIT;

			snprintf(num, sizeof(num), "%d", sig);
			berth_container_kill(s->c->b, s->id, num, &err);
		}
	}
	return NULL;
}

/* The signals a Go program's signal.Notify gets and docker forwards: all
 * but the uncatchable, SIGCHLD, SIGPIPE, SIGURG (the Go runtime's), glibc's
 * own two, and the synchronous fault signals. */
static void forwarded_signals(sigset_t *set, int tty)
{
	sigemptyset(set);
	if (tty) {
		sigaddset(set, SIGWINCH);
		return;
	}
	for (int sig = 1; sig < 65; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGPIPE || sig == SIGURG || sig == 32 ||
		    sig == 33 || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP ||
		    sig == SIGSYS || sig == SIGABRT)
			continue;
		sigaddset(set, sig);
	}
}

/* What a Go program does with the signals it has not asked for: these
 * it catches and drops (os/signal: "Other signals will be caught but no
 * action will be taken"), so the docker client outlives them. */
static void ignore_go_ignored(void)
{
	static const int v[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGIO, SIGPWR, SIGVTALRM, SIGXCPU, SIGXFSZ };
	struct sigaction sa = { .sa_handler = SIG_IGN };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		sigaction(v[i], &sa, NULL);
	for (int sig = 34; sig < 65; sig++)
		sigaction(sig, &sa, NULL);
}

int cli_attach_session(struct cli *c, const char *id, int fd, int raw, int with_stdin, int tty, int sig_proxy,
		       const char *detach_keys, int *detached)
{
	struct session s = { .c = c, .id = id, .tty = tty, .sig_proxy = sig_proxy };
	struct termios saved, t;
	int restore = 0, rc;
	struct berr err = BERR_INIT;
	char keys[BERTH_CONTAINER_DETACH_KEYS_MAX];
	size_t nkeys = 0;
	pthread_t th;
	sigset_t old_mask;
	int have_thread = 0;

	*detached = 0;
	/* setupInput: raw terminal and the detach keys only for a tty's stdin */
	if (with_stdin && tty) {
		if (berth_container_detach_keys(detach_keys && *detach_keys ? detach_keys : DEFAULT_DETACH_KEYS, keys,
						&nkeys, &err) < 0)
			berth_container_detach_keys(DEFAULT_DETACH_KEYS, keys, &nkeys, &err);
		if (isatty(0) && tcgetattr(0, &saved) == 0) {
			t = saved;
			cfmakeraw(&t);   /* moby/term's MakeRaw is the same */
			if (tcsetattr(0, TCSANOW, &t) == 0)
				restore = 1;
		}
	}
	if (tty && isatty(1)) {
		/* docker's trick so that a second attach redraws: one size up, then the real one */
		resize(&s, 1);
		resize(&s, 0);
	}
	if (tty || !sig_proxy)
		ignore_go_ignored();
	if (tty || sig_proxy) {
		forwarded_signals(&s.set, tty);
		pthread_sigmask(SIG_BLOCK, &s.set, &old_mask);
		have_thread = pthread_create(&th, NULL, signal_main, &s) == 0;
	}
	rc = berth_container_attach_stream(fd, raw, with_stdin ? 0 : -1, 1, 2, nkeys ? keys : NULL, nkeys, detached,
					   &err);
	/* the thread uses s, which ends with this function */
	if (have_thread) {
		s.done = 1;
		pthread_kill(th, SIGWINCH);
		pthread_join(th, NULL);
	}
	if (tty || sig_proxy)
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (restore)
		tcsetattr(0, TCSANOW, &saved);
	fflush(stdout);
	return rc;
}

int cli_container_restarting_status(struct cli *c, const char *id, int *status)
{
	struct berr err = BERR_INIT;
	char *raw = NULL;
	json_t *o, *st;
	int rc = 0;

	/* docker's wait was made before the attach: for a container its
	 * restart policy runs again, that exit is the one recorded now */
	if (berth_container_inspect_raw(c->b, id, 0, &raw, &err) == 0 && (o = json_loads(raw, 0, NULL))) {
		st = json_object_get(o, "State");
		if (json_is_true(json_object_get(st, "Restarting"))) {
			*status = (int)json_integer_value(json_object_get(st, "ExitCode"));
			rc = 1;
		}
		json_decref(o);
	}
	free(raw);
	return rc;
}

int cli_container_exit_status(struct cli *c, const char *id, int *status)
{
	struct berr err = BERR_INIT;

	if (cli_container_restarting_status(c, id, status))
		return 0;
	if (berth_container_wait(c->b, id, status, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* ---- attach ---- */

int cmd_attach(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-stdin", optional_argument, NULL, 'n' },
		{ "sig-proxy", optional_argument, NULL, 'p' },
		{ "detach-keys", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *keys = NULL, *id;
	int no_stdin = 0, sig_proxy = 1, o, fd = -1, raw = 0, tty, with_stdin, detached = 0, status = 0;
	struct json_t *in = NULL, *st, *cfg;
	struct berr err = BERR_INIT;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
		case 'p':
			if (optarg && parse_bool(optarg, o == 'n' ? &no_stdin : &sig_proxy) < 0) {
				fprintf(stderr, "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: parsing \"%s\": "
						"invalid syntax\nSee 'berth attach --help'.\n",
					optarg, o == 'n' ? "no-stdin" : "sig-proxy", optarg);
				return 125;
			}
			if (!optarg)
				*(o == 'n' ? &no_stdin : &sig_proxy) = 1;
			break;
		case 'k': keys = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "      --detach-keys string   Override the key sequence for detaching a\n"
			       "                             container\n"
			       "      --no-stdin             Do not attach STDIN\n"
			       "      --sig-proxy            Proxy all received signals to the process\n"
			       "                             (default true)\n", USAGE);
			return 0;
		default: return cli_getopt_error("attach", argv, o);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("attach", USAGE, "requires exactly 1 argument");
	if (!cli_berth(c))
		return 1;
	if (cli_inspect_container(c, argv[optind], &in) < 0)
		return 1;
	st = json_object_get(in, "State");
	cfg = json_object_get(in, "Config");
	id = json_string_value(json_object_get(in, "Id"));
	/* inspectContainerAndCheckState */
	if (!json_is_true(json_object_get(st, "Running"))) {
		fprintf(stderr, "You cannot attach to a stopped container, start it first\n");
		goto fail;
	}
	if (json_is_true(json_object_get(st, "Paused"))) {
		fprintf(stderr, "You cannot attach to a paused container, unpause it first\n");
		goto fail;
	}
	if (json_is_true(json_object_get(st, "Restarting"))) {
		fprintf(stderr, "You cannot attach to a restarting container, wait until it is running\n");
		goto fail;
	}
	tty = json_is_true(json_object_get(cfg, "Tty"));
	if (!no_stdin && tty && !isatty(0)) {
		fprintf(stderr, "the input device is not a TTY\n");
		goto fail;
	}
	with_stdin = !no_stdin && json_is_true(json_object_get(cfg, "OpenStdin"));
	{
		struct berth_container_attach_opts ao = { with_stdin, 1, 1, keys };
		if (berth_container_attach(c->b, id, &ao, &fd, &raw, &err) < 0) {
			if (err.code == BERR_EXISTS && !strncmp(err.msg, "You cannot", 10))
				fprintf(stderr, "%s\n", err.msg);
			else
				fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			goto fail;
		}
	}
	if (cli_attach_session(c, id, fd, raw, with_stdin, tty, sig_proxy, keys, &detached) < 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	if (detached) {
		fprintf(stderr, "read escape sequence\n");
		goto fail;
	}
	if (cli_container_exit_status(c, id, &status) < 0)
		goto fail;
	json_decref(in);
	return status;
fail:
	json_decref(in);
	return 1;
}
