/* cmd-stop.c - `berth stop [-t N] CONTAINER...`: each name as given, the
 * failures' lines after; a stopped container is docker's 304, which the
 * client takes as success. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "stop [OPTIONS] CONTAINER [CONTAINER...]\n\nStop one or more running containers"

int cmd_stop(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int timeout = 10, *tp = NULL, o;
	struct sbuf errs = SBUF_INIT;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			if (cli_int_flag("stop", "-t, --time", optarg, &timeout))
				return 125;
			tp = &timeout;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -t, --time int   Seconds to wait for stop before killing it (default 10)\n", USAGE);
			return 0;
		default: return cli_getopt_error("stop", argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error("stop", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_container_stop(c->b, argv[i], tp, &err) < 0) {
			cli_errors_add(&errs, &err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_finish(&errs);
}
