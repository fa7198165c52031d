/*
 * cmd-ps.c - `berth ps` / `berth container ls`, printed as Docker 20.10's
 * CLI prints `docker ps` (cli/command/container/list.go and
 * formatter/container.go): the columns as ContainerContext makes them
 * client-side (IDs and commands truncated, IMAGE familiar, ports grouped,
 * durations), the default and quiet tables rendered directly, every other
 * --format through the template engine.
 *
 * As in docker, a --format is first parsed and run once against an empty
 * container, which reports template errors before anything is listed and
 * tells whether sizes are wanted (.Size, or {{json .}} which marshals it).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <berth/container.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

#define DEFAULT_TABLE "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
#define RAW_FORMAT                                                                                   \
	"container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n" \
	"state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n"              \
	"labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n"

enum render { R_TABLE, R_QUIET, R_JSON, R_TEMPLATE };

struct ps_ctx {
	const char *cmd;  /* "ps" or "container ls", as messages name it */
	enum render render;
	int trunc, size, is_table;
	struct tmpl *t;
	time_t now;
};

static int cmp_port(const void *a, const void *b)
{
	const struct berth_container_port *x = a, *y = b;
	int c;

	if (x->private_port != y->private_port)
		return x->private_port < y->private_port ? -1 : 1;
	if ((c = strcmp(x->ip, y->ip)))
		return c;
	if (x->public_port != y->public_port)
		return x->public_port < y->public_port ? -1 : 1;
	return strcmp(x->type, y->type);
}

struct port_group {
	char key[96]; /* type, or ip/type */
	unsigned first, last;
};

static void form_group(struct sbuf *out, const struct port_group *g)
{
	const char *slash = strchr(g->key, '/');
	char range[32];

	if (g->first == g->last)
		snprintf(range, sizeof(range), "%u", g->first);
	else
		snprintf(range, sizeof(range), "%u-%u", g->first, g->last);
	if (out->len)
		sbuf_addstr(out, ", ");
	if (slash)
		sbuf_addf(out, "%.*s:%s->%s/%s", (int)(slash - g->key), g->key, range, range, slash + 1);
	else
		sbuf_addf(out, "%s/%s", range, g->key);
}

/* DisplayablePorts: sorted; runs of consecutive ports of one key grouped
 * (keys in first-seen order); mappings to another host port last. */
static char *displayable_ports(const struct berth_container_item *it)
{
	struct berth_container_port *v = xcalloc(it->n_ports + 1, sizeof(*v));
	struct port_group *g = xcalloc(it->n_ports + 1, sizeof(*g));
	struct sbuf out = SBUF_INIT, maps = SBUF_INIT;
	size_t ng = 0;

	if (it->n_ports) {
		memcpy(v, it->ports, it->n_ports * sizeof(*v));
		qsort(v, it->n_ports, sizeof(*v), cmp_port);
	}
	for (size_t i = 0; i < it->n_ports; i++) {
		char key[96];
		size_t k;

		if (*v[i].ip) {
			if (v[i].public_port != v[i].private_port) {
				sbuf_addf(&maps, "%s%s:%u->%u/%s", maps.len ? ", " : "", v[i].ip, v[i].public_port,
					  v[i].private_port, v[i].type);
				continue;
			}
			snprintf(key, sizeof(key), "%s/%s", v[i].ip, v[i].type);
		} else {
			snprintf(key, sizeof(key), "%s", v[i].type);
		}
		for (k = 0; k < ng && strcmp(g[k].key, key); k++)
			;
		if (k == ng) {
			snprintf(g[ng].key, sizeof(g[ng].key), "%s", key);
			g[ng].first = g[ng].last = v[i].private_port;
			ng++;
		} else if (v[i].private_port == g[k].last + 1) {
			g[k].last = v[i].private_port;
		} else {
			form_group(&out, &g[k]);
			g[k].first = g[k].last = v[i].private_port;
		}
	}
	for (size_t k = 0; k < ng; k++)
		form_group(&out, &g[k]);
	if (maps.len)
		sbuf_addf(&out, "%s%s", out.len ? ", " : "", maps.buf);
	sbuf_release(&maps);
	free(v);
	free(g);
	return sbuf_detach(&out, NULL);
}

