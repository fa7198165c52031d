/*
 * list.c - docker 20.10's container list (daemon/list.go and the
 * snapshot of container/view.go), behind berth_container_list.
 *
 * One container_list (a readdir and one read per record), the records of
 * running containers whose monitor is gone corrected, then dockerd's
 * order: newest first, the name/ID fast path, before/since, the filters
 * in includeContainerInList's order, the limit.  Config, NetworkSettings
 * and MountPoints are parsed only for what a filter asks and for the
 * items returned.  The status text is made here, as dockerd makes it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../image/lookup.h"
#include "../reference.h"
#include "../store/imagedb.h"
#include "../store/layerdb.h"
#include "../store/mounts.h"
#include "../store/refs.h"
#include "../util/timefmt.h"
#include "container.h"
#include "engine.h"
#include "scan.h"

static const char *const accepted_keys[] = { "ancestor", "before", "exited",  "id",      "isolation",
					     "label",    "name",   "status",  "health",  "since",
					     "volume",   "network", "is-task", "publish", "expose", NULL };

/* ---- filters.Args: a key and its set of values ---- */

struct filter {
	char *key;
	char **values;
	size_t n;
	regex_t *re;  /* the values compiled, on first use */
	int *re_ok;
};

struct filters {
	struct filter *v;
	size_t n;
};

static char *trim_dup(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

static struct filter *filter_get(const struct filters *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].key, key))
			return &f->v[i];
	return NULL;
}

/* As the docker CLI's FilterOpt: keys lowercased, both sides trimmed,
 * values a set. */
static void filters_parse(struct filters *f, const char *const *in)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; in && in[i]; i++) {
		const char *eq = strchr(in[i], '=');
		char *key, *value;
		struct filter *fl;
		size_t k;

		if (!eq)
			continue;
		key = trim_dup(in[i], (size_t)(eq - in[i]));
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		value = trim_dup(eq + 1, strlen(eq + 1));
		if (!(fl = filter_get(f, key))) {
			f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
			fl = &f->v[f->n++];
			memset(fl, 0, sizeof(*fl));
			fl->key = key;
		} else {
			free(key);
		}
		for (k = 0; k < fl->n && strcmp(fl->values[k], value); k++)
			;
		if (k < fl->n) {
			free(value);
			continue;
		}
		fl->values = xrealloc(fl->values, (fl->n + 1) * sizeof(char *));
		fl->values[fl->n++] = value;
	}
}

static void filters_release(struct filters *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->v[i].n; k++) {
			free(f->v[i].values[k]);
			if (f->v[i].re_ok && f->v[i].re_ok[k])
				regfree(&f->v[i].re[k]);
		}
		free(f->v[i].re);
		free(f->v[i].re_ok);
		free(f->v[i].values);
		free(f->v[i].key);
	}
	free(f->v);
}

/* Args.ExactMatch: no values, or source is one of them. */
static int exact_match(const struct filters *f, const char *key, const char *source)
{
	const struct filter *fl = filter_get(f, key);

	if (!fl || !fl->n)
		return 1;
	for (size_t i = 0; i < fl->n; i++)
		if (!strcmp(fl->values[i], source))
			return 1;
	return 0;
}

/* Args.Match: exact, or any value as an unanchored regexp (Go's RE2;
 * POSIX ERE here), a value that does not compile matching nothing. */
