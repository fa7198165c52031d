/*
 * top.c - docker's ContainerTop (daemon/top_unix.go): the host's ps with
 * the caller's options, its rows kept when their PID is one of the
 * container's.  The container's pids come from its runtime (`ps --format
 * json`, as containerd's shim asks runc), so a process that joined the
 * container's cgroup by exec counts too.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <berth/container.h>

#include "../util/process.h"
#include "../monitor/monitor.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

#define PIDS_MAX (4u << 20)
#define PS_OUT_MAX (64u << 20)

static int go_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

/* validatePSArgs: each match of \s+([^\s]*)=\s*(PID[^\s]*) must have the
 * key "pid" (a column renamed to PID would fool the PID search). */
static int validate_ps_args(const char *s, struct berr *err)
{
	size_t i = 0, len = strlen(s);

	while (i < len) {
		size_t j, t, e;

		if (!go_space(s[i])) {
			i++;
			continue;
		}
		for (j = i; j < len && go_space(s[j]); j++)
			;
		for (t = j; t < len && !go_space(s[t]); t++)
			;
		/* [^\s]* is greedy: the last '=' of the token that fits */
		for (e = t; e > j; e--) {
			size_t v = e, ve;

			if (s[e - 1] != '=')
				continue;
			while (v < len && go_space(s[v]))
				v++;
			if (strncmp(s + v, "PID", 3))
				continue;
			for (ve = v; ve < len && !go_space(s[ve]); ve++)
				;
			if (e - 1 - j != 3 || strncmp(s + j, "pid", 3))
				return berr_set(err, BERR_INVALID, "specifying \"%.*s=%.*s\" is not allowed", (int)(e - 1 - j),
						s + j, (int)(ve - v), s + v);
			t = ve;
			break;
		}
		i = t;
	}
	return 0;
}

