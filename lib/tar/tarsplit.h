/*
 * tarsplit.h - tar-split, the format Docker keeps beside each layer
 * (layerdb/.../tar-split.json.gz) so the exact layer tar can be rebuilt from
 * the extracted files: JSON lines, one per entry, of two kinds
 *   {"type":2,"payload":"<base64 raw bytes>","position":N}              segment
 *   {"type":1,"name":"<name>","size":S,"payload":"<base64 crc64>","position":N}  file
 * encoded exactly as Go's encoding/json encodes tar-split's storage.Entry
 * (key order type,name,name_raw,size,payload,position; name_raw (base64)
 * instead of name when the name is not valid UTF-8; size omitted when 0;
 * payload null for files of size 0; <,>,& escaped as \u003c etc.).  The CRC is Go's
 * hash/crc64 with the ISO table, as 8 big-endian bytes.
 */
#ifndef BERTH_TAR_TARSPLIT_H
#define BERTH_TAR_TARSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "../io/reader.h"
#include "../util/sbuf.h"

struct tarsplit_nameset;

/* CRC-64/ISO (Go hash/crc64 ISO table): crc = crc64_iso_update(0, p, n)
 * over successive chunks; the tar-split payload is the big-endian bytes. */
uint64_t crc64_iso_update(uint64_t crc, const void *p, size_t n);

/* Output callback: receives the JSON-lines bytes (the caller gzips them or
 * keeps them). Returns 0 or -1 with err set. */
typedef int (*tarsplit_out_fn)(void *ctx, const void *buf, size_t n, struct berr *err);

struct tarsplit_writer {
	tarsplit_out_fn out;
	void *ctx;
	int64_t position;
	struct sbuf line;
	/* names seen (after path cleaning), to refuse duplicates as tar-split
	 * does ("duplicates of file paths not supported"); private */
	struct tarsplit_nameset *seen;
};

void tarsplit_writer_init(struct tarsplit_writer *tw, tarsplit_out_fn out, void *ctx);
void tarsplit_writer_release(struct tarsplit_writer *tw);
/* A segment entry holding raw bytes; callers emit segments exactly where
 * tar-split's disassembler does (n == 0 encodes as "payload":"", as the
 * final segment of v0.11 is). */
int tarsplit_add_segment(struct tarsplit_writer *tw, const void *raw, size_t n, struct berr *err);
/* A file entry.  crc is ignored when size == 0 (payload null). */
int tarsplit_add_file(struct tarsplit_writer *tw, const char *name, size_t name_len, int64_t size,
		      uint64_t crc, struct berr *err);

struct tar_reader;
/* After the tar reader reached the end marker: records everything that
 * follows it in the stream as tar-split v0.11 does (segments of at most
 * 1 MiB, then one empty segment). */
int tarsplit_add_trailer(struct tarsplit_writer *tw, struct tar_reader *tr, struct berr *err);

/* Disassembles a whole tar stream the way tar-split's
 * asm.NewInputTarStream does, writing the JSON lines to tw and reading
 * (and CRC-ing) each entry's payload.  Used by tests and by
 * import/load; the pull path drives the writer from the extractor instead. */
int tarsplit_disassemble(struct reader *tar, struct tarsplit_writer *tw, struct berr *err);

/* Rebuilds the tar stream: reads JSON lines from `json`, writes segment
 * payloads verbatim and, for file entries with size > 0, the content of
 * `name` resolved under root_dirfd (never escaping it), verifying its CRC
 * ("file integrity checksum failed for \"NAME\"").  The output goes to out. */
int tarsplit_assemble(struct reader *json, int root_dirfd, tarsplit_out_fn out, void *ctx, struct berr *err);

/* The length of the tar tarsplit_assemble would produce, from the JSON
 * alone (segments plus file sizes): what an archive header or a manifest
 * descriptor needs before the layer is streamed. */
int tarsplit_tar_size(struct reader *json, int64_t *size, struct berr *err);

#endif
