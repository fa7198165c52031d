/* test-monitor.c - the container monitor with runc on a busybox bundle
 * (made here from `runc spec` and /bin/busybox), in a temp dir with its
 * own runc --root.  Skips when runc, busybox or root are missing.
 * BERTH_MONITOR_BENCH=N sets the runs of the timing comparison (default 20). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "logs/jsonfile.h"
#include "logs/stdcopy.h"
#include "monitor/monitor.h"
#include "util/fs.h"
#include "test.h"

extern char **environ;

static char top[] = "/tmp/berth-mon.XXXXXX";
static const char *runc_path;
static char *runc_root;
static const char *runtime_args[3];
static int seq;

static const char *find_runc(void)
{
	static const char *c[] = { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc" };
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (access(c[i], X_OK) == 0)
			return c[i];
	return NULL;
}

static int run(const char *const *argv, const char *cwd)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int n = open("/dev/null", O_RDWR);
		dup2(n, 0);
		dup2(n, 1);
		dup2(n, 2);
		if (cwd && chdir(cwd) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A bundle dir with config.json from `runc spec`, edited: args, terminal. */
static char *make_bundle(const char *const *args, int tty)
{
	char *b = xasprintf("%s/bundle%d", top, ++seq);
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", top);
	_cleanup_free_ char *cfgpath = xasprintf("%s/config.json", b);
	const char *spec[] = { runc_path, "spec", NULL };
	struct berr err = BERR_INIT;
	json_t *cfg, *proc, *a;

	mkdir(b, 0755);
	if (run(spec, b) != 0)
		return b;
	cfg = json_load_file(cfgpath, 0, NULL);
	proc = json_object_get(cfg, "process");
	a = json_array();
	for (size_t i = 0; args[i]; i++)
		json_array_append_new(a, json_string(args[i]));
	json_object_set_new(proc, "args", a);
	json_object_set_new(proc, "terminal", json_boolean(tty));
	json_object_set_new(json_object_get(cfg, "root"), "path", json_string(rootfs));
	json_dump_file(cfg, cfgpath, JSON_COMPACT);
	json_decref(cfg);
	(void)err;
	return b;
}

static int make_rootfs(void)
{
	_cleanup_free_ char *bin = xasprintf("%s/rootfs/bin", top);
	_cleanup_free_ char *bb = xasprintf("%s/busybox", bin);
	const char *cp[] = { "/bin/cp", "/bin/busybox", bb, NULL };
	const char *links[] = { "sh", "echo", "cat", "sleep", "true", "tty", "stty", "printf", "head", "tr", NULL };
	struct berr err = BERR_INIT;

	if (mkdir_p_at(AT_FDCWD, bin, 0755, &err) < 0 || run(cp, NULL) != 0)
		return -1;
	for (size_t i = 0; links[i]; i++) {
		_cleanup_free_ char *l = xasprintf("%s/%s", bin, links[i]);
		if (symlink("busybox", l) < 0)
			return -1;
	}
	return 0;
}

struct ctr {
	char id[32];
	char *bundle, *state, *log;
	struct monitor_opts o;
	struct monitor_info info;
};

static void ctr_init(struct ctr *c, const char *const *args, int tty)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "berth-test-%d-%d", (int)getpid(), seq + 1);
	c->bundle = make_bundle(args, tty);
	c->state = xasprintf("%s/exec/%s", top, c->id);
	c->log = xasprintf("%s/%s-json.log", c->bundle, c->id);
	c->o.id = c->id;
	c->o.bundle = c->bundle;
	c->o.state_dir = c->state;
	c->o.runtime = runc_path;
	c->o.runtime_args = runtime_args;
	c->o.log_path = c->log;
	c->o.log_opts = (struct jsonfile_opts)JSONFILE_OPTS_INIT;
	c->o.tty = tty;
	c->info.attach_fd = -1;
}

