/*
 * list.c - docker 20.10's container list (daemon/list.go and the
 * snapshot of container/view.go), behind berth_container_list; its
 * filters are listfilter.c's.
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../image/lookup.h"
#include "../reference.h"
#include "../store/layerdb.h"
#include "../store/mounts.h"
#include "../store/refs.h"
#include "../util/fs.h"
#include "../util/timefmt.h"
#include "container.h"
#include "engine.h"
#include "list.h"
#include "scan.h"


/* ---- what the listing knows of each container (dockerd's Snapshot) ---- */

/* An RFC 3339 time in unix nanoseconds (the fraction kept). */
static int64_t time_ns(const char *t)
{
	int64_t ns = 0, scale = 100000000;
	const char *dot;

	if (list_is_zero_time(t))
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
	return list_is_zero_time(st->started_at) ? "created" : "exited";
}

/* State.String(), as of now. */
static char *status_text(const struct container_state *st, int64_t now)
{
	char d[64];

	if (st->running) {
		if (st->paused) {
			human_duration_ns(d, sizeof(d), now - time_ns(st->started_at));
			return xasprintf("Up %s (Paused)", d);
		}
		if (st->restarting) {
			human_duration_ns(d, sizeof(d), now - time_ns(st->finished_at));
			return xasprintf("Restarting (%lld) %s ago", (long long)st->exit_code, d);
		}
		human_duration_ns(d, sizeof(d), now - time_ns(st->started_at));
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
	if (list_is_zero_time(st->started_at))
		return xstrdup("Created");
	if (list_is_zero_time(st->finished_at))
		return xstrdup("");
	human_duration_ns(d, sizeof(d), now - time_ns(st->finished_at));
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
void list_snap_labels(struct list_snap *s)
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

static int by_created_desc(const void *a, const void *b)
{
	const struct list_snap *x = a, *y = b;

	return x->created_ns < y->created_ns ? 1 : x->created_ns > y->created_ns ? -1 : 0;
}

/* The container's ports as the snapshot lists them (NetworkSettings.Ports). */
void list_snap_ports(struct container *c, struct berth_container_port **out, size_t *n)
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

void list_ports_free(struct berth_container_port *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ip);
		free(v[i].type);
	}
	free(v);
}

/* ---- the items ---- */

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
		*rw = dir_usage(fd);
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

static void fill_labels(struct list_snap *s, struct berth_container_item *it)
{
	list_snap_labels(s);
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
		qsort(it->networks, n, sizeof(char *), str_ptr_cmp);
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
		qsort(it->networks, n, sizeof(char *), str_ptr_cmp);
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
		      struct list_snap *s, int64_t now, struct berth_container_item *it)
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
	list_snap_ports(c, &it->ports, &it->n_ports);
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
		list_ports_free(it->ports, it->n_ports);
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
	struct list_filters *x = list_filters_new(o->filters, o->all, o->limit);
	struct image_cache ic = { 0 };
	struct container **all = NULL;
	struct list_snap *v;
	size_t n = 0, cap = 0, nout = 0;
	struct berth_container_item *out = NULL;
	int64_t now;
	int rc = -1;

	*items = NULL;
	*n_out = 0;
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
	if (list_filters_fold(b, x, v, n, err) < 0)
		goto out_v;
	list_filters_candidates(x, v, n);
	now = now_ns();
	for (size_t i = 0; i < n; i++) {
		enum list_action a;

		if (!v[i].candidate)
			continue;
		if ((a = list_filters_include(x, &v[i])) == LIST_STOP)
			break;
		if (a == LIST_EXCLUDE)
			continue;
		if (nout == cap)
			out = xrealloc(out, (cap = cap ? cap * 2 : 16) * sizeof(*out));
		fill_item(b, o, &ic, &v[i], now, &out[nout++]);
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
	list_filters_free(x);
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