char *cli_container_names(const struct berth_container_item *it, int trunc)
{
	struct sbuf b = SBUF_INIT;

	for (size_t i = 0; it->names && it->names[i]; i++) {
		const char *n = it->names[i][0] == '/' ? it->names[i] + 1 : it->names[i];

		/* With trunc, link aliases ("/a/b") give way to the first plain name. */
		if (trunc && !strchr(n, '/')) {
			sbuf_reset(&b);
			sbuf_addstr(&b, n);
			break;
		}
		sbuf_addf(&b, "%s%s", b.len ? "," : "", n);
	}
	return sbuf_detach(&b, NULL);
}

/* One row's fields, as ContainerContext's methods give them. */
struct row {
	char id[65], created_at[80], running_for[64], size[64], local_volumes[16];
	char *image, *command, *ports, *names, *labels, *mounts, *networks;
	const char *state, *status;
};

/* full: every field, else the default table's columns only. */
static void row_fill(const struct ps_ctx *x, const struct berth_container_item *it, struct row *r, int full)
{
	struct sbuf b = SBUF_INIT;
	time_t t = (time_t)it->created;
	struct tm tm;
	size_t local = 0;
	char *cmd;

	snprintf(r->id, sizeof(r->id), x->trunc ? "%.12s" : "%s", it->id);
	if (!it->image || !*it->image)
		r->image = xstrdup("<no image>");
	else
		r->image = x->trunc ? berth_container_image_short(it->image, it->image_id) : xstrdup(it->image);
	cmd = x->trunc ? cli_ellipsis(it->command ? it->command : "", 20) : xstrdup(it->command ? it->command : "");
	r->command = gojson_quote(cmd);
	free(cmd);
	r->created_at[0] = 0;
	if (full) {
		localtime_r(&t, &tm);
		strftime(r->created_at, sizeof(r->created_at), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	}
	human_duration_ago(r->running_for, sizeof(r->running_for), (int64_t)x->now - it->created);
	r->ports = displayable_ports(it);
	r->names = cli_container_names(it, x->trunc);
	for (size_t i = 0; full && i < it->n_labels; i++)
		sbuf_addf(&b, "%s%s=%s", i ? "," : "", it->labels[2 * i], it->labels[2 * i + 1]);
	r->labels = sbuf_detach(&b, NULL);
	for (size_t i = 0; full && i < it->n_mounts; i++) {
		const char *name = *it->mounts[i].name ? it->mounts[i].name : it->mounts[i].source;
		char *e = x->trunc ? cli_ellipsis(name, 15) : xstrdup(name);

		sbuf_addf(&b, "%s%s", i ? "," : "", e);
		free(e);
		local += !strcmp(it->mounts[i].driver, "local");
	}
	r->mounts = sbuf_detach(&b, NULL);
	snprintf(r->local_volumes, sizeof(r->local_volumes), "%zu", local);
	for (size_t i = 0; full && it->networks && it->networks[i]; i++)
		sbuf_addf(&b, "%s%s", i ? "," : "", it->networks[i]);
	r->networks = sbuf_detach(&b, NULL);
	r->state = it->state ? it->state : "";
	r->status = it->status ? it->status : "";
	human_size(r->size, sizeof(r->size), (double)it->size_rw);
	if (it->size_root_fs > 0) {
		size_t len = strlen(r->size);

		snprintf(r->size + len, sizeof(r->size) - len, " (virtual ");
		len = strlen(r->size);
		human_size(r->size + len, sizeof(r->size) - len, (double)it->size_root_fs);
		len = strlen(r->size);
		snprintf(r->size + len, sizeof(r->size) - len, ")");
	}
	sbuf_release(&b);
}

static void row_release(struct row *r)
{
	free(r->image);
	free(r->command);
	free(r->ports);
	free(r->names);
	free(r->labels);
	free(r->mounts);
	free(r->networks);
}

/* The template data: every field, in sorted order as {{json .}} marshals
 * docker's ContainerContext. */
static json_t *row_json(const struct row *r)
{
	return json_pack("{ss ss ss ss ss ss ss ss ss ss ss ss ss ss}", "Command", r->command, "CreatedAt",
			 r->created_at, "ID", r->id, "Image", r->image, "Labels", r->labels, "LocalVolumes",
			 r->local_volumes, "Mounts", r->mounts, "Names", r->names, "Networks", r->networks, "Ports",
			 r->ports, "RunningFor", r->running_for, "Size", r->size, "State", r->state, "Status",
			 r->status);
}

static json_t *header_json(void)
{
	return json_pack("{ss ss ss ss ss ss ss ss ss ss ss ss ss ss}", "Command", "COMMAND", "CreatedAt", "CREATED AT",
			 "ID", "CONTAINER ID", "Image", "IMAGE", "Labels", "LABELS", "LocalVolumes", "LOCAL VOLUMES",
			 "Mounts", "MOUNTS", "Names", "NAMES", "Networks", "NETWORKS", "Ports", "PORTS", "RunningFor",
			 "CREATED", "Size", "SIZE", "State", "STATE", "Status", "STATUS");
}

/* A missing key of our map is a missing method of docker's struct. */
static void print_exec_error(const char *prefix, const char *msg)
{
	const char *m = strstr(msg, "map has no entry for key \"");

	if (!m) {
		fprintf(stderr, "%s%s\n", prefix, msg);
		return;
	}
	{
		const char *k = m + strlen("map has no entry for key \"");
		int klen = (int)strcspn(k, "\"");

		if (klen == 5 && !strncmp(k, "Label", 5))
			fprintf(stderr, "%s%.*swrong number of args for Label: want 1 got 0\n", prefix, (int)(m - msg), msg);
		else
			fprintf(stderr, "%s%.*scan't evaluate field %.*s in type *formatter.ContainerContext\n", prefix,
				(int)(m - msg), msg, klen, k);
	}
}

static const char *parse_msg(const char *msg)
{
	static const char p[] = "template parsing error: ";

	return strncmp(msg, p, sizeof(p) - 1) ? msg : msg + sizeof(p) - 1;
}

/* buildContainerListOptions' check of a --format: 0, or the exit status
 * after docker's message. */
static int probe_format(struct ps_ctx *x, const char *format)
{
	struct berth_container_item zero = { .state = "", .status = "" };
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;
	struct tmpl *t = NULL;
	struct row r;
	json_t *data;
	int rc = 0;

	if (tmpl_parse(&t, format, &err) < 0) {
		fprintf(stderr, "failed to parse template: %s\n", parse_msg(err.msg));
		return 1;
	}
	row_fill(x, &zero, &r, 1);
	data = row_json(&r);
	if (tmpl_exec_opts(t, data, &out, 1, &err) < 0) {
		print_exec_error("failed to execute template: ", err.msg);
		rc = 1;
	}
	json_decref(data);
	row_release(&r);
	sbuf_release(&out);
	tmpl_free(t);
	if (strstr(format, ".Size") || strstr(format, "json"))
		x->size = 1;
	return rc;
}

static int flag_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int flag_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'berth %s --help'.\n", cmd);
	return 125;
}

