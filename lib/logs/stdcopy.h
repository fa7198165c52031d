/*
 * stdcopy.h - docker's multiplexed stream (moby pkg/stdcopy), used by logs,
 * attach and exec without a TTY: each write is one frame, an 8-byte header
 * [type, 0, 0, 0, length as big-endian uint32] and the payload.
 */
#ifndef BERTH_LOGS_STDCOPY_H
#define BERTH_LOGS_STDCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "util/sbuf.h"

enum stdcopy_type {
	STDCOPY_STDIN = 0,
	STDCOPY_STDOUT = 1,
	STDCOPY_STDERR = 2,
	STDCOPY_SYSTEMERR = 3,   /* "Error grabbing logs: ..." */
};

#define STDCOPY_HEADER 8

/* The header of a frame of n bytes. */
void stdcopy_header(unsigned char out[STDCOPY_HEADER], enum stdcopy_type type, uint32_t n);
/* Appends a whole frame (header + payload) to out. */
void stdcopy_frame(struct sbuf *out, enum stdcopy_type type, const void *p, size_t n);
/* Writes one frame to fd (is_socket: MSG_NOSIGNAL); 0, or -1 with errno. */
int stdcopy_write(int fd, int is_socket, enum stdcopy_type type, const void *p, size_t n);

/* Incremental demultiplexer: feed bytes, take whole frames out. */
struct stdcopy_reader {
	struct sbuf buf;
	size_t off;
};

void stdcopy_reader_init(struct stdcopy_reader *r);
void stdcopy_reader_release(struct stdcopy_reader *r);
void stdcopy_reader_feed(struct stdcopy_reader *r, const void *p, size_t n);
/* The next complete frame: 1 with *type, *payload (borrowed until the next
 * call) and *len; 0 when more bytes are needed; -1 on a bad header. */
int stdcopy_reader_next(struct stdcopy_reader *r, int *type, const char **payload, size_t *len);

#endif
