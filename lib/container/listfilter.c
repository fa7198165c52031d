/*
 * listfilter.c - dockerd 20.10's filtering of the container list
 * (daemon/list.go: foldFilter, filterByNameIDMatches,
 * includeContainerInList) over the snapshots of list.h.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../image/lookup.h"
#include "../internal.h"
#include "../store/imagedb.h"
#include "../util/filters.h"
#include "list.h"

static const char *const accepted_keys[] = { "ancestor", "before", "exited",  "id",      "isolation",
					     "label",    "name",   "status",  "health",  "since",
					     "volume",   "network", "is-task", "publish", "expose", NULL };

static const char *label_value(const struct list_snap *s, const char *key, size_t klen)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strlen(s->labels[2 * i]) == klen && !strncmp(s->labels[2 * i], key, klen))
			return s->labels[2 * i + 1];
	return NULL;
}

/* ---- the filter context (foldFilter) ---- */

struct port {
	unsigned port;
	char proto[8];
};

struct list_filters {
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

void list_filters_free(struct list_filters *x)
{
	if (!x)
		return;
	filters_release(&x->f);
	free(x->exited);
	for (size_t i = 0; i < x->n_images; i++)
		free(x->images[i]);
	free(x->images);
	free(x->publish);
	free(x->expose);
	free(x);
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
static const char *id_or_name(struct list_snap *v, size_t n, const char *value, struct berr *err)
{
	const char *want = value[0] == '/' ? value + 1 : value, *found = NULL;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].c->id, value))
			return v[i].c->id;
	for (size_t i = 0; i < n; i++) {
		const char *name = list_snap_name(&v[i]);

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
static void add_image_and_children(struct list_filters *x, const char *id, char **meta, char (*parents)[DIGEST_STR_LEN],
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

static void fold_ancestors(struct berth *b, struct list_filters *x, const struct filter *fl)
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

int list_filters_fold(struct berth *b, struct list_filters *x, struct list_snap *v, size_t n, struct berr *err)
{
	const struct filter *fl;

	if (filters_validate(&x->f, accepted_keys, err) < 0)
		return -1;
	if ((fl = filters_get(&x->f, "exited"))) {
		x->exited = xcalloc(fl->n + 1, sizeof(*x->exited));
		for (size_t i = 0; i < fl->n; i++)
			if (go_atoi(fl->values[i], &x->exited[x->n_exited++], err) < 0)
				return -1;
	}
	if ((fl = filters_get(&x->f, "status"))) {
		for (size_t i = 0; i < fl->n; i++) {
			if (!valid_state(fl->values[i]))
				return berr_set(err, BERR_INVALID, "Invalid filter 'status=%s'", fl->values[i]);
			x->all = 1;
		}
	}
	if ((fl = filters_get(&x->f, "is-task"))) {
		x->task_filter = 1;
		if (filters_exact_match(&x->f, "is-task", "true")) {
			x->is_task = 1;
		} else if (!filters_exact_match(&x->f, "is-task", "false")) {
			struct sbuf s = SBUF_INIT;

			for (size_t i = 0; i < fl->n; i++)
				sbuf_addf(&s, "%s%s", i ? " " : "", fl->values[i]);
			berr_set(err, BERR_INVALID, "Invalid filter 'is-task=[%s]'", sbuf_str(&s));
			sbuf_release(&s);
			return -1;
		}
	}
	if ((fl = filters_get(&x->f, "health")))
		for (size_t i = 0; i < fl->n; i++)
			if (!valid_health(fl->values[i]))
				return berr_set(err, BERR_INVALID, "Unrecognised filter value for health: %s", fl->values[i]);
	if ((fl = filters_get(&x->f, "before")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(x->before = id_or_name(v, n, fl->values[i], err)))
				return -1;
	if ((fl = filters_get(&x->f, "since")))
		for (size_t i = 0; i < fl->n; i++)
			if (!(x->since = id_or_name(v, n, fl->values[i], err)))
				return -1;
	if ((fl = filters_get(&x->f, "ancestor"))) {
		x->ancestor_filter = 1;
		fold_ancestors(b, x, fl);
	}
	if (fold_ports("publish", filters_get(&x->f, "publish"), &x->publish, &x->n_publish, err) < 0 ||
	    fold_ports("expose", filters_get(&x->f, "expose"), &x->expose, &x->n_expose, err) < 0)
		return -1;
	return 0;
}

/* ---- includeContainerInList ---- */

static int labels_match(struct list_filters *x, struct list_snap *s)
{
	const struct filter *fl = filters_get(&x->f, "label");

	if (!fl || !fl->n)
		return 1;
	list_snap_labels(s);
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

static int volume_match(struct list_filters *x, struct list_snap *s)
{
	const struct filter *fl = filters_get(&x->f, "volume");
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

static int network_match(struct list_filters *x, struct list_snap *s)
{
	const struct filter *fl = filters_get(&x->f, "network");
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

static int ports_match(struct list_filters *x, struct list_snap *s)
{
	struct berth_container_port *v;
	size_t n;
	int hit = 0;

	list_snap_ports(s->c, &v, &n);
	for (size_t i = 0; i < n && !hit; i++)
		hit = has_port(x->publish, x->n_publish, v[i].public_port, v[i].type) ||
		      has_port(x->expose, x->n_expose, v[i].private_port, v[i].type);
	list_ports_free(v, n);
	return hit;
}

static enum list_action include(struct list_filters *x, struct list_snap *s)
{
	const struct container_state *st = &s->c->state;
	const char *name = list_snap_name(s);

	if (x->before) {
		if (!strcmp(s->c->id, x->before))
			x->before = NULL;
		return LIST_EXCLUDE;
	}
	if (x->since && !strcmp(s->c->id, x->since))
		return LIST_STOP;
	if (!st->running && !x->all && x->limit <= 0)
		return LIST_EXCLUDE;
	if (!filters_match(&x->f, "name", name) && !filters_match(&x->f, "name", name[0] == '/' ? name + 1 : name))
		return LIST_EXCLUDE;
	if (!filters_match(&x->f, "id", s->c->id))
		return LIST_EXCLUDE;
	if (x->task_filter && x->is_task != !!s->c->managed)
		return LIST_EXCLUDE;
	if (!labels_match(x, s))
		return LIST_EXCLUDE;
	if (x->limit > 0 && x->idx == x->limit)
		return LIST_STOP;
	if (x->n_exited) {
		int keep = 0;

		for (size_t i = 0; i < x->n_exited && !keep; i++)
			keep = x->exited[i] == st->exit_code && !st->running && !list_is_zero_time(st->started_at);
		if (!keep)
			return LIST_EXCLUDE;
	}
	if (!filters_match(&x->f, "status", s->state))
		return LIST_EXCLUDE;
	if (!filters_exact_match(&x->f, "health", s->health))
		return LIST_EXCLUDE;
	if (filters_get(&x->f, "volume") && !volume_match(x, s))
		return LIST_EXCLUDE;
	if (x->ancestor_filter && !has_id(x->images, x->n_images, s->c->image))
		return LIST_EXCLUDE;
	if (filters_get(&x->f, "network") && !network_match(x, s))
		return LIST_EXCLUDE;
	if ((x->n_publish || x->n_expose) && !ports_match(x, s))
		return LIST_EXCLUDE;
	return LIST_INCLUDE;
}

/* filterByNameIDMatches: with name or id filters, only the containers
 * they name (IDs as truncindex takes them: a unique prefix; names only
 * when no ID is given) are walked; sets each snap's candidate. */
void list_filters_candidates(struct list_filters *x, struct list_snap *v, size_t n)
{
	const struct filter *names = filters_get(&x->f, "name"), *ids = filters_get(&x->f, "id");

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
		const char *name = list_snap_name(&v[i]);

		if (v[i].c->name && (filters_match(&x->f, "name", name) ||
				     filters_match(&x->f, "name", name[0] == '/' ? name + 1 : name)))
			v[i].candidate = 1;
	}
}

enum list_action list_filters_include(struct list_filters *x, struct list_snap *s)
{
	enum list_action a = include(x, s);

	if (a == LIST_INCLUDE)
		x->idx++;
	return a;
}

struct list_filters *list_filters_new(const char *const *filters, int all, int limit)
{
	struct list_filters *x = xcalloc(1, sizeof(*x));

	x->all = all;
	x->limit = limit;
	filters_parse(&x->f, filters);
	return x;
}