static void ctr_release(struct ctr *c)
{
	if (c->info.attach_fd >= 0)
		close(c->info.attach_fd);
	free(c->bundle);
	free(c->state);
	free(c->log);
}

static int start_and_wait(struct ctr *c, struct monitor_exit *ex, struct berr *err)
{
	if (monitor_start(&c->o, &c->info, err) < 0)
		return -1;
	return monitor_wait_exit(c->state, ex, err);
}

static void test_exit_codes(void)
{
	const char *cases[][4] = { { "true", NULL }, { "sh", "-c", "exit 42", NULL } };
	int want[] = { 0, 42 };

	for (int i = 0; i < 2; i++) {
		struct ctr c;
		struct monitor_exit ex = { -1, 0, 0, 0, 0, NULL };
		struct berr err = BERR_INIT;
		ctr_init(&c, cases[i], 0);
		int rc = start_and_wait(&c, &ex, &err);
		T_OK(rc == 0 && ex.exit_code == want[i], "exit code %d propagates (got %d%s%s)", want[i], ex.exit_code,
		     rc ? ": " : "", rc ? err.msg : "");
		if (i == 0) {
			struct monitor_exit f;
			struct stat st;
			_cleanup_free_ char *sock = xasprintf("%s/monitor.sock", c.state);
			T_OK(monitor_read_exit(c.state, &f, &err) == 0 && f.exit_code == 0 && f.pid == c.info.container_pid &&
			     f.finished_sec > 0, "exit file records code, pid and finish time");
			T_OK(stat(sock, &st) < 0, "once wait returns, the monitor's socket is gone");
			for (int k = 0; k < 400 && monitor_alive(c.state); k++)
				usleep(5000);
			T_OK(!monitor_alive(c.state), "and soon the monitor (after runtime delete)");
		}
		ctr_release(&c);
	}

	const char *sleeper[] = { "sleep", "100", NULL };
	struct ctr c;
	struct monitor_exit ex = { -1, 0, 0, 0, 0, NULL };
	struct berr err = BERR_INIT;
	pid_t pid = 0;
	ctr_init(&c, sleeper, 0);
	int rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc == 0 && monitor_alive(c.state), "sleep 100 runs, monitor alive%s%s", rc ? ": " : "", rc ? err.msg : "");
	T_OK(monitor_state(c.state, &pid, &err) == 0 && pid == c.info.container_pid, "state: running with the container's pid");
	{
		_cleanup_free_ char *sock = xasprintf("%s/monitor.sock", c.state);
		_cleanup_free_ char *pidf = xasprintf("%s/monitor.pid", c.state);
		struct sbuf sb = SBUF_INIT;
		struct stat st;
		char pidtxt[32];
		snprintf(pidtxt, sizeof(pidtxt), "%d", (int)c.info.monitor_pid);
		T_OK(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600, "monitor.sock is a 0600 socket");
		read_file_at(AT_FDCWD, pidf, &sb, 64, &err);
		T_STREQ(sbuf_str(&sb), pidtxt, "monitor.pid holds the monitor's pid");
		sbuf_release(&sb);
	}
	T_OK(monitor_resize(c.state, 10, 10, &err) < 0 && strstr(err.msg, "no tty"), "resize without a tty is refused");
	T_OK(monitor_kill(c.state, "-9", &err) < 0, "a signal that looks like an option is refused");
	T_OK(monitor_kill(c.state, "KILL", &err) == 0, "kill KILL through the monitor%s%s", err.msg[0] ? ": " : "", err.msg);
	rc = monitor_wait_exit(c.state, &ex, &err);
	T_OK(rc == 0 && ex.exit_code == 137, "killed container exits 137 (got %d)", ex.exit_code);
	ctr_release(&c);
}

struct rec_list {
	struct sbuf s;
};

static int rec_fn(const struct jsonfile_record *r, void *ctx)
{
	struct rec_list *l = ctx;
	sbuf_addf(&l->s, "%s:", r->stream);
	sbuf_add(&l->s, r->log, r->len);
	return 0;
}

