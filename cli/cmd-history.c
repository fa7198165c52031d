/*
 * cmd-history.c - `berth history` / `berth image history`, printed as
 * Docker 20.10's CLI prints `docker history` (cli/command/image/history.go
 * and formatter_history.go): the IMAGE/CREATED/CREATED BY/SIZE/COMMENT
 * table, -H=false's RFC 3339 times and byte counts, CREATED BY cut to 45
 * columns with "…", -q, and --format templates.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char usage_text[] = "history [OPTIONS] IMAGE\n\nShow the history of an image";

static const char default_format[] = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
static const char non_human_format[] = "{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

/* time.Unix(t, 0).Format(time.RFC3339) in local time. */
static void rfc3339(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t len;
	long off;

	localtime_r(&tt, &tm);
	off = tm.tm_gmtoff;
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	len = strlen(buf);
	if (!off)
		snprintf(buf + len, n - len, "Z");
	else
		snprintf(buf + len, n - len, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
			 labs(off) % 3600 / 60);
}

struct hist_opts {
	int human, trunc;
	time_t now;
};

/* historyContext's fields for one row, keys sorted as {{json .}} marshals. */
static json_t *row_json(const struct hist_opts *o, const struct berth_image_history_item *h)
{
	char at[64], since[64], size[32], *by, *p;
	json_t *r;

	rfc3339(at, sizeof(at), h->created);
	if (o->human) {
		/* time.Sub saturates at ~292 years (Go's zero time). */
		int64_t d = (int64_t)o->now - h->created;
		if (h->created < 0 && d > INT64_C(9223372036))
			d = INT64_C(9223372036);
		human_duration_ago(since, sizeof(since), d);
		human_size(size, sizeof(size), (double)h->size);
	} else {
		snprintf(since, sizeof(since), "%s", at);
		snprintf(size, sizeof(size), "%lld", (long long)h->size);
	}
	by = xstrdup(h->created_by);
	for (p = by; *p; p++)
		if (*p == '\t')
			*p = ' ';
	if (o->trunc) {
		char *e = cli_ellipsis(by, 45);
		free(by);
		by = e;
	}
	r = json_object();
	json_object_set_new(r, "Comment", json_string(h->comment));
	json_object_set_new(r, "CreatedAt", json_string(at));
	json_object_set_new(r, "CreatedBy", json_string(by));
	json_object_set_new(r, "CreatedSince", json_string(since));
	if (o->trunc && strncmp(h->id, "sha256:", 7) == 0)
		json_object_set_new(r, "ID", json_stringn(h->id + 7, 12));
	else
		json_object_set_new(r, "ID", json_string(h->id));
	json_object_set_new(r, "Size", json_string(size));
	free(by);
	return r;
}

static json_t *header_json(void)
{
	return json_pack("{ssssssssssss}", "Comment", "COMMENT", "CreatedAt", "CREATED AT", "CreatedBy", "CREATED BY",
			 "CreatedSince", "CREATED", "ID", "IMAGE", "Size", "SIZE");
}

/* strconv.ParseBool. */
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

int cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "human", optional_argument, NULL, 'H' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct hist_opts ho = { .human = 1, .trunc = 1 };
	struct berth_image_history_item *v = NULL;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;
	struct tmpl *t = NULL;
	const char *format = "";
	char *text = NULL;
	size_t n = 0;
	int quiet = 0, is_table = 0, o, rc = 0;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, "H::qh", opts, NULL)) != -1) {
		switch (o) {
		case 'F': format = optarg; break;
		case 'T': ho.trunc = 0; break;
		case 'q': quiet = 1; break;
		case 'H': {
			const char *val = optarg ? (optarg[0] == '=' ? optarg + 1 : optarg) : "true";
			if (parse_bool(val, &ho.human) < 0) {
				fprintf(stderr, "invalid argument \"%s\" for \"-H, --human\" flag: strconv.ParseBool: "
						"parsing \"%s\": invalid syntax\nSee 'berth history --help'.\n", val, val);
				return 125;
			}
			break;
		}
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "      --format string   Pretty-print images using a Go template\n"
			       "  -H, --human           Print sizes and dates in human readable format (default true)\n"
			       "      --no-trunc        Don't truncate output\n"
			       "  -q, --quiet           Only show image IDs\n", usage_text);
			return 0;
		default: {
			const char *a = argv[optind - 1];
			if (optopt)
				fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, a);
			else if (!strcmp(a, "--format"))
				fprintf(stderr, "flag needs an argument: %s\n", a);
			else
				fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(a, "="), a);
			fprintf(stderr, "See 'berth history --help'.\n");
			return 125;
		}
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("history", usage_text, "requires exactly 1 argument");

	/* NewHistoryFormat */
	if (!*format)
		format = "table";
	if (!strcmp(format, "table") && quiet)
		format = "{{.ID}}";
	text = format_preprocess(format, ho.human ? default_format : non_human_format, &is_table);
	if (tmpl_parse(&t, text, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(text);
		return 1;
	}
	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_image_history(c->b, argv[optind], &v, &n, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	ho.now = time(NULL);
	for (size_t i = 0; i < n; i++) {
		json_t *r = row_json(&ho, &v[i]);
		/* {{json .}} marshals historyContext with json.Marshal, which
		 * escapes HTML, unlike the json function on a field. */
		if (!is_table && !strcmp(text, "{{json .}}")) {
			gojson_write(&out, r, NULL, NULL);
			sbuf_addch(&out, '\n');
			json_decref(r);
			continue;
		}
		if (tmpl_exec(t, r, &out, &err) < 0) {
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
	tmpl_free(t);
	free(text);
	sbuf_release(&out);
	if (v)
		berth_image_history_free(v, n);
	return rc;
}
