/*
 * inspect.c - Docker 20.10's image inspect (daemon/images.LookupImage and
 * the API's types.ImageInspect), byte for byte as the daemon sends it.
 *
 * The daemon decodes the config into Go structs and encodes them again, so
 * the output is not the config's JSON: keys take the struct's order and
 * case, unknown keys vanish, omitempty fields drop out, maps get sorted,
 * times are re-formatted.  go_container_config() redoes that decoding for
 * container.Config; the rest is assembled field by field below.
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "inspect.h"
#include "lookup.h"
#include "manifest.h"
#include "../format/gojson.h"
#include "../reference.h"
#include "../store/store.h"
#include "../util/fs.h"
#include "../util/sbuf.h"

/* ---- Go decoding ---- */

json_t *go_field(json_t *obj, const char *field)
{
	json_t *v, *found = NULL;
	const char *k;

	if (!json_is_object(obj))
		return NULL;
	json_object_foreach(obj, k, v)
		if (!strcasecmp(k, field))
			found = v;
	return found;
}

void go_time(const char *s, char *buf, size_t n, int64_t *unix_out)
{
	struct tm tm = { 0 };
	const char *p;
	char frac[16] = "", zone[8] = "Z";
	long off = 0;
	int k;

	if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		goto zero;
	if (*p == '.') {
		for (k = 0, p++; isdigit((unsigned char)*p); p++)
			if (k < 9)
				frac[1 + k++] = *p;
		if (!k)
			goto zero;
		frac[0] = '.';
		while (k && frac[k] == '0')
			frac[k--] = '\0';
		if (!k)
			frac[0] = '\0';
	}
	if (*p == '+' || *p == '-') {
		int h, m;
		if (sscanf(p + 1, "%2d:%2d", &h, &m) != 2 || strlen(p) != 6)
			goto zero;
		off = (*p == '-' ? -1 : 1) * (h * 3600L + m * 60L);
		if (off)
			snprintf(zone, sizeof(zone), "%.6s", p);
	} else if (strcmp(p, "Z") != 0) {
		goto zero;
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
	if (unix_out)
		*unix_out = (int64_t)timegm(&tm) - off;
	return;
zero:
	snprintf(buf, n, "0001-01-01T00:00:00Z");
	if (unix_out)
		*unix_out = GO_ZERO_UNIX;
}

static json_t *go_string(json_t *v)
{
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

/* []string: null stays null, an empty array stays [] (non-nil slice). */
static json_t *go_strings(json_t *v)
{
	json_t *a, *e;
	size_t i;

	if (!json_is_array(v))
		return json_null();
	a = json_array();
	json_array_foreach(v, i, e)
		json_array_append_new(a, go_string(e));
	return a;
}

/* strslice.StrSlice also takes a lone string. */
static json_t *go_strslice(json_t *v)
{
	if (json_is_string(v))
		return json_pack("[O]", v);
	return go_strings(v);
}

/* A Go map: keys sorted; values through conv (NULL: struct{} values). */
static json_t *go_map(json_t *v, json_t *(*conv)(json_t *))
{
	json_t *o, *e;
	const char *k;

	if (!json_is_object(v))
		return json_null();
	o = json_object();
	json_object_foreach(v, k, e)
		json_object_set_new(o, k, conv ? conv(e) : json_object());
	gojson_sort_keys(o);
	return o;
}

static int go_int(json_t *v, json_int_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v)) {
		*out = (json_int_t)json_real_value(v);
		return 1;
	}
	return 0;
}

static json_t *go_health(json_t *v)
{
	static const char *const durations[] = { "Interval", "Timeout", "StartPeriod", "Retries" };
	json_t *o = json_object(), *t = go_field(v, "Test");
	json_int_t x;

	if (json_is_array(t) && json_array_size(t))
		json_object_set_new(o, "Test", go_strings(t));
	for (size_t i = 0; i < 4; i++)
		if (go_int(go_field(v, durations[i]), &x) && x)
			json_object_set_new(o, durations[i], json_integer(x));
	return o;
}

