/* shape.c - Go struct field orders and zero values (shape.h). */
#include "shape.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/sbuf.h"

enum kind {
	K_STR,      /* string: "" */
	K_BOOL,     /* bool: false */
	K_INT,      /* any integer type: 0 */
	K_ANY,      /* slice, pointer, interface: null, kept as given */
	K_MAP,      /* map[string]T of plain values: null, keys sorted */
	K_SET,      /* map[string]struct{}: null, keys sorted, values {} */
	K_STRSLICE, /* strslice.StrSlice: null; a string becomes [string] */
	K_OBJ,      /* embedded struct: its zero struct */
	K_OBJ_PTR,  /* *struct: null */
	K_OBJ_ARR,  /* []struct or []*struct: null */
	K_OBJ_MAP,  /* map[string]struct or *struct: null, keys sorted */
	K_PORTMAP,  /* nat.PortMap: map[string][]PortBinding: null */
	K_RAW,      /* fixed-size array: zero given as text */
};

#define OMITEMPTY 1 /* `json:",omitempty"`: false, 0, "", null, [] and {} are left out */
#define OMITNIL 2   /* the same on a pointer: only nil (null or missing) is left out */

struct shape;
struct field {
	const char *name;
	enum kind kind;
	unsigned flags;
	const struct shape *sub;
	const char *zero; /* K_RAW */
};
struct shape {
	const char *name;
	const struct field *f;
	size_t n;
};

