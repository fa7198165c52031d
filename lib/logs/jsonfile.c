/* jsonfile.c - see jsonfile.h. */
#include "jsonfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/fs.h"
#include "util/timefmt.h"

/* ------------------------------------------------------------ options */

/* go-units RAMInBytes: "<number>[ ]<k|m|g|t|p>[i][b]", binary units. */
static int parse_ram_bytes(const char *s, int64_t *out)
{
	char *end;
	double v;
	int64_t mult = 1;

	if (!*s || !((*s >= '0' && *s <= '9')))
		return -1;
	v = strtod(s, &end);
	if (end == s)
		return -1;
	if (*end == ' ')
		end++;
	switch (*end | 0x20) {
	case 'k': mult = 1LL << 10; end++; break;
	case 'm': mult = 1LL << 20; end++; break;
	case 'g': mult = 1LL << 30; end++; break;
	case 't': mult = 1LL << 40; end++; break;
	case 'p': mult = 1LL << 50; end++; break;
	default: break;
	}
	if (mult > 1 && (*end | 0x20) == 'i')
		end++;
	if ((*end | 0x20) == 'b')
		end++;
	if (*end)
		return -1;
	*out = (int64_t)(v * (double)mult);
	return 0;
}

int jsonfile_opt_set(struct jsonfile_opts *o, const char *key, const char *value, struct berr *err)
{
	if (!strcmp(key, "max-size")) {
		int64_t n;
		if (parse_ram_bytes(value, &n) < 0)
			return berr_set(err, BERR_INVALID, "invalid size: '%s'", value);
		if (n <= 0)
			return berr_set(err, BERR_INVALID, "max-size must be a positive number");
		o->max_size = n;
		return 0;
	}
	if (!strcmp(key, "max-file")) {
		char *end;
		long n = strtol(value, &end, 10);
		if (!*value || *end)
			return berr_set(err, BERR_INVALID, "strconv.Atoi: parsing \"%s\": invalid syntax", value);
		if (n < 1)
			return berr_set(err, BERR_INVALID, "max-file cannot be less than 1");
		o->max_file = n > INT_MAX ? INT_MAX : (int)n;
		return 0;
	}
	if (!strcmp(key, "compress")) {
		if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "f") ||
		    !strcmp(value, "F") || !strcmp(value, "FALSE") || !strcmp(value, "False"))
			return 0;
		return berr_set(err, BERR_UNSUPPORTED, "compress is not supported by berth's json-file driver");
	}
	return berr_set(err, BERR_INVALID, "unknown log opt '%s' for json-file log driver", key);
}

/* ------------------------------------------------------------ encoding */

/* The length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules:
 * no overlongs, no surrogates, <= U+10FFFF), or 0 when invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t need;
	unsigned lo = 0x80, hi = 0xbf, v;

	if (c >= 0xc2 && c <= 0xdf) { need = 2; v = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) {
		need = 3; v = c & 0x0f;
		if (c == 0xe0) lo = 0xa0;
		if (c == 0xed) hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4; v = c & 0x07;
		if (c == 0xf0) lo = 0x90;
		if (c == 0xf4) hi = 0x8f;
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return need;
}

static void encode_string(struct sbuf *out, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;

	sbuf_grow(out, n + 2);
	sbuf_addch(out, '"');
	while (i < n) {
		unsigned char b = s[i];
		if (b < 0x80) {
			if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
				i++;
				continue;
			}
			sbuf_add(out, s + start, i - start);
			if (b == '\\' || b == '"') {
				char e[2] = { '\\', (char)b };
				sbuf_add(out, e, 2);
			} else if (b == '\n') {
				sbuf_add(out, "\\n", 2);
			} else if (b == '\r') {
				sbuf_add(out, "\\r", 2);
			} else {
				char e[6] = { '\\', 'u', '0', '0', hex[b >> 4], hex[b & 15] };
				sbuf_add(out, e, 6);
			}
			start = ++i;
			continue;
		}
		unsigned cp = 0;
		size_t k = utf8_valid_len(s + i, n - i, &cp);
		if (!k) {
			sbuf_add(out, s + start, i - start);
			sbuf_add(out, "\\ufffd", 6);
			start = ++i;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			sbuf_add(out, s + start, i - start);
			sbuf_add(out, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
			start = i + k;
		}
		i += k;
	}
	sbuf_add(out, s + start, n - start);
	sbuf_addch(out, '"');
}

void jsonfile_encode(struct sbuf *out, const char *stream, const void *log, size_t len,
		     int64_t sec, long nsec)
{
	char t[40];
	int first = 1;

	sbuf_addch(out, '{');
	if (len) {
		sbuf_add(out, "\"log\":", 6);
		encode_string(out, log, len);
		first = 0;
	}
	if (stream && *stream) {
		if (!first)
			sbuf_addch(out, ',');
		sbuf_add(out, "\"stream\":", 9);
		encode_string(out, (const unsigned char *)stream, strlen(stream));
		first = 0;
	}
	if (!first)
		sbuf_addch(out, ',');
	unix_to_rfc3339nano(sec, nsec, t);
	sbuf_addf(out, "\"time\":\"%s\"}\n", t);
}

/* ------------------------------------------------------------ writer */

