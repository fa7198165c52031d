/*
 * berth.h - the public API of libberth, the library behind the `berth` tool.
 *
 * The library decides, the CLI talks: nothing here prints, exits or parses
 * argv.  Progress is reported through callbacks shaped like Docker's
 * JSON messages (an id, a status text, optional current/total), so that the
 * CLI can render them exactly as the docker CLI renders the daemon's.
 *
 * Errors: <berth/error.h>.  Ownership: a `**out` parameter is the
 * caller's and is released with the matching _free()/_release().
 */
#ifndef BERTH_BERTH_H
#define BERTH_BERTH_H

#include <stddef.h>
#include <stdint.h>

#include <berth/error.h>

#define BERTH_VERSION "0.1.0"
#define BERTH_DEFAULT_ROOT "/var/lib/berth"

struct berth;

/* Opens the store under root (created when missing) and reads the config
 * file (NULL: $BERTH_CONFIG, else /etc/berth/daemon.json). */
int berth_open(struct berth **out, const char *root, const char *config_path, struct berr *err);
void berth_close(struct berth *b);

/* One progress message, shaped as Docker's JSON message: id may be NULL;
 * has_detail says the message carries a progressDetail (Docker's
 * progress.Update and progress readers do, progress.Message does not),
 * which decides how the docker CLI lays the line out; current/total are 0
 * when the detail has no counts.  Called from worker threads, serialised
 * by the library. */
struct berth_progress {
	const char *id;
	const char *status;
	int has_detail;
	int64_t current, total;
};
typedef void (*berth_progress_fn)(void *ctx, const struct berth_progress *msg);

struct berth_pull_opts {
	const char *platform;   /* "os/arch[/variant]"; NULL = the host's */
	int all_tags;           /* -a */
	berth_progress_fn progress;
	void *progress_ctx;
};

/* Checks that s is a valid image reference, with Docker's error texts
 * ("invalid reference format: ..."); no store needed. */
int berth_reference_check(const char *s, struct berr *err);

/* Pulls ref into the store.  *canonical_out (free()) gets the full
 * reference docker prints last ("docker.io/library/busybox:latest"). */
