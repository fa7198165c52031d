/*
 * test-runflags.c - cli/runflags.c, the run/create flags into the
 * /containers/create body.  With no arguments: TAP checks of the value
 * parsers as the body shows them.  `test-runflags run|create ARGS...`
 * prints what berth would send, {"query": {...}, "body": {...}}, in the
 * shape tests/lib/capture-create.py records docker's requests, or the
 * error text on stderr with docker's exit status; tests/cli/t0805 diffs
 * the two.  Linked with build/cli/runflags.o (a Makefile rule of its own).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "test.h"

static int print_request(int argc, char **argv)
{
	struct cli_run_opts o;
	int rc = cli_run_flags(argv[0], argc, argv, &o);

	if (!rc && !o.help)
		rc = cli_run_check_image(argv[0], &o);

	if (rc) {
		fputs(o.error, stderr);
	} else if (o.help) {
		puts("help");
	} else {
		json_t *q = json_object(), *req;
		if (o.name && *o.name)
			json_object_set_new(q, "name", json_string(o.name));
		if (o.platform && *o.platform)
			json_object_set_new(q, "platform", json_string(o.platform));
		req = json_pack("{s:o,s:O}", "query", q, "body", o.body);
		char *s = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(req);
	}
	cli_run_opts_release(&o);
	return rc;
}

/* The body's value at a "/"-separated path, compact JSON (free()). */
static char *at(const char *path, int argc, char **argv)
{
	struct cli_run_opts o;
	char *out;

	if (cli_run_flags("create", argc, argv, &o)) {
		out = xasprintf("error: %s", o.error);
		cli_run_opts_release(&o);
		return out;
	}
	json_t *v = o.body;
	_cleanup_free_ char *p = xstrdup(path);
	for (char *save, *k = strtok_r(p, "/", &save); k && v; k = strtok_r(NULL, "/", &save))
		v = json_object_get(v, k);
	out = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("(missing)");
	cli_run_opts_release(&o);
	return out;
}

#define AT(want, path, ...) do { \
	char *args_[] = { "create", __VA_ARGS__, NULL }; \
	char *got_ = at(path, (int)(sizeof(args_) / sizeof(args_[0])) - 1, args_); \
	T_STREQ(got_, want, "%s of %s", path, #__VA_ARGS__); \
	free(got_); \
} while (0)

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "create")))
		return print_request(argc - 1, argv + 1);

	AT("1610612736", "HostConfig/Memory", "-m", "1.5g", "img");
	AT("1024", "HostConfig/Memory", "--memory=1KiB", "img");
	AT("1500000000", "HostConfig/NanoCpus", "--cpus", "1.5", "img");
	AT("500000000", "HostConfig/NanoCpus", "--cpus", "1/2", "img");
	AT("-1", "HostConfig/MemorySwap", "--memory-swap", "-1", "img");
	AT("[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}]", "HostConfig/Ulimits", "--ulimit", "nofile=1024:2048", "img");
	AT("{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}", "HostConfig/RestartPolicy", "--restart", "on-failure:3", "img");
	AT("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]}", "HostConfig/PortBindings", "-p", "127.0.0.1:8080:80", "img");
	AT("{\"53/udp\":{}}", "ExposedPorts", "--expose", "53/udp", "img");
	AT("[\"/a:/b\"]", "HostConfig/Binds", "-v", "/a:/b", "img");
	AT("{\"/x\":{}}", "Volumes", "-v", "/x", "img");
	AT("[{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\",\"ReadOnly\":true}]", "HostConfig/Mounts", "--mount", "type=bind,src=/a,dst=/b,ro", "img");
	AT("[\"\"]", "Entrypoint", "--entrypoint=", "img");
	AT("true", "Tty", "-it", "img");
	AT("true", "StdinOnce", "-it", "img");
	AT("[\"sh\",\"-c\",\"x\"]", "Cmd", "img", "sh", "-c", "x");
	AT("\"--rm\"", "Image", "--", "--rm");
	AT("error: invalid argument \"1x\" for \"-m, --memory\" flag: invalid size: '1x'\nSee 'berth create --help'.\n",
	   "Image", "-m", "1x", "img");
	AT("error: berth: Invalid hostPort: 99999.\nSee 'berth create --help'.\n", "Image", "-p", "99999:80", "img");
	return t_done();
}
