/*
 * extract.h - applies a layer tar stream to an empty overlay2 diff dir the
 * way Docker 20.10's overlay2 driver does natively (go-archive Unpack with
 * the overlay whiteout format), while recording tar-split.
 *
 * With extract_opts.dest it is docker cp's Unpack instead (below).
 *
 * Safety: every path is resolved under diff_dirfd (openat2 RESOLVE_IN_ROOT,
 * the equivalent of the chroot Docker unpacks in): no entry, symlink or
 * hardlink can create, modify or link to anything outside the layer dir.
 */
#ifndef BERTH_TAR_EXTRACT_H
#define BERTH_TAR_EXTRACT_H

#include <stdint.h>

#include "../io/reader.h"
#include "tarsplit.h"

struct extract_result {
	int64_t size;          /* Docker's layer size: directory.Size(diff) */
	uint64_t entries;
};

/* Hook called with the current entry name before each entry (for progress);
 * may be NULL. */
struct extract_opts {
	struct tarsplit_writer *tarsplit; /* may be NULL: no tar-split recorded */
	void (*progress)(void *ctx);
	void *progress_ctx;
	/* docker cp's Unpack (the daemon's PUT /archive in a chroot of the
	 * container's root, the client's CopyTo into a host dir) rather than
	 * a layer's: entry names and hardlink targets are relative to dest
	 * (cleaned, relative to the root dirfd, "" for the root itself), Go's
	 * breakout checks apply against it ("\"../x\" is outside of \"/d\"",
	 * "invalid symlink", "invalid hardlink"), "." is skipped, and there
	 * is no whiteout conversion.  NULL: a layer. */
	const char *dest;
	int no_overwrite_dir_non_dir;  /* "cannot overwrite directory ..." */
	int no_lchown;                 /* leave owners to the extracting user (the client's CopyTo) */
	int chown_set;                 /* ChownOpts: every entry owned by chown_uid:chown_gid */
	unsigned chown_uid, chown_gid;
};

/* Reads the whole tar from src (including anything after the end-of-archive
 * marker, so that a digest reader underneath sees every byte) and applies it
 * under diff_dirfd.  On error the dir is left partly written: the caller
 * removes it. */
int layer_extract(int diff_dirfd, struct reader *src, const struct extract_opts *opts,
		  struct extract_result *out, struct berr *err);

#endif
