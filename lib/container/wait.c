/*
 * wait.c - docker's ContainerWait and ContainerRm, and the correction of a
 * record whose monitor is gone (engine.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <berth/container.h>

#include "../monitor/monitor.h"
#include "../util/fs.h"
#include "../util/timefmt.h"
#include "container.h"
#include "engine.h"
#include "lifecycle.h"
#include "lookup.h"

static int is_full_id(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

void container_exec_gc(struct berth *b)
{
	char dir[PATH_MAX], rec[PATH_MAX];
	DIR *d;
	struct dirent *de;

	container_state_dir(b, "", dir, sizeof(dir));
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!is_full_id(de->d_name))
			continue;
		snprintf(rec, sizeof(rec), "%s/containers/%s", b->store->root, de->d_name);
		if (stat(rec, &st) == 0 || errno != ENOENT)
			continue;
		container_state_dir(b, de->d_name, rec, sizeof(rec));
		if (!monitor_alive(rec))
			remove_all_at(AT_FDCWD, rec, NULL);
	}
	closedir(d);
}

int container_refresh_state_locked(struct berth *b, struct container *c, struct berr *err)
{
	char dir[PATH_MAX], when[40];
	struct monitor_exit ex;
	struct berr none = BERR_INIT;
	struct container *cur;
	int rc = 0;

	if (!c->state.running)
		return 0;
	container_state_dir(b, c->id, dir, sizeof(dir));
	if (monitor_alive(dir))
		return 0;
	if (monitor_read_exit(dir, &ex, &none) < 0) {
		struct timespec ts;

		/* No word from the monitor (killed, or the exec root is gone):
		 * exited 0 now, as dockerd's restore records it. */
		clock_gettime(CLOCK_REALTIME, &ts);
		memset(&ex, 0, sizeof(ex));
		ex.finished_sec = ts.tv_sec;
		ex.finished_nsec = ts.tv_nsec;
	}
	unix_to_rfc3339nano(ex.finished_sec, ex.finished_nsec, when);
	/* Re-read: the monitor may have recorded it meanwhile. */
	if ((cur = container_load(b->store, c->id, NULL)) && cur->state.running) {
		cur->state.running = cur->state.paused = cur->state.restarting = 0;
		cur->state.pid = 0;
		cur->state.exit_code = ex.exit_code;
		cur->state.oom_killed = ex.oom_killed;
		free(cur->state.finished_at);
		cur->state.finished_at = xstrdup(when);
		rc = container_checkpoint(b->store, cur, err);
		store_rwlayer_unmount(b->store, c->id, NULL);
	}
	if (cur && rc == 0) {
		c->state.running = cur->state.running;
		c->state.paused = cur->state.paused;
		c->state.pid = cur->state.pid;
		c->state.exit_code = cur->state.exit_code;
		free(c->state.finished_at);
		c->state.finished_at = xstrdup(cur->state.finished_at);
	}
	container_free(cur);
	return rc;
}

int container_refresh_state(struct berth *b, struct container *c, struct berr *err)
{
	char dir[PATH_MAX];
	int rc;

	if (!c->state.running)
		return 0;
	/* The common case, a live monitor, needs no lock. */
	container_state_dir(b, c->id, dir, sizeof(dir));
	if (monitor_alive(dir))
		return 0;
	if (store_lock(b->store, err) < 0)
		return -1;
	rc = container_refresh_state_locked(b, c, err);
	store_unlock(b->store);
	return rc;
}

/* An --rm container its monitor removed: its exit is still in the exit
 * file (run waits by full ID), which this last reader cleans up. */
static int wait_removed(struct berth *b, const char *id, int *status, struct berr *err)
{
	struct monitor_exit ex;
	char dir[PATH_MAX];

	container_state_dir(b, id, dir, sizeof(dir));
	if (monitor_wait_exit(dir, &ex, NULL) < 0)
		return -1;
	berr_clear(err);
	*status = ex.exit_code;
	remove_all_at(AT_FDCWD, dir, NULL);
	return 0;
}

int berth_container_wait(struct berth *b, const char *name_or_id, int *status, struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	struct monitor_exit ex;
	char dir[PATH_MAX];
	int rc = -1;

	if (!c)
		return err->code == BERR_NOT_FOUND && is_full_id(name_or_id) ? wait_removed(b, name_or_id, status, err)
									     : -1;
	container_state_dir(b, c->id, dir, sizeof(dir));
	if (monitor_alive(dir)) {
		if (monitor_wait_exit(dir, &ex, err) == 0) {
			*status = ex.exit_code;
			rc = 0;
		}
	} else if (container_refresh_state(b, c, err) == 0) {
		*status = (int)c->state.exit_code;
		rc = 0;
	}
	container_free(c);
	return rc;
}

int berth_container_remove(struct berth *b, const char *name_or_id, const struct berth_container_remove_opts *o,
			   struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	struct monitor_exit ex;
	char dir[PATH_MAX];
	int rc = -1;

	if (!c)
		return -1;
	container_state_dir(b, c->id, dir, sizeof(dir));
	if (container_refresh_state(b, c, err) < 0)
		goto out;
	if (c->state.running) {
		if (!o || !o->force) {
			const char *state = c->state.paused ? "paused" : c->state.restarting ? "restarting" : "running";
			berr_set(err, BERR_EXISTS,
				 "You cannot remove a %s container %s. %stop the container before attempting "
				 "removal or force remove", state, c->id, c->state.paused ? "Unpause and then s" : "S");
			goto out;
		}
		/* a stop's kill: no restart policy after it, a paused container resumed */
		if (monitor_stop_kill(dir, "KILL", err) < 0 || monitor_wait_exit(dir, &ex, err) < 0)
			goto out;
	}
	if (container_remove_release_volumes(b->store, c->id, o && o->volumes, err) < 0)
		goto out;
	remove_all_at(AT_FDCWD, dir, NULL);
	rc = 0;
out:
	container_free(c);
	return rc;
}