#define SHAPE(var, gname, ...) \
	static const struct field var##_f[] = { __VA_ARGS__ }; \
	static const struct shape var = { gname, var##_f, sizeof(var##_f) / sizeof(var##_f[0]) }

SHAPE(health_config, "container.HealthConfig",
      { "Test", K_ANY, OMITEMPTY, NULL, NULL }, { "Interval", K_INT, OMITEMPTY, NULL, NULL },
      { "Timeout", K_INT, OMITEMPTY, NULL, NULL }, { "StartPeriod", K_INT, OMITEMPTY, NULL, NULL },
      { "Retries", K_INT, OMITEMPTY, NULL, NULL });

SHAPE(config, "container.Config",
      { "Hostname", K_STR, 0, NULL, NULL }, { "Domainname", K_STR, 0, NULL, NULL },
      { "User", K_STR, 0, NULL, NULL }, { "AttachStdin", K_BOOL, 0, NULL, NULL },
      { "AttachStdout", K_BOOL, 0, NULL, NULL }, { "AttachStderr", K_BOOL, 0, NULL, NULL },
      { "ExposedPorts", K_SET, OMITEMPTY, NULL, NULL }, { "Tty", K_BOOL, 0, NULL, NULL },
      { "OpenStdin", K_BOOL, 0, NULL, NULL }, { "StdinOnce", K_BOOL, 0, NULL, NULL },
      { "Env", K_ANY, 0, NULL, NULL }, { "Cmd", K_STRSLICE, 0, NULL, NULL },
      { "Healthcheck", K_OBJ_PTR, OMITNIL, &health_config, NULL },
      { "ArgsEscaped", K_BOOL, OMITEMPTY, NULL, NULL }, { "Image", K_STR, 0, NULL, NULL },
      { "Volumes", K_SET, 0, NULL, NULL }, { "WorkingDir", K_STR, 0, NULL, NULL },
      { "Entrypoint", K_STRSLICE, 0, NULL, NULL }, { "NetworkDisabled", K_BOOL, OMITEMPTY, NULL, NULL },
      { "MacAddress", K_STR, OMITEMPTY, NULL, NULL }, { "OnBuild", K_ANY, 0, NULL, NULL },
      { "Labels", K_MAP, 0, NULL, NULL }, { "StopSignal", K_STR, OMITEMPTY, NULL, NULL },
      { "StopTimeout", K_ANY, OMITNIL, NULL, NULL }, { "Shell", K_STRSLICE, OMITEMPTY, NULL, NULL });

SHAPE(log_config, "container.LogConfig", { "Type", K_STR, 0, NULL, NULL }, { "Config", K_MAP, 0, NULL, NULL });
SHAPE(restart_policy, "container.RestartPolicy", { "Name", K_STR, 0, NULL, NULL },
      { "MaximumRetryCount", K_INT, 0, NULL, NULL });
SHAPE(weight_device, "blkiodev.WeightDevice", { "Path", K_STR, 0, NULL, NULL }, { "Weight", K_INT, 0, NULL, NULL });
SHAPE(throttle_device, "blkiodev.ThrottleDevice", { "Path", K_STR, 0, NULL, NULL }, { "Rate", K_INT, 0, NULL, NULL });
SHAPE(device_mapping, "container.DeviceMapping", { "PathOnHost", K_STR, 0, NULL, NULL },
      { "PathInContainer", K_STR, 0, NULL, NULL }, { "CgroupPermissions", K_STR, 0, NULL, NULL });
SHAPE(device_request, "container.DeviceRequest", { "Driver", K_STR, 0, NULL, NULL },
      { "Count", K_INT, 0, NULL, NULL }, { "DeviceIDs", K_ANY, 0, NULL, NULL },
      { "Capabilities", K_ANY, 0, NULL, NULL }, { "Options", K_MAP, 0, NULL, NULL });
SHAPE(ulimit, "units.Ulimit", { "Name", K_STR, 0, NULL, NULL }, { "Hard", K_INT, 0, NULL, NULL },
      { "Soft", K_INT, 0, NULL, NULL });
SHAPE(mount, "mount.Mount", { "Type", K_STR, OMITEMPTY, NULL, NULL }, { "Source", K_STR, OMITEMPTY, NULL, NULL },
      { "Target", K_STR, OMITEMPTY, NULL, NULL }, { "ReadOnly", K_BOOL, OMITEMPTY, NULL, NULL },
      { "Consistency", K_STR, OMITEMPTY, NULL, NULL }, { "BindOptions", K_ANY, OMITNIL, NULL, NULL },
      { "VolumeOptions", K_ANY, OMITNIL, NULL, NULL }, { "TmpfsOptions", K_ANY, OMITNIL, NULL, NULL });
SHAPE(port_binding, "nat.PortBinding", { "HostIp", K_STR, 0, NULL, NULL }, { "HostPort", K_STR, 0, NULL, NULL });

SHAPE(host_config, "container.HostConfig",
      { "Binds", K_ANY, 0, NULL, NULL }, { "ContainerIDFile", K_STR, 0, NULL, NULL },
      { "LogConfig", K_OBJ, 0, &log_config, NULL }, { "NetworkMode", K_STR, 0, NULL, NULL },
      { "PortBindings", K_PORTMAP, 0, &port_binding, NULL }, { "RestartPolicy", K_OBJ, 0, &restart_policy, NULL },
      { "AutoRemove", K_BOOL, 0, NULL, NULL }, { "VolumeDriver", K_STR, 0, NULL, NULL },
      { "VolumesFrom", K_ANY, 0, NULL, NULL }, { "CapAdd", K_STRSLICE, 0, NULL, NULL },
      { "CapDrop", K_STRSLICE, 0, NULL, NULL }, { "CgroupnsMode", K_STR, 0, NULL, NULL },
      { "Dns", K_ANY, 0, NULL, NULL }, { "DnsOptions", K_ANY, 0, NULL, NULL },
      { "DnsSearch", K_ANY, 0, NULL, NULL }, { "ExtraHosts", K_ANY, 0, NULL, NULL },
      { "GroupAdd", K_ANY, 0, NULL, NULL }, { "IpcMode", K_STR, 0, NULL, NULL },
      { "Cgroup", K_STR, 0, NULL, NULL }, { "Links", K_ANY, 0, NULL, NULL },
      { "OomScoreAdj", K_INT, 0, NULL, NULL }, { "PidMode", K_STR, 0, NULL, NULL },
      { "Privileged", K_BOOL, 0, NULL, NULL }, { "PublishAllPorts", K_BOOL, 0, NULL, NULL },
      { "ReadonlyRootfs", K_BOOL, 0, NULL, NULL }, { "SecurityOpt", K_ANY, 0, NULL, NULL },
      { "StorageOpt", K_MAP, OMITEMPTY, NULL, NULL }, { "Tmpfs", K_MAP, OMITEMPTY, NULL, NULL },
      { "UTSMode", K_STR, 0, NULL, NULL }, { "UsernsMode", K_STR, 0, NULL, NULL },
      { "ShmSize", K_INT, 0, NULL, NULL }, { "Sysctls", K_MAP, OMITEMPTY, NULL, NULL },
      { "Runtime", K_STR, OMITEMPTY, NULL, NULL }, { "ConsoleSize", K_RAW, 0, NULL, "[0,0]" },
      { "Isolation", K_STR, 0, NULL, NULL },
      /* Resources, embedded */
      { "CpuShares", K_INT, 0, NULL, NULL }, { "Memory", K_INT, 0, NULL, NULL },
      { "NanoCpus", K_INT, 0, NULL, NULL }, { "CgroupParent", K_STR, 0, NULL, NULL },
      { "BlkioWeight", K_INT, 0, NULL, NULL }, { "BlkioWeightDevice", K_OBJ_ARR, 0, &weight_device, NULL },
      { "BlkioDeviceReadBps", K_OBJ_ARR, 0, &throttle_device, NULL },
      { "BlkioDeviceWriteBps", K_OBJ_ARR, 0, &throttle_device, NULL },
      { "BlkioDeviceReadIOps", K_OBJ_ARR, 0, &throttle_device, NULL },
      { "BlkioDeviceWriteIOps", K_OBJ_ARR, 0, &throttle_device, NULL },
      { "CpuPeriod", K_INT, 0, NULL, NULL }, { "CpuQuota", K_INT, 0, NULL, NULL },
      { "CpuRealtimePeriod", K_INT, 0, NULL, NULL }, { "CpuRealtimeRuntime", K_INT, 0, NULL, NULL },
      { "CpusetCpus", K_STR, 0, NULL, NULL }, { "CpusetMems", K_STR, 0, NULL, NULL },
      { "Devices", K_OBJ_ARR, 0, &device_mapping, NULL }, { "DeviceCgroupRules", K_ANY, 0, NULL, NULL },
      { "DeviceRequests", K_OBJ_ARR, 0, &device_request, NULL }, { "KernelMemory", K_INT, 0, NULL, NULL },
      { "KernelMemoryTCP", K_INT, 0, NULL, NULL }, { "MemoryReservation", K_INT, 0, NULL, NULL },
      { "MemorySwap", K_INT, 0, NULL, NULL }, { "MemorySwappiness", K_ANY, 0, NULL, NULL },
      { "OomKillDisable", K_ANY, 0, NULL, NULL }, { "PidsLimit", K_ANY, 0, NULL, NULL },
      { "Ulimits", K_OBJ_ARR, 0, &ulimit, NULL }, { "CpuCount", K_INT, 0, NULL, NULL },
      { "CpuPercent", K_INT, 0, NULL, NULL }, { "IOMaximumIOps", K_INT, 0, NULL, NULL },
      { "IOMaximumBandwidth", K_INT, 0, NULL, NULL },
      /* end of Resources */
      { "Mounts", K_OBJ_ARR, OMITEMPTY, &mount, NULL }, { "MaskedPaths", K_ANY, 0, NULL, NULL },
      { "ReadonlyPaths", K_ANY, 0, NULL, NULL }, { "Init", K_ANY, OMITNIL, NULL, NULL });

SHAPE(endpoint_settings, "network.EndpointSettings",
      { "IPAMConfig", K_ANY, 0, NULL, NULL }, { "Links", K_ANY, 0, NULL, NULL },
      { "Aliases", K_ANY, 0, NULL, NULL }, { "NetworkID", K_STR, 0, NULL, NULL },
      { "EndpointID", K_STR, 0, NULL, NULL }, { "Gateway", K_STR, 0, NULL, NULL },
      { "IPAddress", K_STR, 0, NULL, NULL }, { "IPPrefixLen", K_INT, 0, NULL, NULL },
      { "IPv6Gateway", K_STR, 0, NULL, NULL }, { "GlobalIPv6Address", K_STR, 0, NULL, NULL },
      { "GlobalIPv6PrefixLen", K_INT, 0, NULL, NULL }, { "MacAddress", K_STR, 0, NULL, NULL },
      { "DriverOpts", K_MAP, 0, NULL, NULL }, { "IPAMOperational", K_BOOL, 0, NULL, NULL });

SHAPE(network_settings, "network.Settings",
      { "Bridge", K_STR, 0, NULL, NULL }, { "SandboxID", K_STR, 0, NULL, NULL },
      { "HairpinMode", K_BOOL, 0, NULL, NULL }, { "LinkLocalIPv6Address", K_STR, 0, NULL, NULL },
      { "LinkLocalIPv6PrefixLen", K_INT, 0, NULL, NULL },
      { "Networks", K_OBJ_MAP, 0, &endpoint_settings, NULL }, { "Service", K_ANY, 0, NULL, NULL },
      { "Ports", K_PORTMAP, 0, &port_binding, NULL }, { "SandboxKey", K_STR, 0, NULL, NULL },
      { "SecondaryIPAddresses", K_ANY, 0, NULL, NULL }, { "SecondaryIPv6Addresses", K_ANY, 0, NULL, NULL },
      { "IsAnonymousEndpoint", K_BOOL, 0, NULL, NULL }, { "HasSwarmEndpoint", K_BOOL, 0, NULL, NULL });

SHAPE(mount_point, "volumemounts.MountPoint",
      { "Source", K_STR, 0, NULL, NULL }, { "Destination", K_STR, 0, NULL, NULL },
      { "RW", K_BOOL, 0, NULL, NULL }, { "Name", K_STR, 0, NULL, NULL },
      { "Driver", K_STR, 0, NULL, NULL }, { "Type", K_STR, 0, NULL, NULL },
      { "Relabel", K_STR, OMITEMPTY, NULL, NULL }, { "Propagation", K_STR, OMITEMPTY, NULL, NULL },
      { "ID", K_STR, OMITEMPTY, NULL, NULL }, { "Spec", K_OBJ, 0, &mount, NULL },
      { "SkipMountpointCreation", K_BOOL, 0, NULL, NULL });

SHAPE(health, "container.Health", { "Status", K_STR, 0, NULL, NULL }, { "FailingStreak", K_INT, 0, NULL, NULL },
      { "Log", K_ANY, 0, NULL, NULL });

static json_t *shape_obj(const struct shape *sh, json_t *in, struct berr *err);

/* Go matches keys exactly first, then case-insensitively. */
static json_t *get_field(json_t *in, const char *name)
{
	const char *k;
	json_t *v;

	if (!in)
		return NULL;
	if ((v = json_object_get(in, name)))
		return v;
	json_object_foreach(in, k, v)
		if (!strcasecmp(k, name))
			return v;
	return NULL;
}

static int type_error(struct berr *err, const struct shape *sh, const char *name, const char *want)
{
	return berr_set(err, BERR_INVALID, "json: cannot unmarshal into Go struct field %s.%s of type %s",
			sh->name, name, want);
}

static int is_empty(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 1;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return 0;
	}
}

