/*
 * tar.c - a streaming tar reader with Go archive/tar's semantics and
 * tar-split's raw accounting; see tar.h.
 *
 * Docker reads layers with (tar-split's fork of) Go's archive/tar, so this
 * reader accepts and refuses what Go does: header checksums (signed or
 * unsigned), base-256 numbers, the ustar prefix, GNU long names/links, PAX
 * records (also global ones, returned as entries as Go returns them), star
 * times.  Everything that is not payload goes to `raw` in stream order, so
 * raw + payload reproduce the input exactly.
 */
#include "tar.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 512
#define BUF_SIZE (256 * 1024)
#define SPECIAL_MAX (1 << 20)  /* Go's maxSpecialFileSize */

struct tar_reader {
	struct reader *src;
	struct sbuf *raw;
	unsigned char *buf;
	size_t pos, len;
	int src_eof;
	int64_t remaining;      /* payload bytes left in the current entry */
	int64_t pad;            /* padding after the current payload */
	int done;
	struct tar_header hdr;
	struct sbuf name, link, uname, gname, special;
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

static void clear_xattrs(struct tar_reader *tr)
{
	for (size_t i = 0; i < tr->n_xattrs; i++) {
		free(tr->xattrs[i].name);
		free(tr->xattrs[i].value);
	}
	tr->n_xattrs = 0;
}

void tar_reader_free(struct tar_reader *tr)
{
	if (!tr)
		return;
	clear_xattrs(tr);
	free(tr->xattrs);
	sbuf_release(&tr->name);
	sbuf_release(&tr->link);
	sbuf_release(&tr->uname);
	sbuf_release(&tr->gname);
	sbuf_release(&tr->special);
	free(tr->buf);
	free(tr);
}

/* ---- byte source ---- */

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
		/* Big reads bypass the buffer: payload goes straight to the caller. */
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

/* Exactly n bytes: 0 ok, 1 clean EOF before any byte, -1 error. */
static int src_read_full(struct tar_reader *tr, void *out, size_t n, struct berr *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = src_read(tr, (char *)out + got, n - got, err);
		if (k < 0)
			return -1;
		if (k == 0)
			return got == 0 ? 1 : berr_set(err, BERR_INVALID, "unexpected EOF");
		got += (size_t)k;
	}
	return 0;
}

static void account(struct tar_reader *tr, const void *p, size_t n)
{
	if (tr->raw && n)
		sbuf_add(tr->raw, p, n);
}

/* Skips unread payload (not raw: it is payload) and the padding (raw). */
static int skip_rest(struct tar_reader *tr, struct berr *err)
{
	unsigned char tmp[BLOCK * 8];

	while (tr->remaining > 0) {
		size_t want = tr->remaining < (int64_t)sizeof(tmp) ? (size_t)tr->remaining : sizeof(tmp);
		ssize_t k = src_read(tr, tmp, want, err);
		if (k < 0)
			return -1;
		if (k == 0)
			return berr_set(err, BERR_INVALID, "unexpected EOF");
		tr->remaining -= k;
	}
	if (tr->pad > 0) {
		int rc = src_read_full(tr, tmp, (size_t)tr->pad, err);
		if (rc != 0)
			return rc < 0 ? -1 : berr_set(err, BERR_INVALID, "unexpected EOF");
		account(tr, tmp, (size_t)tr->pad);
		tr->pad = 0;
	}
	return 0;
}

/* ---- header fields ---- */

static int bad_header(struct berr *err)
{
	return berr_set(err, BERR_INVALID, "archive/tar: invalid tar header");
}

static size_t field_strlen(const unsigned char *b, size_t n)
{
	const unsigned char *z = memchr(b, 0, n);
	return z ? (size_t)(z - b) : n;
}

