/*
 * test-pipeline.c - the pull pipeline's stream stages: SHA-256 digests and
 * chain IDs, and the decompressing reader on gzip (one and several
 * members), zstd, xz and plain input, with containers/image's compression
 * fixtures where installed, and truncated input.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "io/decompress.h"
#include "io/digest.h"
#include "util/sbuf.h"
#include "test.h"

#define FIX "/usr/share/gocode/src/github.com/containers/image/pkg/compression/fixtures/"

static int read_all(struct reader *r, struct sbuf *out, size_t chunk, struct berr *err)
{
	char *buf = malloc(chunk);
	ssize_t k;

	while ((k = reader_read(r, buf, chunk, err)) > 0)
		sbuf_add(out, buf, (size_t)k);
	free(buf);
	return k < 0 ? -1 : 0;
}

static int decompress_mem(const void *in, size_t len, struct sbuf *out, enum compression *kind, struct berr *err)
{
	struct mem_reader mr;
	struct decompress_reader *d;
	int rc;

	mem_reader_init(&mr, in, len);
	d = decompress_reader_new(&mr.r);
	rc = read_all(decompress_reader_base(d), out, 7, err);
	*kind = decompress_reader_kind(d);
	decompress_reader_free(d);
	return rc;
}

static void gzip_member(struct sbuf *out, const char *s)
{
	z_stream z = { 0 };
	unsigned char buf[4096];

	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)s;
	z.avail_in = (unsigned)strlen(s);
	z.next_out = buf;
	z.avail_out = sizeof(buf);
	deflate(&z, Z_FINISH);
	sbuf_add(out, buf, sizeof(buf) - z.avail_out);
	deflateEnd(&z);
}

static void test_digests(void)
{
	char d[DIGEST_STR_LEN], c[DIGEST_STR_LEN];

	sha256_digest("a", 1, d);
	T_STREQ(d, "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", "sha256 of 'a'");
	chain_id(NULL, d, c);
	T_STREQ(c, d, "chain ID of a base layer is its diff ID");
	chain_id("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
		 "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d", c);
	T_STREQ(c, "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676",
		"chain ID = sha256(parent + \" \" + diff)");
	T_OK(digest_validate("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", NULL) == 0,
	     "valid digest accepted");
	T_OK(digest_validate("sha256:CA978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", NULL) < 0,
	     "uppercase hex refused");
	T_OK(digest_validate("sha256:ca97", NULL) < 0, "short digest refused");
	T_OK(digest_validate("md5:ca978112ca1bbdcafac231b39a23dc4d", NULL) < 0, "other algorithm refused");
}

static void test_decompress(void)
{
	struct sbuf in = SBUF_INIT, out = SBUF_INIT;
	struct berr err = BERR_INIT;
	enum compression kind;
	char big[100000];

	gzip_member(&in, "hello ");
	gzip_member(&in, "world");
	T_OK(decompress_mem(in.buf, in.len, &out, &kind, &err) == 0 && kind == COMPRESSION_GZIP &&
	     !strcmp(sbuf_str(&out), "hello world"), "two gzip members read as one stream");
	sbuf_reset(&out);
	T_OK(decompress_mem(in.buf, in.len - 5, &out, &kind, &err) < 0, "truncated gzip fails: %s", err.msg);
	sbuf_reset(&out);
	in.buf[in.len - 6] ^= 0xff; /* corrupt the CRC of the second member */
	T_OK(decompress_mem(in.buf, in.len, &out, &kind, &err) < 0, "gzip CRC mismatch fails: %s", err.msg);

	memset(big, 'x', sizeof(big));
	sbuf_reset(&in);
	sbuf_reset(&out);
	sbuf_grow(&in, ZSTD_compressBound(sizeof(big)));
	in.len = ZSTD_compress(in.buf, in.alloc, big, sizeof(big), 3);
	T_OK(decompress_mem(in.buf, in.len, &out, &kind, &err) == 0 && kind == COMPRESSION_ZSTD &&
	     out.len == sizeof(big) && !memcmp(out.buf, big, sizeof(big)), "zstd stream %s", err.msg);
	sbuf_reset(&out);
	T_OK(decompress_mem(in.buf, in.len - 3, &out, &kind, &err) < 0, "truncated zstd fails: %s", err.msg);
	sbuf_reset(&out);
	T_OK(decompress_mem("plain tar", 9, &out, &kind, &err) == 0 && kind == COMPRESSION_NONE &&
	     !strcmp(sbuf_str(&out), "plain tar"), "plain data passes through");
	sbuf_reset(&out);
	T_OK(decompress_mem("", 0, &out, &kind, &err) == 0 && out.len == 0, "empty stream");
	sbuf_release(&in);
	sbuf_release(&out);
}

static void test_fixtures(void)
{
	static const char *names[] = { "Hello.gz", "Hello.zst", "Hello.xz", "Hello.uncompressed" };
	struct sbuf want = SBUF_INIT;
	int fd = open(FIX "Hello.uncompressed", O_RDONLY);

	if (fd < 0) {
		T_SKIP("containers/image compression fixtures not installed");
		return;
	}
	{
		struct fd_reader fr;
		fd_reader_init(&fr, fd);
		read_all(&fr.r, &want, 4096, NULL);
		close(fd);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sbuf out = SBUF_INIT;
		struct berr err = BERR_INIT;
		struct fd_reader fr;
		struct decompress_reader *d;
		fd = open(strcat(strcpy((char[256]){ 0 }, FIX), names[i]), O_RDONLY);
		fd_reader_init(&fr, fd);
		d = decompress_reader_new(&fr.r);
		int rc = read_all(decompress_reader_base(d), &out, 3, &err);
		T_OK(rc == 0 && out.len == want.len && !memcmp(out.buf, want.buf, want.len), "fixture %s", names[i]);
		decompress_reader_free(d);
		close(fd);
		sbuf_release(&out);
	}
	sbuf_release(&want);
}

int main(void)
{
	test_digests();
	test_decompress();
	test_fixtures();
	return t_done();
}
