/* cmd-exec.c - `berth exec [OPTIONS] CONTAINER COMMAND [ARG...]`, as the
 * docker 20.10 CLI runs it: the flags (pflag's words for their errors),
 * --env-file read here, the container checked before the tty, then the
 * library's create, start and copy (berth_container_exec_*).  With -i -t
 * on a terminal, stdin is put in raw mode as moby/term's MakeRaw does, and
 * the pty follows the terminal's size (SIGWINCH, in a thread of its own). */
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

#define USAGE "exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nRun a command in a running container"

static void help(void)
{
	printf("\nUsage:  berth %s\n\nOptions:\n"
	       "  -d, --detach               Detached mode: run command in the background\n"
	       "      --detach-keys string   Override the key sequence for detaching a\n"
	       "                             container\n"
	       "  -e, --env list             Set environment variables\n"
	       "      --env-file list        Read in a file of environment variables\n"
	       "  -i, --interactive          Keep STDIN open even if not attached\n"
	       "      --privileged           Give extended privileges to the command\n"
	       "  -t, --tty                  Allocate a pseudo-TTY\n"
	       "  -u, --user string          Username or UID (format:\n"
	       "                             <name|uid>[:<group|gid>])\n"
	       "  -w, --workdir string       Working directory inside the container\n",
	       USAGE);
}

struct winch {
	struct berth_container_exec *x;
	sigset_t set;
};

static void resize_from_terminal(struct berth_container_exec *x)
{
	struct winsize ws;
	struct berr err = BERR_INIT;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && (ws.ws_row || ws.ws_col))
		berth_container_exec_resize(x, ws.ws_row, ws.ws_col, &err);
}

static void *winch_thread(void *arg)
{
	struct winch *w = arg;
	int sig;

	for (;;)   /* sigwait is a cancellation point: the command ends us there */
		if (sigwait(&w->set, &sig) == 0)
			resize_from_terminal(w->x);
	return NULL;
}

/* moby/term MakeRaw on stdin; 0 when it was set (old holds the state). */
static int make_raw(struct termios *old)
{
	struct termios t;

	if (tcgetattr(0, old) < 0)
		return -1;
	t = *old;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(0, TCSANOW, &t);
}

/* -e's opts.ValidateEnv: a bare name takes its value from berth's own
 * environment when set there. */
static int add_env(json_t *env, const char *val)
{
	const char *v;

	if (!*val || *val == '=') {
		fprintf(stderr, "invalid argument \"%s\" for \"-e, --env\" flag: invalid environment variable: %s\n"
				"See 'berth exec --help'.\n", val, val);
		return 125;
	}
	if (!strchr(val, '=') && (v = getenv(val)))
		json_array_append_new(env, json_sprintf("%s=%s", val, v));
	else
		json_array_append_new(env, json_string(val));
	return 0;
}

static int run(struct cli *c, struct berth_container_exec_opts *eo, const char *name)
{
	struct berth_container_exec *x = NULL;
	struct berr err = BERR_INIT;
	struct termios old;
	struct winch w = { 0 };
	pthread_t tid;
	int raw = 0, winch = 0, status = 0, rc;

	if (!cli_berth(c))
		return 1;
	if (eo->tty && !eo->detach && isatty(0)) {
		struct winsize ws;

		if (ioctl(1, TIOCGWINSZ, &ws) == 0) {
			eo->height = ws.ws_row;
			eo->width = ws.ws_col;
		}
	}
	rc = berth_container_exec_create(c->b, name, eo, &x, &err);
	if (rc < 0 && err.code == BERR_NOT_FOUND)
		return cli_error(&err, 0);
	/* docker's CheckTty, after the inspect and before the create */
	if (!eo->detach && eo->attach_stdin && eo->tty && !isatty(0)) {
		berth_container_exec_free(x);
		fprintf(stderr, "the input device is not a TTY\n");
		return 1;
	}
	if (rc < 0)
		return cli_error(&err, 1);
	fflush(stdout);
	if (berth_container_exec_start(c->b, x, &err) < 0) {
		berth_container_exec_free(x);
		if (eo->detach)
			return cli_error(&err, 1);
		/* the daemon writes a start failure into the attached stream */
		printf("%s\r\n", err.msg);
		return 126;
	}
	if (eo->detach) {
		berth_container_exec_free(x);
		return 0;
	}
	if (eo->tty && isatty(0)) {
		w.x = x;
		sigemptyset(&w.set);
		sigaddset(&w.set, SIGWINCH);
		pthread_sigmask(SIG_BLOCK, &w.set, NULL);
		winch = pthread_create(&tid, NULL, winch_thread, &w) == 0;
	}
	if (eo->tty && eo->attach_stdin && isatty(0))
		raw = make_raw(&old) == 0;
	rc = berth_container_exec_io(x, eo->attach_stdin ? 0 : -1, 1, 2, &status, &err);
	if (raw)
		tcsetattr(0, TCSANOW, &old);
	if (winch) {
		pthread_cancel(tid);
		pthread_join(tid, NULL);
	}
	berth_container_exec_free(x);
	if (rc < 0)
		return cli_error(&err, 1);
	return status;
}

int cmd_exec(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "detach-keys", required_argument, NULL, 'K' },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, 'F' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "privileged", no_argument, NULL, 'P' },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_container_exec_opts eo = { 0 };
	json_t *env = json_array(), *files = json_array(), *all = NULL;
	const char **envv = NULL, **cmdv = NULL;
	int o, rc = 0;

	opterr = 0;
	optind = 0;
	while (!rc && (o = getopt_long(argc, argv, "+:de:itu:w:h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': eo.detach = 1; break;
		case 'K': eo.detach_keys = optarg; break;
		case 'e': rc = add_env(env, optarg); break;
		case 'F': json_array_append_new(files, json_string(optarg)); break;
		case 'i': eo.attach_stdin = 1; break;
		case 'P': eo.privileged = 1; break;
		case 't': eo.tty = 1; break;
		case 'u': eo.user = optarg; break;
		case 'w': eo.workdir = optarg; break;
		case 'h': help(); goto out;
		default: rc = cli_getopt_error("exec", argv, o); break;
		}
	}
	if (rc)
		goto out;
	if (argc - optind < 2) {
		rc = cli_usage_error("exec", USAGE, "requires at least 2 arguments");
		goto out;
	}
	/* opts.ReadKVEnvStrings: the files' entries, then -e's */
	all = json_array();
	for (size_t i = 0; i < json_array_size(files); i++) {
		char msg[1100];

		if (cli_read_env_file(json_string_value(json_array_get(files, i)), all, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s\n", msg);
			rc = 1;
			goto out;
		}
	}
	json_array_extend(all, env);
	envv = xcalloc(json_array_size(all) + 1, sizeof(*envv));
	for (size_t i = 0; i < json_array_size(all); i++)
		envv[i] = json_string_value(json_array_get(all, i));
	cmdv = xcalloc((size_t)(argc - optind), sizeof(*cmdv));
	for (int i = optind + 1; i < argc; i++)
		cmdv[i - optind - 1] = argv[i];
	eo.env = envv;
	eo.cmd = cmdv;
	rc = run(c, &eo, argv[optind]);
out:
	free(envv);
	free(cmdv);
	json_decref(env);
	json_decref(files);
	json_decref(all);
	return rc;
}
