/* cmd-cp.c - `berth cp [-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-` and
 * `berth cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH`: docker 20.10's
 * client, all of it in berth_container_cp. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n" \
	"Copy files/folders between a container and the local filesystem"

/* pflag's bool flags take "--flag=VALUE" (strconv.ParseBool). */
static int bool_flag(const char *names, const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	if (!v)
		return 1;
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax\n"
		"See 'berth cp --help'.\n", v, names, v);
	return -1;
}

int cmd_cp(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "archive", optional_argument, NULL, 'a' },
		{ "follow-link", optional_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_container_cp_opts o = { .in_fd = 0, .out_fd = 1 };
	struct berr err = BERR_INIT;
	int opt, daemon_side = 0;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":aLh", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if ((o.copy_uid_gid = bool_flag("-a, --archive", optarg)) < 0)
				return 125;
			break;
		case 'L':
			if ((o.follow_link = bool_flag("-L, --follow-link", optarg)) < 0)
				return 125;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\n"
			       "Use '-' as the source to read a tar archive from stdin\n"
			       "and extract it to a directory destination in a container.\n"
			       "Use '-' as the destination to stream a tar archive of a\n"
			       "container source to stdout.\n\n"
			       "Options:\n"
			       "  -a, --archive       Archive mode (copy all uid/gid information)\n"
			       "  -L, --follow-link   Always follow symbol link in SRC_PATH\n", USAGE);
			return 0;
		default: return cli_getopt_error("cp", argv, opt);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("cp", USAGE, "requires exactly 2 arguments");
	o.src = argv[optind];
	o.dst = argv[optind + 1];
	if (!cli_berth(c))
		return 1;
	if (berth_container_cp(c->b, &o, &daemon_side, &err) < 0) {
		/* the client's own errors print bare, as cobra's RunE errors */
		if (daemon_side)
			return cli_error(&err, 1);
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}
