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
#include <berth/error.h>

/* `system df`: the images part (berth has no containers, volumes or build cache). */
struct berth_system_df_image {
	char *id;
	char *repo_tag;      /* the first tag (docker's order) or NULL */
	int dangling;
	int64_t created;
	int64_t size;        /* the whole chain */
	int64_t shared_size; /* layers also used by another image */
};
struct berth_system_df {
	struct berth_system_df_image *images;
	size_t n_images;
	int64_t layers_size; /* every layer counted once */
};
int berth_system_df(struct berth *b, struct berth_system_df *out, struct berr *err);
void berth_system_df_release(struct berth_system_df *df);

/* berth's own facts in the shape of docker's `info` (strings free()d by
 * berth_system_info_release). */
struct berth_system_info {
	char *root;             /* the store root, symlinks resolved */
	size_t images;          /* images in imagedb */
	size_t layers;          /* layers in layerdb */
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
	size_t containers, containers_running, containers_paused, containers_stopped;
};
int berth_system_info(struct berth *b, struct berth_system_info *out, struct berr *err);
void berth_system_info_release(struct berth_system_info *info);

#endif
