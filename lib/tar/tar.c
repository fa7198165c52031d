/*
 * tar.c - a streaming tar reader with Go archive/tar's semantics (Go 1.19,
 * the base of tar-split's fork that Docker reads layers with) and
 * tar-split's raw accounting; see tar.h for what goes into `raw` when.
 *
 * Formats: v7, ustar (prefix), star (prefix, atime, ctime), GNU (long
 * names and links, base-256 numbers, atime/ctime, old sparse format with
 * extension blocks), PAX ('x' records, 'g' returned as an entry, sparse
 * 0.0/0.1/1.0).  Header checksums are accepted signed or unsigned.
 *
 * Buffering: headers are parsed from an internal buffer; payload reads that
 * are large and start on an empty buffer go straight from the source into
 * the caller's memory.  Per-entry state lives in buffers owned by the
 * reader and reused, so steady state allocates nothing.
 */
#include "tar.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 512
#define BUF_SIZE (256 * 1024)
#define SPECIAL_MAX (1 << 20)   /* Go's maxSpecialFileSize */
#define XATTR_PREFIX "SCHILY.xattr."
#define XATTR_PREFIX_LEN 13

#define ERR_HEADER "archive/tar: invalid tar header"
#define ERR_TOO_LONG "archive/tar: header field too long"
#define ERR_EOF "unexpected EOF"
#define ERR_MISS_DATA "archive/tar: sparse file references non-existent data"
#define ERR_UNREF_DATA "archive/tar: sparse file contains unreferenced data"

/* A data fragment of a sparse file (Go's sparseEntry). */
struct sparse_ent {
	int64_t off, len;
};

enum state { ST_OK, ST_END, ST_ERR };

struct tar_reader {
	struct reader *src;
	struct sbuf *raw;
	int compat;              /* tar-split's RawBytes() for sparse data */

	unsigned char *buf;
	size_t pos, len;
	int src_eof;

	enum state state;
	struct berr sticky;      /* the error repeated once in ST_ERR */

	/* the current entry's data section */
	int64_t phys;            /* physical payload bytes left */
	int64_t pad;             /* padding after it */
	int sparse;
	struct sparse_ent *sp;   /* data fragments, validated */
	size_t n_sp, cap_sp, sp_idx;
	int64_t lpos, lsize;     /* logical position and size */

	struct tar_header hdr;
	struct sbuf name, link, uname, gname;
	struct sbuf long_name, long_link;
	struct sbuf pax_data;    /* last 'x'/'g' data; records point into it */
	struct sbuf gnu_map;     /* GNU.sparse.map built from 0.0 records */
	struct tar_pax_record *pax;
	size_t n_pax, cap_pax;
	size_t *order;           /* scratch for de-duplicating records */
	size_t cap_order;
	struct tar_xattr *xattrs;
	size_t n_xattrs, cap_xattrs;
	unsigned char blk[BLOCK];
};

struct tar_reader *tar_reader_new(struct reader *src, struct sbuf *raw)
{
	struct tar_reader *tr = xcalloc(1, sizeof(*tr));

	tr->src = src;
	tr->raw = raw;
	tr->buf = xmalloc(BUF_SIZE);
	return tr;
}

void tar_reader_tarsplit_compat(struct tar_reader *tr, int on)
{
	tr->compat = on;
}

void tar_reader_free(struct tar_reader *tr)
{
	if (!tr)
		return;
	sbuf_release(&tr->name);
	sbuf_release(&tr->link);
	sbuf_release(&tr->uname);
	sbuf_release(&tr->gname);
	sbuf_release(&tr->long_name);
	sbuf_release(&tr->long_link);
	sbuf_release(&tr->pax_data);
	sbuf_release(&tr->gnu_map);
	free(tr->pax);
	free(tr->order);
	free(tr->xattrs);
	free(tr->sp);
	free(tr->buf);
	free(tr);
}

static int bad_header(struct berr *err)
{
	return berr_set(err, BERR_INVALID, ERR_HEADER);
}

static int unexpected_eof(struct berr *err)
{
	return berr_set(err, BERR_INVALID, ERR_EOF);
}

/* ---- the byte source ---- */

static int fill(struct tar_reader *tr, struct berr *err)
{
	ssize_t k;

	if (tr->pos < tr->len || tr->src_eof)
		return 0;
	tr->pos = tr->len = 0;
	k = reader_read(tr->src, tr->buf, BUF_SIZE, err);
	if (k < 0)
		return -1;
	if (k == 0)
		tr->src_eof = 1;
	tr->len = (size_t)k;
	return 0;
}

/* Reads up to n bytes; 0 only at the end of the source. */
static ssize_t src_read(struct tar_reader *tr, void *out, size_t n, struct berr *err)
{
	size_t avail;

	if (tr->pos == tr->len) {
		/* Big reads bypass the buffer: one copy less for payload. */
		if (n >= BUF_SIZE / 2 && !tr->src_eof) {
			ssize_t k = reader_read(tr->src, out, n, err);
			if (k == 0)
				tr->src_eof = 1;
			return k;
		}
		if (fill(tr, err) < 0)
			return -1;
		if (tr->pos == tr->len)
			return 0;
	}
	avail = tr->len - tr->pos;
	if (n > avail)
		n = avail;
	memcpy(out, tr->buf + tr->pos, n);
	tr->pos += n;
	return (ssize_t)n;
}

