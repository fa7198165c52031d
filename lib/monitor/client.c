/* client.c - talking to a container's monitor (monitor.h). */
#include "monitor.h"
#include "monitor-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fs.h"

/* Connects to state_dir/monitor.sock; a path too long for sun_path goes
 * through /proc/self/fd of the opened directory. */
static int connect_monitor(const char *state_dir, struct berr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, dfd = -1, rc;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", state_dir, MONITOR_SOCK) >=
	    sizeof(sa.sun_path)) {
		dfd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return berr_sys(err, "open %s", state_dir);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, MONITOR_SOCK);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (dfd >= 0)
			close(dfd);
		return berr_sys(err, "socket");
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (dfd >= 0)
		close(dfd);
	if (rc < 0) {
		int e = errno;
		close(fd);
		errno = e;
		berr_sys(err, "connect to the container's monitor");
		err->code = BERR_NOT_FOUND;
		return -1;
	}
	return fd;
}

/* Reads one reply line byte by byte (what follows it is a stream). */
static int read_line(int fd, char *buf, size_t size, struct berr *err)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t k = read(fd, buf + n, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			buf[n] = '\0';
			return berr_set(err, BERR_NOT_FOUND, "container is not running");
		}
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return 0;
		}
		n++;
	}
	buf[n] = '\0';
	return berr_set(err, BERR_INTERNAL, "monitor reply too long");
}

/* Sends cmd, reads the reply; "error X" becomes err.  Returns the fd
 * (still open) or -1. */
static int command(const char *state_dir, const char *cmd, char *reply, size_t size, struct berr *err)
{
	int fd = connect_monitor(state_dir, err);

	if (fd < 0)
		return -1;
	if (fd_write_all(fd, cmd, strlen(cmd), 1) < 0) {
		berr_sys(err, "write to the container's monitor");
		close(fd);
		return -1;
	}
	if (read_line(fd, reply, size, err) < 0) {
		close(fd);
		return -1;
	}
	if (strncmp(reply, "ok", 2) != 0) {
		berr_set(err, BERR_INVALID, "%s", !strncmp(reply, "error ", 6) ? reply + 6 : reply);
		close(fd);
		return -1;
	}
	return fd;
}

int monitor_attach(const char *state_dir, int want_stdin, int want_stdout, int want_stderr, int *fd,
		   int *raw, struct berr *err)
{
	char cmd[32], reply[256];

	snprintf(cmd, sizeof(cmd), "attach %s%s%s\n", want_stdin ? "i" : "", want_stdout ? "o" : "",
		 want_stderr ? "e" : "");
	*fd = command(state_dir, cmd, reply, sizeof(reply), err);
	if (*fd < 0)
		return -1;
	*raw = !strcmp(reply, "ok raw");
	return 0;
}

static int simple(const char *state_dir, const char *cmd, struct berr *err)
{
	char reply[BERR_MSG_MAX];
	int fd = command(state_dir, cmd, reply, sizeof(reply), err);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int monitor_kill(const char *state_dir, const char *sig, struct berr *err)
{
	_cleanup_free_ char *cmd = xasprintf("kill %s\n", sig);

	if (strchr(sig, '\n'))
		return berr_set(err, BERR_INVALID, "invalid signal: %s", sig);
	return simple(state_dir, cmd, err);
}

int monitor_stop_kill(const char *state_dir, const char *sig, struct berr *err)
{
	_cleanup_free_ char *cmd = xasprintf("kill %s stop\n", sig);

	if (strchr(sig, '\n') || strchr(sig, ' '))
		return berr_set(err, BERR_INVALID, "invalid signal: %s", sig);
	return simple(state_dir, cmd, err);
}

int monitor_pause(const char *state_dir, int pause, struct berr *err)
{
	return simple(state_dir, pause ? "pause\n" : "resume\n", err);
}

int monitor_resize(const char *state_dir, unsigned short height, unsigned short width, struct berr *err)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "resize %u %u\n", height, width);
	return simple(state_dir, cmd, err);
}

int monitor_state(const char *state_dir, pid_t *pid, struct berr *err)
{
	char reply[256];
	int p, fd = command(state_dir, "state\n", reply, sizeof(reply), err);

	if (fd < 0)
		return -1;
	close(fd);
	if (sscanf(reply, "ok running %d", &p) != 1)
		return berr_set(err, BERR_INTERNAL, "bad monitor reply: %s", reply);
	*pid = p;
	return 0;
}

int monitor_alive(const char *state_dir)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", state_dir, MONITOR_PID_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC), alive;

	if (fd < 0)
		return 0;
	alive = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return alive;
}

int monitor_read_exit(const char *state_dir, struct monitor_exit *ex, struct berr *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", state_dir, MONITOR_EXIT_FILE);
	_cleanup_sbuf_ struct sbuf sb = SBUF_INIT;
	json_t *o, *v;
	long long ns;

	if (read_file_at(AT_FDCWD, path, &sb, 4096, err) < 0)
		return -1;
	o = json_loadb(sb.buf, sb.len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return berr_set(err, BERR_INVALID, "%s: not a JSON object", path);
	}
	ex->exit_code = (int)json_integer_value(json_object_get(o, "ExitCode"));
	ex->oom_killed = json_is_true(json_object_get(o, "OOMKilled"));
	v = json_object_get(o, "FinishedAtUnixNano");
	ns = json_integer_value(v);
	ex->finished_sec = ns / 1000000000LL;
	ex->finished_nsec = (long)(ns % 1000000000LL);
	ex->pid = (pid_t)json_integer_value(json_object_get(o, "Pid"));
	json_decref(o);
	return 0;
}

int monitor_wait_exit(const char *state_dir, struct monitor_exit *ex, struct berr *err)
{
	char reply[256];
	struct berr e2 = BERR_INIT;
	long long sec;
	long nsec;
	int fd = command(state_dir, "wait\n", reply, sizeof(reply), &e2);

	if (fd >= 0) {
		close(fd);
		memset(ex, 0, sizeof(*ex));
		if (sscanf(reply, "ok exited %d %d %lld.%ld", &ex->exit_code, &ex->oom_killed, &sec, &nsec) != 4)
			return berr_set(err, BERR_INTERNAL, "bad monitor reply: %s", reply);
		ex->finished_sec = sec;
		ex->finished_nsec = nsec;
		/* the pid is only in the file (which on_exit may have removed) */
		struct monitor_exit f;
		struct berr e3 = BERR_INIT;
		if (monitor_read_exit(state_dir, &f, &e3) == 0)
			ex->pid = f.pid;
		return 0;
	}
	/* no monitor to ask: it exited (the file says how) or was killed */
	if (monitor_read_exit(state_dir, ex, &e2) == 0)
		return 0;
	return berr_set(err, BERR_NOT_FOUND, "the container's monitor is gone and recorded no exit");
}
