/*
 * start.c - docker's ContainerStart (berth_container_start) and what the
 * monitor records when the container exits.
 *
 * Start: mount the RW layer, write the container's hostname, hosts and
 * resolv.conf (containers/<id>/), build the OCI spec from the record
 * (lib/runtime/spec.h) into <exec-root>/<id>/config.json, and hand the
 * bundle to a monitor (lib/monitor/monitor.h), which runs the runtime.
 *
 * Recording the state: the starter and the monitor's on_exit both update
 * config.v2.json under the store lock, in either order (a container may
 * exit before its starter records it running): the starter sets Running
 * only while the monitor's exit file is absent, and on_exit always sets
 * the exit, so whichever comes last leaves the right record.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <berth/container.h>

#include "../logs/jsonfile.h"
#include "../monitor/monitor.h"
#include "../runtime/spec.h"
#include "../util/fs.h"
#include "../util/timefmt.h"
#include "container.h"
#include "engine.h"
#include "lifecycle.h"
#include "volumes.h"
#include "lookup.h"

/* Candidates for --init, docker's own first (Debian's docker.io ships it). */
static const char *const init_paths[] = { "/usr/bin/docker-init", "/usr/bin/tini-static", "/usr/bin/tini", NULL };

void berth_set_exec_root(struct berth *b, const char *dir)
{
	free(b->exec_root);
	b->exec_root = dir && *dir ? path_absolute(dir) : NULL;
}

static const char *exec_root(struct berth *b)
{
	return b->exec_root ? b->exec_root : b->cfg.exec_root;
}

void container_state_dir(struct berth *b, const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", exec_root(b), id);
}

int container_start_failure_status(const char *msg)
{
	if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory") ||
	    strstr(msg, "system cannot find the file specified"))
		return 127;
	if (strstr(msg, "permission denied"))
		return 126;
	return 125;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* ---- the files a container's network set-up writes ---- */

static const char hosts_defaults[] =
	"127.0.0.1\tlocalhost\n"
	"::1\tlocalhost ip6-localhost ip6-loopback\n"
	"fe00::0\tip6-localnet\n"
	"ff00::0\tip6-mcastprefix\n"
	"ff02::1\tip6-allnodes\n"
	"ff02::2\tip6-allrouters\n";

/* Docker's FilterResolvDNS: nameserver lines naming a loopback address
 * go (the container cannot reach the host's), and with none left, Google's
 * public resolvers are appended as docker does. */
static void filter_resolv(const char *in, size_t len, struct sbuf *out)
{
	const char *p = in, *end = in + len;
	int any = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char line[512];
		char ns[256];

		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) ? l : sizeof(line) - 1), p);
		if (sscanf(line, " nameserver %255s", ns) == 1) {
			if (!strncmp(ns, "127.", 4) || !strcmp(ns, "::1") || strchr(ns, ':')) {
				p += l;
				continue;
			}
			any = 1;
		}
		sbuf_add(out, p, l);
		p += l;
	}
	if (!any)
		sbuf_addstr(out, "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

/* hostname, hosts and resolv.conf are rebuilt at every start: replaced
 * atomically, but not fsynced (a crash costs nothing but the rewrite). */
static int write_network_files(struct berth *b, struct container *c, const char *dir, struct berr *err)
{
	json_t *cfg = container_config(c);
	const char *mode = json_string_value(json_object_get(c->host_config, "NetworkMode"));
	const char *host = json_string_value(json_object_get(cfg, "Hostname"));
	int host_net = mode && !strcmp(mode, "host");
	struct sbuf sb = SBUF_INIT, rc = SBUF_INIT;
	char path[PATH_MAX + 16];
	int r = -1;

	sbuf_addf(&sb, "%s\n", host ? host : "");
	snprintf(path, sizeof(path), "%s/hostname", dir);
	if (cache_write_at(AT_FDCWD, path, sb.buf, sb.len, 0644, err) < 0)
		goto out;
	set_str(&c->hostname_path, path);

	sbuf_reset(&sb);
	if (!host_net || read_file_at(AT_FDCWD, "/etc/hosts", &sb, 1 << 20, NULL) < 0) {
		sbuf_reset(&sb);
		sbuf_addstr(&sb, hosts_defaults);
	}
	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (cache_write_at(AT_FDCWD, path, sb.buf ? sb.buf : "", sb.len, 0644, err) < 0)
		goto out;
	set_str(&c->hosts_path, path);

	sbuf_reset(&sb);
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &sb, 1 << 20, NULL) < 0)
		sbuf_reset(&sb);
	if (host_net)
		sbuf_add(&rc, sb.buf ? sb.buf : "", sb.len);
	else
		filter_resolv(sb.buf ? sb.buf : "", sb.len, &rc);
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if (cache_write_at(AT_FDCWD, path, rc.buf ? rc.buf : "", rc.len, 0644, err) < 0)
		goto out;
	set_str(&c->resolv_conf_path, path);
	r = 0;
