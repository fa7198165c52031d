/*
 * test-container.c - the container store on temp roots: config.v2.json /
 * hostconfig.json byte-exact against dockerd's (tests/data/container/),
 * the Go shapes of create bodies, names (words, validation, conflicts,
 * same --name from threads), create/remove with docker's files, modes
 * and overlay2 dirs, RW layers on layerless images, rename, crash
 * leftovers (a creating child killed -9 at random points) and gc, and
 * the cost of listing 1,000 containers.
 *
 * With arguments it is the interop test's driver (t0810):
 *   test-container create ROOT IMAGE_ID REF NAME [CMD...]   prints the ID
 *   test-container show ROOT ID     fields, mounts, round trip of both files
 *   test-container rm ROOT ID
 *   test-container gc ROOT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "container/lifecycle.h"
#include "container/names.h"
#include "container/shape.h"
#include "format/gojson.h"
#include "store/store.h"
#include "util/fs.h"
#include "test.h"

static char root[64];
static const char *srcdir = ".";

static char *slurp_abs(const char *p, size_t *len)
{
	struct sbuf sb = SBUF_INIT;

	if (read_file_at(AT_FDCWD, p, &sb, 1 << 22, NULL) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, len);
}

static char *slurp(const char *rel, size_t *len)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return slurp_abs(p, len);
}

static int mode_of(const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

static int exists(const char *rel)
{
	return mode_of(rel) >= 0;
}

static int count_entries(const char *rel)
{
	char cmd[600];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' 2>/dev/null | wc -l", root, rel);
	if ((f = popen(cmd, "r"))) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		pclose(f);
	}
	return n;
}

/* ---- golden round trips ---- */

static void test_golden(void)
{
	static const char *const names[] = { "created", "anon", "opts", "exited", "api" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[512], q[512];
		size_t n = 0, hn = 0;
		char *cfg, *hc;
		struct container *c;
		struct berr e = BERR_INIT;
		struct sbuf a = SBUF_INIT, b = SBUF_INIT;

		snprintf(p, sizeof(p), "%s/tests/data/container/%s.config.v2.json", srcdir, names[i]);
		snprintf(q, sizeof(q), "%s/tests/data/container/%s.hostconfig.json", srcdir, names[i]);
		cfg = slurp_abs(p, &n);
		hc = slurp_abs(q, &hn);
		c = cfg && hc ? container_parse(cfg, n, hc, hn, &e) : NULL;
		T_OK(c, "golden %s parses (%s)", names[i], e.msg);
		if (c) {
			container_write_config(c, &a);
			container_write_host_config(c, &b);
			T_OK(a.len == n && !memcmp(a.buf, cfg, n), "golden %s: config.v2.json byte-identical", names[i]);
			if (a.len != n || memcmp(a.buf, cfg, n))
				printf("#   got: %s", a.buf);
			T_OK(b.len == hn && !memcmp(b.buf, hc, hn), "golden %s: hostconfig.json byte-identical",
			     names[i]);
			if (b.len != hn || memcmp(b.buf, hc, hn))
				printf("#   got: %s", b.buf);
		}
		container_free(c);
		sbuf_release(&a);
		sbuf_release(&b);
		free(cfg);
		free(hc);
	}
}

/* ---- shapes ---- */

static char *shaped(json_t *(*fn)(json_t *, struct berr *), const char *in)
{
	json_t *j = in ? json_loads(in, 0, NULL) : NULL, *o = fn(j, NULL);
	struct sbuf sb = SBUF_INIT;

	if (o)
		gojson_write(&sb, o, NULL, NULL);
	json_decref(j);
	json_decref(o);
	return o ? sbuf_detach(&sb, NULL) : NULL;
}

