/* cmd-export.c - `berth export [-o FILE] CONTAINER`: the merged root as
 * docker export's tar, to a file (written beside it and renamed into
 * place) or to stdout, never to a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define USAGE "export [OPTIONS] CONTAINER\n\nExport a container's filesystem as a tar archive"

static int to_file(struct cli *c, const char *name, const char *path)
{
	struct berr err = BERR_INIT;
	char *tmp = xasprintf("%s.berth-tmp-%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc;

	if (fd < 0) {
		fprintf(stderr, "Error: failed to export container: open %s: %s\n", path, strerror(errno));
		free(tmp);
		return 1;
	}
	rc = berth_container_export(c->b, name, fd, &err);
	if (close(fd) < 0 && rc == 0)
		rc = berr_sys(&err, "write %s", path);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = berr_sys(&err, "rename %s", path);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc < 0 ? cli_error(&err, 1) : 0;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	const char *out = NULL;
	struct berr err = BERR_INIT;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc) {
				fprintf(stderr, "flag needs an argument: '%c' in -%c\nSee 'berth export --help'.\n", 'o', 'o');
				return 125;
			}
			out = argv[i];
		} else if (!strncmp(argv[i], "--output=", 9)) {
			out = argv[i] + 9;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("\nUsage:  berth %s\n", USAGE);
			return 0;
		} else {
			fprintf(stderr, "unknown flag: %s\nSee 'berth export --help'.\n", argv[i]);
			return 125;
		}
	}
	if (argc - i != 1)
		return cli_usage_error("export", USAGE, "requires exactly 1 argument");
	if (!out && isatty(1)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (out)
		return to_file(c, argv[i], out);
	if (berth_container_export(c->b, argv[i], 1, &err) < 0)
		return cli_error(&err, 1);
	return 0;
}
