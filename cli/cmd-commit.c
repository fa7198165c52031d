/* cmd-commit.c - `berth commit [-a AUTHOR] [-c CHANGE]... [-m MESSAGE] [-p]
 * CONTAINER [REPOSITORY[:TAG]]`: prints the new image's ID, as docker's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define USAGE "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nCreate a new image from a container's changes"

int cmd_commit(struct cli *c, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "author", required_argument, NULL, 'a' },
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "pause", optional_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct berth_container_commit_opts co = { .pause = 1 };
	const char **changes = xcalloc((size_t)argc + 1, sizeof(char *));
	struct berr err = BERR_INIT;
	size_t n_changes = 0;
	char id[72];
	int opt, rc = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+a:c:m:p::", longs, NULL)) != -1) {
		switch (opt) {
		case 'a': co.author = optarg; break;
		case 'c': changes[n_changes++] = optarg; break;
		case 'm': co.comment = optarg; break;
		case 'p': {
			/* pflag's bool: --pause[=B], -p[=B], B as strconv.ParseBool */
			static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
			static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
			const char *v = optarg && optarg[0] == '=' ? optarg + 1 : optarg;
			int is = -1;

			for (size_t i = 0; v && yes[i] && is < 0; i++)
				is = !strcmp(v, yes[i]) ? 1 : !strcmp(v, no[i]) ? 0 : -1;
			if (v && is < 0) {
				fprintf(stderr, "invalid argument \"%s\" for \"-p, --pause\" flag: strconv.ParseBool: "
						"parsing \"%s\": invalid syntax\nSee 'berth commit --help'.\n", v, v);
				free(changes);
				return 125;
			}
			co.pause = v ? is : 1;
			break;
		}
		case 'h':
			printf("\nUsage:  berth %s\n", USAGE);
			free(changes);
			return 0;
		default:
			fprintf(stderr, "unknown flag: %s\nSee 'berth commit --help'.\n", argv[optind - 1]);
			free(changes);
			return 125;
		}
	}
	co.changes = changes;
	if (argc - optind < 1 || argc - optind > 2) {
		free(changes);
		return cli_usage_error("commit", USAGE, argc - optind < 1 ? "requires at least 1 argument"
									   : "requires at most 2 arguments");
	}
	if (argc - optind == 2)
		co.repo_tag = argv[optind + 1];
	if (!cli_berth(c)) {
		free(changes);
		return 1;
	}
	if (berth_container_commit(c->b, argv[optind], &co, id, &err) < 0)
		rc = cli_error(&err, 1);
	else
		printf("%s\n", id);
	free(changes);
	return rc;
}
