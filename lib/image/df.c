/*
 * df.c - Docker 20.10's system df (daemon's SystemDiskUsage): every
 * container with its sizes, as the container list gives them; each image's
 * chain size, the part of it shared with other images, and how many
 * containers use it; and the size of all layers images use, each counted
 * once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "manifest.h"

struct df_layer {
	char chain[DIGEST_STR_LEN];
	int64_t size;
	int users; /* images whose chain includes the layer */
};

struct df_chain {
	struct df_layer **layers;
	size_t n;
};

static struct df_layer *layer_get(struct store *s, struct df_layer **v, size_t *n, const char *chain)
{
	struct store_layer l;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].chain, chain))
			return &(*v)[i];
	if (store_layer_read(s, chain, &l, NULL) < 0)
		return NULL;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	snprintf((*v)[*n].chain, DIGEST_STR_LEN, "%s", chain);
	(*v)[*n].size = l.size;
	return &(*v)[(*n)++];
}

/* The chain IDs of the image's layers, bottom first (NULL-terminated). */
static char **image_chain(struct store *s, const char *id)
{
	struct sbuf config = SBUF_INIT;
	struct image_config cfg;
	char **v = NULL;
	char prev[DIGEST_STR_LEN] = "";

	if (store_image_config(s, id, &config, NULL) == 0 &&
	    image_config_parse(&cfg, config.buf, config.len, NULL) == 0) {
		v = xcalloc(cfg.n_diff_ids + 1, sizeof(*v));
		for (size_t i = 0; i < cfg.n_diff_ids; i++) {
			char next[DIGEST_STR_LEN];
			chain_id(i ? prev : NULL, cfg.diff_ids[i], next);
			memcpy(prev, next, sizeof(prev));
			v[i] = xstrdup(next);
		}
		image_config_release(&cfg);
	}
	sbuf_release(&config);
	return v ? v : xcalloc(1, sizeof(*v));
}

void berth_system_df_release(struct berth_system_df *df)
{
	for (size_t i = 0; i < df->n_images; i++) {
		free(df->images[i].id);
		free(df->images[i].repo_tag);
	}
	free(df->images);
	berth_container_list_free(df->containers, df->n_containers);
	memset(df, 0, sizeof(*df));
}

int berth_system_df(struct berth *b, struct berth_system_df *out, struct berr *err)
{
	struct berth_image *imgs;
	size_t n;
	struct df_layer *layers = NULL;
	size_t n_layers = 0;
	char ***chains;

	memset(out, 0, sizeof(*out));
	/* dockerd lists the containers first, then the images. */
	if (berth_container_list(b, &(struct berth_container_list_opts){ .all = 1, .size = 1 }, &out->containers,
				 &out->n_containers, err) < 0)
		return -1;
	if (berth_image_list(b, &imgs, &n, err) < 0) {
		berth_system_df_release(out);
		return -1;
	}
	chains = xcalloc(n + 1, sizeof(*chains));
	/* Layer pointers move while the table grows: count users by chain ID. */
	for (size_t i = 0; i < n; i++) {
		chains[i] = image_chain(b->store, imgs[i].id);
		for (size_t k = 0; chains[i][k]; k++) {
			struct df_layer *l = layer_get(b->store, &layers, &n_layers, chains[i][k]);
			if (l)
				l->users++;
		}
	}
	out->images = xcalloc(n + 1, sizeof(*out->images));
	out->n_images = n;
	for (size_t i = 0; i < n; i++) {
		struct berth_system_df_image *d = &out->images[i];
		d->id = xstrdup(imgs[i].id);
		d->created = imgs[i].created;
		d->size = imgs[i].size;
		d->dangling = !imgs[i].repo_tags[0] && !imgs[i].repo_digests[0];
		if (imgs[i].repo_tags[0])
			d->repo_tag = xstrdup(imgs[i].repo_tags[0]);
		for (size_t k = 0; k < out->n_containers; k++)
			d->containers += !strcmp(out->containers[k].image_id, d->id);
		for (size_t k = 0; chains[i][k]; k++) {
			struct df_layer *l = layer_get(b->store, &layers, &n_layers, chains[i][k]);
			if (l && l->users > 1)
				d->shared_size += l->size;
			free(chains[i][k]);
		}
		free(chains[i]);
	}
	for (size_t i = 0; i < n_layers; i++)
		out->layers_size += layers[i].size;
	free(chains);
	free(layers);
	berth_image_list_free(imgs, n);
	return 0;
}