/* container.Config as the daemon re-encodes it, fields in struct order. */
static json_t *go_container_config(json_t *c)
{
	static const char *const strs1[] = { "Hostname", "Domainname", "User" };
	static const char *const bools1[] = { "AttachStdin", "AttachStdout", "AttachStderr" };
	static const char *const bools2[] = { "Tty", "OpenStdin", "StdinOnce" };
	json_t *o = json_object(), *v;
	json_int_t x;
	size_t i;

	for (i = 0; i < 3; i++)
		json_object_set_new(o, strs1[i], go_string(go_field(c, strs1[i])));
	for (i = 0; i < 3; i++)
		json_object_set_new(o, bools1[i], json_boolean(json_is_true(go_field(c, bools1[i]))));
	v = go_field(c, "ExposedPorts");
	if (json_is_object(v) && json_object_size(v))
		json_object_set_new(o, "ExposedPorts", go_map(v, NULL));
	for (i = 0; i < 3; i++)
		json_object_set_new(o, bools2[i], json_boolean(json_is_true(go_field(c, bools2[i]))));
	json_object_set_new(o, "Env", go_strings(go_field(c, "Env")));
	json_object_set_new(o, "Cmd", go_strslice(go_field(c, "Cmd")));
	v = go_field(c, "Healthcheck");
	if (json_is_object(v))
		json_object_set_new(o, "Healthcheck", go_health(v));
	if (json_is_true(go_field(c, "ArgsEscaped")))
		json_object_set_new(o, "ArgsEscaped", json_true());
	json_object_set_new(o, "Image", go_string(go_field(c, "Image")));
	json_object_set_new(o, "Volumes", go_map(go_field(c, "Volumes"), NULL));
	json_object_set_new(o, "WorkingDir", go_string(go_field(c, "WorkingDir")));
	json_object_set_new(o, "Entrypoint", go_strslice(go_field(c, "Entrypoint")));
	if (json_is_true(go_field(c, "NetworkDisabled")))
		json_object_set_new(o, "NetworkDisabled", json_true());
	v = go_field(c, "MacAddress");
	if (json_is_string(v) && json_string_length(v))
		json_object_set_new(o, "MacAddress", go_string(v));
	json_object_set_new(o, "OnBuild", go_strings(go_field(c, "OnBuild")));
	json_object_set_new(o, "Labels", go_map(go_field(c, "Labels"), go_string));
	v = go_field(c, "StopSignal");
	if (json_is_string(v) && json_string_length(v))
		json_object_set_new(o, "StopSignal", go_string(v));
	if (go_int(go_field(c, "StopTimeout"), &x))
		json_object_set_new(o, "StopTimeout", json_integer(x));
	v = go_strslice(go_field(c, "Shell"));
	if (json_array_size(v))
		json_object_set(o, "Shell", v);
	json_decref(v);
	return o;
}

/* ---- inspect ---- */

/* reference.String() of a familiar reference: the daemon's order of
 * RepoTags and RepoDigests (lexicalRefs). */
/* RepoTags or RepoDigests: [] when none (non-nil slices). */
static json_t *refs_of(const struct store_refs *refs, const char *id, int digests)
{
	struct store_ref_list l;
	json_t *a = json_array();

	store_refs_of_image(refs, id, &l);
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].canonical == !digests)
			json_array_append_new(a, json_string(l.v[i].ref));
	store_ref_list_release(&l);
	return a;
}

/* overlay2's GetMetadata for the top layer's cache dir; LowerDir from its
 * lower file as the driver resolves it, else from the layer chain. */
static json_t *graph_data(struct berth *b, const char *root, const struct store_layer *top)
{
	json_t *data = json_object();
	struct sbuf lower = SBUF_INIT;
	char *dir = xasprintf("%s/overlay2/%s", root, top->cache_id);

	if (overlay2_lowerdir(b->store, top->cache_id, root, &lower) < 0) {
		struct store_layer cur = *top;
		char up[DIGEST_STR_LEN];
		while (cur.parent[0] && (memcpy(up, cur.parent, sizeof(up)), store_layer_read(b->store, up, &cur, NULL) == 0)) {
			if (lower.len)
				sbuf_addch(&lower, ':');
			sbuf_addf(&lower, "%s/overlay2/%s/diff", root, cur.cache_id);
		}
	}
	if (lower.len)
		json_object_set_new(data, "LowerDir", json_string(lower.buf));
	json_object_set_new(data, "MergedDir", json_pack("s+", dir, "/merged"));
	json_object_set_new(data, "UpperDir", json_pack("s+", dir, "/diff"));
	json_object_set_new(data, "WorkDir", json_pack("s+", dir, "/work"));
	free(dir);
	sbuf_release(&lower);
	return data;
}