static int regex_match(const struct filters *f, const char *key, const char *source)
{
	struct filter *fl = filter_get(f, key);

	if (exact_match(f, key, source))
		return 1;
	if (!fl->re) {
		fl->re = xcalloc(fl->n, sizeof(*fl->re));
		fl->re_ok = xcalloc(fl->n, sizeof(*fl->re_ok));
		for (size_t i = 0; i < fl->n; i++)
			fl->re_ok[i] = regcomp(&fl->re[i], fl->values[i], REG_EXTENDED | REG_NOSUB) == 0;
	}
	for (size_t i = 0; i < fl->n; i++)
		if (fl->re_ok[i] && regexec(&fl->re[i], source, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/* ---- what the listing knows of each container (dockerd's Snapshot) ---- */

struct snap {
	struct container *c;
	int64_t created_ns;
	const char *state;  /* StateString */
	const char *health; /* "none", "starting", "healthy", "unhealthy" */
	char **labels;      /* Config.Labels: key, value, ... sorted by key */
	size_t n_labels;
	int labels_done;
	int candidate;      /* passes the name/ID fast path */
};

static int is_zero_time(const char *t)
{
	return !t || !*t || !strncmp(t, "0001-01-01T00:00:00", 19);
}

/* An RFC 3339 time in unix nanoseconds (the fraction kept). */
static int64_t time_ns(const char *t)
{
	int64_t ns = 0, scale = 100000000;
	const char *dot;

	if (is_zero_time(t))
		return INT64_MIN;
	if ((dot = strchr(t, '.')))
		for (dot++; isdigit((unsigned char)*dot) && scale; dot++, scale /= 10)
			ns += (*dot - '0') * scale;
	return rfc3339_to_unix(t) * 1000000000 + ns;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* go-units HumanDuration. */
static void human_duration(char *buf, size_t n, int64_t ns)
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

static const char *health_status(const struct container_state *st)
{
	const char *s;

	if (!st->health || !json_is_object(st->health))
		return "none";
	s = json_string_value(json_object_get(st->health, "Status"));
	return s && *s ? s : "unhealthy";
}

static const char *state_string(const struct container_state *st)
{
	if (st->running)
		return st->paused ? "paused" : st->restarting ? "restarting" : "running";
	if (st->removal_in_progress)
		return "removing";
	if (st->dead)
		return "dead";
	return is_zero_time(st->started_at) ? "created" : "exited";
}

/* State.String(), as of now. */
static char *status_text(const struct container_state *st, int64_t now)
{
	char d[64];

	if (st->running) {
		if (st->paused) {
			human_duration(d, sizeof(d), now - time_ns(st->started_at));
			return xasprintf("Up %s (Paused)", d);
		}
		if (st->restarting) {
			human_duration(d, sizeof(d), now - time_ns(st->finished_at));
			return xasprintf("Restarting (%lld) %s ago", (long long)st->exit_code, d);
		}
		human_duration(d, sizeof(d), now - time_ns(st->started_at));
		if (st->health && json_is_object(st->health)) {
			const char *h = health_status(st);
			return xasprintf("Up %s (%s)", d, !strcmp(h, "starting") ? "health: starting" : h);
		}
		return xasprintf("Up %s", d);
	}
	if (st->removal_in_progress)
		return xstrdup("Removal In Progress");
	if (st->dead)
		return xstrdup("Dead");
	if (is_zero_time(st->started_at))
		return xstrdup("Created");
	if (is_zero_time(st->finished_at))
		return xstrdup("");
	human_duration(d, sizeof(d), now - time_ns(st->finished_at));
	return xasprintf("Exited (%lld) %s ago", (long long)st->exit_code, d);
}

/* ---- members read without a tree (scan.h), jansson as the fallback ---- */

/* Member name's value in the object [p, p+n): 1, 0 when absent, -1 when
 * the text is not an object. */
static int scan_member(const char *p, size_t n, const char *name, const char **v, size_t *vl)
{
	struct scan it;
	const char *k;
	size_t kl;
	int r;

	if (scan_object(&it, p, n) < 0)
		return -1;
	while ((r = scan_next(&it, &k, &kl, v, vl)) > 0)
		if (scan_key_is(k, kl, name))
			return 1;
	return r < 0 ? -1 : 0;
}

static int is_null(const char *v, size_t n)
{
	return n == 4 && !memcmp(v, "null", 4);
}

/* An object's keys, with the string values when want_values (else the
 * values must be objects, or null which is skipped); -1 for what only
 * jansson reads right (escaped keys). */
static int scan_keys(const char *p, size_t n, int want_values, char ***out, size_t *count)
{
	struct scan it;
	const char *k, *v;
	size_t kl, vl, cap = 0;
	int r;

	*out = NULL;
	*count = 0;
	if (is_null(p, n))
		return 0;
	if (scan_object(&it, p, n) < 0)
		return -1;
	while ((r = scan_next(&it, &k, &kl, &v, &vl)) > 0) {
		char *val = NULL;

		if (memchr(k, '\\', kl) || (want_values && !(val = scan_string(v, vl))))
			goto fallback;
		if (!want_values && is_null(v, vl))
			continue;
		if (!want_values && v[0] != '{')
			goto fallback;
		if (*count + 2 >= cap)
			*out = xrealloc(*out, (cap = cap ? cap * 2 : 8) * sizeof(char *));
		(*out)[(*count)++] = xstrndup(k, kl);
		if (want_values)
			(*out)[(*count)++] = val;
		continue;
fallback:
		free(val);
		r = -1;
		break;
	}
	if (r < 0) {
		for (size_t i = 0; i < *count; i++)
			free((*out)[i]);
		free(*out);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct pair {
	char *k, *v;
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->k, ((const struct pair *)b)->k);
}

/* Config.Labels as sorted pairs. */
static void snap_labels(struct snap *s)
{
	const char *text, *v;
	size_t len, vl, n = 0;
	char **kv = NULL;
	json_t *labels, *jv;
	const char *k;

	if (s->labels_done)
		return;
	s->labels_done = 1;
	if (container_member_text(s->c, CONTAINER_CONFIG, &text, &len)) {
		int r = scan_member(text, len, "Labels", &v, &vl);

		if (r == 0 || (r > 0 && scan_keys(v, vl, 1, &kv, &n) == 0))
			goto sort;
	}
	labels = json_object_get(container_config(s->c), "Labels");
	if (json_is_object(labels)) {
		kv = xcalloc(2 * json_object_size(labels) + 1, sizeof(char *));
		json_object_foreach(labels, k, jv) {
			kv[n++] = xstrdup(k);
			kv[n++] = xstrdup(json_is_string(jv) ? json_string_value(jv) : "");
		}
	}
sort:
	if (n)
		qsort(kv, n / 2, sizeof(struct pair), cmp_pair);
	s->labels = kv;
	s->n_labels = n / 2;
}

static const char *label_value(const struct snap *s, const char *key, size_t klen)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strlen(s->labels[2 * i]) == klen && !strncmp(s->labels[2 * i], key, klen))
			return s->labels[2 * i + 1];
	return NULL;
}

static const char *snap_name(const struct snap *s)
{
	return s->c->name ? s->c->name : "";
}

static int by_created_desc(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return x->created_ns < y->created_ns ? 1 : x->created_ns > y->created_ns ? -1 : 0;
}

/* ---- the filter context (foldFilter) ---- */

struct port {
	unsigned port;
	char proto[8];
};

struct list_ctx {
	struct filters f;
	int all, limit, idx;
	int64_t *exited;
	size_t n_exited;
	const char *before, *since; /* container IDs, until passed */
	int task_filter, is_task;
	int ancestor_filter;
	char **images;              /* the ancestors' image IDs and their descendants */
	size_t n_images;
	struct port *publish, *expose;
	size_t n_publish, n_expose;
};

static void ctx_release(struct list_ctx *x)
{
	filters_release(&x->f);
	free(x->exited);
	for (size_t i = 0; i < x->n_images; i++)
		free(x->images[i]);
	free(x->images);
	free(x->publish);
	free(x->expose);
}

static int valid_state(const char *s)
{
	static const char *const v[] = { "paused", "restarting", "removing", "running", "dead", "created", "exited", NULL };

	for (size_t i = 0; v[i]; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static int valid_health(const char *s)
{
	return !strcmp(s, "starting") || !strcmp(s, "healthy") || !strcmp(s, "unhealthy") || !strcmp(s, "none");
}

/* strconv.Atoi with Go's error text. */
static int go_atoi(const char *s, int64_t *out, struct berr *err)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!*p || strspn(p, "0123456789") != strlen(p))
		return berr_set(err, BERR_INVALID, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return berr_set(err, BERR_INVALID, "strconv.Atoi: parsing \"%s\": value out of range", s);
	*out = v;
	return 0;
}

/* idOrNameFilter: an exact ID, else the one container of that name. */
static const char *id_or_name(struct snap *v, size_t n, const char *value, struct berr *err)
{
	const char *want = value[0] == '/' ? value + 1 : value, *found = NULL;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].c->id, value))
			return v[i].c->id;
	for (size_t i = 0; i < n; i++) {
		const char *name = snap_name(&v[i]);

		if (strcmp(name[0] == '/' ? name + 1 : name, want))
			continue;
		if (found && strcmp(found, v[i].c->id)) {
			found = NULL;
			break;
		}
		found = v[i].c->id;
	}
	if (!found)
		berr_set(err, BERR_NOT_FOUND, "no such container %s", value);
	return found;
}

static int has_id(char **v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], id))
			return 1;
	return 0;
}

