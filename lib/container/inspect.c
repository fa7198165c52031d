/*
 * inspect.c - Docker 20.10's container inspect (daemon/inspect.go
 * ContainerInspectCurrent, api/types ContainerJSON), as the daemon sends
 * it: Go field order, the API encoder (no HTML escaping, compact).
 *
 * What the daemon derives rather than stores: State.Status
 * (StateString), HostConfig.Links (the link index, which berth does not
 * have: null), GraphDriver.Data (the RW layer's overlay2 metadata), Mounts
 * (MountPoints as types.MountPoint), NetworkSettings (the Settings split
 * into the API's base, the deprecated bridge fields and the endpoints
 * without IPAMOperational; Ports always a map).
 */
#include "inspect.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <berth/container.h>

#include "../format/gojson.h"
#include "../internal.h"
#include "../store/mounts.h"
#include "../volume/volume.h"
#include "../util/fs.h"
#include "../util/sbuf.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"
#include "shape.h"

/* ---- sizes ---- */

/* The layer chain's own sizes summed (layer.Size() of the image top). */
static int64_t chain_size(struct store *s, const char *chain)
{
	struct store_layer l;
	char up[DIGEST_STR_LEN];
	int64_t size = 0;

	snprintf(up, sizeof(up), "%s", chain);
	while (up[0] && store_layer_read(s, up, &l, NULL) == 0) {
		size += l.size;
		memcpy(up, l.parent, sizeof(up));
	}
	return size;
}

void container_layer_size(struct store *s, const char *id, int64_t *size_rw, int64_t *size_root_fs)
{
	struct store_rwlayer rw;
	char path[128];
	int fd;

	*size_rw = *size_root_fs = 0;
	/* GetContainerLayerSize logs and answers 0, 0 without a layer. */
	if (store_rwlayer_read(s, id, &rw, NULL) < 0)
		return;
	snprintf(path, sizeof(path), "%s/diff", rw.mount_id);
	fd = openat(s->overlay_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*size_rw = -1;
	} else {
		*size_rw = dir_usage(fd);
	}
	if (rw.parent[0])
		*size_root_fs = chain_size(s, rw.parent) + (*size_rw != -1 ? *size_rw : 0);
}

/* ---- the document ---- */

const char *container_state_string(const struct container_state *st)
{
	if (st->running)
		return st->paused ? "paused" : st->restarting ? "restarting" : "running";
	if (st->removal_in_progress)
		return "removing";
	if (st->dead)
		return "dead";
	if (!st->started_at || !strcmp(st->started_at, "0001-01-01T00:00:00Z"))
		return "created";
	return "exited";
}

static json_t *str_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *state_json(const struct container_state *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "Status", json_string(container_state_string(st)));
	json_object_set_new(o, "Running", json_boolean(st->running));
	json_object_set_new(o, "Paused", json_boolean(st->paused));
	json_object_set_new(o, "Restarting", json_boolean(st->restarting));
	json_object_set_new(o, "OOMKilled", json_boolean(st->oom_killed));
	json_object_set_new(o, "Dead", json_boolean(st->dead));
	json_object_set_new(o, "Pid", json_integer(st->pid));
	json_object_set_new(o, "ExitCode", json_integer(st->exit_code));
	json_object_set_new(o, "Error", str_or_empty(st->error));
	json_object_set_new(o, "StartedAt", str_or_empty(st->started_at ? st->started_at : "0001-01-01T00:00:00Z"));
	json_object_set_new(o, "FinishedAt", str_or_empty(st->finished_at ? st->finished_at : "0001-01-01T00:00:00Z"));
	if (st->health && !json_is_null(st->health))
		json_object_set(o, "Health", st->health);
	return o;
}

/* overlay2's GetMetadata of the RW layer; NULL (JSON null) for a Dead
 * container whose layer is gone, an error for any other. */