static json_t *inspect_object(struct berth *b, const char *id, json_t *c, const struct store_refs *refs)
{
	json_t *o = json_object(), *v, *rootfs = go_field(c, "rootfs"), *diff_ids, *layers = NULL, *data = NULL;
	json_t *hist = go_field(c, "history");
	char chain[DIGEST_STR_LEN] = "", parent[DIGEST_STR_LEN], when[64], root[PATH_MAX];
	const char *comment, *os;
	struct store_layer l;
	int64_t size = 0;
	size_t i;

	diff_ids = go_field(rootfs, "diff_ids");
	json_array_foreach(diff_ids, i, v) {
		char next[DIGEST_STR_LEN];
		if (!json_is_string(v))
			continue;
		if (!layers)
			layers = json_array();
		json_array_append_new(layers, json_string(json_string_value(v)));
		chain_id(chain[0] ? chain : NULL, json_string_value(v), next);
		memcpy(chain, next, sizeof(chain));
	}
	if (!realpath(b->store->root, root))
		snprintf(root, sizeof(root), "%s", b->store->root);
	/* Layer.Size(): the chain's own sizes summed. */
	if (chain[0] && store_layer_read(b->store, chain, &l, NULL) == 0) {
		struct store_layer cur = l;
		char up[DIGEST_STR_LEN];
		size = cur.size;
		/* store_layer_read fills its output first: read from a copy. */
		while (cur.parent[0]) {
			memcpy(up, cur.parent, sizeof(up));
			if (store_layer_read(b->store, up, &cur, NULL) < 0)
				break;
			size += cur.size;
		}
		data = graph_data(b, root, &l);
	}

	json_object_set_new(o, "Id", json_string(id));
	json_object_set_new(o, "RepoTags", refs_of(refs, id, 0));
	json_object_set_new(o, "RepoDigests", refs_of(refs, id, 1));
	if (store_image_parent(b->store, id, parent) < 0)
		parent[0] = '\0';
	json_object_set_new(o, "Parent", json_string(parent));
	/* The last history entry's comment stands in for a missing one. */
	comment = json_string_value(go_field(c, "comment"));
	if ((!comment || !*comment) && json_array_size(hist))
		comment = json_string_value(go_field(json_array_get(hist, json_array_size(hist) - 1), "comment"));
	json_object_set_new(o, "Comment", json_string(comment ? comment : ""));
	go_time(json_string_value(go_field(c, "created")), when, sizeof(when), NULL);
	json_object_set_new(o, "Created", json_string(when));
	json_object_set_new(o, "Container", go_string(go_field(c, "container")));
	json_object_set_new(o, "ContainerConfig", go_container_config(go_field(c, "container_config")));
	json_object_set_new(o, "DockerVersion", go_string(go_field(c, "docker_version")));
	json_object_set_new(o, "Author", go_string(go_field(c, "author")));
	v = go_field(c, "config");
	json_object_set_new(o, "Config", json_is_object(v) ? go_container_config(v) : json_null());
	json_object_set_new(o, "Architecture", go_string(go_field(c, "architecture")));
	v = go_field(c, "variant");
	if (json_is_string(v) && json_string_length(v))
		json_object_set_new(o, "Variant", go_string(v));
	/* OperatingSystem(): the host's when the config names none. */
	os = json_string_value(go_field(c, "os"));
	json_object_set_new(o, "Os", json_string(os && *os ? os : "linux"));
	v = go_field(c, "os.version");
	if (json_is_string(v) && json_string_length(v))
		json_object_set_new(o, "OsVersion", go_string(v));
	json_object_set_new(o, "Size", json_integer(size));
	json_object_set_new(o, "VirtualSize", json_integer(size));
	json_object_set_new(o, "GraphDriver", json_pack("{s:o,s:s}", "Data", data ? data : json_null(), "Name", "overlay2"));
	v = json_pack("{s:o}", "Type", go_string(go_field(rootfs, "type")));
	if (layers)
		json_object_set_new(v, "Layers", layers);
	json_object_set_new(o, "RootFS", v);
	if (store_last_updated_read(b->store, id, when, sizeof(when)) == 0) {
		char t[64];
		go_time(when, t, sizeof(t), NULL);
		json_object_set_new(o, "Metadata", json_pack("{s:s}", "LastTagTime", t));
	} else {
		json_object_set_new(o, "Metadata", json_pack("{s:s}", "LastTagTime", "0001-01-01T00:00:00Z"));
	}
	return o;
}

int berth_image_inspect_raw(struct berth *b, const char *name, char **json_out, struct berr *err)
{
	char id[DIGEST_STR_LEN];
	struct sbuf config = SBUF_INIT, out = SBUF_INIT;
	struct store_refs *refs = NULL;
	json_t *c, *o;

	/* LookupImage wraps whatever GetImage says. */
	if (image_lookup(b, name, NULL, id, err) < 0)
		return berr_wrap(err, "no such image: %s", name);
	if (store_image_config(b->store, id, &config, err) < 0)
		return -1;
	c = json_loadb(config.buf, config.len, 0, NULL);
	sbuf_release(&config);
	if (!json_is_object(c)) {
		json_decref(c);
		return berr_set(err, BERR_INVALID, "invalid image JSON: %s", id);
	}
	if (store_refs_load(b->store, &refs, err) < 0) {
		json_decref(c);
		return -1;
	}
	o = inspect_object(b, id, c, refs);
	/* The API encoder does not escape HTML. */
	gojson_write_opts(&out, o, NULL, NULL, 0);
	json_decref(o);
	json_decref(c);
	store_refs_free(refs);
	*json_out = sbuf_detach(&out, NULL);
	return 0;
}

int berth_image_inspect(struct berth *b, const char *name, char **json_out, struct berr *err)
{
	struct sbuf out = SBUF_INIT;
	char *raw;
	json_t *o;

	if (berth_image_inspect_raw(b, name, &raw, err) < 0)
		return -1;
	o = json_loads(raw, 0, NULL);
	free(raw);
	gojson_write_opts(&out, o, "", "    ", 0);
	json_decref(o);
	*json_out = sbuf_detach(&out, NULL);
	return 0;
}
