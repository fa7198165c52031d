/*
 * test-layer.c - lib/layer/ on hand-built overlay dirs: commit's layer
 * tar (entry order, names, types, modes with docker's type bits, owners,
 * whiteouts, opaque markers, hard links, capabilities and PAX), docker
 * diff's changes over a lower stack, export with a skipped volume, and the
 * layer committed into a store (diff ID = the tar's digest, and the
 * store's rebuilt tar identical to it).
 *
 * With arguments it is the helper t0840-layer-diff.sh drives against a
 * reference dockerd:
 *   test-layer difftar UPPER            > tar
 *   test-layer export ROOT [SKIP...]    > tar
 *   test-layer changes UPPER LOWER...   "C /path" lines
 *   test-layer commit BERTHROOT UPPER [PARENT-CHAIN]   "diff chain"
 *   test-layer layertar BERTHROOT CHAIN  > tar (the store's rebuilt tar)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"
#include "io/digest.h"
#include "layer/layer.h"
#include "store/layertar.h"
#include "tar/tar.h"
#include "util/fs.h"
#include "util/sbuf.h"
#include "test.h"

static int open_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		perror(p);
		exit(2);
	}
	return fd;
}

static int die(const struct berr *e)
{
	fprintf(stderr, "test-layer: %s\n", e->msg);
	return 1;
}

static int fd_out(void *ctx, const void *buf, size_t n, struct berr *err)
{
	return fd_write_all(*(int *)ctx, buf, n, 0) < 0 ? berr_sys(err, "write") : 0;
}

static int tool(int argc, char **argv)
{
	struct berr err = BERR_INIT;

	if (!strcmp(argv[1], "difftar") && argc == 3)
		return layer_diff_tar_fd(open_dir(argv[2]), 1, &err) < 0 ? die(&err) : 0;
	if (!strcmp(argv[1], "export") && argc >= 3)
		return layer_export_tar_fd(open_dir(argv[2]), (const char *const *)argv + 3, (size_t)argc - 3, 1,
					   &err) < 0 ? die(&err) : 0;
	if (!strcmp(argv[1], "changes") && argc >= 3) {
		struct layer_changes c;
		int lowers[64];
		size_t n = 0;
		for (int i = 3; i < argc && n < 64; i++)
			lowers[n++] = open_dir(argv[i]);
		if (layer_changes(open_dir(argv[2]), lowers, n, &c, &err) < 0)
			return die(&err);
		for (size_t i = 0; i < c.n; i++)
			printf("%s %s\n", layer_change_kind_letter(c.v[i].kind), c.v[i].path);
		layer_changes_release(&c);
		return 0;
	}
	if (!strcmp(argv[1], "commit") && (argc == 4 || argc == 5)) {
		char diff[DIGEST_STR_LEN], chain[DIGEST_STR_LEN];
		struct berth *b;
		if (berth_open(&b, argv[2], NULL, &err) < 0)
			return die(&err);
		if (layer_commit(b, open_dir(argv[3]), argc == 5 ? argv[4] : NULL, diff, chain, &err) < 0)
			return die(&err);
		printf("%s %s\n", diff, chain);
		berth_close(b);
		return 0;
	}
	if (!strcmp(argv[1], "layertar") && argc == 4) {
		struct berth *b;
		int fd = 1;
		if (berth_open(&b, argv[2], NULL, &err) < 0)
			return die(&err);
		if (store_layer_tar(b->store, argv[3], fd_out, &fd, &err) < 0)
			return die(&err);
		berth_close(b);
		return 0;
	}
	fprintf(stderr, "usage: test-layer [difftar|export|changes|commit] ...\n");
	return 2;
}

/* ---- building dirs ---- */

static char *base;

static char *P(const char *rel)
{
	static char buf[8][4200];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", base, rel);
	return buf[k];
}

static void mkd(const char *rel, mode_t mode)
{
	mkdir(P(rel), mode);
	chmod(P(rel), mode);
}

static void put(const char *rel, const char *data, mode_t mode)
{
	int fd = open(P(rel), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
		perror(rel);
		exit(2);
	}
	close(fd);
	chmod(P(rel), mode);
}

static void whiteout(const char *rel)
{
	if (mknod(P(rel), S_IFCHR | 0, makedev(0, 0)) < 0) {
		perror(rel);
		exit(2);
	}
}

