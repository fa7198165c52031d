/* timefmt.c - see timefmt.h. */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

int64_t rfc3339_to_unix(const char *s)
{
	struct tm tm = { 0 };
	const char *rest;
	int64_t t;

	if (!s || !(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	t = (int64_t)timegm(&tm);
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	if (*rest == '+' || *rest == '-') {
		int h = 0, m = 0;
		if (sscanf(rest + 1, "%d:%d", &h, &m) == 2)
			t -= (*rest == '+' ? 1 : -1) * (int64_t)(h * 3600 + m * 60);
	}
	return t;
}
