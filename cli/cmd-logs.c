/* cmd-logs.c - `berth logs [OPTIONS] CONTAINER`: the container's json-file
 * log as docker 20.10 prints it (stdout lines to stdout, stderr lines to
 * stderr); --since/--until converted with this machine's clock, as the
 * docker client does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "logs [OPTIONS] CONTAINER\n\nFetch the logs of a container"

static void help(void)
{
	printf("\nUsage:  berth %s\n\nOptions:\n"
	       "      --details        Show extra details provided to logs\n"
	       "  -f, --follow         Follow log output\n"
	       "      --since string   Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n"
	       "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
	       "  -t, --timestamps     Show timestamps\n"
	       "      --until string   Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n",
	       USAGE);
}

static int print_line(int stream, const char *data, size_t len, void *ctx)
{
	FILE *f = stream == BERTH_CONTAINER_LOG_STDERR ? stderr : stdout;

	(void)ctx;
	fwrite(data, 1, len, f);
	/* followed lines appear as they come */
	fflush(f);
	return ferror(f) ? 1 : 0;
}

/* The daemon's strconv.Atoi of ?tail=: anything but a number is all. */
static long parse_tail(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	long n;

	if (!*p || strspn(p, "0123456789") != strlen(p))
		return -1;
	n = strtol(s, NULL, 10);
	return n < 0 ? -1 : n;
}

static int convert_time(const char *what, const char *v, int64_t *sec, long *nsec)
{
	struct berr err = BERR_INIT;
	struct timespec now;

	if (!v || !*v)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	if (berth_container_logs_time(v, now.tv_sec, now.tv_nsec, sec, nsec, &err) < 0) {
		fprintf(stderr, "invalid value for \"%s\": %s\n", what, err.msg);
		return -1;
	}
	return 0;
}

int cmd_logs(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "details", no_argument, NULL, 'D' },
		{ "follow", no_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 'S' },
		{ "tail", required_argument, NULL, 'n' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "until", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_container_logs_opts lo = BERTH_CONTAINER_LOGS_OPTS_INIT;
	struct berr err = BERR_INIT;
	const char *since = NULL, *until = NULL;
	int o;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":fn:th", opts, NULL)) != -1) {
		switch (o) {
		case 'D': lo.details = 1; break;
		case 'f': lo.follow = 1; break;
		case 'S': since = optarg; break;
		case 'n': lo.tail = parse_tail(optarg); break;
		case 't': lo.timestamps = 1; break;
		case 'U': until = optarg; break;
		case 'h': help(); return 0;
		default: return cli_getopt_error("logs", argv, o);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("logs", USAGE, "requires exactly 1 argument");
	/* the client converts before it asks; until "0" is unset */
	if (convert_time("since", since, &lo.since_sec, &lo.since_nsec) < 0 ||
	    (until && strcmp(until, "0") && convert_time("until", until, &lo.until_sec, &lo.until_nsec) < 0))
		return 1;
	if (!cli_berth(c))
		return 1;
	if (berth_container_logs(c->b, argv[optind], &lo, print_line, NULL, &err) < 0) {
		fflush(stdout);
		fprintf(stderr, err.code == BERR_NOT_FOUND ? "Error: %s\n" : "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	return 0;
}
