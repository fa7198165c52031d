/*
 * cmd-inspect.c - `berth inspect`, `berth image inspect` and `berth
 * container inspect`, printed as Docker 20.10's CLI prints them
 * (cli/command/inspect/inspector.go, system/inspect.go, image/inspect.go,
 * container/inspect.go):
 *
 *   - `inspect` without --type tries each name as a container, then as an
 *     image (the CLI's inspectAll order; networks, volumes and plugins,
 *     which berth does not have, would come next), skipping "not found"
 *     and "invalid reference format" answers;
 *   - no --format: the daemon's raw JSON objects in an array, through
 *     json.Indent with four spaces, "[]" when nothing was found;
 *   - --format: the template runs against the Go struct the client
 *     decodes (types.ImageInspect, types.ContainerJSON: a nil slice
 *     prints "[]", a nil pointer "<nil>", a time "0001-01-01 00:00:00
 *     +0000 UTC"); when that fails, against the raw JSON with
 *     missingkey=error, whose error is the one reported.  Nothing printed
 *     is one empty line.
 *
 * Errors come after the output, one line each, and exit 1: "Error: No
 * such image: x" (image inspect, --type image), "Error: No such
 * container: x" (container inspect, --type container), "Error: No such
 * object: x" (inspect).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char inspect_usage[] = "inspect [OPTIONS] NAME|ID [NAME|ID...]\n\n"
				    "Return low-level information on Docker objects";
static const char image_inspect_usage[] = "image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
					  "Display detailed information on one or more images";
static const char container_inspect_usage[] = "container inspect [OPTIONS] CONTAINER [CONTAINER...]\n\n"
					      "Display detailed information on one or more containers";

/* Which command runs: the three share everything but their lookups. */
enum inspect_cmd { INSPECT_ANY, INSPECT_IMAGE, INSPECT_CONTAINER };

