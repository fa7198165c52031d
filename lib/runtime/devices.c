/*
 * devices.c - device nodes and the device cgroup (moby daemon/oci_linux.go
 * WithDevices, oci/devices_linux.go DevicesFromPath, runc's
 * devices.HostDevices for --privileged).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "../util/sbuf.h"

#define NO_NUM (-2LL) /* a rule without major/minor (Go's nil pointer) */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static json_t *rule_new(int allow, const char *type, long long major, long long minor, const char *access)
{
	json_t *d = json_object();

	json_object_set_new(d, "allow", json_boolean(allow));
	if (type)
		json_object_set_new(d, "type", json_string(type));
	if (major != NO_NUM)
		json_object_set_new(d, "major", json_integer(major));
	if (minor != NO_NUM)
		json_object_set_new(d, "minor", json_integer(minor));
	json_object_set_new(d, "access", json_string(access));
	return d;
}

/* oci/defaults.go: deny all, allow the standard nodes and the ptys, deny
 * /dev/fuse (10:229) explicitly. */
static json_t *default_rules(void)
{
	static const int allowed[][2] = { { 1, 5 }, { 1, 3 }, { 1, 9 }, { 1, 8 }, { 5, 0 }, { 5, 1 } };
	json_t *d = json_array();

	json_array_append_new(d, rule_new(0, NULL, NO_NUM, NO_NUM, "rwm"));
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		json_array_append_new(d, rule_new(1, "c", allowed[i][0], allowed[i][1], "rwm"));
	json_array_append_new(d, rule_new(0, "c", 10, 229, "rwm"));
	return d;
}

/* "c 42:* rmw" (docker's ^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$) */
static json_t *parse_cgroup_rule(const char *rule, struct berr *err)
{
	char acc[4];
	long long num[2];
	const char *p = rule + 2;
	size_t n;

	if (!*rule || !strchr("acb", rule[0]) || rule[1] != ' ')
		goto bad;
	for (int k = 0; k < 2; k++) {
		if (*p == '*') {
			num[k] = -1;
			p++;
		} else {
			char *end;
			if (*p < '0' || *p > '9')
				goto bad;
			num[k] = strtoll(p, &end, 10);
			p = end;
		}
		if (*p++ != (k ? ' ' : ':'))
			goto bad;
	}
	n = strspn(p, "rwm");
	if (n < 1 || n > 3 || p[n])
		goto bad;
	memcpy(acc, p, n);
	acc[n] = '\0';
	return rule_new(1, (char[]){ rule[0], '\0' }, num[0], num[1], acc);
bad:
	berr_set(err, BERR_INVALID, "invalid device cgroup rule format: '%s'", rule);
	return NULL;
}

/* runc's DeviceFromPath: a char or block node (lstat: a symlink is not one). */
static int node_at(const char *path, struct stat *st)
{
	if (lstat(path, st) < 0)
		return -1;
	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode)) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

/* One node: a linux.devices entry (path, type, major, minor, fileMode,
 * uid, gid) and, if perms, its allow rule. */
static void add_node(const char *path, const struct stat *st, const char *perms, json_t *devices, json_t *rules)
{
	const char *type = S_ISBLK(st->st_mode) ? "b" : "c";

	json_array_append_new(devices, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", path, "type", type,
						 "major", (json_int_t)major(st->st_rdev), "minor",
						 (json_int_t)minor(st->st_rdev), "fileMode", (json_int_t)(st->st_mode & 07777),
						 "uid", (json_int_t)st->st_uid, "gid", (json_int_t)st->st_gid));
	if (rules)
		json_array_append_new(rules, rule_new(1, type, major(st->st_rdev), minor(st->st_rdev), perms));
}

/* Sorted entries of dir (Go's ReadDir / Walk order); NULL-terminated, free(). */
static char **sorted_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	qsort(v, n, sizeof(*v), str_ptr_cmp);
	v[n] = NULL;
	return v;
}

