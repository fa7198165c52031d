/*
 * output.c - the docker CLI's output primitives: go-units sizes and
 * durations, formatter.Ellipsis, its tabwriter layout and the "table"
 * --format templates printed through it.
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
	berth_human_duration(buf, n, s * 1000000000);
}

void human_duration_ago(char *buf, size_t n, int64_t s)
{
	size_t len;

	human_duration(buf, n, s);
	len = strlen(buf);
	snprintf(buf + len, n - len, " ago");
}

struct table {
	char ***rows;
	size_t *ncells;
	size_t n, cap;
};

struct table *table_new(void)
{
	return xcalloc(1, sizeof(struct table));
}

void table_add(struct table *t, const char *const *cells, size_t n)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
		t->ncells = xrealloc(t->ncells, t->cap * sizeof(*t->ncells));
	}
	t->rows[t->n] = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		t->rows[t->n][i] = xstrdup(cells[i]);
	t->ncells[t->n++] = n;
}

size_t cli_text_width(const char *s)
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
	w = xcalloc(cols + 1, sizeof(*w));
	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c + 1 < t->ncells[r]; c++) {
			size_t x = cli_text_width(t->rows[r][c]) + 3;
			if (x < 10)
				x = 10;
			if (x > w[c])
				w[c] = x;
		}
	for (size_t r = 0; r < t->n; r++) {
		for (size_t c = 0; c < t->ncells[r]; c++) {
			fputs(t->rows[r][c], out);
			if (c + 1 < t->ncells[r])
				for (size_t k = cli_text_width(t->rows[r][c]); k < w[c]; k++)
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
		char *line = xstrndup(s, (size_t)(le - s)), *p = line;
		size_t n = 0;

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

void cli_print_table_template(const struct tmpl *t, struct json_t *header, const char *rows, size_t len)
{
	struct table *tab = table_new();
	struct sbuf h = SBUF_INIT;
	struct berr err = BERR_INIT;

	/* Docker ignores the header's execution errors. */
	tmpl_exec(t, header, &h, &err);
	sbuf_addch(&h, '\n');
	table_feed(tab, h.buf, h.len);
	if (len)
		table_feed(tab, rows, len);
	table_print(tab, stdout);
	table_free(tab);
	sbuf_release(&h);
}

/* One UTF-8 sequence's code point and length (invalid bytes: 1, U+FFFD). */
static unsigned utf8_next(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = u[0] < 0x80 ? 1 : (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3 : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
	unsigned cp;

	if (!n) {
		*len = 1;
		return 0xFFFD;
	}
	cp = n == 1 ? u[0] : u[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*len = 1;
			return 0xFFFD;
		}
		cp = cp << 6 | (u[i] & 0x3F);
	}
	*len = n;
	return cp;
}

/* go-runewidth's RuneWidth for the common cases: combining marks and
 * controls 0, East Asian wide and fullwidth 2, the rest 1. */
static int rune_width(unsigned r)
{
	static const unsigned zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
		{ 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	};
	static const unsigned wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff },
		{ 0x20000, 0x3fffd },
	};

	if (r < 0x20 || (r >= 0x7f && r < 0xa0))
		return 0;
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (r >= zero[i][0] && r <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (r >= wide[i][0] && r <= wide[i][1])
			return 2;
	return 1;
}

char *cli_ellipsis(const char *s, int max)
{
	size_t bytes = strlen(s), runes = 0, len, i;
	int total = 0, w;

	for (i = 0; i < bytes; i += len, runes++)
		total += rune_width(utf8_next(s + i, &len));
	/* Plain ASCII is cut by bytes, whatever the widths. */
	if (runes == bytes) {
		if ((int)bytes <= max)
			return xstrdup(s);
		return xasprintf("%.*s…", max - 1, s);
	}
	if (total <= max)
		return xstrdup(s);
	/* The longest prefix whose width fits max-1. */
	for (i = 0, w = 0; i < bytes; i += len) {
		int cw = rune_width(utf8_next(s + i, &len));
		if (w + cw > max - 1)
			break;
		w += cw;
	}
	return xasprintf("%.*s…", (int)i, s);
}