static void test_follow(void)
{
	const char *args[] = { "sh", "-c", "echo a; sleep 0.3; echo b >&2", NULL };
	struct ctr c;
	struct berr err = BERR_INIT;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct rec_list l = { SBUF_INIT };
	struct monitor_exit ex;

	ctr_init(&c, args, 0);
	if (monitor_start(&c.o, &c.info, &err) < 0) {
		T_OK(0, "start: %s", err.msg);
		return;
	}
	ro.follow = 1;
	int rc = jsonfile_read(c.log, &ro, rec_fn, &l, &err);
	T_OK(rc == 0 && !strcmp(sbuf_str(&l.s), "stdout:a\nstderr:b\n"),
	     "logs --follow sees both lines and ends when the container stops");
	monitor_wait_exit(c.state, &ex, &err);
	sbuf_release(&l.s);
	ctr_release(&c);
}

/* A 16 MiB memory limit and a shell that keeps 100 MB in a variable. */
static void test_oom(void)
{
	const char *args[] = { "sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}", NULL };
	struct ctr c;
	struct berr err = BERR_INIT;
	struct monitor_exit ex = { 0 };
	_cleanup_free_ char *cfgpath = NULL;
	json_t *cfg, *linux_, *res;

	ctr_init(&c, args, 0);
	cfgpath = xasprintf("%s/config.json", c.bundle);
	cfg = json_load_file(cfgpath, 0, NULL);
	linux_ = json_object_get(cfg, "linux");
	res = json_object_get(linux_, "resources");
	if (!res) {
		res = json_object();
		json_object_set_new(linux_, "resources", res);
	}
	json_object_set_new(res, "memory", json_pack("{s:I,s:I}", "limit", (json_int_t)16 << 20, "swap", (json_int_t)16 << 20));
	json_dump_file(cfg, cfgpath, JSON_COMPACT);
	json_decref(cfg);
	int rc = start_and_wait(&c, &ex, &err);
	T_OK(rc == 0 && ex.exit_code == 137 && ex.oom_killed, "an OOM-killed container: 137 and OOMKilled (got %d, oom %d%s%s)",
	     ex.exit_code, ex.oom_killed, rc ? ": " : "", rc ? err.msg : "");
	ctr_release(&c);
}

