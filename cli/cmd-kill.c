/* cmd-kill.c - `berth kill [-s SIGNAL] CONTAINER...`: each name as given;
 * docker's "Cannot kill container: NAME: ..." for the others. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "kill [OPTIONS] CONTAINER [CONTAINER...]\n\nKill one or more running containers"

int cmd_kill(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *sig = "KILL";
	int o;
	struct sbuf errs = SBUF_INIT;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': sig = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -s, --signal string   Signal to send to the container (default \"KILL\")\n", USAGE);
			return 0;
		default: return cli_getopt_error("kill", argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error("kill", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_container_kill(c->b, argv[i], sig, &err) < 0) {
			cli_errors_add(&errs, &err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_finish(&errs);
}
