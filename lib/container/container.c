/* container.c - config.v2.json and hostconfig.json (container.h). */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../format/gojson.h"
#include "../store/store.h"
#include "../util/fs.h"
#include "scan.h"
#include "shape.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"
/* dockerd's files are a few KiB; a bound keeps a hostile one from costing more. */
#define RECORD_MAX (4 << 20)

/* What a listed container has not parsed yet: slices of its
 * config.v2.json, parsed by the accessors on first use. */
enum { LZ_CONFIG, LZ_NET, LZ_MOUNTS, LZ_N };
struct container_lazy {
	char *text;
	size_t off[LZ_N], len[LZ_N]; /* len 0: the key was absent */
};

void container_new_id(char out[65])
{
	random_id(out); /* already stringid's rule */
}

static json_t *bridge_settings(void)
{
	json_t *ns = json_pack("{s:{s:{}}}", "Networks", "bridge");
	json_t *out = shape_network_settings(ns, NULL);

	json_decref(ns);
	return out;
}

struct container *container_new(void)
{
	struct container *c = xcalloc(1, sizeof(*c));

	c->state.error = xstrdup("");
	c->state.started_at = xstrdup(ZERO_TIME);
	c->state.finished_at = xstrdup(ZERO_TIME);
	c->state.health = json_null();
	c->created = xstrdup(ZERO_TIME);
	c->path = xstrdup("");
	c->args = json_array();
	c->config = shape_config(NULL, NULL);
	c->network_settings = bridge_settings();
	c->log_path = xstrdup("");
	c->name = xstrdup("");
	c->driver = xstrdup("overlay2");
	c->os = xstrdup("linux");
	c->mount_label = xstrdup("");
	c->process_label = xstrdup("");
	c->mount_points = json_object();
	c->secret_refs = json_null();
	c->config_refs = json_null();
	c->apparmor_profile = xstrdup("");
	c->hostname_path = xstrdup("");
	c->hosts_path = xstrdup("");
	c->shm_path = xstrdup("");
	c->resolv_conf_path = xstrdup("");
	c->seccomp_profile = xstrdup("");
	c->host_config = shape_host_config(NULL, NULL);
	return c;
}

void container_free(struct container *c)
{
	if (!c)
		return;
	free(c->state.error);
	free(c->state.started_at);
	free(c->state.finished_at);
	json_decref(c->state.health);
	free(c->created);
	free(c->path);
	json_decref(c->args);
	json_decref(c->config);
	json_decref(c->network_settings);
	free(c->log_path);
	free(c->name);
	free(c->driver);
	free(c->os);
	free(c->mount_label);
	free(c->process_label);
	json_decref(c->mount_points);
	json_decref(c->secret_refs);
	json_decref(c->config_refs);
	free(c->apparmor_profile);
	free(c->hostname_path);
	free(c->hosts_path);
	free(c->shm_path);
	free(c->resolv_conf_path);
	free(c->seccomp_profile);
	json_decref(c->host_config);
	if (c->lazy)
		free(c->lazy->text);
	free(c->lazy_image);
	free(c->lazy);
	free(c);
}

/* ---- reading ---- */

static void set_str(char **dst, const char *v, size_t n)
{
	free(*dst);
	*dst = scan_string(v, n);
	if (!*dst)
		*dst = xstrdup("");
}

static void set_json(json_t **dst, const char *v, size_t n)
{
	json_decref(*dst);
	*dst = scan_json(v, n);
	if (!*dst)
		*dst = json_null();
}

