/* cmd-version.c - `berth version`. */
#include "cli.h"

int cmd_version(struct cli *c, int argc, char **argv)
{
	printf("berth version %s\n", BERTH_VERSION);
	return 0;
}