/* populateImageFilterByParents: id and every image descending from it
 * (by imagedb/metadata parents). */
static void add_image_and_children(struct list_ctx *x, const char *id, char **meta, char (*parents)[DIGEST_STR_LEN],
				   size_t n_meta)
{
	if (has_id(x->images, x->n_images, id))
		return;
	for (size_t i = 0; i < n_meta; i++) {
		char child[DIGEST_STR_LEN];

		if (strcmp(parents[i], id))
			continue;
		snprintf(child, sizeof(child), "sha256:%s", meta[i]);
		add_image_and_children(x, child, meta, parents, n_meta);
	}
	x->images = xrealloc(x->images, (x->n_images + 1) * sizeof(char *));
	x->images[x->n_images++] = xstrdup(id);
}

static void fold_ancestors(struct berth *b, struct list_ctx *x, const struct filter *fl)
{
	size_t n_meta = 0;
	char **meta = store_image_metadata_ids(b->store, &n_meta);
	char(*parents)[DIGEST_STR_LEN] = xcalloc(n_meta + 1, DIGEST_STR_LEN);

	for (size_t i = 0; i < n_meta; i++) {
		char id[DIGEST_STR_LEN];

		snprintf(id, sizeof(id), "sha256:%s", meta[i]);
		if (store_image_parent(b->store, id, parents[i]) < 0)
			parents[i][0] = 0;
	}
	for (size_t i = 0; i < fl->n; i++) {
		char id[DIGEST_STR_LEN];
		struct berr none = BERR_INIT;

		/* dockerd logs a name it cannot find and goes on. */
		if (image_lookup(b, fl->values[i], NULL, id, &none) == 0)
			add_image_and_children(x, id, meta, parents, n_meta);
	}
	for (size_t i = 0; i < n_meta; i++)
		free(meta[i]);
	free(meta);
	free(parents);
}