static void opaque(const char *rel)
{
	if (setxattr(P(rel), "trusted.overlay.opaque", "y", 1, 0) < 0) {
		perror(rel);
		exit(2);
	}
}

static void set_mtime(const char *rel, long sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
	utimensat(AT_FDCWD, P(rel), ts, AT_SYMLINK_NOFOLLOW);
}

/* ---- reading tars back ---- */

struct entry {
	char name[512], link[512];
	char type;
	long long mode, uid, gid, size, mtime;
	char cap[64];
	size_t cap_len;
	int pax;   /* had an 'x' header */
};

struct entries {
	struct entry v[128];
	size_t n;
};

static int mem_sink(void *ctx, const void *buf, size_t n, struct berr *err)
{
	sbuf_add(ctx, buf, n);
	return 0;
}

static void read_entries(const struct sbuf *tar, struct entries *out)
{
	struct berr err = BERR_INIT;
	struct mem_reader mr;
	struct tar_reader *tr;
	const struct tar_header *h;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	mem_reader_init(&mr, tar->buf, tar->len);
	tr = tar_reader_new(&mr.r, NULL);
	while (tar_next(tr, &h, &err) == 1 && out->n < 128) {
		struct entry *e = &out->v[out->n++];
		snprintf(e->name, sizeof(e->name), "%s", h->name);
		snprintf(e->link, sizeof(e->link), "%s", h->linkname);
		e->type = h->typeflag;
		e->mode = h->mode, e->uid = h->uid, e->gid = h->gid, e->size = h->size, e->mtime = h->mtime_sec;
		e->pax = h->n_pax > 0;
		for (size_t i = 0; i < h->n_xattrs; i++)
			if (!strcmp(h->xattrs[i].name, "security.capability") && h->xattrs[i].value_len <= 64) {
				memcpy(e->cap, h->xattrs[i].value, h->xattrs[i].value_len);
				e->cap_len = h->xattrs[i].value_len;
			}
	}
	tar_reader_free(tr);
	(void)off;
}

static const struct entry *find(const struct entries *es, const char *name)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return &es->v[i];
	return NULL;
}

static int index_of(const struct entries *es, const char *name)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return (int)i;
	return -1;
}

/* ---- the tests ---- */

static char long_dir[160], long_name[400];

static void build_upper(void)
{
	/* a v3 capability (cap_net_bind_service, rootid 1000) */
	unsigned char cap3[24] = { 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0 };

	mkd("up", 0755);
	mkd("up/etc", 0755);
	put("up/etc/new", "hello\n", 0644);
	chown(P("up/etc/new"), 5, 6);
	link(P("up/etc/new"), P("up/etc/hl"));
	whiteout("up/etc/gone");
	whiteout("up/etc/gone2");
	mkd("up/opt", 0755);
	mkd("up/opt/o", 02750);
	opaque("up/opt/o");
	put("up/opt/o/n", "n\n", 0644);
	symlink("/etc/f1", P("up/sl"));
	mkfifo(P("up/ff"), 0640);
	put("up/cap", "bin", 0755);
	setxattr(P("up/cap"), "security.capability", cap3, sizeof(cap3), 0);
	put("up/bigid", "", 0600);
	chown(P("up/bigid"), 3000000, 7);
	put("up/caf\xc3\xa9", "x", 0644);
	memset(long_dir, 'd', 120);
	snprintf(long_name, sizeof(long_name), "up/%s", long_dir);
	mkd(long_name, 0700);
	snprintf(long_name, sizeof(long_name), "up/%s/f", long_dir);
	put(long_name, "long", 0644);
	mkd("up/run", 0755);
	mkd("up/run/sub", 0755);
	set_mtime("up/etc/new", 1700000000, 123456789);
}

/* The header block of the first entry named name (a ustar one). */
static const char *block_named(const struct sbuf *tar, const char *name)
{
	for (size_t off = 0; off + 512 <= tar->len; off += 512)
		if (!strncmp(tar->buf + off, name, 100) && tar->buf[off + 257] == 'u')
			return tar->buf + off;
	return NULL;
}

