/* cmd-import.c - `berth import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define IMPORT_USAGE "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]\n\n" \
	"Import the contents from a tarball to create a filesystem image"

int cmd_import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "platform", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berth_archive_import_opts io = { 0 };
	struct berr err = BERR_INIT;
	const char **changes = xcalloc((size_t)argc + 1, sizeof(*changes));
	const char *src;
	char id[72];
	size_t n_changes = 0;
	int fd = STDIN_FILENO, o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+c:m:", opts, NULL)) != -1) {
		switch (o) {
		case 'c': changes[n_changes++] = optarg; break;
		case 'm': io.message = optarg; break;
		case 'P': io.platform = optarg; break;
		case 'h': printf("\nUsage:  berth " IMPORT_USAGE "\n"); free(changes); return 0;
		default: free(changes); return 125;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		free(changes);
		return cli_usage_error("import", IMPORT_USAGE, argc - optind < 1 ? "requires at least 1 argument"
									    : "requires at least 1 and at most 2 arguments");
	}
	src = argv[optind];
	/* The docker CLI checks the name itself, before sending anything. */
	if (argc - optind > 1 && berth_image_reference_check(argv[optind + 1], &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(changes);
		return 1;
	}
	io.changes = changes;
	io.source = src;
	/* A file is read by the client and sent as "-", as docker's CLI does. */
	if (strcmp(src, "-") && strncmp(src, "http://", 7) && strncmp(src, "https://", 8)) {
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			char eb[128];
			fprintf(stderr, "open %s: %s\n", src, go_strerror(errno, eb, sizeof(eb)));
			free(changes);
			return 1;
		}
		io.source = "-";
	}
	if (!cli_berth(c)) {
		free(changes);
		return 1;
	}
	if (fd == STDIN_FILENO && strcmp(src, "-")) {
		printf("Downloading from %s\n", src);
		fflush(stdout);
	}
	rc = berth_archive_import(c->b, fd, argc - optind > 1 ? argv[optind + 1] : NULL, &io, id, &err);
	if (fd != STDIN_FILENO)
		close(fd);
	free(changes);
	if (rc < 0)
		return cli_error(&err, 1);
	printf("%s\n", id);
	return 0;
}