static void test_logs(void)
{
	const char *args[] = { "sh", "-c", "echo out1; sleep 0.05; echo err1 >&2; sleep 0.05; echo out2; printf tail", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct rec_list l = { SBUF_INIT };
	struct stat st;

	ctr_init(&c, args, 0);
	T_OK(start_and_wait(&c, &ex, &err) == 0 && ex.exit_code == 0, "log container ran%s%s", err.msg[0] ? ": " : "", err.msg);
	jsonfile_read(c.log, &ro, rec_fn, &l, &err);
	T_STREQ(sbuf_str(&l.s), "stdout:out1\nstderr:err1\nstdout:out2\nstdout:tail",
		"stdout and stderr land in the log in order, with their streams");
	T_OK(stat(c.log, &st) == 0 && (st.st_mode & 0777) == 0640, "log is 0640");
	sbuf_release(&l.s);
	ctr_release(&c);
}

/* Reads the attach stream to EOF; mux frames are decoded as "o:"/"e:". */
static void read_stream(int fd, int raw, struct sbuf *out)
{
	struct stdcopy_reader r;
	char buf[4096];
	ssize_t k;

	stdcopy_reader_init(&r);
	while ((k = read(fd, buf, sizeof(buf))) > 0) {
		if (raw) {
			sbuf_add(out, buf, (size_t)k);
			continue;
		}
		stdcopy_reader_feed(&r, buf, (size_t)k);
		const char *p;
		size_t n;
		int type;
		while (stdcopy_reader_next(&r, &type, &p, &n) == 1) {
			sbuf_addstr(out, type == 1 ? "o:" : "e:");
			sbuf_add(out, p, n);
		}
	}
	stdcopy_reader_release(&r);
}

static void test_stdin(void)
{
	const char *args[] = { "cat", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;

	ctr_init(&c, args, 0);
	c.o.open_stdin = c.o.stdin_once = 1;
	c.o.attach_stdin = c.o.attach_stdout = c.o.attach_stderr = 1;
	int rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc == 0 && c.info.attach_fd >= 0 && !c.info.attach_raw, "cat started, attached from the start%s%s",
	     rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0) {
		fd_write_all(c.info.attach_fd, "hello\n", 6, 1);
		usleep(50000);   /* so that cat writes one chunk */
		fd_write_all(c.info.attach_fd, "world\n", 6, 1);
		shutdown(c.info.attach_fd, SHUT_WR);
		read_stream(c.info.attach_fd, 0, &out);
		T_STREQ(sbuf_str(&out), "o:hello\no:world\n", "stdin round trip through attach (mux frames)");
		T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 0, "stdin EOF (stdin_once) ends cat");
	}

	/* a second client attaching later, with stdin */
	sbuf_reset(&out);
	ctr_release(&c);
	ctr_init(&c, args, 0);
	c.o.open_stdin = c.o.stdin_once = 1;
	int fd = -1, raw = 1;
	rc = monitor_start(&c.o, &c.info, &err);
	if (rc == 0 && monitor_attach(c.state, 1, 1, 1, &fd, &raw, &err) == 0) {
		fd_write_all(fd, "late\n", 5, 1);
		shutdown(fd, SHUT_WR);
		read_stream(fd, raw, &out);
		close(fd);
		T_STREQ(sbuf_str(&out), "o:late\n", "monitor_attach: stdin in, stdout out");
		T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 0, "and cat exits 0");
	} else {
		T_OK(0, "monitor_attach: %s", err.msg);
	}
	sbuf_release(&out);
	ctr_release(&c);
}

static void test_tty(void)
{
	const char *args[] = { "sh", "-c", "tty; read x; stty size", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;

	ctr_init(&c, args, 1);
	c.o.open_stdin = 1;
	c.o.attach_stdin = c.o.attach_stdout = 1;
	int rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc == 0 && c.info.attach_raw, "tty container started%s%s", rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0) {
		T_OK(monitor_resize(c.state, 33, 101, &err) == 0, "resize 33x101%s%s", err.msg[0] ? ": " : "", err.msg);
		fd_write_all(c.info.attach_fd, "\n", 1, 1);
		read_stream(c.info.attach_fd, 1, &out);
		T_OK(strstr(sbuf_str(&out), "/dev/pts/") != NULL, "tty shows /dev/pts/...");
		T_OK(strstr(sbuf_str(&out), "33 101\r\n") != NULL, "stty size sees the resize");
		if (!strstr(sbuf_str(&out), "33 101"))
			printf("#   output: %s\n", sbuf_str(&out));
		T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 0, "tty container exits 0");
		struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
		struct rec_list l = { SBUF_INIT };
		jsonfile_read(c.log, &ro, rec_fn, &l, &err);
		T_OK(strstr(sbuf_str(&l.s), "stdout:/dev/pts/") && !strstr(sbuf_str(&l.s), "stderr:"),
		     "a tty's output is logged as stdout, with its \\r\\n");
		sbuf_release(&l.s);
	}
	sbuf_release(&out);
	ctr_release(&c);
}

static pid_t ppid_of(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
	struct sbuf sb = SBUF_INIT;
	struct berr err = BERR_INIT;
	int pp = -1;

	if (read_file_at(AT_FDCWD, path, &sb, 4096, &err) == 0) {
		const char *p = strrchr(sb.buf, ')');
		if (p)
			sscanf(p + 2, "%*c %d", &pp);
	}
	sbuf_release(&sb);
	return pp;
}

struct exit_ctx {
	char *marker;
};