/* A copy of object in with sorted keys, each value through fn (NULL: deep copy). */
static json_t *sorted_map(json_t *in, json_t *(*fn)(const struct shape *, json_t *, struct berr *),
			  const struct shape *sub, struct berr *err)
{
	size_t n = json_object_size(in), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *k;

	if (!keys)
		abort();
	json_object_foreach(in, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), str_ptr_cmp);
	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(in, keys[i]);
		json_t *y = fn ? fn(sub, x, err) : json_deep_copy(x);
		if (!y) {
			json_decref(out);
			out = NULL;
			break;
		}
		json_object_set_new(out, keys[i], y);
	}
	free(keys);
	return out;
}

static json_t *set_value(const struct shape *sh, json_t *v, struct berr *err)
{
	return json_object();
}

static json_t *copy_value(const struct shape *sh, json_t *v, struct berr *err)
{
	return json_deep_copy(v);
}

/* []PortBinding, or null. */
static json_t *bindings(const struct shape *sh, json_t *v, struct berr *err)
{
	json_t *out, *x;
	size_t i;

	if (json_is_null(v))
		return json_null();
	if (!json_is_array(v))
		return type_error(err, sh, "", "[]nat.PortBinding"), NULL;
	out = json_array();
	json_array_foreach(v, i, x) {
		json_t *y = shape_obj(sh, x, err);
		if (!y) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, y);
	}
	return out;
}