/* Go's parseOctal: trims spaces and NULs around, then base 8. */
static int parse_octal(const unsigned char *b, size_t n, int64_t *out)
{
	size_t s = 0, e = n;
	uint64_t x = 0;

	while (s < e && (b[s] == ' ' || b[s] == 0))
		s++;
	while (e > s && (b[e - 1] == ' ' || b[e - 1] == 0))
		e--;
	*out = 0;
	if (s == e)
		return 0;
	/* parseString stops at the first NUL inside */
	for (size_t i = s; i < e; i++) {
		if (b[i] == 0)
			break;
		if (b[i] < '0' || b[i] > '7' || (x >> 61))
			return -1;
		x = x * 8 + (uint64_t)(b[i] - '0');
	}
	if (x >> 63)
		return -1;
	*out = (int64_t)x;
	return 0;
}

/* Go's parseNumeric: base-256 when the high bit is set, else octal. */
static int parse_numeric(const unsigned char *b, size_t n, int64_t *out)
{
	unsigned char inv;
	uint64_t x = 0;

	if (!n || !(b[0] & 0x80))
		return parse_octal(b, n, out);
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
	*out = inv ? ~(int64_t)x : (int64_t)x;
	return 0;
}

enum fmt { FMT_UNKNOWN, FMT_V7, FMT_USTAR, FMT_GNU, FMT_STAR };

static enum fmt block_format(const unsigned char *b)
{
	int64_t stored;
	uint64_t u = 0;
	int64_t s = 0;

	if (parse_octal(b + 148, 8, &stored) < 0)
		return FMT_UNKNOWN;
	for (int i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : b[i];
		u += c;
		s += (signed char)c;
	}
	if (stored != (int64_t)u && stored != s)
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
	for (int i = 0; i < BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

static void set_str(struct sbuf *sb, const void *p, size_t n)
{
	sbuf_reset(sb);
	sbuf_add(sb, p, n);
}

/* Reads one header block (or the end marker): 1 header, 0 end, -1 error. */
static int read_block(struct tar_reader *tr, struct berr *err)
{
	int rc = src_read_full(tr, tr->blk, BLOCK, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	account(tr, tr->blk, BLOCK);
	if (!is_zero_block(tr->blk))
		return 1;
	rc = src_read_full(tr, tr->blk, BLOCK, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	account(tr, tr->blk, BLOCK);
	return is_zero_block(tr->blk) ? 0 : bad_header(err);
}

static int parse_block(struct tar_reader *tr, struct berr *err)
{
	const unsigned char *b = tr->blk;
	struct tar_header *h = &tr->hdr;
	enum fmt f = block_format(b);
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
	h->mtime_nsec = 0;
	h->atime_sec = h->ctime_sec = 0;
	h->atime_nsec = h->ctime_nsec = 0;
	h->devmajor = h->devminor = 0;
	sbuf_reset(&tr->uname);
	sbuf_reset(&tr->gname);
	if (f != FMT_V7) {
		size_t plen = 0;
		const unsigned char *prefix = NULL;
		set_str(&tr->uname, b + 265, field_strlen(b + 265, 32));
		set_str(&tr->gname, b + 297, field_strlen(b + 297, 32));
		bad |= parse_numeric(b + 329, 8, &h->devmajor);
		bad |= parse_numeric(b + 337, 8, &h->devminor);
		if (f == FMT_USTAR) {
			prefix = b + 345;
			plen = field_strlen(prefix, 155);
		} else if (f == FMT_STAR) {
			prefix = b + 345;
			plen = field_strlen(prefix, 131);
			bad |= parse_numeric(b + 476, 12, &h->atime_sec);
			bad |= parse_numeric(b + 488, 12, &h->ctime_sec);
		} else {
			int64_t a = 0, c = 0;
			int gbad = 0;
			if (b[345])
				gbad |= parse_numeric(b + 345, 12, &a);
			if (b[357])
				gbad |= parse_numeric(b + 357, 12, &c);
			if (!gbad) {
				h->atime_sec = a;
				h->ctime_sec = c;
			} else {
				/* Old Go writers put a ustar prefix in a GNU header. */
				size_t n = field_strlen(b + 345, 155);
				int ascii = 1;
				for (size_t i = 0; i < n; i++)
					ascii &= b[345 + i] < 0x80;
				if (ascii) {
					prefix = b + 345;
					plen = n;
				}
			}
		}
		if (plen) {
			struct sbuf full = SBUF_INIT;
			sbuf_add(&full, prefix, plen);
			sbuf_addch(&full, '/');
			sbuf_add(&full, tr->name.buf, tr->name.len);
			sbuf_release(&tr->name);
			tr->name = full;
		}
	}
	if (bad)
		return bad_header(err);
	return 0;
}

/* ---- PAX and GNU extension data ---- */

static int read_special(struct tar_reader *tr, int64_t size, struct berr *err)
{
	int rc;

	if (size < 0)
		return bad_header(err);
	if (size > SPECIAL_MAX)
		return berr_set(err, BERR_INVALID, "archive/tar: header field too long");
	sbuf_reset(&tr->special);
	sbuf_grow(&tr->special, (size_t)size);
	rc = src_read_full(tr, tr->special.buf, (size_t)size, err);
	if (rc != 0)
		return rc < 0 ? -1 : berr_set(err, BERR_INVALID, "unexpected EOF");
	tr->special.len = (size_t)size;
	tr->special.buf[size] = '\0';
	account(tr, tr->special.buf, (size_t)size);
	tr->remaining = 0;
	tr->pad = (BLOCK - size % BLOCK) % BLOCK;
	return 0;
}

struct pax_rec {
	char *key, *val;
	size_t klen, vlen;
};

struct pax {
	struct pax_rec *v;
	size_t n, cap;
};

static void pax_release(struct pax *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].val);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void pax_set(struct pax *p, const char *k, size_t kl, const char *v, size_t vl)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].klen == kl && !memcmp(p->v[i].key, k, kl)) {
			free(p->v[i].val);
			p->v[i].val = xstrndup(v, vl);
			p->v[i].vlen = vl;
			memcpy(p->v[i].val, v, vl);
			return;
		}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n].key = xstrndup(k, kl);
	p->v[p->n].klen = kl;
	p->v[p->n].val = xmalloc(vl + 1);
	memcpy(p->v[p->n].val, v, vl);
	p->v[p->n].val[vl] = '\0';
	p->v[p->n].vlen = vl;
	p->n++;
}

