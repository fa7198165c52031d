/* test-jsonfile.c - the json-file log driver against dockerd 20.10's own
 * output (tests/data/jsonlog, made by tests/lib/capture-jsonlog.sh), its
 * rotation, the reader (tail, since/until, rotated files, follow) and the
 * stdcopy framing.  Run from the source tree (or BERTH_SRCDIR). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logs/jsonfile.h"
#include "logs/stdcopy.h"
#include "util/fs.h"
#include "test.h"

static char *slurp(const char *path, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	struct berr err = BERR_INIT;

	if (read_file_at(AT_FDCWD, path, &sb, 64 << 20, &err) < 0) {
		printf("# %s\n", err.msg);
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, len);
}

/* The records of one stream of a log, each "time" value replaced by T. */
static void masked_stream(const char *log, size_t len, const char *stream, struct sbuf *out)
{
	const char *p = log, *end = log + len;
	_cleanup_free_ char *key = xasprintf("\"stream\":\"%s\",\"time\":\"", stream);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *t;
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if ((t = memmem(p, n, key, strlen(key)))) {
			const char *q = t + strlen(key);
			sbuf_add(out, p, (size_t)(q - p));
			sbuf_addstr(out, "T\"}\n");
		}
		p += n;
	}
}

/* Feeds data to a copier in chunks of step bytes (the read sizes must not
 * change the records), returns the written log. */
static char *write_stream(const char *dir, const char *stream, const char *data, size_t len, size_t step,
			  size_t *outlen)
{
	_cleanup_free_ char *path = xasprintf("%s/s.log", dir);
	struct jsonfile_opts o = JSONFILE_OPTS_INIT;
	struct berr err = BERR_INIT;
	struct jsonfile_copier *c = xmalloc(sizeof(*c));
	struct jsonfile_writer *w;
	char *res;

	unlink(path);
	w = jsonfile_open(path, &o, &err);
	if (!w) {
		printf("# %s\n", err.msg);
		free(c);
		return NULL;
	}
	jsonfile_copier_init(c, stream);
	for (size_t off = 0; off < len; off += step) {
		size_t k = len - off < step ? len - off : step;
		if (jsonfile_copier_feed(c, w, data + off, k, 1764750000, (long)(off % 1000000000), &err) < 0)
			printf("# %s\n", err.msg);
	}
	jsonfile_copier_eof(c, w, 1764750001, 0, &err);
	jsonfile_close(w);
	free(c);
	res = slurp(path, outlen);
	return res;
}

static void test_golden(const char *src, const char *dir)
{
	_cleanup_free_ char *gpath = xasprintf("%s/tests/data/jsonlog/docker-json.log", src);
	size_t glen = 0;
	_cleanup_free_ char *golden = slurp(gpath, &glen);
	const char *streams[] = { "stdout", "stderr" };
	size_t steps[] = { 1, 7, 2048, 4096, 65536, 1 << 20 };

	if (!golden) {
		T_OK(0, "golden log %s present", gpath);
		return;
	}
	for (int s = 0; s < 2; s++) {
		_cleanup_free_ char *ipath = xasprintf("%s/tests/data/jsonlog/%s.bin", src, streams[s]);
		size_t ilen = 0;
		_cleanup_free_ char *in = slurp(ipath, &ilen);
		_cleanup_sbuf_ struct sbuf want = SBUF_INIT;

		masked_stream(golden, glen, streams[s], &want);
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			size_t olen = 0;
			_cleanup_free_ char *out = in ? write_stream(dir, streams[s], in, ilen, steps[i], &olen) : NULL;
			_cleanup_sbuf_ struct sbuf got = SBUF_INIT;
			if (out)
				masked_stream(out, olen, streams[s], &got);
			T_OK(out && got.len == want.len && !memcmp(got.buf, want.buf, want.len),
			     "%s, read %zu bytes at a time: byte-identical to dockerd's records (times masked)",
			     streams[s], steps[i]);
		}
	}
}

