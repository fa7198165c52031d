/*
 * config.h - berth's daemon-level settings, read from a JSON file that uses
 * Docker's daemon.json keys, so an existing daemon.json works unchanged:
 *   "registry-mirrors": ["http://127.0.0.1:5000"]
 *   "insecure-registries": ["myreg:5000", "10.0.0.0/8"]
 *   "max-concurrent-downloads": 3
 *   "max-concurrent-uploads": 5
 *   "exec-root": "/run/berth"
 *   "default-runtime": "runc"
 *   "runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}}
 * Unknown keys are ignored (Docker's file has many berth does not use).
 * The file is $BERTH_CONFIG, else /etc/berth/daemon.json; a missing file
 * means defaults, except a path passed explicitly (--config), which must
 * exist, as with dockerd's --config-file.
 *
 * The settings come in sections, one per concern (registries, transfers,
 * runtimes);
 * each has its fields below, its defaults and its parser in config.c.
 * Credentials are not here: they are the docker CLI's, in its config.json
 * (credentials/dockercfg.h).
 */
#ifndef BERTH_CONFIG_H
#define BERTH_CONFIG_H

#include <stddef.h>

#include "util/err.h"

struct berth_config {
	/* registries */
	char **mirrors;           /* NULL-terminated; URLs as written */
	char **insecure;          /* NULL-terminated; host[:port] or CIDR */
	/* transfers */
	int max_concurrent_downloads; /* default 3 like docker; berth uses it as given */
	int max_concurrent_uploads;   /* default 5 like docker */
	/* runtimes */
	char *exec_root;              /* default /run/berth: bundles, monitors, runtime state */
	char *default_runtime;        /* default "runc" */
	struct config_runtime *runtimes; /* configured ones; "runc" and "crun" are built in */
	size_t n_runtimes;
};

/* One OCI runtime: docker's "runtimes" entry. */
struct config_runtime {
	char *name;
	char *path;                   /* as configured: absolute, or looked up in $PATH when used */
	char **args;                  /* runtimeArgs, NULL-terminated */
};

/* path NULL: the default lookup above. */
int config_load(struct berth_config *out, const char *path, struct berr *err);
void config_release(struct berth_config *cfg);

/* 1 if host ("host[:port]") must be reached over plain HTTP: loopback
 * 127.0.0.0/8 and ::1, "localhost", or listed in insecure-registries
 * (by exact host[:port] or by CIDR match of an IP literal). */
int config_is_insecure(const struct berth_config *cfg, const char *host);

/* The runtime called name (NULL: the default one): a configured entry, or
 * the built-in "runc"/"crun" (path = the name, no args); NULL when there is
 * none (borrowed from cfg). */
const struct config_runtime *config_runtime(const struct berth_config *cfg, const char *name);

#endif
