/*
 * tarwriter.h - writes tar archives (ustar headers, as Go's archive/tar
 * writes them for short names) to a byte sink, for save and export.
 * Sizes past ustar's 8 GiB use the base-256 form Go and GNU tar read.
 */
#ifndef BERTH_TAR_TARWRITER_H
#define BERTH_TAR_TARWRITER_H

#include <stdint.h>
#include <sys/types.h>

#include "../util/err.h"

/* A byte sink: returns 0, or -1 with err set. */
typedef int (*tar_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);

struct tarwriter {
	tar_sink_fn out;
	void *ctx;
	int64_t left;     /* payload bytes the current entry still expects */
	int64_t padding;  /* zero bytes after it */
};

void tarwriter_init(struct tarwriter *tw, tar_sink_fn out, void *ctx);
/* Starts an entry; type is TAR_REG / TAR_DIR / TAR_SYMLINK (tar.h).
 * name must fit ustar (100 bytes, or prefix 155 + name 100). */
int tarwriter_header(struct tarwriter *tw, const char *name, char type, mode_t mode, int64_t size,
		     int64_t mtime, const char *linkname, struct berr *err);
/* Payload of the current entry: at most the size given to header(). */
int tarwriter_write(struct tarwriter *tw, const void *buf, size_t n, struct berr *err);
/* Ends the archive (two zero blocks); the current entry must be complete. */
int tarwriter_finish(struct tarwriter *tw, struct berr *err);
/* A whole small file. */
int tarwriter_file(struct tarwriter *tw, const char *name, const void *data, size_t n, int64_t mtime,
		   struct berr *err);

#endif
