/* cmd-rename.c - `berth rename CONTAINER NEW_NAME`: docker 20.10's
 * (cli/command/container/rename.go): both names trimmed, the daemon's
 * error and then "Error: failed to rename container named OLD". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define USAGE "rename CONTAINER NEW_NAME\n\nRename a container"

/* strings.TrimSpace (ASCII). */
static char *trim(const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int cmd_rename(struct cli *c, int argc, char **argv)
{
	struct berr err = BERR_INIT;
	char *old_name, *new_name;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("\nUsage:  berth %s\n", USAGE);
			return 0;
		}
		if (argv[i][1] == '-')
			fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(argv[i], "="), argv[i]);
		else
			fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", argv[i][1], argv[i]);
		fprintf(stderr, "See 'berth rename --help'.\n");
		return 125;
	}
	if (argc - i != 2)
		return cli_usage_error("rename", USAGE, "requires exactly 2 arguments");
	old_name = trim(argv[i]);
	new_name = trim(argv[i + 1]);
	if (!*old_name || !*new_name) {
		fprintf(stderr, "Error: Neither old nor new names may be empty\n");
		rc = 1;
	} else if (!cli_berth(c)) {
		rc = 1;
	} else if (berth_container_rename(c->b, old_name, new_name, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\nError: failed to rename container named %s\n", err.msg,
			old_name);
		rc = 1;
	}
	free(old_name);
	free(new_name);
	return rc;
}
