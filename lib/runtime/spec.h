/*
 * spec.h - the OCI runtime config.json for a container, as Docker 20.10
 * generates it for `docker run` (moby's daemon/oci_linux.go + oci/defaults.go,
 * verified against the config.json containerd hands to runc; test data in
 * tests/data/spec/).
 *
 * Inputs are Docker's own shapes, so the CLI, a container's stored
 * config.v2.json/hostconfig.json and the Engine API's /containers/create
 * body all feed it the same way:
 *   - config:     container.Config AFTER the image config was merged into it
 *                 (Docker merges at create and stores the result in
 *                 config.v2.json; spec_merge_image_config() is that step),
 *   - hostconfig: container.HostConfig as Docker stores it in hostconfig.json
 *                 (daemon defaults applied: ShmSize, MemorySwap, MaskedPaths...),
 *   - mounts:     config.v2.json's MountPoints (destination -> MountPoint:
 *                 Source, Destination, RW, Type, Propagation), i.e. -v/--mount
 *                 already resolved to host paths; NULL for none.  Tmpfs comes
 *                 from hostconfig.Tmpfs,
 *   - env:        what only the engine knows (paths, ID, host facts).
 * The output is a json_t whose key order is the order Go's encoder writes
 * runtime-spec structs in, so a berth config.json reads like Docker's.
 */
#ifndef BERTH_RUNTIME_SPEC_H
#define BERTH_RUNTIME_SPEC_H

#include <jansson.h>

#include "../util/err.h"

struct spec_env {
	const char *id;            /* container ID (64 hex) */
	const char *rootfs;        /* host path of the root: <root>/overlay2/<mount-id>/merged */
	/* Directory holding the container's hostname, hosts and resolv.conf
	 * (<root>/containers/<id>; for NetworkMode container:<x>, x's, as
	 * docker shares them); NULL: no such binds (a bare bundle). */
	const char *container_dir;
	/* Host dir bound at /dev/shm for IpcMode shareable (NULL:
	 * <container_dir>/mounts/shm) and container:<x> (x's; required). */
	const char *shm_path;
	/* Host path bound at /sbin/docker-init for HostConfig.Init (docker-init
	 * or tini); NULL: Init=true is an error. */
	const char *init_path;
	/* cgroupsPath is "<cgroup_parent>/<id>" (cgroupfs) when
	 * HostConfig.CgroupParent is empty; NULL means "/berth" (spec.c says
	 * why not docker's "/docker"; pass "/docker" to look exactly like it). */
	const char *cgroup_parent;
	int cgroup_v2;             /* 1 on a unified hierarchy: CgroupnsMode "" means private */
	/* Namespace paths to join.  netns_path: for NetworkMode host (NULL: no
	 * network namespace entry, i.e. the caller's) or for a netns berth
	 * prepared (NULL: a new, empty one).  The container:<x> modes need the
	 * path of that container's namespace and fail without it. */
	const char *netns_path;
	const char *ipcns_path;
	const char *pidns_path;
	/* Host kernel version for the seccomp profile's minKernel rules;
	 * 0/0: read from uname(2). */
	int kernel_major, kernel_minor;
};

/* Builds the spec; NULL with err set (docker's messages: "unable to find
 * user nobody: no matching entries in passwd file", "invalid CapAdd: unknown
 * capability: \"CAP_FOO\"", "No command specified").  Reads the rootfs's
 * /etc/passwd and /etc/group with every path resolved inside env->rootfs.
 * The caller owns the result (json_decref). */
json_t *spec_build(const json_t *config, const json_t *hostconfig, const json_t *mounts,
		   const struct spec_env *env, struct berr *err);

/* Writes spec as <bundle_dir>/config.json (0600, temp file + rename, no fsync:
 * the bundle lives under the exec root, a tmpfs, and is rebuilt at every start). */
int spec_write_bundle(const char *bundle_dir, const json_t *spec, struct berr *err);

/* Docker's create-time merge of the image config into the user's Config
 * (moby daemon/commit.go merge): User, Env (image entries whose key the user
 * did not set are appended), Labels, Cmd/Entrypoint, WorkingDir, Volumes,
 * ExposedPorts, StopSignal, Healthcheck.  Modifies config in place. */
void spec_merge_image_config(json_t *config, const json_t *image_config);

/* Pieces exposed for tests and for `exec`. */

/* Docker's ReplaceOrAppendEnvValues: "K=V" replaces K in place or is
 * appended, a bare "K" removes K.  Returns a new array of strings. */
json_t *spec_env_merge(const json_t *defaults, const json_t *overrides);

struct spec_user {
	unsigned uid, gid;
	unsigned *gids;  /* additionalGids: gid, supplementary groups, group_add; free() */
	size_t ngids;
	char *home;      /* passwd home or NULL; free() */
};
/* Resolves a user spec ("", name, uid, name:group, uid:gid, ...) against
 * <rootfs>/etc/passwd and /etc/group (symlinks scoped to rootfs, missing
 * files are empty) plus HostConfig.GroupAdd (may be NULL), as runc's
 * GetExecUserPath does for docker. */
int spec_resolve_user(const char *rootfs, const char *spec, const json_t *group_add,
		      struct spec_user *out, struct berr *err);
void spec_user_release(struct spec_user *u);

/* The capability list for CapAdd/CapDrop (json arrays or NULL): docker's 14
 * defaults, drops removed in place, adds appended; "ALL" and names with or
 * without "CAP_", any case.  A new array, or NULL with docker's error. */
json_t *spec_capabilities(const json_t *cap_add, const json_t *cap_drop, int privileged,
			  struct berr *err);

/* Docker 20.10's default seccomp profile filtered for caps (an array of
 * "CAP_*" strings) on this architecture and kernel. */
json_t *spec_seccomp_default(const json_t *caps, int kernel_major, int kernel_minor);

/* The spec's linux.seccomp compiled to BPF and base64-encoded, for crun's
 * run.oci.seccomp_bpf_data annotation; cached in cache_dir by a hash of
 * the profile.  NULL when the profile is absent or holds what only the
 * runtime can set up (notify listeners): then the runtime compiles it. */
char *spec_seccomp_bpf_base64(const json_t *seccomp, const char *cache_dir);

#endif
