/*
 * tarsplit.c - tar-split: CRC-64/ISO, the JSON-lines writer that matches
 * Go's encoding/json byte for byte, the disassembler that mirrors
 * tar-split's asm.NewInputTarStream (v0.11, as Docker 20.10) on top of our tar reader, and
 * the assembler that rebuilds a layer tar from the lines and a directory.
 */
#include "tarsplit.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <isa-l/crc64.h>
#include <unistd.h>

#include "../util/base64.h"
#include "../util/fs.h"
#include "tar.h"

#define TS_FILE 1
#define TS_SEGMENT 2

/* tar-split reads trailing bytes in chunks of this size so that garbage
 * after the archive never has to fit in memory at once. */
#define TS_PAD_CHUNK (1024 * 1024)

/* Longest JSON line assemble accepts: a segment holds at most a few
 * extension headers (each limited to 1 MiB by tar-split's reader) or one
 * padding chunk, so anything near this bound is hostile. */
#define TS_MAX_LINE (32u * 1024 * 1024)

#define TS_COPY_BUF (128 * 1024)

/* ---- CRC-64/ISO ---- */

uint64_t crc64_iso_update(uint64_t crc, const void *buf, size_t n)
{
	/* ISA-L's PCLMUL/AVX-512 folding: ~10x a table-driven loop.  Its
	 * seed/result convention is Go's crc64.Update (inverted register
	 * kept between calls), so chunks compose the same way. */
	return crc64_iso_refl(crc, buf, n);
}

static void crc_bytes(uint64_t crc, unsigned char out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(crc >> (56 - 8 * i));
}

/* Strict Go base64; see util/base64.h.  Appends. */
static int b64_decode(struct sbuf *out, const char *s, size_t n, struct berr *err)
{
	size_t at;

	if (base64_decode(out, s, n, &at) < 0)
		return berr_set(err, BERR_INVALID, "tar-split: illegal base64 data at input byte %zu", at);
	return 0;
}

/* ---- UTF-8 and Go's JSON string escaping ---- */

/* Length of the valid UTF-8 sequence at p (as Go's utf8 package decides:
 * no overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (n) {
		size_t k = utf8_seq(p, n, &cp);
		if (!k)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

/* The escape Go's encoder writes for an ASCII byte, or NULL to keep it;
 * u holds a \u00XX form when one is needed. */
static const char *ascii_escape(unsigned char c, char u[7])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '\b': return "\\b";
	case '\f': return "\\f";
	}
	if (c >= 0x20 && c != '<' && c != '>' && c != '&')
		return NULL;
	memcpy(u, "\\u00", 4);
	u[4] = hex[c >> 4];
	u[5] = hex[c & 15];
	u[6] = '\0';
	return u;
}

/* Go's encodeState.string with HTML escaping on (json.Encoder's default)
 * and the short \b and \f escapes of Go >= 1.22, which builds moby.  The
 * input is valid UTF-8 (invalid names go to name_raw). */
static void go_json_string(struct sbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, lit = 0;
	uint32_t cp;

	sbuf_addch(sb, '"');
	while (i < n) {
		size_t k = 1;
		const char *esc = NULL;
		char u[7];

		if (p[i] < 0x80) {
			esc = ascii_escape(p[i], u);
		} else {
			k = utf8_seq(p + i, n - i, &cp);
			if (k == 3 && (cp == 0x2028 || cp == 0x2029))
				esc = cp == 0x2028 ? "\\u2028" : "\\u2029";
			else if (!k)
				k = 1, esc = "\\ufffd";
		}
		if (esc) {
			sbuf_add(sb, s + lit, i - lit);
			sbuf_addstr(sb, esc);
			lit = i + k;
		}
		i += k;
	}
	sbuf_add(sb, s + lit, n - lit);
	sbuf_addch(sb, '"');
}

/* ---- a small open-addressing set of names ---- */

struct name_slot {
	char *name;     /* NULL when empty */
	size_t len;
	uint64_t hash;
};

struct tarsplit_nameset {
	struct name_slot *slots;
	size_t cap;     /* power of two */
	size_t count;
};

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static void nameset_free(struct tarsplit_nameset *ns)
{
	if (!ns)
		return;
	for (size_t i = 0; i < ns->cap; i++)
		free(ns->slots[i].name);
	free(ns->slots);
	free(ns);
}

static struct name_slot *nameset_find(struct tarsplit_nameset *ns, const char *s, size_t n, uint64_t h)
{
	size_t i = h & (ns->cap - 1);