/* portOp: "port[/proto]" or "start-end[/proto]", into v. */
static int fold_ports(const char *key, const struct filter *fl, struct port **v, size_t *n, struct berr *err)
{
	for (size_t i = 0; fl && i < fl->n; i++) {
		const char *value = fl->values[i], *slash = strchr(value, '/');
		char range[64], *dash, *end;
		unsigned long start, last;

		if (strchr(value, ':'))
			return berr_set(err, BERR_INVALID, "filter for '%s' should not contain ':': %s", key, value);
		snprintf(range, sizeof(range), "%.*s", slash ? (int)(slash - value) : (int)strlen(value), value);
		if (!range[0])
			return berr_set(err, BERR_INVALID, "error while looking up for %s %s: empty string specified for ports",
					key, value);
		dash = strchr(range, '-');
		if (dash)
			*dash = 0;
		start = strtoul(range, &end, 10);
		if (*end || !range[0] || start > 65535)
			return berr_set(err, BERR_INVALID, "error while looking up for %s %s: strconv.ParseUint: parsing \"%s\": %s",
					key, value, range, start > 65535 ? "value out of range" : "invalid syntax");
		last = start;
		if (dash) {
			last = strtoul(dash + 1, &end, 10);
			if (*end || !dash[1] || last > 65535 || last < start)
				return berr_set(err, BERR_INVALID, "error while looking up for %s %s: invalid range specified for port: %s",
						key, value, range);
		}
		for (unsigned long p = start; p <= last; p++) {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[*n].port = (unsigned)p;
			snprintf((*v)[*n].proto, sizeof((*v)[*n].proto), "%s", slash ? slash + 1 : "tcp");
			(*n)++;
		}
	}
	return 0;
}

static int fold_filters(struct berth *b, struct list_ctx *x, struct snap *v, size_t n, struct berr *err)
{
	const struct filter *fl;

	for (size_t i = 0; i < x->f.n; i++) {
		size_t k;

		for (k = 0; accepted_keys[k] && strcmp(accepted_keys[k], x->f.v[i].key); k++)
			;
		if (!accepted_keys[k])
			return berr_set(err, BERR_INVALID, "Invalid filter '%s'", x->f.v[i].key);
	}
	if ((fl = filter_get(&x->f, "exited"))) {
		x->exited = xcalloc(fl->n + 1, sizeof(*x->exited));
		for (size_t i = 0; i < fl->n; i++)
			if (go_atoi(fl->values[i], &x->exited[x->n_exited++], err) < 0)
				return -1;
	}
	if ((fl = filter_get(&x->f, "status"))) {
		for (size_t i = 0; i < fl->n; i++) {
			if (!valid_state(fl->values[i]))
				return berr_set(err, BERR_INVALID, "Invalid filter 'status=%s'", fl->values[i]);
			x->all = 1;
		}
	}
	if ((fl = filter_get(&x->f, "is-task"))) {
		x->task_filter = 1;
		if (exact_match(&x->f, "is-task", "true")) {
			x->is_task = 1;
		} else if (!exact_match(&x->f, "is-task", "false")) {
			struct sbuf s = SBUF_INIT;

			for (size_t i = 0; i < fl->n; i++)
				sbuf_addf(&s, "%s%s", i ? " " : "", fl->values[i]);
			berr_set(err, BERR_INVALID, "Invalid filter 'is-task=[%s]'", sbuf_str(&s));
			sbuf_release(&s);
			return -1;
		}
	}
	if ((fl = filter_get(&x->f, "health")))
		for (size_t i = 0; i < fl->n; i++)
			if (!valid_health(fl->values[i]))
				return berr_set(err, BERR_INVALID, "Unrecognised filter value for health: %s", fl->values[i]);
	if ((fl = filter_get(&x->f, "before")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(x->before = id_or_name(v, n, fl->values[i], err)))
				return -1;
	if ((fl = filter_get(&x->f, "since")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(x->since = id_or_name(v, n, fl->values[i], err)))
				return -1;
	if ((fl = filter_get(&x->f, "ancestor"))) {
		x->ancestor_filter = 1;
		fold_ancestors(b, x, fl);
	}
	if (fold_ports("publish", filter_get(&x->f, "publish"), &x->publish, &x->n_publish, err) < 0 ||
	    fold_ports("expose", filter_get(&x->f, "expose"), &x->expose, &x->n_expose, err) < 0)
		return -1;
	return 0;
}

/* ---- includeContainerInList ---- */

enum action { INCLUDE, EXCLUDE, STOP };

static int labels_match(struct list_ctx *x, struct snap *s)
{
	const struct filter *fl = filter_get(&x->f, "label");

	if (!fl || !fl->n)
		return 1;
	snap_labels(s);
	if (!s->n_labels)
		return 0;
	for (size_t i = 0; i < fl->n; i++) {
		const char *eq = strchr(fl->values[i], '=');
		const char *have = label_value(s, fl->values[i], eq ? (size_t)(eq - fl->values[i]) : strlen(fl->values[i]));

		if (!have || (eq && strcmp(eq + 1, have)))
			return 0;
	}
	return 1;
}

static int volume_match(struct list_ctx *x, struct snap *s)
{
	const struct filter *fl = filter_get(&x->f, "volume");
	json_t *mp = container_mount_points(s->c), *m;
	const char *key;

	for (size_t i = 0; fl && i < fl->n; i++)
		json_object_foreach(mp, key, m) {
			const char *name = json_string_value(json_object_get(m, "Name"));
			const char *src = json_string_value(json_object_get(m, "Source"));
			const char *dst = json_string_value(json_object_get(m, "Destination"));

			if ((dst && *dst && !strcmp(dst, fl->values[i])) ||
			    (name && *name ? !strcmp(name, fl->values[i]) : src && !strcmp(src, fl->values[i])))
				return 1;
		}
	return 0;
}

static int network_match(struct list_ctx *x, struct snap *s)
{
	const struct filter *fl = filter_get(&x->f, "network");
	json_t *ns = container_network_settings(s->c);
	json_t *nets = ns ? json_object_get(ns, "Networks") : NULL, *ep;
	const char *name;

	for (size_t i = 0; fl && i < fl->n; i++) {
		if (!json_is_object(nets))
			return 0;
		if (json_object_get(nets, fl->values[i]))
			return 1;
		json_object_foreach(nets, name, ep) {
			const char *nid = json_string_value(json_object_get(ep, "NetworkID"));

			if (json_is_object(ep) && nid && !strncmp(nid, fl->values[i], strlen(fl->values[i])))
				return 1;
		}
	}
	return 0;
}

static int has_port(const struct port *v, size_t n, unsigned port, const char *proto)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].port == port && !strcmp(v[i].proto, proto))
			return 1;
	return 0;
}

