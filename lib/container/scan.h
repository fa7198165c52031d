/*
 * scan.h - walking a JSON object's members without building it: what
 * listing 1,000 containers needs (jansson builds a hashtable per object,
 * which costs more than the reading).  Values come back as byte slices of
 * the text, checked for well-formedness as they are skipped; slices that
 * are wanted as documents go to jansson (scan_json).
 */
#ifndef BERTH_CONTAINER_SCAN_H
#define BERTH_CONTAINER_SCAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct scan {
	const char *p, *end;
	int first;
};

/* Starts on the object that [p, end) holds (whitespace around allowed);
 * -1 when it is not one. */
int scan_object(struct scan *it, const char *p, size_t n);
/* The next member: its key (raw bytes between the quotes) and its value's
 * slice.  1: a member, 0: the object's end, -1: malformed. */
int scan_next(struct scan *it, const char **key, size_t *klen, const char **val, size_t *vlen);
/* Whether the raw key equals name (a key with escapes never does: dockerd
 * writes none in these files). */
int scan_key_is(const char *key, size_t klen, const char *name);

/* A string value decoded (free()), NULL when the slice is not a string. */
char *scan_string(const char *v, size_t n);
int scan_bool(const char *v, size_t n);
int64_t scan_int(const char *v, size_t n);
/* The slice as a jansson document (null for "null"). NULL if malformed. */
json_t *scan_json(const char *v, size_t n);

#endif