out:
	sbuf_release(&sb);
	sbuf_release(&rc);
	return r;
}

/* ---- the runtime ---- */

/* The runtime's executable: as configured when absolute, else from $PATH. */
static int runtime_path(const char *name, char *out, size_t n, struct berr *err)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	copy = xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, n, "%s/%s", dir, name);
		if (access(out, X_OK) == 0) {
			free(copy);
			return 0;
		}
	}
	free(copy);
	return berr_set(err, BERR_NOT_FOUND, "exec: \"%s\": executable file not found in $PATH", name);
}

static int is_crun(const char *runtime_path)
{
	const char *base = strrchr(runtime_path, '/');

	return !strcmp(base ? base + 1 : runtime_path, "crun");
}

/* crun 1.8 refuses a hybrid host (v1 controllers, and a cgroup2 mount at
 * /sys/fs/cgroup/unified): berth then runs it with that mount hidden
 * (monitor.h hide_unified_cgroup).  runc handles such hosts itself. */
static int needs_hybrid_workaround(const char *runtime_path)
{
	struct statfs sfs;

	return is_crun(runtime_path) && !container_cgroup_v2() && statfs("/sys/fs/cgroup/unified", &sfs) == 0 &&
	       sfs.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */;
}

static const char *init_binary(void)
{
	for (size_t i = 0; init_paths[i]; i++)
		if (access(init_paths[i], X_OK) == 0)
			return init_paths[i];
	return NULL;
}

static void log_options(json_t *hc, struct jsonfile_opts *o)
{
	json_t *opts = json_object_get(json_object_get(hc, "LogConfig"), "Config");
	const char *k;
	json_t *v;

	*o = (struct jsonfile_opts)JSONFILE_OPTS_INIT;
	json_object_foreach(opts, k, v)
		if (json_is_string(v))
			jsonfile_opt_set(o, k, json_string_value(v), NULL);
}

/* ---- recording ---- */

struct exit_ctx {
	char root[PATH_MAX];
	char id[65];
	int auto_remove;
	int removed;        /* record_exit removed it, deferring the deletion (cleanup_exit) */
	int64_t restart_timeout_ms;  /* restartmanager's backoff, kept across runs in the monitor */
};

/* In the monitor (a fork: its own store handle, never the parent's). */
static void record_exit(const struct monitor_exit *ex, void *arg)
{
	struct exit_ctx *x = arg;
	struct store *s = NULL;
	struct container *c;
	char when[40];

	if (store_open(&s, x->root, NULL) < 0)
		return;
	/* run --rm waits for the removal, not for the deletion of the files:
	 * the container goes out of sight here, its dirs after the waiters
	 * are answered (cleanup_exit); no exit record, which would go too */
	if (x->auto_remove && container_remove_deferred(s, x->id, NULL) == 0) {
		x->removed = 1;
		store_close(s);
		return;
	}
	unix_to_rfc3339nano(ex->finished_sec, ex->finished_nsec, when);
	if (store_lock(s, NULL) == 0) {
		if ((c = container_load(s, x->id, NULL))) {
			c->state.running = c->state.paused = c->state.restarting = 0;
			c->state.pid = 0;
			c->state.exit_code = ex->exit_code;
			c->state.oom_killed = ex->oom_killed;
			set_str(&c->state.finished_at, when);
			/* dockerd's Cleanup unmounts the volumes: their mount IDs go. */
			json_t *mp;
			const char *dest;
			json_object_foreach(container_mount_points(c), dest, mp)
				json_object_del(mp, "ID");
			if (ex->error) {
				/* a restart that failed to start, in docker's words */
				_cleanup_free_ char *msg = strstr(ex->error, "OCI runtime")
					? xasprintf("failed to create shim task: %s", ex->error) : xstrdup(ex->error);
				set_str(&c->state.error, msg);
			}
			container_checkpoint(s, c, NULL);
			container_free(c);
		}
		store_rwlayer_unmount(s, x->id, NULL);
		store_unlock(s);
	}
	/* dockerd's autoremove is ContainerRm with RemoveVolume. */
	if (x->auto_remove)
		container_remove_release_volumes(s, x->id, 1, NULL);
	store_close(s);
}

