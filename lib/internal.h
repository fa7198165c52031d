/*
 * internal.h - the berth handle shared by the library's commands.
 */
#ifndef BERTH_INTERNAL_H
#define BERTH_INTERNAL_H

#include <berth/berth.h>

#include "config.h"
#include "store/store.h"

struct berth {
	struct store *store;
	struct berth_config cfg;
	char *exec_root;   /* berth_set_exec_root; NULL: cfg.exec_root */
};

#endif