static void test_diff_tar(void)
{
	struct berr err = BERR_INIT;
	struct sbuf tar = SBUF_INIT;
	struct entries es;
	const struct entry *e, *g1, *g2;
	char want_long[200];
	int fd = open_dir(P("up"));

	T_OK(layer_diff_tar(fd, mem_sink, &tar, &err) == 0, "diff tar of a hand-built upper dir (%s)", err.msg);
	close(fd);
	read_entries(&tar, &es);
	T_OK(tar.len % 512 == 0 && tar.len >= 1024 && !memcmp(tar.buf + tar.len - 1024, (char[1024]){ 0 }, 1024),
	     "ends with exactly two zero blocks, 512-aligned");
	T_OK(es.n > 0 && !strcmp(es.v[0].name, "bigid"), "lexical walk, no root entry, no ./ (first: %s)",
	     es.n ? es.v[0].name : "");
	T_OK(index_of(&es, "etc/") < index_of(&es, "etc/.wh.gone") &&
	     index_of(&es, "etc/.wh.gone") < index_of(&es, "etc/.wh.gone2") &&
	     index_of(&es, "etc/.wh.gone2") < index_of(&es, "etc/hl") && index_of(&es, "etc/hl") < index_of(&es, "etc/new"),
	     "order within etc/ is that of the original names");
	e = find(&es, "etc/");
	T_OK(e && e->type == '5' && e->mode == 040755 && e->size == 0, "dir: '/' suffix, type 5, mode 040755");
	e = find(&es, "etc/hl");
	T_OK(e && e->type == '0' && e->mode == 0100644 && e->uid == 5 && e->gid == 6 && e->size == 6,
	     "the first name of a hard link is the file, mode with S_IFREG, owner kept");
	T_OK(e && e->mtime == 1700000000, "mtime truncated to the second");
	e = find(&es, "etc/new");
	T_OK(e && e->type == '1' && !strcmp(e->link, "etc/hl") && e->size == 0, "the second is a link to the first");
	g1 = find(&es, "etc/.wh.gone");
	g2 = find(&es, "etc/.wh.gone2");
	T_OK(g1 && g1->type == '0' && g1->mode == 0600 && g1->size == 0 && !g1->link[0],
	     "whiteout: regular .wh.<name>, 0600, size 0");
	T_OK(g2 && g2->type == '0' && !strcmp(g2->link, "") , "whiteouts made by mknod are separate inodes: no link name");
	e = find(&es, "opt/o/");
	T_OK(e && e->mode == 042750, "opaque dir entry keeps its set-gid bit");
	e = find(&es, "opt/o/.wh..wh..opq");
	T_OK(e && e->type == '0' && e->mode == 0750 && e->mtime == 0 && e->size == 0,
	     "opaque marker: regular, the dir's 0777 bits, 1970 mtime");
	T_OK(index_of(&es, "opt/o/") + 1 == index_of(&es, "opt/o/.wh..wh..opq") &&
	     index_of(&es, "opt/o/.wh..wh..opq") < index_of(&es, "opt/o/n"), "marker right after its dir");
	e = find(&es, "sl");
	T_OK(e && e->type == '2' && e->mode == 0120777 && !strcmp(e->link, "/etc/f1"), "symlink");
	e = find(&es, "ff");
	T_OK(e && e->type == '6' && e->mode == 010640, "fifo with S_IFIFO bits");
	e = find(&es, "cap");
	T_OK(e && e->pax && e->cap_len == 20 && e->cap[3] == 2, "v3 capability written as a 20-byte v2 PAX record");
	e = find(&es, "bigid");
	T_OK(e && e->pax && e->uid == 3000000, "uid past 07777777 goes to PAX");
	e = find(&es, "caf\xc3\xa9");
	T_OK(e && e->pax, "non-ASCII name goes to PAX");
	snprintf(want_long, sizeof(want_long), "%s/f", long_dir);
	e = find(&es, want_long);
	T_OK(e && !e->pax, "a 122-byte name splits into ustar prefix/name, no PAX");
	T_OK(find(&es, "run/") && find(&es, "run/sub/"), "unchanged copied-up dirs are included");
	/* header bytes as Go writes them */
	T_OK(block_named(&tar, "etc/") && !memcmp(block_named(&tar, "etc/") + 100, "0040755\0", 8) &&
	     !memcmp(block_named(&tar, "etc/") + 257, "ustar\0" "00", 8) &&
	     !memcmp(block_named(&tar, "etc/") + 265, "root", 5),
	     "ustar header: mode field with type bits, magic ustar\\0 00, owner name looked up");
	sbuf_release(&tar);
}