/* Reads up to n bytes, fewer only at the end of the source. */
static ssize_t src_read_most(struct tar_reader *tr, void *out, size_t n, struct berr *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = src_read(tr, (char *)out + got, n - got, err);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static void account(struct tar_reader *tr, const void *p, size_t n)
{
	if (tr->raw && n)
		sbuf_add(tr->raw, p, n);
}

/* Consumes up to n bytes into raw (if any); returns how many were there. */
static int64_t consume(struct tar_reader *tr, int64_t n, struct berr *err)
{
	int64_t done = 0;

	while (done < n) {
		size_t take;

		if (fill(tr, err) < 0)
			return -1;
		if (tr->pos == tr->len)
			break;
		take = tr->len - tr->pos;
		if ((int64_t)take > n - done)
			take = (size_t)(n - done);
		account(tr, tr->buf + tr->pos, take);
		tr->pos += take;
		done += (int64_t)take;
	}
	return done;
}

/* Physical payload bytes of the current entry into out, exactly n. */
static int read_phys_full(struct tar_reader *tr, void *out, size_t n, struct berr *err)
{
	ssize_t k;

	if ((int64_t)n > tr->phys)
		return unexpected_eof(err);
	k = src_read_most(tr, out, n, err);
	if (k < 0)
		return -1;
	tr->phys -= k;
	if ((size_t)k < n)
		return unexpected_eof(err);
	return 0;
}

/* Go's discard of the unread rest plus the padding.  Returns 0, 1 when
 * the source ended inside the padding (Go's io.EOF: end of archive), -1. */
static int skip_rest(struct tar_reader *tr, struct berr *err)
{
	int64_t k;

	if (tr->phys > 0) {
		k = consume(tr, tr->phys, err);
		if (k < 0)
			return -1;
		if (k < tr->phys)
			return unexpected_eof(err);
		tr->phys = 0;
	}
	tr->sparse = 0;
	if (tr->pad > 0) {
		k = consume(tr, tr->pad, err);
		if (k < 0)
			return -1;
		if (k < tr->pad)
			return 1;
		tr->pad = 0;
	}
	return 0;
}

/* ---- numbers ---- */

static size_t field_strlen(const unsigned char *b, size_t n)
{
	const unsigned char *z = memchr(b, 0, n);
	return z ? (size_t)(z - b) : n;
}

/* Go's parseOctal: spaces and NULs trimmed around, cut at a NUL inside,
 * then strconv.ParseUint(s, 8, 64). */
static int parse_octal(const unsigned char *b, size_t n, int64_t *out)
{
	size_t s = 0, e = n;
	uint64_t x = 0;

	*out = 0;
	while (s < e && (b[s] == ' ' || b[s] == 0))
		s++;
	while (e > s && (b[e - 1] == ' ' || b[e - 1] == 0))
		e--;
	if (s == e)
		return 0;
	for (size_t i = s; i < e && b[i]; i++) {
		if (b[i] < '0' || b[i] > '7' || (x >> 61))
			return -1;
		x = x * 8 + (uint64_t)(b[i] - '0');
	}
	*out = (int64_t)x;
	return 0;
}

/* Go's parseNumeric: base-256 (two's complement) when the high bit is set. */
static int parse_numeric(const unsigned char *b, size_t n, int64_t *out)
{
	unsigned char inv;
	uint64_t x = 0;

	if (!n || !(b[0] & 0x80))
		return parse_octal(b, n, out);
	*out = 0;
	inv = (b[0] & 0x40) ? 0xff : 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = b[i] ^ inv;
		if (i == 0)
			c &= 0x7f;
		if (x >> 56)
			return -1;
		x = x << 8 | c;
	}
	if (x >> 63)
		return -1;
	*out = inv ? (int64_t)~x : (int64_t)x;
	return 0;
}

