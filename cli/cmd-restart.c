/* cmd-restart.c - `berth restart [-t N] CONTAINER...`: stop (when running)
 * and start each, one after the other as the docker client does. */
#include "cli.h"

int cmd_restart(struct cli *c, int argc, char **argv)
{
	static const struct cli_timed t = {
		.name = "restart",
		.usage = "restart [OPTIONS] CONTAINER [CONTAINER...]\n\nRestart one or more containers",
		.time_help = "Seconds to wait for stop before killing the container (default 10)",
		.run = berth_container_restart,
	};

	return cli_timed_command(c, &t, argc, argv);
}
