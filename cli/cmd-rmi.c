/* cmd-rmi.c - `berth rmi` / `berth image rm`: docker 20.10's lines, its
 * error joining and exit status. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Runs rmi for `name` ("rmi" or "image rm", as docker's messages name it). */
static int rmi_main(struct cli *c, const char *name, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "no-prune", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_image_remove_opts ro = { 0 };
	char usage_line[128];
	char **errs;
	size_t n_errs = 0;
	int fatal = 0, o;

	snprintf(usage_line, sizeof(usage_line), "%s [OPTIONS] IMAGE [IMAGE...]\n\nRemove one or more images", name);
	optind = 1;
	while ((o = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		switch (o) {
		case 'f': ro.force = 1; break;
		case 'P': ro.no_prune = 1; break;
		case 'h': printf("\nUsage:  berth %s\n", usage_line); return 0;
		default: return 125;
		}
	}
	if (argc - optind < 1)
		return cli_usage_error(name, usage_line, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	errs = xcalloc((size_t)(argc - optind) + 1, sizeof(*errs));
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;
		struct berth_image_remove_item *items;
		size_t n;

		if (berth_image_remove(c->b, argv[i], &ro, &items, &n, &err) < 0) {
			/* The docker client words a 404 itself, with the name as typed. */
			if (err.code == BERR_NOT_FOUND) {
				errs[n_errs++] = xasprintf("Error: No such image: %s", argv[i]);
			} else {
				fatal = 1;
				errs[n_errs++] = xasprintf("Error response from daemon: %s", err.msg);
			}
			continue;
		}
		for (size_t k = 0; k < n; k++)
			printf("%s %s\n", items[k].deleted ? "Deleted:" : "Untagged:", items[k].ref);
		berth_image_remove_items_free(items, n);
	}
	fflush(stdout);
	for (size_t k = 0; k < n_errs; k++) {
		fprintf(stderr, "%s\n", errs[k]);
		free(errs[k]);
	}
	free(errs);
	return n_errs && (!ro.force || fatal) ? 1 : 0;
}

int cmd_rmi(struct cli *c, int argc, char **argv)
{
	return rmi_main(c, "rmi", argc, argv);
}

int cmd_image_rm(struct cli *c, int argc, char **argv)
{
	return rmi_main(c, "image rm", argc, argv);
}
