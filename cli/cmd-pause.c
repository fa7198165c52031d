/* cmd-pause.c - `berth pause|unpause CONTAINER...`: each name as given on
 * success, the failures' lines after (docker's runPause/runUnpause). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

static int pause_command(struct cli *c, int argc, char **argv, const char *name, const char *usage,
			 int (*run)(struct berth *, const char *, struct berr *))
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 } };
	struct sbuf errs = SBUF_INIT;
	int o;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (o != 'h')
			return cli_getopt_error(name, argv, o);
		printf("\nUsage:  berth %s\n", usage);
		return 0;
	}
	if (optind >= argc)
		return cli_usage_error(name, usage, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (run(c->b, argv[i], &err) < 0) {
			cli_errors_add(&errs, &err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_finish(&errs);
}

int cmd_pause(struct cli *c, int argc, char **argv)
{
	return pause_command(c, argc, argv, "pause",
			     "pause CONTAINER [CONTAINER...]\n\nPause all processes within one or more containers",
			     berth_container_pause);
}

int cmd_unpause(struct cli *c, int argc, char **argv)
{
	return pause_command(c, argc, argv, "unpause",
			     "unpause CONTAINER [CONTAINER...]\n\nUnpause all processes within one or more containers",
			     berth_container_unpause);
}