static void test_shapes(void)
{
	char *s;
	struct berr e = BERR_INIT;
	json_t *bad = json_loads("{\"Tty\":\"yes\"}", 0, NULL);

	s = shaped(shape_config, "{\"image\":\"bb\",\"Cmd\":\"true\",\"Labels\":{\"z\":\"1\",\"a\":\"<\"},"
				 "\"StopTimeout\":0,\"Healthcheck\":{},\"Bogus\":1}");
	T_STREQ(s,
		"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,"
		"\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
		"\"Cmd\":[\"true\"],\"Healthcheck\":{},\"Image\":\"bb\",\"Volumes\":null,\"WorkingDir\":\"\","
		"\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"a\":\"\\u003c\",\"z\":\"1\"},\"StopTimeout\":0}",
		"Config: Go order, zero values, case-insensitive keys, StrSlice, sorted maps, pointers kept at zero");
	free(s);
	s = shaped(shape_host_config, "{\"Init\":false,\"PortBindings\":{\"9/udp\":[{\"HostPort\":\"1\"}],"
				      "\"80/tcp\":null}}");
	T_OK(s && strstr(s, "\"PortBindings\":{\"80/tcp\":null,\"9/udp\":[{\"HostIp\":\"\",\"HostPort\":\"1\"}]}") &&
		     strstr(s, "\"ConsoleSize\":[0,0]") && strstr(s, "\"Init\":false}") && !strstr(s, "\"Runtime\""),
	     "HostConfig: PortMap, ConsoleSize zero, Init pointer, Runtime omitted");
	if (t_failed)
		printf("#   got: %s\n", s ? s : "(null)");
	free(s);
	T_OK(!shape_config(bad, &e) && e.code == BERR_INVALID && strstr(e.msg, "container.Config.Tty"),
	     "a wrong JSON type is Go's unmarshal error (%s)", e.msg);
	json_decref(bad);
}

/* ---- names ---- */

static int name_pattern_ok(const char *n)
{
	const char *u = strchr(n, '_');

	return u && u > n && u[1] && strspn(n, "abcdefghijklmnopqrstuvwxyz_0123456789") == strlen(n);
}

static void test_names(void)
{
	char n[CONTAINER_NAME_GEN_MAX];
	struct berr e = BERR_INIT;
	char *v;
	int ok = 1, digits = 1;

	T_OK(container_name_words(0) == 108 && container_name_words(1) == 236, "108 adjectives, 236 surnames");
	for (int i = 0; i < 2000; i++) {
		container_name_random(0, n);
		ok &= name_pattern_ok(n) && strcmp(n, "boring_wozniak") && !strpbrk(n, "0123456789");
	}
	T_OK(ok, "random names are adjective_surname, never boring_wozniak");
	for (int i = 0; i < 100; i++) {
		size_t l;
		container_name_random(1 + i % 5, n);
		l = strlen(n);
		digits &= n[l - 1] >= '0' && n[l - 1] <= '9' && !(n[l - 2] >= '0' && n[l - 2] <= '9');
	}
	T_OK(digits, "retries 1-5 append one digit");
	v = container_name_normalize("/web-1.a_b", &e);
	T_STREQ(v, "/web-1.a_b", "a valid name keeps one leading /");
	free(v);
	T_OK(!container_name_normalize("a", &e) && e.code == BERR_INVALID, "one character is invalid");
	T_STREQ(e.msg, "Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", "docker's 400 text");
	T_OK(!container_name_normalize("ref bad", &e), "a space is invalid");
	T_STREQ(e.msg, "Invalid container name (ref bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
		"the name in the message has no /");
	T_OK(!container_name_normalize("_x", &e) && !container_name_normalize("//x", &e),
	     "a leading _ or a second / is invalid");
}

/* ---- a store with an image layer ---- */

static struct store *open_store(void)
{
	struct store *s = NULL;
	struct berr e = BERR_INIT;

	if (store_open(&s, root, &e) < 0)
		printf("# store_open: %s\n", e.msg);
	return s;
}

/* A one-layer "image": a registered base layer; its chain ID into chain. */
static int make_layer(struct store *s, char chain[DIGEST_STR_LEN])
{
	struct layer_dir ld;
	struct store_layer l;
	char ts[96];
	int fd, tfd, existed;

	memset(&l, 0, sizeof(l));
	if (store_layer_dir_new(s, &ld, NULL) < 0)
		return -1;
	fd = openat(ld.diff_fd, "hello", O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "hi\n", 3) != 3)
		return -1;
	close(fd);
	store_layer_dir_close(&ld);
	if (store_tmpfile(s, &ld, ts, &tfd, NULL) < 0 || write(tfd, "ts", 2) != 2)
		return -1;
	close(tfd);
	snprintf(l.diff_id, sizeof(l.diff_id), "sha256:%064d", 7);
	chain_id(NULL, l.diff_id, l.chain_id);
	snprintf(l.cache_id, sizeof(l.cache_id), "%s", ld.cache_id);
	l.size = 3;
	store_layer_dir_done(s, &ld);
	if (store_lock(s, NULL) < 0)
		return -1;
	fd = store_layer_register(s, &l, ts, &existed, NULL);
	store_unlock(s);
	memcpy(chain, l.chain_id, DIGEST_STR_LEN);
	return fd;
}

