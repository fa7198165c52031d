/* cmd-restart.c - `berth restart [-t N] CONTAINER...`: stop (when running)
 * and start each, one after the other as the docker client does. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "restart [OPTIONS] CONTAINER [CONTAINER...]\n\nRestart one or more containers"

int cmd_restart(struct cli *c, int argc, char **argv)
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
			if (cli_int_flag("restart", "-t, --time", optarg, &timeout))
				return 125;
			tp = &timeout;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -t, --time int   Seconds to wait for stop before killing the container (default 10)\n",
			       USAGE);
			return 0;
		default: return cli_getopt_error("restart", argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error("restart", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_container_restart(c->b, argv[i], tp, &err) < 0) {
			cli_errors_add(&errs, &err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_finish(&errs);
}