static void test_times(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/t.log", dir);
	struct jsonfile_opts o = JSONFILE_OPTS_INIT;
	struct berr err = BERR_INIT;
	struct jsonfile_copier *c = xmalloc(sizeof(*c));
	struct jsonfile_writer *w = jsonfile_open(path, &o, &err);
	char big[20000];
	size_t len = 0;
	struct stat st;

	memset(big, 'x', sizeof(big));
	jsonfile_copier_init(c, "stdout");
	jsonfile_copier_feed(c, w, big, 10000, 100, 5, &err);
	jsonfile_copier_feed(c, w, big, 10000, 101, 0, &err);
	jsonfile_copier_feed(c, w, "y\nz", 3, 102, 120000000, &err);
	jsonfile_copier_feed(c, w, "\n", 1, 103, 0, &err);
	jsonfile_close(w);
	free(c);
	_cleanup_free_ char *got = slurp(path, &len);
	_cleanup_sbuf_ struct sbuf want = SBUF_INIT;
	/* the buffer fills at the second read, whose time the first piece takes */
	T_OK(got && strstr(got, "\"time\":\"1970-01-01T00:01:41Z\"}\n{\"log\":\"xxx") != NULL,
	     "a line's pieces share the first piece's time (whole seconds: no fraction)");
	T_OK(got && strstr(got, "y\\n\",\"stream\":\"stdout\",\"time\":\"1970-01-01T00:01:41Z\"}\n") != NULL,
	     "the line's last piece has the first piece's time too");
	T_OK(got && strstr(got, "{\"log\":\"z\\n\",\"stream\":\"stdout\",\"time\":\"1970-01-01T00:01:43Z\"}\n") != NULL,
	     "a new line has its own time");
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "log file mode 0640");

	jsonfile_encode(&want, "stderr", "a\n", 2, 1764750000, 120000000);
	T_STREQ(sbuf_str(&want), "{\"log\":\"a\\n\",\"stream\":\"stderr\",\"time\":\"2025-12-03T08:20:00.12Z\"}\n",
		"RFC3339Nano drops trailing zeros");
	char ts[40];
	jsonfile_format_timestamp(1764750000, 120000000, ts);
	T_STREQ(ts, "2025-12-03T08:20:00.120000000Z", "--timestamps prefix has nine digits");
	jsonfile_format_timestamp(1764750000, 0, ts);
	T_STREQ(ts, "2025-12-03T08:20:00.000000000Z", "--timestamps prefix of a whole second");
	int64_t s;
	long ns;
	T_OK(jsonfile_parse_time("1764750000.5", &s, &ns) == 0 && s == 1764750000 && ns == 500000000,
	     "since=sec.nanos parses");
	T_OK(jsonfile_parse_time("12x", &s, &ns) < 0, "bad since is refused");
}

static void test_opts(void)
{
	struct jsonfile_opts o = JSONFILE_OPTS_INIT;
	struct berr err = BERR_INIT;

	T_OK(jsonfile_opt_set(&o, "max-size", "1k", &err) == 0 && o.max_size == 1024, "max-size 1k = 1024");
	T_OK(jsonfile_opt_set(&o, "max-size", "2.5m", &err) == 0 && o.max_size == 2621440, "max-size 2.5m");
	T_OK(jsonfile_opt_set(&o, "max-size", "10MiB", &err) == 0 && o.max_size == 10 << 20, "max-size 10MiB");
	T_OK(jsonfile_opt_set(&o, "max-size", "0", &err) < 0 && !strcmp(err.msg, "max-size must be a positive number"),
	     "max-size 0: docker's error");
	T_OK(jsonfile_opt_set(&o, "max-file", "0", &err) < 0 && !strcmp(err.msg, "max-file cannot be less than 1"),
	     "max-file 0: docker's error");
	T_OK(jsonfile_opt_set(&o, "max-file", "3", &err) == 0 && o.max_file == 3, "max-file 3");
	T_OK(jsonfile_opt_set(&o, "compress", "true", &err) < 0, "compress=true is refused (not implemented)");
}

struct collect {
	struct sbuf out;
	int n;
	int stop_after;
};

