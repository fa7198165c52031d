/*
 * cmd-run.c - `berth run` and `berth create`, as the docker 20.10 CLI runs
 * them: the flags become the create body (runflags.c); a missing image is
 * pulled ("Unable to find image 'X' locally") and the create retried; run
 * then attaches (unless -d), starts, copies the streams and exits with the
 * container's status.
 *
 * Exit statuses as docker's: 125 for berth's own errors, 126/127 for a
 * command the runtime could not execute, else the container's status;
 * create's daemon errors are printed plain, with status 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define NO_SUCH_IMAGE "No such image: "

/* docker's reportError: "berth: <msg>." (one trailing '.' kept once) and,
 * for create-phase errors, the help line. */
static int report(const char *cmd, const char *msg, int with_help, int status)
{
	size_t n = strlen(msg);

	if (n && msg[n - 1] == '.')
		n--;
	fprintf(stderr, "berth: %.*s.\n", (int)n, msg);
	if (with_help)
		fprintf(stderr, "See 'berth %s --help'.\n", cmd);
	return status;
}

static int start_status(const char *msg)
{
	if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory") ||
	    strstr(msg, "system cannot find the file specified"))
		return 127;
	if (strstr(msg, "permission denied"))
		return 126;
	return 125;
}

/* Pulls ref for run/create, its progress on stderr as docker's CLI prints it. */
static int pull_missing(struct berth *b, const char *ref, const char *platform, struct berr *err)
{
	struct progress *p = progress_new(stderr, 0);
	struct berth_image_pull_opts po = { .platform = platform, .progress = progress_event, .progress_ctx = p };
	char *canonical = NULL;
	int rc = berth_image_pull(b, ref, &po, &canonical, err);

	progress_free(p);
	if (rc == 0)
		fprintf(stderr, "Status: Downloaded newer image for %s\n", canonical);
	free(canonical);
	return rc;
}

/* Creates the container (pulling its image when missing); 0 or docker's status. */
static int create(struct cli *c, const char *cmd, const struct cli_run_opts *o, char id[65])
{
	struct berth_container_create_opts co = { .name = o->name };
	struct berr err = BERR_INIT;
	char *body = json_dumps(o->body, JSON_COMPACT);
	const char *image = json_string_value(json_object_get(o->body, "Image"));
	int rc;

	if (!body)
		return report(cmd, "out of memory", 0, 125);
	rc = berth_container_create(c->b, body, strlen(body), &co, id, &err);
	if (rc < 0 && err.code == BERR_NOT_FOUND && !strncmp(err.msg, NO_SUCH_IMAGE, strlen(NO_SUCH_IMAGE)) &&
	    strcmp(o->pull ? o->pull : "missing", "never") != 0) {
		fprintf(stderr, "Unable to find image '%s' locally\n", err.msg + strlen(NO_SUCH_IMAGE));
		berr_clear(&err);
		if (pull_missing(c->b, image, o->platform, &err) == 0)
			rc = berth_container_create(c->b, body, strlen(body), &co, id, &err);
	}
	free(body);
	/* create returns the daemon's error to the CLI's main, which prints
	 * it as it is with status 1; run reports it (reportError, 125) */
	if (rc < 0 && !strcmp(cmd, "create")) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	if (rc < 0) {
		char msg[BERR_MSG_MAX + 32];

		/* create returns the error to the client's main (status 1);
		 * run words it through reportError */
		if (!strcmp(cmd, "create")) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return 1;
		}
		snprintf(msg, sizeof(msg), "Error response from daemon: %s", err.msg);
		return report(cmd, msg, 1, 125);
	}
	return 0;
}

static int run_attached(struct cli *c, const char *id, int with_stdin, const struct cli_run_opts *o)
{
	struct berth_container_start_opts so = {
		.attach_stdin = with_stdin, .attach_stdout = 1, .attach_stderr = 1,
	};
	struct berr err = BERR_INIT;
	int fd = -1, raw = 0, status = 0;

	so.attach_fd = &fd;
	so.attach_raw = &raw;
	if (berth_container_start(c->b, id, &so, &err) < 0) {
		char msg[BERR_MSG_MAX + 32];

		snprintf(msg, sizeof(msg), "Error response from daemon: %s", err.msg);
		return report("run", msg, 0, start_status(err.msg));
	}
	if (fd >= 0) {
		/* the hijacked streamer: a tty's raw terminal and detach keys,
		 * signals forwarded without a tty (--sig-proxy) */
		int tty = json_is_true(json_object_get(o->body, "Tty")), detached = 0;

		cli_attach_session(c, id, fd, raw, with_stdin, tty, o->sig_proxy && !tty, o->detach_keys, &detached);
		close(fd);
		if (detached)
			return 0;   /* run's nil for the escape sequence */
	}
	berr_clear(&err);
	if (cli_container_restarting_status(c, id, &status))
		return status;
	if (berth_container_wait(c->b, id, &status, &err) < 0)
		return report("run", err.msg, 0, 125);
	return status;
}

static int run_or_create(struct cli *c, const char *cmd, int argc, char **argv)
{
	struct cli_run_opts o = { 0 };
	char id[65];
	int rc = cli_run_flags(cmd, argc, argv, &o);

	if (rc == 0 && o.help)
		printf("\nUsage:  berth %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n%s\n", cmd,
		       !strcmp(cmd, "run") ? "Run a command in a new container" : "Create a new container");
	if (rc == 0 && !o.help)
		rc = cli_run_check_image(cmd, &o);
	if (rc != 0 || o.help) {
		if (o.error)
			fputs(o.error, stderr);
		cli_run_opts_release(&o);
		return rc;
	}
	if (!cli_berth(c)) {
		cli_run_opts_release(&o);
		return 125;
	}
	rc = create(c, cmd, &o, id);
	if (rc == 0) {
		if (!strcmp(cmd, "create")) {
			printf("%s\n", id);
		} else if (o.detach) {
			struct berr err = BERR_INIT;

			if (berth_container_start(c->b, id, NULL, &err) < 0) {
				char msg[BERR_MSG_MAX + 32];

				snprintf(msg, sizeof(msg), "Error response from daemon: %s", err.msg);
				rc = report(cmd, msg, 0, start_status(err.msg));
			} else {
				printf("%s\n", id);
			}
		} else {
			fflush(stdout);
			rc = run_attached(c, id, json_is_true(json_object_get(o.body, "AttachStdin")), &o);
		}
	}
	cli_run_opts_release(&o);
	return rc;
}

int cmd_run(struct cli *c, int argc, char **argv)
{
	return run_or_create(c, "run", argc, argv);
}

int cmd_create(struct cli *c, int argc, char **argv)
{
	return run_or_create(c, "create", argc, argv);
}
