/*
 * image.h - images: references, pull, list, inspect, history, tag, remove, prune, push.
 *
 * Part of the public API: include <berth/berth.h>, or this header alone.
 */
#ifndef BERTH_IMAGE_H
#define BERTH_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <berth/berth.h>
#include <berth/error.h>

/* Checks that s is a valid image reference, with Docker's error texts
 * ("invalid reference format: ..."); no store needed. */
int berth_image_reference_check(const char *s, struct berr *err);

struct berth_image_pull_opts {
	const char *platform;   /* "os/arch[/variant]"; NULL = the host's */
	int all_tags;           /* -a */
	berth_progress_fn progress;
	void *progress_ctx;
};

/* Pulls ref into the store.  *canonical_out (free()) gets the full
 * reference docker prints last ("docker.io/library/busybox:latest"). */
int berth_image_pull(struct berth *b, const char *ref, const struct berth_image_pull_opts *opts, char **canonical_out,
	       struct berr *err);

/* One row source for `images`: an image and its references. */
struct berth_image {
	char *id;              /* sha256:<hex> */
	char **repo_tags;      /* familiar "name:tag", NULL-terminated */
	char **repo_digests;   /* familiar "name@sha256:..." */
	int64_t created;       /* unix seconds; 0 when unknown */
	int64_t size;          /* sum of the layers' sizes */
};

/* All images, newest first. */
int berth_image_list(struct berth *b, struct berth_image **out, size_t *n, struct berr *err);
void berth_image_list_free(struct berth_image *v, size_t n);

/* What `docker images` asks the daemon for (Docker 20.10, API 1.41). */
struct berth_image_list_opts {
	int all;                    /* -a: also intermediate images */
	const char *const *filters; /* "key=value" strings, NULL-terminated; NULL: none */
};
/* Docker 20.10's image list: filters dangling, label, before, since and
 * reference, with the daemon's errors ("Invalid filter 'foo'"); dangling
 * images keep empty repo_tags/repo_digests; newest first. */
int berth_image_list_filtered(struct berth *b, const struct berth_image_list_opts *opts,
			      struct berth_image **out, size_t *n, struct berr *err);

/* Docker's `image inspect` JSON object for one image name or ID
 * (newly allocated, pretty-printed like docker, free()). */
int berth_image_inspect(struct berth *b, const char *name, char **json_out, struct berr *err);

/* Docker 20.10's GET /images/{name}/json body for one name or ID, as the
 * daemon encodes types.ImageInspect: compact, no HTML escaping, no
 * newline (free()).  Errors as LookupImage's: "no such image: NAME: ..."
 * (BERR_NOT_FOUND when the image is not there, BERR_INVALID for a bad
 * reference). */
int berth_image_inspect_raw(struct berth *b, const char *name, char **json_out, struct berr *err);

/* One row of Docker 20.10's image history, newest first. */
struct berth_image_history_item {
	char *id;         /* "sha256:<hex>" or "<missing>" */
	int64_t created;  /* unix seconds; Go's zero time is -62135596800 */
	char *created_by;
	char *comment;
	int64_t size;     /* the layer's own size; 0 for empty_layer entries */
};
/* Errors as GetImage's: "No such image: nosuch:latest", reference errors. */
int berth_image_history(struct berth *b, const char *name, struct berth_image_history_item **out, size_t *n,
			struct berr *err);
void berth_image_history_free(struct berth_image_history_item *v, size_t n);

/* Docker 20.10's POST /images/{source}/tag?repo=&tag=: target is a
 * checked, digest-free reference (the CLI's checks come first).  Points
 * the tag at the image in repositories.json and stamps the image's
 * lastUpdated, under the store lock. */
int berth_image_tag(struct berth *b, const char *source, const char *target, struct berr *err);

/* One record of `rmi`/`image prune`, in docker's order: a removed name
 * (Untagged:) or a deleted image or layer ID (Deleted:). */
struct berth_image_remove_item {
	int deleted;
	char *ref;
};
struct berth_image_remove_opts {
	int force;     /* -f */
	int no_prune;  /* --no-prune: keep untagged parent images */
};
/* Docker 20.10's image delete of one name, ID (prefix) or name@digest.
 * Errors: BERR_NOT_FOUND ("No such image: busybox:latest"), BERR_EXISTS
 * for conflicts ("conflict: unable to delete ..."), BERR_INVALID for bad
 * references.  *items (berth_image_remove_items_free) only on success. */
int berth_image_remove(struct berth *b, const char *name, const struct berth_image_remove_opts *opts,
		       struct berth_image_remove_item **items, size_t *n, struct berr *err);
void berth_image_remove_items_free(struct berth_image_remove_item *v, size_t n);

struct berth_image_prune_opts {
	int all;                    /* -a: not only dangling images */
	const char *const *filters; /* "until=...", "label=...", "label!=..."; NULL-terminated or NULL */
};
/* Docker 20.10's image prune; *reclaimed is the sum of the deleted layers' own sizes. */
int berth_image_prune(struct berth *b, const struct berth_image_prune_opts *opts, struct berth_image_remove_item **items,
		      size_t *n, int64_t *reclaimed, struct berr *err);

struct berth_image_push_opts {
	int all_tags;           /* -a: every tag of the repository */
	berth_progress_fn progress;
	void *progress_ctx;
};
/* Pushes NAME[:TAG] (default latest; every tag with all_tags) as docker
 * 20.10 does: schema2 manifests, gzip layers rebuilt from the store.
 * Errors use docker's texts ("An image does not exist locally with the
 * tag: X", "tag does not exist: X:T", the registry's words).  On success
 * the layers' digests and NAME@DIGEST are recorded in the store, and
 * *canonical_out (free(), may be NULL) gets what `push -q` prints. */
int berth_image_push(struct berth *b, const char *ref, const struct berth_image_push_opts *opts, char **canonical_out,
	       struct berr *err);

#endif