	for (;;) {
		struct name_slot *sl = &ns->slots[i];
		if (!sl->name || (sl->hash == h && sl->len == n && !memcmp(sl->name, s, n)))
			return sl;
		i = (i + 1) & (ns->cap - 1);
	}
}

static void nameset_grow(struct tarsplit_nameset *ns)
{
	struct name_slot *old = ns->slots;
	size_t old_cap = ns->cap;

	ns->cap = old_cap ? old_cap * 2 : 64;
	ns->slots = xcalloc(ns->cap, sizeof(*ns->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].name)
			*nameset_find(ns, old[i].name, old[i].len, old[i].hash) = old[i];
	free(old);
}

/* Takes ownership of s; returns 1 if it was new, 0 if already present. */
static int nameset_add(struct tarsplit_nameset *ns, char *s, size_t n)
{
	uint64_t h = name_hash(s, n);
	struct name_slot *sl;

	if ((ns->count + 1) * 4 > ns->cap * 3)
		nameset_grow(ns);
	sl = nameset_find(ns, s, n, h);
	if (sl->name) {
		free(s);
		return 0;
	}
	sl->name = s;
	sl->len = n;
	sl->hash = h;
	ns->count++;
	return 1;
}

/* tar-split refuses two file entries whose names clean to the same path,
 * both when packing and when unpacking. */
static int check_dup(struct tarsplit_nameset **nsp, const char *name, size_t n, struct berr *err)
{
	size_t clen;
	char *clean = path_clean(name, n, &clen);

	if (!*nsp)
		*nsp = xcalloc(1, sizeof(**nsp));
	if (!nameset_add(*nsp, clean, clen))
		return berr_set(err, BERR_INVALID, "duplicates of file paths not supported");
	return 0;
}

/* ---- the writer ---- */

void tarsplit_writer_init(struct tarsplit_writer *tw, tarsplit_out_fn out, void *ctx)
{
	tw->out = out;
	tw->ctx = ctx;
	tw->position = 0;
	sbuf_init(&tw->line);
	tw->seen = NULL;
}

void tarsplit_writer_release(struct tarsplit_writer *tw)
{
	sbuf_release(&tw->line);
	nameset_free(tw->seen);
	tw->seen = NULL;
}

static int emit_line(struct tarsplit_writer *tw, struct berr *err)
{
	sbuf_addf(&tw->line, ",\"position\":%lld}\n", (long long)tw->position);
	if (tw->out(tw->ctx, tw->line.buf, tw->line.len, err) < 0)
		return -1;
	tw->position++;
	return 0;
}

int tarsplit_add_segment(struct tarsplit_writer *tw, const void *raw, size_t n, struct berr *err)
{
	sbuf_reset(&tw->line);
	sbuf_addstr(&tw->line, "{\"type\":2,\"payload\":\"");
	base64_encode(&tw->line, raw, n);
	sbuf_addch(&tw->line, '"');
	return emit_line(tw, err);
}

int tarsplit_add_file(struct tarsplit_writer *tw, const char *name, size_t name_len, int64_t size,
		      uint64_t crc, struct berr *err)
{
	struct sbuf *l = &tw->line;

	if (check_dup(&tw->seen, name, name_len, err) < 0)
		return -1;
	sbuf_reset(l);
	sbuf_addstr(l, "{\"type\":1");
	if (name_len && utf8_valid(name, name_len)) {
		sbuf_addstr(l, ",\"name\":");
		go_json_string(l, name, name_len);
	} else if (name_len) {
		sbuf_addstr(l, ",\"name_raw\":\"");
		base64_encode(l, (const unsigned char *)name, name_len);
		sbuf_addch(l, '"');
	}
	if (size != 0)
		sbuf_addf(l, ",\"size\":%lld", (long long)size);
	if (size > 0) {
		unsigned char b[8];
		crc_bytes(crc, b);
		sbuf_addstr(l, ",\"payload\":\"");
		base64_encode(l, b, 8);
		sbuf_addch(l, '"');
	} else {
		sbuf_addstr(l, ",\"payload\":null");
	}
	return emit_line(tw, err);
}

/* ---- disassembly ---- */

static int flush_raw(struct tarsplit_writer *tw, struct sbuf *raw, struct berr *err)
{
	int rc = 0;

	if (raw->len > 0)
		rc = tarsplit_add_segment(tw, raw->buf, raw->len, err);
	sbuf_reset(raw);
	return rc;
}

