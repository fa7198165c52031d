/*
 * credhelper.c - running docker-credential-<name> helpers (see
 * credhelper.h): PATH lookup as Go's exec.LookPath, the action's input on
 * stdin, stdout captured (bounded), stderr discarded as exec.Cmd.Output
 * discards it, and docker's error texts.
 */
#include "credhelper.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/sbuf.h"

/* A helper answers with one small JSON object; more is not an answer. */
#define HELPER_OUT_MAX (1 << 20)
#define NOT_FOUND_MSG "credentials not found in native keychain"

extern char **environ;

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* exec.LookPath: the first executable "dir/name" along $PATH. */
static char *look_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;

	if (!path)
		path = "";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		_cleanup_free_ char *cand = end == p ? xasprintf("./%s", name)
						     : xasprintf("%.*s/%s", (int)(end - p), p, name);
		if (is_executable(cand))
			return xstrdup(cand);
		if (!*end)
			return NULL;
	}
}

/* Writes all of buf, ignoring SIGPIPE for this thread only: a helper may
 * exit without reading, and the library must not change the process's
 * signal dispositions. */
static void write_input(int fd, const char *buf, size_t n)
{
	sigset_t pipe_set, old;
	int got_epipe = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			got_epipe = errno == EPIPE;
			break;
		}
		buf += w;
		n -= (size_t)w;
	}
	if (got_epipe && !sigismember(&old, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Go's ExitError text. */
static void exit_text(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "signal: %s", strsignal(WTERMSIG(status)));
	else
		snprintf(buf, n, "exit status unknown");
}

/* Runs the helper; 0 with *out filled when it exited 0.  Otherwise sets
 * errtext (Go's err) and leaves its stdout in *out, returns 1; -1 only
 * when nothing could be run at all (err set). */
static int run_helper(const char *helper, const char *action, const char *input, struct sbuf *out,
		      char *errtext, size_t errn, struct berr *err)
{
	_cleanup_free_ char *name = xasprintf("docker-credential-%s", helper);
	_cleanup_free_ char *prog = look_path(name);
	posix_spawn_file_actions_t fa;
	int in[2], outp[2], status, rc;
	char *argv[] = { name, (char *)action, NULL };
	char buf[4096];
	pid_t pid;

	sbuf_reset(out);
	/* A name with a slash would make the lookup run a path of the
	 * config file's choosing, outside $PATH. */
	if (strchr(helper, '/')) {
		snprintf(errtext, errn, "exec: \"%s\": invalid credential helper name", name);
		return 1;
	}
	if (!prog) {
		snprintf(errtext, errn, "exec: \"%s\": executable file not found in $PATH", name);
		return 1;
	}
	if (pipe2(in, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return berr_sys(err, "pipe");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	if (rc != 0) {
		close(in[1]);
		close(outp[0]);
		snprintf(errtext, errn, "fork/exec %s: %s", prog, strerror(rc));
		return 1;
	}
	write_input(in[1], input, strlen(input));
	close(in[1]);
	for (;;) {
		ssize_t r = read(outp[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out->len < HELPER_OUT_MAX)
			sbuf_add(out, buf, (size_t)r);
	}
	close(outp[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return berr_sys(err, "wait for %s", name);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	exit_text(status, errtext, errn);
	return 1;
}

/* strings.TrimSpace of the helper's output. */
static char *trimmed(const struct sbuf *sb)
{
	const char *s = sbuf_str(sb);
	size_t n = sb->len;

	while (n && strchr(" \t\r\n\v\f", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n\v\f", *s)) {
		s++;
		n--;
	}
	return xstrndup(s, n);
}

static int helper_failed(const char *what, const char *errtext, const struct sbuf *out, struct berr *err)
{
	_cleanup_free_ char *t = trimmed(out);

	return berr_set(err, BERR_INTERNAL, "error %s credentials - err: %s, out: `%s`", what, errtext, t);
}

int credhelper_get(const char *helper, const char *server, char **user, char **secret, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf out = SBUF_INIT;
	char errtext[512];
	const char *u, *s;
	json_t *root;
	int rc;

	*user = *secret = NULL;
	rc = run_helper(helper, "get", server, &out, errtext, sizeof(errtext), err);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		_cleanup_free_ char *t = trimmed(&out);

		if (!strcmp(t, NOT_FOUND_MSG))
			return 1;
		return helper_failed("getting", errtext, &out, err);
	}
	root = json_loadb(sbuf_str(&out), out.len, 0, NULL);
	u = json_string_value(json_object_get(root, "Username"));
	s = json_string_value(json_object_get(root, "Secret"));
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return berr_set(err, BERR_INVALID, "error getting credentials - err: invalid character in helper output, out: ``");
	}
	*user = xstrdup(u ? u : "");
	*secret = xstrdup(s ? s : "");
	json_decref(root);
	return 0;
}

int credhelper_store(const char *helper, const char *server, const char *user, const char *secret,
		     struct berr *err)
{
	_cleanup_sbuf_ struct sbuf out = SBUF_INIT;
	json_t *o = json_object();
	char errtext[512], *in;
	int rc;

	/* Field order as docker-credential-helpers' Credentials struct. */
	json_object_set_new(o, "ServerURL", json_string(server));
	json_object_set_new(o, "Username", json_string(user));
	json_object_set_new(o, "Secret", json_string(secret));
	in = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!in)
		abort();
	rc = run_helper(helper, "store", in, &out, errtext, sizeof(errtext), err);
	free(in);
	if (rc > 0)
		return helper_failed("storing", errtext, &out, err);
	return rc;
}

int credhelper_erase(const char *helper, const char *server, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf out = SBUF_INIT;
	char errtext[512];
	int rc = run_helper(helper, "erase", server, &out, errtext, sizeof(errtext), err);

	if (rc > 0)
		return helper_failed("erasing", errtext, &out, err);
	return rc;
}
