/*
 * test-extract.c - layer extraction: every entry type and its metadata
 * (modes with set-id bits, owners, times, xattrs), long and non-ASCII
 * names, overlay whiteouts, Docker's size rule checked against a walk, the
 * tar-split written while extracting (identical to the disassembler's and
 * reassembling the input byte for byte), and hostile archives that must
 * fail or stay inside the layer dir without touching a sentinel outside.
 * The tars are built here, block by block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tar/extract.h"
#include "tar/tar.h"
#include "tar/tarsplit.h"
#include "util/fs.h"
#include "util/sbuf.h"
#include "test.h"

/* ---- a small tar writer ---- */

struct hdr {
	const char *name;
	char type;
	unsigned mode;
	unsigned uid, gid;
	size_t size;
	long long mtime;
	const char *link;
	unsigned major, minor;
};

static void octal(char *field, size_t width, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)width - 1, v);
	memcpy(field, tmp, width - 1);
	field[width - 1] = '\0';
}

static void put_block(struct sbuf *tar, const struct hdr *h)
{
	unsigned char b[512];
	char *p = (char *)b;
	unsigned sum = 0;

	memset(b, 0, sizeof(b));
	strncpy(p, h->name, 100);
	octal(p + 100, 8, h->mode);
	octal(p + 108, 8, h->uid);
	octal(p + 116, 8, h->gid);
	octal(p + 124, 12, h->size);
	octal(p + 136, 12, (unsigned long long)(h->mtime < 0 ? 0 : h->mtime));
	memset(p + 148, ' ', 8);
	p[156] = h->type;
	if (h->link)
		strncpy(p + 157, h->link, 100);
	memcpy(p + 257, "ustar\0" "00", 8);
	octal(p + 329, 8, h->major);
	octal(p + 337, 8, h->minor);
	for (size_t i = 0; i < sizeof(b); i++)
		sum += b[i];
	snprintf(p + 148, 8, "%06o", sum);
	p[155] = ' ';
	sbuf_add(tar, b, sizeof(b));
}

static void put_data(struct sbuf *tar, const void *data, size_t n)
{
	static const char zero[512];

	sbuf_add(tar, data, n);
	if (n % 512)
		sbuf_add(tar, zero, 512 - n % 512);
}

/* One PAX record "<len> key=value\n"; len counts itself. */
static void pax_record(struct sbuf *recs, const char *key, const void *val, size_t vlen)
{
	size_t body = 1 + strlen(key) + 1 + vlen + 1, len = body + 1;

	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	sbuf_addf(recs, "%zu %s=", len, key);
	sbuf_add(recs, val, vlen);
	sbuf_addch(recs, '\n');
}

static void put_pax(struct sbuf *tar, char type, const struct sbuf *recs)
{
	struct hdr x = { "PaxHeaders.0/x", type, 0644, 0, 0, recs->len, 0, NULL, 0, 0 };

	put_block(tar, &x);
	put_data(tar, recs->buf, recs->len);
}

static void put_gnu_long(struct sbuf *tar, char type, const char *s)
{
	struct hdr l = { "././@LongLink", type, 0, 0, 0, strlen(s) + 1, 0, NULL, 0, 0 };

	put_block(tar, &l);
	put_data(tar, s, strlen(s) + 1);
}

static void put_entry(struct sbuf *tar, const struct hdr *h, const char *data)
{
	put_block(tar, h);
	if (h->size)
		put_data(tar, data, h->size);
}

static void put_end(struct sbuf *tar)
{
	static const char zero[1024];

	sbuf_add(tar, zero, sizeof(zero));
}

static void file(struct sbuf *tar, const char *name, unsigned mode, const char *content)
{
	struct hdr h = { name, '0', mode, 0, 0, strlen(content), 1600000000, NULL, 0, 0 };

	put_entry(tar, &h, content);
}

static void dir(struct sbuf *tar, const char *name, unsigned mode)
{
	struct hdr h = { name, '5', mode, 0, 0, 0, 1600000000, NULL, 0, 0 };

	put_entry(tar, &h, NULL);
}

static void link_entry(struct sbuf *tar, char type, const char *name, const char *target)
{
	/* a hardlink header's mode and times land on the shared inode */
	struct hdr h = { name, type, type == '1' ? 0640 : 0777, 0, 0, 0, 1600000000, target, 0, 0 };

	put_entry(tar, &h, NULL);
}

