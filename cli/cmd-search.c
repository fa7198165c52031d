/*
 * cmd-search.c - `berth search [OPTIONS] TERM`, printed as docker 20.10's
 * CLI prints `docker search` (cli/command/registry/search.go and
 * formatter_search.go): the NAME DESCRIPTION STARS OFFICIAL AUTOMATED
 * table, descriptions on one line and cut to 45 columns with "…" unless
 * --no-trunc, booleans as "[OK]", and Go-template --format.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char usage_line[] = "search [OPTIONS] TERM\n\nSearch the Docker Hub for images";
#define DEFAULT_TABLE "{{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}"
#define TRUNC_WIDTH 45

static int flag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int flag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'berth search --help'.\n");
	return 125;
}

/* The searchContext's fields, as strings. */
static json_t *row_json(const struct berth_registry_search_result *r, int trunc, int json_bools)
{
	char *desc = xstrdup(r->description), *d;
	json_t *o = json_object();

	for (d = desc; *d; d++)
		if (*d == '\n' || *d == '\r')
			*d = ' ';
	if (trunc) {
		d = cli_ellipsis(desc, TRUNC_WIDTH);
		free(desc);
		desc = d;
	}
	/* Sorted keys: what {{json .}} marshals. */
	json_object_set_new(o, "Description", json_string(desc));
	if (json_bools) {
		json_object_set_new(o, "IsAutomated", json_string(r->is_automated ? "true" : "false"));
		json_object_set_new(o, "IsOfficial", json_string(r->is_official ? "true" : "false"));
	} else {
		json_object_set_new(o, "IsAutomated", json_string(r->is_automated ? "[OK]" : ""));
		json_object_set_new(o, "IsOfficial", json_string(r->is_official ? "[OK]" : ""));
	}
	json_object_set_new(o, "Name", json_string(r->name));
	json_object_set_new(o, "StarCount", json_sprintf("%lld", (long long)r->star_count));
	free(desc);
	return o;
}

static json_t *header_json(void)
{
	return json_pack("{ssssssssss}", "Description", "DESCRIPTION", "IsAutomated", "AUTOMATED", "IsOfficial",
			 "OFFICIAL", "Name", "NAME", "StarCount", "STARS");
}