static int parse_state(struct container_state *st, const char *v, size_t n)
{
	struct scan it;
	const char *k, *x;
	size_t kl, xl;
	int r;

	if (scan_object(&it, v, n) < 0)
		return n == 4 && !memcmp(v, "null", 4) ? 0 : -1;
	while ((r = scan_next(&it, &k, &kl, &x, &xl)) > 0) {
		if (scan_key_is(k, kl, "Running"))
			st->running = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "Paused"))
			st->paused = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "Restarting"))
			st->restarting = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "OOMKilled"))
			st->oom_killed = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "RemovalInProgress"))
			st->removal_in_progress = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "Dead"))
			st->dead = scan_bool(x, xl);
		else if (scan_key_is(k, kl, "Pid"))
			st->pid = scan_int(x, xl);
		else if (scan_key_is(k, kl, "ExitCode"))
			st->exit_code = scan_int(x, xl);
		else if (scan_key_is(k, kl, "Error"))
			set_str(&st->error, x, xl);
		else if (scan_key_is(k, kl, "StartedAt"))
			set_str(&st->started_at, x, xl);
		else if (scan_key_is(k, kl, "FinishedAt"))
			set_str(&st->finished_at, x, xl);
		else if (scan_key_is(k, kl, "Health"))
			set_json(&st->health, x, xl);
	}
	return r;
}

static void set_lazy(struct container *c, int which, const char *text, const char *v, size_t n)
{
	c->lazy->off[which] = (size_t)(v - text);
	c->lazy->len[which] = n;
}

/* One member of config.v2.json's top level into c. */
static int parse_member(struct container *c, const char *text, const char *k, size_t kl, const char *v, size_t n)
{
	char *tmp = NULL;

	switch (k[0]) {
	case 'A':
		if (scan_key_is(k, kl, "Args"))
			set_json(&c->args, v, n);
		else if (scan_key_is(k, kl, "AppArmorProfile"))
			set_str(&c->apparmor_profile, v, n);
		break;
	case 'C':
		if (scan_key_is(k, kl, "Config"))
			set_lazy(c, LZ_CONFIG, text, v, n);
		else if (scan_key_is(k, kl, "Created"))
			set_str(&c->created, v, n);
		else if (scan_key_is(k, kl, "ConfigReferences"))
			set_json(&c->config_refs, v, n);
		break;
	case 'D':
		if (scan_key_is(k, kl, "Driver"))
			set_str(&c->driver, v, n);
		break;
	case 'H':
		if (scan_key_is(k, kl, "HasBeenStartedBefore"))
			c->has_been_started_before = scan_bool(v, n);
		else if (scan_key_is(k, kl, "HasBeenManuallyStopped"))
			c->has_been_manually_stopped = scan_bool(v, n);
		else if (scan_key_is(k, kl, "HostnamePath"))
			set_str(&c->hostname_path, v, n);
		else if (scan_key_is(k, kl, "HostsPath"))
			set_str(&c->hosts_path, v, n);
		break;
	case 'I':
		if (scan_key_is(k, kl, "ID") || scan_key_is(k, kl, "Image")) {
			set_str(&tmp, v, n);
			snprintf(k[1] == 'D' ? c->id : c->image, k[1] == 'D' ? sizeof(c->id) : sizeof(c->image), "%s", tmp);
			free(tmp);
		}
		break;
	case 'L':
		if (scan_key_is(k, kl, "LogPath")) {
			set_str(&c->log_path, v, n);
		} else if (scan_key_is(k, kl, "LocalLogCacheMeta")) {
			struct scan it;
			const char *mk, *mv;
			size_t mkl, mvl;
			if (scan_object(&it, v, n) == 0)
				while (scan_next(&it, &mk, &mkl, &mv, &mvl) > 0)
					if (scan_key_is(mk, mkl, "HaveNotifyEnabled"))
						c->log_cache_notify = scan_bool(mv, mvl);
		}
		break;
	case 'M':
		if (scan_key_is(k, kl, "Managed"))
			c->managed = scan_bool(v, n);
		else if (scan_key_is(k, kl, "MountLabel"))
			set_str(&c->mount_label, v, n);
		else if (scan_key_is(k, kl, "MountPoints"))
			set_lazy(c, LZ_MOUNTS, text, v, n);
		break;
	case 'N':
		if (scan_key_is(k, kl, "Name"))
			set_str(&c->name, v, n);
		else if (scan_key_is(k, kl, "NetworkSettings"))
			set_lazy(c, LZ_NET, text, v, n);
		else if (scan_key_is(k, kl, "NoNewPrivileges"))
			c->no_new_privileges = scan_bool(v, n);
		break;
	case 'O':
		if (scan_key_is(k, kl, "OS"))
			set_str(&c->os, v, n);
		break;
	case 'P':
		if (scan_key_is(k, kl, "Path"))
			set_str(&c->path, v, n);
		else if (scan_key_is(k, kl, "ProcessLabel"))
			set_str(&c->process_label, v, n);
		break;
	case 'R':
		if (scan_key_is(k, kl, "RestartCount"))
			c->restart_count = scan_int(v, n);
		else if (scan_key_is(k, kl, "ResolvConfPath"))
			set_str(&c->resolv_conf_path, v, n);
		break;
	case 'S':
		if (scan_key_is(k, kl, "State"))
			return parse_state(&c->state, v, n) < 0 ? -1 : 0;
		if (scan_key_is(k, kl, "SecretReferences"))
			set_json(&c->secret_refs, v, n);
		else if (scan_key_is(k, kl, "ShmPath"))
			set_str(&c->shm_path, v, n);
		else if (scan_key_is(k, kl, "SeccompProfile"))
			set_str(&c->seccomp_profile, v, n);
		break;
	default:
		break;
	}
	return 0;
}

