/*
 * cmd-volume.c - `berth volume create|inspect|ls|prune|rm`, printed as the
 * docker 20.10 CLI prints them (cli/command/volume, formatter/volume.go).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char create_usage[] = "volume create [OPTIONS] [VOLUME]\n\nCreate a volume";
static const char inspect_usage[] = "volume inspect [OPTIONS] VOLUME [VOLUME...]\n\n"
				    "Display detailed information on one or more volumes";
static const char ls_usage[] = "volume ls [OPTIONS]\n\nList volumes";
static const char prune_usage[] = "volume prune [OPTIONS]\n\nRemove all unused local volumes";
static const char rm_usage[] = "volume rm [OPTIONS] VOLUME [VOLUME...]\n\nRemove one or more volumes";
static const char prune_warning[] = "WARNING! This will remove all local volumes not used by at least one container.\n"
				    "Are you sure you want to continue?";

/* pflag's messages for a bad flag, then the pointer to help: 125. */
static int flag_error(const char *cmd, int argc, char **argv)
{
	const char *a = argv[optind - 1 < argc ? optind - 1 : argc - 1];

	if (optopt)
		fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, a);
	else if (a[0] == '-' && a[1] == '-' && !strchr(a, '=') && optind - 1 < argc &&
		 (!strcmp(a, "--filter") || !strcmp(a, "--format") || !strcmp(a, "--label") || !strcmp(a, "--opt") ||
		  !strcmp(a, "--driver") || !strcmp(a, "--name")))
		fprintf(stderr, "flag needs an argument: %s\n", a);
	else
		fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(a, "="), a);
	fprintf(stderr, "See 'berth %s --help'.\n", cmd);
	return 125;
}

static int bad_filter(const char *cmd, const char *v)
{
	fprintf(stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n"
			"See 'berth %s --help'.\n", v, cmd);
	return 125;
}

/* The docker client rewords the daemon's 404 with the name as typed. */
static void print_error(const struct berr *err, const char *name)
{
	if (err->code == BERR_NOT_FOUND)
		fprintf(stderr, "Error: No such volume: %s\n", name);
	else
		fprintf(stderr, "Error response from daemon: %s\n", err->msg);
}

/* ---- create ---- */

static int cmd_volume_create(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' }, { "label", required_argument, NULL, 'l' },
		{ "opt", required_argument, NULL, 'o' },    { "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },         { 0, 0, 0, 0 },
	};
	struct berth_volume_create_opts vo = { .driver = "local" };
	const char **labels = xcalloc((size_t)argc + 1, sizeof(char *)), **options = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nl = 0, no = 0;
	struct berr err = BERR_INIT;
	char *name = NULL;
	int o, rc = 0;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+d:o:h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': vo.driver = optarg; break;
		case 'l': labels[nl++] = optarg; break;
		case 'o': options[no++] = optarg; break;
		case 'n': vo.name = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -d, --driver string   Specify volume driver name (default \"local\")\n"
			       "      --label list      Set metadata for a volume\n"
			       "  -o, --opt map         Set driver specific options (default map[])\n", create_usage);
			goto out;
		default: rc = flag_error("volume create", argc, argv); goto out;
		}
	}
	if (argc - optind > 1) {
		rc = cli_usage_error("volume create", create_usage, "requires at most 1 argument");
		goto out;
	}
	if (argc - optind == 1) {
		if (vo.name && strcmp(vo.name, argv[optind])) {
			fprintf(stderr, "conflicting options: either specify --name or provide positional arg, not both\n");
			rc = 1;
			goto out;
		}
		vo.name = argv[optind];
	}
	vo.labels = labels;
	vo.options = options;
	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_volume_create(c->b, &vo, &name, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	printf("%s\n", name);
	free(name);
out:
	free(labels);
	free(options);
	return rc;
}

/* ---- inspect ---- */

/* A nil map of the decoded struct prints as map[] in a template, and
 * stays null for json (template.h's typed values). */
static json_t *nil_map(void)
{
	json_t *o = json_object();

	json_object_set_new(o, TMPL_GO_JSON, json_null());
	json_object_set_new(o, TMPL_GO_FMT, json_string("map[]"));
	json_object_set_new(o, TMPL_GO_TRUTH, json_false());
	return o;
}

