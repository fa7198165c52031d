/*
 * berth.h - the public API of libberth, the library behind the `berth` tool;
 * the umbrella header: the handle and the progress type here, one header
 * per area included below (image.h, archive.h, registry.h, system.h,
 * error.h).  Each area header includes this one, so any of them may be
 * included alone.  Public functions and types are named berth_<area>_...
 * after the header that declares them.
 *
 * The library decides, the CLI talks: nothing here prints, exits or parses
 * argv.  Progress is reported through callbacks shaped like Docker's
 * JSON messages (an id, a status text, optional current/total), so that the
 * CLI can render them exactly as the docker CLI renders the daemon's.
 *
 * Errors: <berth/error.h>.  Ownership: a `**out` parameter is the
 * caller's and is released with the matching _free()/_release().
 */
#ifndef BERTH_BERTH_H
#define BERTH_BERTH_H

#include <stddef.h>
#include <stdint.h>

#include <berth/error.h>

#define BERTH_VERSION "0.1.0"
#define BERTH_DEFAULT_ROOT "/var/lib/berth"

struct berth;

/* Opens the store under root (created when missing) and reads the config
 * file (NULL: $BERTH_CONFIG, else /etc/berth/daemon.json). */
int berth_open(struct berth **out, const char *root, const char *config_path, struct berr *err);
void berth_close(struct berth *b);

/* One progress message, shaped as Docker's JSON message: id may be NULL;
 * has_detail says the message carries a progressDetail (Docker's
 * progress.Update and progress readers do, progress.Message does not),
 * which decides how the docker CLI lays the line out; current/total are 0
 * when the detail has no counts.  Called from worker threads, serialised
 * by the library. */
struct berth_progress {
	const char *id;
	const char *status;
	int has_detail;
	int64_t current, total;
};
typedef void (*berth_progress_fn)(void *ctx, const struct berth_progress *msg);

/* The areas, after the handle and the progress type they use. */
/* go-units HumanDuration of ns nanoseconds, the words docker prints in
 * ages and statuses ("Less than a second", "About an hour", "3 days");
 * the library's status texts and the CLI's columns share it. */
void berth_human_duration(char *buf, size_t n, int64_t ns);

#include <berth/archive.h>
#include <berth/container.h>
#include <berth/image.h>
#include <berth/registry.h>
#include <berth/system.h>
#include <berth/volume.h>

#endif