/* Go's zero values for what the document did not have. */
static void fill_missing(struct container *c)
{
	char **strs[] = { &c->state.error, &c->path, &c->log_path, &c->name, &c->driver, &c->os, &c->mount_label,
			  &c->process_label, &c->apparmor_profile, &c->hostname_path, &c->hosts_path, &c->shm_path,
			  &c->resolv_conf_path, &c->seccomp_profile };
	json_t **docs[] = { &c->state.health, &c->args, &c->secret_refs, &c->config_refs };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!*strs[i])
			*strs[i] = xstrdup("");
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (!*docs[i])
			*docs[i] = json_null();
	if (!c->state.started_at)
		c->state.started_at = xstrdup(ZERO_TIME);
	if (!c->state.finished_at)
		c->state.finished_at = xstrdup(ZERO_TIME);
	if (!c->created)
		c->created = xstrdup(ZERO_TIME);
	/* FromDisk: an empty OS is linux. */
	if (!c->os[0]) {
		free(c->os);
		c->os = xstrdup("linux");
	}
}

static json_t *lazy_doc(const struct container *c, int which)
{
	const struct container_lazy *lz = c->lazy;
	json_t *v = NULL;

	if (lz && lz->len[which])
		v = scan_json(lz->text + lz->off[which], lz->len[which]);
	if (which == LZ_CONFIG && !json_is_object(v)) {
		json_decref(v);
		v = shape_config(NULL, NULL);
	}
	return v ? v : json_null();
}

json_t *container_config(struct container *c)
{
	if (!c->config)
		c->config = lazy_doc(c, LZ_CONFIG);
	return c->config;
}

json_t *container_network_settings(struct container *c)
{
	if (!c->network_settings)
		c->network_settings = lazy_doc(c, LZ_NET);
	return c->network_settings;
}

json_t *container_mount_points(struct container *c)
{
	if (!c->mount_points)
		c->mount_points = lazy_doc(c, LZ_MOUNTS);
	return c->mount_points;
}

int container_member_text(const struct container *c, enum container_member m, const char **text, size_t *len)
{
	static const int which[] = { [CONTAINER_CONFIG] = LZ_CONFIG, [CONTAINER_NETWORK_SETTINGS] = LZ_NET,
				     [CONTAINER_MOUNT_POINTS] = LZ_MOUNTS };
	const json_t *parsed = m == CONTAINER_CONFIG ? c->config
			       : m == CONTAINER_NETWORK_SETTINGS ? c->network_settings : c->mount_points;
	const struct container_lazy *lz = c->lazy;

	if (parsed || !lz || !lz->len[which[m]])
		return 0;
	*text = lz->text + lz->off[which[m]];
	*len = lz->len[which[m]];
	return 1;
}

