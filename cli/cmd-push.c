/* cmd-push.c - `berth push [OPTIONS] NAME[:TAG]`, docker's flags and lines. */
#include "cli.h"

static int push(struct berth *b, const char *ref, const struct cli_transfer_opts *to, char **canonical,
		struct berr *err)
{
	struct berth_image_push_opts po = {
		.all_tags = to->all_tags,
		.progress = to->progress,
		.progress_ctx = to->progress_ctx,
	};

	return berth_image_push(b, ref, &po, canonical, err);
}

int cmd_push(struct cli *c, int argc, char **argv)
{
	/* The push stream's errors are printed as they are, like the CLI's
	 * own; only -q prints the name pushed. */
	static const struct cli_transfer t = {
		.name = "push",
		.usage = "push [OPTIONS] NAME[:TAG]\n\nPush an image or a repository to a registry",
		.run = push,
	};

	return cli_transfer(c, &t, argc, argv);
}