static int key_is(const struct pax_rec *r, const char *k)
{
	return r->klen == strlen(k) && !memcmp(r->key, k, r->klen);
}

/* Records "%d %s=%s\n"; the length counts the whole record. */
static int parse_pax(struct tar_reader *tr, struct pax *p, struct berr *err)
{
	const char *s = tr->special.buf, *end = s + tr->special.len;

	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s)), *eq, *rec_end;
		long long n = 0;

		if (!sp || sp == s)
			return bad_header(err);
		for (const char *q = s; q < sp; q++) {
			if (*q < '0' || *q > '9' || n > (1 << 30))
				return bad_header(err);
			n = n * 10 + (*q - '0');
		}
		if (*s == '0' || n <= (long long)(sp - s) + 1 || n > end - s)
			return bad_header(err);
		rec_end = s + n;
		if (rec_end[-1] != '\n')
			return bad_header(err);
		eq = memchr(sp + 1, '=', (size_t)(rec_end - 1 - (sp + 1)));
		if (!eq || eq == sp + 1)
			return bad_header(err);
		{
			const char *k = sp + 1, *v = eq + 1;
			size_t kl = (size_t)(eq - k), vl = (size_t)(rec_end - 1 - v);
			int is_xattr = kl > 13 && !memcmp(k, "SCHILY.xattr.", 13);
			if (memchr(k, 0, kl))
				return bad_header(err);
			if (!is_xattr && memchr(v, 0, vl))
				return bad_header(err);
			pax_set(p, k, kl, v, vl);
		}
		s = rec_end;
	}
	return 0;
}

/* "sec[.frac]" (sign allowed) into seconds and nanoseconds, like Go. */
static int parse_pax_time(const char *v, int64_t *sec, long *nsec)
{
	int neg = 0;
	int64_t s = 0;
	long ns = 0;
	int digits = 0;
	const char *p = v;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!*p || *p == '.')
		return -1;
	for (; *p && *p != '.'; p++) {
		if (*p < '0' || *p > '9' || s > INT64_MAX / 10 - 10)
			return -1;
		s = s * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
		}
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (neg) {
		s = -s;
		if (ns) {
			s -= 1;
			ns = 1000000000L - ns;
		}
	}
	*sec = s;
	*nsec = ns;
	return 0;
}