/* Config.Image's slice, found by walking the unparsed Config; NULL when
 * Config is parsed already or the walk cannot tell. */
static char *lazy_config_image(const struct container *c)
{
	const struct container_lazy *lz = c->lazy;
	struct scan it;
	const char *k, *v;
	size_t kl, vl;

	if (c->config || !lz || !lz->len[LZ_CONFIG] ||
	    scan_object(&it, lz->text + lz->off[LZ_CONFIG], lz->len[LZ_CONFIG]) < 0)
		return NULL;
	while (scan_next(&it, &k, &kl, &v, &vl) > 0)
		if (scan_key_is(k, kl, "Image"))
			return scan_string(v, vl);
	return NULL;
}

const char *container_config_image(struct container *c)
{
	if (!c->lazy_image)
		c->lazy_image = lazy_config_image(c);
	if (c->lazy_image)
		return c->lazy_image;
	return json_string_value(json_object_get(container_config(c), "Image"));
}

/* text is taken (freed here or kept for the lazy members). */
static struct container *parse_text(char *text, size_t len, int lazy, struct berr *err)
{
	/* Every field is set from the document: no defaults to build and drop. */
	struct container *c = xcalloc(1, sizeof(*c));
	struct scan it;
	const char *k, *v;
	size_t kl, vl;
	int r = -1;

	c->lazy = xcalloc(1, sizeof(*c->lazy));
	c->lazy->text = text;
	if (scan_object(&it, text, len) == 0)
		while ((r = scan_next(&it, &k, &kl, &v, &vl)) > 0)
			if (parse_member(c, text, k, kl, v, vl) < 0) {
				r = -1;
				break;
			}
	if (r < 0) {
		berr_set(err, BERR_INVALID, "config.v2.json: invalid JSON");
		container_free(c);
		return NULL;
	}
	fill_missing(c);
	if (!lazy) {
		container_config(c);
		container_network_settings(c);
		container_mount_points(c);
		free(c->lazy->text);
		free(c->lazy);
		c->lazy = NULL;
	}
	return c;
}

static struct container *container_parse_opt(const char *config_v2, size_t len, const char *hc, size_t hc_len,
					      int want_hc, struct berr *err)
{
	struct container *c = parse_text(xstrndup(config_v2, len), len, 0, err);
	json_error_t je;
	json_t *h = NULL;

	if (!c)
		return NULL;
	if (hc && !(h = json_loadb(hc, hc_len, 0, &je))) {
		berr_set(err, BERR_INVALID, "hostconfig.json: %s", je.text);
		container_free(c);
		return NULL;
	}
	if (want_hc)
		c->host_config = h ? h : shape_host_config(NULL, NULL);
	else
		json_decref(h);
	return c;
}

struct container *container_parse(const char *config_v2, size_t len, const char *hc, size_t hc_len,
				  struct berr *err)
{
	return container_parse_opt(config_v2, len, hc, hc_len, 1, err);
}

/* ---- writing ---- */

/* Go's decode+encode of a kept document; one that does not decode is
 * written as it is (it came from disk so, and dockerd reads it so). */
static json_t *shaped(json_t *(*fn)(json_t *, struct berr *), json_t *v)
{
	json_t *out = fn(v, NULL);

	return out ? out : json_incref(v ? v : json_null());
}

/* A member that may not be parsed yet (a listed container); null stays null. */
static json_t *shaped_doc(json_t *(*fn)(json_t *, struct berr *), const struct container *c, json_t *v, int which)
{
	json_t *d = v ? json_incref(v) : lazy_doc(c, which), *out;

	out = json_is_null(d) && which != LZ_CONFIG ? json_incref(d) : shaped(fn, d);
	json_decref(d);
	return out;
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *state_json(const struct container_state *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "Running", json_boolean(st->running));
	json_object_set_new(o, "Paused", json_boolean(st->paused));
	json_object_set_new(o, "Restarting", json_boolean(st->restarting));
	json_object_set_new(o, "OOMKilled", json_boolean(st->oom_killed));
	json_object_set_new(o, "RemovalInProgress", json_boolean(st->removal_in_progress));
	json_object_set_new(o, "Dead", json_boolean(st->dead));
	json_object_set_new(o, "Pid", json_integer(st->pid));
	json_object_set_new(o, "ExitCode", json_integer(st->exit_code));
	json_object_set_new(o, "Error", jstr(st->error));
	json_object_set_new(o, "StartedAt", jstr(st->started_at));
	json_object_set_new(o, "FinishedAt", jstr(st->finished_at));
	json_object_set_new(o, "Health", shaped(shape_health, st->health));
	return o;
}

