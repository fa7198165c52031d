/*
 * changes.c - docker diff and docker export of a container
 * (berth_container_changes, berth_container_export): lib/layer/ over the
 * container's RW layer, its -init layer and the image's layers.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <berth/container.h>

#include "../layer/layer.h"
#include "../store/store.h"
#include "container.h"
#include "lookup.h"

static void close_layers(int upper, int *lowers, size_t n)
{
	if (upper >= 0)
		close(upper);
	for (size_t i = 0; i < n; i++)
		close(lowers[i]);
	free(lowers);
}

int berth_container_changes(struct berth *b, const char *name_or_id, struct berth_container_change **out,
			    size_t *n, struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	struct store_rwlayer rw;
	struct layer_changes ch = { 0 };
	int upper = -1, *lowers = NULL, rc = -1;
	size_t nl = 0;

	*out = NULL;
	*n = 0;
	if (!c)
		return -1;
	if (store_rwlayer_read(b->store, c->id, &rw, err) < 0 ||
	    overlay2_open_layers(b->store, rw.mount_id, &upper, &lowers, &nl, err) < 0 ||
	    layer_changes(upper, lowers, nl, &ch, err) < 0)
		goto out;
	*out = xcalloc(ch.n + 1, sizeof(**out));
	for (size_t i = 0; i < ch.n; i++) {
		(*out)[i].path = ch.v[i].path;
		(*out)[i].kind = (int)ch.v[i].kind;
		ch.v[i].path = NULL;
	}
	*n = ch.n;
	rc = 0;
out:
	layer_changes_release(&ch);
	close_layers(upper, lowers, nl);
	container_free(c);
	return rc;
}

void berth_container_changes_free(struct berth_container_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int berth_container_export(struct berth *b, const char *name_or_id, int fd, struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	struct store_rwlayer rw;
	char *merged = NULL;
	int root = -1, mounted_here = 0, rc = -1;

	if (!c)
		return -1;
	if (store_rwlayer_read(b->store, c->id, &rw, err) < 0)
		goto out;
	/* A running container's root is mounted already; a stopped one's is
	 * mounted for the export and unmounted after. */
	mounted_here = !overlay2_is_mounted(b->store, rw.mount_id);
	if (store_rwlayer_mount(b->store, c->id, &merged, err) < 0) {
		mounted_here = 0;
		goto out;
	}
	root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		berr_sys(err, "open %s", merged);
		goto out;
	}
	rc = layer_export_tar_fd(root, NULL, 0, fd, err);
out:
	if (root >= 0)
		close(root);
	if (mounted_here)
		store_rwlayer_unmount(b->store, c->id, NULL);
	free(merged);
	container_free(c);
	return rc;
}