static struct container *sample(const char *cmd)
{
	struct container *c = container_new();
	json_t *cfg = json_pack("{s:s,s:[s],s:[s],s:b,s:b}", "Image", "bb", "Env", "PATH=/bin", "Cmd", cmd,
				"AttachStdout", 1, "AttachStderr", 1);

	json_decref(c->config);
	c->config = shape_config(cfg, NULL);
	json_decref(cfg);
	free(c->path);
	c->path = xstrdup(cmd);
	snprintf(c->image, sizeof(c->image), "sha256:%064d", 1);
	return c;
}

static char *top_cache;

static void test_create_remove(struct store *s, const char *chain)
{
	struct container *c = sample("echo"), *r;
	struct store_rwlayer rw;
	struct berr e = BERR_INIT;
	char p[512], q[700], *txt, *lnk;
	struct store_layer top;
	char **parents = NULL;

	store_layer_read(s, chain, &top, NULL);
	top_cache = xstrdup(top.cache_id);
	T_OK(container_create(s, c, "first", chain, &e) == 0, "create with --name first (%s)", e.msg);
	T_STREQ(c->name, "/first", "  its name has a /");
	snprintf(p, sizeof(p), "containers/%s", c->id);
	T_OK(mode_of("containers") == 0710 && mode_of(p) == 0710, "  containers/ and containers/<id> are 0710");
	snprintf(p, sizeof(p), "containers/%s/config.v2.json", c->id);
	T_OK(mode_of(p) == 0600, "  config.v2.json 0600");
	txt = slurp(p, NULL);
	T_OK(txt && txt[strlen(txt) - 1] == '\n' && !strncmp(txt, "{\"StreamConfig\":{},\"State\":{\"Running\":false", 43),
	     "  config.v2.json starts as dockerd's and ends in a newline");
	T_OK(txt && strstr(txt, "\"Hostname\":\"") && strstr(txt, "\"Name\":\"/first\",\"Driver\":\"overlay2\",\"OS\":\"linux\""),
	     "  Hostname, Name, Driver, OS set");
	free(txt);
	snprintf(p, sizeof(p), "containers/%s/hostconfig.json", c->id);
	T_OK(mode_of(p) == 0644, "  hostconfig.json 0644");
	snprintf(p, sizeof(p), "containers/%s/checkpoints", c->id);
	T_OK(mode_of(p) == 0700 && count_entries(p) == 0, "  checkpoints/ 0700, empty");
	snprintf(p, sizeof(p), "containers/%s", c->id);
	T_OK(count_entries(p) == 3, "  nothing else in the container dir");

	T_OK(store_rwlayer_read(s, c->id, &rw, &e) == 0, "  its RW layer reads back");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s/mount-id", c->id);
	txt = slurp(p, NULL);
	T_OK(txt && strlen(txt) == 64 && !strcmp(txt, rw.mount_id) && mode_of(p) == 0644, "  mount-id: 64 hex, no newline, 0644");
	free(txt);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s/init-id", c->id);
	txt = slurp(p, NULL);
	snprintf(q, sizeof(q), "%s-init", rw.mount_id);
	T_STREQ(txt, q, "  init-id is <mount-id>-init");
	free(txt);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s/parent", c->id);
	txt = slurp(p, NULL);
	T_STREQ(txt, chain, "  parent is the image's top chain ID");
	free(txt);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s", c->id);
	T_OK(mode_of(p) == 0755 && count_entries(p) == 3, "  the mounts dir is 0755 with three files");

	snprintf(p, sizeof(p), "overlay2/%s-init", rw.mount_id);
	T_OK(mode_of(p) == 0710, "  overlay2/<mount>-init 0710");
	snprintf(p, sizeof(p), "overlay2/%s-init/diff", rw.mount_id);
	T_OK(mode_of(p) == 0755 && count_entries(p) == 5, "  init diff/ has .dockerenv dev etc proc sys");
	{
		static const char *const files[] = { ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname",
						     "dev/console" };
		static const char *const dirs[] = { "dev", "dev/pts", "dev/shm", "proc", "sys", "etc" };
		int ok = 1;
		char t[64] = "";
		for (size_t i = 0; i < 5; i++) {
			snprintf(q, sizeof(q), "%s/%s", p, files[i]);
			ok &= mode_of(q) == 0755;
		}
		for (size_t i = 0; i < 6; i++) {
			snprintf(q, sizeof(q), "%s/%s", p, dirs[i]);
			ok &= mode_of(q) == 0755;
		}
		snprintf(q, sizeof(q), "%s/%s/etc/mtab", root, p);
		ok &= readlink(q, t, sizeof(t) - 1) > 0 && !strcmp(t, "/proc/mounts");
		T_OK(ok, "  init entries: 0755 dirs and empty files, etc/mtab -> /proc/mounts");
	}
	snprintf(p, sizeof(p), "overlay2/%s-init/committed", rw.mount_id);
	T_OK(mode_of(p) == 0600, "  the init layer is committed (0600)");
	snprintf(p, sizeof(p), "overlay2/%s-init/lower", rw.mount_id);
	txt = slurp(p, NULL);
	snprintf(q, sizeof(q), "overlay2/%s/link", top_cache);
	lnk = slurp(q, NULL);
	snprintf(q, sizeof(q), "l/%s", lnk ? lnk : "?");
	T_STREQ(txt, q, "  init lower is l/<image top link>");
	free(txt);
	snprintf(p, sizeof(p), "overlay2/%s/lower", rw.mount_id);
	txt = slurp(p, NULL);
	snprintf(q, sizeof(q), "overlay2/%s-init/link", rw.mount_id);
	{
		char *il = slurp(q, NULL), want[128];
		snprintf(want, sizeof(want), "l/%s:l/%s", il ? il : "?", lnk ? lnk : "?");
		T_STREQ(txt, want, "  RW lower is l/<init link>:l/<image top link>");
		snprintf(q, sizeof(q), "%s/overlay2/l/%s", root, il ? il : "?");
		snprintf(want, sizeof(want), "../%s-init/diff", rw.mount_id);
		{
			char t[128] = "";
			T_OK(readlink(q, t, sizeof(t) - 1) > 0 && !strcmp(t, want), "  l/<init link> -> ../<mount>-init/diff");
		}
		free(il);
	}
	free(txt);
	free(lnk);
	snprintf(p, sizeof(p), "overlay2/%s", rw.mount_id);
	T_OK(mode_of(p) == 0710, "  overlay2/<mount> 0710");
	snprintf(p, sizeof(p), "overlay2/%s/diff", rw.mount_id);
	T_OK(mode_of(p) == 0755 && count_entries(p) == 0, "  RW diff/ 0755, empty");
	snprintf(p, sizeof(p), "overlay2/%s/work", rw.mount_id);
	T_OK(mode_of(p) == 0700, "  RW work/ 0700");
	snprintf(p, sizeof(p), "overlay2/%s/link", rw.mount_id);
	txt = slurp(p, NULL);
	T_OK(txt && strlen(txt) == 26, "  RW link: 26 characters");
	free(txt);

	T_OK(store_mounts_parents(s, &parents, &e) == 0 && parents[0] && !strcmp(parents[0], chain) && !parents[1],
	     "store_mounts_parents lists the image's top layer");
	for (size_t i = 0; parents && parents[i]; i++)
		free(parents[i]);
	free(parents);

	r = container_load(s, c->id, &e);
	T_OK(r && !strcmp(r->name, "/first") && !strcmp(r->path, "echo") && !strcmp(r->image, c->image),
	     "container_load reads it back");
	container_free(r);

	{
		struct container *d = sample("true");
		T_OK(container_create(s, d, "/first", chain, &e) < 0 && e.code == BERR_EXISTS, "the same name again: 409");
		snprintf(q, sizeof(q),
			 "Conflict. The container name \"/first\" is already in use by container \"%s\". You have to "
			 "remove (or rename) that container to be able to reuse that name.",
			 c->id);
		T_STREQ(e.msg, q, "  docker's conflict text");
		T_OK(container_create(s, d, NULL, chain, &e) == 0 && name_pattern_ok(d->name + 1),
		     "no name: a generated one (%s)", d->name);
		T_OK(container_rename(s, d->id, "first", &e) < 0 && e.code == BERR_EXISTS, "rename onto a used name: 409");
		T_OK(container_rename(s, d->id, "second", &e) == 0, "rename to a free name");
		r = container_load(s, d->id, &e);
		T_STREQ(r ? r->name : NULL, "/second", "  the record has the new name");
		container_free(r);
		T_OK(container_remove(s, d->id, &e) == 0, "remove the second");
		container_free(d);
	}

	T_OK(container_remove(s, c->id, &e) == 0, "remove the first (%s)", e.msg);
	snprintf(p, sizeof(p), "containers/%s", c->id);
	T_OK(!exists(p), "  containers/<id> is gone");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s", c->id);
	T_OK(!exists(p) && count_entries("image/overlay2/layerdb/mounts") == 0, "  layerdb/mounts/<id> is gone");
	T_OK(count_entries("overlay2") == 2 && count_entries("overlay2/l") == 1,
	     "  only the image's layer dir and link are left in overlay2/");
	T_OK(count_entries("image/overlay2/layerdb/tmp") == 0 && count_entries("berth/tmp") == 0, "  no temp leftovers");
	T_OK(!container_load(s, c->id, &e) && e.code == BERR_NOT_FOUND, "loading it: No such container");
	container_free(c);
}