/* In the monitor, after the waiters heard of the exit. */
static void cleanup_exit(const struct monitor_exit *ex, void *arg)
{
	struct exit_ctx *x = arg;
	struct store *s = NULL;

	if (!x->removed || store_open(&s, x->root, NULL) < 0)
		return;
	container_remove_finish(s, x->id);
	store_close(s);
}

/* docker's restartmanager (ShouldRestart), in the monitor after an exit
 * that no stop caused: the backoff starts at 100 ms and doubles up to a
 * minute, back to 100 ms after a run of 10 s or more; always restarts,
 * unless-stopped unless HasBeenManuallyStopped, on-failure on a non-zero
 * exit while RestartCount is under MaximumRetryCount (0: no maximum).
 * A restart is recorded as dockerd's SetRestarting: Running and
 * Restarting, Pid 0, the exit's code and time, RestartCount + 1. */
static long restart_check(const struct monitor_exit *ex, int64_t ran_ms, void *arg)
{
	struct exit_ctx *x = arg;
	struct store *s = NULL;
	struct container *c;
	long delay = -1;
	char when[40];

	if (ran_ms >= 10000)
		x->restart_timeout_ms = 0;
	if (x->restart_timeout_ms == 0)
		x->restart_timeout_ms = 100;
	else if (x->restart_timeout_ms < 60000)
		x->restart_timeout_ms *= 2;
	if (x->restart_timeout_ms > 60000)
		x->restart_timeout_ms = 60000;
	if (store_open(&s, x->root, NULL) < 0)
		return -1;
	if (store_lock(s, NULL) == 0) {
		if ((c = container_load(s, x->id, NULL))) {
			json_t *rp = json_object_get(c->host_config, "RestartPolicy");
			const char *name = json_string_value(json_object_get(rp, "Name"));
			int64_t max = json_integer_value(json_object_get(rp, "MaximumRetryCount"));
			int restart = 0;

			if (!name)
				name = "";
			if (!strcmp(name, "always"))
				restart = 1;
			else if (!strcmp(name, "unless-stopped"))
				restart = !c->has_been_manually_stopped;
			else if (!strcmp(name, "on-failure"))
				restart = (max == 0 || c->restart_count < max) && ex->exit_code != 0;
			if (restart) {
				unix_to_rfc3339nano(ex->finished_sec, ex->finished_nsec, when);
				c->restart_count++;
				c->state.running = c->state.restarting = 1;
				c->state.paused = 0;
				c->state.pid = 0;
				c->state.exit_code = ex->exit_code;
				c->state.oom_killed = ex->oom_killed;
				set_str(&c->state.finished_at, when);
				if (container_checkpoint(s, c, NULL) == 0)
					delay = (long)x->restart_timeout_ms;
			}
			container_free(c);
		}
		store_unlock(s);
	}
	store_close(s);
	return delay;
}

/* The restarted run, recorded as dockerd's SetRunning(pid, true). */
static void restart_started(pid_t pid, int64_t sec, long nsec, void *arg)
{
	struct exit_ctx *x = arg;
	struct store *s = NULL;
	struct container *c;
	char when[40];

	if (store_open(&s, x->root, NULL) < 0)
		return;
	unix_to_rfc3339nano(sec, nsec, when);
	if (store_lock(s, NULL) == 0) {
		if ((c = container_load(s, x->id, NULL))) {
			c->state.running = 1;
			c->state.restarting = c->state.paused = 0;
			c->state.pid = pid;
			c->state.exit_code = 0;
			set_str(&c->state.error, "");
			set_str(&c->state.started_at, when);
			container_checkpoint(s, c, NULL);
			container_free(c);
		}
		store_unlock(s);
	}
	store_close(s);
}

