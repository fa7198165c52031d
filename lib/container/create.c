/*
 * create.c - docker's ContainerCreate (berth_container_create): the body of
 * POST /containers/create becomes a container record on an RW layer.
 *
 * As dockerd does: the image is looked up (lib/image/lookup.c), its config
 * merged into the user's Config (spec_merge_image_config), the daemon's
 * HostConfig defaults applied, Path/Args taken from Entrypoint + Cmd; then
 * container_create stores it crash-safely (lifecycle.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include <berth/container.h>

#include "../image/lookup.h"
#include "../image/manifest.h"
#include "../internal.h"
#include "../io/digest.h"
#include "../runtime/spec.h"
#include "container.h"
#include "engine.h"
#include "lifecycle.h"
#include "volumes.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define BODY_MAX (8u << 20)

/* Docker's defaults for /proc and /sys (oci/defaults.go), which the daemon
 * stores in hostconfig.json at create unless privileged. */
static const char *const masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL,
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();

	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

int container_cgroup_v2(void)
{
	struct statfs sfs;

	return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static int is_empty(json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
	       (json_is_integer(v) && !json_integer_value(v));
}

/* daemon.adaptContainerSettings and the create-time defaults docker writes
 * into hostconfig.json. */
static void host_config_defaults(json_t *hc, const char *default_runtime)
{
	int privileged = json_is_true(json_object_get(hc, "Privileged"));
	json_int_t mem = json_integer_value(json_object_get(hc, "Memory"));

	/* postContainersCreate: a PidsLimit of 0 or less means unset. */
	if (json_is_integer(json_object_get(hc, "PidsLimit")) && json_integer_value(json_object_get(hc, "PidsLimit")) <= 0)
		json_object_set_new(hc, "PidsLimit", json_null());
	/* verifyPlatformContainerResources' fixMemorySwappiness: the CLI's -1 is "unset". */
	if (json_integer_value(json_object_get(hc, "MemorySwappiness")) == -1)
		json_object_set_new(hc, "MemorySwappiness", json_null());
	if (!json_is_boolean(json_object_get(hc, "OomKillDisable")))
		json_object_set_new(hc, "OomKillDisable", json_false());
	if (is_empty(json_object_get(hc, "ShmSize")))
		json_object_set_new(hc, "ShmSize", json_integer(64 << 20));
	if (mem > 0 && is_empty(json_object_get(hc, "MemorySwap")))
		json_object_set_new(hc, "MemorySwap", json_integer(2 * mem));
	if (is_empty(json_object_get(hc, "IpcMode")))
		json_object_set_new(hc, "IpcMode", json_string("private"));
	if (is_empty(json_object_get(hc, "CgroupnsMode")))
		json_object_set_new(hc, "CgroupnsMode", json_string(container_cgroup_v2() ? "private" : "host"));
	if (is_empty(json_object_get(hc, "NetworkMode")))
		json_object_set_new(hc, "NetworkMode", json_string("default"));
	if (is_empty(json_object_get(hc, "Runtime")))
		json_object_set_new(hc, "Runtime", json_string(default_runtime));
	if (!json_is_array(json_object_get(hc, "MaskedPaths")))
		json_object_set_new(hc, "MaskedPaths", privileged ? json_null() : strv_json(masked_paths));
	if (!json_is_array(json_object_get(hc, "ReadonlyPaths")))
		json_object_set_new(hc, "ReadonlyPaths", privileged ? json_null() : strv_json(readonly_paths));
	if (!json_is_object(json_object_get(hc, "LogConfig")) ||
	    is_empty(json_object_get(json_object_get(hc, "LogConfig"), "Type")))
		json_object_set_new(hc, "LogConfig", json_pack("{s:s,s:{}}", "Type", "json-file", "Config"));
}

/* The body's Config part: every top-level key but HostConfig and NetworkingConfig. */
static json_t *config_of(json_t *body)
{
	json_t *cfg = json_deep_copy(body);

	json_object_del(cfg, "HostConfig");
	json_object_del(cfg, "NetworkingConfig");
	return cfg;
}

/* Path and Args: Entrypoint + Cmd, first element and the rest. */
static int set_command(struct container *c, json_t *cfg, struct berr *err)
{
	json_t *argv = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(cfg, "Entrypoint"), i, v)
		json_array_append(argv, v);
	json_array_foreach(json_object_get(cfg, "Cmd"), i, v)
		json_array_append(argv, v);
	if (!json_array_size(argv) || !json_is_string(json_array_get(argv, 0))) {
		json_decref(argv);
		return berr_set(err, BERR_INVALID, "No command specified");
	}
	free(c->path);
	c->path = xstrdup(json_string_value(json_array_get(argv, 0)));
	json_array_remove(argv, 0);
	json_decref(c->args);
	c->args = argv;
	return 0;
}

