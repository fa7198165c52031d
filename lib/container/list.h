/*
 * list.h - what the container list's two parts share: list.c walks the
 * records and makes the items, listfilter.c is dockerd's filtering
 * (foldFilter, filterByNameIDMatches, includeContainerInList).
 */
#ifndef BERTH_CONTAINER_LIST_H
#define BERTH_CONTAINER_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <berth/container.h>

#include "container.h"

/* What the listing knows of each container (dockerd's Snapshot). */
struct list_snap {
	struct container *c;
	int64_t created_ns;
	const char *state;  /* StateString */
	const char *health; /* "none", "starting", "healthy", "unhealthy" */
	char **labels;      /* Config.Labels: key, value, ... sorted by key */
	size_t n_labels;
	int labels_done;
	int candidate;      /* passes the name/ID fast path */
};

/* Fills s->labels once. */
void list_snap_labels(struct list_snap *s);
/* The container's ports as the snapshot lists them (NetworkSettings.Ports). */
void list_snap_ports(struct container *c, struct berth_container_port **out, size_t *n);
void list_ports_free(struct berth_container_port *v, size_t n);

static inline const char *list_snap_name(const struct list_snap *s)
{
	return s->c->name ? s->c->name : "";
}

static inline int list_is_zero_time(const char *t)
{
	return !t || !*t || !strncmp(t, "0001-01-01T00:00:00", 19);
}

/* The filters of one listing: the "key=value" strings (NULL-terminated),
 * -a and -n. */
struct list_filters;
struct list_filters *list_filters_new(const char *const *filters, int all, int limit);
void list_filters_free(struct list_filters *x);
/* foldFilter: checks the keys and values (dockerd's errors), resolves
 * before/since among v (newest first) and the ancestors' images. */
int list_filters_fold(struct berth *b, struct list_filters *x, struct list_snap *v, size_t n, struct berr *err);
/* Sets each snap's candidate (the name/ID fast path). */
void list_filters_candidates(struct list_filters *x, struct list_snap *v, size_t n);
enum list_action { LIST_INCLUDE, LIST_EXCLUDE, LIST_STOP };
/* includeContainerInList for the next snap, newest first; an included
 * one counts towards the limit. */
enum list_action list_filters_include(struct list_filters *x, struct list_snap *s);

#endif
