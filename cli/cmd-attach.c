/* cmd-attach.c - `berth attach` (stub until implemented). */
#include <stdio.h>

#include "cli.h"

int cmd_attach(struct cli *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "attach: not implemented\n");
	return 1;
}