static json_t *shape_value(const struct shape *sh, const struct field *f, json_t *v, struct berr *err)
{
	size_t i;
	json_t *x, *out;

	if (!v || (json_is_null(v) && f->kind != K_RAW && f->kind != K_OBJ)) {
		switch (f->kind) {
		case K_STR:
			return json_string("");
		case K_BOOL:
			return json_false();
		case K_INT:
			return json_integer(0);
		default:
			break;
		}
	}
	switch (f->kind) {
	case K_STR:
		return json_is_string(v) ? json_incref(v) : (type_error(err, sh, f->name, "string"), NULL);
	case K_BOOL:
		return json_is_boolean(v) ? json_incref(v) : (type_error(err, sh, f->name, "bool"), NULL);
	case K_INT:
		return json_is_integer(v) ? json_incref(v) : (type_error(err, sh, f->name, "int64"), NULL);
	case K_ANY:
		return v ? json_deep_copy(v) : json_null();
	case K_RAW:
		return v && !json_is_null(v) ? json_deep_copy(v) : json_loads(f->zero, 0, NULL);
	case K_OBJ:
		return shape_obj(f->sub, v && !json_is_null(v) ? v : NULL, err);
	case K_OBJ_PTR:
		return v && !json_is_null(v) ? shape_obj(f->sub, v, err) : json_null();
	default:
		break;
	}
	if (!v || json_is_null(v))
		return json_null();
	switch (f->kind) {
	case K_STRSLICE:
		if (json_is_string(v)) {
			out = json_array();
			json_array_append(out, v);
			return out;
		}
		return json_is_array(v) ? json_deep_copy(v) : (type_error(err, sh, f->name, "[]string"), NULL);
	case K_MAP:
	case K_SET:
	case K_OBJ_MAP:
	case K_PORTMAP:
		if (!json_is_object(v))
			return type_error(err, sh, f->name, "map"), NULL;
		return sorted_map(v,
				  f->kind == K_SET     ? set_value
				  : f->kind == K_MAP   ? copy_value
				  : f->kind == K_OBJ_MAP ? shape_obj
							: bindings,
				  f->sub, err);
	case K_OBJ_ARR:
		if (!json_is_array(v))
			return type_error(err, sh, f->name, "[]struct"), NULL;
		out = json_array();
		json_array_foreach(v, i, x) {
			json_t *y = json_is_null(x) ? json_null() : shape_obj(f->sub, x, err);
			if (!y) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, y);
		}
		return out;
	default:
		return json_null();
	}
}