static int parse_pax_int(const char *v, int64_t *out)
{
	char *end;
	long long x;

	if (!*v)
		return -1;
	x = strtoll(v, &end, 10);
	if (*end)
		return -1;
	*out = x;
	return 0;
}

static void add_xattr(struct tar_reader *tr, const char *k, size_t kl, const char *v, size_t vl)
{
	for (size_t i = 0; i < tr->n_xattrs; i++)
		if (strlen(tr->xattrs[i].name) == kl && !memcmp(tr->xattrs[i].name, k, kl)) {
			free(tr->xattrs[i].value);
			tr->xattrs[i].value = xmalloc(vl + 1);
			memcpy(tr->xattrs[i].value, v, vl);
			tr->xattrs[i].value[vl] = '\0';
			tr->xattrs[i].value_len = vl;
			return;
		}
	if (tr->n_xattrs == tr->cap_xattrs) {
		tr->cap_xattrs = tr->cap_xattrs ? tr->cap_xattrs * 2 : 4;
		tr->xattrs = xrealloc(tr->xattrs, tr->cap_xattrs * sizeof(*tr->xattrs));
	}
	tr->xattrs[tr->n_xattrs].name = xstrndup(k, kl);
	tr->xattrs[tr->n_xattrs].value = xmalloc(vl + 1);
	memcpy(tr->xattrs[tr->n_xattrs].value, v, vl);
	tr->xattrs[tr->n_xattrs].value[vl] = '\0';
	tr->xattrs[tr->n_xattrs].value_len = vl;
	tr->n_xattrs++;
}

/* Go's mergePAX. */
static int merge_pax(struct tar_reader *tr, const struct pax *p, struct berr *err)
{
	struct tar_header *h = &tr->hdr;

	for (size_t i = 0; i < p->n; i++) {
		const struct pax_rec *r = &p->v[i];
		int bad = 0;
		if (key_is(r, "path"))
			set_str(&tr->name, r->val, r->vlen);
		else if (key_is(r, "linkpath"))
			set_str(&tr->link, r->val, r->vlen);
		else if (key_is(r, "uname"))
			set_str(&tr->uname, r->val, r->vlen);
		else if (key_is(r, "gname"))
			set_str(&tr->gname, r->val, r->vlen);
		else if (key_is(r, "uid"))
			bad = parse_pax_int(r->val, &h->uid);
		else if (key_is(r, "gid"))
			bad = parse_pax_int(r->val, &h->gid);
		else if (key_is(r, "size"))
			bad = parse_pax_int(r->val, &h->size);
		else if (key_is(r, "mtime"))
			bad = parse_pax_time(r->val, &h->mtime_sec, &h->mtime_nsec);
		else if (key_is(r, "atime"))
			bad = parse_pax_time(r->val, &h->atime_sec, &h->atime_nsec);
		else if (key_is(r, "ctime"))
			bad = parse_pax_time(r->val, &h->ctime_sec, &h->ctime_nsec);
		else if (r->klen > 13 && !memcmp(r->key, "SCHILY.xattr.", 13))
			add_xattr(tr, r->key + 13, r->klen - 13, r->val, r->vlen);
		if (bad)
			return bad_header(err);
	}
	return 0;
}

static int is_header_only(char t)
{
	return t == TAR_LINK || t == TAR_SYMLINK || t == TAR_CHAR || t == TAR_BLOCK || t == TAR_DIR || t == TAR_FIFO;
}

static int set_payload(struct tar_reader *tr, struct berr *err)
{
	int64_t nb = tr->hdr.size;

	if (is_header_only(tr->hdr.typeflag))
		nb = 0;
	if (nb < 0)
		return bad_header(err);
	tr->remaining = nb;
	tr->pad = (BLOCK - nb % BLOCK) % BLOCK;
	return 0;
}

static int is_sparse(const struct tar_reader *tr, const struct pax *p)
{
	if (tr->hdr.typeflag == TAR_GNU_SPARSE)
		return 1;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].klen > 11 && !memcmp(p->v[i].key, "GNU.sparse.", 11))
			return 1;
	return 0;
}

