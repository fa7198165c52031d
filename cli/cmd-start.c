/* cmd-start.c - `berth start [-a] [-i] [--detach-keys] CONTAINER...`:
 * docker 20.10's lines (each name as given; the failures, then "Error:
 * failed to start containers: ..."); with -a or -i one container,
 * attached before it starts (signals forwarded without a tty), and the
 * container's exit status. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define USAGE "start [OPTIONS] CONTAINER [CONTAINER...]\n\nStart one or more stopped containers"

static int start_attached(struct cli *c, const char *name, int with_stdin, const char *keys)
{
	struct json_t *in = NULL, *cfg;
	struct berr err = BERR_INIT;
	char id[65];
	int fd = -1, raw = 0, tty, detached = 0, status = 0;
	struct berth_container_start_opts so = { .attach_stdout = 1, .attach_stderr = 1 };

	if (cli_inspect_container(c, name, &in) < 0)
		return 1;
	cfg = json_object_get(in, "Config");
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(in, "Id")));
	tty = json_is_true(json_object_get(cfg, "Tty"));
	with_stdin = with_stdin && json_is_true(json_object_get(cfg, "OpenStdin"));
	json_decref(in);
	if (keys && *keys) {
		char k[BERTH_CONTAINER_DETACH_KEYS_MAX];
		size_t n;
		if (berth_container_detach_keys(keys, k, &n, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return 1;
		}
	}
	so.attach_stdin = with_stdin;
	so.attach_fd = &fd;
	so.attach_raw = &raw;
	if (berth_container_start(c->b, id, &so, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	if (fd < 0) {
		/* it was running already (docker's 304): attach to it */
		struct berth_container_attach_opts ao = { with_stdin, 1, 1, keys };
		if (berth_container_attach(c->b, id, &ao, &fd, &raw, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return 1;
		}
	}
	if (cli_attach_session(c, id, fd, raw, with_stdin, tty, !tty, keys, &detached) < 0) {
		close(fd);
		return 1;
	}
	close(fd);
	if (detached)
		return 0;   /* the user detached: start's nil */
	if (cli_container_exit_status(c, id, &status) < 0)
		return 1;
	return status;
}

int cmd_start(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attach", optional_argument, NULL, 'a' },
		{ "interactive", optional_argument, NULL, 'i' },
		{ "detach-keys", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct sbuf failed = SBUF_INIT;
	const char *keys = NULL;
	int rc = 0, attach = 0, interactive = 0, o;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":aih", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
		case 'i': {
			int v = 1;
			if (optarg && strcmp(optarg, "true") && strcmp(optarg, "1") && strcmp(optarg, "t") &&
			    strcmp(optarg, "T") && strcmp(optarg, "TRUE") && strcmp(optarg, "True")) {
				if (strcmp(optarg, "false") && strcmp(optarg, "0") && strcmp(optarg, "f") &&
				    strcmp(optarg, "F") && strcmp(optarg, "FALSE") && strcmp(optarg, "False")) {
					fprintf(stderr, "invalid argument \"%s\" for \"-%c, --%s\" flag: strconv.ParseBool: "
							"parsing \"%s\": invalid syntax\nSee 'berth start --help'.\n",
						optarg, o, o == 'a' ? "attach" : "interactive", optarg);
					return 125;
				}
				v = 0;
			}
			*(o == 'a' ? &attach : &interactive) = v;
			break;
		}
		case 'k': keys = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -a, --attach               Attach STDOUT/STDERR and forward signals\n"
			       "      --detach-keys string   Override the key sequence for detaching a container\n"
			       "  -i, --interactive          Attach container's STDIN\n", USAGE);
			return 0;
		default: return cli_getopt_error("start", argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error("start", USAGE, "requires at least 1 argument");
	if ((attach || interactive) && argc - optind > 1) {
		fprintf(stderr, "you cannot start and attach multiple containers at once\n");
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (attach || interactive) {
		fflush(stdout);
		return start_attached(c, argv[optind], interactive, keys);
	}
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_container_start(c->b, argv[i], NULL, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			sbuf_addf(&failed, "%s%s", failed.len ? ", " : "", argv[i]);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	fflush(stdout);
	if (failed.len) {
		fprintf(stderr, "Error: failed to start containers: %s\n", failed.buf);
		rc = 1;
	}
	sbuf_release(&failed);
	return rc;
}
