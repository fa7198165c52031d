/* timefmt.c - see timefmt.h. */
#define _XOPEN_SOURCE 700
#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Go's time.ParseDuration for the common forms ("24h", "1h30m", "90s"). */
static int parse_duration(const char *s, double *secs)
{
	double total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end), unit;
		if (end == s)
			return -1;
		s = end;
		if (!strncmp(s, "ns", 2))
			unit = 1e-9, s += 2;
		else if (!strncmp(s, "us", 2) || !strncmp(s, "µs", 3))
			unit = 1e-6, s += s[0] == 'u' ? 2 : 3;
		else if (!strncmp(s, "ms", 2))
			unit = 1e-3, s += 2;
		else if (*s == 's')
			unit = 1, s++;
		else if (*s == 'm')
			unit = 60, s++;
		else if (*s == 'h')
			unit = 3600, s++;
		else
			return -1;
		total += v * unit;
	}
	*secs = total;
	return 0;
}

int timestamp_parse(const char *s, int64_t *out, struct berr *err)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
	double secs;
	char *end;
	struct tm tm;

	if (parse_duration(s, &secs) == 0) {
		*out = (int64_t)time(NULL) - (int64_t)secs;
		return 0;
	}
	secs = strtod(s, &end);
	if (end != s && *end == '\0' && isdigit((unsigned char)s[0])) {
		*out = (int64_t)secs;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		const char *rest;
		memset(&tm, 0, sizeof(tm));
		if (!(rest = strptime(s, fmts[i], &tm)))
			continue;
		if (*rest == '.')
			for (rest++; isdigit((unsigned char)*rest); rest++)
				;
		if (*rest == 'Z' || *rest == '\0') {
			*out = (int64_t)timegm(&tm);
			return 0;
		}
		if (*rest == '+' || *rest == '-') {
			int h = 0, m = 0;
			if (sscanf(rest + 1, "%d:%d", &h, &m) != 2)
				continue;
			*out = (int64_t)timegm(&tm) - (*rest == '+' ? 1 : -1) * (int64_t)(h * 3600 + m * 60);
			return 0;
		}
	}
	return berr_set(err, BERR_INVALID, "failed to parse value as time or duration: \"%s\"", s);
}

void human_duration_ns(char *buf, size_t n, int64_t ns)
{
	double sec = (double)ns / 1e9;
	int64_t s = (int64_t)sec, minutes = (int64_t)(sec / 60), hours = (int64_t)(sec / 3600 + 0.5);

	if (s < 1)
		snprintf(buf, n, "Less than a second");
	else if (s == 1)
		snprintf(buf, n, "1 second");
	else if (s < 60)
		snprintf(buf, n, "%lld seconds", (long long)s);
	else if (minutes == 1)
		snprintf(buf, n, "About a minute");
	else if (minutes < 60)
		snprintf(buf, n, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, n, "About an hour");
	else if (hours < 48)
		snprintf(buf, n, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, n, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, n, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, n, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, n, "%lld years", (long long)(sec / 3600) / 24 / 365);
}