static void maps_for_template(json_t *v)
{
	if (json_is_null(json_object_get(v, "Labels")))
		json_object_set_new(v, "Labels", nil_map());
	if (json_is_null(json_object_get(v, "Options")))
		json_object_set_new(v, "Options", nil_map());
}

static int cmd_volume_inspect(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *format = NULL;
	struct tmpl *t = NULL;
	struct berr err = BERR_INIT;
	json_t *all;
	int o, rc = 0;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (o) {
		case 'f': format = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -f, --format string   Format the output using the given Go template\n", inspect_usage);
			return 0;
		default: return flag_error("volume inspect", argc, argv);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("volume inspect", inspect_usage, "requires at least 1 argument");
	if (format && *format && tmpl_parse(&t, format, &err) < 0) {
		fprintf(stderr, "Template parsing error: %s\n", err.msg);
		return 64;
	}
	if (!cli_berth(c)) {
		tmpl_free(t);
		return 1;
	}
	all = json_array();
	for (int i = optind; i < argc; i++) {
		char *raw = NULL;
		json_t *v;

		berr_clear(&err);
		if (berth_volume_inspect_raw(c->b, argv[i], &raw, &err) < 0) {
			print_error(&err, argv[i]);
			rc = 1;
			continue;
		}
		v = json_loads(raw, 0, NULL);
		free(raw);
		if (!t) {
			json_array_append_new(all, v);
			continue;
		}
		maps_for_template(v);
		if (cli_print_template(t, v))
			rc = 1;
		json_decref(v);
	}
	if (!t) {
		struct sbuf sb = SBUF_INIT;
		gojson_write(&sb, all, "", "    ");
		printf("%s\n", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	json_decref(all);
	tmpl_free(t);
	return rc;
}

/* ---- ls ---- */

static char *labels_text(const struct berth_volume *v)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < v->n_labels; i++)
		sbuf_addf(&sb, "%s%s=%s", i ? "," : "", v->labels[2 * i], v->labels[2 * i + 1]);
	char *out = xstrdup(sbuf_str(&sb));

	sbuf_release(&sb);
	return out;
}

static json_t *row_json(const struct berth_volume *v)
{
	char *labels = labels_text(v);
	char links[32] = "N/A", size[32] = "N/A";
	json_t *r;

	if (v->ref_count >= 0)
		snprintf(links, sizeof(links), "%lld", (long long)v->ref_count);
	if (v->size >= 0)
		human_size4(size, sizeof(size), (double)v->size);
	r = json_pack("{ss ss ss ss ss ss ss}", "Driver", v->driver, "Labels", labels, "Links", links, "Mountpoint",
		      v->mountpoint, "Name", v->name, "Scope", v->scope, "Size", size);
	free(labels);
	return r;
}

static json_t *header_json(void)
{
	return json_pack("{ss ss ss ss ss ss ss}", "Driver", "DRIVER", "Labels", "LABELS", "Links", "LINKS", "Mountpoint",
			 "MOUNTPOINT", "Name", "VOLUME NAME", "Scope", "SCOPE", "Size", "SIZE");
}

static int cmd_volume_ls(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'F' },
		{ "filter", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char **filters = xcalloc((size_t)argc + 1, sizeof(char *));
	const char *format = "";
	struct berth_volume *v = NULL;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;
	struct tmpl *t = NULL;
	char *text = NULL;
	size_t nf = 0, n = 0;
	int quiet = 0, is_table = 0, o, rc = 0;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+qf:h", opts, NULL)) != -1) {
		switch (o) {
		case 'q': quiet = 1; break;
		case 'F': format = optarg; break;
		case 'f':
			if (!strchr(optarg, '=')) {
				rc = bad_filter("volume ls", optarg);
				goto out;
			}
			filters[nf++] = optarg;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nAliases:\n  ls, list\n\nOptions:\n"
			       "  -f, --filter filter   Provide filter values (e.g. 'dangling=true')\n"
			       "      --format string   Pretty-print volumes using a Go template\n"
			       "  -q, --quiet           Only display volume names\n", ls_usage);
			goto out;
		default: rc = flag_error("volume ls", argc, argv); goto out;
		}
	}
	if (argc - optind != 0) {
		rc = cli_usage_error("volume ls", ls_usage, "accepts no arguments");
		goto out;
	}
	/* NewVolumeFormat */
	if (!*format || !strcmp(format, "table"))
		format = quiet ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}";
	else if (!strcmp(format, "raw"))
		format = quiet ? "name: {{.Name}}" : "name: {{.Name}}\\ndriver: {{.Driver}}\\n";
	text = format_preprocess(format, NULL, &is_table);
	if (tmpl_parse(&t, text, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 1;
		goto out;
	}
	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_volume_list(c->b, filters, &v, &n, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r = row_json(&v[i]);
		if (!is_table && !strcmp(text, "{{json .}}"))
			gojson_write(&out, r, NULL, NULL);
		else if (tmpl_exec(t, r, &out, &err) < 0) {
			json_decref(r);
			fprintf(stderr, "Template parsing error: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		sbuf_addch(&out, '\n');
		json_decref(r);
	}
	if (is_table) {
		json_t *hj = header_json();
		cli_print_table_template(t, hj, out.buf, out.len);
		json_decref(hj);
	} else if (out.len) {
		fwrite(out.buf, 1, out.len, stdout);
	}
out:
	if (t)
		tmpl_free(t);
	free(text);
	free(filters);
	sbuf_release(&out);
	berth_volume_list_free(v, n);
	return rc;
}

/* ---- prune ---- */

static int cmd_volume_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char **filters = xcalloc((size_t)argc + 1, sizeof(char *));
	struct berr err = BERR_INIT;
	char **names = NULL, size[32];
	uint64_t reclaimed = 0;
	size_t nf = 0;
	int force = 0, o, rc = 0;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (o) {
		case 'f': force = 1; break;
		case 'F':
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "invalid argument \"%s\" for \"--filter\" flag: bad format of filter "
						"(expected name=value)\nSee 'berth volume prune --help'.\n", optarg);
				rc = 125;
				goto out;
			}
			filters[nf++] = optarg;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "      --filter filter   Provide filter values (e.g. 'label=<label>')\n"
			       "  -f, --force           Do not prompt for confirmation\n", prune_usage);
			goto out;
		default: rc = flag_error("volume prune", argc, argv); goto out;
		}
	}
	if (argc - optind != 0) {
		rc = cli_usage_error("volume prune", prune_usage, "accepts no arguments");
		goto out;
	}
	if (!force && !cli_confirm(prune_warning)) {
		printf("Total reclaimed space: 0B\n");
		goto out;
	}
	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_volume_prune(c->b, filters, &names, &reclaimed, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	if (names[0]) {
		printf("Deleted Volumes:\n");
		for (size_t i = 0; names[i]; i++)
			printf("%s\n", names[i]);
		printf("\n");
	} else {
		reclaimed = 0;
	}
	for (size_t i = 0; names[i]; i++)
		free(names[i]);
	free(names);
	human_size4(size, sizeof(size), (double)reclaimed);
	printf("Total reclaimed space: %s\n", size);
out:
	free(filters);
	return rc;
}