/* strconv.ParseInt(s, 10, 64): optional sign, one or more digits. */
static int parse_dec(const char *s, size_t n, int64_t *out)
{
	int neg = 0;
	uint64_t x = 0, lim;
	size_t i = 0;

	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/* Go's parsePAXTime: "sec[.frac]", frac cut or padded to nanoseconds and
 * subtracted for a negative sec. */
static int parse_pax_time(const char *v, size_t n, int64_t *sec, long *nsec)
{
	const char *dot = memchr(v, '.', n);
	size_t sl = dot ? (size_t)(dot - v) : n;
	long ns = 0;
	int64_t s;

	if (parse_dec(v, sl, &s) < 0)
		return -1;
	if (dot) {
		const char *f = dot + 1, *end = v + n;
		int digits = 0;
		for (const char *p = f; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
		}
		if (f < end)
			for (; digits < 9; digits++)
				ns *= 10;
	}
	if (sl && v[0] == '-' && ns) {
		s = (int64_t)((uint64_t)s - 1);
		ns = 1000000000L - ns;
	}
	*sec = s;
	*nsec = ns;
	return 0;
}

/* ---- header blocks ---- */

enum fmt { FMT_UNKNOWN, FMT_V7, FMT_USTAR, FMT_GNU, FMT_STAR };

/* Go's getFormat: the checksum (signed or unsigned sum), then the magic. */
static enum fmt block_format(const unsigned char *b)
{
	int64_t stored, s = 0, u = 0;

	if (parse_octal(b + 148, 8, &stored) < 0)
		return FMT_UNKNOWN;
	for (int i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : b[i];
		u += c;
		s += (signed char)c;
	}
	if (stored != u && stored != s)
		return FMT_UNKNOWN;
	if (!memcmp(b + 257, "ustar\0", 6) && !memcmp(b + 508, "tar\0", 4))
		return FMT_STAR;
	if (!memcmp(b + 257, "ustar\0", 6))
		return FMT_USTAR;
	if (!memcmp(b + 257, "ustar ", 6) && !memcmp(b + 263, " \0", 2))
		return FMT_GNU;
	return FMT_V7;
}

static int is_zero_block(const unsigned char *b)
{
	static const unsigned char zero[BLOCK];

	return !memcmp(b, zero, BLOCK);
}

static void set_str(struct sbuf *sb, const void *p, size_t n)
{
	sbuf_reset(sb);
	sbuf_add(sb, p, n);
}

/* One block into tr->blk: 1 read, 0 clean end, -1 error (a partial
 * block is "unexpected EOF" as io.ReadFull's). */
static int read_one_block(struct tar_reader *tr, struct berr *err)
{
	ssize_t k = src_read_most(tr, tr->blk, BLOCK, err);

	if (k < 0)
		return -1;
	if (k == 0)
		return 0;
	if (k < BLOCK)
		return unexpected_eof(err);
	account(tr, tr->blk, BLOCK);
	return 1;
}

/* Go's readHeader end handling: 1 header, 0 end of archive, -1 error. */
static int read_header_block(struct tar_reader *tr, struct berr *err)
{
	int rc = read_one_block(tr, err);

	if (rc <= 0 || !is_zero_block(tr->blk))
		return rc;
	rc = read_one_block(tr, err);
	if (rc <= 0)
		return rc;
	return is_zero_block(tr->blk) ? 0 : bad_header(err);
}

/* The ustar prefix (or the GNU fields that old Go writers filled with
 * one), and star/GNU times.  Returns nonzero on a bad number. */
static int parse_ext_fields(struct tar_reader *tr, enum fmt f, const unsigned char **prefix, size_t *plen)
{
	const unsigned char *b = tr->blk;
	struct tar_header *h = &tr->hdr;
	int64_t a = 0, c = 0;
	int bad = 0, gbad = 0;

	if (f == FMT_USTAR) {
		*prefix = b + 345;
		*plen = field_strlen(*prefix, 155);
		return 0;
	}
	if (f == FMT_STAR) {
		*prefix = b + 345;
		*plen = field_strlen(*prefix, 131);
		bad |= parse_numeric(b + 476, 12, &h->atime_sec);
		bad |= parse_numeric(b + 488, 12, &h->ctime_sec);
		return bad;
	}
	if (b[345])
		gbad |= parse_numeric(b + 345, 12, &a);
	if (b[357])
		gbad |= parse_numeric(b + 357, 12, &c);
	if (!gbad) {
		h->atime_sec = a;
		h->ctime_sec = c;
		return 0;
	}
	/* Before Go 1.8 the writer put a ustar prefix in GNU headers. */
	*plen = field_strlen(b + 345, 155);
	*prefix = b + 345;
	for (size_t i = 0; i < *plen; i++)
		if (b[345 + i] >= 0x80)
			*plen = 0;
	return 0;
}

/* Go's readHeader after the end checks: tr->blk into tr->hdr. */
static int parse_block(struct tar_reader *tr, struct berr *err)
{
	const unsigned char *b = tr->blk, *prefix = NULL;
	struct tar_header *h = &tr->hdr;
	enum fmt f = block_format(b);
	size_t plen = 0;
	int bad = 0;

	if (f == FMT_UNKNOWN)
		return bad_header(err);
	h->typeflag = (char)b[156];
	set_str(&tr->name, b, field_strlen(b, 100));
	set_str(&tr->link, b + 157, field_strlen(b + 157, 100));
	bad |= parse_numeric(b + 124, 12, &h->size);
	bad |= parse_numeric(b + 100, 8, &h->mode);
	bad |= parse_numeric(b + 108, 8, &h->uid);
	bad |= parse_numeric(b + 116, 8, &h->gid);
	bad |= parse_numeric(b + 136, 12, &h->mtime_sec);
	h->mtime_nsec = h->atime_nsec = h->ctime_nsec = 0;
	h->atime_sec = h->ctime_sec = 0;
	h->devmajor = h->devminor = 0;
	sbuf_reset(&tr->uname);
	sbuf_reset(&tr->gname);
	if (f != FMT_V7) {
		set_str(&tr->uname, b + 265, field_strlen(b + 265, 32));
		set_str(&tr->gname, b + 297, field_strlen(b + 297, 32));
		bad |= parse_numeric(b + 329, 8, &h->devmajor);
		bad |= parse_numeric(b + 337, 8, &h->devminor);
		bad |= parse_ext_fields(tr, f, &prefix, &plen);
		if (plen) {
			sbuf_reset(&tr->name);
			sbuf_add(&tr->name, prefix, plen);
			sbuf_addch(&tr->name, '/');
			sbuf_add(&tr->name, b, field_strlen(b, 100));
		}
	}
	return bad ? bad_header(err) : 0;
}

static int is_header_only(char t)
{
	return t == TAR_LINK || t == TAR_SYMLINK || t == TAR_CHAR || t == TAR_BLOCK || t == TAR_DIR ||
	       t == TAR_FIFO;
}

/* Go's handleRegularFile: the data section that follows the header. */
static int set_payload(struct tar_reader *tr, struct berr *err)
{
	int64_t nb = is_header_only(tr->hdr.typeflag) ? 0 : tr->hdr.size;

	if (nb < 0)
		return bad_header(err);
	tr->phys = nb;
	tr->pad = (BLOCK - nb % BLOCK) % BLOCK;
	return 0;
}

/* Go 1.19's readSpecialFile: the whole data section, at most 1 MiB. */
static int read_special(struct tar_reader *tr, struct sbuf *dst, struct berr *err)
{
	size_t n;

	if (tr->phys > SPECIAL_MAX)
		return berr_set(err, BERR_INVALID, ERR_TOO_LONG);
	n = (size_t)tr->phys;
	sbuf_reset(dst);
	sbuf_grow(dst, n);
	if (read_phys_full(tr, dst->buf, n, err) < 0)
		return -1;
	dst->len = n;
	dst->buf[n] = '\0';
	account(tr, dst->buf, n);
	return 0;
}

/* ---- PAX records ---- */

static struct tar_pax_record *pax_push(struct tar_reader *tr)
{
	if (tr->n_pax == tr->cap_pax) {
		tr->cap_pax = tr->cap_pax ? tr->cap_pax * 2 : 16;
		tr->pax = xrealloc(tr->pax, tr->cap_pax * sizeof(*tr->pax));
	}
	return &tr->pax[tr->n_pax++];
}

static const struct tar_pax_record *pax_find(const struct tar_reader *tr, const char *key)
{
	for (size_t i = tr->n_pax; i-- > 0;)
		if (!strcmp(tr->pax[i].key, key))
			return &tr->pax[i];
	return NULL;
}

/* A missing record reads as "", as a Go map lookup does. */
static const char *pax_get(const struct tar_reader *tr, const char *key, size_t *len)
{
	const struct tar_pax_record *r = pax_find(tr, key);

	*len = r ? r->value_len : 0;
	return r ? r->value : "";
}

static int validate_record(const char *k, size_t kl, const char *v, size_t vl)
{
	if (kl == 0)
		return -1;
	if (!strcmp(k, "path") || !strcmp(k, "linkpath") || !strcmp(k, "uname") || !strcmp(k, "gname"))
		return memchr(v, 0, vl) ? -1 : 0;
	return memchr(k, 0, kl) ? -1 : 0;
}

/* GNU sparse 0.0 puts offset/numbytes pairs as repeated records; Go joins
 * them into a 0.1 style GNU.sparse.map, checking their order. */
static int add_sparse_00(struct tar_reader *tr, size_t i, const char *k, const char *v, size_t vl)
{
	int want_offset = i % 2 == 0;

	if (want_offset != !strcmp(k, "GNU.sparse.offset") || memchr(v, ',', vl))
		return -1;
	if (i)
		sbuf_addch(&tr->gnu_map, ',');
	sbuf_add(&tr->gnu_map, v, vl);
	return 0;
}

/* One "%d %s=%s\n" record at s (n bytes left): parsePAXRecord.  Returns
 * its length, or -1.  Terminates key and value in place. */
static int64_t split_record(char *s, size_t n, char **k, size_t *kl, char **v, size_t *vl)
{
	char *sp = memchr(s, ' ', n), *rec_end, *eq;
	int64_t len;

	if (!sp || parse_dec(s, (size_t)(sp - s), &len) < 0 || len < 5 || len > (int64_t)n)
		return -1;
	if (len - (sp - s + 1) <= 0)
		return -1;
	rec_end = s + len;
	if (rec_end[-1] != '\n')
		return -1;
	eq = memchr(sp + 1, '=', (size_t)(rec_end - 1 - (sp + 1)));
	if (!eq)
		return -1;
	*k = sp + 1;
	*kl = (size_t)(eq - *k);
	*v = eq + 1;
	*vl = (size_t)(rec_end - 1 - *v);
	*eq = '\0';
	rec_end[-1] = '\0';
	return len;
}

static int order_cmp(const void *a, const void *b, void *ctx)
{
	const struct tar_reader *tr = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(tr->pax[i].key, tr->pax[j].key);

	return c ? c : (i < j ? -1 : 1);
}

/* A Go map keeps one value per key, the last; we keep the last record. */
static void dedupe_records(struct tar_reader *tr)
{
	size_t n = tr->n_pax, w = 0;

	if (n < 2)
		return;
	if (tr->cap_order < n) {
		tr->cap_order = n;
		tr->order = xrealloc(tr->order, n * sizeof(*tr->order));
	}
	for (size_t i = 0; i < n; i++)
		tr->order[i] = i;
	qsort_r(tr->order, n, sizeof(*tr->order), order_cmp, tr);
	for (size_t i = 0; i + 1 < n; i++)
		if (!strcmp(tr->pax[tr->order[i]].key, tr->pax[tr->order[i + 1]].key))
			tr->pax[tr->order[i]].key = NULL;
	for (size_t i = 0; i < n; i++)
		if (tr->pax[i].key)
			tr->pax[w++] = tr->pax[i];
	tr->n_pax = w;
}

/* Go's parsePAX over tr->pax_data: replaces the record set. */
static int parse_pax(struct tar_reader *tr, struct berr *err)
{
	char *s = tr->pax_data.buf, *end = s + tr->pax_data.len;
	size_t n_sparse = 0;

	tr->n_pax = 0;
	sbuf_reset(&tr->gnu_map);
	while (s && s < end) {
		char *k, *v;
		size_t kl, vl;
		int64_t len = split_record(s, (size_t)(end - s), &k, &kl, &v, &vl);
		struct tar_pax_record *r;

		if (len < 0 || validate_record(k, kl, v, vl) < 0)
			return bad_header(err);
		s += len;
		if (!strcmp(k, "GNU.sparse.offset") || !strcmp(k, "GNU.sparse.numbytes")) {
			if (add_sparse_00(tr, n_sparse++, k, v, vl) < 0)
				return bad_header(err);
			continue;
		}
		r = pax_push(tr);
		r->key = k;
		r->value = v;
		r->value_len = vl;
	}
	if (n_sparse) {
		struct tar_pax_record *r = pax_push(tr);
		r->key = "GNU.sparse.map";
		r->value = sbuf_str(&tr->gnu_map);
		r->value_len = tr->gnu_map.len;
	}
	dedupe_records(tr);
	return 0;
}

static void add_xattr(struct tar_reader *tr, const struct tar_pax_record *r)
{
	struct tar_xattr *x;

	if (tr->n_xattrs == tr->cap_xattrs) {
		tr->cap_xattrs = tr->cap_xattrs ? tr->cap_xattrs * 2 : 8;
		tr->xattrs = xrealloc(tr->xattrs, tr->cap_xattrs * sizeof(*tr->xattrs));
	}
	x = &tr->xattrs[tr->n_xattrs++];
	x->name = (char *)r->key + XATTR_PREFIX_LEN;
	x->value = (char *)r->value;
	x->value_len = r->value_len;
}

static int merge_record(struct tar_reader *tr, const struct tar_pax_record *r)
{
	struct tar_header *h = &tr->hdr;
	const char *k = r->key, *v = r->value;
	size_t n = r->value_len;

	if (!strcmp(k, "path"))
		set_str(&tr->name, v, n);
	else if (!strcmp(k, "linkpath"))
		set_str(&tr->link, v, n);
	else if (!strcmp(k, "uname"))
		set_str(&tr->uname, v, n);
	else if (!strcmp(k, "gname"))
		set_str(&tr->gname, v, n);
	else if (!strcmp(k, "uid"))
		return parse_dec(v, n, &h->uid);
	else if (!strcmp(k, "gid"))
		return parse_dec(v, n, &h->gid);
	else if (!strcmp(k, "size"))
		return parse_dec(v, n, &h->size);
	else if (!strcmp(k, "mtime"))
		return parse_pax_time(v, n, &h->mtime_sec, &h->mtime_nsec);
	else if (!strcmp(k, "atime"))
		return parse_pax_time(v, n, &h->atime_sec, &h->atime_nsec);
	else if (!strcmp(k, "ctime"))
		return parse_pax_time(v, n, &h->ctime_sec, &h->ctime_nsec);
	else if (!strncmp(k, XATTR_PREFIX, XATTR_PREFIX_LEN))
		add_xattr(tr, r);
	return 0;
}

/* Go's mergePAX: empty values keep the header's own. */
static int merge_pax(struct tar_reader *tr, struct berr *err)
{
	tr->n_xattrs = 0;
	for (size_t i = 0; i < tr->n_pax; i++)
		if (tr->pax[i].value_len && merge_record(tr, &tr->pax[i]) < 0)
			return bad_header(err);
	return 0;
}

/* ---- sparse files ---- */

static void sp_push(struct tar_reader *tr, int64_t off, int64_t len)
{
	if (tr->n_sp == tr->cap_sp) {
		tr->cap_sp = tr->cap_sp ? tr->cap_sp * 2 : 16;
		tr->sp = xrealloc(tr->sp, tr->cap_sp * sizeof(*tr->sp));
	}
	tr->sp[tr->n_sp].off = off;
	tr->sp[tr->n_sp].len = len;
	tr->n_sp++;
}

/* Up to max (offset, length) pairs of 24 bytes at b, stopping at an
 * offset starting with NUL as GNU tar does. */
static int old_gnu_entries(struct tar_reader *tr, const unsigned char *b, int max)
{
	for (int i = 0; i < max && b[24 * i]; i++) {
		int64_t off, len;
		if (parse_numeric(b + 24 * i, 12, &off) < 0 || parse_numeric(b + 24 * i + 12, 12, &len) < 0)
			return -1;
		sp_push(tr, off, len);
	}
	return 0;
}

/* Go's readOldGNUSparseMap: 4 entries in the header, 21 per extension
 * block; the blocks come before the data and are raw bytes. */
static int read_old_gnu_map(struct tar_reader *tr, struct berr *err)
{
	int ext;

	if (block_format(tr->blk) != FMT_GNU)
		return bad_header(err);
	if (parse_numeric(tr->blk + 483, 12, &tr->hdr.size) < 0)
		return bad_header(err);
	if (old_gnu_entries(tr, tr->blk + 386, 4) < 0)
		return bad_header(err);
	ext = tr->blk[482];
	while (ext) {
		int rc = read_one_block(tr, err);
		if (rc <= 0)
			return rc < 0 ? -1 : unexpected_eof(err);
		if (old_gnu_entries(tr, tr->blk, 21) < 0)
			return bad_header(err);
		ext = tr->blk[504];
	}
	return 0;
}

/* A decimal token of the 1.0 map, parsed as it streams by (the digits
 * may straddle blocks): Go's strconv.ParseInt on the line. */
struct tok {
	int started, neg, digits, bad;
	uint64_t x;
};

static void tok_add(struct tok *t, char c)
{
	uint64_t lim = t->neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;

	if (!t->started && (c == '+' || c == '-')) {
		t->neg = c == '-';
		t->started = 1;
		return;
	}
	t->started = 1;
	if (c < '0' || c > '9' || t->x > (lim - (uint64_t)(c - '0')) / 10) {
		t->bad = 1;
		return;
	}
	t->x = t->x * 10 + (uint64_t)(c - '0');
	t->digits++;
}

static int tok_end(struct tok *t, int64_t *out)
{
	int ok = !t->bad && t->digits;

	*out = t->neg ? (int64_t)(0 - t->x) : (int64_t)t->x;
	memset(t, 0, sizeof(*t));
	return ok ? 0 : -1;
}

/* Handles one finished token of the 1.0 map: the count, then pairs. */
static int map_token(struct tar_reader *tr, struct tok *t, int64_t ntok, int64_t *want, int64_t *off,
		     int *bad)
{
	int64_t v;
	int ok = tok_end(t, &v) == 0;

	if (ntok == 0) {
		if (!ok || v < 0 || v > INT64_MAX / 2)
			return -1;
		*want = 1 + 2 * v;
	} else if (!ok) {
		*bad = 1;
	} else if (ntok % 2) {
		*off = v;
	} else if (!*bad) {
		sp_push(tr, *off, v);
	}
	return 0;
}

/* Go's readGNUSparseMap1x0: newline-terminated decimal numbers at the
 * start of the data section, read block by block and no further than the
 * block holding the last newline needed.  A bad entry is reported only
 * once all the blocks were read, as Go reads them first. */
static int read_map_1x0(struct tar_reader *tr, struct berr *err)
{
	unsigned char b[BLOCK];
	struct tok t = { 0 };
	int64_t ntok = 0, want = 1, off = 0;
	int bad = 0;

	while (ntok < want) {
		if (read_phys_full(tr, b, BLOCK, err) < 0)
			return -1;
		if (!tr->compat)
			account(tr, b, BLOCK);
		for (int i = 0; i < BLOCK && ntok < want; i++) {
			if (b[i] != '\n') {
				tok_add(&t, (char)b[i]);
				continue;
			}
			if (map_token(tr, &t, ntok++, &want, &off, &bad) < 0)
				return bad_header(err);
		}
	}
	return bad ? bad_header(err) : 0;
}

/* Go's readGNUSparseMap0x1: GNU.sparse.numblocks and GNU.sparse.map. */
static int read_map_0x1(struct tar_reader *tr, struct berr *err)
{
	size_t nl, ml;
	const char *ns = pax_get(tr, "GNU.sparse.numblocks", &nl);
	const char *m = pax_get(tr, "GNU.sparse.map", &ml), *end = m + ml;
	int64_t nblocks, vals[2];
	size_t count = 0;

	if (parse_dec(ns, nl, &nblocks) < 0 || nblocks < 0 || nblocks > INT64_MAX / 2)
		return bad_header(err);
	if (ml) {
		for (const char *p = m; p <= end; count++) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			p = (c ? c : end) + 1;
		}
	}
	if ((int64_t)count != 2 * nblocks)
		return bad_header(err);
	for (size_t i = 0; i < count; i++) {
		const char *c = memchr(m, ',', (size_t)(end - m)), *e = c ? c : end;
		if (parse_dec(m, (size_t)(e - m), &vals[i % 2]) < 0)
			return bad_header(err);
		if (i % 2)
			sp_push(tr, vals[0], vals[1]);
		m = e + 1;
	}
	return 0;
}

