/* cmd-inspect.c - `berth inspect NAME|ID...`: a JSON array like docker's. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_inspect(struct cli *c, int argc, char **argv)
{
	struct berr err = BERR_INIT;
	int rc = 0, first = 1;

	if (argc < 2)
		return cli_usage_error("inspect", "inspect [OPTIONS] NAME|ID [NAME|ID...]\n\nReturn low-level information on Docker objects",
				       "requires at least 1 argument");
	if (!cli_berth(c))
		return 1;
	printf("[");
	for (int i = 1; i < argc; i++) {
		char *json;
		if (berth_image_inspect(c->b, argv[i], &json, &err) < 0) {
			if (err.code == BERR_NOT_FOUND)
				fprintf(stderr, "Error: No such object: %s\n", argv[i]);
			else
				fprintf(stderr, "Error: %s\n", err.msg);
			rc = 1;
			continue;
		}
		/* Indent the object by 4 like docker's json.Indent of the array. */
		printf("%s\n    ", first ? "" : ",");
		for (char *p = json; *p; p++) {
			putchar(*p);
			if (*p == '\n')
				fputs("    ", stdout);
		}
		free(json);
		first = 0;
	}
	printf(first ? "]\n" : "\n]\n");
	return rc;
}