static void put_lower(void)
{
	mkd("l2", 0755);
	mkd("l2/etc", 0755);
	put("l2/etc/f1", "hi\n", 0644);
	put("l2/etc/keep", "keep\n", 0644);
	put("l2/etc/gone", "g\n", 0644);
	mkd("l2/opt", 0755);
	mkd("l2/opt/o", 0755);
	put("l2/opt/o/i", "i\n", 0644);
	mkd("l2/opt/o/deep", 0755);
	put("l2/opt/o/deep/x", "x\n", 0644);
	mkd("l2/var", 0755);
	mkd("l2/var/d", 0755);
	put("l2/var/d/h", "h\n", 0644);
	mkd("l2/usr", 0755);
	put("l2/usr/hidden", "h\n", 0644);
	/* l1 is the init layer's place: above l2 */
	mkd("l1", 0755);
	mkd("l1/etc", 0755);
	put("l1/etc/hosts", "", 0755);
	whiteout("l1/usr");          /* l2's usr is gone in the old tree */
	mkd("l1/var", 0755);
	mkd("l1/var/d", 0755);
	opaque("l1/var/d");          /* l2's var/d/h is hidden */
	put("l1/var/d/own", "o\n", 0644);
}

static int has(const struct layer_changes *c, const char *kind, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(layer_change_kind_letter(c->v[i].kind), kind) && !strcmp(c->v[i].path, path))
			return 1;
	return 0;
}

static int pos(const struct layer_changes *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return (int)i;
	return -1;
}

static void test_changes(void)
{
	struct berr err = BERR_INIT;
	struct layer_changes c;
	int lowers[2], up;

	put_lower();
	mkd("u2", 0755);
	mkd("u2/etc", 0755);
	put("u2/etc/new", "n\n", 0644);            /* A */
	put("u2/etc/f1", "hi\nmore\n", 0644);     /* C: size */
	put("u2/etc/keep", "keep\n", 0600);       /* C: mode */
	whiteout("u2/etc/gone");                   /* D */
	whiteout("u2/etc/never");                  /* stale: nothing */
	mkd("u2/opt", 0755);
	mkd("u2/opt/o", 0755);
	opaque("u2/opt/o");                        /* C? no: same mode; D i, D deep */
	put("u2/opt/o/n", "n\n", 0644);            /* A */
	mkd("u2/opt/o/deep", 0755);                /* not opaque, but below an opaque dir: */
	                                           /* C (insertion), D deep/x */
	mkd("u2/var", 0755);
	mkd("u2/var/d", 0755);                     /* copied up, unchanged */
	put("u2/var/d/own2", "", 0644);            /* A; h stays hidden, not D */
	mkd("u2/usr", 0755);                       /* A: old usr is whited out */
	put("u2/usr/x", "", 0644);                 /* A */
	mkd("u2/a", 0755);
	mkd("u2/a/b", 0755);                       /* A a, A a/b */
	whiteout("u2/a/b/w");                      /* nothing */
	mkd("u2/same", 0755);                      /* A */
	lowers[0] = open_dir(P("l1"));
	lowers[1] = open_dir(P("l2"));
	up = open_dir(P("u2"));
	T_OK(layer_changes(up, lowers, 2, &c, &err) == 0, "changes over two lowers (%s)", err.msg);
	T_OK(has(&c, "A", "/etc/new") && has(&c, "C", "/etc/f1") && has(&c, "C", "/etc/keep") &&
	     has(&c, "D", "/etc/gone"), "add, modify (size), modify (mode), delete");
	T_OK(pos(&c, "/etc/never") < 0 && pos(&c, "/a/b/w") < 0, "whiteouts of nothing give nothing");
	T_OK(has(&c, "C", "/etc") && pos(&c, "/etc") < pos(&c, "/etc/new"), "unchanged parent C, before its children");
	T_OK(has(&c, "C", "/opt/o") && has(&c, "A", "/opt/o/n") && has(&c, "D", "/opt/o/i") &&
	     pos(&c, "/opt/o/deep") >= 0 && !has(&c, "D", "/opt/o/deep"),
	     "opaque dir: C dir, A new, D every old child it lacks");
	T_OK(has(&c, "C", "/opt/o/deep") && has(&c, "D", "/opt/o/deep/x"),
	     "a plain dir below an opaque one does not merge the lowers either");
	T_OK(has(&c, "C", "/var/d") && has(&c, "A", "/var/d/own2") && pos(&c, "/var/d/h") < 0 &&
	     pos(&c, "/var/d/own") < 0, "old tree resolved through the lowers' own opaque dir");
	T_OK(has(&c, "A", "/usr") && has(&c, "A", "/usr/x") && pos(&c, "/usr/hidden") < 0,
	     "a path whited out in the lowers is new");
	T_OK(has(&c, "A", "/a") && has(&c, "A", "/a/b") && has(&c, "A", "/same"), "new dirs");
	T_OK(c.n == 19, "nothing else (%zu changes)", c.n);
	layer_changes_release(&c);
	close(up);
	close(lowers[0]);
	close(lowers[1]);
}