/* Any policy but "no" (or none) has the monitor apply it. */
static int has_restart_policy(struct container *c)
{
	const char *name = json_string_value(json_object_get(json_object_get(c->host_config, "RestartPolicy"), "Name"));

	return name && *name && strcmp(name, "no") != 0;
}

/* The starter's half (see the top of this file). */
static int record_start(struct berth *b, const char *id, const struct monitor_info *mi, const char *state_dir,
			const struct container *tmpl, struct berr *err)
{
	struct monitor_exit ex;
	struct berr ignore = BERR_INIT;
	struct container *c;
	char when[40];
	int rc;

	if (store_lock(b->store, err) < 0)
		return -1;
	if (!(c = container_load(b->store, id, err))) {
		store_unlock(b->store);
		/* Removed already: an --rm container that was quick. */
		if (err->code == BERR_NOT_FOUND) {
			berr_clear(err);
			return 0;
		}
		return -1;
	}
	unix_to_rfc3339nano(mi->started_sec, mi->started_nsec, when);
	set_str(&c->state.started_at, when);
	set_str(&c->state.error, "");
	c->has_been_started_before = 1;
	c->has_been_manually_stopped = 0;   /* docker: a start resets it */
	set_str(&c->log_path, tmpl->log_path);
	set_str(&c->hostname_path, tmpl->hostname_path);
	set_str(&c->hosts_path, tmpl->hosts_path);
	set_str(&c->resolv_conf_path, tmpl->resolv_conf_path);
	if (monitor_read_exit(state_dir, &ex, &ignore) < 0) {
		/* The volumes' mount IDs that start gave them, as dockerd
		 * records them while they are mounted (the exit drops them). */
		if (tmpl->mount_points) {
			json_t *old = c->mount_points;
			c->mount_points = json_deep_copy(tmpl->mount_points);
			json_decref(old);
		}
		c->state.running = 1;
		c->state.pid = mi->container_pid;
		c->state.exit_code = 0;
	}
	rc = container_checkpoint(b->store, c, err);
	store_unlock(b->store);
	container_free(c);
	return rc;
}

/* docker's ResetRestartManager at a start: RestartCount 0 and
 * HasBeenManuallyStopped false, recorded before the monitor starts (its
 * restart policy may judge the first exit before record_start runs). */
static int reset_restart_manager(struct berth *b, const char *id, struct berr *err)
{
	struct container *c;
	int rc = 0;

	if (store_lock(b->store, err) < 0)
		return -1;
	if ((c = container_load(b->store, id, NULL))) {
		c->restart_count = 0;
		c->has_been_manually_stopped = 0;
		rc = container_checkpoint(b->store, c, err);
		container_free(c);
	}
	store_unlock(b->store);
	return rc;
}

static int record_failure(struct berth *b, const char *id, const char *msg, int status)
{
	struct container *c;

	if (store_lock(b->store, NULL) < 0)
		return -1;
	if ((c = container_load(b->store, id, NULL))) {
		set_str(&c->state.error, msg);
		c->state.exit_code = status;
		container_checkpoint(b->store, c, NULL);
		container_free(c);
	}
	store_rwlayer_unmount(b->store, id, NULL);
	store_unlock(b->store);
	return 0;
}

/* ---- start ---- */

/* The container's runtime (hostconfig's Runtime among daemon.json's) and
 * its binary. */
static const struct config_runtime *container_runtime(struct berth *b, const struct container *c,
						      char rt_path[PATH_MAX], struct berr *err)
{
	const char *rt_name = json_string_value(json_object_get(c->host_config, "Runtime"));
	const struct config_runtime *rt = config_runtime(&b->cfg, rt_name);

	if (!rt) {
		berr_set(err, BERR_INVALID, "unknown runtime specified %s", rt_name ? rt_name : "");
		return NULL;
	}
	if (runtime_path(rt->path, rt_path, PATH_MAX, err) < 0)
		return NULL;
	return rt;
}