/* ---- rm ---- */

static int cmd_volume_rm(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int force = 0, o, rc = 0;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (o) {
		case 'f': force = 1; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nAliases:\n  rm, remove\n\nExamples:\n\n$ docker volume rm hello\n"
			       "hello\n\n\nOptions:\n"
			       "  -f, --force   Force the removal of one or more volumes\n", rm_usage);
			return 0;
		default: return flag_error("volume rm", argc, argv);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("volume rm", rm_usage, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (berth_volume_remove(c->b, argv[i], force, &err) < 0) {
			print_error(&err, argv[i]);
			rc = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}

static const struct cli_command subcommands[] = {
	{ "create", cmd_volume_create, "Create a volume" },
	{ "inspect", cmd_volume_inspect, "Display detailed information on one or more volumes" },
	{ "ls", cmd_volume_ls, "List volumes" },
	{ "list", cmd_volume_ls, NULL },
	{ "prune", cmd_volume_prune, "Remove all unused local volumes" },
	{ "rm", cmd_volume_rm, "Remove one or more volumes" },
	{ "remove", cmd_volume_rm, NULL },
};

int cmd_volume(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		/* cobra: the usage of a group run bare goes to stderr */
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "\nUsage:  berth volume COMMAND\n\nManage volumes\n\nCommands:\n");
		cli_print_commands(out, subcommands, sizeof(subcommands) / sizeof(subcommands[0]), 11);
		fprintf(out, "\nRun 'berth volume COMMAND --help' for more information on a command.\n");
		return 0;
	}
	return cli_dispatch(c, "volume", subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc - 1, argv + 1);
}