static void test_layerless(struct store *s)
{
	struct container *c = sample("true");
	struct store_rwlayer rw;
	struct berr e = BERR_INIT;
	char p[512], *il, *txt, want[64];

	T_OK(container_create(s, c, "nolayers", NULL, &e) == 0, "create on a layerless image (%s)", e.msg);
	store_rwlayer_read(s, c->id, &rw, &e);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/mounts/%s/parent", c->id);
	T_OK(!exists(p) && !rw.parent[0], "  no parent file");
	snprintf(p, sizeof(p), "overlay2/%s-init/lower", rw.mount_id);
	T_OK(!exists(p), "  the init layer has no lower");
	snprintf(p, sizeof(p), "overlay2/%s-init/link", rw.mount_id);
	il = slurp(p, NULL);
	snprintf(p, sizeof(p), "overlay2/%s/lower", rw.mount_id);
	txt = slurp(p, NULL);
	snprintf(want, sizeof(want), "l/%s", il ? il : "?");
	T_STREQ(txt, want, "  the RW layer's lower is the init layer alone");
	free(il);
	free(txt);
	if (geteuid() == 0) {
		char *merged = NULL;
		int rc = store_rwlayer_mount(s, c->id, &merged, &e);
		if (rc < 0 && e.errno_ == EPERM) {
			T_SKIP("mount: not permitted here");
		} else {
			snprintf(p, sizeof(p), "%s/.dockerenv", merged ? merged : "?");
			T_OK(rc == 0 && access(p, F_OK) == 0 && overlay2_is_mounted(s, rw.mount_id),
			     "mount shows the init entries (%s)", e.msg);
			free(merged);
			T_OK(store_rwlayer_mount(s, c->id, &merged, &e) == 0, "  mounting again is fine");
			free(merged);
			T_OK(store_rwlayer_unmount(s, c->id, &e) == 0 && !overlay2_is_mounted(s, rw.mount_id),
			     "  unmount");
			snprintf(p, sizeof(p), "overlay2/%s/merged", rw.mount_id);
			T_OK(!exists(p), "  merged/ is removed");
		}
	} else {
		T_SKIP("mount: not root");
	}
	T_OK(container_remove(s, c->id, &e) == 0, "remove it");
	container_free(c);
}

