/*
 * test-spec.c - the OCI spec generator (lib/runtime/spec.h): each rule on
 * its own (env merge, user resolution incl. hostile symlinks, caps, mounts
 * order, read-only, privileged, ulimits, cgroup resources), then a golden
 * comparison with the config.json docker 20.10 handed to runc for the same
 * Config/HostConfig/MountPoints (tests/data/spec/, made by
 * tests/lib/capture-specs.sh), values and key order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/spec.h"
#include "util/fs.h"
#include "util/sbuf.h"
#include "test.h"

#define FAKE_ID "1234567890abcccccccccccccccccccccccccccccccccccccccccccccccccccc"

static char data_dir[4096];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static json_t *jload(const char *dir, const char *name, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/%s", dir, name, file);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (!j)
		printf("# cannot load %s: %s\n", path, e.text);
	return j;
}

/* A minimal rootfs with docker's test passwd/group. */
static char *make_rootfs(const char *tmp, const char *name)
{
	char *root = xasprintf("%s/%s", tmp, name);
	_cleanup_free_ char *etc = xasprintf("%s/etc", root);
	_cleanup_free_ char *pw = xasprintf("%s/passwd", etc);
	_cleanup_free_ char *gr = xasprintf("%s/group", etc);

	mkdir(root, 0755);
	mkdir(etc, 0755);
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\n"
		       "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		       "  app:x:1000:1000:app:/home/app:/bin/sh  \n"
		       "\n"
		       "dup:x:1000:7::/dup:/bin/sh\n");
	write_file(gr, "root:x:0:\ndaemon:x:1:\ntty:x:5:app\napp:x:1000:\nstaff:x:50:app,daemon\n");
	return root;
}

/* ---- env ---- */

static void check_env_merge(void)
{
	json_t *d = json_pack("[s,s]", "PATH=/usr/bin", "HOSTNAME=h");
	json_t *o = json_pack("[s,s,s,s,s,s]", "PATH=/x", "FOO", "BAR=1", "HOSTNAME", "HOSTNAME=again", "BAR");
	json_t *got = spec_env_merge(d, o);
	_cleanup_free_ char *s = json_dumps(got, JSON_COMPACT);

	/* HOSTNAME is unset then set again in place; BAR was appended, so a
	 * later bare BAR does not remove it (docker's cache has only defaults). */
	T_STREQ(s, "[\"PATH=/x\",\"HOSTNAME=again\",\"BAR=1\"]", "env merge: replace in place, append, unset");
	json_decref(got);
	json_decref(o);
	o = json_pack("[s]", "PATH");
	got = spec_env_merge(d, o);
	free(s);
	s = json_dumps(got, JSON_COMPACT);
	T_STREQ(s, "[\"HOSTNAME=h\"]", "env merge: a bare PATH removes the default PATH");
	json_decref(got);
	json_decref(o);
	json_decref(d);
}

static void check_merge_image(void)
{
	json_t *cfg = json_pack("{s:[s,s,s], s:n, s:s}", "Env", "FOO=bar", "TRICKY", "PATH=/opt/bin:/bin",
				"Entrypoint", "WorkingDir", "");
	json_t *img = json_pack("{s:[s,s,s], s:[s], s:s, s:s}", "Env", "PATH=/usr/local/bin:/bin", "TRICKY=1", "IMG=1",
				"Cmd", "sh", "WorkingDir", "/srv", "User", "app");
	_cleanup_free_ char *env = NULL;

	spec_merge_image_config(cfg, img);
	env = json_dumps(json_object_get(cfg, "Env"), JSON_COMPACT);
	T_STREQ(env, "[\"FOO=bar\",\"TRICKY\",\"PATH=/opt/bin:/bin\",\"IMG=1\"]",
		"image merge: image env keys the user did not set are appended");
	T_STREQ(json_string_value(json_array_get(json_object_get(cfg, "Cmd"), 0)), "sh", "image merge: Cmd from the image");
	T_STREQ(json_string_value(json_object_get(cfg, "WorkingDir")), "/srv", "image merge: WorkingDir from the image");
	T_STREQ(json_string_value(json_object_get(cfg, "User")), "app", "image merge: User from the image");
	json_decref(cfg);
	json_decref(img);
}

/* ---- user ---- */