/* Go's readGNUSparsePAXHeaders: 1 sparse, 0 not, -1 error. */
static int read_pax_sparse(struct tar_reader *tr, struct berr *err)
{
	size_t l1, l2, nl, sl;
	const char *major = pax_get(tr, "GNU.sparse.major", &l1);
	const char *minor = pax_get(tr, "GNU.sparse.minor", &l2);
	const char *name, *size;
	int is1x0;

	if (!strcmp(major, "0") && (!strcmp(minor, "0") || !strcmp(minor, "1")))
		is1x0 = 0;
	else if (!strcmp(major, "1") && !strcmp(minor, "0"))
		is1x0 = 1;
	else if (l1 || l2)
		return 0;
	else if (pax_find(tr, "GNU.sparse.map") && pax_find(tr, "GNU.sparse.map")->value_len)
		is1x0 = 0;
	else
		return 0;
	name = pax_get(tr, "GNU.sparse.name", &nl);
	if (nl)
		set_str(&tr->name, name, nl);
	size = pax_get(tr, "GNU.sparse.size", &sl);
	if (!sl)
		size = pax_get(tr, "GNU.sparse.realsize", &sl);
	if (sl && parse_dec(size, sl, &tr->hdr.size) < 0)
		return bad_header(err);
	if ((is1x0 ? read_map_1x0(tr, err) : read_map_0x1(tr, err)) < 0)
		return -1;
	return 1;
}

