/* cmd-top.c - `berth top CONTAINER [ps OPTIONS]`: the options joined by
 * spaces (the API's ps_args), and the answer printed as the docker CLI
 * does, through a tabwriter with minwidth 20, padding 3 (the last cell of
 * a row unpadded). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <berth/container.h>

#include "cli.h"

#define USAGE "top CONTAINER [ps OPTIONS]\n\nDisplay the running processes of a container"

static void print_row(char *const *cells, size_t n, const size_t *w)
{
	for (size_t i = 0; i < n; i++) {
		fputs(cells[i], stdout);
		if (i + 1 < n)
			for (size_t k = cli_text_width(cells[i]); k < w[i]; k++)
				putchar(' ');
	}
	putchar('\n');
}

int cmd_top(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_container_top t;
	struct berr err = BERR_INIT;
	struct sbuf args = SBUF_INIT;
	size_t *w;
	int o;

	opterr = 0;
	optind = 0;
	/* pflag without interspersed flags: the ps options are not ours */
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'h': printf("\nUsage:  berth %s\n", USAGE); return 0;
		default: return cli_getopt_error("top", argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error("top", USAGE, "requires at least 1 argument");
	for (int i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			sbuf_addch(&args, ' ');
		sbuf_addstr(&args, argv[i]);
	}
	if (!cli_berth(c)) {
		sbuf_release(&args);
		return 1;
	}
	if (berth_container_top(c->b, argv[optind], sbuf_str(&args), &t, &err) < 0) {
		sbuf_release(&args);
		return cli_error(&err, 1);
	}
	sbuf_release(&args);
	/* one block: every row has one cell per title */
	w = xcalloc(t.n_titles + 1, sizeof(*w));
	for (size_t i = 0; i + 1 < t.n_titles; i++) {
		w[i] = cli_text_width(t.titles[i]) + 3;
		for (size_t r = 0; r < t.n_processes; r++)
			if (cli_text_width(t.processes[r][i]) + 3 > w[i])
				w[i] = cli_text_width(t.processes[r][i]) + 3;
		if (w[i] < 20)
			w[i] = 20;
	}
	print_row(t.titles, t.n_titles, w);
	for (size_t r = 0; r < t.n_processes; r++)
		print_row(t.processes[r], t.n_titles, w);
	free(w);
	berth_container_top_release(&t);
	return 0;
}