/* The container's ports as the snapshot lists them (NetworkSettings.Ports). */
static void snap_ports(struct container *c, struct berth_container_port **out, size_t *n)
{
	json_t *ns, *ports, *bind;
	const char *key, *text, *v;
	size_t len, vl;

	*out = NULL;
	*n = 0;
	if (container_member_text(c, CONTAINER_NETWORK_SETTINGS, &text, &len)) {
		int r = scan_member(text, len, "Ports", &v, &vl);
		struct scan it;

		/* No ports (the common case) needs no tree. */
		if (r == 0 || (r > 0 && (is_null(v, vl) || (scan_object(&it, v, vl) == 0 &&
							    scan_next(&it, &key, &len, &text, &vl) == 0))))
			return;
	}
	ns = container_network_settings(c);
	ports = ns ? json_object_get(ns, "Ports") : NULL;
	if (!json_is_object(ports))
		return;
	json_object_foreach(ports, key, bind) {
		const char *slash = strchr(key, '/');
		unsigned long p = strtoul(key, NULL, 10);
		size_t nb = json_is_array(bind) ? json_array_size(bind) : 0;

		for (size_t i = 0; i < (nb ? nb : 1); i++) {
			json_t *b1 = nb ? json_array_get(bind, i) : NULL;
			const char *hp = json_string_value(json_object_get(b1, "HostPort"));
			const char *hip = json_string_value(json_object_get(b1, "HostIp"));
			struct berth_container_port *pp;

			if (nb && (!hp || !*hp || strspn(hp, "0123456789") != strlen(hp)))
				continue;
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			pp = &(*out)[(*n)++];
			pp->private_port = (uint16_t)p;
			pp->public_port = nb ? (uint16_t)strtoul(hp, NULL, 10) : 0;
			pp->type = xstrdup(slash ? slash + 1 : "tcp");
			pp->ip = xstrdup(nb && hip ? hip : "");
		}
	}
}

static void ports_free(struct berth_container_port *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ip);
		free(v[i].type);
	}
	free(v);
}

static int ports_match(struct list_ctx *x, struct snap *s)
{
	struct berth_container_port *v;
	size_t n;
	int hit = 0;

	snap_ports(s->c, &v, &n);
	for (size_t i = 0; i < n && !hit; i++)
		hit = has_port(x->publish, x->n_publish, v[i].public_port, v[i].type) ||
		      has_port(x->expose, x->n_expose, v[i].private_port, v[i].type);
	ports_free(v, n);
	return hit;
}

static enum action include(struct list_ctx *x, struct snap *s)
{
	const struct container_state *st = &s->c->state;
	const char *name = snap_name(s);

	if (x->before) {
		if (!strcmp(s->c->id, x->before))
			x->before = NULL;
		return EXCLUDE;
	}
	if (x->since && !strcmp(s->c->id, x->since))
		return STOP;
	if (!st->running && !x->all && x->limit <= 0)
		return EXCLUDE;
	if (!regex_match(&x->f, "name", name) && !regex_match(&x->f, "name", name[0] == '/' ? name + 1 : name))
		return EXCLUDE;
	if (!regex_match(&x->f, "id", s->c->id))
		return EXCLUDE;
	if (x->task_filter && x->is_task != !!s->c->managed)
		return EXCLUDE;
	if (!labels_match(x, s))
		return EXCLUDE;
	if (x->limit > 0 && x->idx == x->limit)
		return STOP;
	if (x->n_exited) {
		int keep = 0;

		for (size_t i = 0; i < x->n_exited && !keep; i++)
			keep = x->exited[i] == st->exit_code && !st->running && !is_zero_time(st->started_at);
		if (!keep)
			return EXCLUDE;
	}
	if (!regex_match(&x->f, "status", s->state))
		return EXCLUDE;
	if (!exact_match(&x->f, "health", s->health))
		return EXCLUDE;
	if (filter_get(&x->f, "volume") && !volume_match(x, s))
		return EXCLUDE;
	if (x->ancestor_filter && !has_id(x->images, x->n_images, s->c->image))
		return EXCLUDE;
	if (filter_get(&x->f, "network") && !network_match(x, s))
		return EXCLUDE;
	if ((x->n_publish || x->n_expose) && !ports_match(x, s))
		return EXCLUDE;
	return INCLUDE;
}