static void on_exit_cb(const struct monitor_exit *ex, void *ctx)
{
	struct exit_ctx *e = ctx;
	char buf[64];
	struct berr err = BERR_INIT;
	int n = snprintf(buf, sizeof(buf), "code=%d cwd-exit=%d", ex->exit_code, access("exit", F_OK) == 0);

	atomic_write_at(AT_FDCWD, e->marker, buf, (size_t)n, 0644, &err);
}

static void test_outlives_starter(void)
{
	const char *args[] = { "sh", "-c", "trap 'exit 7' TERM; sleep 100 & wait", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct exit_ctx ectx = { xasprintf("%s/on-exit-marker", top) };
	int pfd[2], st;
	struct monitor_info info = { 0 };

	ctr_init(&c, args, 0);
	c.o.on_exit = on_exit_cb;
	c.o.on_exit_ctx = &ectx;
	if (pipe(pfd) < 0)
		return;
	pid_t starter = fork();
	if (starter == 0) {
		struct monitor_info i;
		close(pfd[0]);
		if (monitor_start(&c.o, &i, &err) < 0)
			_exit(1);
		fd_write_all(pfd[1], &i, sizeof(i), 0);
		_exit(0);
	}
	close(pfd[1]);
	ssize_t k = read(pfd[0], &info, sizeof(info));
	close(pfd[0]);
	waitpid(starter, &st, 0);
	T_OK(k == (ssize_t)sizeof(info) && WIFEXITED(st) && WEXITSTATUS(st) == 0, "a starter process started it and exited");
	usleep(20000);
	T_OK(monitor_alive(c.state) && kill(info.monitor_pid, 0) == 0, "the monitor outlives its starter");
	T_OK(ppid_of(info.container_pid) == info.monitor_pid, "the container's process is the monitor's child (subreaper)");
	T_OK(kill(info.container_pid, 0) == 0, "the container still runs");

	monitor_kill(c.state, "TERM", &err);
	T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 7, "SIGTERM reaches the container's trap: exit 7 (got %d)", ex.exit_code);
	struct sbuf m = SBUF_INIT;
	read_file_at(AT_FDCWD, ectx.marker, &m, 4096, &err);
	T_STREQ(sbuf_str(&m), "code=7 cwd-exit=1", "on_exit ran in the monitor, in state_dir, after the exit file, before wait returned");
	sbuf_release(&m);
	free(ectx.marker);
	ctr_release(&c);
}

