/* layertar.c - rebuilding a layer's tar from its diff dir and tar-split. */
#include "layertar.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "../io/decompress.h"

static int open_tarsplit(struct store *s, const char *chain_id, struct berr *err)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "layerdb/sha256/%s/tar-split.json.gz", digest_hex(chain_id));
	fd = openat(s->image_fd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "layer %s: open tar-split", chain_id);
	return fd;
}

/* Runs fn over the layer's tar-split JSON (inflated). */
static int with_tarsplit(struct store *s, const char *chain_id,
			 int (*fn)(struct reader *json, void *arg, struct berr *err), void *arg, struct berr *err)
{
	struct fd_reader fr;
	struct decompress_reader *dz;
	int fd = open_tarsplit(s, chain_id, err), rc;

	if (fd < 0)
		return -1;
	fd_reader_init(&fr, fd);
	dz = decompress_reader_new(&fr.r);
	rc = fn(decompress_reader_base(dz), arg, err);
	decompress_reader_free(dz);
	close(fd);
	return rc;
}

static int size_fn(struct reader *json, void *arg, struct berr *err)
{
	return tarsplit_tar_size(json, arg, err);
}

int store_layer_tar_size(struct store *s, const char *chain_id, int64_t *size, struct berr *err)
{
	if (with_tarsplit(s, chain_id, size_fn, size, err) < 0)
		return berr_wrap(err, "layer %s", chain_id);
	return 0;
}

struct assemble_args {
	int diff_fd;
	tarsplit_out_fn out;
	void *ctx;
};

static int assemble_fn(struct reader *json, void *arg, struct berr *err)
{
	struct assemble_args *a = arg;

	return tarsplit_assemble(json, a->diff_fd, a->out, a->ctx, err);
}

int store_layer_tar(struct store *s, const char *chain_id, tarsplit_out_fn out, void *ctx, struct berr *err)
{
	struct store_layer l;
	struct assemble_args a = { -1, out, ctx };
	char p[128];
	int rc;

	if (store_layer_read(s, chain_id, &l, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/diff", l.cache_id);
	a.diff_fd = openat(s->overlay_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.diff_fd < 0)
		return berr_sys(err, "layer %s: open %s", chain_id, p);
	rc = with_tarsplit(s, chain_id, assemble_fn, &a, err);
	close(a.diff_fd);
	if (rc < 0)
		return berr_wrap(err, "layer %s", chain_id);
	return 0;
}