static void user_case(const char *root, const char *spec, const char *group_add, const char *want)
{
	struct berr err = BERR_INIT;
	struct spec_user u;
	json_t *ga = group_add ? json_loads(group_add, 0, NULL) : NULL;
	struct sbuf sb = SBUF_INIT;

	if (spec_resolve_user(root, spec, ga, &u, &err) < 0) {
		sbuf_addf(&sb, "error: %s", err.msg);
	} else {
		sbuf_addf(&sb, "%u:%u", u.uid, u.gid);
		for (size_t i = 0; i < u.ngids; i++)
			sbuf_addf(&sb, "%s%u", i ? "," : " ", u.gids[i]);
		spec_user_release(&u);
	}
	T_STREQ(sbuf_str(&sb), want, "user '%s'%s%s", spec, group_add ? " group-add " : "", group_add ? group_add : "");
	sbuf_release(&sb);
	json_decref(ga);
}

static void check_users(const char *tmp)
{
	_cleanup_free_ char *root = make_rootfs(tmp, "users");
	_cleanup_free_ char *empty = xasprintf("%s/empty", tmp);

	user_case(root, "", NULL, "0:0 0");
	user_case(root, "app", NULL, "1000:1000 1000,5,50");
	user_case(root, "1000", NULL, "1000:1000 1000,5,50");
	user_case(root, "app:staff", NULL, "1000:50 50");
	user_case(root, "1000:5", NULL, "1000:5 5");
	user_case(root, "app:4242", NULL, "1000:4242 4242");
	user_case(root, "4242", NULL, "4242:0 0");
	user_case(root, "daemon", "[\"staff\",\"1\",\"77\",\"50\"]", "1:1 1,50,50,1,77");
	user_case(root, "nobody", NULL, "error: unable to find user nobody: no matching entries in passwd file");
	user_case(root, "app:nogroup", NULL, "error: unable to find group nogroup: no matching entries in group file");
	user_case(root, "4294967296", NULL, "error: uids and gids must be in range 0-2147483647");
	user_case(root, "0:-1", NULL, "error: uids and gids must be in range 0-2147483647");
	user_case(root, "", "[\"nogroup\"]", "error: Unable to find group nogroup: no matching entries in group file");
	mkdir(empty, 0755);
	user_case(empty, "", NULL, "0:0 0");
	user_case(empty, "1000:1000", NULL, "1000:1000 1000");
	user_case(empty, "app", NULL, "error: unable to find user app: no matching entries in passwd file");
}

/* A hostile image: /etc/passwd and /etc/group are symlinks to a host file
 * (absolute and via ..); the lookup must see only the rootfs. */
static void check_hostile_users(const char *tmp)
{
	_cleanup_free_ char *root = xasprintf("%s/hostile", tmp), *etc = xasprintf("%s/etc", root);
	_cleanup_free_ char *secret = xasprintf("%s/host-shadow", tmp), *pw = xasprintf("%s/passwd", etc);
	_cleanup_free_ char *gr = xasprintf("%s/group", etc), *rel = xasprintf("../../../../../../..%s", secret);
	_cleanup_free_ char *inside = xasprintf("%s/shadow-inside", etc), *fifo = xasprintf("%s/fifo", tmp);

	mkdir(root, 0755);
	mkdir(etc, 0755);
	write_file(secret, "evil:x:0:0::/evil:/bin/sh\nevilgrp:x:666:evil\n");
	T_OK(symlink(secret, pw) == 0 && symlink(rel, gr) == 0, "hostile rootfs: passwd/group symlinks to %s", secret);
	user_case(root, "evil", NULL, "error: unable to find user evil: no matching entries in passwd file");
	user_case(root, "0:evilgrp", NULL, "error: unable to find group evilgrp: no matching entries in group file");
	/* the same absolute target inside the rootfs is what is read */
	_cleanup_free_ char *inroot = xasprintf("%s%s", root, secret), *inroot_dir = xstrdup(inroot);
	_cleanup_free_ char *cmd = xasprintf("mkdir -p '%s'", dirname(inroot_dir));
	T_OK(system(cmd) == 0, "mkdir the symlink target inside the rootfs");
	write_file(inroot, "inside:x:7:8::/in:/bin/sh\n");
	user_case(root, "inside", NULL, "7:8 8");
	unlink(pw);
	write_file(inside, "x");
	T_OK(mkfifo(fifo, 0600) == 0 && symlink("/etc/../../../fifo-in-root", pw) == 0, "passwd -> a fifo path");
	_cleanup_free_ char *rfifo = xasprintf("%s/fifo-in-root", root);
	T_OK(mkfifo(rfifo, 0600) == 0, "a fifo inside the rootfs");
	user_case(root, "x", NULL, "error: open /etc/passwd: not a regular file");
}

