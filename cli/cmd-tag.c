/*
 * cmd-tag.c - `berth tag SOURCE TARGET` / `berth image tag`: the docker
 * CLI's client-side checks (client.ImageTag: both references parsed, no
 * digest in the target), then the daemon's part in the library.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] = "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
				 "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE";

static int is_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 71 && !strncmp(s, "sha256:", 7))
		s += 7, n -= 7;
	return n == 64 && strspn(s, "0123456789abcdef") == 64;
}

int cmd_tag(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT;
	const char *src, *dst;
	int o;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'h') {
			printf("\nUsage:  berth %s\n\nAliases:\n  tag, image tag\n", usage_text);
			return 0;
		}
		if (optopt)
			fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, argv[optind - 1]);
		else
			fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
		fprintf(stderr, "See 'berth tag --help'.\n");
		return 125;
	}
	if (argc - optind != 2)
		return cli_usage_error("tag", usage_text, "requires exactly 2 arguments");
	src = argv[optind];
	dst = argv[optind + 1];
	/* ParseAnyReference(source): an image ID is a reference too. */
	if (!is_id(src) && berth_image_reference_check(src, &err) < 0) {
		fprintf(stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", src, err.msg);
		return 1;
	}
	if (berth_image_reference_check(dst, &err) < 0) {
		fprintf(stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", dst, err.msg);
		return 1;
	}
	if (strchr(dst, '@')) {
		fprintf(stderr, "refusing to create a tag with a digest reference\n");
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (berth_image_tag(c->b, src, dst, &err) < 0)
		return cli_error(&err, 1);
	return 0;
}