/* The image's config object and top chain ID. */
static int image_facts(struct berth *b, const char *image_id, json_t **config, char top[DIGEST_STR_LEN],
		       struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	struct image_config ic = { 0 };
	json_t *doc;
	int rc = -1;

	top[0] = '\0';
	if (store_image_config(b->store, image_id, &sb, err) < 0)
		goto out;
	if (image_config_parse(&ic, sb.buf, sb.len, err) < 0)
		goto out;
	for (size_t i = 0; i < ic.n_diff_ids; i++)
		chain_id(i ? top : NULL, ic.diff_ids[i], top);
	if (!(doc = json_loadb(sb.buf, sb.len, 0, NULL))) {
		berr_set(err, BERR_INVALID, "image %s: config is not JSON", image_id);
		goto out;
	}
	*config = json_incref(json_object_get(doc, "config"));
	json_decref(doc);
	rc = 0;
out:
	image_config_release(&ic);
	sbuf_release(&sb);
	return rc;
}

static int build(struct berth *b, json_t *body, struct container *c, char top[DIGEST_STR_LEN], json_t **plan,
		 struct berr *err)
{
	json_t *cfg = config_of(body), *hc, *image_cfg = NULL;
	const char *image = json_string_value(json_object_get(cfg, "Image"));
	int rc = -1;

	top[0] = '\0';
	/* verifyPlatformContainerSettings runs before the image is looked up */
	{
		const char *rt = json_string_value(json_object_get(json_object_get(body, "HostConfig"), "Runtime"));
		if (!config_runtime(&b->cfg, rt)) {
			berr_set(err, BERR_INVALID, "Unknown runtime specified %s", rt);
			goto out;
		}
	}
	/* No image is scratch: no layers, no image config. */
	if (image && *image) {
		if (image_lookup(b, image, NULL, c->image, err) < 0 ||
		    image_facts(b, c->image, &image_cfg, top, err) < 0)
			goto out;
		spec_merge_image_config(cfg, image_cfg);
	}
	if (set_command(c, cfg, err) < 0)
		goto out;
	hc = json_object_get(body, "HostConfig");
	hc = json_is_object(hc) ? json_deep_copy(hc) : json_object();
	host_config_defaults(hc, b->cfg.default_runtime);
	/* registerMountPoints and the anonymous volumes: MountPoints now,
	 * the volumes themselves once the container is stored. */
	json_decref(c->mount_points);
	c->mount_points = NULL;
	if (container_mounts_register(b->store, cfg, hc, &c->mount_points, plan, err) < 0) {
		c->mount_points = json_object();
		json_decref(hc);
		goto out;
	}
	json_decref(c->config);
	c->config = json_incref(cfg);
	json_decref(c->host_config);
	c->host_config = hc;
	rc = 0;
out:
	json_decref(image_cfg);
	json_decref(cfg);
	return rc;
}

/* validateHostConfig's restart policy checks (validateRestartPolicy). */
static int check_restart_policy(json_t *hc, struct berr *err)
{
	json_t *rp = json_object_get(hc, "RestartPolicy");
	const char *name = json_string_value(json_object_get(rp, "Name"));
	json_int_t max = json_integer_value(json_object_get(rp, "MaximumRetryCount"));

	if (!name)
		name = "";
	if (json_is_true(json_object_get(hc, "AutoRemove")) && *name && strcmp(name, "no"))
		return berr_set(err, BERR_INVALID, "can't create 'AutoRemove' container with restart policy");
	if (!strcmp(name, "always") || !strcmp(name, "unless-stopped") || !strcmp(name, "no")) {
		if (max != 0)
			return berr_set(err, BERR_INVALID,
					"maximum retry count cannot be used with restart policy '%s'", name);
	} else if (!strcmp(name, "on-failure")) {
		if (max < 0)
			return berr_set(err, BERR_INVALID, "maximum retry count cannot be negative");
	} else if (*name) {
		return berr_set(err, BERR_INVALID, "invalid restart policy '%s'", name);
	}
	return 0;
}

int berth_container_create(struct berth *b, const char *body, size_t len,
			   const struct berth_container_create_opts *opts, char id_out[65], struct berr *err)
{
	json_error_t je;
	json_t *doc;
	struct container *c;
	char top[DIGEST_STR_LEN];
	json_t *plan = NULL;
	int rc = -1;

	if (len > BODY_MAX)
		return berr_set(err, BERR_INVALID, "container config is larger than %u bytes", BODY_MAX);
	doc = json_loadb(body, len, 0, &je);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return berr_set(err, BERR_INVALID, "invalid JSON: %s", doc ? "not an object" : je.text);
	}
	/* verifyContainerSettings comes before the image is needed */
	if (check_restart_policy(json_object_get(doc, "HostConfig"), err) < 0) {
		json_decref(doc);
		return -1;
	}
	/* What killed commands left (store.h, lifecycle.h), before anything new. */
	if (store_lock(b->store, err) < 0) {
		json_decref(doc);
		return -1;
	}
	store_gc(b->store);
	container_gc(b->store);
	store_unlock(b->store);
	container_exec_gc(b);
	c = container_new();
	if (build(b, doc, c, top, &plan, err) == 0 &&
	    container_create(b->store, c, opts && opts->name && *opts->name ? opts->name : NULL, top[0] ? top : NULL,
			     err) == 0) {
		/* create's cleanup in dockerd: a container whose volumes
		 * cannot be set up is removed again. */
		if (container_mounts_setup(b, c->id, plan, err) < 0) {
			container_remove_release_volumes(b->store, c->id, 1, NULL);
		} else {
			snprintf(id_out, 65, "%s", c->id);
			rc = 0;
		}
	}
	json_decref(plan);
	container_free(c);
	json_decref(doc);
	return rc;
}