/* ---- caps ---- */

static void caps_case(const char *add, const char *drop, const char *want)
{
	struct berr err = BERR_INIT;
	json_t *a = json_loads(add, 0, NULL), *d = json_loads(drop, 0, NULL);
	json_t *caps = spec_capabilities(a, d, 0, &err);
	_cleanup_free_ char *got = caps ? json_dumps(caps, JSON_COMPACT) : xasprintf("error: %s", err.msg);

	T_STREQ(got, want, "caps add %s drop %s", add, drop);
	json_decref(caps);
	json_decref(a);
	json_decref(d);
}

static void check_caps(void)
{
	caps_case("null", "[\"net_raw\",\"CAP_CHOWN\",\"mknod\",\"setgid\",\"setuid\",\"setfcap\",\"setpcap\","
		  "\"net_bind_service\",\"sys_chroot\",\"audit_write\",\"fsetid\",\"fowner\"]",
		  "[\"CAP_DAC_OVERRIDE\",\"CAP_KILL\"]");
	caps_case("[\"sys_admin\",\"CAP_SYS_PTRACE\"]", "[\"ALL\"]", "[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\"]");
	caps_case("[\"all\"]", "[\"CHOWN\"]",
		  "[\"CAP_DAC_OVERRIDE\",\"CAP_DAC_READ_SEARCH\",\"CAP_FOWNER\",\"CAP_FSETID\",\"CAP_KILL\",\"CAP_SETGID\","
		  "\"CAP_SETUID\",\"CAP_SETPCAP\",\"CAP_LINUX_IMMUTABLE\",\"CAP_NET_BIND_SERVICE\",\"CAP_NET_BROADCAST\","
		  "\"CAP_NET_ADMIN\",\"CAP_NET_RAW\",\"CAP_IPC_LOCK\",\"CAP_IPC_OWNER\",\"CAP_SYS_MODULE\",\"CAP_SYS_RAWIO\","
		  "\"CAP_SYS_CHROOT\",\"CAP_SYS_PTRACE\",\"CAP_SYS_PACCT\",\"CAP_SYS_ADMIN\",\"CAP_SYS_BOOT\",\"CAP_SYS_NICE\","
		  "\"CAP_SYS_RESOURCE\",\"CAP_SYS_TIME\",\"CAP_SYS_TTY_CONFIG\",\"CAP_MKNOD\",\"CAP_LEASE\",\"CAP_AUDIT_WRITE\","
		  "\"CAP_AUDIT_CONTROL\",\"CAP_SETFCAP\",\"CAP_MAC_OVERRIDE\",\"CAP_MAC_ADMIN\",\"CAP_SYSLOG\","
		  "\"CAP_WAKE_ALARM\",\"CAP_BLOCK_SUSPEND\",\"CAP_AUDIT_READ\"]");
	caps_case("[\"FOO\"]", "null", "error: invalid CapAdd: unknown capability: \"CAP_FOO\"");
	caps_case("[\"BPF\"]", "null", "error: invalid CapAdd: unknown capability: \"CAP_BPF\"");
	caps_case("null", "[\"bogus\"]", "error: invalid CapDrop: unknown capability: \"CAP_BOGUS\"");
	caps_case("[\"x\"]", "[\"y\"]", "error: invalid CapAdd: unknown capability: \"CAP_X\"");
}

/* ---- whole specs built from small inputs ---- */

struct built {
	json_t *spec;
	struct berr err;
};

static struct built build(const char *root, const char *config, const char *hostconfig, const char *mounts)
{
	struct built b = { NULL, BERR_INIT };
	json_error_t e;
	json_t *c = json_loads(config, 0, &e), *h = json_loads(hostconfig, 0, &e);
	json_t *m = mounts ? json_loads(mounts, 0, &e) : NULL;
	struct spec_env env = {
		.id = FAKE_ID, .rootfs = root, .container_dir = "/c", .init_path = "/usr/bin/tini",
	};

	if (!c || !h)
		printf("# bad test json: %s\n", e.text);
	b.spec = spec_build(c, h, m, &env, &b.err);
	json_decref(c);
	json_decref(h);
	json_decref(m);
	return b;
}

static char *mount_dests(const json_t *spec)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(spec, "mounts"), i, m)
		sbuf_addf(&sb, "%s%s", i ? " " : "", json_string_value(json_object_get(m, "destination")));
	return sbuf_detach(&sb, NULL);
}

