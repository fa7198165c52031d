/* cmd-load.c - `berth load [-i FILE] [-q]` / `berth image load`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LOAD_USAGE "load [OPTIONS]\n\nLoad an image from a tar archive or STDIN"

int cmd_load(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT;
	struct berth_archive_load_result res;
	struct berth_archive_load_opts lo = { 0 };
	struct progress *pr = NULL;
	const char *input = NULL;
	int quiet = 0, fd = STDIN_FILENO, o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+i:q", opts, NULL)) != -1) {
		switch (o) {
		case 'i': input = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': printf("\nUsage:  berth " LOAD_USAGE "\n"); return 0;
		default: return 125;
		}
	}
	if (argc - optind > 0)
		return cli_usage_error("load", LOAD_USAGE, "accepts no arguments");
	if (input && *input) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			char eb[128];
			fprintf(stderr, "open %s: %s\n", input, go_strerror(errno, eb, sizeof(eb)));
			return 1;
		}
	} else if (isatty(STDIN_FILENO)) {
		fputs("requested load from stdin, but stdin is empty\n", stderr);
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	/* docker shows progress only on a terminal and without -q. */
	if (!quiet && isatty(STDOUT_FILENO)) {
		pr = progress_new(stdout, 0);
		lo.progress = progress_event;
		lo.progress_ctx = pr;
	}
	rc = berth_archive_load(c->b, fd, &lo, &res, &err);
	progress_free(pr);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return cli_error(&err, 1);
	for (size_t i = 0; i < res.n; i++)
		printf("%s\n", res.lines[i]);
	berth_archive_load_result_release(&res);
	return 0;
}