static void test_killed_monitor(void)
{
	const char *args[] = { "sleep", "100", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	int i;

	ctr_init(&c, args, 0);
	if (monitor_start(&c.o, &c.info, &err) < 0) {
		T_OK(0, "start: %s", err.msg);
		return;
	}
	_cleanup_free_ char *st_path = xasprintf("/proc/%d/status", (int)c.info.container_pid);
	struct sbuf stb = SBUF_INIT;
	read_file_at(AT_FDCWD, st_path, &stb, 65536, &err);
	const char *ign = strstr(sbuf_str(&stb), "SigIgn:\t");
	T_OK(ign && !strncmp(ign + 8, "0000000000000000", 16), "the container ignores no signal (the monitor's SIG_IGN do not leak): %.16s", ign ? ign + 8 : "?");
	sbuf_release(&stb);
	kill(c.info.monitor_pid, SIGKILL);
	for (i = 0; i < 200 && monitor_alive(c.state); i++)
		usleep(5000);
	T_OK(!monitor_alive(c.state), "a monitor killed with -9 is seen as gone (its flock is free)");
	_cleanup_free_ char *pidf = xasprintf("%s/monitor.pid", c.state);
	T_OK(access(pidf, F_OK) == 0, "it left monitor.pid behind");
	T_OK(monitor_wait_exit(c.state, &ex, &err) < 0 && err.code == BERR_NOT_FOUND,
	     "monitor_wait_exit: gone, no exit recorded (%s)", err.msg);
	T_OK(kill(c.info.container_pid, 0) == 0 && ppid_of(c.info.container_pid) != c.info.monitor_pid,
	     "its container keeps running, re-parented (ppid %d)", (int)ppid_of(c.info.container_pid));
	const char *k[] = { runc_path, "--root", runc_root, "delete", "--force", c.id, NULL };
	T_OK(run(k, NULL) == 0, "runc delete --force cleans it up");
	ctr_release(&c);
}

static void test_create_failure(void)
{
	const char *args[] = { "nosuchcmd", NULL };
	struct ctr c;
	struct berr err = BERR_INIT;

	ctr_init(&c, args, 0);
	int rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc < 0, "a missing command fails the start");
	T_STREQ(err.msg, "OCI runtime create failed: runc create failed: unable to start container process: exec: "
		"\"nosuchcmd\": executable file not found in $PATH: unknown", "docker's message from the runtime's");
	T_OK(!monitor_alive(c.state), "no monitor is left");
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct rec_list l = { SBUF_INIT };
	jsonfile_read(c.log, &ro, rec_fn, &l, &err);
	T_OK(l.s.len == 0, "the runtime's error is not logged (as docker)");
	sbuf_release(&l.s);
	ctr_release(&c);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Interleaved, so that load from elsewhere hits all three alike: bare
 * `runc run`, the monitor (create + start), the monitor (run --detach);
 * the monitor's time is monitor_start until monitor_wait_exit returns. */
static void bench(void)
{
	const char *args[] = { "true", NULL };
	int n = getenv("BERTH_MONITOR_BENCH") ? atoi(getenv("BERTH_MONITOR_BENCH")) : 20;
	struct ctr c, d;
	struct berr err = BERR_INIT;
	double t0, tmon = 0, tbare = 0, tdet = 0;
	int ok = 1;

	if (n <= 0)
		return;
	ctr_init(&c, args, 0);
	ctr_init(&d, args, 0);
	c.o.log_path = d.o.log_path = NULL;
	d.o.run_detached = 1;
	for (int i = 0; i < n && ok; i++) {
		struct monitor_exit ex;
		char id[64];
		snprintf(id, sizeof(id), "bench-b-%d", i);
		const char *bare[] = { runc_path, "--root", runc_root, "run", "--bundle", c.bundle, id, NULL };
		t0 = now_ms();
		ok &= run(bare, NULL) == 0;
		tbare += now_ms() - t0;
		t0 = now_ms();
		ok &= monitor_start(&c.o, &c.info, &err) == 0;
		ok &= monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 0;
		tmon += now_ms() - t0;
		t0 = now_ms();
		ok &= monitor_start(&d.o, &d.info, &err) == 0;
		ok &= monitor_wait_exit(d.state, &ex, &err) == 0 && ex.exit_code == 0;
		tdet += now_ms() - t0;
	}
	while (monitor_alive(c.state) || monitor_alive(d.state))
		usleep(1000);
	T_OK(ok, "timing runs succeeded%s%s", err.msg[0] ? ": " : "", err.msg);
	printf("# true x%d, mean: bare `runc run` %.1f ms; monitor (create+start) %.1f ms; monitor (run --detach) %.1f ms\n",
	       n, tbare / n, tmon / n, tdet / n);
	ctr_release(&c);
	ctr_release(&d);
}

/* ---- restart policies and pause: the callbacks run in the monitor (a
 * fork), so they leave their marks in a file named by ctx */

struct restart_ctx {
	char marks[512];   /* each callback appends a line */
	int restarts;      /* restart_check allows this many (it counts in the monitor's copy) */
	long delay_ms;
};

static void mark(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		fd_write_all(fd, line, strlen(line), 0);
		close(fd);
	}
}

static long t_restart_check(const struct monitor_exit *ex, int64_t ran_ms, void *arg)
{
	struct restart_ctx *x = arg;
	char line[64];

	snprintf(line, sizeof(line), "exit %d\n", ex->exit_code);
	mark(x->marks, line);
	if (x->restarts-- <= 0)
		return -1;
	return x->delay_ms;
}