/* crun takes the seccomp filter precompiled (spec_seccomp_bpf_base64):
 * the profile stays in the spec, as docker's, and only the annotation is
 * added.  Without it crun compiles the profile itself. */
static void add_seccomp_bpf(struct berth *b, json_t *spec)
{
	json_t *seccomp = json_object_get(json_object_get(spec, "linux"), "seccomp");
	_cleanup_free_ char *dir = NULL, *b64 = NULL;
	json_t *ann;

	if (!seccomp)
		return;
	dir = xasprintf("%s/seccomp-cache", exec_root(b));
	if (!(b64 = spec_seccomp_bpf_base64(seccomp, dir)))
		return;
	if (!json_is_object(ann = json_object_get(spec, "annotations"))) {
		ann = json_object();
		json_object_set_new(spec, "annotations", ann);
	}
	json_object_set_new(ann, "run.oci.seccomp_bpf_data", json_string(b64));
}

static int make_bundle(struct berth *b, struct container *c, const char *merged, const char *state_dir,
		       const char *rt_path, struct berr *err)
{
	char cdir[PATH_MAX];
	struct spec_env env = { 0 };
	json_t *spec;
	int rc;

	snprintf(cdir, sizeof(cdir), "%s/containers/%s", b->store->root, c->id);
	if (write_network_files(b, c, cdir, err) < 0)
		return -1;
	env.id = c->id;
	env.rootfs = merged;
	env.container_dir = cdir;
	env.init_path = init_binary();
	env.cgroup_v2 = container_cgroup_v2();
	/* setupMounts: volume sources resolved, bind sources made. */
	json_t *mounts = container_mounts_for_start(b->store, container_mount_points(c), c->host_config, err);
	if (!mounts)
		return -1;
	spec = spec_build(container_config(c), c->host_config, mounts, &env, err);
	json_decref(mounts);
	if (!spec)
		return -1;
	if (mkdir_p_at(AT_FDCWD, state_dir, 0700, err) < 0) {
		json_decref(spec);
		return -1;
	}
	if (is_crun(rt_path))
		add_seccomp_bpf(b, spec);
	rc = spec_write_bundle(state_dir, spec, err);
	json_decref(spec);
	return rc;
}

static int run_monitor(struct berth *b, struct container *c, const char *state_dir, const struct config_runtime *rt,
		       const char *rt_path, const struct berth_container_start_opts *so, struct exit_ctx *x,
		       struct monitor_info *mi, struct berr *err)
{
	json_t *cfg = container_config(c);
	char rt_root[PATH_MAX], log_path[PATH_MAX];
	const char **args;
	struct monitor_opts mo = { 0 };
	size_t n = 0;
	int rc;

	snprintf(rt_root, sizeof(rt_root), "%s/runtime-%s", exec_root(b), rt->name);
	for (char **a = rt->args; a && *a; a++)
		n++;
	args = xcalloc(n + 3, sizeof(*args));
	args[0] = "--root";
	args[1] = rt_root;
	for (size_t i = 0; i < n; i++)
		args[2 + i] = rt->args[i];
	snprintf(log_path, sizeof(log_path), "%s/containers/%s/%s-json.log", b->store->root, c->id, c->id);
	set_str(&c->log_path, log_path);

	mo.id = c->id;
	mo.bundle = state_dir;
	mo.state_dir = state_dir;
	mo.runtime = rt_path;
	mo.runtime_args = args;
	mo.log_path = log_path;
	log_options(c->host_config, &mo.log_opts);
	mo.tty = json_is_true(json_object_get(cfg, "Tty"));
	mo.open_stdin = json_is_true(json_object_get(cfg, "OpenStdin"));
	mo.stdin_once = json_is_true(json_object_get(cfg, "StdinOnce"));
	if (so) {
		mo.attach_stdin = so->attach_stdin;
		mo.attach_stdout = so->attach_stdout;
		mo.attach_stderr = so->attach_stderr;
	}
	mo.hide_unified_cgroup = needs_hybrid_workaround(rt_path);
	mo.seal_runtime = is_crun(rt_path);
	/* nothing needs the gap between the runtime's create and start:
	 * one exec of `run --detach` instead of two */
	mo.run_detached = 1;
	mo.on_exit = record_exit;
	mo.after_exit = cleanup_exit;
	mo.on_exit_ctx = x;
	if (has_restart_policy(c)) {
		mo.restart_check = restart_check;
		mo.restart_started = restart_started;
	}
	rc = monitor_start(&mo, mi, err);
	free(args);
	return rc;
}

