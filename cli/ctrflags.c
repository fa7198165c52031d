/* ctrflags.c - what logs, stop, kill and restart share in parsing their
 * flags with getopt_long as pflag words its errors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_getopt_error(const char *cmd, char **argv, int o)
{
	const char *a = argv[optind - 1];
	int is_long;

	/* getopt leaves optind on a cluster ("-xf") until its last letter */
	if (optopt && (a[0] != '-' || !strchr(a + 1, optopt)) && argv[optind])
		a = argv[optind];
	is_long = a[0] == '-' && a[1] == '-';

	if (o == ':' && is_long)
		fprintf(stderr, "flag needs an argument: %.*s\n", (int)strcspn(a, "="), a);
	else if (o == ':')
		fprintf(stderr, "flag needs an argument: '%c' in -%c\n", optopt, optopt);
	else if (is_long)
		fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(a, "="), a);
	else
		fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, a);
	fprintf(stderr, "See 'berth %s --help'.\n", cmd);
	return 125;
}

void cli_errors_add(struct sbuf *errs, const struct berr *err)
{
	sbuf_addf(errs, "Error response from daemon: %s\n", err->msg);
}

int cli_errors_finish(struct sbuf *errs)
{
	int rc = errs->len ? 1 : 0;

	fflush(stdout);
	if (errs->len)
		fwrite(errs->buf, 1, errs->len, stderr);
	sbuf_release(errs);
	return rc;
}

int cli_int_flag(const char *cmd, const char *flag, const char *v, int *out)
{
	const char *p = v + (*v == '-' || *v == '+');
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*p || strspn(p, "0123456789") != strlen(p) || errno || n < -2147483647L - 1 || n > 2147483647L) {
		fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing \"%s\": %s\n"
				"See 'berth %s --help'.\n",
			v, flag, v, *p && strspn(p, "0123456789") == strlen(p) ? "value out of range" : "invalid syntax",
			cmd);
		return 125;
	}
	*out = (int)n;
	return 0;
}

int cli_timed_command(struct cli *c, const struct cli_timed *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int timeout = 10, *tp = NULL, o;
	struct sbuf errs = SBUF_INIT;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			if (cli_int_flag(t->name, "-t, --time", optarg, &timeout))
				return 125;
			tp = &timeout;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nOptions:\n  -t, --time int   %s\n", t->usage, t->time_help);
			return 0;
		default: return cli_getopt_error(t->name, argv, o);
		}
	}
	if (optind >= argc)
		return cli_usage_error(t->name, t->usage, "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct berr err = BERR_INIT;

		if (t->run(c->b, argv[i], tp, &err) < 0) {
			cli_errors_add(&errs, &err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_finish(&errs);
}