/* ---- helpers ---- */

static int sbuf_out(void *ctx, const void *buf, size_t n, struct berr *err)
{
	sbuf_add(ctx, buf, n);
	return 0;
}

static char base_dir[64];

static int fresh_dir(const char *name)
{
	struct berr err = BERR_INIT;
	int bfd = open(base_dir, O_RDONLY | O_DIRECTORY), fd;

	remove_all_at(bfd, name, &err);
	mkdir_p_at(bfd, name, 0755, &err);
	fd = openat(bfd, name, O_RDONLY | O_DIRECTORY);
	close(bfd);
	return fd;
}

static int extract_mem(int dirfd, const struct sbuf *tar, struct sbuf *json, struct extract_result *res,
		       struct berr *err)
{
	struct mem_reader mr;
	struct tarsplit_writer tw;
	struct extract_opts opts = { .tarsplit = NULL };
	int rc;

	mem_reader_init(&mr, tar->buf, tar->len);
	if (json) {
		tarsplit_writer_init(&tw, sbuf_out, json);
		opts.tarsplit = &tw;
	}
	berr_clear(err);
	rc = layer_extract(dirfd, &mr.r, &opts, res, err);
	if (json)
		tarsplit_writer_release(&tw);
	return rc;
}

struct ino_set {
	dev_t dev[4096];
	ino_t ino[4096];
	size_t n;
};

/* directory.Size: st_size of non-dirs with size > 0, each inode once. */
static int64_t walk_size(int dfd, struct ino_set *seen)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	int64_t total = 0;

	/* the dup shares the offset: start over */
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;
		size_t i;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			total += walk_size(sub, seen);
			close(sub);
			continue;
		}
		if (st.st_size <= 0)
			continue;
		for (i = 0; i < seen->n; i++)
			if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino)
				break;
		if (i < seen->n || seen->n == 4096)
			continue;
		seen->dev[seen->n] = st.st_dev;
		seen->ino[seen->n++] = st.st_ino;
		total += st.st_size;
	}
	closedir(d);
	return total;
}

static int64_t dir_size(int dfd)
{
	static struct ino_set seen;

	seen.n = 0;
	return walk_size(dfd, &seen);
}

static int count_entries(int dfd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	int n = 0;

	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int read_at(int dfd, const char *name, char *buf, size_t n)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = read(fd, buf, n - 1);
	close(fd);
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return (int)k;
}

/* ---- the full-featured layer ---- */

static const unsigned char cap_v2[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00 };
static char long_pax[300], long_gnu[300], long_link[300];

