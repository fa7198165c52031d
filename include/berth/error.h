/*
 * error.h - the one error convention of berth (library and CLI).
 *
 * Every fallible function takes `struct berr *err` as its LAST parameter and
 * returns an int (negative on failure) or a pointer (NULL on failure).  The
 * error is set exactly once, where the failure happens, with berr_set(); a
 * caller either returns it unchanged, adds context with berr_wrap(), or
 * handles it (berr_clear()).  The struct is owned by the caller (usually on
 * its stack), so errors never allocate and are safe across threads as long
 * as each thread has its own struct.
 *
 * Messages are docker-style one-liners: lower case, no trailing period, with
 * context prefixes joined by ": ".
 */
#ifndef BERTH_ERROR_H
#define BERTH_ERROR_H

#include <stdarg.h>

enum berr_code {
	BERR_OK = 0,
	BERR_INTERNAL,   /* a bug or an unexpected system failure */
	BERR_INVALID,    /* malformed input: reference, JSON, tar, manifest */
	BERR_NOT_FOUND,  /* image, layer, manifest or blob does not exist */
	BERR_EXISTS,     /* already there */
	BERR_AUTH,       /* unauthorized / denied */
	BERR_DIGEST,     /* digest or size mismatch */
	BERR_UNSUPPORTED,/* a media type, platform or feature we do not handle */
	BERR_TEMPORARY,  /* worth retrying: network, 5xx, 429 */
	BERR_IO,         /* a system call failed; errno_ holds errno */
	BERR_CANCELLED,  /* another worker failed first */
};

#define BERR_MSG_MAX 1024

struct berr {
	enum berr_code code;
	int errno_;
	char msg[BERR_MSG_MAX];
};

#define BERR_INIT { BERR_OK, 0, "" }

/* Sets *err (if err is non-NULL); always returns -1 so callers can write
 * `return berr_set(err, ...)`. */
int berr_set(struct berr *err, enum berr_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like berr_set with code BERR_IO, appending ": strerror(errno)". */
int berr_sys(struct berr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefixes the message with "<context>: "; keeps the code; returns -1. */
int berr_wrap(struct berr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void berr_clear(struct berr *err);
/* Copies src into dst (used to pass a worker thread's error up). */
void berr_copy(struct berr *dst, const struct berr *src);

#endif
