/* cmd-images.c - `berth images`: docker's classic table (the rest of its
 * flags come with the image-commands work). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void split_ref(const char *ref, char sep, char *name, size_t n, const char **rest)
{
	const char *at = sep == ':' ? strrchr(ref, ':') : strchr(ref, '@');

	/* A ':' before the last '/' is a registry port, not a tag. */
	if (sep == ':' && at && strchr(at, '/'))
		at = NULL;
	snprintf(name, n, "%.*s", (int)(at ? at - ref : (long)strlen(ref)), ref);
	*rest = at ? at + 1 : "";
}

static void add_row(struct table *t, const char *repo, const char *tag, const struct berth_image *img, int quiet)
{
	char id[16], created[64], size[32];
	const char *cells[5];

	snprintf(id, sizeof(id), "%.12s", img->id + 7);
	if (quiet) {
		printf("%s\n", id);
		return;
	}
	if (img->created) {
		human_duration(created, sizeof(created), (int64_t)time(NULL) - img->created);
		strcat(created, " ago");
	} else {
		snprintf(created, sizeof(created), "N/A");
	}
	human_size(size, sizeof(size), (double)img->size);
	cells[0] = repo;
	cells[1] = tag;
	cells[2] = id;
	cells[3] = created;
	cells[4] = size;
	table_add(t, cells, 5);
}

int cmd_images(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	static const char *const header[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
	struct berr err = BERR_INIT;
	struct berth_image *v;
	struct table *t;
	size_t n;
	int quiet = 0, o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		if (o == 'q')
			quiet = 1;
		else if (o == 'h') {
			printf("\nUsage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n");
			return 0;
		} else
			return 125;
	}
	if (!cli_berth(c))
		return 1;
	if (berth_image_list(c->b, &v, &n, &err) < 0)
		return cli_error(&err, 1);
	t = table_new();
	table_add(t, header, 5);
	for (size_t i = 0; i < n; i++) {
		char name[512];
		const char *rest;
		if (!v[i].repo_tags[0] && !v[i].repo_digests[0]) {
			add_row(t, "<none>", "<none>", &v[i], quiet);
			continue;
		}
		for (size_t k = 0; v[i].repo_tags[k]; k++) {
			split_ref(v[i].repo_tags[k], ':', name, sizeof(name), &rest);
			add_row(t, name, rest, &v[i], quiet);
		}
		if (!v[i].repo_tags[0]) {
			split_ref(v[i].repo_digests[0], '@', name, sizeof(name), &rest);
			add_row(t, name, "<none>", &v[i], quiet);
		}
	}
	if (!quiet)
		table_print(t, stdout);
	table_free(t);
	berth_image_list_free(v, n);
	return 0;
}