/* The runtime's `ps --format json <id>`: a JSON array of host pids. */
static int container_pids(struct berth *b, struct container *c, json_t **pids, struct berr *err)
{
	struct container_runtime rt;
	const char *cmd[] = { "--log-format", "json", "ps", "--format", "json", c->id, NULL };
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, null_fd, st;
	struct sbuf o = SBUF_INIT, e = SBUF_INIT;
	char buf[8192];
	ssize_t k;
	pid_t pid;
	int rc = -1;

	if (container_runtime_get(b, c, &rt, err) < 0)
		return -1;
	if ((null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		berr_sys(err, "top: pipe");
		goto done;
	}
	pid = container_runtime_spawn(&rt, cmd, null_fd, out[1], errp[1], err);
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	if (pid < 0)
		goto done;
	/* stdout first, then stderr: ps's stderr is one short line at most */
	while ((k = read(out[0], buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
		if (k > 0 && o.len < PIDS_MAX)
			sbuf_add(&o, buf, (size_t)k);
	while ((k = read(errp[0], buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
		if (k > 0 && e.len < (1 << 16))
			sbuf_add(&e, buf, (size_t)k);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		struct sbuf msg = SBUF_INIT;

		monitor_runtime_message(&e, &msg);
		berr_set(err, BERR_INTERNAL, "%s", msg.len ? sbuf_str(&msg) : "runtime ps failed");
		sbuf_release(&msg);
		goto done;
	}
	*pids = json_loadb(o.buf ? o.buf : "", o.len, 0, NULL);
	if (!json_is_array(*pids)) {
		json_decref(*pids);
		*pids = NULL;
		berr_set(err, BERR_INTERNAL, "runtime ps: not a list of pids");
		goto done;
	}
	rc = 0;
done:
	if (null_fd >= 0)
		close(null_fd);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	sbuf_release(&o);
	sbuf_release(&e);
	container_runtime_release(&rt);
	return rc;
}

/* strings.Split(s, " "): empty fields kept. */
static char **split_spaces(const char *s, size_t *n)
{
	char **v = NULL;
	size_t k = 0;

	for (const char *p = s;; ) {
		size_t l = strcspn(p, " ");

		v = xrealloc(v, (k + 2) * sizeof(*v));
		v[k++] = xstrndup(p, l);
		if (!p[l])
			break;
		p += l + 1;
	}
	v[k] = NULL;
	*n = k;
	return v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* strings.FieldsFunc on ASCII white space. */
static char **fields(const char *s, size_t len, size_t *n)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t k = 0, i = 0;

	while (i < len) {
		size_t j;

		while (i < len && go_space(s[i]))
			i++;
		if (i >= len)
			break;
		for (j = i; j < len && !go_space(s[j]); j++)
			;
		v = xrealloc(v, (k + 2) * sizeof(*v));
		v[k++] = xstrndup(s + i, j - i);
		i = j;
	}
	v[k] = NULL;
	*n = k;
	return v;
}

static int has_pid(const json_t *pids, long long pid)
{
	size_t i;
	json_t *p;

	json_array_foreach(pids, i, p)
		if (json_integer_value(p) == pid)
			return 1;
	return 0;
}

/* appendProcess2ProcList: the fields past the last title joined by spaces. */
static void append_row(struct berth_container_top *t, char **f, size_t nf)
{
	char **row = xcalloc(t->n_titles + 1, sizeof(*row));
	size_t last = t->n_titles - 1;

	for (size_t i = 0; i < last; i++)
		row[i] = xstrdup(i < nf ? f[i] : "");
	{
		struct sbuf sb = SBUF_INIT;

		for (size_t i = last; i < nf; i++) {
			if (i > last)
				sbuf_addch(&sb, ' ');
			sbuf_addstr(&sb, f[i]);
		}
		row[last] = sb.buf ? sbuf_detach(&sb, NULL) : xstrdup("");
	}
	t->processes = xrealloc(t->processes, (t->n_processes + 1) * sizeof(*t->processes));
	t->processes[t->n_processes++] = row;
}

/* parsePSOutput. */
static int parse_ps(const char *out, size_t len, const json_t *pids, struct berth_container_top *t, struct berr *err)
{
	const char *end = out + len, *nl = memchr(out, '\n', len);
	const char *p = nl ? nl + 1 : end;
	size_t pid_index = (size_t)-1;
	int in_pid = 0;

	t->titles = fields(out, (size_t)((nl ? nl : end) - out), &t->n_titles);
	for (size_t i = 0; i < t->n_titles; i++)
		if (!strcmp(t->titles[i], "PID")) {
			pid_index = i;
			break;
		}
	if (pid_index == (size_t)-1)
		return berr_set(err, BERR_INTERNAL, "Couldn't find PID field in ps output");
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(end - p), nf;
		char **f, *stop;
		long long pid;

		if (!l) {
			p += 1;
			continue;
		}
		f = fields(p, l, &nf);
		p += l + (e ? 1 : 0);
		if (pid_index >= nf) {      /* Go would panic: such a row is left out */
			free_strv(f);
			continue;
		}
		if (!strcmp(f[pid_index], "-")) {   /* a thread line (ps -T, m) */
			if (in_pid)
				append_row(t, f, nf);
			free_strv(f);
			continue;
		}
		errno = 0;
		pid = strtoll(f[pid_index], &stop, 10);
		if (!*f[pid_index] || *stop || errno) {
			berr_set(err, BERR_INTERNAL, "Unexpected pid '%s': strconv.Atoi: parsing \"%s\": %s", f[pid_index],
				 f[pid_index], errno == ERANGE ? "value out of range" : "invalid syntax");
			free_strv(f);
			return -1;
		}
		in_pid = has_pid(pids, pid);
		if (in_pid)
			append_row(t, f, nf);
		free_strv(f);
	}
	return 0;
}

/* exec.Command("ps", args...).Output(): 0, or the first line of ps's
 * stderr (else Go's ExitError text) in err. */
static int run_ps(const char *ps, char **args, size_t nargs, const char *extra, struct proc_result *r,
		  struct berr *err)
{
	char **argv = xcalloc(nargs + 3, sizeof(*argv));
	struct proc_spec sp = { 0 };
	size_t k = 0;
	int rc;

	argv[k++] = (char *)"ps";
	for (size_t i = 0; i < nargs; i++)
		argv[k++] = args[i];
	if (extra)
		argv[k++] = (char *)extra;
	sp.path = ps;
	sp.argv = argv;
	sp.out = PROC_CAPTURE;
	sp.err = PROC_CAPTURE;
	sp.out_max = PS_OUT_MAX;
	sp.err_max = 1 << 16;
	proc_result_release(r);
	proc_result_init(r);
	rc = proc_run(&sp, r, err);
	free(argv);
	if (rc < 0)
		return -1;
	if (r->exited && r->exit_code == 0)
		return 0;
	{
		const char *e = sbuf_str(&r->err);
		size_t l = strcspn(e, "\n");
		char status[64];

		if (l)
			return berr_set(err, BERR_INTERNAL, "%.*s", (int)l, e);
		proc_status_text(r, status, sizeof(status));
		return berr_set(err, BERR_INTERNAL, "%s", status);
	}
}

int berth_container_top(struct berth *b, const char *name_or_id, const char *ps_args,
			struct berth_container_top *out, struct berr *err)
{
	struct container *c = NULL;
	struct proc_result r;
	json_t *pids = NULL;
	struct sbuf q = SBUF_INIT;
	char **args = NULL, ps[PATH_MAX];
	size_t nargs, i;
	json_t *p;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	proc_result_init(&r);
	if (!ps_args || !*ps_args)
		ps_args = "-ef";
	if (validate_ps_args(ps_args, err) < 0)
		return -1;
	if (!(c = container_lookup(b->store, name_or_id, err)))
		return -1;
	if (container_refresh_state(b, c, err) < 0)
		goto done;
	if (!c->state.running) {
		berr_set(err, BERR_EXISTS, "Container %s is not running", c->id);
		goto done;
	}
	if (c->state.restarting) {
		berr_set(err, BERR_EXISTS, "Container %s is restarting, wait until the container is running", c->id);
		goto done;
	}
	if (container_pids(b, c, &pids, err) < 0)
		goto done;
	args = split_spaces(ps_args, &nargs);
	sbuf_addstr(&q, "-q");
	json_array_foreach(pids, i, p)
		sbuf_addf(&q, "%s%lld", i ? "," : "", (long long)json_integer_value(p));
	if (container_look_path("ps", ps, sizeof(ps), err) < 0) {
		berr_wrap(err, "ps");
		goto done;
	}
	if (run_ps(ps, args, nargs, sbuf_str(&q), &r, err) < 0) {
		/* some options (f) refuse -q: without it */
		berr_clear(err);
		if (run_ps(ps, args, nargs, NULL, &r, err) < 0) {
			berr_wrap(err, "ps");
			goto done;
		}
	}
	if (parse_ps(sbuf_str(&r.out), r.out.len, pids, out, err) < 0) {
		berth_container_top_release(out);
		goto done;
	}
	rc = 0;
done:
	free_strv(args);
	sbuf_release(&q);
	proc_result_release(&r);
	json_decref(pids);
	container_free(c);
	return rc;
}

void berth_container_top_release(struct berth_container_top *t)
{
	for (size_t i = 0; i < t->n_processes; i++) {
		for (size_t j = 0; j < t->n_titles; j++)
			free(t->processes[i][j]);
		free(t->processes[i]);
	}
	free(t->processes);
	free_strv(t->titles);
	memset(t, 0, sizeof(*t));
}