struct jsonfile_writer {
	char *path;
	int fd;
	int64_t size;
	struct jsonfile_opts opts;
	struct sbuf rec;
};

/* A new, empty, locked file that is not yet linked under the log's name:
 * rotation and first creation link it there only once it is locked, so
 * the name never shows an unlocked file while the writer lives.  An
 * O_TMPFILE where the filesystem has them, else a named temp file
 * (*tmpname, free()) in the same directory. */
static int open_locked_tmpfile(const char *path, char **tmpname, struct berr *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd;

	*tmpname = NULL;
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char rnd[65];
		random_id(rnd);
		*tmpname = xasprintf("%s.tmp-%.12s", path, rnd);
		fd = open(*tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	}
	if (fd < 0) {
		berr_sys(err, "create log file in %s", dir);
		free(*tmpname);
		*tmpname = NULL;
		return -1;
	}
	if (fchmod(fd, 0640) < 0 || flock(fd, LOCK_EX) < 0) {
		berr_sys(err, "lock log file %s", path);
		close(fd);
		if (*tmpname)
			unlink(*tmpname);
		free(*tmpname);
		*tmpname = NULL;
		return -1;
	}
	return fd;
}

/* Gives the temp file the log's name; EEXIST when the name is taken. */
static int link_tmpfile(int fd, char *tmpname, const char *path)
{
	char proc[64];
	int rc, e;

	if (tmpname) {
		rc = link(tmpname, path);
		e = errno;
		unlink(tmpname);
		free(tmpname);
		errno = e;
		return rc;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

struct jsonfile_writer *jsonfile_open(const char *path, const struct jsonfile_opts *o, struct berr *err)
{
	struct jsonfile_writer *w;
	struct stat st;
	char *tmpname;
	int fd = open_locked_tmpfile(path, &tmpname, err);

	if (fd < 0)
		return NULL;
	if (link_tmpfile(fd, tmpname, path) < 0) {
		if (errno != EEXIST) {
			berr_sys(err, "create %s", path);
			close(fd);
			return NULL;
		}
		/* An earlier run's log: append to it, as docker does. */
		close(fd);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
			berr_sys(err, "open %s", path);
			if (fd >= 0)
				close(fd);
			return NULL;
		}
	} else {
		st.st_size = 0;
	}
	w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->fd = fd;
	w->size = st.st_size;
	w->opts = *o;
	sbuf_init(&w->rec);
	return w;
}

/* docker's rotate(): drop path.(max-1), shift the others up, current -> .1;
 * with max_file 1 the file is just started afresh. */
static int rotate(struct jsonfile_writer *w, struct berr *err)
{
	char *tmpname;
	int fd = open_locked_tmpfile(w->path, &tmpname, err);
	_cleanup_free_ char *old = NULL;

	if (fd < 0)
		return -1;
	if (w->opts.max_file >= 2) {
		_cleanup_free_ char *last = xasprintf("%s.%d", w->path, w->opts.max_file - 1);
		if (unlink(last) < 0 && errno != ENOENT) {
			berr_sys(err, "error removing oldest log file");
			goto fail;
		}
		for (int i = w->opts.max_file - 1; i > 1; i--) {
			_cleanup_free_ char *to = xasprintf("%s.%d", w->path, i);
			_cleanup_free_ char *from = xasprintf("%s.%d", w->path, i - 1);
			if (rename(from, to) < 0 && errno != ENOENT) {
				berr_sys(err, "rotate %s", from);
				goto fail;
			}
		}
		old = xasprintf("%s.1", w->path);
	} else {
		old = xasprintf("%s.rotating", w->path);
	}
	if (rename(w->path, old) < 0 && errno != ENOENT) {
		berr_sys(err, "rotate %s", w->path);
		goto fail;
	}
	if (link_tmpfile(fd, tmpname, w->path) < 0) {
		close(fd);
		return berr_sys(err, "create %s", w->path);
	}
	if (w->opts.max_file < 2)
		unlink(old);
	close(w->fd);   /* releases the old file's lock only now */
	w->fd = fd;
	w->size = 0;
	return 0;
fail:
	close(fd);
	if (tmpname)
		unlink(tmpname);
	free(tmpname);
	return -1;
}

int jsonfile_write(struct jsonfile_writer *w, const char *stream, const void *log, size_t len,
		   int64_t sec, long nsec, struct berr *err)
{
	if (w->opts.max_size > 0 && w->size >= w->opts.max_size && rotate(w, err) < 0)
		return berr_wrap(err, "error rotating log file");
	sbuf_reset(&w->rec);
	jsonfile_encode(&w->rec, stream, log, len, sec, nsec);
	if (fd_write_all(w->fd, w->rec.buf, w->rec.len, 0) < 0)
		return berr_sys(err, "write %s", w->path);
	w->size += (int64_t)w->rec.len;
	return 0;
}

void jsonfile_close(struct jsonfile_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	sbuf_release(&w->rec);
	free(w->path);
	free(w);
}

/* ------------------------------------------------------------ copier */

void jsonfile_copier_init(struct jsonfile_copier *c, const char *stream)
{
	c->stream = stream;
	c->n = 0;
	c->partial = 0;
	c->psec = 0;
	c->pnsec = 0;
}

/* Logs buf[0..len) as a piece (more of the line follows: no \n). */
static int log_piece(struct jsonfile_copier *c, struct jsonfile_writer *w, size_t len, int64_t sec,
		     long nsec, struct berr *err)
{
	if (!c->partial) {
		c->partial = 1;
		c->psec = sec;
		c->pnsec = nsec;
	}
	return jsonfile_write(w, c->stream, c->buf, len, c->psec, c->pnsec, err);
}

/* Logs the complete lines in buf and moves the rest to the front; a full
 * buffer with no newline is logged as a piece, like docker's copier (so
 * the cut points depend only on the bytes, never on read sizes). */
static int drain_lines(struct jsonfile_copier *c, struct jsonfile_writer *w, int64_t sec, long nsec,
		       struct berr *err)
{
	size_t p = 0;
	char *nl;

	while ((nl = memchr(c->buf + p, '\n', c->n - p))) {
		size_t q = (size_t)(nl - (c->buf + p)) + 1;
		int64_t s = c->partial ? c->psec : sec;
		long ns = c->partial ? c->pnsec : nsec;
		c->partial = 0;
		if (jsonfile_write(w, c->stream, c->buf + p, q, s, ns, err) < 0)
			return -1;
		p += q;
	}
	if (p == 0 && c->n == sizeof(c->buf)) {
		if (log_piece(c, w, c->n, sec, nsec, err) < 0)
			return -1;
		c->n = 0;
		return 0;
	}
	if (p > 0) {
		memmove(c->buf, c->buf + p, c->n - p);
		c->n -= p;
	}
	return 0;
}

int jsonfile_copier_feed(struct jsonfile_copier *c, struct jsonfile_writer *w, const void *data,
			 size_t len, int64_t sec, long nsec, struct berr *err)
{
	const char *d = data;

	while (len) {
		size_t k = sizeof(c->buf) - c->n;
		if (k > len)
			k = len;
		memcpy(c->buf + c->n, d, k);
		c->n += k;
		d += k;
		len -= k;
		if (drain_lines(c, w, sec, nsec, err) < 0)
			return -1;
	}
	return 0;
}

int jsonfile_copier_eof(struct jsonfile_copier *c, struct jsonfile_writer *w, int64_t sec, long nsec,
			struct berr *err)
{
	int rc = 0;

	if (c->n)
		rc = log_piece(c, w, c->n, sec, nsec, err);
	c->n = 0;
	c->partial = 0;
	return rc;
}

/* ------------------------------------------------------------ times */

void jsonfile_format_timestamp(int64_t sec, long nsec, char out[40])
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09ldZ", nsec);
}