static void build_rich(struct sbuf *tar)
{
	struct sbuf r = SBUF_INIT;
	struct hdr h;

	dir(tar, "./", 0755);
	dir(tar, "etc/", 0755);
	file(tar, "etc/hostname", 0644, "berth\n");
	file(tar, "etc/passwd", 0600, "root:x:0:0:root:/root:/bin/sh\n");
	/* implied parents a/ and a/b/ */
	file(tar, "a/b/c.txt", 0640, "deep");
	link_entry(tar, '1', "etc/passwd.hard", "etc/passwd");
	link_entry(tar, '1', "abs.hard", "/etc/hostname");
	link_entry(tar, '2', "rel.sym", "etc/hostname");
	link_entry(tar, '2', "abs.sym", "/etc/passwd");
	link_entry(tar, '2', "dangling.sym", "../nowhere/at/all");
	/* PAX long name, with a PAX mtime with nanoseconds and an atime */
	memset(long_pax, 'p', 250);
	memcpy(long_pax, "long/", 5);
	long_pax[250] = '\0';
	pax_record(&r, "path", long_pax, strlen(long_pax));
	pax_record(&r, "mtime", "1234567890.5", 12);
	pax_record(&r, "atime", "1700000000.25", 13);
	put_pax(tar, 'x', &r);
	h = (struct hdr){ "long/short-fallback", '0', 0644, 0, 0, 3, 1234567890, NULL, 0, 0 };
	put_entry(tar, &h, "pax");
	/* GNU long name and long link */
	memset(long_gnu, 'g', 220);
	memcpy(long_gnu, "long/", 5);
	long_gnu[220] = '\0';
	put_gnu_long(tar, 'L', long_gnu);
	file(tar, "long/gnu-fallback", 0644, "gnu");
	memset(long_link, 'l', 200);
	long_link[200] = '\0';
	memcpy(long_link, "long/", 5);
	put_gnu_long(tar, 'K', long_gnu);
	put_gnu_long(tar, 'L', long_link);
	link_entry(tar, '1', "long/hl-fallback", "x");
	/* non-ASCII name */
	file(tar, "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt", 0644, "utf8");
	/* special files and modes */
	h = (struct hdr){ "fifo", '6', 0620, 0, 0, 0, 1600000000, NULL, 0, 0 };
	put_entry(tar, &h, NULL);
	h = (struct hdr){ "null", '3', 0666, 0, 0, 0, 1600000000, NULL, 1, 3 };
	put_entry(tar, &h, NULL);
	file(tar, "suid", 04755, "s");
	file(tar, "sgid", 02711, "g");
	dir(tar, "sticky/", 01777);
	h = (struct hdr){ "owned", '0', 0644, 1000, 2000, 2, 315532800, NULL, 0, 0 };
	put_entry(tar, &h, "me");
	h = (struct hdr){ "owned.sym", '2', 0777, 1001, 2001, 0, 315532800, "owned", 0, 0 };
	put_entry(tar, &h, NULL);
	/* xattrs: a user one and a file capability */
	sbuf_reset(&r);
	pax_record(&r, "SCHILY.xattr.user.note", "hello", 5);
	pax_record(&r, "SCHILY.xattr.security.capability", cap_v2, sizeof(cap_v2));
	put_pax(tar, 'x', &r);
	file(tar, "capped", 0755, "#!/bin/true\n");
	/* whiteouts */
	dir(tar, "wh/", 0755);
	h = (struct hdr){ "wh/.wh.gone", '0', 0600, 1000, 1000, 0, 1600000000, NULL, 0, 0 };
	put_entry(tar, &h, NULL);
	file(tar, "wh/.wh..wh..opq", 0755, "");
	/* a dir with an old mtime, filled after its header */
	h = (struct hdr){ "old/", '5', 0750, 0, 0, 0, 1000000000, NULL, 0, 0 };
	put_entry(tar, &h, NULL);
	file(tar, "old/child", 0644, "created later");
	/* a global header, ignored */
	sbuf_reset(&r);
	pax_record(&r, "comment", "global", 6);
	put_pax(tar, 'g', &r);
	put_end(tar);
	sbuf_release(&r);
}

static void check_stat(int dfd, const char *name, mode_t type, mode_t perm, uid_t uid, gid_t gid, const char *what)
{
	struct stat st;
	int rc = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);

	T_OK(rc == 0 && (st.st_mode & S_IFMT) == type && (perm == (mode_t)-1 || (st.st_mode & 07777) == perm) &&
	     st.st_uid == uid && st.st_gid == gid,
	     "%s (mode %o uid %u gid %u)", what, rc == 0 ? st.st_mode : 0, rc == 0 ? st.st_uid : 0,
	     rc == 0 ? st.st_gid : 0);
}

