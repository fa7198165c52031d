/* cmd-diff.c - `berth diff CONTAINER`: docker's "C /path", "A ...", "D ..." lines. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define USAGE "diff CONTAINER\n\nInspect changes to files or directories on a container's filesystem"

int cmd_diff(struct cli *c, int argc, char **argv)
{
	static const char letters[] = "CAD";
	struct berth_container_change *v;
	struct berr err = BERR_INIT;
	size_t n;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("\nUsage:  berth %s\n", USAGE);
		return 0;
	}
	if (argc != 2)
		return cli_usage_error("diff", USAGE, "requires exactly 1 argument");
	if (!cli_berth(c))
		return 1;
	if (berth_container_changes(c->b, argv[1], &v, &n, &err) < 0)
		return cli_error(&err, 1);
	for (size_t i = 0; i < n; i++)
		printf("%c %s\n", v[i].kind >= 0 && v[i].kind <= 2 ? letters[v[i].kind] : '?', v[i].path);
	berth_container_changes_free(v, n);
	return 0;
}
