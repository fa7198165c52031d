/*
 * helper.c - running docker-credential-<name> helpers (see helper.h):
 * PATH lookup as Go's exec.LookPath, then the program run by proc_run
 * (util/process.h) with the action's input on stdin, stdout captured
 * (bounded), stderr discarded as exec.Cmd.Output discards it; and docker's
 * error texts.
 */
#include "helper.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/process.h"
#include "../util/sbuf.h"

/* A helper answers with one small JSON object; more is not an answer. */
#define HELPER_OUT_MAX (1 << 20)
#define NOT_FOUND_MSG "credentials not found in native keychain"

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

/* Runs the helper; 0 with *out filled when it exited 0.  Otherwise sets
 * errtext (Go's err) and leaves its stdout in *out, returns 1; -1 only
 * when nothing could be run at all (err set). */
static int run_helper(const char *helper, const char *action, const char *input, struct sbuf *out,
		      char *errtext, size_t errn, struct berr *err)
{
	_cleanup_free_ char *name = xasprintf("docker-credential-%s", helper);
	_cleanup_free_ char *prog = NULL;
	char *argv[] = { name, (char *)action, NULL };
	/* stderr discarded, as exec.Cmd.Output discards it. */
	struct proc_spec spec = { .argv = argv, .in = input, .in_len = strlen(input), .out = PROC_CAPTURE,
				  .out_max = HELPER_OUT_MAX, .err = PROC_NULL };
	struct proc_result r;
	struct berr perr = BERR_INIT;
	int rc;

	sbuf_reset(out);
	/* A name with a slash would make the lookup run a path of the
	 * config file's choosing, outside $PATH. */
	if (strchr(helper, '/')) {
		snprintf(errtext, errn, "exec: \"%s\": invalid credential helper name", name);
		return 1;
	}
	prog = look_path(name);
	if (!prog) {
		snprintf(errtext, errn, "exec: \"%s\": executable file not found in $PATH", name);
		return 1;
	}
	spec.path = prog;
	proc_result_init(&r);
	rc = proc_run(&spec, &r, &perr);
	if (rc < 0 && r.exec_errno) {
		snprintf(errtext, errn, "%s", perr.msg);
		rc = 1;
	} else if (rc < 0) {
		berr_copy(err, &perr);
	} else {
		sbuf_add(out, r.out.buf ? r.out.buf : "", r.out.len);
		rc = r.exited && r.exit_code == 0 ? 0 : 1;
		if (rc)
			proc_status_text(&r, errtext, errn);
	}
	proc_result_release(&r);
	return rc;
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
