/*
 * store.h - the image store, in Docker 20.10's overlay2 graph-driver layout
 * so that Docker can run on a root berth wrote and berth can read Docker's:
 *
 *   <root>/image/overlay2/repositories.json
 *   <root>/image/overlay2/imagedb/{content,metadata}/sha256/<image id hex>
 *   <root>/image/overlay2/layerdb/sha256/<chain id hex>/{diff,size,parent,cache-id,tar-split.json.gz}
 *   <root>/image/overlay2/distribution/{diffid-by-digest,v2metadata-by-diffid}/sha256/<hex>
 *   <root>/overlay2/<cache id>/{diff,link,lower,work,committed}, <root>/overlay2/l/<link id>
 *
 * Visibility rules (crash safety): a layer exists once its layerdb dir is
 * renamed into place, which happens only after its files are extracted and
 * both digests verified; an image exists once its config is in imagedb and
 * its top layer exists; names point at images through repositories.json,
 * rewritten atomically.  A killed pull leaves at worst an unregistered
 * overlay2/<cache id> dir that no image refers to.
 *
 * Locking: berth processes sharing a root serialise their store updates with
 * an exclusive flock on <root>/berth.lock (store_lock); downloads and
 * extraction run unlocked, into fresh dirs nobody else knows about.
 */
#ifndef BERTH_STORE_STORE_H
#define BERTH_STORE_STORE_H

#include <stdint.h>
#include <jansson.h>

#include "../io/digest.h"
#include "../util/err.h"
#include "../util/sbuf.h"

struct store {
	char *root;
	int root_fd;
	int image_fd;   /* <root>/image/overlay2 */
	int overlay_fd; /* <root>/overlay2 */
	int lock_fd;
};

/* Opens (creating when needed) the store under root. */
int store_open(struct store **out, const char *root, struct berr *err);
void store_close(struct store *s);
int store_lock(struct store *s, struct berr *err);
void store_unlock(struct store *s);

struct store_layer {
	char chain_id[DIGEST_STR_LEN];
	char diff_id[DIGEST_STR_LEN];
	char parent[DIGEST_STR_LEN]; /* "" for a base layer */
	char cache_id[65];
	int64_t size;                /* the layer's own size */
};

int store_layer_exists(struct store *s, const char *chain_id);
int store_layer_read(struct store *s, const char *chain_id, struct store_layer *out, struct berr *err);

/* A fresh overlay2/<cache id>/diff to extract into.  While it is being
 * filled, layerdb/tmp/incomplete-<cache id> exists and its creator holds a
 * flock on it: store_gc() removes the dirs of markers nobody holds (a
 * pull killed with -9), and never one still in use. */
struct layer_dir {
	char cache_id[65];
	int diff_fd;
	int marker_fd;
};
int store_layer_dir_new(struct store *s, struct layer_dir *out, struct berr *err);
/* Closes diff_fd (idempotent). */
void store_layer_dir_close(struct layer_dir *ld);
/* Drops the incomplete marker: call just before registering the dir. */
void store_layer_dir_done(struct store *s, struct layer_dir *ld);
/* Removes an extracted dir that will not be registered. */
void store_layer_dir_discard(struct store *s, struct layer_dir *ld);

/* The temp file for a layer dir's tar-split.json.gz while extracting:
 * layerdb/tmp/ts-<cache id>. */
int store_tmpfile(struct store *s, const struct layer_dir *ld, char name_out[96], int *fd_out,
		  struct berr *err);
void store_tmpfile_discard(struct store *s, const char *name);

/* Removes what interrupted berth processes left: unheld incomplete layer
 * dirs with their tar-split temp files, layerdb/tmp/write-set-* dirs, and
 * half-done layer deletions (store_cleanup_removing).
 * Caller holds the lock. */
void store_gc(struct store *s);

/* Registers a layer whose files are in overlay2/<l->cache_id>/diff and
 * whose tar-split is in layerdb/tmp/<tarsplit_tmp>.  The parent (if any)
 * must be registered.  When the chain ID exists already (another pull won),
 * the new dir and temp file are discarded and *existed is set.  Caller holds
 * the lock. */
