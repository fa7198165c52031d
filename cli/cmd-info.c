/*
 * cmd-info.c - `berth info`: docker 20.10's `info` layout (a Client:
 * section, then Server: with the counts, the storage driver and its
 * status lines, the host, the root dir and the registry settings) with
 * berth's own facts; docker's container, runtime, plugin and swarm lines,
 * which berth has nothing to say for, are left out.  `--format` runs a
 * template over docker's field names (Images, Driver, DockerRootDir, ...).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char usage_text[] = "info [OPTIONS]\n\nDisplay system-wide information";

/* go-units BytesSize: binary units, 4 significant digits. */
static void bytes_size(char *buf, size_t n, double size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB" };
	size_t i = 0;

	while (size >= 1024 && i < 8) {
		size /= 1024;
		i++;
	}
	snprintf(buf, n, "%.4g%s", size, units[i]);
}

/* registry mirrors as the daemon normalises them: a trailing slash. */
static char *mirror_url(const char *m)
{
	size_t n = strlen(m);

	return n && m[n - 1] == '/' ? xstrdup(m) : xasprintf("%s/", m);
}

static json_t *info_json(const struct berth_system_info *in)
{
	json_t *o = json_object(), *ds, *insecure = json_array(), *mirrors = json_array(), *idx = json_object();
	json_t *cidrs = json_array();

	for (size_t i = 0; in->insecure_registries[i]; i++) {
		const char *r = in->insecure_registries[i];
		if (strchr(r, '/'))
			json_array_append_new(cidrs, json_string(r));
		else
			json_array_append_new(insecure, json_string(r));
	}
	json_array_append_new(cidrs, json_string("127.0.0.0/8"));
	for (size_t i = 0; in->registry_mirrors[i]; i++) {
		char *m = mirror_url(in->registry_mirrors[i]);
		json_array_append_new(mirrors, json_string(m));
		free(m);
	}
	{
		size_t i;
		json_t *v;
		json_array_foreach(insecure, i, v)
			json_object_set_new(idx, json_string_value(v),
					    json_pack("{sOs[]sbsb}", "Name", v, "Mirrors", "Secure", 0, "Official", 0));
		json_object_set_new(idx, "docker.io", json_pack("{sssOsbsb}", "Name", "docker.io", "Mirrors", mirrors,
								"Secure", 1, "Official", 1));
		gojson_sort_keys(idx);
	}
	ds = json_pack("[[ss][ss][ss][ss]]", "Backing Filesystem", in->backing_fs, "Supports d_type",
		       in->supports_d_type ? "true" : "false", "Native Overlay Diff", "true", "userxattr", "false");
	json_object_set_new(o, "ID", json_string(""));
	json_object_set_new(o, "Containers", json_integer((json_int_t)in->containers));
	json_object_set_new(o, "ContainersRunning", json_integer((json_int_t)in->containers_running));
	json_object_set_new(o, "ContainersPaused", json_integer((json_int_t)in->containers_paused));
	json_object_set_new(o, "ContainersStopped", json_integer((json_int_t)in->containers_stopped));
	json_object_set_new(o, "Images", json_integer((json_int_t)in->images));
	json_object_set_new(o, "Driver", json_string("overlay2"));
	json_object_set_new(o, "DriverStatus", ds);
	json_object_set_new(o, "Debug", json_false());
	json_object_set_new(o, "KernelVersion", json_string(in->kernel_version));
	json_object_set_new(o, "OperatingSystem", json_string(in->operating_system));
	json_object_set_new(o, "OSVersion", json_string(in->os_version));
	json_object_set_new(o, "OSType", json_string("linux"));
	json_object_set_new(o, "Architecture", json_string(in->architecture));
	json_object_set_new(o, "IndexServerAddress", json_string("https://index.docker.io/v1/"));
	json_object_set_new(o, "RegistryConfig",
			    json_pack("{s[]s[]sOsosO}", "AllowNondistributableArtifactsCIDRs",
				      "AllowNondistributableArtifactsHostnames", "InsecureRegistryCIDRs", cidrs,
				      "IndexConfigs", idx, "Mirrors", mirrors));
	json_object_set_new(o, "NCPU", json_integer(in->ncpu));
	json_object_set_new(o, "MemTotal", json_integer(in->mem_total));
	json_object_set_new(o, "DockerRootDir", json_string(in->root));
	json_object_set_new(o, "Name", json_string(in->name));
	json_object_set_new(o, "Labels", json_array());
	json_object_set_new(o, "ExperimentalBuild", json_false());
	json_object_set_new(o, "ServerVersion", json_string(BERTH_VERSION));
	json_object_set_new(o, "LiveRestoreEnabled", json_false());
	json_object_set_new(o, "MaxConcurrentDownloads", json_integer(in->max_concurrent_downloads));
	json_object_set_new(o, "Layers", json_integer((json_int_t)in->layers));
	json_object_set_new(o, "ClientInfo", json_pack("{sbsss[]sn}", "Debug", 0, "Context", "default", "Plugins",
						       "Warnings"));
	json_decref(insecure);
	json_decref(mirrors);
	json_decref(cidrs);
	return o;
}

