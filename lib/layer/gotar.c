/*
 * gotar.c - Go archive/tar's Writer.WriteHeader for docker's headers (see
 * gotar.h).  The rules are Header.allowedFormats' for the fields docker
 * sets; the byte layout is templateV7Plus, setFormat and writeRawFile.
 */
#include "gotar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/sbuf.h"

#define BLOCK 512
#define NAME_SIZE 100
#define PREFIX_SIZE 155
#define UNAME_SIZE 32

static const char zeros[2 * BLOCK];

void gotar_init(struct gotar *tw, gotar_sink_fn out, void *ctx)
{
	memset(tw, 0, sizeof(*tw));
	tw->out = out;
	tw->ctx = ctx;
	tw->buf = xmalloc(GOTAR_BUF);
}

void gotar_release(struct gotar *tw)
{
	free(tw->buf);
	tw->buf = NULL;
}

static int flush(struct gotar *tw, struct berr *err)
{
	size_t n = tw->len;

	tw->len = 0;
	return n ? tw->out(tw->ctx, tw->buf, n, err) : 0;
}

/* Everything written goes through here. */
static int emit(struct gotar *tw, const void *p, size_t n, struct berr *err)
{
	if (tw->len + n > GOTAR_BUF) {
		if (flush(tw, err) < 0)
			return -1;
		if (n >= GOTAR_BUF)
			return tw->out(tw->ctx, p, n, err);
	}
	memcpy(tw->buf + tw->len, p, n);
	tw->len += n;
	return 0;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* fitsInOctal: width-1 digits and a NUL. */
static int fits_octal(size_t width, int64_t x)
{
	return x >= 0 && (width >= 22 || x < (int64_t)1 << (3 * (width - 1)));
}

/* formatOctal: a value that does not fit is written as 0, as Go does
 * (its error is ignored for the PAX main header). */
static void put_octal(unsigned char *field, size_t width, int64_t x)
{
	uint64_t v = fits_octal(width, x) ? (uint64_t)x : 0;

	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (unsigned char)('0' + (v & 7));
}

/* formatString: copied, truncated to the field, NUL-terminated if shorter. */
static void put_string(unsigned char *field, size_t width, const char *s, size_t n)
{
	memcpy(field, s, n < width ? n : width);
}

/* toASCII: drops every byte of a non-ASCII rune. */
static char *to_ascii(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *p = o;

	for (; *s; s++)
		if ((unsigned char)*s < 0x80)
			*p++ = *s;
	*p = '\0';
	return o;
}

/* splitUSTARPath: *plen is the prefix length, the name follows the '/'. */
static int split_ustar(const char *name, size_t *plen)
{
	size_t n = strlen(name), len = n, i, nlen;

	if (n <= NAME_SIZE || !is_ascii(name))
		return 0;
	if (len > PREFIX_SIZE + 1)
		len = PREFIX_SIZE + 1;
	else if (name[len - 1] == '/')
		len--;
	for (i = len; i > 0 && name[i - 1] != '/'; i--)
		;
	if (i == 0)
		return 0;
	i--; /* the slash */
	nlen = n - i - 1;
	if (i == 0 || nlen > NAME_SIZE || nlen == 0 || i > PREFIX_SIZE)
		return 0;
	*plen = i;
	return 1;
}

struct pax_rec {
	const char *key;
	const char *value;  /* borrowed: not inside the record, which qsort moves */
	size_t len;
};

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pax_rec *)a)->key, ((const struct pax_rec *)b)->key);
}

/* formatPAXRecord: "<len> <key>=<value>\n", len counting itself. */
static void add_record(struct sbuf *sb, const struct pax_rec *r)
{
	size_t base = strlen(r->key) + r->len + 3, size = base;
	char digits[24];

	snprintf(digits, sizeof(digits), "%zu", size);
	size += strlen(digits);
	snprintf(digits, sizeof(digits), "%zu", size);
	if (strlen(digits) + base != size)
		size = strlen(digits) + base;
	sbuf_addf(sb, "%zu ", size);
	sbuf_addstr(sb, r->key);
	sbuf_addch(sb, '=');
	sbuf_add(sb, r->value, r->len);
	sbuf_addch(sb, '\n');
}

