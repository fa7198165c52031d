/* test-container-logs-time.c - docker's client-side --since/--until forms
 * (api/types/time.GetTimestamp: durations, dates with and without a zone,
 * unix timestamps, its error texts) and signal.ParseSignal's names. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <berth/container.h>

#include "test.h"

#define NOW_SEC 1000000000
#define NOW_NSEC 500000000L

static void check(const char *value, int64_t want_sec, long want_nsec)
{
	struct berr err = BERR_INIT;
	int64_t sec = -1;
	long nsec = -1;
	int rc = berth_container_logs_time(value, NOW_SEC, NOW_NSEC, &sec, &nsec, &err);

	T_OK(rc == 0 && sec == want_sec && nsec == want_nsec, "%s -> %lld.%09ld", value, (long long)want_sec,
	     want_nsec);
	if (rc != 0 || sec != want_sec || nsec != want_nsec)
		printf("#   got rc %d %lld.%09ld %s\n", rc, (long long)sec, nsec, err.msg);
}

static void check_err(const char *value, const char *want)
{
	struct berr err = BERR_INIT;
	int64_t sec;
	long nsec;

	T_OK(berth_container_logs_time(value, NOW_SEC, NOW_NSEC, &sec, &nsec, &err) < 0, "%s is an error", value);
	T_STREQ(err.msg, want, "  %s: its text", value);
}

static void test_durations(void)
{
	check("10s", NOW_SEC - 10, 0);
	check("1m30s", NOW_SEC - 90, 0);
	check("1.5h", NOW_SEC - 5400, 0);
	check("-1h", NOW_SEC + 3600, 0);
	check("600ms", NOW_SEC - 1, 0);     /* .5 - .6 rounds down a second */
	check("400ms", NOW_SEC, 0);
	check("0", 0, 0);                   /* not a duration: unix time 0 */
}

static void test_dates(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	check("2000-01-01", 946684800, 0);
	check("2000-01-02T03", 946782000, 0);
	check("2000-01-02T03:04", 946782240, 0);
	check("2000-01-02T03:04:05", 946782245, 0);
	check("2000-01-02T03:04:05Z", 946782245, 0);
	check("2000-01-02T03:04:05.123456789Z", 946782245, 123456789);
	check("2000-01-02T03:04:05.5", 946782245, 500000000);
	check("2000-01-02T03:04:05+02:00", 946782245 - 7200, 0);
	check("2000-01-02T03:04:05-01:30", 946782245 + 5400, 0);
	check("2000-01-02T03Z", 946782000, 0);
	check("2000-01-02T03:04+01:00", 946782240 - 3600, 0);
	check("2000-01-01Z", 946684800, 0);
	/* no zone: the client's own */
	setenv("TZ", "UTC-2", 1);
	tzset();
	check("2000-01-01", 946684800 - 7200, 0);
	check("2000-01-01Z", 946684800, 0);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_unix(void)
{
	check("1136073600", 1136073600, 0);
	check("1136073600.000000001", 1136073600, 1);
	check("1136073600.5", 1136073600, 500000000);
}

static void test_errors(void)
{
	check_err("garbage", "failed to parse value as time or duration: \"garbage\"");
	check_err("12x", "failed to parse value as time or duration: \"12x\"");
	check_err("2000-13-01", "parsing time \"2000-13-01\": month out of range");
	check_err("2000-02-30", "parsing time \"2000-02-30\": day out of range");
	check_err("2000-01-0x", "parsing time \"2000-01-0x\" as \"2006-01-02\": cannot parse \"0x\" as \"02\"");
	check_err("2000-01-02T25:00:00Z", "parsing time \"2000-01-02T25:00:00Z\": hour out of range");
}

static void check_sig(const char *s, int want)
{
	struct berr err = BERR_INIT;
	int sig = -1;

	T_OK(berth_container_parse_signal(s, &sig, &err) == 0 && sig == want, "signal %s is %d", s, want);
}

static void test_signals(void)
{
	struct berr err = BERR_INIT;
	int sig;

	check_sig("TERM", 15);
	check_sig("SIGTERM", 15);
	check_sig("sigkill", 9);
	check_sig("kill", 9);
	check_sig("9", 9);
	check_sig("65", 65);               /* parsed; kill refuses it */
	check_sig("USR1", 10);
	check_sig("RTMIN", 34);
	check_sig("RTMIN+3", 37);
	check_sig("RTMAX-1", 63);
	check_sig("SIGRTMAX", 64);
	T_OK(berth_container_parse_signal("0", &sig, &err) < 0, "signal 0 is invalid");
	T_STREQ(err.msg, "Invalid signal: 0", "  its text");
	T_OK(berth_container_parse_signal("bogus", &sig, &err) < 0, "an unknown name is invalid");
	T_STREQ(err.msg, "Invalid signal: bogus", "  its text");
	T_OK(berth_container_parse_signal("RTMIN+16", &sig, &err) < 0, "RTMIN+16 is not docker's");
}

int main(void)
{
	test_durations();
	test_dates();
	test_unix();
	test_errors();
	test_signals();
	return t_done();
}
