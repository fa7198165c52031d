/* jsonfile.h - a small JSON settings file (daemon.json, docker's
 * config.json) read whole, size-bounded, and parsed. */
#ifndef BERTH_UTIL_JSONFILE_H
#define BERTH_UTIL_JSONFILE_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

/* 1 with *out (a JSON object; json_decref it), 0 when the file does not
 * exist, -1 on error: unreadable, larger than max bytes, not JSON
 * ("<path>: invalid JSON at line L column C: ..."), or not an object. */
int json_file_load(const char *path, size_t max, json_t **out, struct berr *err);

#endif