/* A root so deep that absolute mount options pass a page: the mount goes
 * through the child that chdirs into overlay2/, as docker's does. */
static void test_long_root(const char *base)
{
	char deep[2048], *merged = NULL, p[2200];
	struct store *s = NULL;
	struct container *c = sample("true");
	struct berr e = BERR_INIT;
	size_t n;

	n = (size_t)snprintf(deep, sizeof(deep), "%s/long", base);
	while (n < 1500)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/%s", "directory-name-that-is-long-enough");
	if (geteuid() != 0 || store_open(&s, deep, &e) < 0) {
		T_SKIP("long-root mount (%s)", geteuid() ? "not root" : e.msg);
		container_free(c);
		return;
	}
	T_OK(container_create(s, c, "deep", NULL, &e) == 0, "create under a %zu-byte root", n);
	if (store_rwlayer_mount(s, c->id, &merged, &e) < 0 && e.errno_ == EPERM) {
		T_SKIP("mount: not permitted here");
	} else {
		snprintf(p, sizeof(p), "%s/etc/mtab", merged ? merged : "?");
		T_OK(merged && faccessat(AT_FDCWD, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0,
		     "  mounts with options over a page (relative l/ paths from overlay2/) (%s)", e.msg);
		T_OK(store_rwlayer_unmount(s, c->id, &e) == 0, "  and unmounts");
	}
	free(merged);
	T_OK(container_remove(s, c->id, &e) == 0, "  remove it");
	container_free(c);
	store_close(s);
}

/* ---- crashes ---- */

/* The store's invariant after gc: every container dir has its RW layer,
 * every RW layer its container, no overlay2 dir but those and the image's. */
static int consistent(struct store *s, int *n_out)
{
	struct container **list = NULL;
	char **mounts = NULL;
	size_t nc = 0, nm = 0;
	int ok = 1;

	container_list(s, 0, &list, NULL);
	store_mounts_list(s, &mounts, NULL);
	for (; list && list[nc]; nc++) {
		struct store_rwlayer rw;
		ok &= store_rwlayer_read(s, list[nc]->id, &rw, NULL) == 0;
	}
	for (; mounts && mounts[nm]; nm++) {
		char p[128];
		snprintf(p, sizeof(p), "containers/%s/config.v2.json", mounts[nm]);
		ok &= exists(p);
		free(mounts[nm]);
	}
	free(mounts);
	ok &= nc == nm;
	/* image layer dir + l/ + two per container */
	ok &= count_entries("overlay2") == (int)(2 + 2 * nc) && count_entries("overlay2/l") == (int)(1 + 2 * nc);
	ok &= count_entries("image/overlay2/layerdb/tmp") == 0 && count_entries("berth/tmp") <= 0;
	if (!ok)
		system("ls -A /tmp/berth-ctr-*/image/overlay2/layerdb/tmp /tmp/berth-ctr-*/berth/tmp | sed 's/^/# /'");
	if (!ok)
		printf("# containers %zu mounts %zu overlay2 %d l %d tmp %d\n", nc, nm, count_entries("overlay2"),
		       count_entries("overlay2/l"), count_entries("image/overlay2/layerdb/tmp"));
	*n_out = (int)nc;
	container_list_free(list);
	return ok;
}

static void test_crashes(const char *chain)
{
	int all_ok = 1, total = 0;
	unsigned seed = (unsigned)time(NULL);

	srand(seed);
	for (int round = 0; round < 12; round++) {
		pid_t pid = fork();
		struct store *s;
		int n = 0, st;

		if (pid == 0) {
			struct store *cs = open_store();
			for (;;) {
				struct container *c = sample("true");
				container_create(cs, c, NULL, chain, NULL);
				if (rand() % 2)
					container_remove(cs, c->id, NULL);
				container_free(c);
			}
		}
		usleep(2000 + (useconds_t)(rand() % 30000));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		s = open_store();
		if (!s)
			break;
		store_lock(s, NULL);
		store_gc(s);
		container_gc(s);
		store_unlock(s);
		all_ok &= consistent(s, &n);
		total += n;
		store_close(s);
	}
	T_OK(all_ok, "a creating/removing child killed -9 12 times: after gc every container is whole, nothing "
		     "else is left (%d containers, seed %u)", total, seed);
}

/* ---- same --name from threads ---- */

struct racer {
	const char *chain;
	int ok;
	struct berr e;
	struct store *shared;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *s = r->shared ? r->shared : open_store();
	struct container *c = sample("true");

	r->ok = container_create(s, c, "samename", r->chain, &r->e) == 0;
	container_free(c);
	if (!r->shared)
		store_close(s);
	return NULL;
}

static void test_race(struct store *shared, const char *chain)
{
	struct racer r[12];
	pthread_t th[12];
	int wins = 0, conflicts = 0;

	for (int i = 0; i < 12; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].chain = chain;
		r[i].shared = i % 2 ? shared : NULL;
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < 12; i++) {
		pthread_join(th[i], NULL);
		wins += r[i].ok;
		conflicts += !r[i].ok && r[i].e.code == BERR_EXISTS && strstr(r[i].e.msg, "\"/samename\" is already in use");
	}
	T_OK(wins == 1 && conflicts == 11, "12 threads (6 handles + 6 sharing one) create --name samename: one wins, "
					   "11 conflicts (%d, %d)", wins, conflicts);
}