int jsonfile_parse_time(const char *s, int64_t *sec, long *nsec)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno)
		return -1;
	*sec = v;
	*nsec = 0;
	if (*end == '.') {
		const char *f = end + 1;
		long ns = 0;
		int digits = 0;
		for (; *f >= '0' && *f <= '9'; f++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*f - '0');
		if (!digits)
			return -1;
		for (; digits < 9; digits++)
			ns *= 10;
		*nsec = ns;
		end = (char *)f;
	}
	return *end ? -1 : 0;
}

/* RFC 3339 with 0-9 fraction digits and Z or an offset. */
static int parse_rfc3339(const char *s, int64_t *sec, long *nsec)
{
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long ns = 0;
	int digits = 0;

	if (!rest)
		return -1;
	*sec = (int64_t)timegm(&tm);
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*rest - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	*nsec = ns;
	if (*rest == 'Z' || *rest == 'z')
		return 0;
	if (*rest == '+' || *rest == '-') {
		int h = 0, m = 0;
		if (sscanf(rest + 1, "%d:%d", &h, &m) != 2)
			return -1;
		*sec -= (*rest == '+' ? 1 : -1) * (int64_t)(h * 3600 + m * 60);
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------ reader */

int jsonfile_decode(const char *line, size_t len, struct jsonfile_record *r, struct sbuf *scratch,
		    struct sbuf *scratch2, struct berr *err)
{
	json_error_t je;
	json_t *o = json_loadb(line, len, JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK, &je);
	json_t *log, *stream, *t;
	int rc = -1;

	if (!o || !json_is_object(o)) {
		berr_set(err, BERR_INVALID, "invalid log record: %s", o ? "not an object" : je.text);
		goto out;
	}
	log = json_object_get(o, "log");
	stream = json_object_get(o, "stream");
	t = json_object_get(o, "time");
	sbuf_reset(scratch);
	if (json_is_string(log))
		sbuf_add(scratch, json_string_value(log), json_string_length(log));
	r->log = sbuf_str(scratch);
	r->len = scratch->len;
	r->stream = "";
	if (json_is_string(stream)) {
		const char *sv = json_string_value(stream);
		if (!strcmp(sv, "stdout"))
			r->stream = "stdout";
		else if (!strcmp(sv, "stderr"))
			r->stream = "stderr";
		else {
			sbuf_reset(scratch2);
			sbuf_addstr(scratch2, sv);
			r->stream = sbuf_str(scratch2);
		}
	}
	r->sec = 0;
	r->nsec = 0;
	if (json_is_string(t) && parse_rfc3339(json_string_value(t), &r->sec, &r->nsec) < 0) {
		berr_set(err, BERR_INVALID, "invalid log record time %s", json_string_value(t));
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int ts_before(int64_t s1, long n1, int64_t s2, long n2)
{
	return s1 < s2 || (s1 == s2 && n1 < n2);
}

/* One reading pass's state: buffers, and where the caller asked to stop. */
struct reader {
	const struct jsonfile_read_opts *o;
	jsonfile_record_fn fn;
	void *ctx;
	struct sbuf line, s1, s2;
	int done;                  /* the callback said stop, or until passed */
};

static int emit_line(struct reader *rd, const char *line, size_t len, struct berr *err)
{
	struct jsonfile_record r;
	const struct jsonfile_read_opts *o = rd->o;
	int mask;

	if (len == 0)
		return 0;
	if (jsonfile_decode(line, len, &r, &rd->s1, &rd->s2, err) < 0)
		return -1;
	if ((o->since_sec || o->since_nsec) && ts_before(r.sec, r.nsec, o->since_sec, o->since_nsec))
		return 0;
	if ((o->until_sec || o->until_nsec) && ts_before(o->until_sec, o->until_nsec, r.sec, r.nsec)) {
		rd->done = 1;
		return 0;
	}
	mask = !strcmp(r.stream, "stdout") ? JSONFILE_STDOUT : !strcmp(r.stream, "stderr") ? JSONFILE_STDERR : 0;
	if (!(o->streams & mask))
		return 0;
	if (rd->fn(&r, rd->ctx))
		rd->done = 1;
	return 0;
}

/* Reads fd from its offset to EOF, emitting complete lines; an unfinished
 * last line stays in rd->line for the next call (a writer mid-write). */
static int read_records(struct reader *rd, int fd, struct berr *err)
{
	char buf[65536];

	while (!rd->done) {
		ssize_t k = read(fd, buf, sizeof(buf));
		size_t p = 0;
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, "read log");
		}
		if (k == 0)
			return 0;
		while (p < (size_t)k && !rd->done) {
			char *nl = memchr(buf + p, '\n', (size_t)k - p);
			size_t q = nl ? (size_t)(nl - (buf + p)) : (size_t)k - p;
			if (!nl) {
				sbuf_add(&rd->line, buf + p, q);
				break;
			}
			if (rd->line.len) {
				sbuf_add(&rd->line, buf + p, q);
				if (emit_line(rd, rd->line.buf, rd->line.len, err) < 0)
					return -1;
				sbuf_reset(&rd->line);
			} else if (emit_line(rd, buf + p, q, err) < 0)
				return -1;
			p += q + 1;
		}
	}
	return 0;
}

/* The offset where the last *n lines of fd (size bytes) begin; *n is
 * decreased by the lines found (the whole file when fewer). */
static off_t tail_offset(int fd, off_t size, long *n)
{
	char buf[65536];
	off_t end = size, pos;
	int skip_final = 1;

	while (end > 0) {
		size_t k = end > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)end;
		pos = end - (off_t)k;
		if (pread(fd, buf, k, pos) != (ssize_t)k)
			return 0;
		for (size_t i = k; i-- > 0;) {
			if (buf[i] != '\n')
				continue;
			if (skip_final && pos + (off_t)i == size - 1) {
				skip_final = 0;
				continue;
			}
			skip_final = 0;
			if (--(*n) == 0)
				return pos + (off_t)i + 1;
		}
		skip_final = 0;
		end = pos;
	}
	/* the first line of the file has no \n before it */
	if (size > 0 && *n > 0)
		(*n)--;
	return 0;
}

/* One open log file of the set (the oldest is index 0). */
struct logfile {
	int fd;
	off_t start;
};

static int writer_gone(int fd, const char *path)
{
	struct stat a, b;

	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return 0;
	flock(fd, LOCK_UN);
	/* a free lock on a file the path no longer names is a rotation */
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return 1;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int path_is_fd(const char *path, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* follow: after the existing records, reads what the writer appends,
 * across rotations, until the writer is gone (or until / cancel). */
static int follow(struct reader *rd, const char *path, int fd, struct berr *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	int rc = 0;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if (in >= 0 && inotify_add_watch(in, dir, IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO |
					 IN_MOVED_FROM | IN_DELETE) < 0) {
		close(in);
		in = -1;
	}
	while (!rd->done) {
		struct pollfd p[2];
		int np = 0, gone;

		gone = writer_gone(fd, path);
		if (read_records(rd, fd, err) < 0) {
			rc = -1;
			break;
		}
		if (rd->done)
			break;
		if (!path_is_fd(path, fd)) {
			int nfd = open(path, O_RDONLY | O_CLOEXEC);
			if (nfd >= 0) {
				/* the old file is complete: what it had is read */
				close(fd);
				fd = nfd;
				sbuf_reset(&rd->line);
				continue;
			}
			if (gone)
				break;
		} else if (gone) {
			break;
		}
		if (in >= 0) {
			p[np].fd = in;
			p[np++].events = POLLIN;
		}
		if (rd->o->cancel_fd >= 0) {
			p[np].fd = rd->o->cancel_fd;
			p[np++].events = POLLIN;
		}
		/* the timeout only covers a missed event; inotify wakes us */
		if (poll(p, (nfds_t)np, in >= 0 ? 1000 : 100) < 0 && errno != EINTR) {
			rc = berr_sys(err, "poll");
			break;
		}
		if (rd->o->cancel_fd >= 0 && p[np - 1].revents)
			break;
		if (in >= 0 && p[0].revents) {
			char ev[4096];
			while (read(in, ev, sizeof(ev)) > 0)
				;
		}
	}
	if (in >= 0)
		close(in);
	close(fd);
	return rc;
}

int jsonfile_read(const char *path, const struct jsonfile_read_opts *o, jsonfile_record_fn fn, void *ctx,
		  struct berr *err)
{
	struct reader rd = { o, fn, ctx, SBUF_INIT, SBUF_INIT, SBUF_INIT, 0 };
	int nfiles = o->max_file > 1 ? o->max_file : 1;
	struct logfile *files = xcalloc((size_t)nfiles, sizeof(*files));
	long want = o->tail;
	int rc = 0, i;

	/* files[0] = path.(nfiles-1) (oldest) ... files[nfiles-1] = path */
	for (i = 0; i < nfiles; i++) {
		int age = nfiles - 1 - i;
		_cleanup_free_ char *p = age ? xasprintf("%s.%d", path, age) : xstrdup(path);
		files[i].fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (want >= 0) {
		for (i = nfiles - 1; i >= 0; i--) {
			struct stat st;
			if (files[i].fd < 0)
				continue;
			if (fstat(files[i].fd, &st) < 0 || (want == 0 && (i < nfiles - 1 || !o->follow))) {
				close(files[i].fd);
				files[i].fd = -1;
				continue;
			}
			/* tail 0 with follow: only what comes next */
			files[i].start = want ? tail_offset(files[i].fd, st.st_size, &want) : st.st_size;
		}
	}
	for (i = 0; i < nfiles && rc == 0; i++) {
		int last = i == nfiles - 1;
		if (files[i].fd < 0)
			continue;
		if (lseek(files[i].fd, files[i].start, SEEK_SET) < 0) {
			rc = berr_sys(err, "seek %s", path);
			break;
		}
		if (!rd.done)
			rc = read_records(&rd, files[i].fd, err);
		if (!last || !o->follow || rd.done || rc < 0) {
			close(files[i].fd);
			files[i].fd = -1;
		}
		sbuf_reset(&rd.line);
	}
	if (rc == 0 && o->follow && !rd.done) {
		int fd = files[nfiles - 1].fd;
		files[nfiles - 1].fd = -1;
		if (fd >= 0)
			rc = follow(&rd, path, fd, err);
	}
	for (i = 0; i < nfiles; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	free(files);
	sbuf_release(&rd.line);
	sbuf_release(&rd.s1);
	sbuf_release(&rd.s2);
	return rc;
}