static int collect_fn(const struct jsonfile_record *r, void *ctx)
{
	struct collect *c = ctx;

	sbuf_addf(&c->out, "%s:%lld:", r->stream, (long long)r->sec);
	sbuf_add(&c->out, r->log, r->len);
	c->n++;
	return c->stop_after && c->n >= c->stop_after;
}

static void read_into(const char *path, struct jsonfile_read_opts *ro, struct collect *c)
{
	struct berr err = BERR_INIT;

	sbuf_reset(&c->out);
	c->n = 0;
	if (jsonfile_read(path, ro, collect_fn, c, &err) < 0)
		printf("# read: %s\n", err.msg);
}

static void test_rotation_and_reader(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/r.log", dir);
	_cleanup_free_ char *p1 = xasprintf("%s.1", path);
	_cleanup_free_ char *p2 = xasprintf("%s.2", path);
	_cleanup_free_ char *p3 = xasprintf("%s.3", path);
	struct jsonfile_opts o = JSONFILE_OPTS_INIT;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct berr err = BERR_INIT;
	struct collect c = { SBUF_INIT, 0, 0 };
	struct jsonfile_writer *w;
	struct stat st;
	char line[16];

	o.max_size = 200;
	o.max_file = 3;
	w = jsonfile_open(path, &o, &err);
	/* each record is 67 bytes: 3 per file (rotation happens once >= 200) */
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "line%02d\n", i);
		jsonfile_write(w, i % 2 ? "stderr" : "stdout", line, 7, 1000 + i, 0, &err);
	}
	T_OK(stat(path, &st) == 0 && st.st_size == 67, "current file has the last record (%lld)",
	     (long long)st.st_size);
	T_OK(stat(p1, &st) == 0 && st.st_size == 3 * 67 && stat(p2, &st) == 0 && stat(p3, &st) < 0,
	     "rotated to .1 and .2, no .3 with max-file 3");

	ro.max_file = 3;
	read_into(path, &ro, &c);
	T_STREQ(c.out.buf, "stderr:1003:line03\nstdout:1004:line04\nstderr:1005:line05\n"
		"stdout:1006:line06\nstderr:1007:line07\nstdout:1008:line08\nstderr:1009:line09\n",
		"all records, oldest file first");
	ro.tail = 3;
	read_into(path, &ro, &c);
	T_STREQ(c.out.buf, "stderr:1007:line07\nstdout:1008:line08\nstderr:1009:line09\n", "tail 3 across files");
	ro.tail = 1;
	read_into(path, &ro, &c);
	T_STREQ(c.out.buf, "stderr:1009:line09\n", "tail 1");
	ro.tail = 0;
	read_into(path, &ro, &c);
	T_OK(c.n == 0, "tail 0 is nothing");
	ro.tail = 100;
	ro.streams = JSONFILE_STDERR;
	read_into(path, &ro, &c);
	T_OK(c.n == 4, "stderr only: 4 records");
	ro.streams = JSONFILE_STDOUT | JSONFILE_STDERR;
	ro.tail = -1;
	ro.since_sec = 1005;
	ro.until_sec = 1007;
	read_into(path, &ro, &c);
	T_STREQ(c.out.buf, "stderr:1005:line05\nstdout:1006:line06\nstderr:1007:line07\n",
		"since and until are inclusive");
	ro.since_sec = ro.until_sec = 0;
	ro.max_file = 1;
	read_into(path, &ro, &c);
	T_OK(c.n == 1, "max_file 1 reads only the current file");
	jsonfile_close(w);

	/* max-file 1: the file starts afresh */
	o.max_file = 1;
	unlink(path);
	w = jsonfile_open(path, &o, &err);
	for (int i = 0; i < 5; i++)
		jsonfile_write(w, "stdout", "line00\n", 7, 1000, 0, &err);
	jsonfile_close(w);
	T_OK(stat(path, &st) == 0 && st.st_size == 2 * 67, "max-file 1 truncates (%lld)", (long long)st.st_size);

	/* an existing file is appended to and its size counts */
	o.max_size = -1;
	w = jsonfile_open(path, &o, &err);
	jsonfile_write(w, "stdout", "more\n", 5, 1000, 0, &err);
	jsonfile_close(w);
	T_OK(stat(path, &st) == 0 && st.st_size == 2 * 67 + 65, "reopened log is appended to");
	sbuf_release(&c.out);
}