/* ---- what exec and top share of the runtime (engine.h) ---- */

int container_look_path(const char *name, char *out, size_t n, struct berr *err)
{
	return runtime_path(name, out, n, err);
}

int container_runtime_get(struct berth *b, const struct container *c, struct container_runtime *rt,
			  struct berr *err)
{
	const struct config_runtime *cr;
	size_t n = 0;

	memset(rt, 0, sizeof(*rt));
	if (!(cr = container_runtime(b, c, rt->path, err)))
		return -1;
	snprintf(rt->root, sizeof(rt->root), "%s/runtime-%s", exec_root(b), cr->name);
	for (char **a = cr->args; a && *a; a++)
		n++;
	rt->args = xcalloc(n + 3, sizeof(*rt->args));
	rt->args[0] = "--root";
	rt->args[1] = rt->root;
	for (size_t i = 0; i < n; i++)
		rt->args[2 + i] = cr->args[i];
	rt->hide_unified_cgroup = needs_hybrid_workaround(rt->path);
	return 0;
}

void container_runtime_release(struct container_runtime *rt)
{
	free(rt->args);
	rt->args = NULL;
}

int berth_container_start(struct berth *b, const char *name_or_id, const struct berth_container_start_opts *so,
			  struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	char state_dir[PATH_MAX], exit_file[PATH_MAX + 8], rt_path[PATH_MAX];
	const struct config_runtime *rt;
	struct monitor_info mi = { .attach_fd = -1 };
	struct exit_ctx x = { 0 };
	char *merged = NULL;
	int rc = -1;

	if (!c)
		return -1;
	if (container_refresh_state(b, c, err) < 0)
		goto out;
	if (c->state.paused) {
		berr_set(err, BERR_EXISTS, "cannot start a paused container, try unpause instead");
		goto out;
	}
	if (c->state.running) {
		rc = 0;     /* docker: 304 Not Modified */
		goto out;
	}
	if ((c->restart_count || c->has_been_manually_stopped) && reset_restart_manager(b, c->id, err) < 0)
		goto out;
	container_state_dir(b, c->id, state_dir, sizeof(state_dir));
	snprintf(exit_file, sizeof(exit_file), "%s/exit", state_dir);
	unlink(exit_file);   /* the last run's: record_start must not see it */
	if (store_rwlayer_mount(b->store, c->id, &merged, err) < 0)
		goto out;
	snprintf(x.root, sizeof(x.root), "%s", b->store->root);
	snprintf(x.id, sizeof(x.id), "%s", c->id);
	x.auto_remove = json_is_true(json_object_get(c->host_config, "AutoRemove"));
	if (!(rt = container_runtime(b, c, rt_path, err)) || make_bundle(b, c, merged, state_dir, rt_path, err) < 0 ||
	    run_monitor(b, c, state_dir, rt, rt_path, so, &x, &mi, err) < 0) {
		char msg[BERR_MSG_MAX + 32];

		/* Docker's words for a runtime's refusal; our own errors stay as they are. */
		if (strstr(err->msg, "OCI runtime"))
			snprintf(msg, sizeof(msg), "failed to create shim task: %s", err->msg);
		else
			snprintf(msg, sizeof(msg), "%s", err->msg);
		record_failure(b, c->id, msg, container_start_failure_status(msg));
		berr_clear(err);
		berr_set(err, BERR_INVALID, "%s", msg);
		if (x.auto_remove)
			container_remove_release_volumes(b->store, c->id, 1, NULL);
		goto out;
	}
	if (so && so->attach_fd) {
		*so->attach_fd = mi.attach_fd;
		if (so->attach_raw)
			*so->attach_raw = mi.attach_raw;
	}
	else if (mi.attach_fd >= 0)
		close(mi.attach_fd);
	rc = record_start(b, c->id, &mi, state_dir, c, err);
out:
	free(merged);
	container_free(c);
	return rc;
}
