/* cmd-wait.c - `berth wait CONTAINER...`: each container's exit status. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define USAGE "wait CONTAINER [CONTAINER...]\n\nBlock until one or more containers stop, then print their exit codes"

int cmd_wait(struct cli *c, int argc, char **argv)
{
	int rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("\nUsage:  berth %s\n", USAGE);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error("wait", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = 1; i < argc; i++) {
		struct berr err = BERR_INIT;
		int status;

		if (berth_container_wait(c->b, argv[i], &status, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			rc = 1;
			continue;
		}
		printf("%d\n", status);
	}
	return rc;
}
