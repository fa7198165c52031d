/*
 * process.h - running a program to completion: argv (no shell), an
 * optional environment, bytes fed to its stdin, stdout and stderr captured
 * (bounded) or sent to /dev/null or inherited, and how it ended.
 *
 * The child gets only fds 0-2 (everything else is closed in it, whatever
 * its close-on-exec flag), an empty signal mask and SIGPIPE at its default.
 * The caller's process is left as it was: no signal disposition changes,
 * and a child that exits without reading its stdin does not kill the
 * caller with SIGPIPE.  Stdin, stdout and stderr are served together
 * (poll), so a child writing much before it reads cannot deadlock.
 * Safe to call from several threads at once.
 */
#ifndef BERTH_UTIL_PROCESS_H
#define BERTH_UTIL_PROCESS_H

#include <stddef.h>

#include "err.h"
#include "sbuf.h"

enum proc_stream {
	PROC_NULL,     /* /dev/null */
	PROC_CAPTURE,  /* into the result's buffer */
	PROC_INHERIT,  /* the caller's own fd */
};

struct proc_spec {
	const char *path;         /* the program; no $PATH lookup */
	char *const *argv;        /* NULL-terminated, argv[0] included */
	char *const *envp;        /* NULL: the caller's environment */
	const void *in;           /* written to stdin, which is then closed; NULL: /dev/null */
	size_t in_len;
	enum proc_stream out, err;
	size_t out_max, err_max;  /* bytes kept of a captured stream; the rest is read and dropped */
};

struct proc_result {
	struct sbuf out, err;     /* captured bytes (embedded: proc_result_release) */
	int out_truncated, err_truncated;
	int exited;               /* 1: exit_code is valid; 0: killed by term_signal */
	int exit_code;
	int term_signal;
	int stdin_closed;         /* the child exited or closed stdin before reading it all */
	int exec_errno;           /* non-zero: the program could not be started */
};

void proc_result_init(struct proc_result *r);
void proc_result_release(struct proc_result *r);

/* Runs spec to completion.  0 when the program ran, whatever its exit
 * status (see r); -1 with err set when it could not be run.  When the
 * program itself could not be started, r->exec_errno says why (ENOENT for
 * a missing program) and err is Go's "fork/exec <path>: <strerror>". */
int proc_run(const struct proc_spec *spec, struct proc_result *r, struct berr *err);

/* Go's ExitError text: "exit status N" or "signal: <name>". */
void proc_status_text(const struct proc_result *r, char *buf, size_t n);

#endif
