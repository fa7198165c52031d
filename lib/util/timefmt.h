/*
 * timefmt.h - the timestamps of image configs.
 */
#ifndef BERTH_UTIL_TIMEFMT_H
#define BERTH_UTIL_TIMEFMT_H

#include <stdint.h>

/* RFC 3339 ("2024-01-01T00:00:00.123Z", "...+02:00") to unix seconds
 * (fraction dropped); 0, Go's zero time standing in, when s is NULL or bad. */
int64_t rfc3339_to_unix(const char *s);

#endif
