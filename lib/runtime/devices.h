/*
 * devices.h - linux.devices and linux.resources.devices, as docker's
 * WithDevices builds them (internal to lib/runtime).
 */
#ifndef BERTH_RUNTIME_DEVICES_H
#define BERTH_RUNTIME_DEVICES_H

#include <jansson.h>

#include "../util/err.h"

/* From HostConfig Privileged, Devices and DeviceCgroupRules: *devices (the
 * nodes to create, maybe empty) and *rules (the device cgroup, docker's
 * default rules first).  Both are new arrays; -1 with docker's message. */
int spec_devices(const json_t *hostconfig, json_t **devices, json_t **rules, struct berr *err);

#endif