static const char *mount_opts(const json_t *spec, const char *dest, char *buf, size_t n)
{
	size_t i;
	json_t *m;

	buf[0] = '\0';
	json_array_foreach(json_object_get(spec, "mounts"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "destination")), dest) == 0) {
			char *s = json_dumps(json_object_get(m, "options"), JSON_COMPACT);
			snprintf(buf, n, "%s", s);
			free(s);
		}
	return buf;
}

static void check_mounts(const char *root)
{
	char buf[512];
	struct built b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"Tmpfs\":{\"/t\":\"size=1m,exec,noexec,mode=700\"}}",
			       "{\"/z\":{\"Source\":\"/s/z\",\"Destination\":\"/z\",\"RW\":true,\"Type\":\"bind\",\"Propagation\":\"rprivate\"},"
			       "\"/a/b\":{\"Source\":\"/s/ab\",\"Destination\":\"/a/b\",\"RW\":false,\"Type\":\"volume\"},"
			       "\"/a\":{\"Source\":\"/s/a\",\"Destination\":\"/a\",\"RW\":true,\"Type\":\"volume\"},"
			       "\"/etc/hosts\":{\"Source\":\"/my/hosts\",\"Destination\":\"/etc/hosts\",\"RW\":true,\"Type\":\"bind\"}}");
	_cleanup_free_ char *d = b.spec ? mount_dests(b.spec) : xstrdup(b.err.msg);

	T_STREQ(d, "/proc /dev /dev/pts /sys /sys/fs/cgroup /dev/mqueue /dev/shm /z /a /t /a/b /etc/hosts "
		   "/etc/resolv.conf /etc/hostname",
		"mounts: defaults, then user mounts by depth, input order kept within a depth; a user /etc/hosts wins");
	T_STREQ(mount_opts(b.spec, "/t", buf, sizeof(buf)), "[\"nosuid\",\"nodev\",\"rprivate\",\"size=1m\",\"noexec\",\"mode=700\"]",
		"tmpfs options merged as MergeTmpfsOptions (the last of exec/noexec wins)");
	T_STREQ(mount_opts(b.spec, "/a/b", buf, sizeof(buf)), "[\"rbind\",\"ro\"]", "a read-only volume: rbind,ro");
	T_STREQ(mount_opts(b.spec, "/z", buf, sizeof(buf)), "[\"rbind\",\"rprivate\"]", "a bind: rbind,rprivate");
	json_decref(b.spec);

	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"IpcMode\":\"none\"}",
		  "{\"/dev\":{\"Source\":\"/hostdev\",\"Destination\":\"/dev\",\"RW\":true,\"Type\":\"bind\"}}");
	free(d);
	d = b.spec ? mount_dests(b.spec) : xstrdup(b.err.msg);
	T_STREQ(d, "/proc /sys /sys/fs/cgroup /dev /etc/resolv.conf /etc/hostname /etc/hosts",
		"a user /dev drops every default under /dev/");
	json_decref(b.spec);

	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"IpcMode\":\"host\",\"ShmSize\":1024}", NULL);
	T_STREQ(mount_opts(b.spec, "/dev/shm", buf, sizeof(buf)), "[\"rbind\",\"rprivate\"]", "--ipc host binds the host /dev/shm");
	json_decref(b.spec);
	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"ShmSize\":1024}", NULL);
	T_STREQ(mount_opts(b.spec, "/dev/shm", buf, sizeof(buf)),
		"[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=1024\"]", "ShmSize sizes the private /dev/shm");
	json_decref(b.spec);
}

