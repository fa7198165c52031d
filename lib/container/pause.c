/*
 * pause.c - docker's ContainerPause and ContainerUnpause: `runtime pause`
 * and `runtime resume` through the container's monitor (which knows the
 * runtime and how to run it), then State.Paused recorded as dockerd
 * records it (config.v2.json under the store lock).
 */
#include <limits.h>
#include <stdio.h>

#include <berth/container.h>

#include "../monitor/monitor.h"
#include "container.h"
#include "engine.h"
#include "lookup.h"

/* Re-reads the record under the lock and sets Paused, unless it stopped
 * meanwhile (its exit record wins). */
static int record_paused(struct berth *b, const char *id, int paused, struct berr *err)
{
	struct container *c;
	int rc = 0;

	if (store_lock(b->store, err) < 0)
		return -1;
	if ((c = container_load(b->store, id, NULL)) && c->state.running && c->state.paused != paused) {
		c->state.paused = paused;
		rc = container_checkpoint(b->store, c, err);
	}
	container_free(c);
	store_unlock(b->store);
	return rc;
}

int container_record_unpaused(struct berth *b, const char *id)
{
	return record_paused(b, id, 0, NULL);
}

static int pause_or_unpause(struct berth *b, const char *name_or_id, int pause, struct berr *err)
{
	struct container *c = container_lookup(b->store, name_or_id, err);
	char dir[PATH_MAX];
	struct berr why = BERR_INIT;
	int rc = -1;

	if (!c)
		return -1;
	if (container_refresh_state(b, c, err) < 0)
		goto out;
	container_state_dir(b, c->id, dir, sizeof(dir));
	/* dockerd's checks, in its order */
	if (pause) {
		if (!c->state.running || !monitor_alive(dir)) {
			berr_set(err, BERR_EXISTS, "Container %s is not running", c->id);
			goto out;
		}
		if (c->state.paused) {
			berr_set(err, BERR_EXISTS, "Container %s is already paused", c->id);
			goto out;
		}
		if (c->state.restarting) {
			berr_set(err, BERR_EXISTS, "Container %s is restarting, wait until the container is running",
				 c->id);
			goto out;
		}
	} else if (!c->state.paused || !c->state.running || !monitor_alive(dir)) {
		berr_set(err, BERR_INVALID, "Container %s is not paused", c->id);
		goto out;
	}
	if (monitor_pause(dir, pause, &why) < 0) {
		berr_set(err, BERR_INTERNAL, "Cannot %s container %s: %s", pause ? "pause" : "unpause", c->id, why.msg);
		goto out;
	}
	rc = record_paused(b, c->id, pause, err);
out:
	container_free(c);
	return rc;
}

int berth_container_pause(struct berth *b, const char *name_or_id, struct berr *err)
{
	return pause_or_unpause(b, name_or_id, 1, err);
}

int berth_container_unpause(struct berth *b, const char *name_or_id, struct berr *err)
{
	return pause_or_unpause(b, name_or_id, 0, err);
}