static void t_restart_started(pid_t pid, int64_t sec, long nsec, void *arg)
{
	struct restart_ctx *x = arg;
	mark(x->marks, pid > 0 && sec > 0 ? "started\n" : "started badly\n");
}

static void t_on_exit(const struct monitor_exit *ex, void *arg)
{
	struct restart_ctx *x = arg;
	char line[64];

	snprintf(line, sizeof(line), "final %d%s\n", ex->exit_code, ex->error ? " error" : "");
	mark(x->marks, line);
}

static void restart_ctr(struct ctr *c, struct restart_ctx *x, const char *const *args, int restarts, long delay)
{
	ctr_init(c, args, 0);
	memset(x, 0, sizeof(*x));
	snprintf(x->marks, sizeof(x->marks), "%s/marks", c->bundle);
	x->restarts = restarts;
	x->delay_ms = delay;
	c->o.restart_check = t_restart_check;
	c->o.restart_started = t_restart_started;
	c->o.on_exit = t_on_exit;
	c->o.on_exit_ctx = x;
}

static void wait_gone(const char *state)
{
	for (int k = 0; k < 1000 && monitor_alive(state); k++)
		usleep(5000);
}

static void test_restart(void)
{
	const char *args[] = { "sh", "-c", "echo run; exit 3", NULL };
	struct ctr c;
	struct restart_ctx x;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct sbuf sb = SBUF_INIT;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct rec_list l = { SBUF_INIT };
	int rc;

	restart_ctr(&c, &x, args, 2, 10);
	rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc == 0, "restarting container starts%s%s", rc ? ": " : "", err.msg);
	T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 3, "a waiter hears the first exit");
	wait_gone(c.state);
	read_file_at(AT_FDCWD, x.marks, &sb, 4096, &err);
	T_STREQ(sbuf_str(&sb), "exit 3\nstarted\nexit 3\nstarted\nexit 3\nfinal 3\n",
		"two restarts, then on_exit with the last exit");
	jsonfile_read(c.log, &ro, rec_fn, &l, &err);
	T_STREQ(sbuf_str(&l.s), "stdout:run\nstdout:run\nstdout:run\n", "the log has the three runs");
	T_OK(monitor_read_exit(c.state, &ex, &err) == 0 && ex.exit_code == 3, "the exit file has the last exit");
	sbuf_release(&sb);
	sbuf_release(&l.s);
	ctr_release(&c);

	/* a stop's kill between runs cancels the pending restart at once */
	const char *fail[] = { "sh", "-c", "exit 5", NULL };
	restart_ctr(&c, &x, fail, 100, 60000);
	rc = monitor_start(&c.o, &c.info, &err);
	/* not a waiter: one that comes after the exit (a loaded machine)
	 * waits, rightly, for the next run's; the exit file is written at
	 * each exit */
	{
		int got = 0;
		for (int k = 0; rc == 0 && k < 2000 && !got; k++) {
			struct berr e2 = BERR_INIT;
			got = monitor_read_exit(c.state, &ex, &e2) == 0;
			if (!got)
				usleep(5000);
		}
		T_OK(rc == 0 && got && ex.exit_code == 5, "first run exits 5");
	}
	T_OK(monitor_alive(c.state), "the monitor waits to restart it");
	{
		pid_t pid;
		T_OK(monitor_state(c.state, &pid, &err) < 0 && strstr(err.msg, "restarting"), "state: restarting");
	}
	{
		int fd = -1, raw = 0;
		T_OK(monitor_attach(c.state, 0, 1, 1, &fd, &raw, &err) < 0 && strstr(err.msg, "restarting"),
		     "attach between runs is refused");
	}
	T_OK(monitor_kill(c.state, "KILL", &err) == 0 && monitor_alive(c.state), "a plain kill leaves the restart pending");
	T_OK(monitor_stop_kill(c.state, "KILL", &err) == 0, "a stop's kill between runs%s%s", err.msg[0] ? ": " : "",
	     err.msg);
	T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 5, "waiters get the last exit");
	wait_gone(c.state);
	T_OK(!monitor_alive(c.state), "and the monitor finishes");
	sbuf_init(&sb);
	read_file_at(AT_FDCWD, x.marks, &sb, 4096, &err);
	T_STREQ(sbuf_str(&sb), "exit 5\nfinal 5\n", "no restart, on_exit once");
	sbuf_release(&sb);
	ctr_release(&c);

	/* a stop's kill while it runs: no restart after that exit */
	const char *sleeper[] = { "sleep", "100", NULL };
	restart_ctr(&c, &x, sleeper, 100, 10);
	rc = monitor_start(&c.o, &c.info, &err);
	T_OK(rc == 0 && monitor_stop_kill(c.state, "KILL", &err) == 0, "stop's kill of a running container");
	T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 137, "it exits 137");
	wait_gone(c.state);
	sbuf_init(&sb);
	read_file_at(AT_FDCWD, x.marks, &sb, 4096, &err);
	T_STREQ(sbuf_str(&sb), "final 137\n", "the policy is not asked");
	sbuf_release(&sb);
	ctr_release(&c);
}

