/*
 * archive.h - image archives: save, load, import.
 *
 * Part of the public API: include <berth/berth.h>, or this header alone.
 */
#ifndef BERTH_ARCHIVE_H
#define BERTH_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>
#include <berth/error.h>

/* Writes the named images (names, tags, IDs; a bare repository name
 * means all its tags, as docker save) as one archive to fd: Docker 25's
 * layout, read by docker load and by OCI tools.  Layers are rebuilt
 * byte-exact from the store. */
int berth_archive_save(struct berth *b, const char *const *names, size_t n, int fd, struct berr *err);

struct berth_archive_load_opts {
	berth_progress_fn progress;   /* "Loading layer" events; may be NULL */
	void *progress_ctx;
};
/* One line of load's output, in docker's order: "Loaded image: NAME:TAG"
 * or "Loaded image ID: sha256:..." (and docker's renaming notice). */
struct berth_archive_load_result {
	char **lines;
	size_t n;
};
/* Loads a docker-archive (legacy or Docker 25 layout) or an OCI layout
 * archive, plain or gzip/zstd/xz-compressed, from fd.  Nothing is added
 * to the store unless every image of the archive verifies. */
int berth_archive_load(struct berth *b, int fd, const struct berth_archive_load_opts *opts, struct berth_archive_load_result *out,
		     struct berr *err);
void berth_archive_load_result_release(struct berth_archive_load_result *r);

struct berth_archive_import_opts {
	const char *const *changes;   /* -c Dockerfile instructions, NULL-terminated or NULL */
	const char *message;          /* -m */
	const char *platform;         /* --platform os[/arch[/variant]] */
	const char *source;           /* what to say in the history comment: "-", a path, a URL */
};
/* Imports one layer (a tar, maybe compressed) from fd as an image and
 * tags it ref (may be NULL); *id_out gets "sha256:<hex>". */
int berth_archive_import(struct berth *b, int fd, const char *ref, const struct berth_archive_import_opts *opts,
		       char id_out[72], struct berr *err);

#endif
