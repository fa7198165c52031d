/* cmd-start.c - `berth start CONTAINER...`: docker 20.10's lines (each name
 * as given; the failures, then "Error: failed to start containers: ..."). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define USAGE "start [OPTIONS] CONTAINER [CONTAINER...]\n\nStart one or more stopped containers"

int cmd_start(struct cli *c, int argc, char **argv)
{
	struct sbuf failed = SBUF_INIT;
	int rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("\nUsage:  berth %s\n", USAGE);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error("start", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = 1; i < argc; i++) {
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