/* filterByNameIDMatches: with name or id filters, only the containers
 * they name (IDs as truncindex takes them: a unique prefix; names only
 * when no ID is given) are walked; sets each snap's candidate. */
static void name_id_candidates(struct list_ctx *x, struct snap *v, size_t n)
{
	const struct filter *names = filter_get(&x->f, "name"), *ids = filter_get(&x->f, "id");

	for (size_t i = 0; i < n; i++)
		v[i].candidate = (!names || !names->n) && (!ids || !ids->n);
	for (size_t i = 0; ids && i < ids->n; i++) {
		size_t len = strlen(ids->values[i]), hits = 0, only = 0;

		for (size_t k = 0; len && k < n; k++)
			if (!strncmp(v[k].c->id, ids->values[i], len)) {
				hits++;
				only = k;
			}
		if (hits == 1)
			v[only].candidate = 1;
	}
	if (!names || !names->n || (ids && ids->n))
		return;
	for (size_t i = 0; i < n; i++) {
		const char *name = snap_name(&v[i]);

		if (v[i].c->name && (regex_match(&x->f, "name", name) ||
				     regex_match(&x->f, "name", name[0] == '/' ? name + 1 : name)))
			v[i].candidate = 1;
	}
}

/* ---- the items ---- */

/* directory.Size: everything but dirs (symlinks too), each inode once. */
struct inodes {
	ino_t *v;
	size_t n;
};

static int64_t dir_size(int dfd, struct inodes *seen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int64_t size = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t i;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				size += dir_size(sub, seen);
			continue;
		}
		if (!st.st_size)
			continue;
		/* Only a hard link can meet an inode again. */
		if (st.st_nlink > 1) {
			for (i = 0; i < seen->n && seen->v[i] != st.st_ino; i++)
				;
			if (i < seen->n)
				continue;
			seen->v = xrealloc(seen->v, (seen->n + 1) * sizeof(*seen->v));
			seen->v[seen->n++] = st.st_ino;
		}
		size += st.st_size;
	}
	closedir(d);
	return size;
}

/* The chain's total size (roLayer.Size: the layer and its parents). */
static int64_t chain_size(struct store *s, const char *chain)
{
	char cur[DIGEST_STR_LEN];
	int64_t total = 0;

	snprintf(cur, sizeof(cur), "%s", chain);
	for (int depth = 0; cur[0] && depth < 1000; depth++) {
		int64_t sz = 0;

		if (store_layer_size(s, cur, &sz) < 0 || store_layer_parent(s, cur, cur) < 0)
			break;
		total += sz;
	}
	return total;
}

/* The image chains' sizes met so far (most containers share a few). */
struct chain_sizes {
	char (*chain)[DIGEST_STR_LEN];
	int64_t *size;
	size_t n;
};

static int64_t chain_size_cached(struct store *s, struct chain_sizes *cs, const char *chain)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->chain[i], chain))
			return cs->size[i];
	cs->chain = xrealloc(cs->chain, (cs->n + 1) * sizeof(*cs->chain));
	cs->size = xrealloc(cs->size, (cs->n + 1) * sizeof(*cs->size));
	snprintf(cs->chain[cs->n], DIGEST_STR_LEN, "%s", chain);
	cs->size[cs->n] = chain_size(s, chain);
	return cs->size[cs->n++];
}

