/*
 * test-tarsplit.c - tar-split: the CRC-64/ISO check value and chunking, the
 * JSON lines byte for byte as Go's encoding/json writes them (tricky names,
 * name_raw, null/empty payloads, duplicate paths), byte-exact
 * disassemble/assemble round trips on tar-split's own asm testdata (SHA-1
 * and size as its assemble_test.go expects, JSON as tar-split v0.11's Go
 * code writes it), and assemble refusing corrupt files and hostile lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/digest.h"
#include "tar/tar.h"
#include "tar/tarsplit.h"
#include "util/sbuf.h"
#include "test.h"

#define TESTDATA "/usr/share/gocode/src/github.com/vbatts/tar-split/tar/asm/testdata/"

static int sbuf_out(void *ctx, const void *buf, size_t n, struct berr *err)
{
	sbuf_add(ctx, buf, n);
	return 0;
}

/* A bit-at-a-time CRC to check the sliced one against. */
static uint64_t crc_slow(uint64_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xD800000000000000ULL : crc >> 1;
	}
	return ~crc;
}

static void test_crc(void)
{
	unsigned char data[1000];
	uint64_t c;
	int ok = 1;

	T_OK(crc64_iso_update(0, "123456789", 9) == 0xb90956c775a41001ULL, "crc64 ISO check value");
	c = crc64_iso_update(0, "1234", 4);
	c = crc64_iso_update(c, "56789", 5);
	T_OK(c == 0xb90956c775a41001ULL, "crc64 updates compose");
	T_OK(crc64_iso_update(0, "", 0) == 0, "crc64 of nothing is 0");
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + (i >> 3));
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n + off <= sizeof(data); n += 37)
			if (crc64_iso_update(0, data + off, n) != crc_slow(0, data + off, n))
				ok = 0;
	T_OK(ok, "sliced crc64 equals bitwise crc64 at every alignment");
}

static void check_file_line(const char *name, size_t len, int64_t size, uint64_t crc, const char *want,
			    const char *what)
{
	struct sbuf out = SBUF_INIT;
	struct tarsplit_writer tw;
	struct berr err = BERR_INIT;
	int rc;

	tarsplit_writer_init(&tw, sbuf_out, &out);
	rc = tarsplit_add_file(&tw, name, len, size, crc, &err);
	T_OK(rc == 0, "%s: add_file succeeds", what);
	T_STREQ(sbuf_str(&out), want, "%s", what);
	tarsplit_writer_release(&tw);
	sbuf_release(&out);
}

#define FILE_LINE(name, size, crc, want, what) check_file_line(name, sizeof(name) - 1, size, crc, want, what)

static void test_json(void)
{
	FILE_LINE("./hurr.txt", 20, crc64_iso_update(0, "imma hurr til I derp", 20),
		  "{\"type\":1,\"name\":\"./hurr.txt\",\"size\":20,\"payload\":\"AnSksavsa04=\",\"position\":0}\n",
		  "file entry with CRC payload (tar-split's own test vector)");
	FILE_LINE("bin/", 0, 12345, "{\"type\":1,\"name\":\"bin/\",\"payload\":null,\"position\":0}\n",
		  "size 0: size omitted, payload null");
	FILE_LINE("a<b>&c", 0, 0,
		  "{\"type\":1,\"name\":\"a\\u003cb\\u003e\\u0026c\",\"payload\":null,\"position\":0}\n",
		  "<, > and & escaped as Go does");
	FILE_LINE("q\"b\\s/", 0, 0, "{\"type\":1,\"name\":\"q\\\"b\\\\s/\",\"payload\":null,\"position\":0}\n",
		  "quote and backslash escaped, slash kept");
	FILE_LINE("c\n\r\t\x01\x1f\b\f\x7f", 0, 0,
		  "{\"type\":1,\"name\":\"c\\n\\r\\t\\u0001\\u001f\\b\\f\x7f\",\"payload\":null,\"position\":0}\n",
		  "control characters escaped, DEL kept");
	FILE_LINE("l\xe2\x80\xa8p\xe2\x80\xa9\xc3\xa9\xf0\x9f\x90\xb3", 0, 0,
		  "{\"type\":1,\"name\":\"l\\u2028p\\u2029\xc3\xa9\xf0\x9f\x90\xb3\",\"payload\":null,\"position\":0}\n",
		  "U+2028/U+2029 escaped, other UTF-8 kept");
	FILE_LINE("file-\xe4", 26, 0, "{\"type\":1,\"name_raw\":\"ZmlsZS3k\",\"size\":26,\"payload\":\"AAAAAAAAAAA=\",\"position\":0}\n",
		  "invalid UTF-8 name goes to name_raw");
	FILE_LINE("s\xed\xa0\x80", 0, 0, "{\"type\":1,\"name_raw\":\"c+2ggA==\",\"payload\":null,\"position\":0}\n",
		  "UTF-8 surrogate is invalid");
	FILE_LINE("o\xc0\x80", 0, 0, "{\"type\":1,\"name_raw\":\"b8CA\",\"payload\":null,\"position\":0}\n",
		  "overlong UTF-8 is invalid");
	FILE_LINE("", 0, 0, "{\"type\":1,\"payload\":null,\"position\":0}\n", "empty name omitted");
}

