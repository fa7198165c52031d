/* cmd-system.c - `berth system df [-v]`: docker 20.10's disk usage tables;
 * berth has no containers, volumes or build cache, so those rows are 0. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage_line[] = "system COMMAND\n\nManage Docker";
static const char df_usage[] = "system df [OPTIONS]\n\nShow docker disk usage";

static void print_images_verbose(const struct berth_system_df *df)
{
	static const char *const header[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE",
					      "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS" };
	struct table *t = table_new();

	table_add(t, header, 8);
	for (size_t i = 0; i < df->n_images; i++) {
		const struct berth_system_df_image *d = &df->images[i];
		char repo[512] = "<none>", tag[256] = "<none>", id[16], created[80], size[32], shared[32],
		     unique[32];
		const char *cells[8];

		if (d->repo_tag && !d->dangling) {
			const char *colon = strrchr(d->repo_tag, ':');
			if (colon && !strchr(colon, '/')) {
				snprintf(repo, sizeof(repo), "%.*s", (int)(colon - d->repo_tag), d->repo_tag);
				snprintf(tag, sizeof(tag), "%s", colon + 1);
			}
		}
		snprintf(id, sizeof(id), "%.12s", d->id + 7);
		human_duration_ago(created, sizeof(created), (int64_t)time(NULL) - d->created);
		human_size4(size, sizeof(size), (double)d->size);
		human_size4(shared, sizeof(shared), (double)d->shared_size);
		human_size4(unique, sizeof(unique), (double)(d->size - d->shared_size));
		cells[0] = repo;
		cells[1] = tag;
		cells[2] = id;
		cells[3] = created;
		cells[4] = size;
		cells[5] = shared;
		cells[6] = unique;
		cells[7] = "0";
		table_add(t, cells, 8);
	}
	table_print(t, stdout);
	table_free(t);
}

/* ---- Local Volumes (the volumes part of system df) ---- */

struct df_volumes {
	struct berth_volume *v;
	size_t n;
};

static void volumes_summary_row(struct table *t, const struct df_volumes *dv)
{
	char total[32], active[32], size[32], reclaim[64];
	const char *cells[5] = { "Local Volumes", total, active, size, reclaim };
	int64_t sum = 0, free_ = 0;
	size_t used = 0;

	for (size_t i = 0; i < dv->n; i++) {
		if (dv->v[i].ref_count > 0)
			used++;
		if (dv->v[i].size < 0)
			continue;
		sum += dv->v[i].size;
		if (dv->v[i].ref_count == 0)
			free_ += dv->v[i].size;
	}
	snprintf(total, sizeof(total), "%zu", dv->n);
	snprintf(active, sizeof(active), "%zu", used);
	human_size4(size, sizeof(size), (double)sum);
	human_size4(reclaim, sizeof(reclaim), (double)free_);
	if (sum > 0)
		snprintf(reclaim + strlen(reclaim), sizeof(reclaim) - strlen(reclaim), " (%lld%%)",
			 (long long)(free_ * 100 / sum));
	table_add(t, cells, 5);
}

static void print_volumes_verbose(const struct df_volumes *dv)
{
	static const char *const volumes[] = { "VOLUME NAME", "LINKS", "SIZE" };
	struct table *t = table_new();

	table_add(t, volumes, 3);
	for (size_t i = 0; i < dv->n; i++) {
		char links[32], size[32];
		const char *cells[3] = { dv->v[i].name, links, size };
		snprintf(links, sizeof(links), "%lld", (long long)dv->v[i].ref_count);
		human_size4(size, sizeof(size), (double)dv->v[i].size);
		table_add(t, cells, 3);
	}
	table_print(t, stdout);
	table_free(t);
}

static void print_header(const char *const *cells, size_t n)
{
	struct table *t = table_new();

	table_add(t, cells, n);
	table_print(t, stdout);
	table_free(t);
}

static void print_verbose(const struct berth_system_df *df, const struct df_volumes *dv)
{
	static const char *const containers[] = { "CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES",
						  "SIZE", "CREATED", "STATUS", "NAMES" };
	static const char *const cache[] = { "CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED",
					     "USAGE", "SHARED" };

	printf("Images space usage:\n\n");
	print_images_verbose(df);
	printf("\nContainers space usage:\n\n");
	print_header(containers, 8);
	printf("\nLocal Volumes space usage:\n\n");
	print_volumes_verbose(dv);
	printf("\nBuild cache usage: 0B\n\n");
	print_header(cache, 7);
}

static void print_summary(const struct berth_system_df *df, const struct df_volumes *dv)
{
	static const char *const header[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
	static const char *const zero[][5] = {
		{ "Containers", "0", "0", "0B", "0B" },
		{ "Local Volumes", "0", "0", "0B", "0B" },
		{ "Build Cache", "0", "0", "0B", "0B" },
	};
	struct table *t = table_new();
	char total[32], size[32], reclaim[64];
	const char *cells[5];

	table_add(t, header, 5);
	snprintf(total, sizeof(total), "%zu", df->n_images);
	human_size4(size, sizeof(size), (double)df->layers_size);
	/* Without containers nothing is in use: all of it is reclaimable. */
	if (df->layers_size > 0)
		snprintf(reclaim, sizeof(reclaim), "%s (100%%)", size);
	else
		snprintf(reclaim, sizeof(reclaim), "%s", size);
	cells[0] = "Images";
	cells[1] = total;
	cells[2] = "0";
	cells[3] = size;
	cells[4] = reclaim;
	table_add(t, cells, 5);
	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(zero[i][0], "Local Volumes")) {
			volumes_summary_row(t, dv);
			continue;
		}
		table_add(t, zero[i], 5);
	}
	table_print(t, stdout);
	table_free(t);
}

static int cmd_system_df(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT;
	struct berth_system_df df;
	int verbose = 0, o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (o) {
		case 'v': verbose = 1; break;
		case 'h': printf("\nUsage:  berth %s\n", df_usage); return 0;
		default: return 125;
		}
	}
	if (argc - optind != 0)
		return cli_usage_error("system df", df_usage, "accepts no arguments");
	if (!cli_berth(c))
		return 1;
	if (berth_system_df(c->b, &df, &err) < 0)
		return cli_error(&err, 1);
	struct df_volumes dv = { NULL, 0 };
	if (berth_volume_usage(c->b, &dv.v, &dv.n, &err) < 0) {
		berth_system_df_release(&df);
		return cli_error(&err, 1);
	}
	if (verbose)
		print_verbose(&df, &dv);
	else
		print_summary(&df, &dv);
	berth_volume_list_free(dv.v, dv.n);
	berth_system_df_release(&df);
	return 0;
}

static const struct cli_command subcommands[] = {
	{ "df", cmd_system_df, "Show docker disk usage" },
};

int cmd_system(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-')
		return cli_dispatch(c, "system", subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc - 1,
				    argv + 1);
	printf("\nUsage:  berth %s\n\nCommands:\n", usage_line);
	cli_print_commands(stdout, subcommands, sizeof(subcommands) / sizeof(subcommands[0]), 11);
	return 0;
}