static void free_entries(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* runc's HostDevices: every node under /dev but pts, shm, fd, mqueue, the
 * lxc/udev dirs and /dev/console. */
static void host_devices(const char *dir, json_t *devices)
{
	static const char *const skip[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", NULL };
	char **names = sorted_entries(dir);

	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		int skipped = 0;

		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			for (size_t k = 0; skip[k]; k++)
				skipped |= strcmp(names[i], skip[k]) == 0;
			if (!skipped)
				host_devices(p, devices);
			continue;
		}
		if (strcmp(names[i], "console") == 0 || node_at(p, &st) < 0)
			continue;
		add_node(p, &st, NULL, devices, NULL);
	}
	free_entries(names);
}

/* filepath.Walk of a directory given to --device: every node below it,
 * its host prefix replaced by the container path. */
static void walk_nodes(const char *host, size_t prefix, const char *ctr, const char *perms, json_t *devices,
		       json_t *rules)
{
	char **names = sorted_entries(host);
	struct stat st;

	if (node_at(host, &st) == 0) {
		_cleanup_free_ char *p = xasprintf("%s%s", ctr, host + prefix);
		add_node(p, &st, perms, devices, rules);
	}
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", host, names[i]);
		if (lstat(p, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			walk_nodes(p, prefix, ctr, perms, devices, rules);
	}
	free_entries(names);
}

/* --device HOST[:CONTAINER[:PERMS]], as DevicesFromPath: a node (a symlink
 * to one is followed), or a directory of nodes. */
static int add_device(const json_t *dm, int privileged, json_t *devices, json_t *rules, struct berr *err)
{
	const char *host = jstr(dm, "PathOnHost"), *ctr = jstr(dm, "PathInContainer");
	const char *perms = privileged ? "rwm" : jstr(dm, "CgroupPermissions");
	_cleanup_free_ char *resolved = NULL;
	struct stat st;
	size_t before = json_array_size(devices);
	int saved;

	if (privileged && strcmp(host, ctr) == 0)
		return 0; /* already there: privileged containers get all of /dev */
	if (lstat(host, &st) == 0 && S_ISLNK(st.st_mode))
		resolved = realpath(host, NULL);
	if (!resolved)
		resolved = xstrdup(host);
	if (node_at(resolved, &st) == 0) {
		add_node(ctr, &st, perms, devices, privileged ? NULL : rules);
		return 0;
	}
	saved = errno;
	if (saved == ENODEV && stat(resolved, &st) == 0 && S_ISDIR(st.st_mode))
		walk_nodes(resolved, strlen(resolved), ctr, perms, devices, privileged ? NULL : rules);
	if (json_array_size(devices) > before)
		return 0;
	/* Go spells errno texts in lower case */
	char why[128];
	snprintf(why, sizeof(why), "%s", saved == ENODEV ? "not a device node" : strerror(saved));
	if (why[0] >= 'A' && why[0] <= 'Z')
		why[0] = (char)(why[0] - 'A' + 'a');
	return berr_set(err, BERR_INVALID, "error gathering device information while adding custom device \"%s\": %s",
			host, why);
}

int spec_devices(const json_t *hostconfig, json_t **devices, json_t **rules, struct berr *err)
{
	int privileged = json_is_true(json_object_get(hostconfig, "Privileged"));
	size_t i;
	json_t *v;

	*devices = json_array();
	*rules = privileged ? json_pack("[{s:b, s:s}]", "allow", 1, "access", "rwm") : default_rules();
	if (privileged)
		host_devices("/dev", *devices);
	json_array_foreach(json_object_get(hostconfig, "Devices"), i, v)
		if (add_device(v, privileged, *devices, *rules, err) < 0)
			goto fail;
	if (!privileged)
		json_array_foreach(json_object_get(hostconfig, "DeviceCgroupRules"), i, v) {
			json_t *r = parse_cgroup_rule(json_is_string(v) ? json_string_value(v) : "", err);
			if (!r)
				goto fail;
			json_array_append_new(*rules, r);
		}
	return 0;
fail:
	json_decref(*devices);
	json_decref(*rules);
	*devices = *rules = NULL;
	return -1;
}