struct disasm {
	struct tar_reader *tr;
	struct tarsplit_writer *tw;
	struct sbuf raw;
	char *buf;              /* TS_COPY_BUF bytes, reused for every payload */
};

static int crc_payload(struct disasm *d, int64_t size, uint64_t *crc, struct berr *err)
{
	ssize_t k;

	*crc = 0;
	if (size <= 0)
		return 0;
	while ((k = tar_read(d->tr, d->buf, TS_COPY_BUF, err)) > 0)
		*crc = crc64_iso_update(*crc, d->buf, (size_t)k);
	return k < 0 ? -1 : 0;
}

/* One header: the raw bytes before it, the file entry, and whatever raw
 * bytes reading the payload produced (none for plain files, but tar-split
 * asks, so we do). */
static int disassemble_entry(struct disasm *d, const struct tar_header *hdr, struct berr *err)
{
	uint64_t crc;

	if (flush_raw(d->tw, &d->raw, err) < 0)
		return -1;
	if (crc_payload(d, hdr->size, &crc, err) < 0)
		return -1;
	if (tarsplit_add_file(d->tw, hdr->name, hdr->name_len, hdr->size, crc, err) < 0)
		return -1;
	return flush_raw(d->tw, &d->raw, err);
}

struct pad_ctx {
	struct tarsplit_writer *tw;
	struct sbuf chunk;
};

static int pad_cb(void *ctx, const void *buf, size_t n, struct berr *err)
{
	struct pad_ctx *pc = ctx;
	const char *p = buf;

	while (n > 0) {
		size_t take = TS_PAD_CHUNK - pc->chunk.len;
		if (take > n)
			take = n;
		sbuf_add(&pc->chunk, p, take);
		p += take;
		n -= take;
		if (pc->chunk.len == TS_PAD_CHUNK && flush_raw(pc->tw, &pc->chunk, err) < 0)
			return -1;
	}
	return 0;
}

/* Bytes after the end-of-archive marker.  Docker 20.10 (Debian's build
 * and upstream's vendoring) uses tar-split v0.11, which emits them as
 * segments of at most 1 MiB and then, at EOF, one empty segment, so
 * every layer's tar-split ends with {"type":2,"payload":"",...}. */
int tarsplit_add_trailer(struct tarsplit_writer *tw, struct tar_reader *tr, struct berr *err)
{
	struct pad_ctx pc = { tw, SBUF_INIT };
	int rc;

	rc = tar_drain(tr, pad_cb, &pc, err);
	if (rc == 0)
		rc = flush_raw(tw, &pc.chunk, err);
	if (rc == 0)
		rc = tarsplit_add_segment(tw, "", 0, err);
	sbuf_release(&pc.chunk);
	return rc < 0 ? -1 : 0;
}

int tarsplit_disassemble(struct reader *tar, struct tarsplit_writer *tw, struct berr *err)
{
	struct disasm d = { NULL, tw, SBUF_INIT, xmalloc(TS_COPY_BUF) };
	const struct tar_header *hdr;
	int rc;

	d.tr = tar_reader_new(tar, &d.raw);
	tar_reader_tarsplit_compat(d.tr, 1);
	while ((rc = tar_next(d.tr, &hdr, err)) > 0)
		if (disassemble_entry(&d, hdr, err) < 0)
			break;
	/* At the end marker tar-split records what the reader consumed
	 * (last padding, the zero blocks), then whatever follows. */
	rc = rc == 0 ? flush_raw(tw, &d.raw, err) : -1;
	if (rc == 0)
		rc = tarsplit_add_trailer(tw, d.tr, err);
	tar_reader_free(d.tr);
	sbuf_release(&d.raw);
	free(d.buf);
	return rc;
}

/* ---- assembly ---- */

struct ts_entry {
	int type;
	int64_t size;
	struct sbuf name;       /* decoded name (name_raw wins when non-empty) */
	struct sbuf payload;    /* decoded payload */
};

/* Go's decoder matches keys case-insensitively; so do we. */
static json_t *obj_get(json_t *o, const char *key)
{
	const char *k;
	json_t *v, *found = NULL;

	json_object_foreach(o, k, v)
		if (!strcasecmp(k, key))
			found = v;
	return found;
}