/* GetContainerLayerSize: the RW layer's diff, and it plus its image's chain. */
static void layer_sizes(struct store *s, struct chain_sizes *cs, const char *id, int64_t *rw, int64_t *rootfs)
{
	struct store_rwlayer l;
	char path[128];
	int fd;

	*rw = *rootfs = 0;
	if (store_rwlayer_read(s, id, &l, NULL) < 0)
		return;
	snprintf(path, sizeof(path), "overlay2/%s/diff", l.mount_id);
	if ((fd = openat(s->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*rw = -1;
	} else {
		struct inodes seen = { 0 };

		*rw = dir_size(fd, &seen);
		free(seen.v);
	}
	if (l.parent[0]) {
		*rootfs = chain_size_cached(s, cs, l.parent);
		if (*rw != -1)
			*rootfs += *rw;
	}
}

static char *command_of(const struct container *c)
{
	struct sbuf b = SBUF_INIT;
	size_t i;
	json_t *a;

	sbuf_addstr(&b, c->path ? c->path : "");
	json_array_foreach(c->args, i, a) {
		const char *s = json_string_value(a);

		s = s ? s : "";
		sbuf_addf(&b, strchr(s, ' ') ? " '%s'" : " %s", s);
	}
	return sbuf_detach(&b, NULL);
}

static char *jdup(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return xstrdup(s ? s : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fill_labels(struct snap *s, struct berth_container_item *it)
{
	snap_labels(s);
	it->labels = s->labels;
	it->n_labels = s->n_labels;
	s->labels = NULL;
	s->n_labels = 0;
}

static void fill_networks(struct container *c, struct berth_container_item *it)
{
	json_t *ns, *nets, *ep;
	const char *k, *text, *v;
	size_t n = 0, len, vl;

	if (container_member_text(c, CONTAINER_NETWORK_SETTINGS, &text, &len)) {
		int r = scan_member(text, len, "Networks", &v, &vl);
		char **keys;

		if (r == 0 || (r > 0 && scan_keys(v, vl, 0, &keys, &n) == 0)) {
			it->networks = xrealloc(r ? keys : NULL, (n + 1) * sizeof(char *));
			it->networks[n] = NULL;
			if (n)
				if (n)
		qsort(it->networks, n, sizeof(char *), cmp_str);
			return;
		}
	}
	ns = container_network_settings(c);
	nets = ns ? json_object_get(ns, "Networks") : NULL;

	it->networks = xcalloc(json_is_object(nets) ? json_object_size(nets) + 1 : 1, sizeof(char *));
	if (!json_is_object(nets))
		return;
	json_object_foreach(nets, k, ep)
		if (json_is_object(ep))
			it->networks[n++] = xstrdup(k);
	if (n)
		qsort(it->networks, n, sizeof(char *), cmp_str);
}

/* GetMountPoints, in destination order (dockerd walks a Go map). */
static int cmp_mount(const void *a, const void *b)
{
	return strcmp(((const struct berth_container_mount *)a)->destination,
		      ((const struct berth_container_mount *)b)->destination);
}

static void fill_mounts(struct container *c, struct berth_container_item *it)
{
	json_t *mp, *m;
	const char *k, *text, *v;
	size_t len, vl;
	struct scan sc;

	/* No mounts (the common case) needs no tree. */
	if (container_member_text(c, CONTAINER_MOUNT_POINTS, &text, &len) &&
	    (is_null(text, len) || (scan_object(&sc, text, len) == 0 && scan_next(&sc, &k, &len, &v, &vl) == 0)))
		return;
	mp = container_mount_points(c);

	if (!json_is_object(mp) || !json_object_size(mp))
		return;
	it->mounts = xcalloc(json_object_size(mp), sizeof(*it->mounts));
	json_object_foreach(mp, k, m) {
		struct berth_container_mount *o = &it->mounts[it->n_mounts++];

		o->type = jdup(m, "Type");
		o->name = jdup(m, "Name");
		o->source = jdup(m, "Source");
		o->destination = jdup(m, "Destination");
		o->driver = jdup(m, "Driver");
		o->mode = jdup(m, "Mode");
		o->propagation = jdup(m, "Propagation");
		o->rw = json_is_true(json_object_get(m, "RW"));
	}
	qsort(it->mounts, it->n_mounts, sizeof(*it->mounts), cmp_mount);
}

/* What refreshImage resolves one Config.Image to, cached by the text;
 * and the image chains' sizes. */
struct image_cache {
	char **ref, **id; /* id: the image ref names now, "" when none */
	size_t n;
	struct store_refs *refs;
	int refs_loaded;
	struct chain_sizes sizes;
};

static const char *resolve_image(struct berth *b, struct image_cache *ic, const char *ref)
{
	struct image_lookup_opts lo = { 0 };
	char id[DIGEST_STR_LEN];
	struct berr none = BERR_INIT;

	for (size_t i = 0; i < ic->n; i++)
		if (!strcmp(ic->ref[i], ref))
			return ic->id[i];
	if (!ic->refs_loaded) {
		ic->refs_loaded = 1;
		if (store_refs_load(b->store, &ic->refs, NULL) < 0)
			ic->refs = NULL;
	}
	lo.refs = ic->refs;
	if (image_lookup(b, ref, ic->refs ? &lo : NULL, id, &none) < 0)
		id[0] = 0;
	ic->ref = xrealloc(ic->ref, (ic->n + 1) * sizeof(char *));
	ic->id = xrealloc(ic->id, (ic->n + 1) * sizeof(char *));
	ic->ref[ic->n] = xstrdup(ref);
	ic->id[ic->n] = xstrdup(id);
	return ic->id[ic->n++];
}

static void image_cache_release(struct image_cache *ic)
{
	for (size_t i = 0; i < ic->n; i++) {
		free(ic->ref[i]);
		free(ic->id[i]);
	}
	free(ic->ref);
	free(ic->id);
	store_refs_free(ic->refs);
	free(ic->sizes.chain);
	free(ic->sizes.size);
}

static void fill_item(struct berth *b, const struct berth_container_list_opts *o, struct image_cache *ic,
		      struct snap *s, int64_t now, struct berth_container_item *it)
{
	struct container *c = s->c;
	const char *img = container_config_image(c);

	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s", c->id);
	it->names = xcalloc(2, sizeof(char *));
	if (c->name && *c->name)
		it->names[0] = xstrdup(c->name);
	img = img ? img : "";
	/* refreshImage: keep the ref while it still names the image. */
	if (strcmp(img, c->image) && *img && strcmp(resolve_image(b, ic, img), c->image))
		img = c->image;
	it->image = xstrdup(img);
	it->image_id = xstrdup(c->image);
	it->command = command_of(c);
	it->created = rfc3339_to_unix(c->created);
	snap_ports(c, &it->ports, &it->n_ports);
	fill_labels(s, it);
	it->state = xstrdup(s->state);
	it->status = status_text(&c->state, now);
	if (o->size)
		layer_sizes(b->store, &ic->sizes, c->id, &it->size_rw, &it->size_root_fs);
	{
		json_t *nm = c->host_config ? json_object_get(c->host_config, "NetworkMode") : NULL;
		it->network_mode = xstrdup(json_is_string(nm) ? json_string_value(nm) : "");
	}
	fill_networks(c, it);
	fill_mounts(c, it);
}

void berth_container_list_free(struct berth_container_item *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		struct berth_container_item *it = &v[i];

		for (size_t k = 0; it->names && it->names[k]; k++)
			free(it->names[k]);
		free(it->names);
		free(it->image);
		free(it->image_id);
		free(it->command);
		ports_free(it->ports, it->n_ports);
		for (size_t k = 0; k < 2 * it->n_labels; k++)
			free(it->labels[k]);
		free(it->labels);
		free(it->state);
		free(it->status);
		free(it->network_mode);
		for (size_t k = 0; it->networks && it->networks[k]; k++)
			free(it->networks[k]);
		free(it->networks);
		for (size_t k = 0; k < it->n_mounts; k++) {
			struct berth_container_mount *m = &it->mounts[k];
			free(m->type);
			free(m->name);
			free(m->source);
			free(m->destination);
			free(m->driver);
			free(m->mode);
			free(m->propagation);
		}
		free(it->mounts);
	}
	free(v);
}

int berth_container_list(struct berth *b, const struct berth_container_list_opts *opts,
			 struct berth_container_item **items, size_t *n_out, struct berr *err)
{
	static const struct berth_container_list_opts none = { 0 };
	const struct berth_container_list_opts *o = opts ? opts : &none;
	struct list_ctx x = { .all = o->all, .limit = o->limit };
	struct image_cache ic = { 0 };
	struct container **all = NULL;
	struct snap *v;
	size_t n = 0, cap = 0, nout = 0;
	struct berth_container_item *out = NULL;
	int64_t now;
	int rc = -1;

	*items = NULL;
	*n_out = 0;
	filters_parse(&x.f, o->filters);
	if (container_list(b->store, o->network_mode, &all, err) < 0)
		goto out;
	while (all[n])
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		struct berr ignored = BERR_INIT;

		/* A record whose monitor is gone lists as exited; a correction
		 * that cannot be saved now leaves it as recorded. */
		container_refresh_state(b, all[i], &ignored);
		v[i].c = all[i];
		v[i].created_ns = time_ns(all[i]->created);
		v[i].state = state_string(&all[i]->state);
		v[i].health = health_status(&all[i]->state);
	}
	if (n)
		qsort(v, n, sizeof(*v), by_created_desc);
	if (fold_filters(b, &x, v, n, err) < 0)
		goto out_v;
	name_id_candidates(&x, v, n);
	now = now_ns();
	for (size_t i = 0; i < n; i++) {
		enum action a;

		if (!v[i].candidate)
			continue;
		if ((a = include(&x, &v[i])) == STOP)
			break;
		if (a == EXCLUDE)
			continue;
		if (nout == cap)
			out = xrealloc(out, (cap = cap ? cap * 2 : 16) * sizeof(*out));
		fill_item(b, o, &ic, &v[i], now, &out[nout++]);
		x.idx++;
	}
	*items = out;
	*n_out = nout;
	out = NULL;
	rc = 0;
out_v:
	berth_container_list_free(out, nout);
	for (size_t i = 0; i < n; i++)
		free_strv(v[i].labels, 2 * v[i].n_labels);
	free(v);
out:
	image_cache_release(&ic);
	container_list_free(all);
	ctx_release(&x);
	return rc;
}

static const char *trunc_id(const char *id, char buf[13])
{
	const char *colon = strchr(id, ':');

	snprintf(buf, 13, "%s", colon ? colon + 1 : id);
	return buf;
}

char *berth_container_image_short(const char *image, const char *image_id)
{
	char a[13], b[13];
	struct reference ref;
	char *out;

	if (!strcmp(trunc_id(image_id ? image_id : "", a), trunc_id(image, b)))
		return xstrdup(a);
	if (reference_parse(&ref, image, NULL) < 0)
		return xstrdup(image);
	free(ref.digest);
	ref.digest = NULL;
	out = reference_familiar_string(&ref);
	reference_release(&ref);
	return out;
}
