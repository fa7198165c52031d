/* ingest.c - a layer stream into a fresh store dir (see ingest.h). */
#include "ingest.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../io/decompress.h"

void layer_ingest_init(struct layer_ingest *li)
{
	memset(li, 0, sizeof(*li));
	li->ts_fd = li->dir.diff_fd = li->dir.marker_fd = -1;
}

int layer_ingest_begin(struct store *s, struct layer_ingest *li, struct berr *err)
{
	if (store_layer_dir_new(s, &li->dir, err) < 0)
		return -1;
	return store_tmpfile(s, &li->dir, li->ts_tmp, &li->ts_fd, err);
}

static int gz_out(void *ctx, const void *buf, size_t n, struct berr *err)
{
	if (n && gzwrite(ctx, buf, (unsigned)n) != (int)n)
		return berr_set(err, BERR_IO, "write tar-split");
	return 0;
}

int layer_ingest_extract(struct layer_ingest *li, struct reader *src, const struct extract_opts *opts,
			 struct berr *err)
{
	struct decompress_reader *dz;
	struct digest_reader dr;
	struct tarsplit_writer tw;
	struct extract_opts eo = { 0 };
	int fd = dup(li->ts_fd), rc;
	gzFile gz;

	/* Level 1: tar-split.json.gz need not match Docker's bytes (only its
	 * JSON does), and level 6 cost 5% of a pull's CPU. */
	gz = fd >= 0 ? gzdopen(fd, "wb1") : NULL;
	if (!gz) {
		if (fd >= 0)
			close(fd);
		return berr_set(err, BERR_IO, "open tar-split file");
	}
	dz = decompress_reader_new(src);
	digest_reader_init(&dr, decompress_reader_base(dz));
	tarsplit_writer_init(&tw, gz_out, gz);
	if (opts)
		eo = *opts;
	eo.tarsplit = &tw;
	rc = layer_extract(li->dir.diff_fd, &dr.r, &eo, &li->res, err);
	sha256_final(&dr.h, li->diff_id);
	li->tar_len = dr.count;
	tarsplit_writer_release(&tw);
	if (gzclose(gz) != Z_OK && rc == 0)
		rc = berr_set(err, BERR_IO, "write tar-split");
	decompress_reader_free(dz);
	close(li->ts_fd);
	li->ts_fd = -1;
	store_layer_dir_close(&li->dir);
	return rc;
}

int layer_ingest_register(struct store *s, struct layer_ingest *li, const char *parent,
			  char chain_out[DIGEST_STR_LEN], struct berr *err)
{
	struct store_layer l = { 0 };
	int existed;

	chain_id(parent && *parent ? parent : NULL, li->diff_id, l.chain_id);
	snprintf(l.diff_id, sizeof(l.diff_id), "%s", li->diff_id);
	snprintf(l.parent, sizeof(l.parent), "%s", parent ? parent : "");
	snprintf(l.cache_id, sizeof(l.cache_id), "%s", li->dir.cache_id);
	l.size = li->res.size;
	if (chain_out)
		memcpy(chain_out, l.chain_id, DIGEST_STR_LEN);
	store_layer_dir_done(s, &li->dir);
	if (store_layer_register(s, &l, li->ts_tmp, &existed, err) < 0) {
		layer_ingest_discard(s, li);
		return -1;
	}
	li->dir.cache_id[0] = li->ts_tmp[0] = '\0';
	return 0;
}

void layer_ingest_discard(struct store *s, struct layer_ingest *li)
{
	if (li->ts_fd >= 0)
		close(li->ts_fd);
	li->ts_fd = -1;
	if (li->dir.cache_id[0])
		store_layer_dir_discard(s, &li->dir);
	store_tmpfile_discard(s, li->ts_tmp);
	li->dir.cache_id[0] = li->ts_tmp[0] = '\0';
}
