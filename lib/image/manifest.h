/*
 * manifest.h - docker schema2 / OCI manifests and manifest lists / OCI
 * indexes, and the parts of an image config a pull needs.  Parsing is
 * strict about what berth relies on (digests, sizes, media types) and
 * lenient about the rest, as Docker is.
 */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

struct platform {
	char *os, *arch, *variant;
};

struct descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	struct platform platform; /* index entries only */
};

enum manifest_kind { MANIFEST_IMAGE, MANIFEST_INDEX };

struct manifest {
	enum manifest_kind kind;
	char *media_type;
	struct descriptor config;       /* images */
	struct descriptor *layers;      /* images */
	size_t n_layers;
	struct descriptor *manifests;   /* indexes */
	size_t n_manifests;
};

/* media_type: from Content-Type (may be NULL: sniffed from the body). */
int manifest_parse(struct manifest *out, const char *media_type, const void *body, size_t len,
		   struct berr *err);
void manifest_release(struct manifest *m);

/* Parses "os/arch[/variant]" (NULL or "" = the host's), normalised as
 * containerd's platforms package does (x86_64 -> amd64, aarch64 -> arm64,
 * arm64 variant v8 implied, arm variant v7 implied). */
int platform_parse(struct platform *out, const char *s, struct berr *err);
void platform_release(struct platform *p);
/* "linux/amd64", "linux/arm64/v8" into buf. */
void platform_format(const struct platform *p, char *buf, size_t n);
/* Whether have (an image's os/arch/variant, not normalised) is the
 * platform want asks for; a variant want leaves open matches any. */
int platform_matches(const struct platform *want, const struct platform *have);
/* Index of the entry of an index matching p, or -1 with Docker's error
 * "no matching manifest for linux/amd64 in the manifest list entries". */
int manifest_select(const struct manifest *index, const struct platform *p, struct berr *err);

/* The image config's rootfs.diff_ids (type must be "layers") and platform. */
struct image_config {
	char **diff_ids;
	size_t n_diff_ids;
	struct platform platform;
};
int image_config_parse(struct image_config *out, const void *body, size_t len, struct berr *err);
void image_config_release(struct image_config *c);

#endif
