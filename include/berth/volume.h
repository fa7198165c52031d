/*
 * volume.h - docker 20.10's local volumes, daemonless (lib/volume/).
 *
 * A volume is <root>/volumes/<name>/_data (with opts.json when it has
 * driver options), and its labels and options are an entry of dockerd's
 * bbolt file volumes/metadata.db, which berth reads and writes itself: a
 * dockerd started on the root lists berth's volumes (its local driver
 * scans the dirs at start) and berth lists dockerd's.  A volume is in use
 * while any container's MountPoints name it, running or not, as dockerd
 * counts references.
 *
 * Part of the public API: include <berth/berth.h>, or this header alone.
 */
#ifndef BERTH_VOLUME_H
#define BERTH_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>
#include <berth/error.h>

struct berth_volume_create_opts {
	const char *name;              /* NULL or "": a random 64-hex name */
	const char *driver;            /* NULL, "" or "local" */
	const char *const *labels;     /* "k=v" or "k", NULL-terminated; NULL: null, not {} */
	const char *const *options;    /* driver options "k=v": type, device, o, size; the same */
};
/* Docker's VolumeCreate: an existing volume is returned as it is.
 * *name_out gets the name (free()).  Errors in dockerd's words, under
 * "create NAME: ": the name rules, `invalid option: "x"`, `missing
 * required option: "device"`, `error looking up volume plugin X: plugin
 * "X" not found`. */
int berth_volume_create(struct berth *b, const struct berth_volume_create_opts *opts, char **name_out,
			struct berr *err);

/* One volume as docker's API gives it (types.Volume). */
struct berth_volume {
	char *name, *driver, *mountpoint, *scope;
	char *created_at;          /* RFC3339 in local time */
	char **labels;             /* key, value, ... sorted by key; NULL when null */
	size_t n_labels;           /* pairs */
	char **options;            /* the same */
	size_t n_options;
	int64_t size;              /* with usage: bytes under _data, else -1 */
	int64_t ref_count;         /* with usage: containers naming it, else -1 */
};
/* Docker's VolumeList: every local volume, sorted by name; filters
 * "dangling=true|false|1|0", "name=" (regexp), "label=k[=v]",
 * "driver=" ("Invalid filter 'x'", "Invalid filter 'dangling=[x]'"). */
int berth_volume_list(struct berth *b, const char *const *filters, struct berth_volume **out, size_t *n,
		      struct berr *err);
void berth_volume_list_free(struct berth_volume *v, size_t n);

/* GET /volumes/{name}: the API's JSON (Go field order, compact, no
 * newline; free()).  BERR_NOT_FOUND "get NAME: no such volume". */
int berth_volume_inspect_raw(struct berth *b, const char *name, char **json_out, struct berr *err);

/* Docker's VolumeRm: BERR_EXISTS "remove NAME: volume is in use - [ID,
 * ...]" while containers name it; a missing one is BERR_NOT_FOUND "get
 * NAME: no such volume" unless force. */
int berth_volume_remove(struct berth *b, const char *name, int force, struct berr *err);

/* Docker 20.10's VolumesPrune: every local volume without driver options
 * that no container names, named ones too; filters "label=", "label!="
 * ("Invalid filter 'x'").  *names_out: the removed (NULL-terminated,
 * free each and the array), *reclaimed their sizes. */
int berth_volume_prune(struct berth *b, const char *const *filters, char ***names_out, uint64_t *reclaimed,
		       struct berr *err);

/* system df's volumes (LocalVolumesSize): local volumes without driver
 * options, with size and ref_count set. */
int berth_volume_usage(struct berth *b, struct berth_volume **out, size_t *n, struct berr *err);

#endif
