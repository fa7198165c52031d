/* test-go-strings.c - Go's time.ParseDuration with its error texts
 * (go_parse_duration, which the build cache's until filter and the logs'
 * --since/--until use) and strconv.Quote (gojson_quote, the CLI's quoted
 * commands and values). */
#include <stdint.h>
#include <stdlib.h>

#include "format/gojson.h"
#include "util/timefmt.h"

#include "test.h"

static void dur(const char *s, int64_t want)
{
	struct berr err = BERR_INIT;
	int64_t got = -42;
	int rc = go_parse_duration(s, &got, &err);

	T_OK(rc == 0 && got == want, "ParseDuration(%s) = %lld", s, (long long)want);
	if (rc != 0 || got != want)
		printf("#   got rc %d %lld %s\n", rc, (long long)got, err.msg);
}

static void dur_err(const char *s, const char *want)
{
	struct berr err = BERR_INIT;
	int64_t got = 0;

	T_OK(go_parse_duration(s, &got, &err) < 0, "ParseDuration(%s) fails", s);
	T_STREQ(err.msg, want, "  with Go's text");
}

static void quote(const char *s, const char *want)
{
	char *q = gojson_quote(s);

	T_STREQ(q, want, "Quote -> %s", want);
	free(q);
}

int main(void)
{
	dur("0", 0);
	dur("-0", 0);
	dur("+0", 0);
	dur("1h30m", 5400000000000LL);
	dur("1.5h", 5400000000000LL);
	dur("-1.5s", -1500000000LL);
	dur(".5s", 500000000LL);
	dur("1.s", 1000000000LL);
	dur("1us", 1000);
	dur("1\xc2\xb5s", 1000);
	dur("1\xce\xbcs", 1000);
	dur("2ms3ns", 2000003);
	dur("24h", 86400000000000LL);
	dur("9223372036854775807ns", INT64_MAX);
	dur("-9223372036854775808ns", INT64_MIN);
	dur("0.000000001s", 1);
	dur_err("", "time: invalid duration \"\"");
	dur_err("-", "time: invalid duration \"-\"");
	dur_err("abc", "time: invalid duration \"abc\"");
	dur_err(".s", "time: invalid duration \".s\"");
	dur_err("10", "time: missing unit in duration \"10\"");
	dur_err("1h10", "time: missing unit in duration \"1h10\"");
	dur_err("2000-01-01", "time: unknown unit \"-\" in duration \"2000-01-01\"");
	dur_err("1e3s", "time: unknown unit \"e\" in duration \"1e3s\"");
	dur_err("1h-", "time: unknown unit \"h-\" in duration \"1h-\"");
	dur_err("1\xff", "time: unknown unit \"\\xff\" in duration \"1\\xff\"");
	dur_err("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"");
	dur_err("3000000h", "time: invalid duration \"3000000h\"");

	quote("", "\"\"");
	quote("sh -c 'echo hi'", "\"sh -c 'echo hi'\"");
	quote("a\"b\\c", "\"a\\\"b\\\\c\"");
	quote("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"");
	quote("\x01\x1b\x7f", "\"\\x01\\x1b\\x7f\"");
	quote("h\xc3\xa9llo \xe2\x80\xa6", "\"h\xc3\xa9llo \xe2\x80\xa6\"");
	quote("\xff", "\"\\xff\"");
	quote("\xc2\x85", "\"\\u0085\"");
	quote("\xe2\x80\xa8", "\"\\u2028\"");
	return t_done();
}