static void set_ref(json_t *o, const char *k, json_t *v)
{
	json_object_set(o, k, v ? v : json_null());
}

void container_write_config(const struct container *c, struct sbuf *out)
{
	json_t *o = json_object();

	json_object_set_new(o, "StreamConfig", json_object());
	json_object_set_new(o, "State", state_json(&c->state));
	json_object_set_new(o, "ID", jstr(c->id));
	json_object_set_new(o, "Created", jstr(c->created));
	json_object_set_new(o, "Managed", json_boolean(c->managed));
	json_object_set_new(o, "Path", jstr(c->path));
	set_ref(o, "Args", c->args);
	json_object_set_new(o, "Config", shaped_doc(shape_config, c, c->config, LZ_CONFIG));
	json_object_set_new(o, "Image", jstr(c->image));
	json_object_set_new(o, "NetworkSettings", shaped_doc(shape_network_settings, c, c->network_settings, LZ_NET));
	json_object_set_new(o, "LogPath", jstr(c->log_path));
	json_object_set_new(o, "Name", jstr(c->name));
	json_object_set_new(o, "Driver", jstr(c->driver));
	json_object_set_new(o, "OS", jstr(c->os));
	json_object_set_new(o, "MountLabel", jstr(c->mount_label));
	json_object_set_new(o, "ProcessLabel", jstr(c->process_label));
	json_object_set_new(o, "RestartCount", json_integer(c->restart_count));
	json_object_set_new(o, "HasBeenStartedBefore", json_boolean(c->has_been_started_before));
	json_object_set_new(o, "HasBeenManuallyStopped", json_boolean(c->has_been_manually_stopped));
	json_object_set_new(o, "MountPoints", shaped_doc(shape_mount_points, c, c->mount_points, LZ_MOUNTS));
	set_ref(o, "SecretReferences", c->secret_refs);
	set_ref(o, "ConfigReferences", c->config_refs);
	json_object_set_new(o, "AppArmorProfile", jstr(c->apparmor_profile));
	json_object_set_new(o, "HostnamePath", jstr(c->hostname_path));
	json_object_set_new(o, "HostsPath", jstr(c->hosts_path));
	json_object_set_new(o, "ShmPath", jstr(c->shm_path));
	json_object_set_new(o, "ResolvConfPath", jstr(c->resolv_conf_path));
	json_object_set_new(o, "SeccompProfile", jstr(c->seccomp_profile));
	json_object_set_new(o, "NoNewPrivileges", json_boolean(c->no_new_privileges));
	json_object_set_new(o, "LocalLogCacheMeta", json_pack("{s:b}", "HaveNotifyEnabled", c->log_cache_notify));
	gojson_write_opts(out, o, NULL, NULL, 1);
	sbuf_addch(out, '\n');
	json_decref(o);
}

void container_write_host_config(const struct container *c, struct sbuf *out)
{
	json_t *hc = shaped(shape_host_config, c->host_config);

	gojson_write_opts(out, hc, NULL, NULL, 1);
	sbuf_addch(out, '\n');
	json_decref(hc);
}

/* ---- the files ---- */

static int save_at(int dirfd, const struct container *c, int durable, struct berr *err)
{
	int (*write_at)(int, const char *, const void *, size_t, mode_t, struct berr *) =
		durable ? atomic_write_at : cache_write_at;
	struct sbuf b = SBUF_INIT;
	int rc;

	container_write_config(c, &b);
	rc = write_at(dirfd, "config.v2.json", b.buf, b.len, 0600, err);
	sbuf_reset(&b);
	if (rc == 0) {
		container_write_host_config(c, &b);
		rc = write_at(dirfd, "hostconfig.json", b.buf, b.len, 0644, err);
	}
	sbuf_release(&b);
	return rc;
}

