/*
 * logs.c - docker's ContainerLogs on the json-file log, and the docker
 * client's --since/--until conversion (api/types/time.GetTimestamp).
 *
 * The lines are shaped as dockerd's API writes them (httputils'
 * WriteLogStream): --details' attrs prefix and a space, then -t's fixed
 * nine-digit timestamp and a space, so the CLI and the API server print
 * the same bytes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <berth/container.h>

#include "../logs/jsonfile.h"
#include "../util/timefmt.h"
#include "../monitor/monitor.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

/* ---- --since / --until ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int days_in(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

struct parsed_time {
	int year, mon, day, hour, min, sec;
	long nsec;
	int has_zone;
	long zone;               /* seconds east of UTC */
};

static int parse_error(const char *value, const char *layout, const char *velem, const char *lelem,
		       struct berr *err)
{
	return berr_set(err, BERR_INVALID, "parsing time \"%s\" as \"%s\": cannot parse \"%s\" as \"%s\"", value, layout,
			velem, lelem);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	*out = v;
	return 0;
}

/* Go's time.Parse for the few layouts GetTimestamp uses: elements 2006 01
 * 02 15 04 05 .999999999 Z07:00, the rest literal. */
static int go_parse(const char *value, const char *layout, struct parsed_time *t, struct berr *err)
{
	static const char *const elems[] = { "2006", "01", "02", "15", "04", "05", ".999999999", "Z07:00" };
	const char *v = value, *l = layout;

	memset(t, 0, sizeof(*t));
	t->mon = t->day = 1;
	while (*l) {
		size_t e = 0, el = 0;
		for (size_t i = 0; i < sizeof(elems) / sizeof(elems[0]); i++)
			if (!strncmp(l, elems[i], strlen(elems[i]))) {
				e = i + 1;
				el = strlen(elems[i]);
				break;
			}
		if (!e) {
			if (*v != *l) {
				char lit[2] = { *l, 0 };
				return parse_error(value, layout, v, lit, err);
			}
			v++;
			l++;
			continue;
		}
		char elem[16];
		snprintf(elem, sizeof(elem), "%.*s", (int)el, l);
		const char *start = v;
		int r = 0;
		switch (e) {
		case 1: r = digits(&v, 4, &t->year); break;
		case 2: r = digits(&v, 2, &t->mon); break;
		case 3: r = digits(&v, 2, &t->day); break;
		case 4: r = digits(&v, 2, &t->hour); break;
		case 5: r = digits(&v, 2, &t->min); break;
		case 6: r = digits(&v, 2, &t->sec); break;
		case 7:
			/* optional when parsing: a '.' and 1..9 digits */
			if (*v == '.' && v[1] >= '0' && v[1] <= '9') {
				long scale = 100000000;
				v++;
				while (*v >= '0' && *v <= '9') {
					t->nsec += (*v - '0') * scale;
					scale /= 10;
					v++;
				}
			}
			break;
		case 8:
			if (*v == 'Z') {
				v++;
			} else if ((*v == '+' || *v == '-') && strlen(v) >= 6 && v[3] == ':') {
				const char *q = v + 1;
				int hh, mm;
				if (digits(&q, 2, &hh) < 0 || (q++, digits(&q, 2, &mm) < 0))
					return parse_error(value, layout, start, elem, err);
				t->zone = (hh * 3600L + mm * 60L) * (*v == '-' ? -1 : 1);
				v += 6;
			} else {
				r = -1;
			}
			t->has_zone = 1;
			break;
		}
		if (r < 0)
			return parse_error(value, layout, start, elem, err);
		l += el;
	}
	if (*v)
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": extra text: %s", value, v);
	if (t->mon < 1 || t->mon > 12)
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": month out of range", value);
	if (t->day < 1 || t->day > days_in(t->year, t->mon))
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": day out of range", value);
	if (t->hour > 23)
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": hour out of range", value);
	if (t->min > 59)
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": minute out of range", value);
	if (t->sec > 59)
		return berr_set(err, BERR_INVALID, "parsing time \"%s\": second out of range", value);
	return 0;
}

