/*
 * decompress.c - gzip/zstd/plain reader; see decompress.h.
 *
 * The input buffer is filled from the source only when the decoder has
 * consumed it, so the decoder sees big chunks; output goes straight into the
 * caller's buffer.
 */
#include "decompress.h"

#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "../util/sbuf.h"

#define IN_BUF (1u << 20)

struct decompress_reader {
	struct reader r;
	struct reader *src;
	enum compression kind;
	int detected;
	int src_eof;
	int member_done;      /* gzip: finished a member, another may follow */
	unsigned char *in;
	size_t in_pos, in_len;
	struct inflate_state *gz;
	ZSTD_DCtx *zs;
	size_t zs_hint;       /* last non-idle return: 0 once a frame ended */
	lzma_stream *xz;
	int xz_end;
};

static int fill(struct decompress_reader *d, struct berr *err)
{
	ssize_t k;

	if (d->in_pos < d->in_len || d->src_eof)
		return 0;
	d->in_pos = d->in_len = 0;
	while (d->in_len < IN_BUF) {
		k = reader_read(d->src, d->in + d->in_len, IN_BUF - d->in_len, err);
		if (k < 0)
			return -1;
		if (k == 0) {
			d->src_eof = 1;
			break;
		}
		d->in_len += (size_t)k;
		/* Do not wait for a full MiB when the source delivers in pieces
		 * (a pipe): start decoding once there is a useful amount. */
		if (d->in_len >= 256 * 1024)
			break;
	}
	return 0;
}

