/* cmd-push.c - `berth push [OPTIONS] NAME[:TAG]`, docker's flags and lines. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_line[] = "push [OPTIONS] NAME[:TAG]\n\nPush an image or a repository to a registry";

int cmd_push(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "all-tags", no_argument, NULL, 'a' },
		{ "disable-content-trust", optional_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_push_opts po = { 0 };
	struct berr err = BERR_INIT;
	struct progress *pr;
	char *canonical = NULL;
	int quiet = 0, o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+qa", opts, NULL)) != -1) {
		switch (o) {
		case 'q': quiet = 1; break;
		case 'a': po.all_tags = 1; break;
		case 'T': break;
		case 'h': printf("\nUsage:  berth %s\n", usage_line); return 0;
		default: return 125;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("push", usage_line, "requires exactly 1 argument");
	/* The docker CLI parses the name first and prints the parser's error
	 * as it is; so are its own and the push stream's errors. */
	if (berth_reference_check(argv[optind], &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (po.all_tags && ref_has_tag_or_digest(argv[optind])) {
		fprintf(stderr, "tag can't be used with --all-tags/-a\n");
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (!quiet && !po.all_tags && !ref_has_tag_or_digest(argv[optind]))
		printf("Using default tag: latest\n");
	pr = progress_new(stdout, quiet);
	po.progress = progress_event;
	po.progress_ctx = pr;
	rc = berth_push(c->b, argv[optind], &po, &canonical, &err);
	progress_free(pr);
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (quiet)
		printf("%s\n", canonical);
	free(canonical);
	return 0;
}