static void check_rich_tree(int dfd)
{
	struct stat st, st2;
	char buf[512], path[600];
	ssize_t k;

	check_stat(dfd, "etc", S_IFDIR, 0755, 0, 0, "dir etc");
	T_OK(read_at(dfd, "etc/hostname", buf, sizeof(buf)) == 6 && !strcmp(buf, "berth\n"), "file content");
	check_stat(dfd, "etc/passwd", S_IFREG, 0640, 0, 0, "a hardlink's mode applies to the shared inode");
	check_stat(dfd, "etc/hostname", S_IFREG, 0640, 0, 0, "same through an absolute hardlink");
	check_stat(dfd, "old/child", S_IFREG, 0644, 0, 0, "file mode 0644");
	check_stat(dfd, "a", S_IFDIR, 0755, 0, 0, "implied parent a is 0755");
	check_stat(dfd, "a/b", S_IFDIR, 0755, 0, 0, "implied parent a/b is 0755");
	check_stat(dfd, "a/b/c.txt", S_IFREG, 0640, 0, 0, "nested file");
	fstatat(dfd, "etc/passwd", &st, 0);
	fstatat(dfd, "etc/passwd.hard", &st2, 0);
	T_OK(st.st_ino == st2.st_ino && st.st_nlink == 2, "hardlink shares the inode");
	fstatat(dfd, "etc/hostname", &st, 0);
	fstatat(dfd, "abs.hard", &st2, 0);
	T_OK(st.st_ino == st2.st_ino, "absolute hardlink target is relative to the root");
	k = readlinkat(dfd, "rel.sym", buf, sizeof(buf));
	T_OK(k == 12 && !memcmp(buf, "etc/hostname", 12), "relative symlink verbatim");
	k = readlinkat(dfd, "abs.sym", buf, sizeof(buf));
	T_OK(k == 11 && !memcmp(buf, "/etc/passwd", 11), "absolute symlink verbatim");
	k = readlinkat(dfd, "dangling.sym", buf, sizeof(buf));
	T_OK(k == 17 && !memcmp(buf, "../nowhere/at/all", 17), "dangling symlink verbatim");
	T_OK(fstatat(dfd, long_pax, &st, 0) == 0 && st.st_mtim.tv_sec == 1234567890 &&
	     st.st_mtim.tv_nsec == 500000000, "PAX mtime with nanoseconds");
	T_OK(st.st_atim.tv_sec == 1700000000 && st.st_atim.tv_nsec == 250000000, "PAX atime kept (after mtime)");
	/* read after the stat: reading may move atime (relatime) */
	T_OK(read_at(dfd, long_pax, buf, sizeof(buf)) == 3 && !strcmp(buf, "pax"), "PAX long name");
	T_OK(read_at(dfd, long_gnu, buf, sizeof(buf)) == 3 && !strcmp(buf, "gnu"), "GNU long name");
	fstatat(dfd, long_gnu, &st, 0);
	T_OK(fstatat(dfd, long_link, &st2, 0) == 0 && st.st_ino == st2.st_ino, "GNU long name + long link hardlink");
	T_OK(read_at(dfd, "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt", buf, sizeof(buf)) == 4, "non-ASCII name");
	check_stat(dfd, "fifo", S_IFIFO, 0620, 0, 0, "fifo");
	T_OK(fstatat(dfd, "null", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
	     major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "char device 1:3");
	check_stat(dfd, "suid", S_IFREG, 04755, 0, 0, "setuid kept");
	check_stat(dfd, "sgid", S_IFREG, 02711, 0, 0, "setgid kept");
	check_stat(dfd, "sticky", S_IFDIR, 01777, 0, 0, "sticky dir");
	check_stat(dfd, "owned", S_IFREG, 0644, 1000, 2000, "non-root owner");
	T_OK(fstatat(dfd, "owned", &st, 0) == 0 && st.st_mtim.tv_sec == 315532800 && st.st_atim.tv_sec == 315532800,
	     "old mtime, atime = mtime when absent");
	check_stat(dfd, "owned.sym", S_IFLNK, (mode_t)-1, 1001, 2001, "symlink owner (lchown)");
	T_OK(fstatat(dfd, "owned.sym", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtim.tv_sec == 315532800,
	     "symlink times (lutimes)");
	snprintf(path, sizeof(path), "%s/rich/capped", base_dir);
	k = lgetxattr(path, "user.note", buf, sizeof(buf));
	T_OK(k == 5 && !memcmp(buf, "hello", 5), "user xattr");
	k = lgetxattr(path, "security.capability", buf, sizeof(buf));
	T_OK(k == 20 && !memcmp(buf, cap_v2, 20), "security.capability xattr survives chown/chmod");
	T_OK(fstatat(dfd, "wh/gone", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0 &&
	     (st.st_mode & 07777) == 0 && st.st_uid == 1000 && st.st_gid == 1000, "whiteout is char 0/0, owned");
	T_OK(faccessat(dfd, "wh/.wh.gone", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "whiteout file itself not written");
	snprintf(path, sizeof(path), "%s/rich/wh", base_dir);
	k = lgetxattr(path, "trusted.overlay.opaque", buf, sizeof(buf));
	T_OK(k == 1 && buf[0] == 'y', "opaque whiteout sets trusted.overlay.opaque=y");
	T_OK(faccessat(dfd, "wh/.wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "opaque marker not written");
	T_OK(fstatat(dfd, "old", &st, 0) == 0 && st.st_mtim.tv_sec == 1000000000 && st.st_atim.tv_sec == 0,
	     "dir times re-applied at the end (atime from header: epoch)");
	T_OK(faccessat(dfd, "PaxHeaders.0", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "global header ignored");
}

static int assemble_mem(const struct sbuf *json, int dirfd, struct sbuf *out, struct berr *err)
{
	struct mem_reader mr;

	mem_reader_init(&mr, json->buf, json->len);
	return tarsplit_assemble(&mr.r, dirfd, sbuf_out, out, err);
}

static int disassemble_mem(const struct sbuf *tar, struct sbuf *json, struct berr *err)
{
	struct mem_reader mr;
	struct tarsplit_writer tw;
	int rc;

	mem_reader_init(&mr, tar->buf, tar->len);
	tarsplit_writer_init(&tw, sbuf_out, json);
	rc = tarsplit_disassemble(&mr.r, &tw, err);
	tarsplit_writer_release(&tw);
	return rc;
}

static void test_rich(void)
{
	struct sbuf tar = SBUF_INIT, json = SBUF_INIT, json2 = SBUF_INIT, back = SBUF_INIT;
	struct extract_result res = { -1, 0 };
	struct berr err = BERR_INIT;
	int dfd = fresh_dir("rich");
	int rc;

	build_rich(&tar);
	/* garbage after the end marker must reach tar-split too */
	sbuf_addstr(&tar, "trailing bytes after the archive");
	rc = extract_mem(dfd, &tar, &json, &res, &err);
	T_OK(rc == 0, "rich layer extracts (%s)", err.msg);
	check_rich_tree(dfd);
	T_OK(res.size == dir_size(dfd), "size %lld equals directory.Size walk %lld", (long long)res.size,
	     (long long)dir_size(dfd));
	T_OK(res.entries == 28, "entry count %llu", (unsigned long long)res.entries);
	rc = disassemble_mem(&tar, &json2, &err);
	T_OK(rc == 0 && json.len == json2.len && !memcmp(json.buf, json2.buf, json.len),
	     "tar-split from extraction equals tarsplit_disassemble");
	rc = assemble_mem(&json, dfd, &back, &err);
	T_OK(rc == 0 && back.len == tar.len && !memcmp(back.buf, tar.buf, tar.len),
	     "tar-split + extracted dir reassemble the input byte for byte (%s)", rc ? err.msg : "");
	close(dfd);
	sbuf_release(&tar);
	sbuf_release(&json);
	sbuf_release(&json2);
	sbuf_release(&back);
}

/* ---- overwrites and size accounting ---- */

static void test_overwrite(void)
{
	struct sbuf tar = SBUF_INIT;
	struct extract_result res;
	struct berr err = BERR_INIT;
	struct stat st;
	char buf[64];
	int dfd = fresh_dir("over");
	int rc;

	file(&tar, "a", 0644, "0123456789");
	dir(&tar, "a/", 0700);
	dir(&tar, "d/", 0755);
	file(&tar, "d/big", 0644, "a fairly long content here");
	file(&tar, "d/keep", 0644, "kept");
	link_entry(&tar, '1', "d-link", "d/keep");
	file(&tar, "d", 0600, "now a file");
	link_entry(&tar, '2', "s", "/outside-target");
	file(&tar, "s", 0644, "replaced symlink");
	dir(&tar, "m/", 0755);
	file(&tar, "m/x", 0644, "x");
	dir(&tar, "m/", 0711);
	file(&tar, "dup", 0644, "first version, long");
	file(&tar, "dup", 0644, "second");
	put_end(&tar);
	rc = extract_mem(dfd, &tar, NULL, &res, &err);
	T_OK(rc == 0, "overwriting layer extracts (%s)", err.msg);
	T_OK(fstatat(dfd, "a", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	     "file replaced by dir");
	T_OK(fstatat(dfd, "d", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode), "dir tree replaced by file");
	T_OK(fstatat(dfd, "d-link", &st, 0) == 0 && st.st_nlink == 1, "hardlink to removed file survives");
	T_OK(fstatat(dfd, "s", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode), "symlink replaced, not followed");
	T_OK(fstatat(dfd, "m", &st, 0) == 0 && (st.st_mode & 0777) == 0711 && faccessat(dfd, "m/x", F_OK, 0) == 0,
	     "dir over dir merges, new mode applied");
	T_OK(read_at(dfd, "dup", buf, sizeof(buf)) == 6 && !strcmp(buf, "second"), "later duplicate wins");
	T_OK(res.size == dir_size(dfd), "size %lld after removals equals walk %lld", (long long)res.size,
	     (long long)dir_size(dfd));
	close(dfd);
	sbuf_release(&tar);
}

/* ---- hostile archives ---- */

struct hostile {
	const char *what;
	void (*build)(struct sbuf *tar);
	int must_fail;
	const char *msg;    /* substring of the error when it fails */
};

static char outside_abs[128];

static void h_dotdot(struct sbuf *t) { file(t, "../victim/dotdot", 0644, "pwned"); }
static void h_slash_dotdot(struct sbuf *t) { file(t, "/../victim/slash-dotdot", 0644, "pwned"); }
static void h_deep_dotdot(struct sbuf *t) { file(t, "a/../../victim/deep", 0644, "pwned"); }

static void h_abs_symlink_dir(struct sbuf *t)
{
	link_entry(t, '2', "link", outside_abs);
	file(t, "link/file", 0644, "pwned");
}

static void h_rel_symlink_up(struct sbuf *t)
{
	link_entry(t, '2', "link", "../../..");
	file(t, "link/x", 0644, "inside");
}

static void h_hardlink_up(struct sbuf *t) { link_entry(t, '1', "hl", "../outside/secret"); }

static void h_hardlink_via_symlink(struct sbuf *t)
{
	link_entry(t, '2', "esc", outside_abs);
	link_entry(t, '1', "hl", "esc/secret");
}

static void h_hardlink_via_rel_symlink(struct sbuf *t)
{
	link_entry(t, '2', "esc", "../outside");
	link_entry(t, '1', "hl", "esc/secret");
}

static void h_wh_dotdot(struct sbuf *t) { file(t, "sub/.wh..", 0644, ""); }
static void h_wh_dot(struct sbuf *t) { file(t, ".wh..", 0644, ""); }
static void h_wh_empty(struct sbuf *t) { file(t, ".wh.", 0644, ""); }
static void h_wh_dotdotdot(struct sbuf *t) { file(t, ".wh...", 0644, ""); }

static void h_symlink_then_overwrite(struct sbuf *t)
{
	static char target[200];

	snprintf(target, sizeof(target), "%s/planted", outside_abs);
	link_entry(t, '2', "f", target);
	file(t, "f", 0644, "must replace the link");
}

static void h_etc_redirect(struct sbuf *t)
{
	dir(t, "etc/", 0755);
	link_entry(t, '2', "l", "/etc");
	file(t, "l/passwd", 0644, "layer passwd");
}

static void h_whiteout_via_symlink(struct sbuf *t)
{
	link_entry(t, '2', "w", outside_abs);
	file(t, "w/.wh.secret", 0644, "");
}

static void h_opaque_via_symlink(struct sbuf *t)
{
	link_entry(t, '2', "o", outside_abs);
	file(t, "o/.wh..wh..opq", 0644, "");
}

static const struct hostile hostile_cases[] = {
	{ "../victim/dotdot", h_dotdot, 1, "invalid entry name" },
	{ "/../victim/slash-dotdot", h_slash_dotdot, 1, "invalid entry name" },
	{ "a/../../victim/deep", h_deep_dotdot, 1, "invalid entry name" },
	{ "symlink to an outside dir, then link/file", h_abs_symlink_dir, 1, "" },
	{ "symlink ../../.. then link/x stays inside", h_rel_symlink_up, 0, NULL },
	{ "hardlink to ../outside/secret", h_hardlink_up, 1, "invalid hardlink target" },
	{ "hardlink through an absolute symlink out", h_hardlink_via_symlink, 1, "" },
	{ "hardlink through a relative symlink out", h_hardlink_via_rel_symlink, 1, "" },
	{ "sub/.wh..", h_wh_dotdot, 1, "invalid whiteout entry" },
	{ ".wh..", h_wh_dot, 1, "invalid whiteout entry" },
	{ ".wh.", h_wh_empty, 1, "invalid whiteout entry" },
	{ ".wh...", h_wh_dotdotdot, 1, "invalid whiteout entry" },
	{ "symlink at the target path is replaced", h_symlink_then_overwrite, 0, NULL },
	{ "symlink to /etc resolves inside the layer", h_etc_redirect, 0, NULL },
	{ "whiteout through a symlink out", h_whiteout_via_symlink, 1, "" },
	{ "opaque whiteout through a symlink out", h_opaque_via_symlink, 1, "" },
};

static int outside_untouched(int bfd)
{
	int vfd = openat(bfd, "victim", O_RDONLY | O_DIRECTORY);
	int ofd = openat(bfd, "outside", O_RDONLY | O_DIRECTORY);
	struct stat st;
	char buf[64];
	int ok;

	ok = vfd >= 0 && ofd >= 0 && count_entries(vfd) == 0 && count_entries(ofd) == 1 &&
	     fstatat(ofd, "secret", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	     read_at(ofd, "secret", buf, sizeof(buf)) == 6 && !strcmp(buf, "secret") &&
	     lgetxattr(outside_abs, "trusted.overlay.opaque", buf, sizeof(buf)) < 0;
	close(vfd);
	close(ofd);
	return ok;
}

static void run_hostile(int bfd, const struct hostile *h)
{
	struct sbuf tar = SBUF_INIT;
	struct extract_result res;
	struct berr err = BERR_INIT;
	int dfd = fresh_dir("layer/diff");
	int rc;

	h->build(&tar);
	put_end(&tar);
	rc = extract_mem(dfd, &tar, NULL, &res, &err);
	if (h->must_fail)
		T_OK(rc < 0 && strstr(err.msg, h->msg), "hostile %s: refused (%s)", h->what, err.msg);
	else
		T_OK(rc == 0, "hostile %s: extracts (%s)", h->what, err.msg);
	T_OK(outside_untouched(bfd), "hostile %s: nothing written outside", h->what);
	close(dfd);
	sbuf_release(&tar);
}

static void test_hostile(void)
{
	int bfd = open(base_dir, O_RDONLY | O_DIRECTORY);
	int dfd;
	struct stat st;
	char buf[64];

	mkdirat(bfd, "victim", 0755);
	mkdirat(bfd, "outside", 0755);
	snprintf(outside_abs, sizeof(outside_abs), "%s/outside", base_dir);
	dfd = openat(bfd, "outside", O_RDONLY | O_DIRECTORY);
	int fd = openat(dfd, "secret", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0 && write(fd, "secret", 6) == 6, "sentinel written");
	close(fd);
	close(dfd);
	for (size_t i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		run_hostile(bfd, &hostile_cases[i]);
		dfd = openat(bfd, "layer/diff", O_RDONLY | O_DIRECTORY);
		if (hostile_cases[i].build == h_rel_symlink_up)
			T_OK(read_at(dfd, "x", buf, sizeof(buf)) == 6, "link/x landed at the layer root");
		if (hostile_cases[i].build == h_etc_redirect)
			T_OK(read_at(dfd, "etc/passwd", buf, sizeof(buf)) == 12 && !strcmp(buf, "layer passwd"),
			     "l/passwd landed in the layer's etc");
		if (hostile_cases[i].build == h_symlink_then_overwrite)
			T_OK(fstatat(dfd, "f", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode),
			     "f is a regular file now");
		close(dfd);
	}
	close(bfd);
}

/* ---- truncated input ---- */

static void test_truncated(void)
{
	struct sbuf tar = SBUF_INIT;
	struct extract_result res;
	struct berr err = BERR_INIT;
	int dfd = fresh_dir("trunc");

	file(&tar, "big", 0644, "0123456789abcdef0123456789abcdef");
	tar.len = 512 + 10;
	T_OK(extract_mem(dfd, &tar, NULL, &res, &err) < 0, "truncated payload fails (%s)", err.msg);
	close(dfd);
	sbuf_release(&tar);
}

int main(void)
{
	struct berr err = BERR_INIT;
	int bfd;

	snprintf(base_dir, sizeof(base_dir), "/tmp/berth-extract-XXXXXX");
	if (!mkdtemp(base_dir))
		return 1;
	test_rich();
	test_overwrite();
	test_hostile();
	test_truncated();
	bfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	remove_all_at(bfd, base_dir + 5, &err);
	close(bfd);
	return t_done();
}