struct follow_arg {
	const char *path;
	struct collect c;
	int rc;
};

static void *follow_thread(void *p)
{
	struct follow_arg *a = p;
	struct jsonfile_read_opts ro = JSONFILE_READ_OPTS_INIT;
	struct berr err = BERR_INIT;

	ro.follow = 1;
	ro.max_file = 2;
	a->rc = jsonfile_read(a->path, &ro, collect_fn, &a->c, &err);
	return NULL;
}

static void test_follow(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/f.log", dir);
	struct jsonfile_opts o = JSONFILE_OPTS_INIT;
	struct berr err = BERR_INIT;
	struct follow_arg a = { path, { SBUF_INIT, 0, 0 }, -2 };
	struct jsonfile_writer *w;
	pthread_t th;
	char line[16];

	o.max_size = 150;
	o.max_file = 2;
	w = jsonfile_open(path, &o, &err);
	jsonfile_write(w, "stdout", "before\n", 7, 1, 0, &err);
	pthread_create(&th, NULL, follow_thread, &a);
	usleep(50000);
	for (int i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "f%d\n", i);
		jsonfile_write(w, "stdout", line, 3, 2 + i, 0, &err);
		usleep(20000);
	}
	usleep(50000);
	T_OK(a.rc == -2, "follow still running while the writer is open");
	jsonfile_close(w);
	pthread_join(th, NULL);
	T_OK(a.rc == 0, "follow ends when the writer closes");
	T_STREQ(sbuf_str(&a.c.out), "stdout:1:before\nstdout:2:f0\nstdout:3:f1\nstdout:4:f2\nstdout:5:f3\n"
		"stdout:6:f4\nstdout:7:f5\n", "follow saw every record, across rotations");

	/* following a log whose writer is gone returns at once */
	sbuf_reset(&a.c.out);
	a.c.n = 0;
	a.rc = -2;
	follow_thread(&a);
	T_OK(a.rc == 0 && a.c.n == 4, "follow of a stopped container's log returns what is there (%d)", a.c.n);
	sbuf_release(&a.c.out);
}

static void test_stdcopy(void)
{
	struct sbuf out = SBUF_INIT;
	struct stdcopy_reader r;
	const char *pl;
	size_t len;
	int type;

	stdcopy_frame(&out, STDCOPY_STDERR, "2026-12-03T08:07:44.904602263Z err\n", 35);
	T_OK(out.len == 43 && !memcmp(out.buf, "\x02\0\0\0\0\0\0\x23", 8), "frame header 02 00 00 00 00 00 00 23");
	stdcopy_reader_init(&r);
	stdcopy_reader_feed(&r, out.buf, 5);
	T_OK(stdcopy_reader_next(&r, &type, &pl, &len) == 0, "half a header: more needed");
	stdcopy_reader_feed(&r, out.buf + 5, out.len - 5);
	T_OK(stdcopy_reader_next(&r, &type, &pl, &len) == 1 && type == 2 && len == 35 && !memcmp(pl, "2026", 4),
	     "frame read back");
	T_OK(stdcopy_reader_next(&r, &type, &pl, &len) == 0, "no more frames");
	stdcopy_reader_release(&r);
	sbuf_release(&out);
}

int main(void)
{
	const char *src = getenv("BERTH_SRCDIR") ? getenv("BERTH_SRCDIR") : ".";
	char dir[] = "/tmp/berth-jsonfile.XXXXXX";
	struct berr err = BERR_INIT;

	if (!mkdtemp(dir))
		return 1;
	test_golden(src, dir);
	test_times(dir);
	test_opts();
	test_rotation_and_reader(dir);
	test_follow(dir);
	test_stdcopy();
	remove_all_at(AT_FDCWD, dir, &err);
	return t_done();
}
