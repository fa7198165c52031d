/* tarwriter.c - ustar output (see tarwriter.h). */
#include "tarwriter.h"

#include <stdio.h>
#include <string.h>

#include "tar.h"

static const char zeros[1024];

void tarwriter_init(struct tarwriter *tw, tar_sink_fn out, void *ctx)
{
	memset(tw, 0, sizeof(*tw));
	tw->out = out;
	tw->ctx = ctx;
}

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits and a NUL, as Go's formatOctal. */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

static void size_field(char field[12], int64_t v)
{
	if ((uint64_t)v < 077777777777ULL) {
		octal(field, 12, (uint64_t)v);
		return;
	}
	/* base-256: high bit set, big-endian in the remaining bytes */
	memset(field, 0, 12);
	for (int i = 11; i > 0; i--, v >>= 8)
		field[i] = (char)(v & 0xff);
	field[0] = (char)0x80;
}

/* Splits name into ustar's prefix/name at a '/'; -1 when it cannot. */
static int split_name(const char *name, char *prefix, char *base)
{
	size_t n = strlen(name);

	if (n <= 100) {
		memcpy(base, name, n);
		return 0;
	}
	for (size_t i = n - 1; i > 0; i--) {
		if (name[i] != '/')
			continue;
		if (i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0) {
			memcpy(prefix, name, i);
			memcpy(base, name + i + 1, n - i - 1);
			return 0;
		}
	}
	return -1;
}

int tarwriter_header(struct tarwriter *tw, const char *name, char type, mode_t mode, int64_t size,
		     int64_t mtime, const char *linkname, struct berr *err)
{
	unsigned char h[512];
	unsigned sum = 0;

	if (tw->left)
		return berr_set(err, BERR_INTERNAL, "tar: previous entry incomplete");
	if (tw->padding && tw->out(tw->ctx, zeros, (size_t)tw->padding, err) < 0)
		return -1;
	tw->padding = 0;
	memset(h, 0, sizeof(h));
	if (split_name(name, (char *)h + 345, (char *)h) < 0)
		return berr_set(err, BERR_INVALID, "tar: name too long: %s", name);
	if (linkname && strlen(linkname) > 100)
		return berr_set(err, BERR_INVALID, "tar: link name too long: %s", linkname);
	octal((char *)h + 100, 8, mode & 07777);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	size_field((char *)h + 124, size);
	octal((char *)h + 136, 12, (uint64_t)(mtime < 0 ? 0 : mtime));
	h[156] = (unsigned char)type;
	if (linkname)
		memcpy(h + 157, linkname, strlen(linkname));
	memcpy(h + 257, "ustar\0" "00", 8);
	octal((char *)h + 329, 8, 0);
	octal((char *)h + 337, 8, 0);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	if (tw->out(tw->ctx, h, sizeof(h), err) < 0)
		return -1;
	tw->left = type == TAR_REG ? size : 0;
	tw->padding = (512 - tw->left % 512) % 512;
	return 0;
}

int tarwriter_write(struct tarwriter *tw, const void *buf, size_t n, struct berr *err)
{
	if ((int64_t)n > tw->left)
		return berr_set(err, BERR_INTERNAL, "tar: entry longer than its header says");
	tw->left -= (int64_t)n;
	return n ? tw->out(tw->ctx, buf, n, err) : 0;
}

int tarwriter_finish(struct tarwriter *tw, struct berr *err)
{
	if (tw->left)
		return berr_set(err, BERR_INTERNAL, "tar: last entry incomplete");
	if (tw->padding && tw->out(tw->ctx, zeros, (size_t)tw->padding, err) < 0)
		return -1;
	tw->padding = 0;
	return tw->out(tw->ctx, zeros, 1024, err);
}

int tarwriter_file(struct tarwriter *tw, const char *name, const void *data, size_t n, int64_t mtime,
		   struct berr *err)
{
	if (tarwriter_header(tw, name, TAR_REG, 0644, (int64_t)n, mtime, NULL, err) < 0)
		return -1;
	return tarwriter_write(tw, data, n, err);
}
