/*
 * container.h - a container as Docker 20.10 keeps it on disk:
 *
 *   <root>/containers/<id>/config.v2.json   (0600) struct container
 *   <root>/containers/<id>/hostconfig.json  (0644) its HostConfig
 *   <root>/containers/<id>/checkpoints/     (0700)
 *   <root>/image/overlay2/layerdb/mounts/<id>/...  its RW layer (store/mounts.h)
 *
 * Both files are written as dockerd's json.Encoder writes them: Go field
 * order, Go's HTML-safe escaping, a trailing newline, temp file + rename
 * in the same dir.  Config, HostConfig, NetworkSettings, MountPoints and
 * Health stay json_t in docker's shapes (the Engine API's create body is
 * that shape too): kept as read or built, and put through shape.h (Go's
 * decode + encode) when written, so loading stays cheap and what is
 * written is what dockerd would write.  The rest is typed.
 * containers/ and containers/<id>/ are 0710.
 */
#ifndef BERTH_CONTAINER_CONTAINER_H
#define BERTH_CONTAINER_CONTAINER_H

#include <jansson.h>
#include <stdint.h>

#include "../io/digest.h"
#include "../util/err.h"
#include "../util/sbuf.h"

struct store;

/* container.State; times as RFC3339Nano text, "0001-01-01T00:00:00Z" for zero. */
struct container_state {
	int running, paused, restarting, oom_killed, removal_in_progress, dead;
	int64_t pid, exit_code;
	char *error;
	char *started_at, *finished_at;
	json_t *health; /* null or container.Health */
};

struct container {
	struct container_state state;
	char id[65];
	char *created;
	int managed;
	char *path;
	json_t *args;             /* []string */
	json_t *config;           /* container.Config */
	char image[DIGEST_STR_LEN]; /* the image ID */
	json_t *network_settings; /* network.Settings */
	char *log_path, *name /* with its leading '/' */, *driver, *os, *mount_label, *process_label;
	int64_t restart_count;
	int has_been_started_before, has_been_manually_stopped;
	json_t *mount_points;     /* map of MountPoint */
	json_t *secret_refs, *config_refs; /* kept as read */
	char *apparmor_profile, *hostname_path, *hosts_path, *shm_path, *resolv_conf_path, *seccomp_profile;
	int no_new_privileges;
	int log_cache_notify;     /* LocalLogCacheMeta.HaveNotifyEnabled */
	json_t *host_config;      /* container.HostConfig; NULL when listed without it */
	struct container_lazy *lazy; /* private: what a listing has not parsed yet */
	char *lazy_image;            /* private: container_config_image's answer */
};

/* Config, NetworkSettings and MountPoints of any container, parsed on
 * first use when it came from container_list (its fields are NULL until
 * then); borrowed from c. */
json_t *container_config(struct container *c);
json_t *container_network_settings(struct container *c);
json_t *container_mount_points(struct container *c);
/* Config.Image (the image as the user named it: ps's IMAGE column)
 * without parsing Config when it is not parsed yet; borrowed from c. */
const char *container_config_image(struct container *c);

/* The unparsed text of one of those members of a listed container, for
 * a walk with scan.h that builds no tree (listing 1,000 containers);
 * 0 when the member is parsed already (use its accessor) or absent. */
enum container_member { CONTAINER_CONFIG, CONTAINER_NETWORK_SETTINGS, CONTAINER_MOUNT_POINTS };
int container_member_text(const struct container *c, enum container_member m, const char **text, size_t *len);

/* A zero container as a fresh create starts from: zero times, Driver
 * overlay2, OS linux, MountPoints {}, NetworkSettings with an empty
 * "bridge" endpoint, Config and HostConfig zero-shaped. */
struct container *container_new(void);
void container_free(struct container *c);

/* config.v2.json text (with hostconfig.json's HostConfig given apart)
 * into a container.  hc may be NULL (an empty HostConfig, as dockerd's
 * readHostConfig for a missing file). */
struct container *container_parse(const char *config_v2, size_t len, const char *hc, size_t hc_len,
				  struct berr *err);
/* The two files' bytes, exactly as dockerd writes them (each ends in '\n'). */
void container_write_config(const struct container *c, struct sbuf *out);
void container_write_host_config(const struct container *c, struct sbuf *out);

/* Reads containers/<id>/ (BERR_NOT_FOUND "No such container: <id>"). */
struct container *container_load(struct store *s, const char *id, struct berr *err);
/* dockerd's CheckpointTo: both files, each atomically; the dir exists. */
int container_save(struct store *s, const struct container *c, struct berr *err);
/* The same without the fsyncs, for the state a running container's
 * start and exit record: a power loss may lose the last of them, which
 * readers correct (engine.h container_refresh_state), as dockerd's restore
 * does; a killed process loses nothing either way. */
int container_checkpoint(struct store *s, const struct container *c, struct berr *err);
/* The same into any dir fd (create's staging dir). */
int container_save_at(int dirfd, const struct container *c, int durable, struct berr *err);

/* Every container whose config.v2.json loads (dockerd's restore skips the
 * others the same way): one readdir of containers/, one read of each
 * config.v2.json, walked without building it (scan.h): the typed fields
 * are set, Config, NetworkSettings and MountPoints wait for their
 * accessors.  HostConfig is left NULL unless with_host_config (a second
 * small read each).  NULL-terminated; container_list_free(). */
int container_list(struct store *s, int with_host_config, struct container ***out, struct berr *err);
void container_list_free(struct container **v);

/* A new container ID: 64 hex from getrandom, redrawn while its first 12
 * characters are all digits (stringid.GenerateRandomID). */
void container_new_id(char out[65]);

#endif
