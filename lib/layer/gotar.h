/*
 * gotar.h - tar headers exactly as Go's archive/tar Writer writes them for
 * the headers docker's pkg/archive builds (commit's layer diff, export):
 * USTAR whenever the fields fit (long names split into prefix/name), else
 * a PAX 'x' header "<dir>/PaxHeaders.0/<base>" with the records sorted by
 * key and a main header holding the ASCII-only, truncated fields.  Xattrs
 * always need PAX.  The payload is padded to 512 and Close writes two zero
 * blocks, nothing more.
 */
#ifndef BERTH_LAYER_GOTAR_H
#define BERTH_LAYER_GOTAR_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

typedef int (*gotar_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);

/* One tar.Header as docker fills it (no atime/ctime: docker zeroes them). */
struct gotar_hdr {
	const char *name;
	const char *linkname;  /* "" when none */
	char typeflag;         /* '0' '1' '2' '3' '4' '5' '6' */
	int64_t mode;          /* with the file type bits docker adds */
	int64_t uid, gid;
	int64_t size;
	int64_t mtime;         /* seconds */
	const char *uname, *gname;
	int64_t devmajor, devminor;
	/* Header.Xattrs: docker sets at most security.capability */
	const char *xattr_name;   /* NULL when none */
	const void *xattr_value;
	size_t xattr_len;
};

#define GOTAR_BUF (256 * 1024)

struct gotar {
	gotar_sink_fn out;
	void *ctx;
	int64_t left;     /* payload bytes the current entry still expects */
	int64_t padding;
	/* output is gathered here, so the sink sees large writes rather than
	 * one per 512-byte header (a pipe write each) */
	unsigned char *buf;
	size_t len;
};

void gotar_init(struct gotar *tw, gotar_sink_fn out, void *ctx);
/* Frees the buffer (what close() did not flush is lost). */
void gotar_release(struct gotar *tw);
/* Writer.WriteHeader: errors as Go's for what Go refuses. */
int gotar_header(struct gotar *tw, const struct gotar_hdr *h, struct berr *err);
/* At most what the header announced. */
int gotar_write(struct gotar *tw, const void *buf, size_t n, struct berr *err);
/* Writer.Close: the last padding and two zero blocks, then a flush. */
int gotar_close(struct gotar *tw, struct berr *err);

#endif
