/* test-volume.c - volumes/metadata.db in bbolt's format: berth's writer
 * read back by berth's reader, one entry and hundreds (a leaf spanning
 * overflow pages), and the bbolt layout facts dockerd's bbolt checks (the
 * meta pages' magic, version, page size and FNV-1a checksums).  t0900
 * checks the same file against dockerd itself, both ways. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "volume/volume.h"
#include "test.h"

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int roundtrip(int dfd, size_t n, const char *what)
{
	json_t *in = json_object(), *out = NULL;
	struct berr err = BERR_INIT;
	int busy = 0, ok = 1;
	char name[64], text[160];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vol%zu", i);
		snprintf(text, sizeof(text), "{\"Name\":\"%s\",\"Driver\":\"local\",\"Labels\":{\"i\":\"%zu\"},\"Options\":null}",
			 name, i);
		json_object_set_new(in, name, json_string(text));
	}
	T_OK(volume_db_write(dfd, in, &busy, &err) == 0, "%s: written (%s)", what, err.msg);
	T_OK(volume_db_read(dfd, &out, &err) == 0, "%s: read back (%s)", what, err.msg);
	T_OK(json_object_size(out) == n, "%s: %zu entries", what, n);
	for (size_t i = 0; i < n && ok; i++) {
		snprintf(name, sizeof(name), "vol%zu", i);
		snprintf(text, sizeof(text), "%zu", i);
		const char *l = json_string_value(json_object_get(json_object_get(json_object_get(out, name), "Labels"), "i"));
		ok = l && !strcmp(l, text);
	}
	T_OK(ok, "%s: every entry's labels", what);
	json_decref(in);
	json_decref(out);
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/test-volume.XXXXXX";
	struct berr err = BERR_INIT;
	struct sbuf sb = SBUF_INIT;
	json_t *out = NULL;
	int dfd;

	if (!mkdtemp(dir))
		return 1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	T_OK(volume_db_read(dfd, &out, &err) == 0 && json_object_size(out) == 0, "a missing file is no entries");
	json_decref(out);
	roundtrip(dfd, 0, "no volumes");
	roundtrip(dfd, 1, "one volume");
	roundtrip(dfd, 700, "700 volumes");
	T_OK(read_file_at(dfd, "metadata.db", &sb, 1 << 24, &err) == 0, "the file reads");
	const unsigned char *d = (const unsigned char *)sb.buf;
	T_OK(sb.len % 4096 == 0 && sb.len > 5 * 4096, "whole 4 KiB pages, the bucket's leaf overflowing");
	for (int m = 0; m < 2; m++) {
		const unsigned char *p = d + m * 4096 + 16;
		uint32_t magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		uint64_t sum = 0;
		for (int i = 7; i >= 0; i--)
			sum = sum << 8 | p[56 + i];
		T_OK(magic == 0xED0CDAEDu && p[4] == 2 && sum == fnv(p, 56), "meta page %d: magic, version 2, checksum", m);
	}
	/* A damaged file is an error, not a crash. */
	memset(sb.buf + 4096 * 4 + 16, 0xff, 64);
	atomic_write_at(dfd, "metadata.db", sb.buf, sb.len, 0600, &err);
	berr_clear(&err);
	out = NULL;
	T_OK(volume_db_read(dfd, &out, &err) < 0, "damaged elements are refused: %s", err.msg);
	json_decref(out);
	sbuf_release(&sb);
	unlinkat(dfd, "metadata.db", 0);
	close(dfd);
	rmdir(dir);
	return t_done();
}