/* Namespaces joined from another container, and the /dev/shm it shares. */
static void check_shared_namespaces(const char *root)
{
	struct spec_env env = { .id = FAKE_ID, .rootfs = root, .netns_path = "/proc/42/ns/net",
				.pidns_path = "/proc/42/ns/pid", .ipcns_path = "/proc/42/ns/ipc", .shm_path = "/other/shm" };
	json_t *c = json_pack("{s:[s]}", "Cmd", "sh");
	json_t *h = json_pack("{s:s, s:s, s:s, s:s}", "NetworkMode", "container:x", "PidMode", "container:x", "IpcMode",
			      "container:x", "UTSMode", "host");
	struct berr err = BERR_INIT;
	json_t *spec = spec_build(c, h, NULL, &env, &err);
	char buf[512];
	_cleanup_free_ char *ns = spec ? json_dumps(json_object_get(json_object_get(spec, "linux"), "namespaces"), JSON_COMPACT)
				      : xstrdup(err.msg);

	T_STREQ(ns, "[{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/proc/42/ns/net\"},"
		    "{\"type\":\"pid\",\"path\":\"/proc/42/ns/pid\"},{\"type\":\"ipc\",\"path\":\"/proc/42/ns/ipc\"}]",
		"container:<x> modes join x's namespaces; --uts host has none");
	T_OK(spec && !json_object_get(spec, "hostname") && !json_object_get(json_object_get(spec, "linux"), "sysctl"),
	     "no hostname with --uts host, no netns sysctls in a borrowed netns");
	T_STREQ(mount_opts(spec, "/dev/shm", buf, sizeof(buf)), "[\"rbind\",\"rprivate\"]", "--ipc container:x binds x's /dev/shm");
	json_decref(spec);
	env.pidns_path = NULL;
	spec = spec_build(c, h, NULL, &env, &err);
	T_STREQ(spec ? "(no error)" : err.msg, "pid namespace mode container:x needs that container's namespace path",
		"container:<x> without a path is an error");
	json_decref(spec);
	json_decref(c);
	json_decref(h);
}

static void check_readonly_privileged(const char *root)
{
	char buf[512];
	struct built b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"ReadonlyRootfs\":true}",
			       "{\"/v\":{\"Source\":\"/s/v\",\"Destination\":\"/v\",\"RW\":true,\"Type\":\"volume\"}}");

	T_OK(b.spec && json_is_true(json_object_get(json_object_get(b.spec, "root"), "readonly")), "--read-only: root.readonly");
	T_STREQ(mount_opts(b.spec, "/etc/hosts", buf, sizeof(buf)), "[\"rbind\",\"ro\",\"rprivate\"]", "--read-only: ro network files");
	T_STREQ(mount_opts(b.spec, "/v", buf, sizeof(buf)), "[\"rbind\"]", "--read-only: a writable volume stays writable");
	T_STREQ(mount_opts(b.spec, "/dev/mqueue", buf, sizeof(buf)), "[\"nosuid\",\"noexec\",\"nodev\"]", "--read-only: /dev/mqueue untouched");
	json_decref(b.spec);

	b = build(root, "{\"Cmd\":[\"sh\"],\"User\":\"app\"}", "{\"Privileged\":true,\"CapDrop\":[\"CHOWN\"]}", NULL);
	json_t *l = json_object_get(b.spec, "linux");
	T_OK(b.spec && !json_object_get(l, "seccomp"), "privileged: no seccomp");
	T_OK(!json_object_get(l, "maskedPaths") && !json_object_get(l, "readonlyPaths"), "privileged: no masked/readonly paths");
	T_STREQ(mount_opts(b.spec, "/sys", buf, sizeof(buf)), "[\"nosuid\",\"noexec\",\"nodev\"]", "privileged: /sys writable");
	T_STREQ(mount_opts(b.spec, "/sys/fs/cgroup", buf, sizeof(buf)), "[\"nosuid\",\"noexec\",\"nodev\"]", "privileged: cgroup writable");
	json_t *caps = json_object_get(json_object_get(b.spec, "process"), "capabilities");
	T_OK(json_array_size(json_object_get(caps, "bounding")) == 38 && !json_object_get(caps, "effective"),
	     "privileged: all 38 caps (CapDrop ignored), bounding only for a non-root user");
	_cleanup_free_ char *dev = json_dumps(json_object_get(json_object_get(l, "resources"), "devices"), JSON_COMPACT);
	T_STREQ(dev, "[{\"allow\":true,\"access\":\"rwm\"}]", "privileged: every device allowed");
	int has_null = 0, has_pts = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(l, "devices"), i, d) {
		char *s = json_dumps(d, JSON_COMPACT);
		has_null |= strcmp(s, "{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":438,"
				     "\"uid\":0,\"gid\":0}") == 0;
		has_pts |= strncmp(json_string_value(json_object_get(d, "path")), "/dev/pts/", 9) == 0;
		free(s);
	}
	T_OK(has_null, "privileged: the host's nodes in linux.devices (/dev/null as runc's HostDevices gives it)");
	T_OK(!has_pts, "privileged: nothing from /dev/pts");
	json_decref(b.spec);

	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"SecurityOpt\":[\"no-new-privileges:false\",\"seccomp=unconfined\"]}", NULL);
	T_OK(b.spec && !json_object_get(json_object_get(b.spec, "process"), "noNewPrivileges") &&
	     !json_object_get(json_object_get(b.spec, "linux"), "seccomp"), "no-new-privileges:false, seccomp=unconfined");
	json_decref(b.spec);
	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"SecurityOpt\":[\"bogus\"]}", NULL);
	T_STREQ(b.err.msg, "invalid --security-opt 1: \"bogus\"", "bad --security-opt: docker's message");
	b = build(root, "{}", "{}", NULL);
	T_STREQ(b.err.msg, "No command specified", "no Cmd nor Entrypoint: docker's message");
	b = build(root, "{\"Cmd\":[\"sh\"]}", "{\"DeviceCgroupRules\":[\"c 1:x rwm\"]}", NULL);
	T_STREQ(b.err.msg, "invalid device cgroup rule format: 'c 1:x rwm'", "bad device cgroup rule: docker's message");
}

