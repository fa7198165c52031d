/*
 * info.c - the facts behind `berth info`: what docker's daemon reports
 * about its storage and host, measured the same way (statfs magic names
 * of overlay2's backing filesystem, os-release, uname, sysinfo).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <limits.h>

#include "../container/container.h"
#include "../container/engine.h"
#include "../internal.h"
#include "../util/sbuf.h"

/* graphdriver.FsNames for the common magics. */
static const char *fs_name(long magic)
{
	switch ((unsigned long)magic) {
	case 0xEF53: return "extfs";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794C7630: return "overlayfs";
	case 0x2FC12FC1: return "zfs";
	case 0x6969: return "nfs";
	case 0x65735546: return "fuseblk";
	case 0x858458F6: return "ramfs";
	case 0x73717368: return "squashfs";
	case 0xF2F52010: return "f2fs";
	default: return "<unknown>";
	}
}

/* A value of /etc/os-release, unquoted (newly allocated) or NULL. */
static char *os_release(const char *key)
{
	FILE *f = fopen("/etc/os-release", "re");
	char line[512], *v = NULL;
	size_t kl = strlen(key);

	if (!f)
		f = fopen("/usr/lib/os-release", "re");
	if (!f)
		return NULL;
	while (!v && fgets(line, sizeof(line), f)) {
		char *p;
		size_t n;
		if (strncmp(line, key, kl) || line[kl] != '=')
			continue;
		p = line + kl + 1;
		n = strcspn(p, "\n");
		if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0]) {
			p++;
			n -= 2;
		}
		v = xstrndup(p, n);
	}
	fclose(f);
	return v;
}

static char **strv_dup(char **v)
{
	size_t n = 0;
	char **r;

	while (v && v[n])
		n++;
	r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

/* daemon/info.go's stateCtr: a container counts as paused or running by
 * its StateString, and as stopped otherwise (restarting too). */
static int containers_count(struct berth *b, struct berth_system_info *out, struct berr *err)
{
	struct berth_container_item *v;
	size_t n;

	if (berth_container_list(b, &(struct berth_container_list_opts){ .all = 1 }, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].state, "running"))
			out->containers_running++;
		else if (!strcmp(v[i].state, "paused"))
			out->containers_paused++;
		else
			out->containers_stopped++;
	}
	berth_container_list_free(v, n);
	return 0;
}

int berth_system_info(struct berth *b, struct berth_system_info *out, struct berr *err)
{
	char root[PATH_MAX], host[256] = "";
	struct statfs sfs;
	struct utsname u;
	struct sysinfo si;

	memset(out, 0, sizeof(*out));
	if (containers_count(b, out, err) < 0)
		return -1;
	if (!realpath(b->store->root, root))
		snprintf(root, sizeof(root), "%s", b->store->root);
	out->root = xstrdup(root);
	out->images = store_image_count(b->store);
	out->layers = store_layer_count(b->store);
	out->backing_fs = xstrdup(statfs(b->store->root, &sfs) == 0 ? fs_name((long)sfs.f_type) : "<unknown>");
	/* berth extracts with d_type-dependent readdir; every fs above has it. */
	out->supports_d_type = 1;
	if (uname(&u) == 0) {
		out->kernel_version = xstrdup(u.release);
		out->architecture = xstrdup(u.machine);
	} else {
		out->kernel_version = xstrdup("");
		out->architecture = xstrdup("");
	}
	out->operating_system = os_release("PRETTY_NAME");
	if (!out->operating_system)
		out->operating_system = xstrdup("<unknown>");
	out->os_version = os_release("VERSION_ID");
	if (!out->os_version)
		out->os_version = xstrdup("");
	out->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (sysinfo(&si) == 0)
		out->mem_total = (int64_t)si.totalram * si.mem_unit;
	gethostname(host, sizeof(host) - 1);
	out->name = xstrdup(host);
	out->insecure_registries = strv_dup(b->cfg.insecure);
	out->registry_mirrors = strv_dup(b->cfg.mirrors);
	out->max_concurrent_downloads = b->cfg.max_concurrent_downloads;
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void berth_system_info_release(struct berth_system_info *info)
{
	free(info->root);
	free(info->backing_fs);
	free(info->kernel_version);
	free(info->operating_system);
	free(info->os_version);
	free(info->architecture);
	free(info->name);
	strv_free(info->insecure_registries);
	strv_free(info->registry_mirrors);
	memset(info, 0, sizeof(*info));
}