static void finish_block(unsigned char *b)
{
	unsigned sum = 0;

	memcpy(b + 257, "ustar\0" "00", 8);
	memset(b + 148, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += b[i];
	put_octal(b + 148, 7, sum);
	b[155] = ' ';
}

static int flush_entry(struct gotar *tw, struct berr *err)
{
	if (tw->left)
		return berr_set(err, BERR_INTERNAL, "archive/tar: missed writing %lld bytes", (long long)tw->left);
	if (tw->padding && emit(tw, zeros, (size_t)tw->padding, err) < 0)
		return -1;
	tw->padding = 0;
	return 0;
}

/* templateV7Plus with the given string mangling (none for USTAR, toASCII
 * for PAX's main header). */
static void template_v7plus(unsigned char *b, const struct gotar_hdr *h, const char *name,
			    const char *linkname, const char *uname, const char *gname)
{
	memset(b, 0, BLOCK);
	b[156] = (unsigned char)h->typeflag;
	put_string(b, 100, name, strlen(name));
	put_string(b + 157, 100, linkname, strlen(linkname));
	put_octal(b + 100, 8, h->mode);
	put_octal(b + 108, 8, h->uid);
	put_octal(b + 116, 8, h->gid);
	put_octal(b + 124, 12, h->size);
	put_octal(b + 136, 12, h->mtime);
	put_string(b + 265, 32, uname, strlen(uname));
	put_string(b + 297, 32, gname, strlen(gname));
	put_octal(b + 329, 8, h->devmajor);
	put_octal(b + 337, 8, h->devminor);
}

/* "<dir>/PaxHeaders.0/<base>" as path.Join builds it, then writeRawFile's
 * best effort: ASCII only, 100 bytes, no trailing '/'. */
static void pax_name(const char *name, unsigned char *field)
{
	const char *slash = strrchr(name, '/');
	struct sbuf sb = SBUF_INIT;
	char *ascii;
	size_t n;

	if (slash && slash > name)
		sbuf_add(&sb, name, (size_t)(slash - name + 1));
	sbuf_addstr(&sb, "PaxHeaders.0");
	if (slash ? slash[1] : *name) {
		sbuf_addch(&sb, '/');
		sbuf_addstr(&sb, slash ? slash + 1 : name);
	}
	ascii = to_ascii(sb.buf);
	n = strlen(ascii);
	if (n > NAME_SIZE)
		n = NAME_SIZE;
	while (n && ascii[n - 1] == '/')
		n--;
	put_string(field, 100, ascii, n);
	free(ascii);
	sbuf_release(&sb);
}

static int write_pax(struct gotar *tw, const struct gotar_hdr *h, struct pax_rec *recs, size_t n_recs,
		     struct berr *err)
{
	unsigned char b[BLOCK];
	struct sbuf data = SBUF_INIT;
	char *name = to_ascii(h->name), *link = to_ascii(h->linkname);
	char *uname = to_ascii(h->uname), *gname = to_ascii(h->gname);
	int64_t pad;
	int rc = -1;

	qsort(recs, n_recs, sizeof(*recs), rec_cmp);
	for (size_t i = 0; i < n_recs; i++)
		add_record(&data, &recs[i]);
	memset(b, 0, BLOCK);
	pax_name(h->name, b);
	b[156] = 'x';
	put_octal(b + 100, 8, 0);
	put_octal(b + 108, 8, 0);
	put_octal(b + 116, 8, 0);
	put_octal(b + 124, 12, (int64_t)data.len);
	put_octal(b + 136, 12, 0);
	finish_block(b);
	pad = (BLOCK - (int64_t)data.len % BLOCK) % BLOCK;
	if (emit(tw, b, BLOCK, err) < 0 || emit(tw, data.buf, data.len, err) < 0 ||
	    (pad && emit(tw, zeros, (size_t)pad, err) < 0))
		goto out;
	template_v7plus(b, h, name, link, uname, gname);
	finish_block(b);
	rc = emit(tw, b, BLOCK, err);
out:
	sbuf_release(&data);
	free(name);
	free(link);
	free(uname);
	free(gname);
	return rc;
}

static int write_ustar(struct gotar *tw, const struct gotar_hdr *h, struct berr *err)
{
	unsigned char b[BLOCK];
	size_t plen;

	if (split_ustar(h->name, &plen)) {
		template_v7plus(b, h, h->name + plen + 1, h->linkname, h->uname, h->gname);
		put_string(b + 345, PREFIX_SIZE, h->name, plen);
	} else {
		template_v7plus(b, h, h->name, h->linkname, h->uname, h->gname);
	}
	finish_block(b);
	return emit(tw, b, BLOCK, err);
}

/* verifyString for one field: 1 when USTAR cannot hold it (a PAX record
 * is added); path alone may still split into prefix/name. */
static int string_needs_pax(const char *s, size_t width, const char *key, int can_split, struct pax_rec *recs,
			    size_t *n)
{
	size_t plen;

	if (is_ascii(s) && strlen(s) <= width)
		return 0;
	recs[*n].key = key;
	recs[*n].value = s;
	recs[(*n)++].len = strlen(s);
	return !(can_split && split_ustar(s, &plen));
}

static int number_needs_pax(int64_t v, size_t width, const char *key, char num[24], struct pax_rec *recs,
			    size_t *n)
{
	struct pax_rec *r;

	if (fits_octal(width, v))
		return 0;
	r = &recs[(*n)++];
	snprintf(num, 24, "%lld", (long long)v);
	r->key = key;
	r->value = num;
	r->len = strlen(num);
	return 1;
}

/* isHeaderOnlyType: these carry no payload whatever Size says. */
static int header_only(char type)
{
	return type >= '1' && type <= '6';
}

int gotar_header(struct gotar *tw, const struct gotar_hdr *h, struct berr *err)
{
	struct pax_rec recs[10];
	char xkey[256], nums[4][24];
	size_t n = 0;
	int no_ustar = 0;

	if (flush_entry(tw, err) < 0)
		return -1;
	if (!fits_octal(8, h->mode) || !fits_octal(8, h->devmajor) || !fits_octal(8, h->devminor))
		return berr_set(err, BERR_UNSUPPORTED, "archive/tar: cannot encode header: %s", h->name);
	no_ustar |= string_needs_pax(h->name, NAME_SIZE, "path", 1, recs, &n);
	no_ustar |= string_needs_pax(h->linkname, NAME_SIZE, "linkpath", 0, recs, &n);
	no_ustar |= string_needs_pax(h->uname, UNAME_SIZE, "uname", 0, recs, &n);
	no_ustar |= string_needs_pax(h->gname, UNAME_SIZE, "gname", 0, recs, &n);
	no_ustar |= number_needs_pax(h->uid, 8, "uid", nums[0], recs, &n);
	no_ustar |= number_needs_pax(h->gid, 8, "gid", nums[1], recs, &n);
	no_ustar |= number_needs_pax(h->size, 12, "size", nums[2], recs, &n);
	no_ustar |= number_needs_pax(h->mtime, 12, "mtime", nums[3], recs, &n);
	if (h->xattr_name) {
		snprintf(xkey, sizeof(xkey), "SCHILY.xattr.%s", h->xattr_name);
		recs[n].key = xkey;
		recs[n].value = h->xattr_value;
		recs[n++].len = h->xattr_len;
		no_ustar = 1;
	}
	if ((no_ustar ? write_pax(tw, h, recs, n, err) : write_ustar(tw, h, err)) < 0)
		return -1;
	tw->left = header_only(h->typeflag) ? 0 : h->size;
	tw->padding = (BLOCK - tw->left % BLOCK) % BLOCK;
	return 0;
}

int gotar_write(struct gotar *tw, const void *buf, size_t n, struct berr *err)
{
	if ((int64_t)n > tw->left)
		return berr_set(err, BERR_INTERNAL, "archive/tar: write too long");
	tw->left -= (int64_t)n;
	return n ? emit(tw, buf, n, err) : 0;
}

int gotar_close(struct gotar *tw, struct berr *err)
{
	if (flush_entry(tw, err) < 0 || emit(tw, zeros, sizeof(zeros), err) < 0)
		return -1;
	return flush(tw, err);
}