/* ---- listing cost ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_listing(struct store *s, const char *chain)
{
	struct container **list = NULL;
	struct container *proto = sample("sleep");
	struct berr e = BERR_INIT;
	double t0, t_list, t_create;
	int n = 0, ok_images = 1;
	char p[128];

	/* 1,000 records written directly (the RW layers are not what is timed). */
	mkdir_p_at(s->root_fd, "containers", 0710, NULL);
	for (int i = 0; i < 1000; i++) {
		int fd;
		container_new_id(proto->id);
		free(proto->name);
		proto->name = xasprintf("/bulk%d", i);
		snprintf(p, sizeof(p), "containers/%s", proto->id);
		mkdirat(s->root_fd, p, 0710);
		fd = openat(s->root_fd, p, O_RDONLY | O_DIRECTORY);
		container_save_at(fd, proto, 0, NULL);
		close(fd);
	}
	t0 = now_ms();
	container_list(s, 0, &list, &e);
	n = 0;
	while (list && list[n]) {
		const char *img = container_config_image(list[n]);
		ok_images &= img && !strcmp(img, "bb");
		n++;
	}
	t_list = now_ms() - t0;
	T_OK(n >= 1000 && ok_images, "list 1,000 containers with Config.Image: %d in %.1f ms (one readdir + one "
				     "config.v2.json each)", n, t_list);
