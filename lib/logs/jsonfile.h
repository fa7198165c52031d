/*
 * jsonfile.h - docker's json-file log driver (moby daemon/logger/jsonfilelog
 * at v20.10), byte for byte: the writer (record encoding, docker's copier
 * that cuts a stream into lines of at most 16 KiB, max-size/max-file
 * rotation) and the reader (records across rotated files, tail, since/until,
 * follow).
 *
 * A record is one line of <id>-json.log:
 *   {"log":"<bytes>","stream":"stdout","time":"2026-12-03T08:07:44.9046Z"}\n
 * "log" keeps the line's \n; pieces of a longer line lack it and share the
 * first piece's time; a stream's unterminated tail is logged without \n.
 * Escaping is docker's (ffjson's, not encoding/json's): \" \\ \n \r, every
 * other byte < 0x20 and < > & as \u00XX (so a tab is \u0009), each byte of
 * invalid UTF-8 as \ufffd, U+2028/9 as \u2028/9.  Times are UTC
 * RFC3339Nano with trailing zeros dropped.
 *
 * Liveness: a writer holds an exclusive flock on the file at the log's path
 * for as long as it is open (rotation locks the new file before it takes the
 * name), so a follower that can take a shared lock on the file it reads, and
 * finds the path still naming that file, knows the writer is gone for good:
 * the container stopped, or its monitor died.  Nothing is added to docker's
 * layout for this.
 *
 * Not implemented: compress=true (rotated files stay plain; the option is
 * rejected), attrs (labels/env/tag).
 */
#ifndef BERTH_LOGS_JSONFILE_H
#define BERTH_LOGS_JSONFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"
#include "util/sbuf.h"

/* docker's copier buffer: the longest record's "log". */
#define JSONFILE_LINE_MAX 16384

struct jsonfile_opts {
	int64_t max_size;   /* bytes; -1 = unbounded (no rotation) */
	int max_file;       /* files kept, the current one included (>= 1) */
};

#define JSONFILE_OPTS_INIT { -1, 1 }

/* Applies one --log-opt of the json-file driver ("max-size" as go-units'
 * RAMInBytes: "10m", "1k", "2.5g"; "max-file"; "compress" only as false),
 * with docker's error texts.  Unknown keys are an error. */
int jsonfile_opt_set(struct jsonfile_opts *o, const char *key, const char *value, struct berr *err);

/* Appends one encoded record, with its final \n, to out. */
void jsonfile_encode(struct sbuf *out, const char *stream, const void *log, size_t len,
		     int64_t sec, long nsec);

/* ------------------------------------------------------------ writer */

struct jsonfile_writer;

/* Opens (creating, 0640) path for appending and takes its lock; the size
 * already there counts toward max_size, as docker's.  free with _close. */
struct jsonfile_writer *jsonfile_open(const char *path, const struct jsonfile_opts *o, struct berr *err);
/* Writes one record (rotating first when the file has reached max_size). */
int jsonfile_write(struct jsonfile_writer *w, const char *stream, const void *log, size_t len,
		   int64_t sec, long nsec, struct berr *err);
/* Closes the file, releasing the lock (followers then finish).  NULL-safe. */
void jsonfile_close(struct jsonfile_writer *w);

/* docker's copier for one stream: bytes in, records out.  Embedded by its
 * user; no allocation. */
struct jsonfile_copier {
	const char *stream;        /* "stdout" / "stderr", borrowed */
	size_t n;                  /* bytes buffered */
	int partial;               /* the buffered line continues a logged piece */
	int64_t psec;              /* that first piece's time */
	long pnsec;
	char buf[JSONFILE_LINE_MAX];
};

void jsonfile_copier_init(struct jsonfile_copier *c, const char *stream);
/* Feeds bytes read at (sec, nsec); writes every complete line, and a full
 * 16 KiB buffer as a piece. */
int jsonfile_copier_feed(struct jsonfile_copier *c, struct jsonfile_writer *w, const void *data,
			 size_t len, int64_t sec, long nsec, struct berr *err);
/* The stream ended: logs what is buffered, without \n. */
int jsonfile_copier_eof(struct jsonfile_copier *c, struct jsonfile_writer *w, int64_t sec, long nsec,
			struct berr *err);

/* ------------------------------------------------------------ reader */

struct jsonfile_record {
	const char *stream;        /* "stdout" or "stderr" (or what the file says) */
	const char *log;           /* decoded bytes, not NUL-safe: use len */
	size_t len;
	int64_t sec;               /* time */
	long nsec;
};

/* Returns 0 to go on, non-zero to stop reading (jsonfile_read returns 0). */
typedef int (*jsonfile_record_fn)(const struct jsonfile_record *r, void *ctx);

enum { JSONFILE_STDOUT = 1, JSONFILE_STDERR = 2 };

struct jsonfile_read_opts {
	long tail;                 /* < 0 all; N the last N records across files */
	int64_t since_sec;         /* records before since are skipped (0 = unset) */
	long since_nsec;
	int64_t until_sec;         /* reading stops after until (0 = unset) */
	long until_nsec;
	int streams;               /* JSONFILE_STDOUT|JSONFILE_STDERR; applied after tail, as docker */
	int follow;                /* then wait for new records until the writer is gone */
	int cancel_fd;             /* follow also ends when this fd is readable or hung up; -1 none */
	int max_file;              /* rotated files to look at: path.1 .. path.(max_file-1) */
};

#define JSONFILE_READ_OPTS_INIT { -1, 0, 0, 0, 0, JSONFILE_STDOUT | JSONFILE_STDERR, 0, -1, 1 }

/* Calls fn for each record of path's rotated files (oldest first) and path
 * itself.  A missing log is empty.  Malformed lines are an error, as they
 * are for docker ("invalid character ..."). */
int jsonfile_read(const char *path, const struct jsonfile_read_opts *o, jsonfile_record_fn fn, void *ctx,
		  struct berr *err);

/* Decodes one line (without its \n) into r; r->log points into scratch
 * (overwritten), r->stream is "stdout"/"stderr" or into scratch2. */
int jsonfile_decode(const char *line, size_t len, struct jsonfile_record *r, struct sbuf *scratch,
		    struct sbuf *scratch2, struct berr *err);

/* docker logs --timestamps' prefix: "2006-01-02T15:04:05.000000000Z" (fixed
 * nine digits, UTC), NUL-terminated, no space. */
void jsonfile_format_timestamp(int64_t sec, long nsec, char out[40]);
/* Parses docker's since/until query form "sec[.nanos]"; 0, or -1 when bad. */
int jsonfile_parse_time(const char *s, int64_t *sec, long *nsec);

#endif