static void check_resources(const char *root)
{
	struct built b = build(root, "{\"Cmd\":[\"sh\"]}",
			       "{\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":20,\"Soft\":10}],\"PidsLimit\":0,\"CpuQuota\":7,"
			       "\"CpuPeriod\":9,\"MemorySwappiness\":60,\"CgroupParent\":\"/mine\",\"CgroupnsMode\":\"\"}", NULL);
	json_t *r = json_object_get(json_object_get(b.spec, "linux"), "resources");
	_cleanup_free_ char *rl = json_dumps(json_object_get(json_object_get(b.spec, "process"), "rlimits"), JSON_COMPACT);
	_cleanup_free_ char *cpu = json_dumps(json_object_get(r, "cpu"), JSON_COMPACT);
	_cleanup_free_ char *mem = json_dumps(json_object_get(r, "memory"), JSON_COMPACT);
	_cleanup_free_ char *pids = json_dumps(json_object_get(r, "pids"), JSON_COMPACT);

	T_STREQ(rl, "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20,\"soft\":10}]", "ulimit -> rlimits");
	T_STREQ(cpu, "{\"shares\":0,\"quota\":7,\"period\":9}", "CpuQuota/CpuPeriod");
	T_STREQ(mem, "{\"swappiness\":60}", "MemorySwappiness; no disableOOMKiller without OomKillDisable");
	T_STREQ(pids, "{\"limit\":-1}", "PidsLimit 0 means unlimited (-1)");
	T_STREQ(json_string_value(json_object_get(json_object_get(b.spec, "linux"), "cgroupsPath")), "/mine/" FAKE_ID,
		"CgroupParent");
	T_OK(json_array_size(json_object_get(json_object_get(b.spec, "linux"), "namespaces")) == 5,
	     "cgroup v1: an empty CgroupnsMode is the host's");
	json_decref(b.spec);
	b = build(root, "{\"Cmd\":[\"sh\"]}", "{}", NULL);
	T_STREQ(json_string_value(json_object_get(json_object_get(b.spec, "linux"), "cgroupsPath")), "/berth/" FAKE_ID,
		"default cgroupsPath: /berth/<id>");
	json_decref(b.spec);
}

/* ---- golden: docker's own config.json ---- */

/* Prints where a and b first differ (values, then key order). */
static int json_diff(const json_t *a, const json_t *b, const char *path)
{
	if (json_typeof(a) != json_typeof(b) || (!json_is_object(a) && !json_is_array(a) && !json_equal(a, b))) {
		char *sa = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY), *sb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("#   %s: berth %.300s\n#   %*s  docker %.300s\n", path, sa, (int)strlen(path), "", sb);
		free(sa);
		free(sb);
		return 1;
	}
	if (json_is_array(a)) {
		size_t n = json_array_size(a) > json_array_size(b) ? json_array_size(a) : json_array_size(b);
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
			json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
			if (!x || !y) {
				printf("#   %s: only in %s\n", p, x ? "berth" : "docker");
				return 1;
			}
			if (json_diff(x, y, p))
				return 1;
		}
	} else if (json_is_object(a)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)a, k, v) {
			_cleanup_free_ char *p = xasprintf("%s/%s", path, k);
			if (!json_object_get(b, k)) {
				printf("#   %s: only in berth\n", p);
				return 1;
			}
			if (json_diff(v, json_object_get(b, k), p))
				return 1;
		}
		json_object_foreach((json_t *)b, k, v)
			if (!json_object_get(a, k)) {
				printf("#   %s/%s: only in docker\n", path, k);
				return 1;
			}
	}
	return 0;
}

