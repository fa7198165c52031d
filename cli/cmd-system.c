/* cmd-system.c - `berth system df [-v]`: docker 20.10's disk usage tables
 * (cli/command/formatter/disk_usage.go; berth has no build cache, so that
 * row is 0); `berth system prune`: the docker CLI's sequence of prunes
 * (cli/command/system/prune.go), each through the library's own. */
#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <berth/container.h>
#include <berth/image.h>
#include <berth/system.h>
#include <berth/volume.h>

#include "cli.h"
#include "format/gojson.h"

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
		     unique[32], containers[32];
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
		snprintf(containers, sizeof(containers), "%lld", (long long)d->containers);
		cells[7] = containers;
		table_add(t, cells, 8);
	}
	table_print(t, stdout);
	table_free(t);
}

/* ContainerContext's columns with trunc, SizeRootFs zeroed as df -v does. */
static void print_containers_verbose(const struct berth_system_df *df)
{
	static const char *const header[] = { "CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES",
					      "SIZE", "CREATED", "STATUS", "NAMES" };
	struct table *t = table_new();
	time_t now = time(NULL);

	table_add(t, header, 8);
	for (size_t i = 0; i < df->n_containers; i++) {
		const struct berth_container_item *it = &df->containers[i];
		char id[16], local[16], size[32], created[80];
		char *image, *cmd, *command, *names;
		const char *cells[8];
		size_t n_local = 0;

		snprintf(id, sizeof(id), "%.12s", it->id);
		image = it->image && *it->image ? berth_container_image_short(it->image, it->image_id)
						: xstrdup("<no image>");
		cmd = cli_ellipsis(it->command ? it->command : "", 20);
		command = gojson_quote(cmd);
		for (size_t k = 0; k < it->n_mounts; k++)
			n_local += !strcmp(it->mounts[k].driver, "local");
		snprintf(local, sizeof(local), "%zu", n_local);
		human_size(size, sizeof(size), (double)it->size_rw);
		human_duration_ago(created, sizeof(created), (int64_t)now - it->created);
		names = cli_container_names(it, 1);
		cells[0] = id;
		cells[1] = image;
		cells[2] = command;
		cells[3] = local;
		cells[4] = size;
		cells[5] = created;
		cells[6] = it->status ? it->status : "";
		cells[7] = names;
		table_add(t, cells, 8);
		free(image);
		free(cmd);
		free(command);
		free(names);
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
	static const char *const cache[] = { "CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED",
					     "USAGE", "SHARED" };

	printf("Images space usage:\n\n");
	print_images_verbose(df);
	printf("\nContainers space usage:\n\n");
	print_containers_verbose(df);
	printf("\nLocal Volumes space usage:\n\n");
	print_volumes_verbose(dv);
	printf("\nBuild cache usage: 0B\n\n");
	print_header(cache, 7);
}

/* "SIZE (N%)" of total, or "SIZE" when total is 0, as the Reclaimable
 * columns print. */
static void reclaimable(char *buf, size_t n, int64_t reclaim, int64_t total)
{
	char size[32];

	human_size4(size, sizeof(size), (double)reclaim);
	if (total > 0)
		snprintf(buf, n, "%s (%lld%%)", size, (long long)(reclaim * 100 / total));
	else
		snprintf(buf, n, "%s", size);
}

/* diskUsageContainersContext.isActive */
static int container_active(const struct berth_container_item *it)
{
	return it->state && (strstr(it->state, "running") || strstr(it->state, "paused") ||
			     strstr(it->state, "restarting"));
}

static void print_summary(const struct berth_system_df *df, const struct df_volumes *dv)
{
	static const char *const header[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
	static const char *const zero[][5] = {
		{ "Local Volumes", "0", "0", "0B", "0B" },
		{ "Build Cache", "0", "0", "0B", "0B" },
	};
	struct table *t = table_new();
	char total[32], active[32], size[32], reclaim[64];
	char c_total[32], c_active[32], c_size[32], c_reclaim[64];
	const char *cells[5];
	int64_t used = 0, rw = 0, rw_reclaim = 0;
	size_t n_active = 0;

	table_add(t, header, 5);
	/* Images: in use are those with containers; what they hold beyond
	 * the shared layers is not reclaimable. */
	for (size_t i = 0; i < df->n_images; i++) {
		const struct berth_system_df_image *d = &df->images[i];

		if (d->containers > 0) {
			n_active++;
			used += d->size - d->shared_size;
		}
	}
	snprintf(total, sizeof(total), "%zu", df->n_images);
	snprintf(active, sizeof(active), "%zu", n_active);
	human_size4(size, sizeof(size), (double)df->layers_size);
	reclaimable(reclaim, sizeof(reclaim), df->layers_size - used, df->layers_size);
	cells[0] = "Images";
	cells[1] = total;
	cells[2] = active;
	cells[3] = size;
	cells[4] = reclaim;
	table_add(t, cells, 5);
	/* Containers: the RW layers; the stopped ones' are reclaimable. */
	n_active = 0;
	for (size_t i = 0; i < df->n_containers; i++) {
		const struct berth_container_item *it = &df->containers[i];

		rw += it->size_rw;
		if (container_active(it))
			n_active++;
		else
			rw_reclaim += it->size_rw;
	}
	snprintf(c_total, sizeof(c_total), "%zu", df->n_containers);
	snprintf(c_active, sizeof(c_active), "%zu", n_active);
	human_size4(c_size, sizeof(c_size), (double)rw);
	reclaimable(c_reclaim, sizeof(c_reclaim), rw_reclaim, rw);
	cells[0] = "Containers";
	cells[1] = c_total;
	cells[2] = c_active;
	cells[3] = c_size;
	cells[4] = c_reclaim;
	table_add(t, cells, 5);
	for (size_t i = 0; i < 2; i++) {
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

static const char prune_usage[] = "system prune [OPTIONS]\n\nRemove unused data";

/* sortorder.NaturalLess: digit runs compare as numbers. */
static int natural_cmp(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;

	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			if ((c = strncmp(a, b, la)))
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int filter_key_is(const char *f, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(f, key, n) && f[n] == '=';
}

/* confirmationMessage: the warnings, then the label, label! and until
 * filters (a set: each once), in natural order. */
static char *prune_message(int all, int volumes, const char *const *filters)
{
	struct sbuf b = SBUF_INIT;
	const char **shown = xcalloc(1, sizeof(*shown));
	size_t n = 0;

	sbuf_addstr(&b, "WARNING! This will remove:\n  - all stopped containers\n"
			"  - all networks not used by at least one container\n");
	if (volumes)
		sbuf_addstr(&b, "  - all volumes not used by at least one container\n");
	sbuf_addstr(&b, all ? "  - all images without at least one container associated to them\n"
			    : "  - all dangling images\n");
	sbuf_addstr(&b, all ? "  - all build cache\n" : "  - all dangling build cache\n");
	for (size_t i = 0; filters[i]; i++) {
		int dup = 0;

		if (!filter_key_is(filters[i], "label") && !filter_key_is(filters[i], "label!") &&
		    !filter_key_is(filters[i], "until"))
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= !strcmp(shown[j], filters[i]);
		if (dup)
			continue;
		shown = xrealloc(shown, (n + 2) * sizeof(*shown));
		shown[n++] = filters[i];
	}
	qsort(shown, n, sizeof(*shown), natural_cmp);
	if (n) {
		sbuf_addstr(&b, "\n  Items to be pruned will be filtered with:");
		for (size_t i = 0; i < n; i++)
			sbuf_addf(&b, "\n  - %s", shown[i]);
		sbuf_addch(&b, '\n');
	}
	sbuf_addstr(&b, "\nAre you sure you want to continue?");
	free(shown);
	return sbuf_detach(&b, NULL);
}

/* runPrune: containers, networks (berth has none: nothing to say),
 * volumes with --volumes, images, build cache; each prune's report
 * printed as it ends, the total last.  The first failure ends it, after
 * what was already printed. */
static int system_prune(struct berth *b, int all, int volumes, const char *const *filters)
{
	struct berth_container_prune_opts co = { filters };
	struct berth_image_prune_opts io = { all, filters };
	struct berth_system_build_cache_prune_opts bo = { all, filters };
	struct berth_image_remove_item *items = NULL;
	struct berr err = BERR_INIT;
	uint64_t total = 0, got = 0;
	int64_t image_bytes = 0;
	char **ids = NULL, size[32];
	size_t n = 0;

	if (berth_container_prune(b, &co, &ids, &got, &err) < 0)
		return cli_error(&err, 1);
	if (ids[0]) {
		printf("Deleted Containers:\n");
		for (size_t i = 0; ids[i]; i++)
			printf("%s\n", ids[i]);
		printf("\n");
		total += got;
	}
	for (size_t i = 0; ids[i]; i++)
		free(ids[i]);
	free(ids);
	/* networks: berth has none, and docker prints nothing when none went */
	if (volumes) {
		char **names = NULL;

		got = 0;
		if (berth_volume_prune(b, filters, &names, &got, &err) < 0)
			return cli_error(&err, 1);
		if (names[0]) {
			printf("Deleted Volumes:\n");
			for (size_t i = 0; names[i]; i++)
				printf("%s\n", names[i]);
			printf("\n");
			total += got;
		}
		for (size_t i = 0; names[i]; i++)
			free(names[i]);
		free(names);
	}
	if (berth_image_prune(b, &io, &items, &n, &image_bytes, &err) < 0)
		return cli_error(&err, 1);
	if (n) {
		printf("Deleted Images:\n");
		for (size_t i = 0; i < n; i++)
			printf("%s: %s\n", items[i].deleted ? "deleted" : "untagged", items[i].ref);
		printf("\n");
		total += (uint64_t)image_bytes;
	}
	berth_image_remove_items_free(items, n);
	if (berth_system_build_cache_prune(b, &bo, &got, &err) < 0)
		return cli_error(&err, 1);
	total += got;
	human_size4(size, sizeof(size), (double)total);
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

static int cmd_system_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "volumes", no_argument, NULL, 'V' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char **filters = xcalloc((size_t)argc + 1, sizeof(*filters));
	int all = 0, force = 0, volumes = 0, has_until = 0, o, rc;
	size_t n_filters = 0;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":afh", opts, NULL)) != -1) {
		switch (o) {
		case 'a': all = 1; break;
		case 'f': force = 1; break;
		case 'V': volumes = 1; break;
		case 'F':
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter "
						"(expected name=value)\nSee 'berth system prune --help'.\n", optarg);
				free(filters);
				return 125;
			}
			has_until |= filter_key_is(optarg, "until");
			filters[n_filters++] = optarg;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -a, --all             Remove all unused images not just dangling ones\n"
			       "      --filter filter   Provide filter values (e.g. 'label=<key>=<value>')\n"
			       "  -f, --force           Do not prompt for confirmation\n"
			       "      --volumes         Prune volumes\n", prune_usage);
			free(filters);
			return 0;
		default: free(filters); return cli_getopt_error("system prune", argv, o);
		}
	}
	if (argc - optind != 0) {
		free(filters);
		return cli_usage_error("system prune", prune_usage, "accepts no arguments");
	}
	if (volumes && has_until) {
		fprintf(stderr, "ERROR: The \"until\" filter is not supported with \"--volumes\"\n");
		free(filters);
		return 1;
	}
	if (!force) {
		char *msg = prune_message(all, volumes, filters);
		int yes = cli_confirm(msg);

		free(msg);
		if (!yes) {
			free(filters);
			return 0;
		}
	}
	rc = cli_berth(c) ? system_prune(c->b, all, volumes, filters) : 1;
	free(filters);
	return rc;
}

static const struct cli_command subcommands[] = {
	{ "df", cmd_system_df, "Show docker disk usage" },
	{ "prune", cmd_system_prune, "Remove unused data" },
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
