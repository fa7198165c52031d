/* cmd-save.c - `berth save [-o FILE] IMAGE...` / `berth image save`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define SAVE_USAGE "save [OPTIONS] IMAGE [IMAGE...]\n\nSave one or more images to a tar archive (streamed to STDOUT by default)"

/* Like the docker CLI's CopyToFile: a temp file beside the target,
 * renamed over it only when the whole archive is written. */
static int save_to_file(struct cli *c, const char *path, const char *const *names, size_t n)
{
	struct berr err = BERR_INIT;
	char *dir_copy = xstrdup(path), *tmp = xasprintf("%s/.berth-save-XXXXXX", dirname(dir_copy));
	int fd, rc;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: failed to save image: %s: %s\n", path, strerror(errno));
		free(tmp);
		free(dir_copy);
		return 1;
	}
	fchmod(fd, 0644);
	/* No fsync: docker's CopyToFile does not sync either, and flushing
	 * the whole archive to disk would double the time of a save. */
	rc = berth_archive_save(c->b, names, n, fd, &err);
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = berr_sys(&err, "rename %s", path);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	free(dir_copy);
	return rc < 0 ? cli_error(&err, err.code != BERR_IO) : 0;
}

int cmd_save(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT;
	const char *output = NULL;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+o:", opts, NULL)) != -1) {
		switch (o) {
		case 'o': output = optarg; break;
		case 'h': printf("\nUsage:  berth " SAVE_USAGE "\n"); return 0;
		default: return 125;
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("save", SAVE_USAGE, "requires at least 1 argument");
	if ((!output || !*output) && isatty(STDOUT_FILENO)) {
		fputs("cowardly refusing to save to a terminal. Use the -o flag or redirect\n", stderr);
		return 1;
	}
	if (!cli_berth(c))
		return 1;
	if (output && *output)
		return save_to_file(c, output, (const char *const *)argv + optind, (size_t)(argc - optind));
	if (berth_archive_save(c->b, (const char *const *)argv + optind, (size_t)(argc - optind), STDOUT_FILENO,
			     &err) < 0)
		return cli_error(&err, err.code != BERR_IO);
	return 0;
}