/* docker lists --group-add gids in Go map order: compare them as a set. */
static void sort_group_add(json_t *spec, size_t keep)
{
	json_t *g = json_object_get(json_object_get(json_object_get(spec, "process"), "user"), "additionalGids");
	size_t n = json_array_size(g);

	for (size_t i = keep; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (json_integer_value(json_array_get(g, j)) < json_integer_value(json_array_get(g, i))) {
				json_t *t = json_incref(json_array_get(g, i));
				json_array_set(g, i, json_array_get(g, j));
				json_array_set_new(g, j, t);
			}
}

static void golden_case(const char *name)
{
	json_t *cont = jload(data_dir, name, "container.json"), *hc = jload(data_dir, name, "hostconfig.json");
	json_t *want = jload(data_dir, name, "config.json");
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", data_dir);
	struct berr err = BERR_INIT;
	struct spec_env env = {
		.id = FAKE_ID, .rootfs = rootfs, .container_dir = "/var/lib/docker/containers/" FAKE_ID,
		.init_path = "/usr/bin/docker-init", .cgroup_parent = "/docker",
	};
	json_t *got;

	if (!cont || !hc || !want) {
		T_OK(0, "golden %s: test data", name);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(hc, "NetworkMode")), "host") == 0)
		env.netns_path = "/var/run/docker/netns/default";
	got = spec_build(json_object_get(cont, "Config"), hc, json_object_get(cont, "MountPoints"), &env, &err);
	if (!got) {
		T_OK(0, "golden %s: %s", name, err.msg);
		goto out;
	}
	/* the rootfs path is the capture's; docker's network hook is docker's */
	json_object_set(json_object_get(got, "root"), "path", json_object_get(json_object_get(want, "root"), "path"));
	json_object_set_new(want, "hooks", json_object());
	if (json_array_size(json_object_get(hc, "GroupAdd"))) {
		sort_group_add(got, 1);
		sort_group_add(want, 1);
	}
	int same = !json_diff(got, want, "");
	T_OK(same, "golden %s: berth's spec equals docker's (%s)", name, json_string_value(json_object_get(json_object_get(cont, "Config"), "Image")));
	if (same) {
		char *a = json_dumps(got, JSON_INDENT(1)), *b = json_dumps(want, JSON_INDENT(1));
		T_OK(strcmp(a, b) == 0, "golden %s: and in docker's key order", name);
		free(a);
		free(b);
	}
	json_decref(got);
