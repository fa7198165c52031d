/*
 * preprocess.c - the docker CLI's --format preprocessing (template.h):
 * what cli/command/formatter does to the flag before parsing it.
 */
#include <string.h>

#include "internal.h"

char *format_preprocess(const char *format, const char *default_table, int *is_table)
{
	const char *f = format;
	struct sbuf b = SBUF_INIT;
	size_t n;

	*is_table = !strncmp(f, "table", 5);
	if (*is_table) {
		f += 5;
		if (!strcmp(format, "table") && default_table)
			f = default_table;
	} else if (!strcmp(f, "json")) {
		f = "{{json .}}";
	}
	while (*f == ' ')
		f++;
	n = strlen(f);
	while (n && f[n - 1] == ' ')
		n--;
	/* the two-character sequences \t and \n */
	while (n) {
		if (f[0] == '\\' && n > 1 && (f[1] == 't' || f[1] == 'n')) {
			sbuf_addch(&b, f[1] == 't' ? '\t' : '\n');
			f += 2;
			n -= 2;
			continue;
		}
		sbuf_addch(&b, *f++);
		n--;
	}
	return sbuf_detach(&b, NULL);
}
