/* rename.c - Docker 20.10's ContainerRename (daemon/rename.go): berth has
 * no links or sandboxes to carry over, so it is the name and the record. */
#include <berth/container.h>

#include "../internal.h"
#include "lifecycle.h"
#include "lookup.h"

int berth_container_rename(struct berth *b, const char *name_or_id, const char *new_name, struct berr *err)
{
	char id[65];

	if (!name_or_id || !*name_or_id || !new_name || !*new_name)
		return berr_set(err, BERR_INVALID, "Neither old nor new names may be empty");
	if (container_lookup_id(b->store, name_or_id, id, err) < 0)
		return -1;
	return container_rename(b->store, id, new_name, err);
}