static int graph_data(struct store *s, const struct container *c, json_t **out, struct berr *err)
{
	struct store_rwlayer rw;
	struct sbuf lower = SBUF_INIT;
	char root[PATH_MAX], *dir;
	json_t *data;

	*out = json_null();
	if (store_rwlayer_read(s, c->id, &rw, NULL) < 0) {
		if (c->state.dead)
			return 0;
		return berr_set(err, BERR_INTERNAL, "RWLayer of container %s is unexpectedly nil", c->id);
	}
	if (!realpath(s->root, root))
		snprintf(root, sizeof(root), "%s", s->root);
	dir = xasprintf("%s/overlay2/%s", root, rw.mount_id);
	data = json_object();
	if (overlay2_lowerdir(s, rw.mount_id, root, &lower) == 0 && lower.len)
		json_object_set_new(data, "LowerDir", json_string(lower.buf));
	json_object_set_new(data, "MergedDir", json_pack("s+", dir, "/merged"));
	json_object_set_new(data, "UpperDir", json_pack("s+", dir, "/diff"));
	json_object_set_new(data, "WorkDir", json_pack("s+", dir, "/work"));
	free(dir);
	sbuf_release(&lower);
	json_decref(*out);
	*out = data;
	return 0;
}

static json_t *field_or(json_t *o, const char *k, json_t *dflt)
{
	json_t *v = json_object_get(o, k);

	if (v) {
		json_decref(dflt);
		return json_incref(v);
	}
	return dflt;
}

/* GetMountPoints: one types.MountPoint per MountPoint (Go ranges the map
 * in random order; berth in the record's, which is sorted). */
static json_t *mounts_json(struct store *s, json_t *points)
{
	json_t *a = json_array(), *m;
	const char *k;

	json_object_foreach(points, k, m) {
		json_t *o = json_object(), *v;

		if ((v = json_object_get(m, "Type")) && json_string_length(v))
			json_object_set(o, "Type", v);
		if ((v = json_object_get(m, "Name")) && json_string_length(v))
			json_object_set(o, "Name", v);
		/* MountPoint.Path(): a volume's is its _data, also for the
		 * anonymous ones whose record has no Source. */
		v = json_object_get(m, "Source");
		if ((!v || !json_string_length(v)) && json_string_length(json_object_get(m, "Name")) &&
		    json_string_length(json_object_get(m, "Driver"))) {
			char *path = volume_data_path(s, json_string_value(json_object_get(m, "Name")));
			json_object_set_new(o, "Source", json_string(path));
			free(path);
		} else {
			json_object_set_new(o, "Source", field_or(m, "Source", json_string("")));
		}
		json_object_set_new(o, "Destination", field_or(m, "Destination", json_string("")));
		if ((v = json_object_get(m, "Driver")) && json_string_length(v))
			json_object_set(o, "Driver", v);
		/* MountPoint.Mode is stored as "Relabel". */
		json_object_set_new(o, "Mode", field_or(m, "Relabel", json_string("")));
		json_object_set_new(o, "RW", field_or(m, "RW", json_false()));
		json_object_set_new(o, "Propagation", field_or(m, "Propagation", json_string("")));
		json_array_append_new(a, o);
	}
	return a;
}

/* An endpoint as network.EndpointSettings of the API (no IPAMOperational). */
static json_t *endpoint_json(json_t *e)
{
	static const char *const keys[] = { "IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID",
					    "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway",
					    "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts" };
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(e, keys[i]);
		json_object_set(o, keys[i], v ? v : json_null());
	}
	return o;
}

static json_t *network_json(json_t *ns_in)
{
	static const char *const base1[] = { "Bridge", "SandboxID", "HairpinMode", "LinkLocalIPv6Address",
					     "LinkLocalIPv6PrefixLen" };
	static const char *const base2[] = { "SandboxKey", "SecondaryIPAddresses", "SecondaryIPv6Addresses" };
	static const char *const dflt[] = { "EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
					    "IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress" };
	json_t *ns = shape_network_settings(ns_in, NULL), *o = json_object(), *nets, *bridge, *ports, *e;
	const char *k;

	if (!ns)
		ns = shape_network_settings(NULL, NULL);
	for (size_t i = 0; i < sizeof(base1) / sizeof(base1[0]); i++)
		json_object_set(o, base1[i], json_object_get(ns, base1[i]));
	ports = json_object_get(ns, "Ports");
	json_object_set_new(o, "Ports", json_is_object(ports) ? json_incref(ports) : json_object());
	for (size_t i = 0; i < sizeof(base2) / sizeof(base2[0]); i++)
		json_object_set(o, base2[i], json_object_get(ns, base2[i]));
	nets = json_object_get(ns, "Networks");
	bridge = json_object_get(nets, "bridge");
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
		json_t *v = json_is_object(bridge) ? json_object_get(bridge, dflt[i]) : NULL;
		int is_int = strstr(dflt[i], "PrefixLen") != NULL;
		json_object_set_new(o, dflt[i], v ? json_incref(v) : is_int ? json_integer(0) : json_string(""));
	}
	e = json_object();
	json_object_foreach(nets, k, bridge)
		if (json_is_object(bridge))
			json_object_set_new(e, k, endpoint_json(bridge));
	json_object_set_new(o, "Networks", e);
	json_decref(ns);
	return o;
}