static void test_pause(void)
{
	const char *args[] = { "sh", "-c", "trap 'exit 7' TERM; while :; do echo tick; sleep 0.05; done", NULL };
	struct ctr c;
	struct monitor_exit ex;
	struct berr err = BERR_INIT;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct rec_list a = { SBUF_INIT }, b2 = { SBUF_INIT };
	int rc;

	ctr_init(&c, args, 0);
	rc = monitor_start(&c.o, &c.info, &err);
	usleep(200000);
	T_OK(rc == 0 && monitor_pause(c.state, 1, &err) == 0, "pause%s%s", err.msg[0] ? ": " : "", err.msg);
	usleep(100000);
	jsonfile_read(c.log, &ro, rec_fn, &a, &err);
	usleep(300000);
	jsonfile_read(c.log, &ro, rec_fn, &b2, &err);
	T_OK(a.s.len > 0 && a.s.len == b2.s.len, "a paused container writes nothing");
	T_OK(monitor_pause(c.state, 1, &err) < 0, "pausing twice is the runtime's error: %s", err.msg);
	berr_clear(&err);
	T_OK(monitor_pause(c.state, 0, &err) == 0, "resume%s%s", err.msg[0] ? ": " : "", err.msg);
	T_OK(monitor_pause(c.state, 1, &err) == 0, "pause again");
	T_OK(monitor_stop_kill(c.state, "TERM", &err) == 0, "a stop's TERM to a paused container (resumed to get it)");
	T_OK(monitor_wait_exit(c.state, &ex, &err) == 0 && ex.exit_code == 7, "its trap runs: exit 7 (got %d)", ex.exit_code);
	sbuf_release(&a.s);
	sbuf_release(&b2.s);
	ctr_release(&c);
}

int main(void)
{
	struct berr err = BERR_INIT;

	setvbuf(stdout, NULL, _IONBF, 0);
	runc_path = find_runc();
	if (!runc_path || geteuid() != 0 || access("/bin/busybox", X_OK) != 0) {
		T_SKIP("monitor tests need root, runc and /bin/busybox");
		return t_done();
	}
	if (!mkdtemp(top) || make_rootfs() < 0) {
		T_OK(0, "bundle rootfs in %s", top);
		return t_done();
	}
	runc_root = xasprintf("%s/runc", top);
	runtime_args[0] = "--root";
	runtime_args[1] = runc_root;
	test_exit_codes();
	test_logs();
	test_follow();
	test_oom();
	test_stdin();
	test_tty();
	test_outlives_starter();
	test_killed_monitor();
	test_create_failure();
	test_restart();
	test_pause();
	bench();
	remove_all_at(AT_FDCWD, top, &err);
	return t_done();
}
