/*
 * timefmt.h - the timestamps of image configs, and the ones users give
 * to filters.
 */
#ifndef BERTH_UTIL_TIMEFMT_H
#define BERTH_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* RFC 3339 ("2024-01-01T00:00:00.123Z", "...+02:00") to unix seconds
 * (fraction dropped); 0, Go's zero time standing in, when s is NULL or bad. */
int64_t rfc3339_to_unix(const char *s);

/* Go's time.Time JSON form in UTC (RFC 3339 with nanoseconds, trailing
 * zeros of the fraction dropped): "2026-11-29T04:09:44.12345Z". */
void unix_to_rfc3339nano(int64_t sec, long nsec, char out[40]);

/* Go's time.ParseDuration ("1h30m", "-1.5s", "0"): *ns, or BERR_INVALID
 * with Go's texts ("time: invalid duration \"x\"", "time: missing unit in
 * duration \"10\"", "time: unknown unit \"-\" in duration \"2000-01-01\"");
 * err may be NULL. */
int go_parse_duration(const char *s, int64_t *ns, struct berr *err);

/* timetypes.GetTimestamp's forms as unix seconds: a Go duration before
 * now ("24h", "1h30m"), unix seconds ("1700000000.5"), or an RFC 3339
 * date, date-time or time with a zone.  Else BERR_INVALID "failed to
 * parse value as time or duration: \"s\"" (err may be NULL). */
int timestamp_parse(const char *s, int64_t *out, struct berr *err);

/* go-units HumanDuration of ns nanoseconds ("Less than a second",
 * "About a minute", "3 days"). */
void human_duration_ns(char *buf, size_t n, int64_t ns);

#endif
