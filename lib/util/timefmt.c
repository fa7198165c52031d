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

/* time's quote(): printable ASCII kept ('"' and '\\' escaped), every
 * other byte as \xNN. */
static void go_time_quote(char *out, size_t n, const char *s, size_t len)
{
	size_t o = 0;

	if (n < 3)
		return;
	out[o++] = '"';
	for (size_t i = 0; i < len && o + 6 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < ' ' || c >= 0x80) {
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
			continue;
		}
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static int duration_error(struct berr *err, const char *what, const char *orig)
{
	char q[256];

	go_time_quote(q, sizeof(q), orig, strlen(orig));
	return berr_set(err, BERR_INVALID, "time: %s %s", what, q);
}

int go_parse_duration(const char *orig, int64_t *ns, struct berr *err)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "ns", 1 },
		      { "us", 1000 },
		      { "\xc2\xb5s", 1000 },
		      { "\xce\xbcs", 1000 },
		      { "ms", 1000000 },
		      { "s", 1000000000 },
		      { "m", 60000000000ULL },
		      { "h", 3600000000000ULL } };
	const uint64_t limit = (uint64_t)1 << 63;
	const char *s = orig;
	uint64_t d = 0;
	int neg = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return duration_error(err, "invalid duration", orig);
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		int pre = 0, post = 0, overflow = 0;
		size_t ul;
		char q[128];

		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return duration_error(err, "invalid duration", orig);
		for (; *s >= '0' && *s <= '9'; s++, pre = 1) {
			if (v > (limit - 1) / 10)
				return duration_error(err, "invalid duration", orig);
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > limit)
				return duration_error(err, "invalid duration", orig);
		}
		if (*s == '.') {
			/* leadingFraction: digits past what fits are dropped */
			for (s++; *s >= '0' && *s <= '9'; s++, post = 1) {
				if (overflow)
					continue;
				if (f > (limit - 1) / 10) {
					overflow = 1;
					continue;
				}
				f = f * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
		if (!pre && !post)
			return duration_error(err, "invalid duration", orig);
		for (ul = 0; s[ul] && s[ul] != '.' && !(s[ul] >= '0' && s[ul] <= '9'); ul++)
			;
		if (!ul)
			return duration_error(err, "missing unit in duration", orig);
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].unit) == ul && !strncmp(s, units[i].unit, ul))
				unit = units[i].ns;
		if (!unit) {
			char qo[256];

			go_time_quote(q, sizeof(q), s, ul);
			go_time_quote(qo, sizeof(qo), orig, strlen(orig));
			return berr_set(err, BERR_INVALID, "time: unknown unit %s in duration %s", q, qo);
		}
		s += ul;
		if (v > limit / unit)
			return duration_error(err, "invalid duration", orig);
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > limit)
				return duration_error(err, "invalid duration", orig);
		}
		d += v;
		if (d > limit)
			return duration_error(err, "invalid duration", orig);
	}
	if (neg) {
		*ns = d == limit ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > limit - 1)
		return duration_error(err, "invalid duration", orig);
	*ns = (int64_t)d;
	return 0;
}

int timestamp_parse(const char *s, int64_t *out, struct berr *err)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
	double secs;
	int64_t d;
	char *end;
	struct tm tm;

	/* GetTimestamp: a duration, except "0" (unix time 0 below) */
	if (strcmp(s, "0") != 0 && go_parse_duration(s, &d, NULL) == 0) {
		*out = (int64_t)time(NULL) - d / 1000000000;
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