static void publish(struct tar_reader *tr)
{
	struct tar_header *h = &tr->hdr;

	h->name = (char *)sbuf_str(&tr->name);
	h->name_len = tr->name.len;
	h->linkname = (char *)sbuf_str(&tr->link);
	h->uname = (char *)sbuf_str(&tr->uname);
	h->gname = (char *)sbuf_str(&tr->gname);
	h->xattrs = tr->xattrs;
	h->n_xattrs = tr->n_xattrs;
	h->is_sparse = 0;
}

int tar_next(struct tar_reader *tr, const struct tar_header **out, struct berr *err)
{
	struct pax pax = { 0 };
	struct sbuf long_name = SBUF_INIT, long_link = SBUF_INIT;
	int have_long_name = 0, have_long_link = 0, rc = -1;

	if (tr->done)
		return 0;
	clear_xattrs(tr);
	for (;;) {
		if (skip_rest(tr, err) < 0)
			goto out;
		rc = read_block(tr, err);
		if (rc <= 0) {
			if (rc == 0)
				tr->done = 1;
			goto out;
		}
		rc = -1;
		if (parse_block(tr, err) < 0 || set_payload(tr, err) < 0)
			goto out;
		if (tr->hdr.typeflag == TAR_XHDR || tr->hdr.typeflag == TAR_XGLOBAL) {
			/* A later PAX header replaces an earlier one, as in Go
			 * and GNU/BSD tar. */
			pax_release(&pax);
			if (read_special(tr, tr->hdr.size, err) < 0 || parse_pax(tr, &pax, err) < 0)
				goto out;
			if (tr->hdr.typeflag == TAR_XGLOBAL) {
				/* Go returns a global header as an entry of its own,
				 * with only its name, type and records. */
				if (merge_pax(tr, &pax, err) < 0)
					goto out;
				tr->hdr.size = 0;
				publish(tr);
				*out = &tr->hdr;
				rc = 1;
				goto out;
			}
			continue;
		}
		if (tr->hdr.typeflag == TAR_GNU_LONGNAME || tr->hdr.typeflag == TAR_GNU_LONGLINK) {
			struct sbuf *dst = tr->hdr.typeflag == TAR_GNU_LONGNAME ? &long_name : &long_link;
			if (read_special(tr, tr->hdr.size, err) < 0)
				goto out;
			set_str(dst, tr->special.buf, field_strlen((unsigned char *)tr->special.buf, tr->special.len));
			if (dst == &long_name)
				have_long_name = 1;
			else
				have_long_link = 1;
			continue;
		}
		break;
	}
	if (merge_pax(tr, &pax, err) < 0)
		goto out;
	if (have_long_name)
		set_str(&tr->name, long_name.buf, long_name.len);
	if (have_long_link)
		set_str(&tr->link, long_link.buf, long_link.len);
	if (tr->hdr.typeflag == TAR_AREG)
		tr->hdr.typeflag = (tr->name.len && tr->name.buf[tr->name.len - 1] == '/') ? TAR_DIR : TAR_REG;
	if (set_payload(tr, err) < 0)
		goto out;
	if (is_sparse(tr, &pax)) {
		berr_set(err, BERR_UNSUPPORTED, "archive/tar: sparse files are not supported: %s", sbuf_str(&tr->name));
		goto out;
	}
	publish(tr);
	*out = &tr->hdr;
	rc = 1;
out:
	pax_release(&pax);
	sbuf_release(&long_name);
	sbuf_release(&long_link);
	return rc;
}

ssize_t tar_read(struct tar_reader *tr, void *buf, size_t n, struct berr *err)
{
	ssize_t k;

	if (tr->remaining <= 0)
		return 0;
	if ((int64_t)n > tr->remaining)
		n = (size_t)tr->remaining;
	k = src_read(tr, buf, n, err);
	if (k < 0)
		return -1;
	if (k == 0)
		return berr_set(err, BERR_INVALID, "unexpected EOF");
	tr->remaining -= k;
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
