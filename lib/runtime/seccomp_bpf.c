/*
 * seccomp_bpf.c - the spec's linux.seccomp compiled to the BPF program
 * the kernel loads, with libseccomp, for crun's run.oci.seccomp_bpf_data
 * annotation.  crun 1.8 as Debian builds it compiles the profile on every
 * create (its own cache needs libgcrypt support it lacks here), which is
 * about 14 ms of a 30 ms `crun run`; berth compiles each distinct profile
 * once per exec root.  The rules are applied exactly as the runtime would
 * apply the JSON (crun's libcrun_generate_seccomp is the model): the same
 * library resolves the same names, unknown syscalls are skipped, a rule
 * whose action is the default adds nothing, several conditions on one
 * argument become one rule per condition.
 */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "io/digest.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/sbuf.h"

/* 0 for an action this compiler does not take on (NOTIFY needs the
 * runtime's listener): the caller leaves the profile to the runtime. */
static int parse_action(const char *name, int errno_ret, uint32_t *out)
{
	if (!name || strncmp(name, "SCMP_ACT_", 9) != 0)
		return -1;
	name += 9;
	if (!strcmp(name, "ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "ERRNO"))
		*out = SCMP_ACT_ERRNO((uint32_t)errno_ret);
	else if (!strcmp(name, "KILL"))
		*out = SCMP_ACT_KILL;
	else if (!strcmp(name, "LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "TRACE"))
		*out = SCMP_ACT_TRACE((uint32_t)errno_ret);
	else if (!strcmp(name, "KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else
		return -1;
	return 0;
}

static int parse_op(const char *name, enum scmp_compare *out)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};

	for (size_t i = 0; name && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(name, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	return -1;
}

static int errno_of(const json_t *o, const char *key, int dflt)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static int add_arches(scmp_filter_ctx ctx, const json_t *arches)
{
	size_t i;
	const json_t *a;

	json_array_foreach(arches, i, a) {
		const char *s = json_string_value(a);
		char lower[32];
		size_t k = 0;
		uint32_t tok;
		int rc;

		if (!s)
			return -1;
		if (!strncmp(s, "SCMP_ARCH_", 10))
			s += 10;
		for (; s[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] - 'A' + 'a' : s[k]);
		lower[k] = '\0';
		if ((tok = seccomp_arch_resolve_name(lower)) == 0)
			return -1;
		rc = seccomp_arch_add(ctx, tok);
		if (rc < 0 && rc != -EEXIST)
			return -1;
	}
	return 0;
}

/* One entry of "syscalls": its names, each with its conditions. */
static int add_rule(scmp_filter_ctx ctx, const json_t *rule, uint32_t dflt)
{
	const json_t *names = json_object_get(rule, "names"), *args = json_object_get(rule, "args"), *n;
	struct scmp_arg_cmp cmp[6];
	size_t nargs = 0, i;
	int multi = 0, per_index[6] = { 0 };
	uint32_t action;

	if (parse_action(json_string_value(json_object_get(rule, "action")), errno_of(rule, "errnoRet", EPERM),
			 &action) < 0)
		return -1;
	if (action == dflt)
		return 0;
	if (json_is_array(args)) {
		const json_t *a;

		json_array_foreach(args, i, a) {
			json_int_t index = json_integer_value(json_object_get(a, "index"));
			enum scmp_compare op;

			if (i >= 6)
				break;
			if (index < 0 || index >= 6 ||
			    parse_op(json_string_value(json_object_get(a, "op")), &op) < 0)
				return -1;
			if (++per_index[index] > 1)
				multi = 1;
			cmp[nargs].arg = (unsigned)index;
			cmp[nargs].op = op;
			cmp[nargs].datum_a = (scmp_datum_t)json_integer_value(json_object_get(a, "value"));
			cmp[nargs].datum_b = (scmp_datum_t)json_integer_value(json_object_get(a, "valueTwo"));
			nargs++;
		}
	}
	json_array_foreach(names, i, n) {
		int nr = seccomp_syscall_resolve_name(json_string_value(n));

		if (nr == __NR_SCMP_ERROR)
			continue;   /* as the runtime: unknown to this libseccomp, skipped */
		if (!multi) {
			if (seccomp_rule_add_array(ctx, action, nr, (unsigned)nargs, nargs ? cmp : NULL) < 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < nargs; k++)
			if (seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]) < 0)
				return -1;
	}
	return 0;
}

/* The filter as BPF bytes into out; -1 when the profile has something
 * this compiler leaves to the runtime. */
static int compile(const json_t *seccomp, struct sbuf *out)
{
	uint32_t dflt;
	scmp_filter_ctx ctx;
	const json_t *rule;
	size_t i;
	int fd = -1, rc = -1;
	struct stat st;

	if (json_object_get(seccomp, "listenerPath") ||
	    parse_action(json_string_value(json_object_get(seccomp, "defaultAction")),
			 errno_of(seccomp, "defaultErrnoRet", EPERM), &dflt) < 0)
		return -1;
	if (!(ctx = seccomp_init(dflt)))
		return -1;
	if (add_arches(ctx, json_object_get(seccomp, "architectures")) < 0)
		goto out;
	json_array_foreach(json_object_get(seccomp, "syscalls"), i, rule)
		if (add_rule(ctx, rule, dflt) < 0)
			goto out;
	if ((fd = memfd_create("berth-seccomp", MFD_CLOEXEC)) < 0 || seccomp_export_bpf(ctx, fd) < 0 ||
	    fstat(fd, &st) < 0 || st.st_size <= 0)
		goto out;
	sbuf_grow(out, (size_t)st.st_size);
	if (pread(fd, out->buf + out->len, (size_t)st.st_size, 0) != st.st_size)
		goto out;
	out->len += (size_t)st.st_size;
	out->buf[out->len] = '\0';
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

/* The cache key: the profile as canonical JSON, the library that compiles
 * it and the machine, hashed. */
static void cache_key(const json_t *seccomp, char hex[DIGEST_STR_LEN])
{
	const struct scmp_version *v = seccomp_version();
	char *text = json_dumps(seccomp, JSON_COMPACT | JSON_SORT_KEYS);
	struct sbuf key = SBUF_INIT;
	struct utsname u;

	uname(&u);
	sbuf_addstr(&key, text ? text : "");
	sbuf_addf(&key, "|%s|libseccomp %u.%u.%u", u.machine, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
	sha256_digest(key.buf, key.len, hex);
	sbuf_release(&key);
	free(text);
}

char *spec_seccomp_bpf_base64(const json_t *seccomp, const char *cache_dir)
{
	char key[DIGEST_STR_LEN], path[4096];
	struct sbuf bpf = SBUF_INIT, b64 = SBUF_INIT;
	struct berr err = BERR_INIT;

	if (!json_is_object(seccomp))
		return NULL;
	cache_key(seccomp, key);
	snprintf(path, sizeof(path), "%s/%s", cache_dir, digest_hex(key));
	if (read_file_at(AT_FDCWD, path, &b64, 1 << 20, &err) == 0 && b64.len > 0)
		return sbuf_detach(&b64, NULL);
	berr_clear(&err);
	sbuf_reset(&b64);
	if (compile(seccomp, &bpf) < 0) {
		sbuf_release(&bpf);
		return NULL;
	}
	base64_encode(&b64, bpf.buf, bpf.len);
	sbuf_release(&bpf);
	/* best effort: a cache that cannot be written costs a compile */
	if (mkdir_p_at(AT_FDCWD, cache_dir, 0700, &err) == 0)
		cache_write_at(AT_FDCWD, path, b64.buf, b64.len, 0600, &err);
	berr_clear(&err);
	return sbuf_detach(&b64, NULL);
}