int store_layer_register(struct store *s, const struct store_layer *l, const char *tarsplit_tmp,
			 int *existed, struct berr *err);

/* imagedb */
int store_image_exists(struct store *s, const char *image_id);
int store_image_put(struct store *s, const void *config, size_t len, char id_out[DIGEST_STR_LEN],
		    struct berr *err);
/* Reads and verifies ("failed to verify: <id>") an image config. */
int store_image_config(struct store *s, const char *image_id, struct sbuf *out, struct berr *err);
/* Lists image IDs ("sha256:<hex>"); *ids is NULL-terminated, free each and the array. */
int store_image_list(struct store *s, char ***ids, struct berr *err);

/* repositories.json, as a jansson object {"Repositories":{name:{key:id}}}. */
int store_refs_load(struct store *s, json_t **out, struct berr *err);
int store_refs_save(struct store *s, json_t *refs, struct berr *err);
/* Points refs[familiar_name][key] at image_id; *prev (free()) gets the old
 * target or NULL.  Caller holds the lock and saves. */
void store_refs_set(json_t *refs, const char *familiar_name, const char *key, const char *image_id,
		    char **prev);

/* ---- deletion (rmi, prune) ----
 * A layer is deleted as Docker does: its layerdb dir is first renamed to
 * <hex>-<random>-removing (from then on it no longer exists), then its
 * overlay2 dir and l/ link go, then the renamed dir.  An interrupted
 * deletion leaves only a -removing dir, which store_cleanup_removing()
 * finishes.  Callers hold the lock. */
/* Lists the chain IDs of layerdb ("sha256:<hex>"); NULL-terminated, free each and the array. */
int store_layer_list(struct store *s, char ***ids, struct berr *err);
int store_layer_delete(struct store *s, const char *chain_id, struct berr *err);
void store_cleanup_removing(struct store *s);
/* Removes an image's imagedb content (the image is gone from then on) and metadata. */
int store_image_delete(struct store *s, const char *image_id, struct berr *err);
/* The hex IDs of the images that have an imagedb/metadata dir (a parent,
 * lastUpdated), sorted; one readdir instead of a failed open per image.
 * Free each and the array (NULL when there are none). */
char **store_image_metadata_ids(struct store *s, size_t *n);
/* Whether hex is in such a sorted list. */
int store_ids_have(char **ids, size_t n, const char *hex);
/* layerdb/sha256/<chain>/size alone (listing sizes). */
int store_layer_size(struct store *s, const char *chain_id, int64_t *size);
/* layerdb/sha256/<chain>/parent alone (what reference counting needs);
 * "" for a base layer. */
int store_layer_parent(struct store *s, const char *chain_id, char parent_out[DIGEST_STR_LEN]);
/* imagedb/metadata/sha256/<hex>/parent into parent_out; -1 when absent. */
int store_image_parent(struct store *s, const char *image_id, char parent_out[DIGEST_STR_LEN]);

/* berth's own record, beside Docker's layout (docker keeps none): the
 * manifest an image was pulled with, so that push can send it in its
 * own format (docker schema2 or OCI, the layers' media types) and, when
 * no layer changed, byte for byte.  <root>/berth/manifests/<image hex>:
 * "<media type>\n<repository pulled from>\n<manifest>".  Removed with the
 * image. */
#define MANIFESTS_DIR "berth/manifests"
int store_manifest_put(struct store *s, const char *image_id, const char *media_type, const char *source,
		       const void *buf, size_t len, struct berr *err);
/* *media_type and *source (free()), the manifest into out (replacing its content). */
int store_manifest_get(struct store *s, const char *image_id, char **media_type, char **source, struct sbuf *out,
		       struct berr *err);

/* distribution metadata written after a pull. */
int store_dist_add(struct store *s, const char *blob_digest, const char *diff_id, const char *source_repo,
		   struct berr *err);

#endif
