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
#include "shape.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"
/* dockerd's files are a few KiB; a bound keeps a hostile one from costing more. */
#define RECORD_MAX (4 << 20)

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
	free(c);
}

/* ---- reading ---- */

static char *get_str(json_t *o, const char *k, const char *dflt)
{
	json_t *v = json_object_get(o, k);

	return xstrdup(json_is_string(v) ? json_string_value(v) : dflt);
}

static int64_t get_int(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int get_bool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static json_t *get_any(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_incref(v) : json_null();
}

static void replace_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

static int parse_state(struct container_state *st, json_t *o, struct berr *err)
{
	st->running = get_bool(o, "Running");
	st->paused = get_bool(o, "Paused");
	st->restarting = get_bool(o, "Restarting");
	st->oom_killed = get_bool(o, "OOMKilled");
	st->removal_in_progress = get_bool(o, "RemovalInProgress");
	st->dead = get_bool(o, "Dead");
	st->pid = get_int(o, "Pid");
	st->exit_code = get_int(o, "ExitCode");
	replace_str(&st->error, get_str(o, "Error", ""));
	replace_str(&st->started_at, get_str(o, "StartedAt", ZERO_TIME));
	replace_str(&st->finished_at, get_str(o, "FinishedAt", ZERO_TIME));
	json_decref(st->health);
	st->health = get_any(o, "Health");
	return 0;
}

static int parse_config_v2(struct container *c, json_t *o, struct berr *err)
{
	json_t *v;
	const char *id = json_string_value(json_object_get(o, "ID"));
	const char *image = json_string_value(json_object_get(o, "Image"));

	if (!json_is_object(o))
		return berr_set(err, BERR_INVALID, "config.v2.json: not an object");
	if (parse_state(&c->state, json_object_get(o, "State"), err) < 0)
		return -1;
	snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
	snprintf(c->image, sizeof(c->image), "%s", image ? image : "");
	replace_str(&c->created, get_str(o, "Created", ZERO_TIME));
	c->managed = get_bool(o, "Managed");
	replace_str(&c->path, get_str(o, "Path", ""));
	json_decref(c->args);
	c->args = get_any(o, "Args");
	/* Kept as read (dockerd wrote them in shape); shaped when written. */
	json_decref(c->config);
	v = json_object_get(o, "Config");
	if (v && !json_is_object(v) && !json_is_null(v))
		return berr_set(err, BERR_INVALID, "config.v2.json: Config is not an object");
	c->config = json_is_object(v) ? json_incref(v) : shape_config(NULL, NULL);
	json_decref(c->network_settings);
	c->network_settings = get_any(o, "NetworkSettings");
	replace_str(&c->log_path, get_str(o, "LogPath", ""));
	replace_str(&c->name, get_str(o, "Name", ""));
	replace_str(&c->driver, get_str(o, "Driver", ""));
	/* FromDisk: an empty OS is linux. */
	replace_str(&c->os, get_str(o, "OS", ""));
	if (!c->os[0])
		replace_str(&c->os, xstrdup("linux"));
	replace_str(&c->mount_label, get_str(o, "MountLabel", ""));
	replace_str(&c->process_label, get_str(o, "ProcessLabel", ""));
	c->restart_count = get_int(o, "RestartCount");
	c->has_been_started_before = get_bool(o, "HasBeenStartedBefore");
	c->has_been_manually_stopped = get_bool(o, "HasBeenManuallyStopped");
	json_decref(c->mount_points);
	c->mount_points = get_any(o, "MountPoints");
	json_decref(c->secret_refs);
	c->secret_refs = get_any(o, "SecretReferences");
	json_decref(c->config_refs);
	c->config_refs = get_any(o, "ConfigReferences");
	replace_str(&c->apparmor_profile, get_str(o, "AppArmorProfile", ""));
	replace_str(&c->hostname_path, get_str(o, "HostnamePath", ""));
	replace_str(&c->hosts_path, get_str(o, "HostsPath", ""));
	replace_str(&c->shm_path, get_str(o, "ShmPath", ""));
	replace_str(&c->resolv_conf_path, get_str(o, "ResolvConfPath", ""));
	replace_str(&c->seccomp_profile, get_str(o, "SeccompProfile", ""));
	c->no_new_privileges = get_bool(o, "NoNewPrivileges");
	c->log_cache_notify = get_bool(json_object_get(o, "LocalLogCacheMeta"), "HaveNotifyEnabled");
	return 0;
}

static struct container *container_parse_opt(const char *config_v2, size_t len, const char *hc, size_t hc_len,
					      int want_hc, struct berr *err)
{
	struct container *c = container_new();
	json_error_t je;
	json_t *o = json_loadb(config_v2, len, 0, &je), *h = NULL;

	if (!o) {
		berr_set(err, BERR_INVALID, "config.v2.json: %s", je.text);
		goto fail;
	}
	if (parse_config_v2(c, o, err) < 0)
		goto fail;
	json_decref(c->host_config);
	c->host_config = NULL;
	if (hc) {
		if (!(h = json_loadb(hc, hc_len, 0, &je))) {
			berr_set(err, BERR_INVALID, "hostconfig.json: %s", je.text);
			goto fail;
		}
	}
	if (want_hc)
		c->host_config = h ? json_incref(h) : shape_host_config(NULL, NULL);
	json_decref(o);
	json_decref(h);
	return c;
fail:
	json_decref(o);
	json_decref(h);
	container_free(c);
	return NULL;
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
	json_object_set_new(o, "Config", shaped(shape_config, c->config));
	json_object_set_new(o, "Image", jstr(c->image));
	json_object_set_new(o, "NetworkSettings", json_is_null(c->network_settings) || !c->network_settings
							  ? json_null()
							  : shaped(shape_network_settings, c->network_settings));
	json_object_set_new(o, "LogPath", jstr(c->log_path));
	json_object_set_new(o, "Name", jstr(c->name));
	json_object_set_new(o, "Driver", jstr(c->driver));
	json_object_set_new(o, "OS", jstr(c->os));
	json_object_set_new(o, "MountLabel", jstr(c->mount_label));
	json_object_set_new(o, "ProcessLabel", jstr(c->process_label));
	json_object_set_new(o, "RestartCount", json_integer(c->restart_count));
	json_object_set_new(o, "HasBeenStartedBefore", json_boolean(c->has_been_started_before));
	json_object_set_new(o, "HasBeenManuallyStopped", json_boolean(c->has_been_manually_stopped));
	json_object_set_new(o, "MountPoints", shaped(shape_mount_points, c->mount_points));
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

int container_save_at(int dirfd, const struct container *c, struct berr *err)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	container_write_config(c, &b);
	rc = atomic_write_at(dirfd, "config.v2.json", b.buf, b.len, 0600, err);
	sbuf_reset(&b);
	if (rc == 0) {
		container_write_host_config(c, &b);
		rc = atomic_write_at(dirfd, "hostconfig.json", b.buf, b.len, 0644, err);
	}
	sbuf_release(&b);
	return rc;
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

int container_save(struct store *s, const struct container *c, struct berr *err)
{
	int fd = open_container_dir(s, c->id, err), rc;

	if (fd < 0)
		return -1;
	rc = container_save_at(fd, c, err);
	close(fd);
	return rc;
}

static struct container *load_at(int dirfd, const char *id, int with_hc, struct berr *err)
{
	struct sbuf cfg = SBUF_INIT, hc = SBUF_INIT;
	struct container *c = NULL;
	int have_hc = 0;

	if (read_file_at(dirfd, "config.v2.json", &cfg, RECORD_MAX, err) < 0)
		goto out;
	if (with_hc) {
		struct berr e = BERR_INIT;
		have_hc = read_file_at(dirfd, "hostconfig.json", &hc, RECORD_MAX, &e) == 0;
		if (!have_hc && e.errno_ != ENOENT) {
			berr_copy(err, &e);
			goto out;
		}
	}
	c = container_parse_opt(cfg.buf, cfg.len, have_hc ? hc.buf : NULL, hc.len, with_hc, err);
	if (c && strcmp(c->id, id)) {
		berr_set(err, BERR_INVALID, "Container %s is stored at %s", c->id, id);
		container_free(c);
		c = NULL;
	}
out:
	sbuf_release(&cfg);
	sbuf_release(&hc);
	return c;
}

struct container *container_load(struct store *s, const char *id, struct berr *err)
{
	int fd = open_container_dir(s, id, err);
	struct container *c;

	if (fd < 0)
		return NULL;
	c = load_at(fd, id, 1, err);
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
		c = load_at(cfd, de->d_name, with_host_config, NULL);
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