out:
	json_decref(cont);
	json_decref(hc);
	json_decref(want);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_golden(void)
{
	DIR *d = opendir(data_dir);
	struct dirent *e;
	char *names[128];
	size_t n = 0;

	if (!d) {
		T_SKIP("golden: no %s", data_dir);
		return;
	}
	while ((e = readdir(d)) && n < 128) {
		_cleanup_free_ char *p = xasprintf("%s/%s/config.json", data_dir, e->d_name);
		if (e->d_name[0] != '.' && access(p, R_OK) == 0)
			names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	T_OK(n >= 20, "golden: %zu captured cases", n);
	for (size_t i = 0; i < n; i++) {
		golden_case(names[i]);
		free(names[i]);
	}
}

/* errors.txt: docker's texts for the same bad inputs. */
static void check_golden_errors(void)
{
	_cleanup_free_ char *path = xasprintf("%s/errors.txt", data_dir);
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", data_dir);
	FILE *f = fopen(path, "r");
	char line[2048];

	if (!f) {
		T_SKIP("golden errors: no %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *flags = line, *tab = strchr(line, '\t'), *msg, *val;
		if (!tab || !(msg = strchr(tab + 1, '\t')))
			continue;
		*tab = '\0';
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		const char *prefix = "docker: Error response from daemon: ";
		if (strncmp(msg, prefix, strlen(prefix)) != 0)
			continue; /* the docker CLI's own flag checks */
		msg += strlen(prefix);
		if (*msg && msg[strlen(msg) - 1] == '.')
			msg[strlen(msg) - 1] = '\0';
		val = strchr(flags, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		json_t *cfg = json_pack("{s:[s]}", "Cmd", "sleep"), *hc = json_object();
		if (strcmp(flags, "-u") == 0)
			json_object_set_new(cfg, "User", json_string(val));
		else if (strcmp(flags, "--cap-add") == 0)
			json_object_set_new(hc, "CapAdd", json_pack("[s]", val));
		else if (strcmp(flags, "--cap-drop") == 0)
			json_object_set_new(hc, "CapDrop", json_pack("[s]", val));
		else if (strcmp(flags, "--device") == 0)
			json_object_set_new(hc, "Devices", json_pack("[{s:s, s:s, s:s}]", "PathOnHost", val,
								     "PathInContainer", val, "CgroupPermissions", "rwm"));
		else if (strcmp(flags, "--tmpfs") == 0)
			json_object_set_new(hc, "Tmpfs", json_pack("{s:s}", "/x", strchr(val, ':') + 1));
		else if (strcmp(flags, "--security-opt") == 0)
			json_object_set_new(hc, "SecurityOpt", json_pack("[s]", val));
		else if (strcmp(flags, "--device-cgroup-rule") == 0)
			json_object_set_new(hc, "DeviceCgroupRules", json_pack("[s]", val));
		else if (strcmp(flags, "--group-add") == 0)
			json_object_set_new(hc, "GroupAdd", json_pack("[s]", val));
		struct spec_env env = { .id = FAKE_ID, .rootfs = rootfs };
		struct berr err = BERR_INIT;
		json_t *s = spec_build(cfg, hc, NULL, &env, &err);
		T_STREQ(s ? "(no error)" : err.msg, msg, "docker's error for %s %s", flags, val);
		json_decref(s);
		json_decref(cfg);
		json_decref(hc);
	}
	fclose(f);
}

static void check_write_bundle(const char *tmp, const char *root)
{
	struct built b = build(root, "{\"Cmd\":[\"sh\"]}", "{}", NULL);
	struct berr err = BERR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/config.json", tmp);
	struct stat st;

	T_OK(spec_write_bundle(tmp, b.spec, &err) == 0, "spec_write_bundle (%s)", err.msg);
	json_t *back = json_load_file(path, 0, NULL);
	T_OK(back && json_equal(back, b.spec) && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	     "config.json reads back equal, mode 0600");
	json_decref(back);
	json_decref(b.spec);
}

/* test-spec emit BUNDLE ROOTFS CONTAINER_DIR ID CONFIG HOSTCONFIG [MOUNTPOINTS]:
 * writes BUNDLE/config.json from JSON texts, for tests/cli/t0800-spec-runs.sh
 * (berth has no run command yet).  Init binds /usr/bin/docker-init. */
static int emit(int argc, char **argv)
{
	struct berr err = BERR_INIT;
	json_error_t e;
	json_t *c, *h, *m = NULL, *spec;
	struct spec_env env = {
		.rootfs = argv[3], .container_dir = *argv[4] ? argv[4] : NULL, .id = argv[5],
		.init_path = "/usr/bin/docker-init", .cgroup_v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0,
	};

	if (argc < 8) {
		fprintf(stderr, "usage: test-spec emit BUNDLE ROOTFS CONTAINER_DIR ID CONFIG HOSTCONFIG [MOUNTPOINTS]\n");
		return 2;
	}
	c = json_loads(argv[6], 0, &e);
	h = json_loads(argv[7], 0, &e);
	if (argc > 8)
		m = json_loads(argv[8], 0, &e);
	if (!c || !h || (argc > 8 && !m)) {
		fprintf(stderr, "test-spec emit: bad JSON: %s\n", e.text);
		return 2;
	}
	spec = spec_build(c, h, m, &env, &err);
	int rc = !spec || spec_write_bundle(argv[2], spec, &err) < 0;
	if (rc)
		fprintf(stderr, "Error: %s\n", err.msg);
	json_decref(spec);
	json_decref(c);
	json_decref(h);
	json_decref(m);
	return rc;
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/test-spec.XXXXXX";
	struct berr err = BERR_INIT;

	if (argc > 1 && strcmp(argv[1], "emit") == 0)
		return emit(argc, argv);
	if (!mkdtemp(tmp))
		return 2;
	if (access("tests/data/spec", R_OK) == 0) {
		snprintf(data_dir, sizeof(data_dir), "tests/data/spec");
	} else {
		_cleanup_free_ char *self = xstrdup(argv[0]);
		snprintf(data_dir, sizeof(data_dir), "%s/../../tests/data/spec", dirname(self));
	}
	(void)argc;
	_cleanup_free_ char *root = make_rootfs(tmp, "rootfs");

	check_env_merge();
	check_merge_image();
	check_users(tmp);
	check_hostile_users(tmp);
	check_caps();
	check_mounts(root);
	check_shared_namespaces(root);
	check_readonly_privileged(root);
	check_resources(root);
	check_write_bundle(tmp, root);
	check_golden();
	check_golden_errors();
	remove_all_at(AT_FDCWD, tmp, &err);
	return t_done();
}