static int detect(struct decompress_reader *d, struct berr *err)
{
	/* Need up to 6 bytes of magic; read until we have them or EOF. */
	while (d->in_len < 6 && !d->src_eof) {
		ssize_t k = reader_read(d->src, d->in + d->in_len, IN_BUF - d->in_len, err);
		if (k < 0)
			return -1;
		if (k == 0)
			d->src_eof = 1;
		d->in_len += (size_t)(k > 0 ? k : 0);
	}
	d->detected = 1;
	if (d->in_len >= 3 && d->in[0] == 0x1f && d->in[1] == 0x8b && d->in[2] == 0x08) {
		d->kind = COMPRESSION_GZIP;
		d->gz = xcalloc(1, sizeof(*d->gz));
		isal_inflate_init(d->gz);
		d->gz->crc_flag = ISAL_GZIP;
	} else if (d->in_len >= 4 && d->in[0] == 0x28 && d->in[1] == 0xb5 && d->in[2] == 0x2f &&
		   d->in[3] == 0xfd) {
		d->kind = COMPRESSION_ZSTD;
		d->zs = ZSTD_createDCtx();
		d->zs_hint = 1;
		if (!d->zs)
			return berr_set(err, BERR_INTERNAL, "zstd: cannot create context");
	} else if (d->in_len >= 6 && !memcmp(d->in, "\xfd" "7zXZ\0", 6)) {
		/* xz: docker load and DecompressStream accept it (archives
		 * from `docker save | xz`). */
		d->kind = COMPRESSION_XZ;
		d->xz = xcalloc(1, sizeof(*d->xz));
		*d->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(d->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return berr_set(err, BERR_INTERNAL, "xz: cannot create decoder");
	} else {
		d->kind = COMPRESSION_NONE;
	}
	return 0;
}

static ssize_t read_plain(struct decompress_reader *d, void *buf, size_t n, struct berr *err)
{
	size_t avail = d->in_len - d->in_pos;

	if (avail) {
		if (n > avail)
			n = avail;
		memcpy(buf, d->in + d->in_pos, n);
		d->in_pos += n;
		return (ssize_t)n;
	}
	if (d->src_eof)
		return 0;
	return reader_read(d->src, buf, n, err);
}

static ssize_t read_gzip(struct decompress_reader *d, void *buf, size_t n, struct berr *err)
{
	struct inflate_state *s = d->gz;

	for (;;) {
		if (fill(d, err) < 0)
			return -1;
		if (d->member_done) {
			if (d->in_pos == d->in_len && d->src_eof)
				return 0;
			/* Another member follows (multistream, as Go reads it). */
			isal_inflate_reset(s);
			s->crc_flag = ISAL_GZIP;
			d->member_done = 0;
		}
		s->next_in = d->in + d->in_pos;
		s->avail_in = (uint32_t)(d->in_len - d->in_pos);
		s->next_out = buf;
		s->avail_out = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
		int rc = isal_inflate(s);
		d->in_pos = d->in_len - s->avail_in;
		if (rc < 0)
			return berr_set(err, BERR_INVALID, rc == ISAL_INCORRECT_CHECKSUM
					? "gzip: invalid checksum" : "gzip: invalid header or data");
		size_t produced = n - s->avail_out;
		if (s->block_state == ISAL_BLOCK_FINISH)
			d->member_done = 1;
		if (produced)
			return (ssize_t)produced;
		if (d->member_done)
			continue;
		if (d->in_pos == d->in_len && d->src_eof)
			return berr_set(err, BERR_INVALID, "unexpected EOF");
	}
}

static ssize_t read_zstd(struct decompress_reader *d, void *buf, size_t n, struct berr *err)
{
	for (;;) {
		if (fill(d, err) < 0)
			return -1;
		ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
		ZSTD_outBuffer out = { buf, n, 0 };
		size_t before = in.pos;
		size_t rc = ZSTD_decompressStream(d->zs, &out, &in);
		d->in_pos = in.pos;
		if (ZSTD_isError(rc))
			return berr_set(err, BERR_INVALID, "zstd: %s", ZSTD_getErrorName(rc));
		/* A call with neither input nor output only restates the next
		 * frame's header hint; the frame state is the last real call's. */
		if (out.pos || in.pos != before)
			d->zs_hint = rc;
		if (out.pos)
			return (ssize_t)out.pos;
		if (d->in_pos == d->in_len && d->src_eof) {
			if (d->zs_hint != 0)
				return berr_set(err, BERR_INVALID, "unexpected EOF");
			return 0;
		}
	}
}

static ssize_t read_xz(struct decompress_reader *d, void *buf, size_t n, struct berr *err)
{
	lzma_stream *x = d->xz;

	while (!d->xz_end) {
		if (fill(d, err) < 0)
			return -1;
		x->next_in = d->in + d->in_pos;
		x->avail_in = d->in_len - d->in_pos;
		x->next_out = buf;
		x->avail_out = n;
		lzma_ret rc = lzma_code(x, d->in_pos == d->in_len && d->src_eof ? LZMA_FINISH : LZMA_RUN);
		d->in_pos = d->in_len - x->avail_in;
		if (rc == LZMA_STREAM_END)
			d->xz_end = 1;
		else if (rc != LZMA_OK)
			return berr_set(err, BERR_INVALID, rc == LZMA_BUF_ERROR ? "unexpected EOF" : "xz: corrupt data");
		if (n - x->avail_out)
			return (ssize_t)(n - x->avail_out);
	}
	return 0;
}

static ssize_t decompress_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	struct decompress_reader *d = (struct decompress_reader *)r;

	if (!d->detected && detect(d, err) < 0)
		return -1;
	switch (d->kind) {
	case COMPRESSION_GZIP:
		return read_gzip(d, buf, n, err);
	case COMPRESSION_ZSTD:
		return read_zstd(d, buf, n, err);
	case COMPRESSION_XZ:
		return read_xz(d, buf, n, err);
	default:
		return read_plain(d, buf, n, err);
	}
}

struct decompress_reader *decompress_reader_new(struct reader *src)
{
	struct decompress_reader *d = xcalloc(1, sizeof(*d));

	d->r.read = decompress_read;
	d->src = src;
	d->in = xmalloc(IN_BUF);
	return d;
}

struct reader *decompress_reader_base(struct decompress_reader *d)
{
	return &d->r;
}

enum compression decompress_reader_kind(struct decompress_reader *d)
{
	return d->kind;
}

void decompress_reader_free(struct decompress_reader *d)
{
	if (!d)
		return;
	free(d->in);
	free(d->gz);
	if (d->zs)
		ZSTD_freeDCtx(d->zs);
	if (d->xz) {
		lzma_end(d->xz);
		free(d->xz);
	}
	free(d);
}
