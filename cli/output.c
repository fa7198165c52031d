/*
 * output.c - the docker CLI's output primitives: go-units sizes and
 * durations, and its tabwriter layout.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/template.h"

static void human_size_prec(char *buf, size_t n, double size, int prec)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
	size_t i = 0;

	while (size >= 1000 && i < sizeof(units) / sizeof(units[0]) - 1) {
		size /= 1000;
		i++;
	}
	snprintf(buf, n, "%.*g%s", prec, size, units[i]);
}

void human_size(char *buf, size_t n, double size)
{
	human_size_prec(buf, n, size, 3);
}

void human_size4(char *buf, size_t n, double size)
{
	human_size_prec(buf, n, size, 4);
}

void human_duration(char *buf, size_t n, int64_t s)
{
	int64_t minutes = s / 60, hours = (s + 1800) / 3600;

	if (s < 1)
		snprintf(buf, n, "Less than a second");
	else if (s == 1)
		snprintf(buf, n, "1 second");
	else if (s < 60)
		snprintf(buf, n, "%lld seconds", (long long)s);
	else if (minutes == 1)
		snprintf(buf, n, "About a minute");
	else if (minutes < 60)
		snprintf(buf, n, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, n, "About an hour");
	else if (hours < 48)
		snprintf(buf, n, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, n, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, n, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, n, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, n, "%lld years", (long long)(s / 3600 / 24 / 365));
}

struct table {
	char ***rows;
	size_t *ncells;
	size_t n, cap;
};

struct table *table_new(void)
{
	return calloc(1, sizeof(struct table));
}

void table_add(struct table *t, const char *const *cells, size_t n)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = realloc(t->rows, t->cap * sizeof(*t->rows));
		t->ncells = realloc(t->ncells, t->cap * sizeof(*t->ncells));
		if (!t->rows || !t->ncells)
			abort();
	}
	t->rows[t->n] = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		t->rows[t->n][i] = strdup(cells[i]);
	t->ncells[t->n++] = n;
}

/* Display width: runes, as go-runewidth counts narrow characters. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print(struct table *t, FILE *out)
{
	size_t cols = 0, *w;

	for (size_t r = 0; r < t->n; r++)
		if (t->ncells[r] > cols)
			cols = t->ncells[r];
	w = calloc(cols + 1, sizeof(*w));
	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c + 1 < t->ncells[r]; c++) {
			size_t x = width(t->rows[r][c]) + 3;
			if (x < 10)
				x = 10;
			if (x > w[c])
				w[c] = x;
		}
	for (size_t r = 0; r < t->n; r++) {
		for (size_t c = 0; c < t->ncells[r]; c++) {
			fputs(t->rows[r][c], out);
			if (c + 1 < t->ncells[r])
				for (size_t k = width(t->rows[r][c]); k < w[c]; k++)
					fputc(' ', out);
		}
		fputc('\n', out);
	}
	free(w);
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->n; r++) {
		for (size_t c = 0; c < t->ncells[r]; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	free(t->rows);
	free(t->ncells);
	free(t);
}

const char *go_strerror(int errnum, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

void table_feed(struct table *tab, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *cells[64];
		char *line = strndup(s, (size_t)(le - s)), *p = line;
		size_t n = 0;

		if (!line)
			abort();
		for (;;) {
			char *tab_at = strchr(p, '\t');
			if (n < 63)
				cells[n++] = p;
			if (!tab_at)
				break;
			*tab_at = 0;
			p = tab_at + 1;
		}
		table_add(tab, cells, n);
		free(line);
		s = nl ? nl + 1 : end;
	}
}

int cli_format_flag(const char *cmd, const char *usage, int argc, char **argv, const char **format)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int o;

	*format = NULL;
	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (o) {
		case 'f': *format = optarg; break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n"
			       "  -f, --format string   Format the output using the given Go template\n", usage);
			return 0;
		default:
			fprintf(stderr, "unknown flag: %s\nSee 'berth %s --help'.\n", argv[optind - 1], cmd);
			return 125;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, usage, "accepts no arguments");
	return -1;
}

int cli_print_template(struct tmpl *t, struct json_t *data)
{
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;
	int rc = 0;

	if (tmpl_exec(t, data, &out, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 1;
	} else {
		printf("%s\n", sbuf_str(&out));
	}
	sbuf_release(&out);
	return rc;
}

int ref_has_tag_or_digest(const char *ref)
{
	const char *slash = strrchr(ref, '/');

	return strchr(ref, '@') || strchr(slash ? slash : ref, ':');
}