static int get_int(json_t *o, const char *key, int64_t *out, struct berr *err)
{
	json_t *v = obj_get(o, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return berr_set(err, BERR_INVALID, "tar-split: %s is not an integer", key);
	*out = json_integer_value(v);
	return 0;
}

static int get_b64(json_t *o, const char *key, struct sbuf *out, struct berr *err)
{
	json_t *v = obj_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return berr_set(err, BERR_INVALID, "tar-split: %s is not a string", key);
	return b64_decode(out, json_string_value(v), json_string_length(v), err);
}

static int entry_parse(const char *line, size_t n, struct ts_entry *e, struct berr *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, n, 0, &jerr);
	json_t *name;
	int64_t type;
	int rc = -1;

	if (!o)
		return berr_set(err, BERR_INVALID, "tar-split: invalid JSON: %s", jerr.text);
	if (!json_is_object(o)) {
		berr_set(err, BERR_INVALID, "tar-split: entry is not an object");
		goto out;
	}
	if (get_int(o, "type", &type, err) < 0 || get_int(o, "size", &e->size, err) < 0)
		goto out;
	e->type = (type == TS_FILE || type == TS_SEGMENT) ? (int)type : 0;
	if (e->size < 0) {
		berr_set(err, BERR_INVALID, "tar-split: negative size");
		goto out;
	}
	if (get_b64(o, "payload", &e->payload, err) < 0 || get_b64(o, "name_raw", &e->name, err) < 0)
		goto out;
	name = obj_get(o, "name");
	if (e->name.len == 0 && name && !json_is_null(name)) {
		if (!json_is_string(name)) {
			berr_set(err, BERR_INVALID, "tar-split: name is not a string");
			goto out;
		}
		sbuf_add(&e->name, json_string_value(name), json_string_length(name));
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* Go's %q for the common case: quotes, backslashes and non-printables
 * escaped, valid UTF-8 kept. */
static void quote_name(struct sbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	sbuf_addch(sb, '"');
	for (size_t i = 0; i < n;) {
		size_t k = p[i] >= 0x80 ? utf8_seq(p + i, n - i, &cp) : 1;
		if (k > 1) {
			sbuf_add(sb, s + i, k);
			i += k;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\')
			sbuf_addf(sb, "\\%c", p[i]);
		else if (p[i] == '\n')
			sbuf_addstr(sb, "\\n");
		else if (p[i] == '\t')
			sbuf_addstr(sb, "\\t");
		else if (p[i] == '\r')
			sbuf_addstr(sb, "\\r");
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			sbuf_addf(sb, "\\x%02x", p[i]);
		else
			sbuf_addch(sb, (char)p[i]);
		i++;
	}
	sbuf_addch(sb, '"');
}

static int crc_fail(const struct ts_entry *e, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf q = SBUF_INIT;

	quote_name(&q, sbuf_str(&e->name), e->name.len);
	return berr_set(err, BERR_DIGEST, "file integrity checksum failed for %s", sbuf_str(&q));
}

/* Opens the entry's file under root: the kernel resolves every component
 * (symlinks included) as if root were "/", so nothing outside it is
 * reachable; names that climb above root are refused before that. */
static int open_in_root(int root_dirfd, const struct ts_entry *e, struct berr *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *name = sbuf_str(&e->name);
	size_t clen;
	_cleanup_free_ char *clean = NULL;
	struct stat st;
	int fd;

	if (memchr(name, '\0', e->name.len))
		return berr_set(err, BERR_INVALID, "tar-split: file name contains NUL");
	clean = path_clean(name, e->name.len, &clen);
	if (!strcmp(clean, "..") || !strncmp(clean, "../", 3))
		return berr_set(err, BERR_INVALID, "tar-split: file name escapes the root: %s", name);
	/* EAGAIN means a concurrent rename raced the scoped lookup; a few
	 * retries settle it without letting a hostile tree spin us forever. */
	for (int tries = 0;; tries++) {
		fd = (int)syscall(SYS_openat2, root_dirfd, clean, &how, sizeof(how));
		if (fd >= 0 || !(errno == EINTR || (errno == EAGAIN && tries < 16)))
			break;
	}
	if (fd < 0)
		return berr_sys(err, "open %s", clean);
	/* Only regular files carry payloads; a FIFO or device here would
	 * block or feed us unbounded data. */
	if (fstat(fd, &st) < 0) {
		berr_sys(err, "stat %s", clean);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return berr_set(err, BERR_INVALID, "tar-split: %s is not a regular file", clean);
	}
	return fd;
}

static int copy_file(int fd, const struct ts_entry *e, tarsplit_out_fn out, void *ctx, char *buf,
		     struct berr *err)
{
	int64_t left = e->size;
	uint64_t crc = 0;
	unsigned char want[8], extra;
	ssize_t k;

	while (left > 0) {
		size_t want_n = left < TS_COPY_BUF ? (size_t)left : TS_COPY_BUF;
		do
			k = read(fd, buf, want_n);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return berr_sys(err, "read %s", sbuf_str(&e->name));
		if (k == 0)
			return crc_fail(e, err);
		crc = crc64_iso_update(crc, buf, (size_t)k);
		if (out(ctx, buf, (size_t)k, err) < 0)
			return -1;
		left -= k;
	}
	/* A longer file would have failed tar-split's CRC check too. */
	do
		k = read(fd, &extra, 1);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return berr_sys(err, "read %s", sbuf_str(&e->name));
	crc_bytes(crc, want);
	if (k > 0 || e->payload.len != 8 || memcmp(e->payload.buf, want, 8))
		return crc_fail(e, err);
	return 0;
}

struct assemble_ctx {
	int root_dirfd;
	tarsplit_out_fn out;
	void *ctx;
	struct tarsplit_nameset *seen;
	char *buf;
	int size_only;  /* tarsplit_tar_size: count, read no files */
	int64_t total;
};

static int assemble_entry(struct assemble_ctx *ac, const struct ts_entry *e, struct berr *err)
{
	int fd, rc;

	if (ac->size_only) {
		if (e->type == TS_SEGMENT)
			ac->total += (int64_t)e->payload.len;
		else if (e->type == TS_FILE && e->size > 0)
			ac->total += e->size;
		return 0;
	}
	if (e->type == TS_SEGMENT)
		return e->payload.len ? ac->out(ac->ctx, e->payload.buf, e->payload.len, err) : 0;
	if (e->type != TS_FILE)
		return 0;
	if (check_dup(&ac->seen, sbuf_str(&e->name), e->name.len, err) < 0)
		return -1;
	if (e->size == 0)
		return 0;
	fd = open_in_root(ac->root_dirfd, e, err);
	if (fd < 0)
		return -1;
	rc = copy_file(fd, e, ac->out, ac->ctx, ac->buf, err);
	close(fd);
	return rc;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static int assemble_line(struct assemble_ctx *ac, const char *line, size_t n, struct berr *err)
{
	struct ts_entry e = { 0, 0, SBUF_INIT, SBUF_INIT };
	int rc;

	if (is_blank(line, n))
		return 0;
	rc = entry_parse(line, n, &e, err);
	if (rc == 0)
		rc = assemble_entry(ac, &e, err);
	sbuf_release(&e.name);
	sbuf_release(&e.payload);
	return rc;
}

/* Splits the stream into lines, bounded by TS_MAX_LINE. */
static int assemble_lines(struct reader *json, struct assemble_ctx *ac, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf in = SBUF_INIT;
	size_t start = 0, scan = 0;
	ssize_t k;

	sbuf_grow(&in, 256 * 1024);
	for (;;) {
		char *nl = memchr(in.buf + scan, '\n', in.len - scan);
		if (nl) {
			if (assemble_line(ac, in.buf + start, (size_t)(nl - in.buf) - start, err) < 0)
				return -1;
			start = scan = (size_t)(nl - in.buf) + 1;
			continue;
		}
		if (in.len - start > TS_MAX_LINE)
			return berr_set(err, BERR_INVALID, "tar-split: line too long");
		if (start > 0) {
			memmove(in.buf, in.buf + start, in.len - start);
			in.len -= start;
			start = 0;
		}
		scan = in.len;
		sbuf_grow(&in, 256 * 1024);
		k = reader_read(json, in.buf + in.len, in.alloc - in.len - 1, err);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		in.len += (size_t)k;
		in.buf[in.len] = '\0';
	}
	return in.len > start ? assemble_line(ac, in.buf + start, in.len - start, err) : 0;
}

int tarsplit_assemble(struct reader *json, int root_dirfd, tarsplit_out_fn out, void *ctx, struct berr *err)
{
	struct assemble_ctx ac = { root_dirfd, out, ctx, NULL, xmalloc(TS_COPY_BUF), 0, 0 };
	int rc;

	rc = assemble_lines(json, &ac, err);
	nameset_free(ac.seen);
	free(ac.buf);
	return rc;
}

int tarsplit_tar_size(struct reader *json, int64_t *size, struct berr *err)
{
	struct assemble_ctx ac = { -1, NULL, NULL, NULL, NULL, 1, 0 };

	if (assemble_lines(json, &ac, err) < 0)
		return -1;
	*size = ac.total;
	return 0;
}
