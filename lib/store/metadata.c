/* metadata.c - imagedb metadata files besides parent (metadata.h). */
#include "metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/fs.h"

void store_time_rfc3339nano(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char date[32], frac[16] = "", zone[24];
	long off;
	int k;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's .999999999: the fraction without trailing zeros, no dot when 0. */
	if (ts.tv_nsec) {
		snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
		for (k = (int)strlen(frac) - 1; frac[k] == '0'; k--)
			frac[k] = '\0';
	}
	off = tm.tm_gmtoff;
	if (!off)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
			 labs(off) % 3600 / 60);
	snprintf(buf, n, "%s%s%s", date, frac, zone);
}

int store_last_updated_read(struct store *s, const char *image_id, char *buf, size_t n)
{
	char p[200];
	ssize_t k;
	int fd;

	snprintf(p, sizeof(p), "imagedb/metadata/sha256/%s/lastUpdated", digest_hex(image_id));
	fd = openat(s->image_fd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	k = read(fd, buf, n - 1);
	close(fd);
	if (k <= 0 || (size_t)k >= n - 1)
		return -1;
	buf[k] = '\0';
	return 0;
}

int store_last_updated_touch(struct store *s, const char *image_id, struct berr *err)
{
	char dir[160], p[200], now[64];

	snprintf(dir, sizeof(dir), "imagedb/metadata/sha256/%s", digest_hex(image_id));
	if (mkdir_p_at(s->image_fd, dir, 0700, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lastUpdated", dir);
	store_time_rfc3339nano(now, sizeof(now));
	return atomic_write_at(s->image_fd, p, now, strlen(now), 0600, err);
}
