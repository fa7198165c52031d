/* cmd-container.c - `berth container COMMAND`: docker's management
 * command, which delegates to the top-level commands; and `container
 * prune` (cli/command/container/prune.go). */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char prune_usage[] = "container prune [OPTIONS]\n\nRemove all stopped containers";
static const char prune_warning[] = "WARNING! This will remove all stopped containers.\n"
				    "Are you sure you want to continue?";

/* After a flag error's line: the pointer to help, status 125. */
static int prune_see_help(void)
{
	fprintf(stderr, "See 'berth container prune --help'.\n");
	return 125;
}

static int cmd_container_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_container_prune_opts po = { 0 };
	struct berr err = BERR_INIT;
	const char **filters;
	char **ids = NULL, size[32];
	size_t n_filters = 0;
	uint64_t reclaimed = 0;
	int force = 0, o;

	filters = xcalloc((size_t)argc + 1, sizeof(*filters));
	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (o) {
		case 'f': force = 1; break;
		case 'F':
			if (!strchr(optarg, '=')) {
				free(filters);
				fprintf(stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter "
						"(expected name=value)\n", optarg);
				return prune_see_help();
			}
			filters[n_filters++] = optarg;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "      --filter filter   Provide filter values (e.g. 'until=<timestamp>')\n"
			       "  -f, --force           Do not prompt for confirmation\n", prune_usage);
			free(filters);
			return 0;
		default:
			free(filters);
			if (optopt)
				fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, argv[optind - 1]);
			else if (!strcmp(argv[optind - 1], "--filter"))
				fprintf(stderr, "flag needs an argument: --filter\n");
			else
				fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			return prune_see_help();
		}
	}
	if (argc - optind != 0) {
		free(filters);
		return cli_usage_error("container prune", prune_usage, "accepts no arguments");
	}
	po.filters = filters;
	if (!force && !cli_confirm(prune_warning)) {
		free(filters);
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	if (!cli_berth(c) || berth_container_prune(c->b, &po, &ids, &reclaimed, &err) < 0) {
		free(filters);
		return c->b ? cli_error(&err, 1) : 1;
	}
	free(filters);
	if (ids[0]) {
		printf("Deleted Containers:\n");
		for (size_t i = 0; ids[i]; i++)
			printf("%s\n", ids[i]);
		printf("\n");
	}
	for (size_t i = 0; ids[i]; i++)
		free(ids[i]);
	free(ids);
	human_size4(size, sizeof(size), (double)reclaimed);
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

/* Alphabetical, as docker lists them; aliases (summary NULL) unlisted. */
static const struct cli_command subcommands[] = {
	{ "attach", cmd_attach, "Attach local standard input, output, and error streams to a running container" },
	{ "commit", cmd_commit, "Create a new image from a container's changes" },
	{ "cp", cmd_cp, "Copy files/folders between a container and the local filesystem" },
	{ "create", cmd_create, "Create a new container" },
	{ "diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "export", cmd_export, "Export a container's filesystem as a tar archive" },
	{ "inspect", cmd_container_inspect, "Display detailed information on one or more containers" },
	{ "kill", cmd_kill, "Kill one or more running containers" },
	{ "logs", cmd_logs, "Fetch the logs of a container" },
	{ "ls", cmd_container_ls, "List containers" },
	{ "list", cmd_container_ls, NULL },
	{ "ps", cmd_container_ls, NULL },
	{ "pause", cmd_pause, "Pause all processes within one or more containers" },
	{ "prune", cmd_container_prune, "Remove all stopped containers" },
	{ "rename", cmd_rename, "Rename a container" },
	{ "restart", cmd_restart, "Restart one or more containers" },
	{ "rm", cmd_rm, "Remove one or more containers" },
	{ "run", cmd_run, "Run a command in a new container" },
	{ "start", cmd_start, "Start one or more stopped containers" },
	{ "stop", cmd_stop, "Stop one or more running containers" },
	{ "top", cmd_top, "Display the running processes of a container" },
	{ "unpause", cmd_unpause, "Unpause all processes within one or more containers" },
	{ "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
};

static void container_usage(FILE *out)
{
	fprintf(out, "\nUsage:  berth container COMMAND\n\nManage containers\n\nCommands:\n");
	cli_print_commands(out, subcommands, sizeof(subcommands) / sizeof(subcommands[0]), 11);
	fprintf(out, "\nRun 'berth container COMMAND --help' for more information on a command.\n");
}

int cmd_container(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		container_usage(stdout);
		return 0;
	}
	return cli_dispatch(c, "container", subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc - 1,
			    argv + 1);
}
