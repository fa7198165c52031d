/*
 * test-process.c - proc_run (util/process.h) against /bin/sh scripts:
 * exit codes and signals, stdin echoed back, stderr captured apart,
 * bounded capture, a child that closes stdin early (no SIGPIPE death), a
 * missing program, the environment, and fd hygiene.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/process.h"
#include "util/sbuf.h"
#include "test.h"

/* sh -c script, with in (may be NULL) on stdin, both streams captured. */
static int sh(const char *script, const char *in, size_t in_len, struct proc_result *r, struct berr *err)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct proc_spec spec = { .path = "/bin/sh", .argv = argv, .in = in, .in_len = in_len,
				  .out = PROC_CAPTURE, .err = PROC_CAPTURE, .out_max = 8 << 20, .err_max = 8 << 20 };

	return proc_run(&spec, r, err);
}

static void test_exit_codes(void)
{
	struct proc_result r;
	struct berr err = BERR_INIT;
	char text[64];

	proc_result_init(&r);
	T_OK(sh("exit 0", NULL, 0, &r, &err) == 0 && r.exited && r.exit_code == 0, "exit 0");
	T_OK(sh("exit 3", NULL, 0, &r, &err) == 0 && r.exited && r.exit_code == 3, "exit 3 is reported, not an error");
	proc_status_text(&r, text, sizeof(text));
	T_STREQ(text, "exit status 3", "Go's ExitError text");
	T_OK(sh("kill -TERM $$", NULL, 0, &r, &err) == 0 && !r.exited && r.term_signal == SIGTERM,
	     "a signal is reported as the signal");
	proc_status_text(&r, text, sizeof(text));
	T_STREQ(text, "signal: Terminated", "signal text");
	proc_result_release(&r);
}

static void test_streams(void)
{
	struct proc_result r;
	struct berr err = BERR_INIT;
	struct sbuf big = SBUF_INIT;

	proc_result_init(&r);
	T_OK(sh("cat", "hello\nworld", 11, &r, &err) == 0 && r.exit_code == 0, "cat runs");
	T_OK(r.out.len == 11 && !memcmp(r.out.buf, "hello\nworld", 11), "stdin comes back on stdout");
	T_OK(r.err.len == 0 && !r.stdin_closed, "nothing on stderr, stdin read whole");

	T_OK(sh("echo out; echo err >&2; exit 1", NULL, 0, &r, &err) == 0 && r.exit_code == 1, "both streams");
	T_STREQ(sbuf_str(&r.out), "out\n", "stdout captured apart");
	T_STREQ(sbuf_str(&r.err), "err\n", "stderr captured apart");

	/* More than any pipe holds, both ways: served together, no deadlock. */
	for (int i = 0; i < 300000; i++)
		sbuf_addstr(&big, "0123456789");
	T_OK(sh("cat; echo done >&2", big.buf, big.len, &r, &err) == 0 && r.exit_code == 0, "3 MB through cat");
	T_OK(r.out.len == big.len && !memcmp(r.out.buf, big.buf, big.len), "every byte back, in order");
	T_STREQ(sbuf_str(&r.err), "done\n", "stderr after it");
	sbuf_release(&big);
	proc_result_release(&r);
}

static void test_bounds(void)
{
	char *argv[] = { "sh", "-c", "printf 0123456789; printf abcdef >&2", NULL };
	struct proc_spec spec = { .path = "/bin/sh", .argv = argv, .out = PROC_CAPTURE, .out_max = 4,
				  .err = PROC_NULL };
	struct proc_result r;
	struct berr err = BERR_INIT;

	proc_result_init(&r);
	T_OK(proc_run(&spec, &r, &err) == 0 && r.exit_code == 0, "bounded capture runs to the end");
	T_OK(r.out.len == 4 && !memcmp(r.out.buf, "0123", 4) && r.out_truncated, "stdout cut at out_max, flagged");
	T_OK(r.err.len == 0, "stderr to /dev/null is not captured");
	proc_result_release(&r);
}

static void test_early_close(void)
{
	struct proc_result r;
	struct berr err = BERR_INIT;
	struct sbuf big = SBUF_INIT;
	sigset_t pending;

	for (int i = 0; i < 100000; i++)
		sbuf_addstr(&big, "0123456789");
	proc_result_init(&r);
	/* SIGPIPE at its default: a write to the gone child must not kill us. */
	signal(SIGPIPE, SIG_DFL);
	T_OK(sh("exec 0<&-; echo bye", big.buf, big.len, &r, &err) == 0 && r.exit_code == 0,
	     "a child closing stdin at once does not kill the caller");
	T_OK(r.stdin_closed, "flagged as not read whole");
	T_STREQ(sbuf_str(&r.out), "bye\n", "its output still read");
	T_OK(sh("exit 7", big.buf, big.len, &r, &err) == 0 && r.exit_code == 7, "a child exiting without reading");
	sigpending(&pending);
	T_OK(!sigismember(&pending, SIGPIPE), "no SIGPIPE left pending");
	sbuf_release(&big);
	proc_result_release(&r);
}

static void test_missing(void)
{
	char *argv[] = { "nonexistent", NULL };
	struct proc_spec spec = { .path = "/nonexistent/program", .argv = argv, .out = PROC_CAPTURE, .out_max = 64 };
	struct proc_result r;
	struct berr err = BERR_INIT;

	proc_result_init(&r);
	T_OK(proc_run(&spec, &r, &err) < 0, "a missing program is an error");
	T_OK(r.exec_errno == ENOENT, "with ENOENT (%d)", r.exec_errno);
	T_STREQ(err.msg, "fork/exec /nonexistent/program: No such file or directory", "Go's wording");
	proc_result_release(&r);
}

static void test_env_and_fds(void)
{
	char *env[] = { "ONLY=this", NULL };
	char *argv[] = { "sh", "-c", "echo \"$ONLY:${HOME:-unset}\"; ls /proc/self/fd | wc -l", NULL };
	struct proc_spec spec = { .path = "/bin/sh", .argv = argv, .envp = env, .out = PROC_CAPTURE,
				  .out_max = 256 };
	struct proc_result r;
	struct berr err = BERR_INIT;
	int leak = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC on purpose */

	proc_result_init(&r);
	T_OK(proc_run(&spec, &r, &err) == 0 && r.exit_code == 0, "runs with its own environment");
	/* 0, 1, 2 and the fd ls opens for /proc/self/fd. */
	T_STREQ(sbuf_str(&r.out), "this:unset\n4\n", "only envp, and no fd beyond 0-2 inherited");
	close(leak);
	proc_result_release(&r);
}

int main(void)
{
	test_exit_codes();
	test_streams();
	test_bounds();
	test_early_close();
	test_missing();
	test_env_and_fds();
	return t_done();
}
