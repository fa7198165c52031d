/*
 * transfer.c - what `pull` and `push` share: docker's -a/-q flags, the
 * name checks its CLI makes before it asks the daemon ("Using default
 * tag: latest" included), and the progress stream.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_transfer(struct cli *c, const struct cli_transfer *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "all-tags", no_argument, NULL, 'a' },
		{ "disable-content-trust", optional_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "platform", required_argument, NULL, 'p' },
		{ 0, 0, 0, 0 },
	};
	/* The same table less --platform, for the commands without it. */
	static const struct option no_platform[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "all-tags", no_argument, NULL, 'a' },
		{ "disable-content-trust", optional_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct cli_transfer_opts to = { 0 };
	struct berr err = BERR_INIT;
	struct progress *pr;
	char *canonical = NULL;
	const char *ref;
	int quiet = 0, o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+qa", t->platform_flag ? opts : no_platform, NULL)) != -1) {
		switch (o) {
		case 'q': quiet = 1; break;
		case 'a': to.all_tags = 1; break;
		case 'p': to.platform = optarg; break;
		case 'T': break;
		case 'h': printf("\nUsage:  berth %s\n", t->usage); return 0;
		default: return 125;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(t->name, t->usage, "requires exactly 1 argument");
	ref = argv[optind];
	/* The docker CLI parses the name before anything else and prints
	 * the parser's error as it is. */
	if (berth_image_reference_check(ref, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (to.all_tags && ref_has_tag_or_digest(ref)) {
		fprintf(stderr, "tag can't be used with --all-tags/-a\n");
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (!quiet && !to.all_tags && !ref_has_tag_or_digest(ref))
		printf("Using default tag: latest\n");
	pr = progress_new(stdout, quiet);
	to.progress = progress_event;
	to.progress_ctx = pr;
	rc = t->run(c->b, ref, &to, &canonical, &err);
	progress_free(pr);
	fflush(stdout);
	if (rc < 0) {
		if (t->daemon_errors)
			return cli_error(&err, 1);
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (canonical && (quiet || t->print_name))
		printf("%s\n", canonical);
	free(canonical);
	return 0;
}