int container_save_at(int dirfd, const struct container *c, int durable, struct berr *err)
{
	return save_at(dirfd, c, durable, err);
}

static int open_container_dir(struct store *s, const char *id, struct berr *err)
{
	char p[128];
	int fd;

	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return berr_set(err, BERR_NOT_FOUND, "No such container: %s", id);
	snprintf(p, sizeof(p), "containers/%s", id);
	fd = openat(s->root_fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? berr_set(err, BERR_NOT_FOUND, "No such container: %s", id)
				       : berr_sys(err, "open %s", p);
	return fd;
}

static int save(struct store *s, const struct container *c, int durable, struct berr *err)
{
	int fd = open_container_dir(s, c->id, err), rc;

	if (fd < 0)
		return -1;
	rc = save_at(fd, c, durable, err);
	close(fd);
	return rc;
}

int container_save(struct store *s, const struct container *c, struct berr *err)
{
	return save(s, c, 1, err);
}

int container_checkpoint(struct store *s, const struct container *c, struct berr *err)
{
	return save(s, c, 0, err);
}

/* lazy: the listing's way (Config, NetworkSettings, MountPoints parsed
 * on first use); else everything parsed now. */
static struct container *load_at(int dirfd, const char *id, int with_hc, int lazy, struct berr *err)
{
	struct sbuf cfg = SBUF_INIT, hc = SBUF_INIT;
	struct container *c = NULL;
	json_error_t je;
	size_t len;
	char *text;

	if (read_file_at(dirfd, "config.v2.json", &cfg, RECORD_MAX, err) < 0) {
		sbuf_release(&cfg);
		return NULL;
	}
	len = cfg.len;
	text = sbuf_detach(&cfg, NULL);
	if (!(c = parse_text(text, len, lazy, err)))
		return NULL;
	if (strcmp(c->id, id)) {
		berr_set(err, BERR_INVALID, "Container %s is stored at %s", c->id, id);
		goto fail;
	}
	if (with_hc) {
		struct berr e = BERR_INIT;
		if (read_file_at(dirfd, "hostconfig.json", &hc, RECORD_MAX, &e) == 0) {
			if (!(c->host_config = json_loadb(hc.buf, hc.len, 0, &je))) {
				berr_set(err, BERR_INVALID, "hostconfig.json: %s", je.text);
				goto fail;
			}
		} else if (e.errno_ == ENOENT) {
			/* readHostConfig: a missing file is an empty HostConfig */
			c->host_config = shape_host_config(NULL, NULL);
		} else {
			berr_copy(err, &e);
			goto fail;
		}
	}
	sbuf_release(&hc);
	return c;
fail:
	sbuf_release(&hc);
	container_free(c);
	return NULL;
}

struct container *container_load(struct store *s, const char *id, struct berr *err)
{
	int fd = open_container_dir(s, id, err);
	struct container *c;

	if (fd < 0)
		return NULL;
	c = load_at(fd, id, 1, 0, err);
	close(fd);
	return c;
}

int container_list(struct store *s, int with_host_config, struct container ***out, struct berr *err)
{
	int fd = openat(s->root_fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0, cap = 16;
	struct container **v = xmalloc(cap * sizeof(*v));

	*out = v;
	v[0] = NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : berr_sys(err, "open containers");
	}
	while ((de = readdir(d))) {
		struct container *c;
		int cfd;

		if (strlen(de->d_name) != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		c = load_at(cfd, de->d_name, with_host_config, 1, NULL);
		close(cfd);
		if (!c)
			continue;
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = c;
	}
	closedir(d);
	v[n] = NULL;
	*out = v;
	return 0;
}

void container_list_free(struct container **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		container_free(v[i]);
	free(v);
}
