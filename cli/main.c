/* main.c - global options, the command table of the berth tool and the one
 * dispatch its command groups (image, system) share. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "pull", cmd_pull, "Pull an image from a registry" },
	{ "push", cmd_push, "Push an image or a repository to a registry" },
	{ "images", cmd_images, "List images" },
	{ "inspect", cmd_inspect, "Return low-level information on containers and images" },
	{ "version", cmd_version, "Show the berth version information" },
	{ "history", cmd_history, "Show the history of an image" },
	{ "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
	{ "info", cmd_info, "Display system-wide information" },
	{ "rmi", cmd_rmi, "Remove one or more images" },
	{ "image", cmd_image, "Manage images" },
	{ "system", cmd_system, "Manage berth" },
	{ "save", cmd_save, "Save one or more images to a tar archive" },
	{ "load", cmd_load, "Load images from a tar archive or STDIN" },
	{ "import", cmd_import, "Import a tarball to create a filesystem image" },
	{ "login", cmd_login, "Log in to a Docker registry" },
	{ "logout", cmd_logout, "Log out from a Docker registry" },
	{ "search", cmd_search, "Search the Docker Hub for images" },
	{ "run", cmd_run, "Run a command in a new container" },
	{ "create", cmd_create, "Create a new container" },
	{ "start", cmd_start, "Start one or more stopped containers" },
	{ "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
	{ "rm", cmd_rm, "Remove one or more containers" },
	{ "diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
	{ "export", cmd_export, "Export a container's filesystem as a tar archive" },
	{ "commit", cmd_commit, "Create a new image from a container's changes" },
	{ "logs", cmd_logs, "Fetch the logs of a container" },
	{ "stop", cmd_stop, "Stop one or more running containers" },
	{ "kill", cmd_kill, "Kill one or more running containers" },
	{ "restart", cmd_restart, "Restart one or more containers" },
	{ "rename", cmd_rename, "Rename a container" },
	{ "container", cmd_container, "Manage containers" },
	{ "ps", cmd_ps, "List containers" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "top", cmd_top, "Display the running processes of a container" },
	{ "cp", cmd_cp, "Copy files/folders between a container and the local filesystem" },
	{ "volume", cmd_volume, "Manage volumes" },
	{ "pause", cmd_pause, "Pause all processes within one or more containers" },
	{ "unpause", cmd_unpause, "Unpause all processes within one or more containers" },
	{ "attach", cmd_attach, "Attach local standard input, output, and error streams to a running container" },
};

static void usage(FILE *out)
{
	fprintf(out, "\nUsage:  berth [OPTIONS] COMMAND\n\nA fast, daemonless, Docker-compatible image engine\n\n"
		     "Options:\n"
		     "      --root string     Root of the store (default \"%s\", or $BERTH_ROOT)\n"
		     "      --config string   daemon.json-style config (default $BERTH_CONFIG or /etc/berth/daemon.json)\n"
		     "      --exec-root string  Runtime state: bundles, monitors (default daemon.json exec-root or /run/berth, or $BERTH_EXEC_ROOT)\n\n"
		     "Commands:\n", BERTH_DEFAULT_ROOT);
	cli_print_commands(out, commands, sizeof(commands) / sizeof(commands[0]), 9);
}

void cli_print_commands(FILE *out, const struct cli_command *v, size_t n, int width)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].summary)
			fprintf(out, "  %-*s %s\n", width, v[i].name, v[i].summary);
}

int cli_dispatch(struct cli *c, const char *group, const struct cli_command *v, size_t n, int argc, char **argv)
{
	const char *sep = group ? " " : "";

	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[0], v[i].name))
			return v[i].fn(c, argc, argv);
	if (!group)
		group = "";
	fprintf(stderr, "berth: '%s%s%s' is not a berth command.\nSee 'berth %s%s--help'\n", group, sep, argv[0],
		group, sep);
	return 1;
}

struct berth *cli_berth(struct cli *c)
{
	struct berr err = BERR_INIT;

	if (!c->b && berth_open(&c->b, c->root, c->config, &err) < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		return NULL;
	}
	if (c->exec_root)
		berth_set_exec_root(c->b, c->exec_root);
	return c->b;
}

int cli_error(const struct berr *err, int daemon_side)
{
	fprintf(stderr, "%s%s\n", daemon_side ? "Error response from daemon: " : "Error: ", err->msg);
	return 1;
}

int cli_usage_error(const char *cmd, const char *usg, const char *fmt, ...)
{
	va_list ap;

	fputs("\"berth ", stderr);
	fputs(cmd, stderr);
	fputs("\" ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ".\nSee 'berth %s --help'.\n\nUsage:  berth %s\n", cmd, usg);
	return 1;
}

static int take_value(int *i, int argc, char **argv, const char *opt, const char **out)
{
	size_t n = strlen(opt);

	if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (strcmp(argv[*i], opt) != 0)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "flag needs an argument: %s\n", opt);
		exit(125);
	}
	*out = argv[++*i];
	return 1;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int i, rc;

	c.exec_root = getenv("BERTH_EXEC_ROOT");
	if (c.exec_root && !*c.exec_root)
		c.exec_root = NULL;
	c.root = getenv("BERTH_ROOT");
	if (!c.root || !*c.root)
		c.root = BERTH_DEFAULT_ROOT;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (take_value(&i, argc, argv, "--root", &c.root) ||
		    take_value(&i, argc, argv, "--config", &c.config) ||
		    take_value(&i, argc, argv, "--exec-root", &c.exec_root))
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-v"))
			return cmd_version(&c, 0, NULL);
		fprintf(stderr, "unknown flag: %s\nSee 'berth --help'.\n", argv[i]);
		return 125;
	}
	if (i >= argc) {
		usage(stdout);
		return 0;
	}
	rc = cli_dispatch(&c, NULL, commands, sizeof(commands) / sizeof(commands[0]), argc - i, argv + i);
	berth_close(c.b);
	return rc;
}