/* Renders the results; 1 with the message printed on a template error. */
static int render(const char *format, int trunc, const struct berth_registry_search_result *v, size_t n)
{
	struct sbuf out = SBUF_INIT;
	struct berr err = BERR_INIT;
	struct tmpl *t = NULL;
	int is_table = 0, rc = 0;
	char *text;

	if (!format || !*format)
		format = "table";
	/* 20.10 has no "json" format key: it is a template like any text. */
	text = !strcmp(format, "json") ? xstrdup("json") : format_preprocess(format, DEFAULT_TABLE, &is_table);
	if (!is_table && !strcmp(text, "{{json .}}")) {
		/* json.Marshal of the context: HTML escaped. */
		for (size_t i = 0; i < n; i++) {
			json_t *o = row_json(&v[i], trunc, 1);

			gojson_write(&out, o, NULL, NULL);
			sbuf_addch(&out, '\n');
			json_decref(o);
		}
		goto print;
	}
	if (tmpl_parse(&t, text, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 1;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = row_json(&v[i], trunc, 0);

		rc = tmpl_exec(t, o, &out, &err);
		json_decref(o);
		if (rc < 0) {
			fprintf(stderr, "template parsing error: %s\n", err.msg);
			rc = 1;
			goto done;
		}
		sbuf_addch(&out, '\n');
	}
	if (is_table) {
		json_t *h = header_json();

		cli_print_table_template(t, h, out.buf, out.len);
		json_decref(h);
		goto done;
	}
print:
	fwrite(sbuf_str(&out), 1, out.len, stdout);
done:
	tmpl_free(t);
	free(text);
	sbuf_release(&out);
	return rc;
}

/* strconv.ParseInt(s, 0, 64), as pflag's int flag parses. */
static int parse_limit(const char *s, int *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (!*s || *end || isspace((unsigned char)*s))
		return flag_error("invalid argument \"%s\" for \"--limit\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax", s, s);
	if (errno == ERANGE || v > INT32_MAX || v < INT32_MIN)
		return flag_error("invalid argument \"%s\" for \"--limit\" flag: strconv.ParseInt: parsing \"%s\": value out of range", s, s);
	*out = (int)v;
	return 0;
}

/* opts.FilterOpt: "name=value", the name lower-cased, both trimmed. */
static char *normalize_filter(const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *k = arg, *ke = eq, *val = eq + 1, *ve = eq + strlen(eq);
	char *out;

	while (k < ke && isspace((unsigned char)*k))
		k++;
	while (ke > k && isspace((unsigned char)ke[-1]))
		ke--;
	while (*val && isspace((unsigned char)*val))
		val++;
	while (ve > val && isspace((unsigned char)ve[-1]))
		ve--;
	out = xasprintf("%.*s=%.*s", (int)(ke - k), k, (int)(ve - val), val);
	for (char *p = out; *p != '='; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

int cmd_search(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "filter", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_registry_search_opts so = { .limit = 25 };
	struct berth_registry_search_result *v = NULL;
	struct berr err = BERR_INIT;
	char **filters = xcalloc((size_t)argc + 1, sizeof(char *));
	const char *format = NULL;
	size_t n = 0, nf = 0;
	int no_trunc = 0, o, rc = 1;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (o) {
		case 'T': no_trunc = 1; break;
		case 'F': format = optarg; break;
		case 'l':
			if (parse_limit(optarg, &so.limit)) {
				rc = 125;
				goto out;
			}
			break;
		case 'f':
			if (!*optarg)
				break;
			if (!strchr(optarg, '=')) {
				rc = flag_error("invalid argument \"%s\" for \"%s\" flag: bad format of filter (expected name=value)",
						optarg, "-f, --filter");
				goto out;
			}
			filters[nf++] = normalize_filter(optarg);
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -f, --filter filter   Filter output based on conditions provided\n"
			       "      --format string   Pretty-print search using a Go template\n"
			       "      --limit int       Max number of search results (default 25)\n"
			       "      --no-trunc        Don't truncate output\n", usage_line);
			rc = 0;
			goto out;
		default:
			if (optopt && strchr("f", optopt))
				rc = flag_error("flag needs an argument: '%s' in -%s", (char[]){ (char)optopt, 0 },
						(char[]){ (char)optopt, 0 });
			else if (optopt)
				rc = flag_error("unknown shorthand flag: '%s' in -%s", (char[]){ (char)optopt, 0 },
						(char[]){ (char)optopt, 0 });
			else if (strchr(argv[optind - 1], '=') || optind - 1 >= argc || argv[optind - 1][1] != '-')
				rc = flag_error("unknown flag: %s%s", argv[optind - 1], "");
			else {
				const char *a = argv[optind - 1];
				int known = 0;

				for (size_t k = 0; opts[k].name; k++)
					known |= !strcmp(a + 2, opts[k].name);
				rc = known ? flag_error("flag needs an argument: %s%s", a, "")
					   : flag_error("unknown flag: %s%s", a, "");
			}
			goto out;
		}
	}
	if (argc - optind != 1) {
		rc = cli_usage_error("search", usage_line, "requires exactly 1 argument");
		goto out;
	}
	/* The CLI checks the index name before asking the daemon. */
	if (berth_registry_search_check_term(argv[optind], &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	so.filters = (const char *const *)filters;
	if (berth_registry_search(c->config, argv[optind], &so, &v, &n, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	rc = render(format, !no_trunc, v, n);
out:
	berth_registry_search_results_free(v, n);
	for (size_t i = 0; i < nf; i++)
		free(filters[i]);
	free(filters);
	return rc;
}
