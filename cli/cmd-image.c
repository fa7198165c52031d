/* cmd-image.c - `berth image COMMAND`: docker's management command, which
 * delegates to the top-level commands; and `image prune`. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char prune_usage[] = "image prune [OPTIONS]\n\nRemove unused images";

static const char dangling_warning[] = "WARNING! This will remove all dangling images.\n"
				       "Are you sure you want to continue?";
static const char all_warning[] = "WARNING! This will remove all images without at least one container "
				  "associated to them.\nAre you sure you want to continue?";

int cli_confirm(const char *msg)
{
	char line[256];
	size_t len;
	char *p;

	printf("%s [y/N] ", msg);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	for (p = line; isspace((unsigned char)*p); p++)
		;
	len = strlen(p);
	while (len && isspace((unsigned char)p[len - 1]))
		p[--len] = '\0';
	return len == 1 && (p[0] == 'y' || p[0] == 'Y');
}

static int cmd_image_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_image_prune_opts po = { 0 };
	struct berth_image_remove_item *items = NULL;
	struct berr err = BERR_INIT;
	const char **filters;
	size_t n_filters = 0, n = 0;
	int64_t reclaimed = 0;
	char size[32];
	int force = 0, o;

	filters = xcalloc((size_t)argc + 1, sizeof(*filters));
	optind = 1;
	while ((o = getopt_long(argc, argv, "+af", opts, NULL)) != -1) {
		switch (o) {
		case 'a': po.all = 1; break;
		case 'f': force = 1; break;
		case 'F':
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter "
						"(expected name=value)\nSee 'berth image prune --help'.\n", optarg);
				free(filters);
				return 125;
			}
			filters[n_filters++] = optarg;
			break;
		case 'h': printf("\nUsage:  berth %s\n", prune_usage); free(filters); return 0;
		default: free(filters); return 125;
		}
	}
	if (argc - optind != 0) {
		free(filters);
		return cli_usage_error("image prune", prune_usage, "accepts no arguments");
	}
	po.filters = filters;
	if (!force && !cli_confirm(po.all ? all_warning : dangling_warning)) {
		free(filters);
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	if (!cli_berth(c) || berth_image_prune(c->b, &po, &items, &n, &reclaimed, &err) < 0) {
		free(filters);
		return c->b ? cli_error(&err, 1) : 1;
	}
	free(filters);
	if (n) {
		printf("Deleted Images:\n");
		for (size_t i = 0; i < n; i++)
			printf("%s: %s\n", items[i].deleted ? "deleted" : "untagged", items[i].ref);
		printf("\n");
	}
	human_size4(size, sizeof(size), (double)reclaimed);
	printf("Total reclaimed space: %s\n", size);
	berth_image_remove_items_free(items, n);
	return 0;
}

static const struct cli_command subcommands[] = {
	{ "history", cmd_history, "Show the history of an image" },
	{ "import", cmd_import, "Import the contents from a tarball to create a filesystem image" },
	{ "inspect", cmd_image_inspect, "Display detailed information on one or more images" },
	{ "list", cmd_images, NULL },
	{ "load", cmd_load, "Load an image from a tar archive or STDIN" },
	{ "ls", cmd_images, "List images" },
	{ "prune", cmd_image_prune, "Remove unused images" },
	{ "pull", cmd_pull, "Pull an image or a repository from a registry" },
	{ "push", cmd_push, "Push an image or a repository to a registry" },
	{ "rm", cmd_image_rm, "Remove one or more images" },
	{ "save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
	{ "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
};

static void image_usage(FILE *out)
{
	fprintf(out, "\nUsage:  berth image COMMAND\n\nManage images\n\nCommands:\n");
	cli_print_commands(out, subcommands, sizeof(subcommands) / sizeof(subcommands[0]), 11);
	fprintf(out, "\nRun 'berth image COMMAND --help' for more information on a command.\n");
}

int cmd_image(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		image_usage(stdout);
		return 0;
	}
	return cli_dispatch(c, "image", subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc - 1, argv + 1);
}
