/*
 * decompress.h - a reader that inflates gzip (ISA-L igzip), zstd (libzstd),
 * xz (liblzma) or passes plain data through, chosen by the stream's magic bytes as
 * Docker's DecompressStream does (so a layer whose media type says gzip but
 * holds a plain tar still works, exactly as in Docker).
 *
 * Input is read in 1 MiB chunks: igzip loses its advantage when fed small
 * pieces.  Concatenated gzip members are read as one stream (Go's default).
 */
#ifndef BERTH_IO_DECOMPRESS_H
#define BERTH_IO_DECOMPRESS_H

#include "reader.h"

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_ZSTD,
	COMPRESSION_XZ,
};

struct decompress_reader;

/* src is borrowed.  Detection happens on the first read. */
struct decompress_reader *decompress_reader_new(struct reader *src);
struct reader *decompress_reader_base(struct decompress_reader *d);
enum compression decompress_reader_kind(struct decompress_reader *d);
void decompress_reader_free(struct decompress_reader *d);

#endif