/* Go's validateSparseEntries. */
static int valid_sparse(const struct tar_reader *tr, int64_t size)
{
	int64_t pre_end = 0;

	if (size < 0)
		return 0;
	for (size_t i = 0; i < tr->n_sp; i++) {
		const struct sparse_ent *e = &tr->sp[i];
		if (e->off < 0 || e->len < 0 || e->off > INT64_MAX - e->len)
			return 0;
		if (e->off + e->len > size || pre_end > e->off)
			return 0;
		pre_end = e->off + e->len;
	}
	return 1;
}

/* Go's handleSparseFile. */
static int handle_sparse(struct tar_reader *tr, struct berr *err)
{
	int rc;

	tr->n_sp = 0;
	if (tr->hdr.typeflag == TAR_GNU_SPARSE)
		rc = read_old_gnu_map(tr, err) < 0 ? -1 : 1;
	else
		rc = read_pax_sparse(tr, err);
	if (rc <= 0)
		return rc;
	if (is_header_only(tr->hdr.typeflag) || !valid_sparse(tr, tr->hdr.size))
		return bad_header(err);
	tr->sparse = 1;
	tr->sp_idx = 0;
	tr->lpos = 0;
	tr->lsize = tr->hdr.size;
	return 0;
}

/* ---- entries ---- */

