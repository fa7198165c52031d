/*
 * system.h - the store as a whole: system df, info.
 *
 * Part of the public API: include <berth/berth.h>, or this header alone.
 */
#ifndef BERTH_SYSTEM_H
#define BERTH_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>
#include <berth/container.h>
#include <berth/error.h>

/* `system df` (docker's GET /system/df): images and containers (berth has
 * no build cache). */
struct berth_system_df_image {
	char *id;
	char *repo_tag;      /* the first tag (docker's order) or NULL */
	int dangling;
	int64_t created;
	int64_t size;        /* the whole chain */
	int64_t shared_size; /* layers also used by another image */
	int64_t containers;  /* containers whose image this is, in any state */
};
struct berth_system_df {
	struct berth_system_df_image *images;
	size_t n_images;
	int64_t layers_size; /* every layer counted once */
	/* Every container as GET /containers/json?all=1&size=1 lists it,
	 * newest first, with size_rw and size_root_fs. */
	struct berth_container_item *containers;
	size_t n_containers;
};
int berth_system_df(struct berth *b, struct berth_system_df *out, struct berr *err);
void berth_system_df_release(struct berth_system_df *df);

/* berth's own facts in the shape of docker's `info` (strings free()d by
 * berth_system_info_release). */
struct berth_system_info {
	char *root;             /* the store root, symlinks resolved */
	size_t images;          /* images in imagedb */
	size_t layers;          /* layers in layerdb */
	/* containers by docker's state counter: "running", "paused", and
	 * everything else (created, restarting, exited, dead) as stopped */
	size_t containers_running, containers_paused, containers_stopped;
	char *backing_fs;       /* overlay2's name of the root's filesystem ("extfs") */
	int supports_d_type;
	char *kernel_version;
	char *operating_system; /* PRETTY_NAME of os-release */
	char *os_version;       /* VERSION_ID */
	char *architecture;     /* uname -m */
	int ncpu;
	int64_t mem_total;
	char *name;             /* host name */
	char **insecure_registries; /* NULL-terminated, as configured */
	char **registry_mirrors;
	int max_concurrent_downloads;
};
int berth_system_info(struct berth *b, struct berth_system_info *out, struct berr *err);
void berth_system_info_release(struct berth_system_info *info);

/* Docker's POST /build/prune on a store that has no build cache: the
 * filters are checked as dockerd's builder checks them ("until" must be
 * one Go duration: "failed to prune build cache: \"until\" filter expects
 * a duration (e.g., '24h'): time: ..."), and nothing is reclaimed. */
struct berth_system_build_cache_prune_opts {
	int all;
	const char *const *filters; /* "key=value", NULL-terminated or NULL */
};
int berth_system_build_cache_prune(struct berth *b, const struct berth_system_build_cache_prune_opts *opts,
				   uint64_t *reclaimed, struct berr *err);

#endif