static void test_export(void)
{
	struct berr err = BERR_INIT;
	struct sbuf tar = SBUF_INIT;
	struct entries es;
	const char *skip[] = { "/vol" };
	int fd;

	mkd("root", 0755);
	mkd("root/vol", 0755);
	put("root/vol/inside", "v", 0644);
	mkd("root/dev", 0755);
	whiteout("root/dev/null0");
	put("root/.dockerenv", "", 0755);
	fd = open_dir(P("root"));
	T_OK(layer_export_tar(fd, skip, 1, mem_sink, &tar, &err) == 0, "export (%s)", err.msg);
	close(fd);
	read_entries(&tar, &es);
	T_OK(es.n == 4 && !strcmp(es.v[0].name, ".dockerenv") && !strcmp(es.v[1].name, "dev/") &&
	     !strcmp(es.v[2].name, "dev/null0") && !strcmp(es.v[3].name, "vol/"),
	     "no root entry, a 0/0 device kept as a device, the volume dir without its contents");
	T_OK(es.n == 4 && es.v[2].type == '3', "device entry is type 3");
	sbuf_release(&tar);
}

static void test_commit(void)
{
	struct berr err = BERR_INIT;
	struct sbuf tar = SBUF_INIT, back = SBUF_INIT;
	char diff[DIGEST_STR_LEN], chain[DIGEST_STR_LEN], want[DIGEST_STR_LEN];
	struct berth *b = NULL;
	int fd = open_dir(P("up"));

	layer_diff_tar(fd, mem_sink, &tar, &err);
	sha256_digest(tar.buf, tar.len, want);
	T_OK(berth_open(&b, P("store"), NULL, &err) == 0, "open a store (%s)", err.msg);
	T_OK(layer_commit(b, fd, NULL, diff, chain, &err) == 0, "commit the upper dir as a layer (%s)", err.msg);
	T_STREQ(diff, want, "diff ID is the digest of the tar");
	T_STREQ(chain, want, "a base layer's chain ID is its diff ID");
	T_OK(store_layer_tar(b->store, chain, mem_sink, &back, &err) == 0 && back.len == tar.len &&
	     !memcmp(back.buf, tar.buf, tar.len), "the store rebuilds the same tar from files + tar-split (%s)",
	     err.msg);
	close(fd);
	mkd("empty", 0755);
	fd = open_dir(P("empty"));
	T_OK(layer_commit(b, fd, chain, diff, want, &err) == 0 && !strcmp(diff, LAYER_EMPTY_DIFF_ID) &&
	     !strcmp(want, chain), "an empty diff registers nothing and keeps the parent chain");
	close(fd);
	berth_close(b);
	sbuf_release(&tar);
	sbuf_release(&back);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/test-layer.XXXXXX";
	struct berr err = BERR_INIT;

	if (argc > 1)
		return tool(argc, argv);
	if (getuid() != 0) {
		T_SKIP("lib/layer needs root (mknod, trusted.* xattrs, chown)");
		return t_done();
	}
	base = mkdtemp(tmpl);
	build_upper();
	test_diff_tar();
	test_changes();
	test_export();
	test_commit();
	remove_all_at(AT_FDCWD, base, &err);
	return t_done();
}
