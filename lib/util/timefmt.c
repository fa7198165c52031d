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

void unix_to_rfc3339nano(int64_t sec, long nsec, char out[40])
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec > 0) {
		n += (size_t)snprintf(out + n, 40 - n, ".%09ld", nsec);
		while (out[n - 1] == '0')
			n--;
	}
	out[n++] = 'Z';
	out[n] = '\0';
}
