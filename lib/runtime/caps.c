/*
 * caps.c - the process capability list, as moby's oci/caps
 * (TweakCapabilities, NormalizeLegacyCapabilities) computes it.
 */
#include <string.h>
#include <strings.h>

#include "spec.h"
#include "../util/sbuf.h"

/* Docker's default set, in docker's order (oci/caps/defaults.go). */
static const char *const default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

/* Every capability docker 20.10 knows, by number.  It stops at
 * CAP_AUDIT_READ (37) even on newer kernels: docker caps the list there
 * because the runc of its time did not know PERFMON, BPF and
 * CHECKPOINT_RESTORE, so "ALL" and --privileged never include them and
 * naming them is "unknown capability". */
static const char *const all_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static int is_known(const char *cap)
{
	for (size_t i = 0; i < N_ELEM(all_caps); i++)
		if (strcmp(all_caps[i], cap) == 0)
			return 1;
	return 0;
}

static int in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Upper-cases, adds "CAP_", keeps "ALL"; unknown names are docker's error. */
static json_t *normalize(const json_t *caps, const char *what, struct berr *err)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(caps, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		_cleanup_free_ char *up = xasprintf("%s%s", strncasecmp(s, "CAP_", 4) == 0 ? "" : "CAP_", s);

		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (strcmp(up, "CAP_ALL") == 0) {
			json_array_append_new(out, json_string("ALL"));
			continue;
		}
		if (!is_known(up)) {
			json_decref(out);
			berr_set(err, BERR_INVALID, "invalid %s: unknown capability: \"%s\"", what, up);
			return NULL;
		}
		json_array_append_new(out, json_string(up));
	}
	return out;
}

static json_t *all_but(const json_t *drop)
{
	json_t *out = json_array();

	for (size_t i = 0; i < N_ELEM(all_caps); i++)
		if (!drop || !in_list(drop, all_caps[i]))
			json_array_append_new(out, json_string(all_caps[i]));
	return out;
}

json_t *spec_capabilities(const json_t *cap_add, const json_t *cap_drop, int privileged,
			  struct berr *err)
{
	json_t *add, *drop, *out;

	if (privileged)
		return all_but(NULL);
	if (json_array_size(cap_add) == 0 && json_array_size(cap_drop) == 0) {
		out = json_array();
		for (size_t i = 0; i < N_ELEM(default_caps); i++)
			json_array_append_new(out, json_string(default_caps[i]));
		return out;
	}
	/* Docker validates CapAdd first at create, so its error wins. */
	add = normalize(cap_add, "CapAdd", err);
	if (!add)
		return NULL;
	drop = normalize(cap_drop, "CapDrop", err);
	if (!drop) {
		json_decref(add);
		return NULL;
	}
	if (in_list(add, "ALL")) {
		out = all_but(drop);
	} else if (in_list(drop, "ALL")) {
		out = json_incref(add);
	} else {
		out = json_array();
		for (size_t i = 0; i < N_ELEM(default_caps); i++)
			if (!in_list(drop, default_caps[i]))
				json_array_append_new(out, json_string(default_caps[i]));
		json_array_extend(out, add);
	}
	json_decref(add);
	json_decref(drop);
	return out;
}