/* encoding/json's Indent(dst, src, "", "    ") of a compact document. */
static void json_indent(struct sbuf *out, const char *s)
{
	int depth = 0, need = 0, in_str = 0;

	for (; *s; s++) {
		char c = *s;

		if (in_str) {
			sbuf_addch(out, c);
			if (c == '\\' && s[1])
				sbuf_addch(out, *++s);
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (need && c != ']' && c != '}') {
			need = 0;
			depth++;
			sbuf_addch(out, '\n');
			for (int i = 0; i < depth; i++)
				sbuf_addstr(out, "    ");
		}
		switch (c) {
		case '"':
			in_str = 1;
			sbuf_addch(out, c);
			break;
		case '{': case '[':
			need = 1;
			sbuf_addch(out, c);
			break;
		case ',':
			sbuf_addch(out, c);
			sbuf_addch(out, '\n');
			for (int i = 0; i < depth; i++)
				sbuf_addstr(out, "    ");
			break;
		case ':':
			sbuf_addstr(out, ": ");
			break;
		case '}': case ']':
			if (need) {
				need = 0;
			} else {
				depth--;
				sbuf_addch(out, '\n');
				for (int i = 0; i < depth; i++)
					sbuf_addstr(out, "    ");
			}
			sbuf_addch(out, c);
			break;
		default:
			sbuf_addch(out, c);
		}
	}
}

/* ---- the typed view: types.ImageInspect as text/template sees it ---- */

static json_t *typed(json_t *json, const char *fmt, int truth)
{
	json_t *o = json_object();

	json_object_set(o, TMPL_GO_JSON, json ? json : json_null());
	json_object_set_new(o, TMPL_GO_FMT, json_string(fmt));
	json_object_set_new(o, TMPL_GO_TRUTH, json_boolean(truth));
	return o;
}

/* A nil slice, map or pointer field stays JSON null but prints as Go. */
static json_t *nil_or(json_t *v, const char *fmt)
{
	if (v && !json_is_null(v))
		return json_incref(v);
	return typed(NULL, fmt, 0);
}

/* The two decimal digits at s, or -1. */
static long two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* time.Time.String() of an RFC 3339 time as the daemon encodes it. */
static void go_time_string(const char *rfc, char *buf, size_t n)
{
	struct tm tm = { 0 };
	const char *p = rfc ? strptime(rfc, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	char frac[16] = "", zone[32];
	size_t k;

	if (!p) {
		snprintf(buf, n, "%s", rfc ? rfc : "");
		return;
	}
	if (*p == '.') {
		k = strspn(p + 1, "0123456789");
		snprintf(frac, sizeof(frac), "%.*s", (int)(k > 9 ? 10 : k + 1), p);
		p += k + 1;
	}
	if (*p == 'Z') {
		snprintf(zone, sizeof(zone), "+0000 UTC");
	} else {
		/* A fixed offset: Go names it after the local zone when that
		 * has the offset, else by the offset itself. */
		time_t now = time(NULL);
		struct tm lt;
		long hh = two_digits(p + 1), mm = p[1] && p[2] && p[3] ? two_digits(p + 4) : -1;
		int local;

		localtime_r(&now, &lt);
		/* A malformed offset matches no zone and prints as it is. */
		local = hh >= 0 && mm >= 0 && lt.tm_gmtoff == (p[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60) && lt.tm_zone;
		snprintf(zone, sizeof(zone), "%c%.2s%.2s %s", p[0], p + 1, p + 4, local ? lt.tm_zone : "");
		if (!local)
			snprintf(zone, sizeof(zone), "%c%.2s%.2s %c%.2s%.2s", p[0], p + 1, p + 4, p[0], p + 1, p + 4);
	}
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d%s %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
}

static json_t *struct_of(json_t *raw)
{
	json_t *o = json_object();

	json_object_set_new(o, TMPL_GO_STRUCT, json_true());
	if (raw)
		json_object_set(o, TMPL_GO_RAW, raw);
	return o;
}

/* map[string]struct{}: the values print as "{}". */
static json_t *set_of(json_t *v, const char *nil_fmt)
{
	json_t *o, *m;
	const char *k;

	if (!json_is_object(v))
		return typed(NULL, nil_fmt, 0);
	o = json_object();
	json_object_foreach(v, k, m)
		json_object_set_new(o, k, struct_of(m));
	return o;
}

static void copy_field(json_t *dst, json_t *src, const char *k, json_t *dflt)
{
	json_t *v = json_object_get(src, k);

	json_object_set(dst, k, v ? v : dflt);
	json_decref(dflt);
}

/* container.Config: every field, omitted ones at their Go zero values. */
static json_t *typed_config(json_t *c)
{
	json_t *o;

	if (!json_is_object(c))
		return typed(NULL, "<nil>", 0);
	o = struct_of(c);
	copy_field(o, c, "Hostname", json_string(""));
	copy_field(o, c, "Domainname", json_string(""));
	copy_field(o, c, "User", json_string(""));
	copy_field(o, c, "AttachStdin", json_false());
	copy_field(o, c, "AttachStdout", json_false());
	copy_field(o, c, "AttachStderr", json_false());
	json_object_set_new(o, "ExposedPorts", set_of(json_object_get(c, "ExposedPorts"), "map[]"));
	copy_field(o, c, "Tty", json_false());
	copy_field(o, c, "OpenStdin", json_false());
	copy_field(o, c, "StdinOnce", json_false());
	json_object_set_new(o, "Env", nil_or(json_object_get(c, "Env"), "[]"));
	json_object_set_new(o, "Cmd", nil_or(json_object_get(c, "Cmd"), "[]"));
	json_object_set_new(o, "Healthcheck", nil_or(json_object_get(c, "Healthcheck"), "<nil>"));
	copy_field(o, c, "ArgsEscaped", json_false());
	copy_field(o, c, "Image", json_string(""));
	json_object_set_new(o, "Volumes", set_of(json_object_get(c, "Volumes"), "map[]"));
	copy_field(o, c, "WorkingDir", json_string(""));
	json_object_set_new(o, "Entrypoint", nil_or(json_object_get(c, "Entrypoint"), "[]"));
	copy_field(o, c, "NetworkDisabled", json_false());
	copy_field(o, c, "MacAddress", json_string(""));
	json_object_set_new(o, "OnBuild", nil_or(json_object_get(c, "OnBuild"), "[]"));
	json_object_set_new(o, "Labels", nil_or(json_object_get(c, "Labels"), "map[]"));
	copy_field(o, c, "StopSignal", json_string(""));
	json_object_set_new(o, "StopTimeout", nil_or(json_object_get(c, "StopTimeout"), "<nil>"));
	json_object_set_new(o, "Shell", nil_or(json_object_get(c, "Shell"), "[]"));
	return o;
}

static json_t *typed_inspect(json_t *r)
{
	static const char *const head[] = { "RepoTags", "RepoDigests", "Parent", "Comment", "Created",
					    "Container" };
	json_t *o = struct_of(r), *gd, *rf, *md, *t;
	char when[96];

	/* ID `json:"Id"`: {{.Id}} is not a field of the struct. */
	json_object_set_new(o, "ID", json_string(json_string_value(json_object_get(r, "Id")) ?: ""));
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		copy_field(o, r, head[i], json_string(""));
	json_object_set_new(o, "ContainerConfig", typed_config(json_object_get(r, "ContainerConfig")));
	copy_field(o, r, "DockerVersion", json_string(""));
	copy_field(o, r, "Author", json_string(""));
	json_object_set_new(o, "Config", typed_config(json_object_get(r, "Config")));
	copy_field(o, r, "Architecture", json_string(""));
	copy_field(o, r, "Variant", json_string(""));
	copy_field(o, r, "Os", json_string(""));
	copy_field(o, r, "OsVersion", json_string(""));
	copy_field(o, r, "Size", json_integer(0));
	copy_field(o, r, "VirtualSize", json_integer(0));
	t = json_object_get(r, "GraphDriver");
	gd = struct_of(t);
	json_object_set_new(gd, "Data", nil_or(json_object_get(t, "Data"), "map[]"));
	copy_field(gd, t, "Name", json_string(""));
	json_object_set_new(o, "GraphDriver", gd);
	t = json_object_get(r, "RootFS");
	rf = struct_of(t);
	copy_field(rf, t, "Type", json_string(""));
	json_object_set_new(rf, "Layers", nil_or(json_object_get(t, "Layers"), "[]"));
	copy_field(rf, t, "BaseLayer", json_string(""));
	json_object_set_new(o, "RootFS", rf);
	t = json_object_get(json_object_get(r, "Metadata"), "LastTagTime");
	go_time_string(json_string_value(t), when, sizeof(when));
	md = struct_of(json_object_get(r, "Metadata"));
	json_object_set_new(md, "LastTagTime", typed(t, when, 1));
	json_object_set_new(o, "Metadata", md);
	return o;
}

/* ---- the typed view: types.ContainerJSON ---- */

/* nat.PortMap: each []PortBinding as structs ({0.0.0.0 8080}). */
static json_t *typed_port_map(json_t *v)
{
	json_t *o, *list, *b;
	const char *k;
	size_t i;

	if (!json_is_object(v))
		return typed(NULL, "map[]", 0);
	o = json_object();
	json_object_foreach(v, k, list) {
		json_t *a;

		if (!json_is_array(list)) {
			json_object_set_new(o, k, typed(NULL, "[]", 0));
			continue;
		}
		a = json_array();
		json_array_foreach(list, i, b) {
			json_t *pb = struct_of(b);
			copy_field(pb, b, "HostIp", json_string(""));
			copy_field(pb, b, "HostPort", json_string(""));
			json_array_append_new(a, pb);
		}
		json_object_set_new(o, k, a);
	}
	return o;
}

static json_t *typed_struct_fields(json_t *raw, const char *const *fields, size_t n)
{
	json_t *o = struct_of(raw);

	for (size_t i = 0; i < n; i++)
		copy_field(o, raw, fields[i], json_string(""));
	return o;
}

/* The HostConfig fields whose Go names are not their JSON keys: a
 * template names the Go field ({{.HostConfig.DNS}}; .Dns fails and falls
 * back to the raw JSON, as with docker). */
static const char *const host_config_go_names[][2] = {
	{ "Dns", "DNS" }, { "DnsOptions", "DNSOptions" }, { "DnsSearch", "DNSSearch" },
	{ "CpuShares", "CPUShares" }, { "NanoCpus", "NanoCPUs" }, { "CpuPeriod", "CPUPeriod" },
	{ "CpuQuota", "CPUQuota" }, { "CpuRealtimePeriod", "CPURealtimePeriod" },
	{ "CpuRealtimeRuntime", "CPURealtimeRuntime" }, { "CpuCount", "CPUCount" }, { "CpuPercent", "CPUPercent" },
	{ NULL, NULL },
};

/* container.HostConfig: what a JSON null stands for in each field (the
 * pointers and maps; every other nullable field is a slice), and the
 * omitempty fields at their zero values. */
static json_t *typed_host_config(json_t *hc)
{
	static const char *const pointers[] = { "MemorySwappiness", "OomKillDisable", "PidsLimit", "Init", NULL };
	static const char *const maps[] = { "StorageOpt", "Tmpfs", "Sysctls", NULL };
	json_t *o, *v;
	const char *key;

	if (!json_is_object(hc))
		return typed(NULL, "<nil>", 0);
	o = struct_of(hc);
	json_object_foreach(hc, key, v) {
		const char *k = key;
		size_t i;

		for (i = 0; host_config_go_names[i][0]; i++)
			if (!strcmp(key, host_config_go_names[i][0]))
				k = host_config_go_names[i][1];

		if (!strcmp(k, "PortBindings")) {
			json_object_set_new(o, k, typed_port_map(v));
		} else if (!strcmp(k, "LogConfig") && json_is_object(v)) {
			json_t *lc = struct_of(v);
			copy_field(lc, v, "Type", json_string(""));
			json_object_set_new(lc, "Config", nil_or(json_object_get(v, "Config"), "map[]"));
			json_object_set_new(o, k, lc);
		} else if (!strcmp(k, "RestartPolicy") && json_is_object(v)) {
			json_t *rp = struct_of(v);
			copy_field(rp, v, "Name", json_string(""));
			copy_field(rp, v, "MaximumRetryCount", json_integer(0));
			json_object_set_new(o, k, rp);
		} else if (json_is_null(v)) {
			const char *fmt = "[]";
			for (i = 0; pointers[i]; i++)
				if (!strcmp(k, pointers[i]))
					fmt = "<nil>";
			for (i = 0; maps[i]; i++)
				if (!strcmp(k, maps[i]))
					fmt = "map[]";
			json_object_set_new(o, k, typed(NULL, fmt, 0));
		} else {
			json_object_set(o, k, v);
		}
	}
	for (size_t i = 0; maps[i]; i++)
		if (!json_object_get(hc, maps[i]))
			json_object_set_new(o, maps[i], typed(NULL, "map[]", 0));
	if (!json_object_get(hc, "Runtime"))
		json_object_set_new(o, "Runtime", json_string(""));
	if (!json_object_get(hc, "Mounts"))
		json_object_set_new(o, "Mounts", typed(NULL, "[]", 0));
	if (!json_object_get(hc, "Init"))
		json_object_set_new(o, "Init", typed(NULL, "<nil>", 0));
	return o;
}

static json_t *typed_state(json_t *st)
{
	static const char *const fields[] = { "Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead",
					      "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt" };
	json_t *o;

	if (!json_is_object(st))
		return typed(NULL, "<nil>", 0);
	o = typed_struct_fields(st, fields, sizeof(fields) / sizeof(fields[0]));
	json_object_set_new(o, "Health", nil_or(json_object_get(st, "Health"), "<nil>"));
	return o;
}

static json_t *typed_mounts(json_t *mounts)
{
	static const char *const fields[] = { "Type", "Name", "Source", "Destination", "Driver", "Mode" };
	json_t *a, *m;
	size_t i;

	if (!json_is_array(mounts))
		return typed(NULL, "[]", 0);
	a = json_array();
	json_array_foreach(mounts, i, m) {
		json_t *o = typed_struct_fields(m, fields, sizeof(fields) / sizeof(fields[0]));
		copy_field(o, m, "RW", json_false());
		copy_field(o, m, "Propagation", json_string(""));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *typed_endpoint(json_t *e)
{
	json_t *o, *v;
	const char *k;

	if (!json_is_object(e))
		return typed(NULL, "<nil>", 0);
	o = struct_of(e);
	json_object_foreach(e, k, v) {
		if (!json_is_null(v))
			json_object_set(o, k, v);
		else
			json_object_set_new(o, k, typed(NULL, !strcmp(k, "IPAMConfig") ? "<nil>"
						    : !strcmp(k, "DriverOpts") ? "map[]" : "[]", 0));
	}
	return o;
}

/* types.NetworkSettings: its two embedded structs' fields and Networks. */
static json_t *typed_network(json_t *ns)
{
	json_t *o, *v, *nets, *e;
	const char *k;

	if (!json_is_object(ns))
		return typed(NULL, "<nil>", 0);
	o = struct_of(ns);
	json_object_foreach(ns, k, v) {
		if (!strcmp(k, "Ports")) {
			json_object_set_new(o, k, typed_port_map(v));
		} else if (!strcmp(k, "Networks")) {
			if (!json_is_object(v)) {
				json_object_set_new(o, k, typed(NULL, "map[]", 0));
				continue;
			}
			nets = json_object();
			json_object_foreach(v, k, e)
				json_object_set_new(nets, k, typed_endpoint(e));
			json_object_set_new(o, "Networks", nets);
		} else if (json_is_null(v)) {
			json_object_set_new(o, k, typed(NULL, "[]", 0));
		} else {
			json_object_set(o, k, v);
		}
	}
	return o;
}

static json_t *typed_container(json_t *r)
{
	static const char *const head[] = { "Created", "Path" };
	static const char *const mid[] = { "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath" };
	static const char *const tail[] = { "Driver", "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile" };
	json_t *o = struct_of(r), *gd, *t;
	size_t i;

	/* ID `json:"Id"`: {{.Id}} is not a field of the struct. */
	json_object_set_new(o, "ID", json_string(json_string_value(json_object_get(r, "Id")) ?: ""));
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		copy_field(o, r, head[i], json_string(""));
	json_object_set_new(o, "Args", nil_or(json_object_get(r, "Args"), "[]"));
	json_object_set_new(o, "State", typed_state(json_object_get(r, "State")));
	for (i = 0; i < sizeof(mid) / sizeof(mid[0]); i++)
		copy_field(o, r, mid[i], json_string(""));
	json_object_set_new(o, "Node", nil_or(json_object_get(r, "Node"), "<nil>"));
	copy_field(o, r, "Name", json_string(""));
	copy_field(o, r, "RestartCount", json_integer(0));
	for (i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		copy_field(o, r, tail[i], json_string(""));
	json_object_set_new(o, "ExecIDs", nil_or(json_object_get(r, "ExecIDs"), "[]"));
	json_object_set_new(o, "HostConfig", typed_host_config(json_object_get(r, "HostConfig")));
	t = json_object_get(r, "GraphDriver");
	gd = struct_of(t);
	json_object_set_new(gd, "Data", nil_or(json_object_get(t, "Data"), "map[]"));
	copy_field(gd, t, "Name", json_string(""));
	json_object_set_new(o, "GraphDriver", gd);
	json_object_set_new(o, "SizeRw", nil_or(json_object_get(r, "SizeRw"), "<nil>"));
	json_object_set_new(o, "SizeRootFs", nil_or(json_object_get(r, "SizeRootFs"), "<nil>"));
	json_object_set_new(o, "Mounts", typed_mounts(json_object_get(r, "Mounts")));
	json_object_set_new(o, "Config", typed_config(json_object_get(r, "Config")));
	json_object_set_new(o, "NetworkSettings", typed_network(json_object_get(r, "NetworkSettings")));
	return o;
}

/* ---- the command ---- */

/* The --type values docker 20.10's inspect accepts. */
static const char *const valid_types[] = { "container", "image", "network", "node", "plugin", "secret",
					   "service", "task", "volume", NULL };

static int flag_error(const char *cmd, int argc, char **argv, const char *opts)
{
	const char *a = argv[optind - 1];

	if (optopt && strchr(opts, optopt) && a[0] == '-' && a[1] != '-')
		fprintf(stderr, "flag needs an argument: '%c' in -%c\n", optopt, optopt);
	else if (optopt)
		fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, a);
	else if (!strchr(a, '=') && (!strcmp(a, "--format") || !strcmp(a, "--type")))
		fprintf(stderr, "flag needs an argument: %s\n", a);
	else
		fprintf(stderr, "unknown flag: %.*s\n", (int)strcspn(a, "="), a);
	fprintf(stderr, "See 'berth %s --help'.\n", cmd);
	return 125;
}

/* A long flag another form of inspect has (pflag names it whole). */
static int flag_unknown(const char *cmd, const char *flag)
{
	fprintf(stderr, "unknown flag: %s\nSee 'berth %s --help'.\n", flag, cmd);
	return 125;
}

/* The lines of the errors, printed after the output. */
static void add_error(struct sbuf *errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_error(struct sbuf *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->len)
		sbuf_addch(errs, '\n');
	va_start(ap, fmt);
	sbuf_vaddf(errs, fmt, ap);
	va_end(ap);
}

/* One name's raw JSON (free()) as the command's lookups find it, *is_container
 * saying which typed view reads it; or NULL, its error line added to errs. */
static char *lookup_one(struct cli *c, enum inspect_cmd cmd, const char *type, const char *name, int size,
			int *is_container, struct sbuf *errs)
{
	int any = cmd == INSPECT_ANY && !(type && *type);
	int want_ctr = cmd == INSPECT_CONTAINER || any || (cmd == INSPECT_ANY && !strcmp(type, "container"));
	int want_img = cmd == INSPECT_IMAGE || any || (cmd == INSPECT_ANY && !strcmp(type, "image"));
	struct berr err = BERR_INIT;
	char *raw = NULL;

	*is_container = 0;
	if (!want_ctr && !want_img) {
		add_error(errs, "Error: No such %s: %s", type, name);
		return NULL;
	}
	if (want_ctr) {
		/* The client answers an empty ID itself, as not found. */
		if (!*name)
			berr_set(&err, BERR_NOT_FOUND, "No such container: ");
		else if (berth_container_inspect_raw(c->b, name, size, &raw, &err) == 0) {
			*is_container = 1;
			return raw;
		}
		if (!any) {
			if (err.code == BERR_NOT_FOUND)
				add_error(errs, "Error: No such container: %s", name);
			else
				add_error(errs, "Error response from daemon: %s", err.msg);
			return NULL;
		}
		if (err.code != BERR_NOT_FOUND) {
			add_error(errs, "Error response from daemon: %s", err.msg);
			return NULL;
		}
		berr_clear(&err);
	}
	if (berth_image_inspect_raw(c->b, name, &raw, &err) < 0) {
		if (any && (err.code == BERR_NOT_FOUND || strstr(err.msg, "invalid reference format")))
			add_error(errs, "Error: No such object: %s", name);
		else if (err.code == BERR_NOT_FOUND)
			add_error(errs, "Error: No such image: %s", name);
		else
			add_error(errs, "Error response from daemon: %s", err.msg);
		return NULL;
	}
	if (size)
		fprintf(stderr, "WARNING: --size ignored for image\n");
	return raw;
}

/* TemplateInspector.Inspect: the typed view, else the raw JSON with
 * missingkey=error, whose error is the one reported. */
static void exec_template(struct tmpl *t, const char *raw, int is_container, struct sbuf *out, struct sbuf *errs)
{
	json_t *rj = json_loads(raw, JSON_ALLOW_NUL, NULL);
	json_t *tj = is_container ? typed_container(rj) : typed_inspect(rj);
	struct berr xe = BERR_INIT;
	size_t mark = out->len;

	if (tmpl_exec_opts(t, tj, out, 1, &xe) < 0) {
		berr_clear(&xe);
		out->len = mark;
		if (tmpl_exec_opts(t, rj, out, 1, &xe) < 0) {
			add_error(errs, "template parsing error: %s", xe.msg);
			out->len = mark;
		} else {
			sbuf_addch(out, '\n');
		}
	} else {
		sbuf_addch(out, '\n');
	}
	if (out->buf)
		out->buf[out->len] = '\0';
	json_decref(tj);
	json_decref(rj);
}

/* IndentedInspector.Flush: the raw objects as one indented array. */
static void print_indented(char **raws, size_t nraw)
{
	struct sbuf all = SBUF_INIT, out = SBUF_INIT;

	if (!nraw) {
		printf("[]\n");
		return;
	}
	sbuf_addch(&all, '[');
	for (size_t i = 0; i < nraw; i++) {
		if (i)
			sbuf_addch(&all, ',');
		sbuf_addstr(&all, raws[i]);
	}
	sbuf_addch(&all, ']');
	json_indent(&out, all.buf);
	sbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	sbuf_release(&all);
	sbuf_release(&out);
}

static int print_help(enum inspect_cmd cmd)
{
	static const char format_line[] = "  -f, --format string   Format the output using the given Go template\n";

	if (cmd == INSPECT_IMAGE)
		printf("\nUsage:  berth %s\n\nOptions:\n%s", image_inspect_usage, format_line);
	else if (cmd == INSPECT_CONTAINER)
		printf("\nUsage:  berth %s\n\nOptions:\n%s  -s, --size            Display total file sizes\n",
		       container_inspect_usage, format_line);
	else
		printf("\nUsage:  berth %s\n\nOptions:\n%s"
		       "  -s, --size            Display total file sizes if the type is container\n"
		       "      --type string     Return JSON for specified type\n",
		       inspect_usage, format_line);
	return 0;
}

static int run(struct cli *c, int argc, char **argv, enum inspect_cmd cmd)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "size", no_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	static const char *const names[] = { "inspect", "image inspect", "container inspect" };
	static const char *const usages[] = { inspect_usage, image_inspect_usage, container_inspect_usage };
	const char *name = names[cmd], *format = NULL, *type = NULL;
	struct sbuf out = SBUF_INIT, errs = SBUF_INIT;
	struct tmpl *t = NULL;
	struct berr err = BERR_INIT;
	char **raws;
	size_t nraw = 0;
	int size = 0, o, rc = 0;

	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, cmd == INSPECT_IMAGE ? "f:h" : "f:sh", opts, NULL)) != -1) {
		switch (o) {
		case 'f': format = optarg; break;
		case 's': if (cmd == INSPECT_IMAGE) return flag_unknown(name, "--size"); size = 1; break;
		case 't': if (cmd != INSPECT_ANY) return flag_unknown(name, "--type"); type = optarg; break;
		case 'h': return print_help(cmd);
		default: return flag_error(name, argc, argv, "ft");
		}
	}
	if (optind >= argc)
		return cli_usage_error(name, usages[cmd], "requires at least 1 argument");
	if (type && *type) {
		size_t i;
		for (i = 0; valid_types[i] && strcmp(valid_types[i], type); i++)
			;
		if (!valid_types[i]) {
			fprintf(stderr, "\"%s\" is not a valid value for --type\n", type);
			return 1;
		}
	}
	if (format && *format && tmpl_parse(&t, format, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 64;
	}
	if (!cli_berth(c))
		return 1;
	raws = xcalloc((size_t)argc, sizeof(char *));
	for (int i = optind; i < argc; i++) {
		int is_container;
		char *raw = lookup_one(c, cmd, type, argv[i], size, &is_container, &errs);

		if (!raw)
			continue;
		if (!t) {
			raws[nraw++] = raw;
			continue;
		}
		exec_template(t, raw, is_container, &out, &errs);
		free(raw);
	}
	if (t) {
		if (out.len)
			fwrite(out.buf, 1, out.len, stdout);
		else
			putchar('\n');
		tmpl_free(t);
	} else {
		print_indented(raws, nraw);
	}
	fflush(stdout);
	if (errs.len) {
		fprintf(stderr, "%s\n", errs.buf);
		rc = 1;
	}
	for (size_t i = 0; i < nraw; i++)
		free(raws[i]);
	free(raws);
	sbuf_release(&out);
	sbuf_release(&errs);
	return rc;
}

int cmd_inspect(struct cli *c, int argc, char **argv)
{
	return run(c, argc, argv, INSPECT_ANY);
}

int cmd_image_inspect(struct cli *c, int argc, char **argv)
{
	return run(c, argc, argv, INSPECT_IMAGE);
}

int cmd_container_inspect(struct cli *c, int argc, char **argv)
{
	return run(c, argc, argv, INSPECT_CONTAINER);
}