/* timetypes.GetTimestamp's choice of layout. */
static const char *timestamp_layout(const char *value, int in_location)
{
	const char *colon;
	int tcolons = 0;

	if (strchr(value, '.'))
		return in_location ? "2006-01-02T15:04:05.999999999" : "2006-01-02T15:04:05.999999999Z07:00";
	if (strchr(value, 'T')) {
		for (colon = value; (colon = strchr(colon, ':')); colon++)
			tcolons++;
		if (!in_location && !strpbrk(value, "zZ") && tcolons > 0)
			tcolons--;
		if (in_location)
			return tcolons == 0 ? "2006-01-02T15" : tcolons == 1 ? "2006-01-02T15:04" : "2006-01-02T15:04:05";
		return tcolons == 0 ? "2006-01-02T15Z07:00"
		       : tcolons == 1 ? "2006-01-02T15:04Z07:00"
				      : "2006-01-02T15:04:05Z07:00";
	}
	return in_location ? "2006-01-02" : "2006-01-02Z07:00";
}

static int count_char(const char *s, char ch)
{
	int n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* The daemon's parseTimestamp: "sec[.frac]", frac scaled to nanoseconds. */
static int unix_timestamp(const char *s, int64_t *sec, long *nsec)
{
	const char *dot = strchr(s, '.');
	_cleanup_free_ char *whole = dot ? xstrndup(s, (size_t)(dot - s)) : xstrdup(s);
	char *end;
	long long v;

	if (!*whole || strspn(whole + (*whole == '-' || *whole == '+'), "0123456789") !=
			       strlen(whole + (*whole == '-' || *whole == '+')))
		return -1;
	v = strtoll(whole, &end, 10);
	*sec = v;
	*nsec = 0;
	if (dot) {
		const char *f = dot + 1;
		size_t n = strlen(f);
		long long x;
		double scaled;

		if (!n || strspn(f, "0123456789") != n || n > 18)
			return -1;
		x = strtoll(f, NULL, 10);
		scaled = (double)x;
		for (size_t i = n; i < 9; i++)
			scaled *= 10;
		for (size_t i = 9; i < n; i++)
			scaled /= 10;
		*nsec = (long)scaled;
	}
	return 0;
}

int berth_container_logs_time(const char *value, int64_t now_sec, long now_nsec, int64_t *sec, long *nsec,
			      struct berr *err)
{
	struct parsed_time t;
	int64_t d;
	int in_location;
	struct berr perr = BERR_INIT;

	if (strcmp(value, "0") != 0 && go_parse_duration(value, &d, NULL) == 0) {
		/* reference.Add(-d).Unix(): whole seconds, rounded down */
		int64_t ns = now_nsec - d % 1000000000LL, s = now_sec - d / 1000000000LL;
		if (ns < 0)
			s--;
		else if (ns >= 1000000000LL)
			s++;
		*sec = s;
		*nsec = 0;
		return 0;
	}
	in_location = !(strpbrk(value, "zZ+") || count_char(value, '-') == 3);
	if (go_parse(value, timestamp_layout(value, in_location), &t, &perr) < 0) {
		if (strchr(value, '-')) {
			berr_copy(err, &perr);
			return -1;
		}
		if (unix_timestamp(value, sec, nsec) < 0)
			return berr_set(err, BERR_INVALID, "failed to parse value as time or duration: \"%s\"", value);
		return 0;
	}
	if (in_location) {
		time_t now = (time_t)now_sec;
		struct tm tm;
		localtime_r(&now, &tm);
		t.zone = tm.tm_gmtoff;
	}
	*sec = days_from_civil(t.year, (unsigned)t.mon, (unsigned)t.day) * 86400 + t.hour * 3600 + t.min * 60 + t.sec -
	       t.zone;
	*nsec = t.nsec;
	return 0;
}

/* ---- logs ---- */

struct log_ctx {
	const struct berth_container_logs_opts *o;
	berth_container_log_fn fn;
	void *ctx;
	struct sbuf line;
};

static int on_record(const struct jsonfile_record *r, void *arg)
{
	struct log_ctx *x = arg;
	int stream = r->stream && !strcmp(r->stream, "stderr") ? BERTH_CONTAINER_LOG_STDERR : BERTH_CONTAINER_LOG_STDOUT;

	sbuf_reset(&x->line);
	if (x->o->timestamps) {
		char ts[40];
		jsonfile_format_timestamp(r->sec, r->nsec, ts);
		sbuf_addstr(&x->line, ts);
		sbuf_addch(&x->line, ' ');
	}
	/* json-file without labels/env/tag has no attrs: the prefix is "" */
	if (x->o->details)
		sbuf_addch(&x->line, ' ');
	sbuf_add(&x->line, r->log, r->len);
	return x->fn(stream, x->line.buf, x->line.len, x->ctx);
}

/* LogConfig.Type ("" is the default json-file) and max-file. */
static int log_source(struct berth *b, struct container *c, char *path, size_t n, int *max_file, struct berr *err)
{
	json_t *lc = json_object_get(c->host_config, "LogConfig");
	const char *type = json_string_value(json_object_get(lc, "Type"));
	const char *mf = json_string_value(json_object_get(json_object_get(lc, "Config"), "max-file"));

	if (type && *type && strcmp(type, "json-file") != 0)
		return berr_set(err, BERR_INVALID, "configured logging driver does not support reading");
	*max_file = mf ? atoi(mf) : 1;
	if (*max_file < 1)
		*max_file = 1;
	if (c->log_path && *c->log_path)
		snprintf(path, n, "%s", c->log_path);
	else
		snprintf(path, n, "%s/containers/%s/%s-json.log", b->store->root, c->id, c->id);
	return 0;
}

int berth_container_logs(struct berth *b, const char *name_or_id, const struct berth_container_logs_opts *o,
			 berth_container_log_fn fn, void *ctx, struct berr *err)
{
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct log_ctx x = { o, fn, ctx, SBUF_INIT };
	char path[PATH_MAX], dir[PATH_MAX];
	struct container *c;
	int rc = -1;

	if (!(o->streams & (BERTH_CONTAINER_LOG_STDOUT | BERTH_CONTAINER_LOG_STDERR)))
		return berr_set(err, BERR_INVALID, "You must choose at least one stream");
	if (!(c = container_lookup(b->store, name_or_id, err)))
		return -1;
	if (c->state.dead || c->state.removal_in_progress) {
		berr_set(err, BERR_EXISTS, "can not get logs from container which is dead or marked for removal");
		goto out;
	}
	if (container_refresh_state(b, c, err) < 0 || log_source(b, c, path, sizeof(path), &ro.max_file, err) < 0)
		goto out;
	container_state_dir(b, c->id, dir, sizeof(dir));
	ro.tail = o->tail;
	ro.since_sec = o->since_sec;
	ro.since_nsec = o->since_nsec;
	ro.until_sec = o->until_sec;
	ro.until_nsec = o->until_nsec;
	ro.streams = (o->streams & BERTH_CONTAINER_LOG_STDOUT ? JSONFILE_STDOUT : 0) |
		     (o->streams & BERTH_CONTAINER_LOG_STDERR ? JSONFILE_STDERR : 0);
	/* dockerd follows only a running container's logger */
	ro.follow = o->follow && c->state.running && monitor_alive(dir);
	ro.cancel_fd = o->cancel_fd;
	rc = jsonfile_read(path, &ro, on_record, &x, err);
out:
	sbuf_release(&x.line);
	container_free(c);
	return rc;
}
