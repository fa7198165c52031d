/*
 * cmd-version.c - `berth version`: docker 20.10's `version` layout (a
 * Client: and a Server: section through a tabwriter of minwidth 20) with
 * berth's own facts: the C compiler stands where docker shows its Go
 * version, and the library is the "Engine".  `--format` runs a template
 * over the same fields docker's (Client.Version, Server.APIVersion, ...);
 * `{{json .}}` gives docker's JSON key names.  `berth --version` is
 * docker's one-liner.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

#define API_VERSION "1.41"
#define MIN_API_VERSION "1.12"
#ifndef BERTH_GIT_COMMIT
#define BERTH_GIT_COMMIT "unknown"
#endif
#ifdef __clang__
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "cc"
#endif

#if defined(__x86_64__)
#define GOARCH "amd64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#elif defined(__arm__)
#define GOARCH "arm"
#elif defined(__i386__)
#define GOARCH "386"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GOARCH "ppc64le"
#elif defined(__s390x__)
#define GOARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define GOARCH "riscv64"
#else
#define GOARCH "unknown"
#endif

static const char usage_text[] = "version [OPTIONS]\n\nShow the berth version information";

/* The build time from __DATE__/__TIME__: time.ANSIC and RFC 3339. */
static void build_time(char *ansic, size_t n1, char *rfc, size_t n2)
{
	struct tm tm = { 0 };
	char s[64];

	snprintf(s, sizeof(s), "%s %s", __DATE__, __TIME__);
	if (!strptime(s, "%b %d %Y %H:%M:%S", &tm)) {
		snprintf(ansic, n1, "%s", s);
		snprintf(rfc, n2, "%s", s);
		return;
	}
	tm.tm_isdst = -1;
	timegm(&tm); /* fills tm_wday */
	strftime(ansic, n1, "%a %b %e %H:%M:%S %Y", &tm);
	strftime(rfc, n2, "%Y-%m-%dT%H:%M:%S.000000000+00:00", &tm);
}

/* The template data, with the Go field names docker's templates use;
 * json_names: the JSON names of `{{json .}}`. */
static json_t *version_json(int json_names)
{
	char ansic[64], rfc[64];
	const char *api = json_names ? "ApiVersion" : "APIVersion";
	json_t *client, *server, *engine, *details;

	build_time(ansic, sizeof(ansic), rfc, sizeof(rfc));
	client = json_object();
	json_object_set_new(client, "Platform", json_pack("{ss}", "Name", "berth"));
	json_object_set_new(client, "Version", json_string(BERTH_VERSION));
	json_object_set_new(client, api, json_string(API_VERSION));
	json_object_set_new(client, "DefaultAPIVersion", json_string(API_VERSION));
	json_object_set_new(client, "GitCommit", json_string(BERTH_GIT_COMMIT));
	json_object_set_new(client, "GoVersion", json_string(COMPILER));
	json_object_set_new(client, "Os", json_string("linux"));
	json_object_set_new(client, "Arch", json_string(GOARCH));
	json_object_set_new(client, "BuildTime", json_string(ansic));
	json_object_set_new(client, "Context", json_string("default"));
	json_object_set_new(client, "Experimental", json_true());

	details = json_object();
	json_object_set_new(details, "ApiVersion", json_string(API_VERSION));
	json_object_set_new(details, "Arch", json_string(GOARCH));
	json_object_set_new(details, "BuildTime", json_string(ansic));
	json_object_set_new(details, "Experimental", json_string("false"));
	json_object_set_new(details, "GitCommit", json_string(BERTH_GIT_COMMIT));
	json_object_set_new(details, "GoVersion", json_string(COMPILER));
	json_object_set_new(details, "MinAPIVersion", json_string(MIN_API_VERSION));
	json_object_set_new(details, "Os", json_string("linux"));
	engine = json_pack("{sssssO}", "Name", "Engine", "Version", BERTH_VERSION, "Details", details);
	json_decref(details);

	server = json_object();
	json_object_set_new(server, "Platform", json_pack("{ss}", "Name", "berth"));
	json_object_set_new(server, "Components", json_pack("[o]", engine));
	json_object_set_new(server, "Version", json_string(BERTH_VERSION));
	json_object_set_new(server, api, json_string(API_VERSION));
	json_object_set_new(server, "MinAPIVersion", json_string(MIN_API_VERSION));
	json_object_set_new(server, "GitCommit", json_string(BERTH_GIT_COMMIT));
	json_object_set_new(server, "GoVersion", json_string(COMPILER));
	json_object_set_new(server, "Os", json_string("linux"));
	json_object_set_new(server, "Arch", json_string(GOARCH));
	json_object_set_new(server, "BuildTime", json_string(rfc));
	return json_pack("{soso}", "Client", client, "Server", server);
}

static void line(const char *label, const char *value)
{
	/* tabwriter minwidth 20, padding 1 */
	printf("%-20s%s\n", label, value);
}

int cmd_version(struct cli *c, int argc, char **argv)
{
	const char *format;
	char ansic[64], rfc[64], osarch[64];
	int rc;

	if (argc == 0) {
		printf("berth version %s, build %s\n", BERTH_VERSION, BERTH_GIT_COMMIT);
		return 0;
	}
	if ((rc = cli_format_flag("version", usage_text, argc, argv, &format)) >= 0)
		return rc;
	if (format && *format) {
		struct berr err = BERR_INIT;
		struct tmpl *t;
		json_t *data;

		if (tmpl_parse(&t, format, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 64;
		}
		data = version_json(!strcmp(format, "{{json .}}"));
		rc = cli_print_template(t, data);
		json_decref(data);
		tmpl_free(t);
		return rc;
	}
	build_time(ansic, sizeof(ansic), rfc, sizeof(rfc));
	snprintf(osarch, sizeof(osarch), "linux/%s", GOARCH);
	printf("Client: berth\n");
	line(" Version:", BERTH_VERSION);
	line(" API version:", API_VERSION);
	line(" C compiler:", COMPILER);
	line(" Git commit:", BERTH_GIT_COMMIT);
	line(" Built:", ansic);
	line(" OS/Arch:", osarch);
	line(" Context:", "default");
	line(" Experimental:", "true");
	printf("\nServer: berth\n Engine:\n");
	line("  Version:", BERTH_VERSION);
	line("  API version:", API_VERSION " (minimum version " MIN_API_VERSION ")");
	line("  C compiler:", COMPILER);
	line("  Git commit:", BERTH_GIT_COMMIT);
	line("  Built:", ansic);
	line("  OS/Arch:", osarch);
	line("  Experimental:", "false");
	return 0;
}