static void publish(struct tar_reader *tr, const struct tar_header **out)
{
	struct tar_header *h = &tr->hdr;

	h->name = (char *)sbuf_str(&tr->name);
	h->name_len = tr->name.len;
	h->linkname = (char *)sbuf_str(&tr->link);
	h->uname = (char *)sbuf_str(&tr->uname);
	h->gname = (char *)sbuf_str(&tr->gname);
	h->xattrs = tr->xattrs;
	h->n_xattrs = tr->n_xattrs;
	h->pax = tr->pax;
	h->n_pax = tr->n_pax;
	h->is_sparse = tr->sparse;
	*out = h;
}

/* Go returns a global header as an entry with only its name, type, xattrs
 * and records. */
static void global_entry(struct tar_reader *tr)
{
	struct tar_header *h = &tr->hdr;
	char name_type = h->typeflag;

	memset(h, 0, sizeof(*h));
	h->typeflag = name_type;
	sbuf_reset(&tr->link);
	sbuf_reset(&tr->uname);
	sbuf_reset(&tr->gname);
}

/* The final header of an entry: Go's default branch of next(). */
static int finish_entry(struct tar_reader *tr, struct berr *err)
{
	if (merge_pax(tr, err) < 0)
		return -1;
	if (tr->long_name.len)
		set_str(&tr->name, tr->long_name.buf, tr->long_name.len);
	if (tr->long_link.len)
		set_str(&tr->link, tr->long_link.buf, tr->long_link.len);
	if (tr->hdr.typeflag == TAR_AREG)
		tr->hdr.typeflag = (tr->name.len && tr->name.buf[tr->name.len - 1] == '/') ? TAR_DIR : TAR_REG;
	if (set_payload(tr, err) < 0)
		return -1;
	return handle_sparse(tr, err);
}

