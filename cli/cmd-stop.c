/* cmd-stop.c - `berth stop [-t N] CONTAINER...`: each name as given, the
 * failures' lines after; a stopped container is docker's 304, which the
 * client takes as success. */
#include "cli.h"

int cmd_stop(struct cli *c, int argc, char **argv)
{
	static const struct cli_timed t = {
		.name = "stop",
		.usage = "stop [OPTIONS] CONTAINER [CONTAINER...]\n\nStop one or more running containers",
		.time_help = "Seconds to wait for stop before killing it (default 10)",
		.run = berth_container_stop,
	};

	return cli_timed_command(c, &t, argc, argv);
}
