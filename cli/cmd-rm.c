/* cmd-rm.c - `berth rm [-f] [-v] CONTAINER...`: docker 20.10's lines (each name as
 * given; a missing one as the docker client words a 404). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define USAGE "rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers"

int cmd_rm(struct cli *c, int argc, char **argv)
{
	struct berth_container_remove_opts ro = { 0 };
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--force")) {
			ro.force = 1;
		} else if (!strcmp(argv[i], "--volumes")) {
			ro.volumes = 1;
		} else if (argv[i][1] != '-' && argv[i][1] && strspn(argv[i] + 1, "fv") == strlen(argv[i] + 1)) {
			/* -f, -v, -fv: pflag's combined shorthands */
			ro.force |= strchr(argv[i], 'f') != NULL;
			ro.volumes |= strchr(argv[i], 'v') != NULL;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("\nUsage:  berth %s\n", USAGE);
			return 0;
		} else {
			fprintf(stderr, "unknown flag: %s\nSee 'berth rm --help'.\n", argv[i]);
			return 125;
		}
	}
	if (i >= argc)
		return cli_usage_error("rm", USAGE, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_container_remove(c->b, argv[i], &ro, &err) < 0) {
			fprintf(stderr, err.code == BERR_NOT_FOUND ? "Error: %s\n" : "Error response from daemon: %s\n",
				err.msg);
			/* the docker client: with -f, a missing container is no failure */
			if (!(ro.force && err.code == BERR_NOT_FOUND))
				rc = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}