#ifdef __SANITIZE_ADDRESS__
	T_SKIP("  timing under the address sanitizer (%.1f ms)", t_list);
#else
	T_OK(t_list < 40, "  under 40 ms (the budget is 20 on an idle machine; %.1f ms)", t_list);
#endif
	t0 = now_ms();
	for (int i = 0; list && list[i]; i++)
		ok_images &= json_is_object(container_config(list[i])) && json_is_object(container_network_settings(list[i]));
	T_OK(ok_images, "  Config and NetworkSettings of all parsed on demand in %.1f ms more", now_ms() - t0);
	container_list_free(list);
	{
		struct container *c = sample("true");
		t0 = now_ms();
		T_OK(container_create(s, c, "after-bulk", chain, &e) == 0, "a create among 1,000 (%s)", e.msg);
		t_create = now_ms() - t0;
		printf("# a create among 1,000 took %.1f ms (name scan included)\n", t_create);
		container_remove(s, c->id, NULL);
		container_free(c);
	}
	container_free(proto);
}

/* ---- the interop driver ---- */

static json_t *image_config(struct store *s, const char *image_id, char top[DIGEST_STR_LEN])
{
	struct sbuf sb = SBUF_INIT;
	json_t *cfg, *ids, *x;
	size_t i;
	char parent[DIGEST_STR_LEN] = "";

	top[0] = '\0';
	if (store_image_config(s, image_id, &sb, NULL) < 0)
		return NULL;
	cfg = json_loadb(sb.buf, sb.len, 0, NULL);
	sbuf_release(&sb);
	ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	json_array_foreach(ids, i, x) {
		chain_id(parent[0] ? parent : NULL, json_string_value(x), top);
		memcpy(parent, top, DIGEST_STR_LEN);
	}
	return cfg;
}

