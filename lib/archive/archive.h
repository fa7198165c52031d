/*
 * archive.h - image archives: the docker-archive + OCI image layout that
 * `save` writes and `load` reads, and `import`'s single-layer images.
 *
 * The layout written is Docker 25's, which both `docker load` (any
 * version: it reads manifest.json) and OCI tools (index.json, blobs/)
 * read:
 *   blobs/sha256/<hex>   layers (uncompressed tars, digest = diff ID),
 *                        configs and OCI manifests
 *   index.json           OCI index, one manifest per tag
 *   manifest.json        docker's [{Config, RepoTags, Layers, LayerSources}]
 *   oci-layout           {"imageLayoutVersion": "1.0.0"}
 *   repositories         {"name":{"tag":"<top diff ID hex>"}} when tagged
 */
#ifndef BERTH_ARCHIVE_ARCHIVE_H
#define BERTH_ARCHIVE_ARCHIVE_H

#define ARCHIVE_JSON_MAX (8 << 20) /* bound on any JSON member read */

#endif
