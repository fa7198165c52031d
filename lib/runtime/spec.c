/*
 * spec.c - the OCI runtime spec for a container, field by field as docker
 * 20.10's createSpec builds it (daemon/oci_linux.go over oci/defaults.go).
 * Key order follows runtime-spec's Go structs, the order Go's encoder
 * writes, so berth's config.json can be compared with docker's by eye.
 *
 * Decisions (see spec.h for the inputs):
 *  - cgroupsPath is <parent>/<id> with cgroupfs, parent HostConfig.CgroupParent
 *    or env->cgroup_parent, default "/berth": berth's containers are told
 *    apart from dockerd's in the hierarchy, and nothing reads the docker
 *    group of a container dockerd does not run (not even when it later takes
 *    over the data-root: it does not adopt running containers, §1.5).
 *  - hooks are always {}: docker's libnetwork-setkey prestart hook belongs to
 *    the daemon; berth prepares networking itself (env->netns_path).
 *  - No AppArmor profile, no SELinux labels, no user namespaces, cgroupfs
 *    only (the systemd driver's "slice:prefix:id" form is not produced).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "spec.h"
#include "../util/fs.h"
#include "../util/sbuf.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_CGROUP_PARENT "/berth"
#define INIT_DEST "/sbin/docker-init"

/* ---- reading docker's JSON ---- */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int jtrue(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static json_t *strv(const char *const *v)
{
	json_t *a = json_array();

	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static int has_str(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Namespace modes: "host", "container:<x>", anything else is private. */
static int mode_is(const char *mode, const char *what)
{
	return strcmp(mode, what) == 0;
}

static int mode_is_container(const char *mode)
{
	return strncmp(mode, "container:", 10) == 0;
}

/* ---- environment ---- */

json_t *spec_env_merge(const json_t *defaults, const json_t *overrides)
{
	json_t *env = json_deep_copy(defaults), *out = json_array(), *v;
	size_t ndefaults = json_array_size(env), i;
	/* docker's cache: the keys of the defaults, even after one is unset */
	char **keys = xcalloc(ndefaults + 1, sizeof(*keys));

	json_array_foreach(env, i, v)
		keys[i] = xstrndup(json_string_value(v), strcspn(json_string_value(v), "="));
	json_array_foreach(overrides, i, v) {
		const char *kv = json_string_value(v);
		size_t klen, j;

		if (!kv)
			continue;
		klen = strcspn(kv, "=");
		for (j = 0; j < ndefaults; j++)
			if (strlen(keys[j]) == klen && strncmp(keys[j], kv, klen) == 0)
				break;
		if (!kv[klen]) {
			if (j < ndefaults)
				json_array_set_new(env, j, json_string(""));
		} else if (j < ndefaults) {
			json_array_set_new(env, j, json_string(kv));
		} else {
			json_array_append_new(env, json_string(kv));
		}
	}
	json_array_foreach(env, i, v)
		if (*json_string_value(v))
			json_array_append(out, v);
	for (i = 0; i < ndefaults; i++)
		free(keys[i]);
	free(keys);
	json_decref(env);
	return out;
}

static json_t *process_env(const json_t *config)
{
	json_t *defaults = json_array(), *env;
	const char *hostname = jstr(config, "Hostname");

	json_array_append_new(defaults, json_string(DEFAULT_PATH));
	json_array_append_new(defaults, json_sprintf("HOSTNAME=%s", hostname));
	if (jtrue(config, "Tty"))
		json_array_append_new(defaults, json_string("TERM=xterm"));
	env = spec_env_merge(defaults, json_object_get(config, "Env"));
	json_decref(defaults);
	return env;
}

/* ---- security options ---- */

struct secopts {
	int no_new_privileges;
	int seccomp_unconfined;
};

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

	for (int i = 0; t[i]; i++) {
		if (strcmp(s, t[i]) == 0)
			return *out = 1, 0;
		if (strcmp(s, f[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* docker's parseSecurityOpt, for what the spec needs of it. */
static int parse_secopts(const json_t *opts, struct secopts *so, struct berr *err)
{
	size_t i;
	json_t *v;

	memset(so, 0, sizeof(*so));
	json_array_foreach(opts, i, v) {
		const char *opt = json_is_string(v) ? json_string_value(v) : "";
		const char *sep = strchr(opt, '=');

		if (strcmp(opt, "no-new-privileges") == 0) {
			so->no_new_privileges = 1;
			continue;
		}
		if (strcmp(opt, "disable") == 0)
			continue;
		if (!sep)
			sep = strchr(opt, ':');
		if (!sep)
			return berr_set(err, BERR_INVALID, "invalid --security-opt 1: \"%s\"", opt);
		size_t klen = (size_t)(sep - opt);
		const char *val = sep + 1;
		if (klen == 5 && strncmp(opt, "label", 5) == 0)
			continue;
		if (klen == 8 && strncmp(opt, "apparmor", 8) == 0)
			continue; /* no AppArmor here: docker also ignores it then */
		if (klen == 7 && strncmp(opt, "seccomp", 7) == 0) {
			if (strcmp(val, "unconfined") == 0)
				so->seccomp_unconfined = 1;
			else if (*val)
				return berr_set(err, BERR_UNSUPPORTED, "custom seccomp profiles are not supported");
			continue;
		}
		if (klen == 17 && strncmp(opt, "no-new-privileges", 17) == 0 &&
		    parse_bool(val, &so->no_new_privileges) == 0)
			continue;
		return berr_set(err, BERR_INVALID, "invalid --security-opt 2: \"%s\"", opt);
	}
	return 0;
}

/* ---- process ---- */

static json_t *process_args(const json_t *config, const json_t *hostconfig, const struct spec_env *env,
			    struct berr *err)
{
	json_t *args = json_array();

	if (jtrue(hostconfig, "Init")) {
		if (!env->init_path) {
			json_decref(args);
			berr_set(err, BERR_UNSUPPORTED, "--init: no init binary configured");
			return NULL;
		}
		json_array_append_new(args, json_string(INIT_DEST));
		json_array_append_new(args, json_string("--"));
	}
	size_t base = json_array_size(args);
	json_array_extend(args, json_object_get(config, "Entrypoint"));
	json_array_extend(args, json_object_get(config, "Cmd"));
	if (json_array_size(args) == base) {
		json_decref(args);
		berr_set(err, BERR_INVALID, "No command specified");
		return NULL;
	}
	return args;
}

static json_t *process_user(const struct spec_user *u)
{
	json_t *gids = json_array();

	for (size_t i = 0; i < u->ngids; i++)
		json_array_append_new(gids, json_integer(u->gids[i]));
	return json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u->uid, "gid", (json_int_t)u->gid,
			 "additionalGids", gids);
}

static json_t *process_caps(const json_t *caps, unsigned uid)
{
	json_t *c = json_object();

	if (json_array_size(caps) == 0)
		return c;
	json_object_set_new(c, "bounding", json_deep_copy(caps));
	/* a non-root process keeps only the bounding set (docker clears the rest) */
	if (uid == 0) {
		json_object_set_new(c, "effective", json_deep_copy(caps));
		json_object_set_new(c, "permitted", json_deep_copy(caps));
	}
	return c;
}

static json_t *process_rlimits(const json_t *ulimits)
{
	json_t *out = json_array(), *u;
	size_t i;

	json_array_foreach(ulimits, i, u) {
		_cleanup_free_ char *type = xasprintf("RLIMIT_%s", jstr(u, "Name"));

		for (char *p = type; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "type", type, "hard",
						     (json_int_t)jint(u, "Hard"), "soft", (json_int_t)jint(u, "Soft")));
	}
	return out;
}

static json_t *build_process(const json_t *config, const json_t *hostconfig, const struct spec_env *env,
			     const json_t *caps, const struct secopts *so, struct berr *err)
{
	struct spec_user user;
	json_t *p, *args;
	const char *cwd = jstr(config, "WorkingDir");

	args = process_args(config, hostconfig, env, err);
	if (!args)
		return NULL;
	if (spec_resolve_user(env->rootfs, jstr(config, "User"), json_object_get(hostconfig, "GroupAdd"), &user,
			      err) < 0) {
		json_decref(args);
		return NULL;
	}
	p = json_object();
	if (jtrue(config, "Tty"))
		json_object_set_new(p, "terminal", json_true());
	json_object_set_new(p, "user", process_user(&user));
	json_object_set_new(p, "args", args);
	json_object_set_new(p, "env", process_env(config));
	json_object_set_new(p, "cwd", json_string(*cwd ? cwd : "/"));
	json_object_set_new(p, "capabilities", process_caps(caps, user.uid));
	if (json_array_size(json_object_get(hostconfig, "Ulimits")))
		json_object_set_new(p, "rlimits", process_rlimits(json_object_get(hostconfig, "Ulimits")));
	if (so->no_new_privileges)
		json_object_set_new(p, "noNewPrivileges", json_true());
	json_object_set_new(p, "oomScoreAdj", json_integer(jint(hostconfig, "OomScoreAdj")));
	spec_user_release(&user);
	return p;
}

/* ---- mounts ---- */

static json_t *mount_new(const char *dest, const char *type, const char *source, json_t *options)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source,
			 "options", options);
}

/* oci/defaults.go's mounts, in its order; /dev/shm's size comes from ShmSize. */
static json_t *default_mounts(const json_t *hostconfig)
{
	json_t *m = json_array();
	long long shm = jint(hostconfig, "ShmSize");

	json_array_append_new(m, mount_new("/proc", "proc", "proc", strv((const char *[]){ "nosuid", "noexec", "nodev", NULL })));
	json_array_append_new(m, mount_new("/dev", "tmpfs", "tmpfs",
					   strv((const char *[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL })));
	json_array_append_new(m, mount_new("/dev/pts", "devpts", "devpts",
					   strv((const char *[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
								  "mode=0620", "gid=5", NULL })));
	json_array_append_new(m, mount_new("/sys", "sysfs", "sysfs", strv((const char *[]){ "nosuid", "noexec", "nodev", "ro", NULL })));
	json_array_append_new(m, mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
					   strv((const char *[]){ "ro", "nosuid", "noexec", "nodev", NULL })));
	json_array_append_new(m, mount_new("/dev/mqueue", "mqueue", "mqueue", strv((const char *[]){ "nosuid", "noexec", "nodev", NULL })));
	json_t *shm_opts = strv((const char *[]){ "nosuid", "noexec", "nodev", "mode=1777", NULL });
	json_array_append_new(shm_opts, json_sprintf("size=%lld", shm > 0 ? shm : 64LL << 20));
	json_array_append_new(m, mount_new("/dev/shm", "tmpfs", "shm", shm_opts));
	return m;
}

/* A bind as docker's WithMounts writes it: rbind (bind if non-recursive),
 * ro unless writable, then the propagation mode if one is set. */
static json_t *bind_mount(const char *dest, const char *source, int writable, const char *propagation,
			  int nonrecursive)
{
	json_t *opts = json_array();

	json_array_append_new(opts, json_string(nonrecursive ? "bind" : "rbind"));
	if (!writable)
		json_array_append_new(opts, json_string("ro"));
	if (propagation && *propagation)
		json_array_append_new(opts, json_string(propagation));
	return mount_new(dest, "bind", source, opts);
}

/* mount.MergeTmpfsOptions: a later flag beats its opposite, a later
 * key=value beats the same key; survivors keep their order. */
static const char *flag_kind(const char *o)
{
	static const char *const pairs[][2] = {
		{ "ro", "rw" }, { "exec", "noexec" }, { "suid", "nosuid" }, { "dev", "nodev" },
		{ "sync", "async" }, { "atime", "noatime" }, { "diratime", "nodiratime" },
		{ "relatime", "norelatime" }, { "strictatime", "nostrictatime" },
		{ "mand", "nomand" }, { "dirsync", "dirsync" }, { "remount", "remount" },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(o, pairs[i][0]) == 0 || strcmp(o, pairs[i][1]) == 0)
			return pairs[i][0];
	return NULL;
}

static int same_kind(const char *a, const char *b)
{
	const char *ka = flag_kind(a), *kb = flag_kind(b), *ea = strchr(a, '='), *eb = strchr(b, '=');

	if (ka || kb)
		return ka && kb && strcmp(ka, kb) == 0;
	if (ea && eb)
		return ea - a == eb - b && strncmp(a, b, (size_t)(ea - a)) == 0;
	return strcmp(a, b) == 0;
}

/* A tmpfs option docker accepts: a mount flag, or one of its data keys. */
static int tmpfs_option_ok(const char *o)
{
	static const char *const flags[] = {
		"ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync",
		"remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind",
		"unbindable", "runbindable", "private", "rprivate", "shared", "rshared", "slave", "rslave",
		"relatime", "norelatime", "strictatime", "nostrictatime", NULL,
	};
	static const char *const keys[] = { "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", NULL };
	const char *eq = strchr(o, '=');

	for (size_t i = 0; flags[i]; i++)
		if (strcmp(o, flags[i]) == 0)
			return 1;
	for (size_t i = 0; eq && keys[i]; i++)
		if (strlen(keys[i]) == (size_t)(eq - o) && strncmp(o, keys[i], (size_t)(eq - o)) == 0)
			return 1;
	return 0;
}

static json_t *tmpfs_mount(const char *dest, const char *data, struct berr *err)
{
	json_t *all = strv((const char *[]){ "noexec", "nosuid", "nodev", "rprivate", NULL }), *out = json_array();
	_cleanup_free_ char *copy = xstrdup(data);
	size_t i, j;

	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
		if (strcmp(tok, "defaults") != 0)
			json_array_append_new(all, json_string(tok));
	for (i = 0; i < json_array_size(all); i++) {
		const char *o = json_string_value(json_array_get(all, i));
		if (!tmpfs_option_ok(o)) {
			/* Go's %q of the []string SplitN gave */
			const char *eq = strchr(o, '=');
			berr_set(err, BERR_INVALID, eq ? "invalid tmpfs option [\"%.*s\" \"%s\"]" : "invalid tmpfs option [\"%.*s\"]",
				 eq ? (int)(eq - o) : (int)strlen(o), o, eq ? eq + 1 : "");
			json_decref(all);
			json_decref(out);
			return NULL;
		}
		for (j = i + 1; j < json_array_size(all); j++)
			if (same_kind(o, json_string_value(json_array_get(all, j))))
				break;
		if (j == json_array_size(all))
			json_array_append_new(out, json_string(o));
	}
	json_decref(all);
	return mount_new(dest, "tmpfs", "tmpfs", out);
}

/* volumemounts.ConvertTmpfsOptions for a --mount type=tmpfs. */
static char *tmpfs_mount_data(const json_t *mp)
{
	const json_t *spec = json_object_get(mp, "Spec"), *topt = json_object_get(spec, "TmpfsOptions");
	struct sbuf sb = SBUF_INIT;
	long long size = jint(topt, "SizeBytes"), mode = jint(topt, "Mode");

	if (jtrue(spec, "ReadOnly"))
		sbuf_addstr(&sb, "ro");
	if (mode)
		sbuf_addf(&sb, "%smode=%llo", sb.len ? "," : "", mode);
	if (size) {
		const char *suffix = "";
		static const struct { const char *s; long long d; } units[] = { { "g", 1LL << 30 }, { "m", 1LL << 20 }, { "k", 1LL << 10 } };
		for (size_t i = 0; i < 3; i++)
			if (size % units[i].d == 0) {
				size /= units[i].d;
				suffix = units[i].s;
				break;
			}
		sbuf_addf(&sb, "%ssize=%lld%s", sb.len ? "," : "", size, suffix);
	}
	return sbuf_detach(&sb, NULL);
}

static size_t path_depth(const char *dest)
{
	size_t n, depth = 0;
	_cleanup_free_ char *clean = path_clean(dest, strlen(dest), &n);

	for (size_t i = 0; i < n; i++)
		depth += clean[i] == '/';
	return depth;
}

/* docker sorts by path depth with sort.Sort, which is an insertion sort
 * (so stable) up to 12 mounts; berth is stable at any size. */
static void sort_by_depth(json_t *mounts)
{
	size_t n = json_array_size(mounts);

	for (size_t i = 1; i < n; i++) {
		json_t *m = json_incref(json_array_get(mounts, i));
		size_t d = path_depth(jstr(m, "destination")), j = i;

		while (j > 0 && path_depth(jstr(json_array_get(mounts, j - 1), "destination")) > d)
			j--;
		if (j != i) {
			json_array_remove(mounts, i);
			json_array_insert(mounts, j, m);
		}
		json_decref(m);
	}
}

static int has_mount_point(const json_t *mounts, const char *dest)
{
	return json_object_get(mounts, dest) != NULL;
}

/* The mounts docker calls user mounts: MountPoints, the resolv.conf /
 * hostname / hosts binds, the IPC bind, tmpfs; sorted by depth. */
static int user_mounts(const json_t *hostconfig, const json_t *mounts, const struct spec_env *env, json_t *out,
		       struct berr *err)
{
	const json_t *tmpfs = json_object_get(hostconfig, "Tmpfs"), *mp;
	const char *dest, *ipc = jstr(hostconfig, "IpcMode");
	int writable_net = !jtrue(hostconfig, "ReadonlyRootfs");

	json_object_foreach((json_t *)mounts, dest, mp) {
		const json_t *bo = json_object_get(json_object_get(mp, "Spec"), "BindOptions");
		if (json_object_get(tmpfs, dest) || strcmp(jstr(mp, "Type"), "tmpfs") == 0)
			continue;
		json_array_append_new(out, bind_mount(jstr(mp, "Destination"), jstr(mp, "Source"), jtrue(mp, "RW"),
						      jstr(mp, "Propagation"), jtrue(bo, "NonRecursive")));
	}
	if (env->container_dir) {
		static const char *const net[][2] = {
			{ "/etc/resolv.conf", "resolv.conf" }, { "/etc/hostname", "hostname" }, { "/etc/hosts", "hosts" },
		};
		for (size_t i = 0; i < 3; i++) {
			if (has_mount_point(mounts, net[i][0]))
				continue;
			_cleanup_free_ char *src = xasprintf("%s/%s", env->container_dir, net[i][1]);
			json_array_append_new(out, bind_mount(net[i][0], src, writable_net, "rprivate", 0));
		}
	}
	if ((mode_is(ipc, "host") || mode_is(ipc, "shareable") || mode_is_container(ipc)) &&
	    !has_mount_point(mounts, "/dev/shm")) {
		_cleanup_free_ char *own = env->container_dir ? xasprintf("%s/mounts/shm", env->container_dir) : NULL;
		const char *shm = mode_is(ipc, "host") ? "/dev/shm" : env->shm_path ? env->shm_path
				: mode_is(ipc, "shareable") ? own : NULL;
		if (!shm)
			return berr_set(err, BERR_UNSUPPORTED, "IpcMode %s needs the /dev/shm to share", ipc);
		json_array_append_new(out, bind_mount("/dev/shm", shm, 1, "rprivate", 0));
	}
	json_object_foreach((json_t *)tmpfs, dest, mp) {
		json_t *t = tmpfs_mount(dest, json_is_string(mp) ? json_string_value(mp) : "", err);
		if (!t)
			return -1;
		json_array_append_new(out, t);
	}
	json_object_foreach((json_t *)mounts, dest, mp) {
		if (strcmp(jstr(mp, "Type"), "tmpfs") != 0 || json_object_get(tmpfs, dest))
			continue;
		_cleanup_free_ char *data = tmpfs_mount_data(mp);
		json_t *t = tmpfs_mount(dest, data, err);
		if (!t)
			return -1;
		json_array_append_new(out, t);
	}
	sort_by_depth(out);
	return 0;
}

static int is_user_dest(const json_t *user, const char *dest)
{
	size_t i;
	json_t *m;

	json_array_foreach(user, i, m)
		if (strcmp(jstr(m, "destination"), dest) == 0)
			return 1;
	return 0;
}

static void remove_opt(json_t *mount, const char *opt)
{
	json_t *opts = json_object_get(mount, "options");

	for (size_t i = json_array_size(opts); i-- > 0;)
		if (strcmp(json_string_value(json_array_get(opts, i)), opt) == 0)
			json_array_remove(opts, i);
}

static json_t *build_mounts(const json_t *hostconfig, const json_t *mounts, const struct spec_env *env,
			    struct berr *err)
{
	json_t *defaults = default_mounts(hostconfig), *user = json_array(), *out = json_array(), *m;
	const char *ipc = jstr(hostconfig, "IpcMode");
	size_t i;

	if (user_mounts(hostconfig, mounts, env, user, err) < 0) {
		json_decref(defaults);
		json_decref(user);
		json_decref(out);
		return NULL;
	}
	if (jtrue(hostconfig, "Init"))
		json_array_append_new(defaults, mount_new(INIT_DEST, "bind", env->init_path,
							  strv((const char *[]){ "bind", "ro", NULL })));
	int user_dev = is_user_dest(user, "/dev");
	json_array_foreach(defaults, i, m) {
		const char *dest = jstr(m, "destination");
		if (is_user_dest(user, dest) || (user_dev && strncmp(dest, "/dev/", 5) == 0) ||
		    (strcmp(dest, "/dev/shm") == 0 && mode_is(ipc, "none")))
			continue;
		json_array_append(out, m);
	}
	json_array_extend(out, user);
	json_array_foreach(out, i, m) {
		const char *dest = jstr(m, "destination");
		if (jtrue(hostconfig, "ReadonlyRootfs") && !is_user_dest(user, dest) && strcmp(dest, "/proc") &&
		    strcmp(dest, "/dev") && strcmp(dest, "/dev/pts") && strcmp(dest, "/dev/shm") &&
		    strcmp(dest, "/dev/mqueue") && !has_str(json_object_get(m, "options"), "ro"))
			json_array_append_new(json_object_get(m, "options"), json_string("ro"));
		if (jtrue(hostconfig, "Privileged") && (strcmp(dest, "/sys") == 0 || strcmp(jstr(m, "type"), "cgroup") == 0))
			remove_opt(m, "ro");
	}
	json_decref(defaults);
	json_decref(user);
	return out;
}

/* rootfsPropagation: a shared bind needs a shared root, a slave one at
 * least a slave root (docker checks the host mounts too; berth does not). */
static const char *root_propagation(const json_t *mounts)
{
	const char *dest, *prop = NULL;
	const json_t *mp;

	json_object_foreach((json_t *)mounts, dest, mp) {
		const char *p = jstr(mp, "Propagation");
		if (strcmp(p, "shared") == 0 || strcmp(p, "rshared") == 0)
			return "shared";
		if (strcmp(p, "slave") == 0 || strcmp(p, "rslave") == 0)
			prop = "rslave";
	}
	return prop;
}

/* ---- linux ---- */

static json_t *resource_memory(const json_t *hc)
{
	json_t *m = json_object(), *v;

	if (jint(hc, "Memory") > 0)
		json_object_set_new(m, "limit", json_integer(jint(hc, "Memory")));
	if (jint(hc, "MemoryReservation") > 0)
		json_object_set_new(m, "reservation", json_integer(jint(hc, "MemoryReservation")));
	if (jint(hc, "MemorySwap") > 0)
		json_object_set_new(m, "swap", json_integer(jint(hc, "MemorySwap")));
	if (jint(hc, "KernelMemory") != 0)
		json_object_set_new(m, "kernel", json_integer(jint(hc, "KernelMemory")));
	if (jint(hc, "KernelMemoryTCP") != 0)
		json_object_set_new(m, "kernelTCP", json_integer(jint(hc, "KernelMemoryTCP")));
	if (json_is_integer(v = json_object_get(hc, "MemorySwappiness")))
		json_object_set_new(m, "swappiness", json_integer((json_int_t)(unsigned long long)json_integer_value(v)));
	if (json_is_boolean(v = json_object_get(hc, "OomKillDisable")))
		json_object_set_new(m, "disableOOMKiller", json_boolean(json_is_true(v)));
	return m;
}

static json_t *resource_cpu(const json_t *hc, struct berr *err)
{
	json_t *c = json_object();
	long long nano = jint(hc, "NanoCpus");

	if (jint(hc, "CpuShares") < 0) {
		json_decref(c);
		berr_set(err, BERR_INVALID, "shares: invalid argument");
		return NULL;
	}
	json_object_set_new(c, "shares", json_integer(jint(hc, "CpuShares")));
	if (nano > 0) {
		json_object_set_new(c, "quota", json_integer(nano * 100000 / 1000000000));
		json_object_set_new(c, "period", json_integer(100000));
	}
	if (jint(hc, "CpuQuota") != 0)
		json_object_set_new(c, "quota", json_integer(jint(hc, "CpuQuota")));
	if (jint(hc, "CpuPeriod") != 0)
		json_object_set_new(c, "period", json_integer(jint(hc, "CpuPeriod")));
	if (jint(hc, "CpuRealtimeRuntime") != 0)
		json_object_set_new(c, "realtimeRuntime", json_integer(jint(hc, "CpuRealtimeRuntime")));
	if (jint(hc, "CpuRealtimePeriod") != 0)
		json_object_set_new(c, "realtimePeriod", json_integer(jint(hc, "CpuRealtimePeriod")));
	if (*jstr(hc, "CpusetCpus"))
		json_object_set_new(c, "cpus", json_string(jstr(hc, "CpusetCpus")));
	if (*jstr(hc, "CpusetMems"))
		json_object_set_new(c, "mems", json_string(jstr(hc, "CpusetMems")));
	return c;
}

/* BlkioWeightDevice / BlkioDevice*: {Path, Weight|Rate} -> {major, minor, weight|rate}. */
static int blkio_devices(const json_t *list, const char *field, const char *key, json_t **out, struct berr *err)
{
	size_t i;
	json_t *d;

	*out = NULL;
	json_array_foreach(list, i, d) {
		struct stat st;
		if (stat(jstr(d, "Path"), &st) < 0)
			return berr_sys(err, "stat %s", jstr(d, "Path"));
		if (!*out)
			*out = json_array();
		json_array_append_new(*out, json_pack("{s:I, s:I, s:I}", "major", (json_int_t)major(st.st_rdev), "minor",
						      (json_int_t)minor(st.st_rdev), key, (json_int_t)jint(d, field)));
	}
	return 0;
}

static json_t *resource_blkio(const json_t *hc, struct berr *err)
{
	static const char *const lists[][3] = {
		{ "BlkioWeightDevice", "Weight", "weightDevice" },
		{ "BlkioDeviceReadBps", "Rate", "throttleReadBpsDevice" },
		{ "BlkioDeviceWriteBps", "Rate", "throttleWriteBpsDevice" },
		{ "BlkioDeviceReadIOps", "Rate", "throttleReadIOPSDevice" },
		{ "BlkioDeviceWriteIOps", "Rate", "throttleWriteIOPSDevice" },
	};
	json_t *b = json_pack("{s:I}", "weight", (json_int_t)jint(hc, "BlkioWeight")), *l;

	for (size_t i = 0; i < 5; i++) {
		if (blkio_devices(json_object_get(hc, lists[i][0]), lists[i][1], i ? "rate" : "weight", &l, err) < 0) {
			json_decref(b);
			return NULL;
		}
		if (l)
			json_object_set_new(b, lists[i][2], l);
	}
	return b;
}

static json_t *build_resources(const json_t *hc, json_t *device_rules, struct berr *err)
{
	json_t *r = json_object(), *part, *pids = json_object_get(hc, "PidsLimit");

	json_object_set(r, "devices", device_rules);
	json_object_set_new(r, "memory", resource_memory(hc));
	if (!(part = resource_cpu(hc, err)))
		goto fail;
	json_object_set_new(r, "cpu", part);
	if (json_is_integer(pids))
		json_object_set_new(r, "pids", json_pack("{s:I}", "limit",
							 json_integer_value(pids) <= 0 ? (json_int_t)-1 : json_integer_value(pids)));
	if (!(part = resource_blkio(hc, err)))
		goto fail;
	json_object_set_new(r, "blockIO", part);
	return r;
fail:
	json_decref(r);
	return NULL;
}

/* Go encodes a map with sorted keys. */
static json_t *sorted_object(json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof(*keys)), *k;
	json_t *v, *out = json_object();

	json_object_foreach(o, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), str_ptr_cmp);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(o, keys[i]));
	free(keys);
	return out;
}

static json_t *build_sysctl(const json_t *config, const json_t *hc)
{
	json_t *s = json_object(), *v, *out;
	const char *net = jstr(hc, "NetworkMode"), *k;

	/* unprivileged ping and low ports, as docker does for a private netns */
	if (!mode_is(net, "host") && !mode_is_container(net)) {
		json_object_set_new(s, "net.ipv4.ip_unprivileged_port_start", json_string("0"));
		json_object_set_new(s, "net.ipv4.ping_group_range", json_string("0 2147483647"));
	}
	if (*jstr(config, "Domainname") && !mode_is(jstr(hc, "UTSMode"), "host"))
		json_object_set_new(s, "kernel.domainname", json_string(jstr(config, "Domainname")));
	json_object_foreach(json_object_get(hc, "Sysctls"), k, v)
		if (json_is_string(v))
			json_object_set(s, k, v);
	out = sorted_object(s);
	json_decref(s);
	return out;
}

static int add_ns(json_t *nss, const char *type, const char *mode, const char *path, struct berr *err)
{
	if (mode_is(mode, "host") && !(strcmp(type, "network") == 0 && path))
		return 0;
	if (mode_is_container(mode) && !path)
		return berr_set(err, BERR_UNSUPPORTED, "%s namespace mode %s needs that container's namespace path",
				type, mode);
	json_t *ns = json_pack("{s:s}", "type", type);
	if (path && (mode_is(mode, "host") || mode_is_container(mode) || strcmp(type, "network") == 0))
		json_object_set_new(ns, "path", json_string(path));
	json_array_append_new(nss, ns);
	return 0;
}

static json_t *build_namespaces(const json_t *hc, const struct spec_env *env, struct berr *err)
{
	json_t *nss = json_array();
	const char *cgns = jstr(hc, "CgroupnsMode"), *ipc = jstr(hc, "IpcMode");

	json_array_append_new(nss, json_pack("{s:s}", "type", "mount"));
	if (add_ns(nss, "network", jstr(hc, "NetworkMode"), env->netns_path, err) < 0 ||
	    add_ns(nss, "uts", jstr(hc, "UTSMode"), NULL, err) < 0 ||
	    add_ns(nss, "pid", jstr(hc, "PidMode"), env->pidns_path, err) < 0 ||
	    add_ns(nss, "ipc", ipc, env->ipcns_path, err) < 0) {
		json_decref(nss);
		return NULL;
	}
	if (mode_is(cgns, "private") || (!*cgns && env->cgroup_v2))
		json_array_append_new(nss, json_pack("{s:s}", "type", "cgroup"));
	return nss;
}

static const char *const masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL,
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* HostConfig's list if set (docker fills it at create), else the defaults;
 * none when privileged.  Go's omitempty drops an empty one. */
static void set_paths(json_t *linux_, const char *key, const json_t *hc, const char *field,
		      const char *const *defaults)
{
	const json_t *v = json_object_get(hc, field);

	if (jtrue(hc, "Privileged"))
		return;
	if (json_is_array(v)) {
		if (json_array_size(v))
			json_object_set_new(linux_, key, json_deep_copy(v));
	} else {
		json_object_set_new(linux_, key, strv(defaults));
	}
}

static json_t *build_linux(const json_t *config, const json_t *hc, const json_t *mounts,
			   const struct spec_env *env, const json_t *caps, const struct secopts *so,
			   int kmaj, int kmin, struct berr *err)
{
	json_t *l = json_object(), *part, *sysctl = build_sysctl(config, hc), *devices = NULL, *rules = NULL;
	const char *parent = *jstr(hc, "CgroupParent") ? jstr(hc, "CgroupParent")
			   : env->cgroup_parent ? env->cgroup_parent : DEFAULT_CGROUP_PARENT;
	const char *prop = root_propagation(mounts);

	if (json_object_size(sysctl))
		json_object_set(l, "sysctl", sysctl);
	json_decref(sysctl);
	if (spec_devices(hc, &devices, &rules, err) < 0 || !(part = build_resources(hc, rules, err)))
		goto fail;
	json_object_set_new(l, "resources", part);
	json_object_set_new(l, "cgroupsPath", json_sprintf("%s%s%s", parent,
							   parent[strlen(parent) - 1] == '/' ? "" : "/", env->id));
	if (!(part = build_namespaces(hc, env, err)))
		goto fail;
	json_object_set_new(l, "namespaces", part);
	if (json_array_size(devices))
		json_object_set(l, "devices", devices);
	if (!jtrue(hc, "Privileged") && !so->seccomp_unconfined)
		json_object_set_new(l, "seccomp", spec_seccomp_default(caps, kmaj, kmin));
	if (prop)
		json_object_set_new(l, "rootfsPropagation", json_string(prop));
	set_paths(l, "maskedPaths", hc, "MaskedPaths", masked_paths);
	set_paths(l, "readonlyPaths", hc, "ReadonlyPaths", readonly_paths);
	json_decref(devices);
	json_decref(rules);
	return l;
fail:
	json_decref(devices);
	json_decref(rules);
	json_decref(l);
	return NULL;
}

/* ---- the spec ---- */

json_t *spec_build(const json_t *config, const json_t *hostconfig, const json_t *mounts,
		   const struct spec_env *env, struct berr *err)
{
	struct secopts so;
	json_t *caps, *spec = NULL, *process, *mnts = NULL, *linux_ = NULL, *root;

	if (!json_is_object(config) || !json_is_object(hostconfig) || !env->id || !env->rootfs) {
		berr_set(err, BERR_INVALID, "spec: a Config, a HostConfig, an ID and a rootfs are needed");
		return NULL;
	}
	if (parse_secopts(json_object_get(hostconfig, "SecurityOpt"), &so, err) < 0)
		return NULL;
	caps = spec_capabilities(json_object_get(hostconfig, "CapAdd"), json_object_get(hostconfig, "CapDrop"),
				 jtrue(hostconfig, "Privileged"), err);
	if (!caps)
		return NULL;
	process = build_process(config, hostconfig, env, caps, &so, err);
	if (process)
		mnts = build_mounts(hostconfig, mounts, env, err);
	if (mnts)
		linux_ = build_linux(config, hostconfig, mounts, env, caps, &so, env->kernel_major, env->kernel_minor,
				     err);
	if (!linux_)
		goto out;
	root = json_pack("{s:s}", "path", env->rootfs);
	if (jtrue(hostconfig, "ReadonlyRootfs"))
		json_object_set_new(root, "readonly", json_true());
	spec = json_object();
	json_object_set_new(spec, "ociVersion", json_string("1.0.2-dev"));
	json_object_set(spec, "process", process);
	json_object_set_new(spec, "root", root);
	if (!mode_is(jstr(hostconfig, "UTSMode"), "host") && *jstr(config, "Hostname"))
		json_object_set_new(spec, "hostname", json_string(jstr(config, "Hostname")));
	json_object_set(spec, "mounts", mnts);
	json_object_set_new(spec, "hooks", json_object());
	json_object_set(spec, "linux", linux_);
out:
	json_decref(caps);
	json_decref(process);
	json_decref(mnts);
	json_decref(linux_);
	return spec;
}

int spec_write_bundle(const char *bundle_dir, const json_t *spec, struct berr *err)
{
	_cleanup_free_ char *text = json_dumps(spec, JSON_COMPACT);
	int dirfd, rc;

	if (!text)
		return berr_set(err, BERR_INTERNAL, "encode config.json");
	dirfd = open(bundle_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berr_sys(err, "open bundle %s", bundle_dir);
	rc = cache_write_at(dirfd, "config.json", text, strlen(text), 0600, err);
	close(dirfd);
	return rc;
}

/* ---- docker's create-time merge of the image config ---- */

static int env_has_key(const json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *e = json_string_value(v);
		if (e && strncmp(e, kv, klen) == 0 && (e[klen] == '=' || !e[klen]))
			return 1;
	}
	return 0;
}

static void merge_object_keys(json_t *config, const json_t *image, const char *key)
{
	const json_t *img = json_object_get(image, key);
	json_t *cur = json_object_get(config, key);
	const char *k;
	json_t *v;

	/* merge: an empty map of the user's is replaced by the image's as
	 * it is (so {} becomes null when the image has none). */
	if (!json_object_size(cur)) {
		json_object_set_new(config, key, img ? json_deep_copy(img) : json_null());
		return;
	}
	json_object_foreach((json_t *)img, k, v)
		if (!json_object_get(cur, k))
			json_object_set(cur, k, v);
}

static void take_if_empty(json_t *config, const json_t *image, const char *key)
{
	if (!*jstr(config, key) && *jstr(image, key))
		json_object_set(config, key, json_object_get(image, key));
}

/* The user's healthcheck keeps what it sets; unset (zero) fields come from the image's. */
static void fill_healthcheck(json_t *hc, const json_t *img)
{
	static const char *const fields[] = { "Interval", "Timeout", "StartPeriod", "Retries", NULL };

	if (json_array_size(json_object_get(hc, "Test")) == 0 && json_object_get(img, "Test"))
		json_object_set(hc, "Test", json_object_get(img, "Test"));
	for (size_t i = 0; fields[i]; i++)
		if (jint(hc, fields[i]) == 0 && json_object_get(img, fields[i]))
			json_object_set(hc, fields[i], json_object_get(img, fields[i]));
}

void spec_merge_image_config(json_t *config, const json_t *image)
{
	json_t *env = json_object_get(config, "Env"), *v;
	size_t i;

	take_if_empty(config, image, "User");
	merge_object_keys(config, image, "ExposedPorts");
	if (json_array_size(env) == 0) {
		if (json_object_get(image, "Env"))
			json_object_set_new(config, "Env", json_deep_copy(json_object_get(image, "Env")));
	} else {
		json_t *add = json_array();
		json_array_foreach(json_object_get(image, "Env"), i, v)
			if (json_is_string(v) && !env_has_key(env, json_string_value(v)))
				json_array_append(add, v);
		json_array_extend(env, add);
		json_decref(add);
	}
	/* image labels, overridden by the user's */
	json_t *labels = json_deep_copy(json_object_get(image, "Labels"));
	if (json_is_object(labels)) {
		json_object_update(labels, json_object_get(config, "Labels"));
		json_object_set_new(config, "Labels", labels);
	} else {
		json_decref(labels);
	}
	if (json_array_size(json_object_get(config, "Entrypoint")) == 0) {
		if (json_array_size(json_object_get(config, "Cmd")) == 0) {
			json_object_set(config, "Cmd", json_object_get(image, "Cmd") ? json_object_get(image, "Cmd") : json_null());
			if (json_object_get(image, "ArgsEscaped"))
				json_object_set(config, "ArgsEscaped", json_object_get(image, "ArgsEscaped"));
		}
		if (json_is_null(json_object_get(config, "Entrypoint")) || !json_object_get(config, "Entrypoint"))
			json_object_set(config, "Entrypoint",
					json_object_get(image, "Entrypoint") ? json_object_get(image, "Entrypoint") : json_null());
	}
	if (json_is_object(json_object_get(image, "Healthcheck"))) {
		json_t *hc = json_object_get(config, "Healthcheck");
		if (!json_is_object(hc))
			json_object_set_new(config, "Healthcheck", json_deep_copy(json_object_get(image, "Healthcheck")));
		else
			fill_healthcheck(hc, json_object_get(image, "Healthcheck"));
	}
	take_if_empty(config, image, "WorkingDir");
	merge_object_keys(config, image, "Volumes");
	take_if_empty(config, image, "StopSignal");
}