static void print_info(json_t *o)
{
	json_t *ds = json_object_get(o, "DriverStatus"), *rc = json_object_get(o, "RegistryConfig"), *v;
	char mem[32];
	const char *k;
	size_t i;

	printf("Client:\n Context:    default\n Debug Mode: false\n\nServer:\n");
	printf(" Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n",
	       (long long)json_integer_value(json_object_get(o, "Containers")),
	       (long long)json_integer_value(json_object_get(o, "ContainersRunning")),
	       (long long)json_integer_value(json_object_get(o, "ContainersPaused")),
	       (long long)json_integer_value(json_object_get(o, "ContainersStopped")));
	printf(" Images: %lld\n", (long long)json_integer_value(json_object_get(o, "Images")));
	printf(" Server Version: %s\n", BERTH_VERSION);
	printf(" Storage Driver: overlay2\n");
	json_array_foreach(ds, i, v)
		printf("  %s: %s\n", json_string_value(json_array_get(v, 0)), json_string_value(json_array_get(v, 1)));
	printf(" Kernel Version: %s\n", json_string_value(json_object_get(o, "KernelVersion")));
	printf(" Operating System: %s\n", json_string_value(json_object_get(o, "OperatingSystem")));
	printf(" OSType: linux\n");
	printf(" Architecture: %s\n", json_string_value(json_object_get(o, "Architecture")));
	printf(" CPUs: %lld\n", (long long)json_integer_value(json_object_get(o, "NCPU")));
	bytes_size(mem, sizeof(mem), (double)json_integer_value(json_object_get(o, "MemTotal")));
	printf(" Total Memory: %s\n", mem);
	printf(" Name: %s\n", json_string_value(json_object_get(o, "Name")));
	printf(" Docker Root Dir: %s\n", json_string_value(json_object_get(o, "DockerRootDir")));
	printf(" Debug Mode: false\n");
	printf(" Registry: https://index.docker.io/v1/\n");
	printf(" Labels:\n");
	printf(" Experimental: false\n");
	printf(" Insecure Registries:\n");
	json_object_foreach(json_object_get(rc, "IndexConfigs"), k, v)
		if (!json_is_true(json_object_get(v, "Secure")))
			printf("  %s\n", k);
	json_array_foreach(json_object_get(rc, "InsecureRegistryCIDRs"), i, v)
		printf("  %s\n", json_string_value(v));
	if (json_array_size(json_object_get(rc, "Mirrors"))) {
		printf(" Registry Mirrors:\n");
		json_array_foreach(json_object_get(rc, "Mirrors"), i, v)
			printf("  %s\n", json_string_value(v));
	}
	printf(" Live Restore Enabled: false\n\n");
}

int cmd_info(struct cli *c, int argc, char **argv)
{
	struct berth_system_info info;
	struct berr err = BERR_INIT;
	struct tmpl *t = NULL;
	const char *format;
	json_t *o;
	int rc;

	if ((rc = cli_format_flag("info", usage_text, argc, argv, &format)) >= 0)
		return rc;
	rc = 0;
	if (format && *format && tmpl_parse(&t, format, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 64;
	}
	if (!cli_berth(c) || berth_system_info(c->b, &info, &err) < 0) {
		tmpl_free(t);
		return c->b ? cli_error(&err, 0) : 1;
	}
	o = info_json(&info);
	berth_system_info_release(&info);
	if (t) {
		rc = cli_print_template(t, o);
		tmpl_free(t);
	} else {
		print_info(o);
	}
	json_decref(o);
	return rc;
}
