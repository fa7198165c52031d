/*
 * sbuf.h - a growable byte buffer, always NUL-terminated (git's strbuf).
 *
 * Ownership: the struct is embedded by its user; sbuf_release() frees the
 * bytes and leaves an empty, reusable buffer.  sbuf_detach() hands the bytes
 * to the caller (free() them).  Allocation failure aborts: berth treats OOM
 * as fatal, like git's xmalloc.
 */
#ifndef BERTH_UTIL_SBUF_H
#define BERTH_UTIL_SBUF_H

#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>

struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_init(struct sbuf *sb);
void sbuf_release(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
char *sbuf_detach(struct sbuf *sb, size_t *len_out);
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Returns buf, or "" for a never-grown buffer; never NULL. */
const char *sbuf_str(const struct sbuf *sb);

/* xmalloc family: abort on OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* qsort/bsearch comparator of two (char *) elements, by strcmp. */
int str_ptr_cmp(const void *a, const void *b);

/* Cleanup attributes (crun style): `_cleanup_free_ char *p = NULL;` */
static inline void cleanup_freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
static inline void cleanup_sbufp(struct sbuf *sb) { sbuf_release(sb); }
#define _cleanup_sbuf_ __attribute__((cleanup(cleanup_sbufp)))

#endif
