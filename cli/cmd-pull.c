/* cmd-pull.c - `berth pull [OPTIONS] NAME[:TAG|@DIGEST]`, docker's flags and lines. */
#include "cli.h"

static int pull(struct berth *b, const char *ref, const struct cli_transfer_opts *to, char **canonical,
		struct berr *err)
{
	struct berth_image_pull_opts po = {
		.platform = to->platform,
		.all_tags = to->all_tags,
		.progress = to->progress,
		.progress_ctx = to->progress_ctx,
	};

	return berth_image_pull(b, ref, &po, canonical, err);
}

int cmd_pull(struct cli *c, int argc, char **argv)
{
	static const struct cli_transfer t = {
		.name = "pull",
		.usage = "pull [OPTIONS] NAME[:TAG|@DIGEST]\n\nPull an image or a repository from a registry",
		.platform_flag = 1,
		.daemon_errors = 1,
		.print_name = 1, /* docker ends a pull with the full name */
		.run = pull,
	};

	return cli_transfer(c, &t, argc, argv);
}
