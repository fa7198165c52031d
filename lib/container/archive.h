/*
 * archive.h - the daemon's side of docker cp (lib/container/archive.c),
 * as steps, for cp.c (the client's side) to join to its own: a source
 * opened (container root mounted, path resolved in its scope, stat taken)
 * before its tar streams, as GET /archive sends the stat header first.
 */
#ifndef BERTH_CONTAINER_ARCHIVE_H
#define BERTH_CONTAINER_ARCHIVE_H

#include <berth/container.h>

#include "../io/reader.h"
#include "../layer/layer.h"

struct ctr_source;

/* containerArchivePath up to the stat: errors as the public call's. */
int ctr_source_open(struct berth *b, const char *name_or_id, const char *path, struct ctr_source **out,
		    struct berr *err);
const struct berth_container_path_stat *ctr_source_stat(const struct ctr_source *s);
/* The tar (renames: the client's RebaseArchiveEntries over it, 2 or NULL). */
int ctr_source_tar(struct ctr_source *s, const struct layer_rename *renames, layer_sink_fn out, void *ctx,
		   struct berr *err);
/* Unmounts what open mounted. NULL-safe. */
void ctr_source_close(struct ctr_source *s);

/* containerExtractToDir from a reader (decompressed here). */
int ctr_extract(struct berth *b, const char *name_or_id, const char *path, struct reader *src,
		const struct berth_container_extract_opts *o, struct berr *err);

#endif
