/* err.c - see err.h for the convention. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void vset(struct berr *err, enum berr_code code, int errno_, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	err->errno_ = errno_;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int berr_set(struct berr *err, enum berr_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int berr_sys(struct berr *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vset(err, BERR_IO, saved, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int berr_wrap(struct berr *err, const char *fmt, ...)
{
	char prefix[BERR_MSG_MAX], old[BERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is acceptable for a message; keep the tail's start. */
	size_t n = strnlen(prefix, sizeof(err->msg) - 3);
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	size_t room = sizeof(err->msg) - n - 3, m = strnlen(old, room);
	memcpy(err->msg + n + 2, old, m);
	err->msg[n + 2 + m] = '\0';
	if (err->code == BERR_OK)
		err->code = BERR_INTERNAL;
	return -1;
}

void berr_clear(struct berr *err)
{
	if (!err)
		return;
	err->code = BERR_OK;
	err->errno_ = 0;
	err->msg[0] = '\0';
}

void berr_copy(struct berr *dst, const struct berr *src)
{
	if (dst && src && dst != src)
		memcpy(dst, src, sizeof(*dst));
}