static json_t *shape_obj(const struct shape *sh, json_t *in, struct berr *err)
{
	json_t *out;

	if (in && json_is_null(in))
		in = NULL;
	if (in && !json_is_object(in))
		return type_error(err, sh, "", sh->name), NULL;
	out = json_object();
	for (size_t i = 0; i < sh->n; i++) {
		const struct field *f = &sh->f[i];
		json_t *v = get_field(in, f->name), *y;

		if ((f->flags & OMITEMPTY) && (!v || is_empty(v)))
			continue;
		if ((f->flags & OMITNIL) && (!v || json_is_null(v)))
			continue;
		y = shape_value(sh, f, v, err);
		if (!y) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, f->name, y);
	}
	return out;
}

json_t *shape_config(json_t *in, struct berr *err)
{
	return shape_obj(&config, in, err);
}

json_t *shape_host_config(json_t *in, struct berr *err)
{
	return shape_obj(&host_config, in, err);
}

json_t *shape_network_settings(json_t *in, struct berr *err)
{
	return shape_obj(&network_settings, in, err);
}

json_t *shape_mount_points(json_t *in, struct berr *err)
{
	if (!in || json_is_null(in))
		return json_null();
	if (!json_is_object(in))
		return type_error(err, &mount_point, "", "map"), NULL;
	return sorted_map(in, shape_obj, &mount_point, err);
}

json_t *shape_health(json_t *in, struct berr *err)
{
	return !in || json_is_null(in) ? json_null() : shape_obj(&health, in, err);
}