/* A GNU long name/link: a C string, cut at its first NUL. */
static int read_long(struct tar_reader *tr, struct sbuf *dst, struct berr *err)
{
	if (read_special(tr, dst, err) < 0)
		return -1;
	dst->len = strlen(dst->buf);
	return 0;
}

static int next_entry(struct tar_reader *tr, const struct tar_header **out, struct berr *err)
{
	int rc;

	tr->n_pax = 0;
	tr->n_xattrs = 0;
	sbuf_reset(&tr->long_name);
	sbuf_reset(&tr->long_link);
	for (;;) {
		rc = skip_rest(tr, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		rc = read_header_block(tr, err);
		if (rc <= 0)
			return rc;
		if (parse_block(tr, err) < 0 || set_payload(tr, err) < 0)
			return -1;
		switch (tr->hdr.typeflag) {
		case TAR_XHDR:
		case TAR_XGLOBAL:
			if (read_special(tr, &tr->pax_data, err) < 0 || parse_pax(tr, err) < 0)
				return -1;
			if (tr->hdr.typeflag == TAR_XHDR)
				continue;
			/* Go ignores mergePAX's error here. */
			merge_pax(tr, NULL);
			global_entry(tr);
			publish(tr, out);
			return 1;
		case TAR_GNU_LONGNAME:
			if (read_long(tr, &tr->long_name, err) < 0)
				return -1;
			continue;
		case TAR_GNU_LONGLINK:
			if (read_long(tr, &tr->long_link, err) < 0)
				return -1;
			continue;
		}
		if (finish_entry(tr, err) < 0)
			return -1;
		publish(tr, out);
		return 1;
	}
}

static int fail(struct tar_reader *tr, struct berr *err)
{
	tr->state = ST_ERR;
	if (err)
		berr_copy(&tr->sticky, err);
	else
		berr_set(&tr->sticky, BERR_INVALID, ERR_HEADER);
	return -1;
}

static int repeat_error(struct tar_reader *tr, struct berr *err)
{
	berr_copy(err, &tr->sticky);
	return -1;
}

int tar_next(struct tar_reader *tr, const struct tar_header **hdr, struct berr *err)
{
	int rc;

	if (tr->state == ST_ERR)
		return repeat_error(tr, err);
	if (tr->state == ST_END)
		return 0;
	rc = next_entry(tr, hdr, err);
	if (rc < 0)
		return fail(tr, err);
	if (rc == 0) {
		tr->state = ST_END;
		tr->phys = tr->pad = 0;
		tr->sparse = 0;
	}
	return rc;
}

/* ---- payload ---- */

static ssize_t read_plain(struct tar_reader *tr, void *buf, size_t n, struct berr *err)
{
	ssize_t k;

	if (tr->phys <= 0)
		return 0;
	if ((int64_t)n > tr->phys)
		n = (size_t)tr->phys;
	k = src_read(tr, buf, n, err);
	if (k < 0)
		return -1;
	if (k == 0)
		return unexpected_eof(err);
	tr->phys -= k;
	return k;
}

/* Part of a data fragment: up to n physical bytes. */
static ssize_t read_fragment(struct tar_reader *tr, char *out, size_t n, struct berr *err)
{
	ssize_t k;

	if (tr->phys == 0)
		return berr_set(err, BERR_INVALID, ERR_MISS_DATA);
	k = read_plain(tr, out, n, err);
	if (k > 0 && !tr->compat)
		account(tr, out, (size_t)k);
	return k;
}

/* Go's sparseFileReader.Read: data fragments from the archive, holes as
 * zeros, and the two consistency errors. */
static ssize_t read_sparse(struct tar_reader *tr, char *buf, size_t n, struct berr *err)
{
	size_t got = 0;

	while (got < n && tr->lpos < tr->lsize) {
		const struct sparse_ent *e;
		int64_t lim;
		size_t want;

		while (tr->sp_idx < tr->n_sp && tr->sp[tr->sp_idx].off + tr->sp[tr->sp_idx].len <= tr->lpos)
			tr->sp_idx++;
		e = tr->sp_idx < tr->n_sp ? &tr->sp[tr->sp_idx] : NULL;
		if (e && e->off <= tr->lpos) {
			lim = e->off + e->len - tr->lpos;
			want = (int64_t)(n - got) < lim ? n - got : (size_t)lim;
			ssize_t k = read_fragment(tr, buf + got, want, err);
			if (k < 0)
				return -1;
			got += (size_t)k;
			tr->lpos += k;
			continue;
		}
		lim = (e ? e->off : tr->lsize) - tr->lpos;
		want = (int64_t)(n - got) < lim ? n - got : (size_t)lim;
		memset(buf + got, 0, want);
		got += want;
		tr->lpos += (int64_t)want;
	}
	if (tr->lpos == tr->lsize && tr->phys > 0)
		return berr_set(err, BERR_INVALID, ERR_UNREF_DATA);
	return (ssize_t)got;
}

ssize_t tar_read(struct tar_reader *tr, void *buf, size_t n, struct berr *err)
{
	ssize_t k;

	if (tr->state == ST_ERR)
		return repeat_error(tr, err);
	if (tr->state == ST_END)
		return 0;
	k = tr->sparse ? read_sparse(tr, buf, n, err) : read_plain(tr, buf, n, err);
	if (k < 0)
		return fail(tr, err);
	return k;
}

int tar_drain(struct tar_reader *tr, int (*cb)(void *ctx, const void *buf, size_t n, struct berr *err),
	      void *ctx, struct berr *err)
{
	for (;;) {
		if (fill(tr, err) < 0)
			return -1;
		if (tr->pos == tr->len)
			return 0;
		if (cb(ctx, tr->buf + tr->pos, tr->len - tr->pos, err) < 0)
			return -1;
		tr->pos = tr->len;
	}
}