static void test_segments_and_dups(void)
{
	struct sbuf out = SBUF_INIT;
	struct tarsplit_writer tw;
	struct berr err = BERR_INIT;
	int rc;

	tarsplit_writer_init(&tw, sbuf_out, &out);
	rc = tarsplit_add_segment(&tw, "how", 3, &err);
	rc |= tarsplit_add_segment(&tw, "", 0, &err);
	rc |= tarsplit_add_file(&tw, "./hurr.txt", 10, 0, 0, &err);
	rc |= tarsplit_add_segment(&tw, "y'all", 5, &err);
	T_OK(rc == 0, "segments and a file");
	T_STREQ(sbuf_str(&out),
		"{\"type\":2,\"payload\":\"aG93\",\"position\":0}\n"
		"{\"type\":2,\"payload\":\"\",\"position\":1}\n"
		"{\"type\":1,\"name\":\"./hurr.txt\",\"payload\":null,\"position\":2}\n"
		"{\"type\":2,\"payload\":\"eSdhbGw=\",\"position\":3}\n",
		"segment lines and positions");
	rc = tarsplit_add_file(&tw, "hurr.txt", 8, 0, 0, &err);
	T_OK(rc == -1, "hurr.txt after ./hurr.txt is a duplicate");
	T_STREQ(err.msg, "duplicates of file paths not supported", "duplicate error message");
	berr_clear(&err);
	T_OK(tarsplit_add_file(&tw, "a/b/../c//", 10, 0, 0, &err) == 0, "a/b/../c// is new");
	T_OK(tarsplit_add_file(&tw, "a/c", 3, 0, 0, &err) == -1, "a/c duplicates a/b/../c//");
	T_OK(tarsplit_add_file(&tw, "/a/c", 4, 0, 0, &err) == 0, "/a/c differs from a/c (Go's Clean)");
	T_OK(tarsplit_add_file(&tw, "/../a/c", 7, 0, 0, &err) == -1, "/../a/c duplicates /a/c");
	T_OK(tarsplit_add_file(&tw, "x/../../b", 9, 0, 0, &err) == 0, "x/../../b is new");
	T_OK(tarsplit_add_file(&tw, "../b", 4, 0, 0, &err) == -1, "../b duplicates x/../../b");
	T_OK(tarsplit_add_file(&tw, "./", 2, 0, 0, &err) == 0, "./ is new");
	T_OK(tarsplit_add_file(&tw, ".", 1, 0, 0, &err) == -1, ". duplicates ./");
	rc = 0;
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d/%d", i);
		if (tarsplit_add_file(&tw, name, strlen(name), 0, 0, &err) < 0)
			rc = -1;
	}
	T_OK(rc == 0, "2000 distinct names (name set grows)");
	T_OK(tarsplit_add_file(&tw, "./d/1999", 8, 0, 0, &err) == -1, "still finds old names after growth");
	tarsplit_writer_release(&tw);
	sbuf_release(&out);
}

static int gunzip_file(const char *path, struct sbuf *out)
{
	gzFile gz = gzopen(path, "rb");
	char buf[65536];
	int k;

	if (!gz)
		return -1;
	while ((k = gzread(gz, buf, sizeof(buf))) > 0)
		sbuf_add(out, buf, (size_t)k);
	gzclose(gz);
	return k < 0 ? -1 : 0;
}