static int help(const char *cmd, int aliases)
{
	printf("\nUsage:  berth %s [OPTIONS]\n\nList containers\n\n%sOptions:\n"
	       "  -a, --all             Show all containers (default shows just running)\n"
	       "  -f, --filter filter   Filter output based on conditions provided\n"
	       "      --format string   Pretty-print containers using a Go template\n"
	       "  -n, --last int        Show n last created containers (includes all\n"
	       "                        states) (default -1)\n"
	       "  -l, --latest          Show the latest created container (includes all\n"
	       "                        states)\n"
	       "      --no-trunc        Don't truncate output\n"
	       "  -q, --quiet           Only display container IDs\n"
	       "  -s, --size            Display total file sizes\n",
	       cmd, aliases ? "Aliases:\n  ls, ps, list\n\n" : "");
	return 0;
}

/* strconv.ParseBool, for pflag's --flag=value of a bool. */
static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]))
			return *out = 1, 0;
		if (!strcmp(s, f[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* pflag's int: strconv.ParseInt(s, 0, 64). */
static int parse_int(const char *s, int *out)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	v = strtoll(s, &end, 0);
	if (*end)
		return -1;
	*out = v > 0x7fffffff ? 0x7fffffff : v < -0x7fffffff ? -0x7fffffff : (int)v;
	return 0;
}

static void print_rows(struct ps_ctx *x, const struct berth_container_item *v, size_t n, struct sbuf *out,
		       struct table *tab, struct berr *err, int *failed)
{
	for (size_t i = 0; i < n && !*failed; i++) {
		struct row r;

		if (x->render == R_QUIET) {
			printf(x->trunc ? "%.12s\n" : "%s\n", v[i].id);
			continue;
		}
		row_fill(x, &v[i], &r, x->render != R_TABLE);
		if (x->render == R_TABLE) {
			const char *cells[] = { r.id, r.image, r.command, r.running_for, r.status, r.ports, r.names, r.size };

			table_add(tab, cells, x->size ? 8 : 7);
		} else {
			json_t *o = row_json(&r);

			/* {{json .}} marshals ContainerContext with json.Marshal,
			 * which escapes HTML. */
			if (x->render == R_JSON)
				gojson_write(out, o, NULL, NULL);
			else if (tmpl_exec(x->t, o, out, err) < 0)
				*failed = 1;
			sbuf_addch(out, '\n');
			json_decref(o);
		}
		row_release(&r);
	}
}

static int ps_main(struct cli *c, const char *cmd, int aliases, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", optional_argument, NULL, 'a' },       { "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },    { "last", required_argument, NULL, 'n' },
		{ "latest", optional_argument, NULL, 'l' },    { "no-trunc", optional_argument, NULL, 'T' },
		{ "quiet", optional_argument, NULL, 'q' },     { "size", optional_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },      { 0, 0, 0, 0 },
	};
	struct ps_ctx x = { .cmd = cmd, .trunc = 1 };
	struct berth_container_list_opts lo = { .limit = -1 };
	struct berth_container_item *v = NULL;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;
	struct table *tab = NULL;
	const char **filters = xcalloc((size_t)argc + 1, sizeof(char *));
	const char *format = "";
	char *text = NULL;
	size_t n = 0, nf = 0;
	int quiet = 0, latest = 0, o, rc = 0, failed = 0;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, "af:n:lqsh", opts, NULL)) != -1) {
		int on = 1;

		if (strchr("alTqs", o) && optarg && parse_bool(optarg, &on) < 0) {
			static const char *const names[] = { "a-a, --all", "l-l, --latest", "T--no-trunc", "q-q, --quiet",
							     "s-s, --size" };
			const char *name = "";

			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (names[i][0] == o)
					name = names[i] + 1;
			rc = flag_error(cmd, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": "
					     "invalid syntax", optarg, name, optarg);
			goto out;
		}
		switch (o) {
		case 'a': lo.all = on; break;
		case 'l': latest = on; break;
		case 'T': x.trunc = !on; break;
		case 'q': quiet = on; break;
		case 's': lo.size = on; break;
		case 'F': format = optarg; break;
		case 'n':
			if (parse_int(optarg, &lo.limit) < 0) {
				rc = flag_error(cmd, "invalid argument \"%s\" for \"-n, --last\" flag: strconv.ParseInt: "
						     "parsing \"%s\": invalid syntax", optarg, optarg);
				goto out;
			}
			break;
		case 'f':
			if (!*optarg)
				break;
			if (!strchr(optarg, '=')) {
				rc = flag_error(cmd, "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter "
						     "(expected name=value)%s", optarg, "");
				goto out;
			}
			filters[nf++] = optarg;
			break;
		case 'h':
			if (strcmp(argv[optind - 1], "--help"))
				printf("Flag shorthand -h has been deprecated, please use --help\n");
			rc = help(cmd, aliases);
			goto out;
		default: {
			const char *a = argv[optind - 1];
			char sh[2] = { (char)optopt, 0 };

			if (a[0] == '-' && a[1] == '-' && strchr("fnF", optopt ? optopt : ' '))
				rc = flag_error(cmd, "flag needs an argument: %s%s", a, "");
			else if (optopt && strchr("fn", optopt) && a[0] == '-' && a[1] == optopt && !a[2])
				rc = flag_error(cmd, "flag needs an argument: '%s' in %s", sh, a);
			else if (optopt)
				rc = flag_error(cmd, "unknown shorthand flag: '%s' in %s", sh, a);
			else {
				char *name = xstrndup(a, strcspn(a, "="));
				rc = flag_error(cmd, "unknown flag: %s%s", name, "");
				free(name);
			}
			goto out;
		}
		}
	}
	if (optind < argc) {
		char usage[64];

		snprintf(usage, sizeof(usage), "%s [OPTIONS]\n\nList containers", cmd);
		rc = cli_usage_error(cmd, usage, "accepts no arguments");
		goto out;
	}
	if (latest && lo.limit == -1)
		lo.limit = 1;
	lo.filters = filters;
	x.size = lo.size;
	if (*format && (rc = probe_format(&x, format)))
		goto out;
	lo.size = x.size;

	/* NewContainerFormat */
	if (!*format || !strcmp(format, "table")) {
		x.render = quiet ? R_QUIET : R_TABLE;
	} else {
		const char *f = format;
		char *raw = NULL;

		if (!strcmp(format, "raw"))
			f = quiet ? "container_id: {{.ID}}" : (raw = xasprintf("%s%s", RAW_FORMAT, x.size ? "size: {{.Size}}\\n" : ""));
		x.render = R_TEMPLATE;
		/* 20.10 has no "json" format key: it is a template of its own. */
		text = !strcmp(f, "json") ? xstrdup(f) : format_preprocess(f, NULL, &x.is_table);
		free(raw);
		if (!x.is_table && !strcmp(text, "{{json .}}"))
			x.render = R_JSON;
		else if (tmpl_parse(&x.t, text, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 1;
			goto out;
		}
	}

	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_container_list(c->b, &lo, &v, &n, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	x.now = time(NULL);
	if (x.render == R_TABLE) {
		static const char *const hdr[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
						   "STATUS",       "PORTS", "NAMES",   "SIZE" };
		tab = table_new();
		table_add(tab, hdr, x.size ? 8 : 7);
	}
	print_rows(&x, v, n, &out, tab, &err, &failed);
	if (failed) {
		fprintf(stderr, "template parsing error: %s\n", err.msg);
		rc = 1;
	} else if (x.render == R_TABLE) {
		table_print(tab, stdout);
	} else if (x.render != R_QUIET && x.is_table) {
		json_t *hj = header_json();

		cli_print_table_template(x.t, hj, out.buf, out.len);
		json_decref(hj);
	} else if (out.len) {
		fwrite(out.buf, 1, out.len, stdout);
	}
out:
	if (x.t)
		tmpl_free(x.t);
	table_free(tab);
	sbuf_release(&out);
	berth_container_list_free(v, n);
	free(text);
	free(filters);
	return rc;
}

int cmd_ps(struct cli *c, int argc, char **argv)
{
	return ps_main(c, "ps", 0, argc, argv);
}

int cmd_container_ls(struct cli *c, int argc, char **argv)
{
	return ps_main(c, "container ls", 1, argc, argv);
}
