/* cmd-logout.c - `berth logout [SERVER]`, docker 20.10's lines: it always
 * says "Removing login credentials for <host>" and erases the server as
 * given plus the forms old CLIs stored it under. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_line[] = "logout [SERVER]\n\nLog out from a Docker registry";

int cmd_logout(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT, errs[4];
	char *host = NULL, *owned[3] = { NULL, NULL, NULL };
	const char *keys[4];
	size_t n = 0;
	int o, failed;

	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'h') {
			printf("\nUsage:  berth logout [SERVER]\n\nLog out from a Docker registry.\n"
			       "If no server is specified, the default is defined by the daemon.\n");
			return 0;
		}
		return 125;
	}
	if (argc - optind > 1)
		return cli_usage_error("logout", usage_line, "requires at most 1 argument");
	if (argc - optind == 0) {
		host = xstrdup(BERTH_REGISTRY_INDEX_SERVER);
		keys[n++] = BERTH_REGISTRY_INDEX_SERVER;
	} else {
		host = berth_registry_hostname(argv[optind]);
		keys[n++] = argv[optind];
		keys[n++] = host;
		owned[0] = xasprintf("http://%s", host);
		owned[1] = xasprintf("https://%s", host);
		keys[n++] = owned[0];
		keys[n++] = owned[1];
	}
	printf("Removing login credentials for %s\n", host);
	fflush(stdout);
	failed = berth_registry_logout(keys, n, errs, &err);
	if (failed < 0) {
		for (size_t i = 0; i < n; i++)
			errs[i] = err;
		failed = (int)n;
	}
	/* Docker warns only when no removal succeeded. */
	if ((size_t)failed == n) {
		fprintf(stderr, "WARNING: could not erase credentials:\n");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s: %s\n", keys[i], errs[i].msg);
	}
	free(host);
	free(owned[0]);
	free(owned[1]);
	return 0;
}