static json_t *inspect_object(struct berth *b, struct container *c, int size, struct berr *err)
{
	json_t *o = json_object(), *hc, *gd, *v;
	int64_t rw, rootfs;

	json_object_set_new(o, "Id", json_string(c->id));
	json_object_set_new(o, "Created", str_or_empty(c->created));
	json_object_set_new(o, "Path", str_or_empty(c->path));
	json_object_set(o, "Args", c->args ? c->args : json_null());
	json_object_set_new(o, "State", state_json(&c->state));
	json_object_set_new(o, "Image", json_string(c->image));
	json_object_set_new(o, "ResolvConfPath", str_or_empty(c->resolv_conf_path));
	json_object_set_new(o, "HostnamePath", str_or_empty(c->hostname_path));
	json_object_set_new(o, "HostsPath", str_or_empty(c->hosts_path));
	json_object_set_new(o, "LogPath", str_or_empty(c->log_path));
	json_object_set_new(o, "Name", str_or_empty(c->name));
	json_object_set_new(o, "RestartCount", json_integer(c->restart_count));
	json_object_set_new(o, "Driver", str_or_empty(c->driver));
	json_object_set_new(o, "Platform", str_or_empty(c->os));
	json_object_set_new(o, "MountLabel", str_or_empty(c->mount_label));
	json_object_set_new(o, "ProcessLabel", str_or_empty(c->process_label));
	json_object_set_new(o, "AppArmorProfile", str_or_empty(c->apparmor_profile));
	/* dockerd's in-memory exec store; berth's is under the exec root */
	v = container_exec_ids(b, c->id);
	json_object_set_new(o, "ExecIDs", json_array_size(v) ? v : json_null());
	if (!json_array_size(v))
		json_decref(v);
	hc = shape_host_config(c->host_config, NULL);
	if (!hc)
		hc = shape_host_config(NULL, NULL);
	/* Links come from the link index, not the stored HostConfig. */
	json_object_set_new(hc, "Links", json_null());
	json_object_set_new(o, "HostConfig", hc);
	if (graph_data(b->store, c, &v, err) < 0) {
		json_decref(v);
		json_decref(o);
		return NULL;
	}
	gd = json_object();
	json_object_set_new(gd, "Data", v);
	json_object_set_new(gd, "Name", str_or_empty(c->driver));
	json_object_set_new(o, "GraphDriver", gd);
	if (size) {
		container_layer_size(b->store, c->id, &rw, &rootfs);
		json_object_set_new(o, "SizeRw", json_integer(rw));
		json_object_set_new(o, "SizeRootFs", json_integer(rootfs));
	}
	json_object_set_new(o, "Mounts", mounts_json(b->store, container_mount_points(c)));
	v = shape_config(container_config(c), NULL);
	json_object_set_new(o, "Config", v ? v : json_null());
	json_object_set_new(o, "NetworkSettings", network_json(container_network_settings(c)));
	return o;
}

int berth_container_inspect_raw(struct berth *b, const char *name, int size, char **json_out, struct berr *err)
{
	struct container *c = container_lookup(b->store, name, err);
	struct sbuf out = SBUF_INIT;
	json_t *o;

	if (!c)
		return -1;
	if (container_refresh_state(b, c, err) < 0 || !(o = inspect_object(b, c, size, err))) {
		container_free(c);
		return -1;
	}
	gojson_write_opts(&out, o, NULL, NULL, 0);
	json_decref(o);
	container_free(c);
	*json_out = sbuf_detach(&out, NULL);
	return 0;
}