static void sha1_hex(const void *p, size_t n, char hex[41])
{
	unsigned char md[20];
	unsigned int len = 0;

	EVP_Digest(p, n, md, &len, EVP_sha1(), NULL);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static int mkdirs_for(int dirfd, const char *name)
{
	_cleanup_free_ char *p = xstrdup(name);

	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (*p && mkdirat(dirfd, p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int write_payload(struct tar_reader *tr, int dirfd, const char *name, struct berr *err)
{
	char buf[65536];
	ssize_t k;
	int fd, rc = 0;

	if (mkdirs_for(dirfd, name) < 0)
		return berr_sys(err, "mkdir for %s", name);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return berr_sys(err, "create %s", name);
	while ((k = tar_read(tr, buf, sizeof(buf), err)) > 0)
		if (write(fd, buf, (size_t)k) != k)
			rc = berr_sys(err, "write %s", name);
	close(fd);
	return k < 0 ? -1 : rc;
}

/* What the store keeps of a layer: every regular file's content. */
static int extract_payloads(const void *tar, size_t len, int dirfd, struct berr *err)
{
	struct mem_reader mr;
	struct tar_reader *tr;
	const struct tar_header *h;
	int rc;

	mem_reader_init(&mr, tar, len);
	tr = tar_reader_new(&mr.r, NULL);
	while ((rc = tar_next(tr, &h, err)) > 0)
		if (h->typeflag == TAR_REG && h->size > 0 && write_payload(tr, dirfd, h->name, err) < 0) {
			rc = -1;
			break;
		}
	tar_reader_free(tr);
	return rc;
}

static char *make_tmpdir(void)
{
	char *d = xstrdup("/tmp/berth-tarsplit-XXXXXX");

	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static void rm_rf(const char *dir)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

struct roundtrip_case {
	const char *file;
	const char *sha1;
	size_t size;
	/* sha256 of the JSON lines tar-split v0.11.2's Go code (Debian's, as
	 * Docker 20.10 uses) writes for this input. */
	const char *json_sha256;
};

static const struct roundtrip_case cases[] = {
	{ "t.tar.gz", "1eb237ff69bca6e22789ecb05b45d35ca307adbd", 10240,
	  "cd08efcb4571a384f0bca27fb2d69cf391be0294669fcf1efa1176df02395388" },
	{ "longlink.tar.gz", "d9f6babe107b7247953dff6b5b5ae31a3a880add", 20480,
	  "2b8451599da8c6bb8cc2c4428c6cf392603a727afae3e90aafadfab28bf1c702" },
	{ "fatlonglink.tar.gz", "8537f03f89aeef537382f8b0bb065d93e03b0be8", 26234880,
	  "2bfbd3efd463b5a9a0d9d2aa773f10ede62b70badecda9f1270be4723fa85858" },
	{ "iso-8859.tar.gz", "ddafa51cb03c74ec117ab366ee2240d13bba1ec3", 10240,
	  "6c68d38eff2467068ba4e2071cb5f68c94885642026555dcc90ac652d8aafe92" },
	{ "extranils.tar.gz", "e187b4b3e739deaccc257342f4940f34403dc588", 10648,
	  "7b482e2ddaeb6e2aa17c378ef9dd11d927121f30d26110925b9e8e37c8b587f8" },
	{ "notenoughnils.tar.gz", "72f93f41efd95290baa5c174c234f5d4c22ce601", 512,
	  "e7208a69a5432b871dcaa29ba8f256791884dfbedf4ef6e540b2714d86ddb878" },
};

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

static int assemble_mem(const struct sbuf *json, int dirfd, struct sbuf *out, struct berr *err)
{
	struct mem_reader mr;

	mem_reader_init(&mr, json->buf, json->len);
	return tarsplit_assemble(&mr.r, dirfd, sbuf_out, out, err);
}

static void roundtrip(const struct roundtrip_case *c)
{
	_cleanup_free_ char *path = xasprintf("%s%s", TESTDATA, c->file);
	_cleanup_free_ char *dir = NULL;
	struct sbuf tar = SBUF_INIT, json = SBUF_INIT, out = SBUF_INIT;
	struct berr err = BERR_INIT;
	char hex[41], d[DIGEST_STR_LEN];
	int dirfd = -1, rc;

	if (gunzip_file(path, &tar) < 0) {
		T_SKIP("%s not available", c->file);
		goto out;
	}
	sha1_hex(tar.buf, tar.len, hex);
	T_OK(tar.len == c->size && !strcmp(hex, c->sha1), "%s: input is tar-split's test archive", c->file);
	rc = disassemble_mem(&tar, &json, &err);
	T_OK(rc == 0, "%s: disassemble (%s)", c->file, err.msg);
	sha256_digest(json.buf, json.len, d);
	T_STREQ(digest_hex(d), c->json_sha256, "%s: JSON lines identical to tar-split's", c->file);
	dir = make_tmpdir();
	dirfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	rc = dirfd >= 0 ? extract_payloads(tar.buf, tar.len, dirfd, &err) : -1;
	T_OK(rc == 0, "%s: payloads extracted (%s)", c->file, err.msg);
	rc = assemble_mem(&json, dirfd, &out, &err);
	T_OK(rc == 0, "%s: assemble (%s)", c->file, err.msg);
	sha1_hex(out.buf, out.len, hex);
	T_OK(out.len == c->size, "%s: assembled size %zu", c->file, out.len);
	T_STREQ(hex, c->sha1, "%s: assembled SHA-1", c->file);
	T_OK(out.len == tar.len && !memcmp(out.buf, tar.buf, tar.len), "%s: byte-identical round trip", c->file);
out:
	if (dirfd >= 0)
		close(dirfd);
	if (dir)
		rm_rf(dir);
	sbuf_release(&tar);
	sbuf_release(&json);
	sbuf_release(&out);
}

static int put_file(int dirfd, const char *name, const char *content)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = (ssize_t)strlen(content);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, content, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

static int assemble_str(const char *json, int dirfd, struct sbuf *out, struct berr *err)
{
	struct mem_reader mr;

	sbuf_reset(out);
	berr_clear(err);
	mem_reader_init(&mr, json, strlen(json));
	return tarsplit_assemble(&mr.r, dirfd, sbuf_out, out, err);
}

/* tar-split's own "hurr.txt" entry: 20 bytes with CRC AnSksavsa04=. */
static void test_assemble_hostile(int dirfd);

#define HURR "{\"type\":1,\"name\":\"./hurr.txt\",\"size\":20,\"payload\":\"AnSksavsa04=\",\"position\":1}\n"

static void test_assemble_checks(void)
{
	_cleanup_free_ char *dir = make_tmpdir();
	struct sbuf out = SBUF_INIT;
	struct berr err = BERR_INIT;
	int dirfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int rc;

	T_OK(dirfd >= 0, "temp dir");
	if (dirfd < 0)
		return;
	put_file(dirfd, "hurr.txt", "imma hurr til I derp");
	rc = assemble_str("{\"type\":2,\"payload\":\"aG93\",\"position\":0}\n" HURR
			  "{\"type\":2,\"payload\":\"eSdhbGw=\",\"position\":2}", dirfd, &out, &err);
	T_OK(rc == 0, "assemble segments and a file, last line without newline (%s)", err.msg);
	T_STREQ(sbuf_str(&out), "howimma hurr til I derpy'all", "assembled bytes");

	put_file(dirfd, "hurr.txt", "imma derp til I hurr");
	rc = assemble_str(HURR, dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_DIGEST, "corrupted file fails");
	T_STREQ(err.msg, "file integrity checksum failed for \"./hurr.txt\"", "CRC error message");
	put_file(dirfd, "hurr.txt", "imma hurr til I der");
	rc = assemble_str(HURR, dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_DIGEST, "truncated file fails");
	put_file(dirfd, "hurr.txt", "imma hurr til I derp!");
	rc = assemble_str(HURR, dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_DIGEST, "longer file fails");
	put_file(dirfd, "hurr.txt", "imma hurr til I derp");
	test_assemble_hostile(dirfd);
	close(dirfd);
	rm_rf(dir);
	sbuf_release(&out);
}

/* Lines are untrusted: nothing may escape the root or blow up memory. */
static void test_assemble_hostile(int dirfd)
{
	struct sbuf out = SBUF_INIT;
	struct berr err = BERR_INIT;
	int rc;

	rc = assemble_str(HURR "{\"type\":1,\"name\":\"hurr.txt\",\"payload\":null,\"position\":2}\n", dirfd, &out,
			  &err);
	T_OK(rc == -1 && !strcmp(err.msg, "duplicates of file paths not supported"), "duplicate refused on unpack");
	rc = assemble_str("{\"type\":1,\"name\":\"../hurr.txt\",\"size\":20,\"payload\":\"AnSksavsa04=\"}\n", dirfd,
			  &out, &err);
	T_OK(rc == -1 && err.code == BERR_INVALID, "name escaping the root refused (%s)", err.msg);
	T_OK(symlinkat("/etc/passwd", dirfd, "evil") == 0, "symlink to /etc/passwd");
	rc = assemble_str("{\"type\":1,\"name\":\"evil\",\"size\":20,\"payload\":\"AnSksavsa04=\"}\n", dirfd, &out,
			  &err);
	T_OK(rc == -1 && out.len == 0, "absolute symlink resolves inside the root only (%s)", err.msg);
	T_OK(mkdirat(dirfd, "sub", 0755) == 0, "mkdir sub");
	rc = assemble_str("{\"type\":1,\"name\":\"sub\",\"size\":20,\"payload\":\"AnSksavsa04=\"}\n", dirfd, &out, &err);
	T_OK(rc == -1, "a directory is not a payload (%s)", err.msg);
	rc = assemble_str("{\"type\":2,\"payload\":\"aG9=3\"}\n", dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_INVALID, "bad base64 refused (%s)", err.msg);
	rc = assemble_str("{\"type\":2,\"payload\":\"a=93\"}\n", dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_INVALID, "padding inside base64 refused");
	rc = assemble_str("{\"type\":2,\"payload\":\"aG93\"\n", dirfd, &out, &err);
	T_OK(rc == -1 && err.code == BERR_INVALID, "truncated JSON refused");
	rc = assemble_str("{\"type\":1,\"name\":\"x\",\"size\":-1,\"payload\":null}\n", dirfd, &out, &err);
	T_OK(rc == -1, "negative size refused");
	rc = assemble_str("{\"type\":1,\"name_raw\":\"aHVyci50eHQ=\",\"size\":20,\"payload\":\"AnSksavsa04=\"}\n\n"
			  "{\"Type\":2,\"Payload\":\"IQ==\"}\n{\"type\":7}\n", dirfd, &out, &err);
	T_OK(rc == 0 && !strcmp(sbuf_str(&out), "imma hurr til I derp!"),
	     "name_raw, blank lines, Go's case-insensitive keys, unknown types ignored (%s)", err.msg);

	size_t big = 33u * 1024 * 1024;
	char *huge = xmalloc(big + 1);
	memset(huge, ' ', big);
	huge[big] = '\0';
	rc = assemble_str(huge, dirfd, &out, &err);
	T_OK(rc == -1 && strstr(err.msg, "too long"), "overlong line refused");
	free(huge);
	sbuf_release(&out);
}

/* Archive bytes after the end marker come back as 1 MiB segments and a
 * final empty one. */
static void test_trailer(void)
{
	struct sbuf tar = SBUF_INIT, json = SBUF_INIT, out = SBUF_INIT;
	struct berr err = BERR_INIT;
	size_t lines = 0;
	int rc;

	sbuf_grow(&tar, 1024 + 2 * 1024 * 1024 + 100);
	memset(tar.buf, 0, 1024);
	for (size_t i = 1024; i < 1024 + 2 * 1024 * 1024 + 100; i++)
		tar.buf[i] = (char)(i % 251);
	tar.len = 1024 + 2 * 1024 * 1024 + 100;
	rc = disassemble_mem(&tar, &json, &err);
	T_OK(rc == 0, "disassemble empty archive with trailing garbage (%s)", err.msg);
	for (size_t i = 0; i < json.len; i++)
		lines += json.buf[i] == '\n';
	T_OK(lines == 5, "end marker segment, 1 MiB, 1 MiB, the rest, then v0.11's empty segment (%zu lines)", lines);
	rc = assemble_mem(&json, AT_FDCWD, &out, &err);
	T_OK(rc == 0 && out.len == tar.len && !memcmp(out.buf, tar.buf, tar.len), "trailer round trip");
	sbuf_release(&tar);
	sbuf_release(&json);
	sbuf_release(&out);
}

int main(void)
{
	test_crc();
	test_json();
	test_segments_and_dups();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		roundtrip(&cases[i]);
	test_assemble_checks();
	test_trailer();
	return t_done();
}