int berth_pull(struct berth *b, const char *ref, const struct berth_pull_opts *opts, char **canonical_out,
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

/* One record of `rmi`/`image prune`, in docker's order: a removed name
 * (Untagged:) or a deleted image or layer ID (Deleted:). */
struct berth_rmi_item {
	int deleted;
	char *ref;
};
struct berth_rmi_opts {
	int force;     /* -f */
	int no_prune;  /* --no-prune: keep untagged parent images */
};
/* Docker 20.10's image delete of one name, ID (prefix) or name@digest.
 * Errors: BERR_NOT_FOUND ("No such image: busybox:latest"), BERR_EXISTS
 * for conflicts ("conflict: unable to delete ..."), BERR_INVALID for bad
 * references.  *items (berth_rmi_items_free) only on success. */
int berth_image_remove(struct berth *b, const char *name, const struct berth_rmi_opts *opts,
		       struct berth_rmi_item **items, size_t *n, struct berr *err);
void berth_rmi_items_free(struct berth_rmi_item *v, size_t n);

struct berth_prune_opts {
	int all;                    /* -a: not only dangling images */
	const char *const *filters; /* "until=...", "label=...", "label!=..."; NULL-terminated or NULL */
};
/* Docker 20.10's image prune; *reclaimed is the sum of the deleted layers' own sizes. */
int berth_image_prune(struct berth *b, const struct berth_prune_opts *opts, struct berth_rmi_item **items,
		      size_t *n, int64_t *reclaimed, struct berr *err);

/* `system df`: the images part (berth has no containers, volumes or build cache). */
struct berth_df_image {
	char *id;
	char *repo_tag;      /* the first tag (docker's order) or NULL */
	int dangling;
	int64_t created;
	int64_t size;        /* the whole chain */
	int64_t shared_size; /* layers also used by another image */
};
struct berth_df {
	struct berth_df_image *images;
	size_t n_images;
	int64_t layers_size; /* every layer counted once */
};
int berth_system_df(struct berth *b, struct berth_df *out, struct berr *err);
void berth_df_release(struct berth_df *df);

/* ---- archives: save, load, import ---- */

/* Writes the named images (names, tags, IDs; a bare repository name
 * means all its tags, as docker save) as one archive to fd: Docker 25's
 * layout, read by docker load and by OCI tools.  Layers are rebuilt
 * byte-exact from the store. */
int berth_image_save(struct berth *b, const char *const *names, size_t n, int fd, struct berr *err);

struct berth_load_opts {
	berth_progress_fn progress;   /* "Loading layer" events; may be NULL */
	void *progress_ctx;
};
/* One line of load's output, in docker's order: "Loaded image: NAME:TAG"
 * or "Loaded image ID: sha256:..." (and docker's renaming notice). */
struct berth_load_result {
	char **lines;
	size_t n;
};
/* Loads a docker-archive (legacy or Docker 25 layout) or an OCI layout
 * archive, plain or gzip/zstd/xz-compressed, from fd.  Nothing is added
 * to the store unless every image of the archive verifies. */
int berth_image_load(struct berth *b, int fd, const struct berth_load_opts *opts, struct berth_load_result *out,
		     struct berr *err);
void berth_load_result_release(struct berth_load_result *r);

struct berth_import_opts {
	const char *const *changes;   /* -c Dockerfile instructions, NULL-terminated or NULL */
	const char *message;          /* -m */
	const char *platform;         /* --platform os[/arch[/variant]] */
	const char *source;           /* what to say in the history comment: "-", a path, a URL */
};
/* Imports one layer (a tar, maybe compressed) from fd as an image and
 * tags it ref (may be NULL); *id_out gets "sha256:<hex>". */
int berth_image_import(struct berth *b, int fd, const char *ref, const struct berth_import_opts *opts,
		       char id_out[72], struct berr *err);

/* ---- registry accounts and search: docker login, logout, search ----
 * No store needed: these take the daemon.json path (NULL: the default
 * lookup of berth_open) and use docker's client config for credentials
 * ($DOCKER_CONFIG/config.json or ~/.docker/config.json, or the credential
 * helper it names). */

#define BERTH_INDEX_SERVER "https://index.docker.io/v1/"

/* Docker's ConvertToHostname: "https://host:port/path" -> "host:port" (free()). */
char *berth_server_hostname(const char *server);
/* The key `docker login SERVER` stores credentials under: BERTH_INDEX_SERVER
 * for NULL, "", "docker.io" and BERTH_INDEX_SERVER, else the hostname. */
char *berth_login_key(const char *server);
/* Credentials stored for key, *user and *pass NULL when there are none (a
 * credential helper's failure counts as none, as in docker). */
int berth_login_stored(const char *key, char **user, char **pass, struct berr *err);
/* Checks user/pass against the registry of key as dockerd's /auth does:
 * GET /v2/, then Basic credentials or a token from the Bearer realm.
 * Errors are docker's ("login attempt to https://h/v2/ failed with status:
 * 401 Unauthorized", "Get \"http://h/v2/\": unauthorized: ..."). */
int berth_login_check(const char *config_path, const char *key, const char *user, const char *pass,
		      struct berr *err);
/* The file berth_login_save would write the password into in plain text
 * (free()), or NULL when a credential helper stores it. */
char *berth_login_plaintext_path(const char *key);
/* Stores the credentials as docker's CLI does: through the credential
 * helper, or in config.json (0600 when new, docker's layout, other keys
 * kept).  Errors: "error storing credentials - err: ..., out: `...`". */
int berth_login_save(const char *key, const char *user, const char *pass, struct berr *err);
/* Erases each of keys from the credential helper and config.json;
 * errs[i] (n of them) tells each key's result.  Returns the number of
 * keys that failed, or -1 with err set when config.json cannot be written. */
int berth_logout(const char *const *keys, size_t n, struct berr *errs, struct berr *err);

struct berth_search_result {
	char *name;
	char *description;
	int64_t star_count;
	int is_official, is_automated;
};
struct berth_search_opts {
	int limit;                  /* docker's --limit: 1..100 */
	const char *const *filters; /* "stars=N", "is-official=B", "is-automated=B"; NULL-terminated or NULL */
};
/* The checks the docker CLI makes on a search term before asking its
 * daemon ("invalid index name (-x-). Cannot begin or end with a hyphen"). */
int berth_search_check_term(const char *term, struct berr *err);
/* Docker 20.10's image search: the v1 search API of the registry the term
 * names (default Docker Hub's index), the daemon's filters and errors,
 * sorted by stars (descending, ties in the registry's order).  A registry
 * without the v1 API (404) is listed through /v2/_catalog instead: the
 * repositories containing the term, named "host/repo", no stars. */
int berth_search(const char *config_path, const char *term, const struct berth_search_opts *opts,
		 struct berth_search_result **out, size_t *n, struct berr *err);
void berth_search_results_free(struct berth_search_result *v, size_t n);

/* ---- image inspect, history, tag; info (lib/image/{inspect,history,tag,info}.c) ---- */

/* Docker 20.10's GET /images/{name}/json body for one name or ID, as the
 * daemon encodes types.ImageInspect: compact, no HTML escaping, no
 * newline (free()).  Errors as LookupImage's: "no such image: NAME: ..."
 * (BERR_NOT_FOUND when the image is not there, BERR_INVALID for a bad
 * reference). */
int berth_image_inspect_raw(struct berth *b, const char *name, char **json_out, struct berr *err);

/* One row of Docker 20.10's image history, newest first. */
struct berth_history_item {
	char *id;         /* "sha256:<hex>" or "<missing>" */
	int64_t created;  /* unix seconds; Go's zero time is -62135596800 */
	char *created_by;
	char *comment;
	int64_t size;     /* the layer's own size; 0 for empty_layer entries */
};
/* Errors as GetImage's: "No such image: nosuch:latest", reference errors. */
int berth_image_history(struct berth *b, const char *name, struct berth_history_item **out, size_t *n,
			struct berr *err);
void berth_history_free(struct berth_history_item *v, size_t n);

/* Docker 20.10's POST /images/{source}/tag?repo=&tag=: target is a
 * checked, digest-free reference (the CLI's checks come first).  Points
 * the tag at the image in repositories.json and stamps the image's
 * lastUpdated, under the store lock. */
int berth_image_tag(struct berth *b, const char *source, const char *target, struct berr *err);

/* berth's own facts in the shape of docker's `info` (strings free()d by
 * berth_info_release). */
struct berth_info {
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
};
int berth_info(struct berth *b, struct berth_info *out, struct berr *err);
void berth_info_release(struct berth_info *info);

/* ---- push ---- */
struct berth_push_opts {
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
int berth_push(struct berth *b, const char *ref, const struct berth_push_opts *opts, char **canonical_out,
	       struct berr *err);

#endif
