/*
 * timefmt.h - the timestamps of image configs.
 */
#ifndef BERTH_UTIL_TIMEFMT_H
#define BERTH_UTIL_TIMEFMT_H

#include <stdint.h>

/* RFC 3339 ("2024-01-01T00:00:00.123Z", "...+02:00") to unix seconds
 * (fraction dropped); 0, Go's zero time standing in, when s is NULL or bad. */
int64_t rfc3339_to_unix(const char *s);

/* Go's time.Time JSON form in UTC (RFC 3339 with nanoseconds, trailing
 * zeros of the fraction dropped): "2026-11-29T04:09:44.12345Z". */
void unix_to_rfc3339nano(int64_t sec, long nsec, char out[40]);

#endif
