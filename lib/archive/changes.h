/*
 * changes.h - Dockerfile instructions applied to a container config
 * (`import -c`, `commit -c`), as Docker 20.10's BuildFromConfig.
 */
#ifndef BERTH_ARCHIVE_CHANGES_H
#define BERTH_ARCHIVE_CHANGES_H

#include <jansson.h>

#include "../util/err.h"
#include "../util/sbuf.h"

/* Applies each change (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
 * USER, VOLUME, WORKDIR) to cfg, a container.Config as a jansson object;
 * docker's errors ("foo is not a valid change command"). */
int changes_apply(json_t *cfg, const char *const *changes, struct berr *err);
/* A new object: cfg in container.Config's JSON shape (Go field order,
 * omitempty fields left out when empty, map keys sorted). */
json_t *changes_config_json(json_t *cfg);

#endif
