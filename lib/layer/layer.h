/*
 * layer.h - a container's layer as docker 20.10 sees it, from directories:
 * the overlay upper dir ("<mount-id>/diff") and the lower dirs below it
 * (the "-init" layer's diff first, then the image's layers, top down), or
 * a merged rootfs.  Nothing here mounts anything or knows containers.
 *
 *  - layer_diff_tar: the layer tar `docker commit` makes of an upper dir
 *    (overlay2's native Diff: pkg/archive's TarWithOptions with the overlay
 *    whiteout converter), byte for byte as Go's archive/tar writes it.
 *  - layer_commit_ingest / layer_commit: that tar straight into the store
 *    as a layer with tar-split, through a feed (no temp copy).
 *  - layer_changes: `docker diff`'s list (the naive diff of the merged view
 *    against the lowers), computed from the upper dir and the lowers.
 *  - layer_export_tar: `docker export`'s tar of a merged rootfs.
 *
 * The walks are Go's filepath.Walk: lexical (byte) order, lstat, the root
 * itself not included.  Directory fds are borrowed.
 */
#ifndef BERTH_LAYER_LAYER_H
#define BERTH_LAYER_LAYER_H

#include <stddef.h>

#include "../image/ingest.h"
#include "../internal.h"
#include "../util/err.h"

/* A byte sink: 0, or -1 with err set. */
typedef int (*layer_sink_fn)(void *ctx, const void *buf, size_t n, struct berr *err);

/* The tar of upper_dirfd as docker commit's layer: names without "./",
 * dirs ending in '/', 0/0 char devices as ".wh.<name>" (0600, size 0),
 * an opaque dir as itself plus "<dir>/.wh..wh..opq", security.capability
 * as a PAX record, hard links within the dir as links to the first name
 * walked, owner names looked up on this host as dockerd does. */
int layer_diff_tar(int upper_dirfd, layer_sink_fn out, void *ctx, struct berr *err);
/* The same written to fd (a pipe, a file, a socket). */
int layer_diff_tar_fd(int upper_dirfd, int fd, struct berr *err);

/* docker export's tar of a merged rootfs: no whiteout conversion; for
 * each path in skip[0..n_skip) ("data" or "/data", relative to the root)
 * the entry itself is written but not what is below it (volumes). */
int layer_export_tar(int root_dirfd, const char *const *skip, size_t n_skip, layer_sink_fn out, void *ctx,
		     struct berr *err);
int layer_export_tar_fd(int root_dirfd, const char *const *skip, size_t n_skip, int fd, struct berr *err);

/* docker cp's tar of one resource: pkg/archive's TarWithOptions(dir,
 * {IncludeFiles: [include], IncludeSourceDir: true, RebaseNames:
 * {include: rebase}}), i.e. TarResourceRebaseOpts.  include "." is the
 * dir dirfd itself with its contents ("./", "./a", ...), else the entry
 * include of dirfd (a dir with its contents).  rebase replaces the first
 * occurrence of include in each name ("/" by nothing); each of renames
 * then does what one of the client's RebaseArchiveEntries does (names,
 * and hardlink targets).  Owner names: the host's (names_root_fd -1, the
 * docker client's tar) or the rootfs's etc/passwd and etc/group (the
 * daemon's, tarred in a chroot). */
struct layer_resource_opts {
	int names_root_fd;
	const char *include;
	const char *rebase;              /* NULL or "": none */
	struct layer_rename {            /* old_base NULL: none */
		const char *old_base, *new_base;
	} renames[2];                    /* applied in order */
};
int layer_resource_tar(int dirfd, const struct layer_resource_opts *o, layer_sink_fn out, void *ctx,
		       struct berr *err);
int layer_resource_tar_fd(int dirfd, const struct layer_resource_opts *o, int fd, struct berr *err);

/* docker's archive.ChangeType values. */
enum layer_change_kind { LAYER_CHANGE_MODIFY = 0, LAYER_CHANGE_ADD = 1, LAYER_CHANGE_DELETE = 2 };

struct layer_change {
	char *path;                 /* "/etc/passwd" */
	enum layer_change_kind kind;
};

struct layer_changes {
	struct layer_change *v;
	size_t n;
};

/* The changes of the overlay upper dir over lower_dirfds[0..n_lowers)
 * (top first, the init layer's diff first for a container), the set
 * docker diff reports.  Order: depth-first, a changed parent dir before
 * its children, siblings in byte order, deletions after the other
 * children of their dir (docker's siblings come in Go map order). */
int layer_changes(int upper_dirfd, const int *lower_dirfds, size_t n_lowers, struct layer_changes *out,
		  struct berr *err);
void layer_changes_release(struct layer_changes *c);
/* "C", "A" or "D", as the CLI prints them. */
const char *layer_change_kind_letter(enum layer_change_kind kind);

/* The diff ID of a layer with no entries (two zero blocks): commit
 * records no layer for it ("empty_layer": true in history). */
#define LAYER_EMPTY_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

/* Commit's layer tar of upper_dirfd extracted into a fresh store layer
 * (li, initialised by the caller): li->diff_id is then the tar's digest,
 * and li is ready for image_register's layer callback or
 * layer_ingest_register.  On failure li is discarded. */
int layer_commit_ingest(struct store *s, int upper_dirfd, struct layer_ingest *li, struct berr *err);
/* The same, registered at once on parent_chain ("" or NULL for none) under
 * the store lock; diff_id and chain_id are set.  An empty diff registers
 * nothing: chain_id is then parent_chain (empty for none). */
int layer_commit(struct berth *b, int upper_dirfd, const char *parent_chain, char diff_id[DIGEST_STR_LEN],
		 char chain_id[DIGEST_STR_LEN], struct berr *err);

#endif