static int drive_create(int argc, char **argv)
{
	struct store *s;
	struct berr e = BERR_INIT;
	struct container *c;
	char top[DIGEST_STR_LEN], p[512];
	json_t *img, *icfg, *cfg, *cmd;
	char *hc;
	size_t hn;
	int rc;

	if (argc < 6 || store_open(&s, argv[2], &e) < 0)
		return fprintf(stderr, "create: %s\n", e.msg), 1;
	if (!(img = image_config(s, argv[3], top))) {
		store_close(s);
		return fprintf(stderr, "no image %s\n", argv[3]), 1;
	}
	c = container_new();
	icfg = json_object_get(img, "config");
	cmd = json_array();
	for (int i = 6; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	if (!json_array_size(cmd)) {
		json_decref(cmd);
		cmd = json_incref(json_object_get(icfg, "Cmd"));
	}
	/* What the CLI's create sends for `docker create --name N REF CMD...`. */
	cfg = json_pack("{s:b,s:b,s:O?,s:o,s:s,s:O?,s:O?,s:O?,s:O?}", "AttachStdout", 1, "AttachStderr", 1, "Env",
			json_object_get(icfg, "Env"), "Cmd", cmd, "Image", argv[4], "WorkingDir",
			json_object_get(icfg, "WorkingDir"), "Entrypoint", json_object_get(icfg, "Entrypoint"), "User",
			json_object_get(icfg, "User"), "Labels", json_object_get(icfg, "Labels"));
	if (!json_object_get(cfg, "Labels") || json_is_null(json_object_get(cfg, "Labels")))
		json_object_set_new(cfg, "Labels", json_object());
	json_decref(c->config);
	c->config = shape_config(cfg, &e);
	json_decref(cfg);
	free(c->path);
	cmd = json_object_get(c->config, "Cmd");
	c->path = xstrdup(json_string_value(json_array_get(cmd, 0)) ? json_string_value(json_array_get(cmd, 0)) : "");
	json_decref(c->args);
	c->args = json_array();
	for (size_t i = 1; i < json_array_size(cmd); i++)
		json_array_append(c->args, json_array_get(cmd, i));
	snprintf(c->image, sizeof(c->image), "%s", argv[3]);
	/* The CLI's HostConfig defaults, as dockerd stored them (golden). */
	snprintf(p, sizeof(p), "%s/tests/data/container/created.hostconfig.json", srcdir);
	if ((hc = slurp_abs(p, &hn))) {
		json_t *h = json_loadb(hc, hn, 0, NULL);
		json_decref(c->host_config);
		c->host_config = shape_host_config(h, NULL);
		json_decref(h);
		free(hc);
	}
	json_decref(img);
	rc = container_create(s, c, argv[5][0] ? argv[5] : NULL, top[0] ? top : NULL, &e);
	if (rc < 0)
		fprintf(stderr, "Error response from daemon: %s\n", e.msg);
	else
		printf("%s\n", c->id);
	container_free(c);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

static int drive_show(int argc, char **argv)
{
	struct store *s;
	struct berr e = BERR_INIT;
	struct container *c;
	struct store_rwlayer rw;
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	char p[512], *cfg, *hc;
	size_t n = 0, hn = 0;
	char *args;

	if (argc < 4 || store_open(&s, argv[2], &e) < 0 || !(c = container_load(s, argv[3], &e)))
		return fprintf(stderr, "show: %s\n", e.msg), 1;
	args = json_dumps(c->args, JSON_COMPACT);
	printf("name %s\nimage %s\nconfig.image %s\npath %s\nargs %s\nstarted %d\nexit %lld\n", c->name, c->image,
	       json_string_value(json_object_get(c->config, "Image")), c->path, args, c->has_been_started_before,
	       (long long)c->state.exit_code);
	free(args);
	if (store_rwlayer_read(s, c->id, &rw, &e) == 0)
		printf("mount-id %s\ninit-id %s\nparent %s\n", rw.mount_id, rw.init_id, rw.parent);
	else
		printf("rwlayer error %s\n", e.msg);
	snprintf(p, sizeof(p), "%s/containers/%s/config.v2.json", argv[2], c->id);
	cfg = slurp_abs(p, &n);
	snprintf(p, sizeof(p), "%s/containers/%s/hostconfig.json", argv[2], c->id);
	hc = slurp_abs(p, &hn);
	container_write_config(c, &a);
	container_write_host_config(c, &b);
	printf("roundtrip config.v2.json %s\n", cfg && a.len == n && !memcmp(a.buf, cfg, n) ? "same" : "differs");
	printf("roundtrip hostconfig.json %s\n", hc && b.len == hn && !memcmp(b.buf, hc, hn) ? "same" : "differs");
	free(cfg);
	free(hc);
	sbuf_release(&a);
	sbuf_release(&b);
	container_free(c);
	store_close(s);
	return 0;
}

static int drive(int argc, char **argv)
{
	struct store *s;
	struct berr e = BERR_INIT;
	int rc = 0;

	if (!strcmp(argv[1], "create"))
		return drive_create(argc, argv);
	if (!strcmp(argv[1], "show"))
		return drive_show(argc, argv);
	if (argc < 3 || store_open(&s, argv[2], &e) < 0)
		return fprintf(stderr, "%s\n", e.msg), 1;
	if (!strcmp(argv[1], "rm") && argc > 3) {
		rc = container_remove(s, argv[3], &e) < 0;
	} else if (!strcmp(argv[1], "gc")) {
		store_lock(s, NULL);
		store_gc(s);
		container_gc(s);
		store_unlock(s);
	} else {
		rc = 2;
		snprintf(e.msg, sizeof(e.msg), "usage: create|show|rm|gc ROOT ...");
	}
	if (rc)
		fprintf(stderr, "%s\n", e.msg);
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	struct store *s;
	char chain[DIGEST_STR_LEN];

	if (getenv("BERTH_SRCDIR"))
		srcdir = getenv("BERTH_SRCDIR");
	if (argc > 1)
		return drive(argc, argv);
	test_golden();
	test_shapes();
	test_names();
	snprintf(root, sizeof(root), "/tmp/berth-ctr-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	s = open_store();
	if (!s || make_layer(s, chain) < 0) {
		T_OK(0, "a store with one layer");
		return t_done();
	}
	test_create_remove(s, chain);
	test_layerless(s);
	test_long_root(root);
	test_race(s, chain);
	{
		/* the winner of the race goes, so the crash rounds count from 0 */
		struct container **list = NULL;
		container_list(s, 0, &list, NULL);
		for (size_t i = 0; list && list[i]; i++)
			container_remove(s, list[i]->id, NULL);
		container_list_free(list);
	}
	store_close(s);
	test_crashes(chain);
	s = open_store();
	if (s)
		test_listing(s, chain);
	store_close(s);
	free(top_cache);
	remove_all_at(AT_FDCWD, root, NULL);
	return t_done();
}
