/*
 * runflags.c - `berth run`/`berth create` flags into the body of the Engine
 * API's POST /containers/create, as the docker 20.10 CLI builds it (its
 * container/opts.go parse(), run.go, create.go): Config's fields at the top
 * level, "HostConfig" and "NetworkingConfig", with the same keys sent as
 * null, {} or [].  The CLI and the API server then hand the library one
 * document.
 *
 * Two phases, as pflag and parse() do, so errors come in docker's order:
 * each flag's value is checked as it is set (pflag's "invalid argument"
 * errors, in argv order), then the body is built (parse()'s errors,
 * printed as "berth: <msg>.").  Texts are docker's; only the program name
 * in "berth: " and "See 'berth run --help'." is ours.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/gojson.h"

enum kind {
	K_BOOL,     /* pflag BoolVar: no separate value, --x=false */
	K_STR,      /* StringVar: the last one wins */
	K_LIST,     /* ListOpts: every value kept, checked by check */
	K_INT,      /* IntVar/Int64Var: strconv.ParseInt(s, 0, 64) */
	K_UINT16,   /* Uint16Var */
	K_MEM,      /* opts.MemBytes: go-units RAMInBytes */
	K_MEMSWAP,  /* opts.MemSwapBytes: "-1" or RAMInBytes */
	K_CPUS,     /* opts.NanoCPUs: a rational number times 1e9 */
	K_DURATION, /* DurationVar: time.ParseDuration, in nanoseconds */
	K_UINT64,   /* Uint64Var */
};

enum flag_id {
	F_ATTACH, F_DEVICE_CGROUP_RULE, F_DEVICE, F_ENV, F_ENV_FILE, F_ENTRYPOINT, F_GROUP_ADD, F_HOSTNAME,
	F_DOMAINNAME, F_INTERACTIVE, F_LABEL, F_LABEL_FILE, F_READ_ONLY, F_RESTART, F_STOP_SIGNAL,
	F_STOP_TIMEOUT, F_SYSCTL, F_TTY, F_ULIMIT, F_USER, F_WORKDIR, F_RM, F_CAP_ADD, F_CAP_DROP,
	F_PRIVILEGED, F_SECURITY_OPT, F_USERNS, F_CGROUPNS, F_ADD_HOST, F_DNS, F_DNS_OPTION, F_DNS_SEARCH,
	F_EXPOSE, F_IP, F_IP6, F_LINK, F_MAC_ADDRESS, F_PUBLISH, F_PUBLISH_ALL, F_NETWORK, F_NETWORK_ALIAS,
	F_LOG_DRIVER, F_VOLUME_DRIVER, F_LOG_OPT, F_STORAGE_OPT, F_TMPFS, F_VOLUMES_FROM, F_VOLUME,
	F_MOUNT, F_BLKIO_WEIGHT, F_CIDFILE, F_CPUSET_CPUS, F_CPUSET_MEMS, F_CPU_PERIOD, F_CPU_QUOTA,
	F_CPU_RT_PERIOD, F_CPU_RT_RUNTIME, F_CPU_SHARES, F_CPUS, F_KERNEL_MEMORY, F_MEMORY,
	F_MEMORY_RESERVATION, F_MEMORY_SWAP, F_MEMORY_SWAPPINESS, F_OOM_KILL_DISABLE, F_OOM_SCORE_ADJ,
	F_PIDS_LIMIT, F_CGROUP_PARENT, F_IPC, F_ISOLATION, F_PID, F_SHM_SIZE, F_UTS, F_RUNTIME, F_INIT,
	F_NAME, F_PULL, F_PLATFORM, F_DISABLE_CONTENT_TRUST, F_HELP,
	F_HEALTH_CMD, F_HEALTH_INTERVAL, F_HEALTH_RETRIES, F_HEALTH_TIMEOUT, F_HEALTH_START_PERIOD,
	F_NO_HEALTHCHECK, F_BLKIO_WEIGHT_DEVICE, F_DEVICE_READ_BPS, F_DEVICE_WRITE_BPS, F_DEVICE_READ_IOPS,
	F_DEVICE_WRITE_IOPS, F_LINK_LOCAL_IP,
	/* Windows only: a Linux daemon refuses them (windows_only_flag) */
	F_CPU_COUNT, F_CPU_PERCENT, F_IO_MAXBANDWIDTH, F_IO_MAXIOPS, F_GPUS,
	/* run only */
	F_DETACH, F_SIG_PROXY, F_DETACH_KEYS,
	F_COUNT
};

/* Where a parse's error text is written: every checker returns NULL or
 * eb->s, which the caller formats into docker's message. */
struct ebuf {
	char s[1024];
};
typedef const char *(*check_fn)(struct ebuf *eb, const char *val, char **out);

struct flag {
	const char *name;
	char shorthand;
	enum kind kind;
	enum flag_id id;
	check_fn check;   /* K_LIST: validates (and may rewrite) each value */
	int run_only;
};

/* One flag's values as set. */
struct val {
	char **v;
	size_t n;
	int changed;
	int64_t num;      /* K_BOOL, K_INT, K_UINT16, K_MEM*, K_CPUS: the parsed value */
};

struct rf {
	const char *cmd;
	struct val val[F_COUNT];
	json_t *mounts;   /* --mount, parsed as set */
	json_t *nets;     /* --network, [{Target, Aliases, IPv4Address, IPv6Address, DriverOpts}] */
	json_t *ulimits;  /* --ulimit by name, in first-set order */
	json_t *gpus;     /* --gpus: container.DeviceRequest objects */
	struct ebuf eb;
};

/* ---------------------------------------------------------------- small Go helpers */

static const char *cerr(struct ebuf *eb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *cerr(struct ebuf *eb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(eb->s, sizeof(eb->s), fmt, ap);
	va_end(ap);
	return eb->s;
}

/* strconv's "strconv.ParseInt: parsing "x": invalid syntax". */
static const char *strconv_err(struct ebuf *eb, const char *fn, const char *s, int range)
{
	_cleanup_free_ char *q = gojson_quote(s);
	return cerr(eb, "strconv.%s: parsing %s: %s", fn, q, range ? "value out of range" : "invalid syntax");
}

static int parse_go_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]))
			return *out = 1, 0;
		if (!strcmp(s, f[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* strconv.ParseInt(s, base, 64), base 0 or 10: NULL or the error text. */
static const char *parse_go_int(struct ebuf *eb, const char *s, int base, int64_t *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!*p || !isdigit((unsigned char)*p))
		return strconv_err(eb, "ParseInt", s, 0);
	if (base == 0 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		/* Go's 0o755; strtoll knows only 0755 */
		_cleanup_free_ char *t = xasprintf("%.*s0%s", (int)(p - s), s, p + 2);
		return parse_go_int(eb, t, 0, out) ? strconv_err(eb, "ParseInt", s, 0) : NULL;
	}
	if (base == 0 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		errno = 0;
		v = strtoll(p + 2, &end, 2);
		if (p[2] == 0 || *end)
			return strconv_err(eb, "ParseInt", s, 0);
		*out = *s == '-' ? -v : v;
		return NULL;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (*end || end == s)
		return strconv_err(eb, "ParseInt", s, 0);
	if (errno == ERANGE)
		return strconv_err(eb, "ParseInt", s, 1);
	*out = v;
	return NULL;
}

static const char *parse_go_uint(struct ebuf *eb, const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return strconv_err(eb, "ParseUint", s, 0);
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return strconv_err(eb, "ParseUint", s, 0);
	if (errno == ERANGE || v > max)
		return strconv_err(eb, "ParseUint", s, 1);
	*out = v;
	return NULL;
}

/* go-units RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ with
 * binary multiples; the number through ParseFloat, truncated. */
static const char *ram_in_bytes(struct ebuf *eb, const char *s, int64_t *out)
{
	const char *p = s, *num_end;
	double size;
	int dots = 0;
	static const char units[] = "kmgtp";

	if (!isdigit((unsigned char)*p))
		return cerr(eb, "invalid size: '%s'", s);
	while (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
		dots += *p == '.';
		p++;
	}
	num_end = p;
	if (*p == ' ')
		p++;
	const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	if (u)
		p++;
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return cerr(eb, "invalid size: '%s'", s);
	_cleanup_free_ char *n = xstrndup(s, (size_t)(num_end - s));
	if (dots > 1)
		return strconv_err(eb, "ParseFloat", n, 0);
	size = strtod(n, NULL);
	if (u)
		for (long i = 0; i <= u - units; i++)
			size *= 1024;
	*out = size >= 9.2233720368547758e18 ? INT64_MIN : (int64_t)size;
	return NULL;
}

/* opts.ParseCPUs: big.Rat's SetString (a/b, or a decimal with an
 * exponent), times 1e9, which must be whole. */
static const char *parse_cpus(struct ebuf *eb, const char *s, int64_t *out)
{
	__int128 num = 0, den = 1;
	const char *p = s, *slash = strchr(s, '/');
	int neg = 0, exp = 0, digits = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (slash) {
		char *end;
		long long a, b;
		errno = 0;
		a = strtoll(s, &end, 10);
		if (end != slash || errno)
			goto bad;
		b = strtoll(slash + 1, &end, 10);
		if (*end || !slash[1] || !isdigit((unsigned char)slash[1]) || errno || b == 0)
			goto bad;
		num = a, den = b, neg = 0;
	} else {
		for (; isdigit((unsigned char)*p); p++, digits++)
			if (num < ((__int128)1 << 100))
				num = num * 10 + (*p - '0');
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++, digits++)
				if (num < ((__int128)1 << 100))
					num = num * 10 + (*p - '0'), den *= 10;
		if (!digits)
			goto bad;
		if (*p == 'e' || *p == 'E') {
			char *end;
			long e = strtol(p + 1, &end, 10);
			if (end == p + 1 || *end || e > 30 || e < -30)
				goto bad;
			exp = (int)e;
			p = end;
		}
		if (*p)
			goto bad;
		for (; exp > 0; exp--)
			num *= 10;
		for (; exp < 0; exp++)
			den *= 10;
	}
	num *= 1000000000;
	if (num % den)
		return cerr(eb, "value is too precise");
	num /= den;
	*out = (int64_t)(neg ? -num : num);
	return NULL;
bad:
	return cerr(eb, "failed to parse %s as a rational number", s);
}

/* net.ParseIP + String(): NULL when not an address. */
static char *parse_ip(const char *s)
{
	unsigned char a[16];
	char out[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, s, a) == 1)
		return xstrdup(inet_ntop(AF_INET, a, out, sizeof(out)));
	if (inet_pton(AF_INET6, s, a) == 1) {
		static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (!memcmp(a, v4mapped, 12))
			return xstrdup(inet_ntop(AF_INET, a + 12, out, sizeof(out)));
		return xstrdup(inet_ntop(AF_INET6, a, out, sizeof(out)));
	}
	return NULL;
}

/* ---------------------------------------------------------------- ListOpts validators */

static const char *check_ip(struct ebuf *eb, const char *val, char **out)
{
	const char *b = val, *e = val + strlen(val);

	while (*b && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	_cleanup_free_ char *t = xstrndup(b, (size_t)(e - b));
	*out = parse_ip(t);
	return *out ? NULL : cerr(eb, "%s is not an ip address", val);
}

static const char *check_attach(struct ebuf *eb, const char *val, char **out)
{
	_cleanup_free_ char *s = xstrdup(val);

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(s, "stdin") && strcmp(s, "stdout") && strcmp(s, "stderr"))
		return cerr(eb, "valid streams are STDIN, STDOUT and STDERR");
	*out = xstrdup(s);
	return NULL;
}

static const char *check_env(struct ebuf *eb, const char *val, char **out)
{
	const char *eq = strchr(val, '='), *v;

	if (eq == val || !*val)
		return cerr(eb, "invalid environment variable: %s", val);
	if (!eq && (v = getenv(val)))
		*out = xasprintf("%s=%s", val, v);
	return NULL;
}

static const char *check_label(struct ebuf *eb, const char *val, char **out)
{
	size_t n = strcspn(val, "=");
	const char *k = val;

	while (k < val + n && (*k == ' ' || *k == '\t'))
		k++;
	if (k == val + n)
		return cerr(eb, "invalid label '%s': empty name", val);
	if (memchr(k, ' ', (size_t)(val + n - k)) || memchr(k, '\t', (size_t)(val + n - k)))
		return cerr(eb, "label '%.*s' contains whitespaces", (int)(val + n - k), k);
	return NULL;
}

static const char *check_extra_host(struct ebuf *eb, const char *val, char **out)
{
	const char *colon = strchr(val, ':');
	_cleanup_free_ char *q = gojson_quote(val);

	if (!colon || colon == val)
		return cerr(eb, "bad format for add-host: %s", q);
	if (strcmp(colon + 1, "host-gateway")) {
		_cleanup_free_ char *ip = NULL;
		if (check_ip(eb, colon + 1, &ip)) {
			_cleanup_free_ char *qi = gojson_quote(colon + 1);
			return cerr(eb, "invalid IP address in add-host: %s", qi);
		}
	}
	return NULL;
}

/* opts.ValidateDNSSearch: docker's domain regexp, whose "(:?" groups let
 * each label start with an optional colon. */
static const char *check_dns_search(struct ebuf *eb, const char *val, char **out)
{
	static const char re_src[] = "^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))"
				     "(:?\\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\\.?[[:space:]]*$";
	regex_t re;
	regmatch_t m[2];
	size_t b = strspn(val, " "), e = strlen(val);
	int ok;

	while (e > b && val[e - 1] == ' ')
		e--;
	_cleanup_free_ char *t = xstrndup(val + b, e - b);
	if (!strcmp(t, ".")) {
		*out = xstrdup(t);
		return NULL;
	}
	if (!strpbrk(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		return cerr(eb, "%s is not a valid domain", t);
	if (regcomp(&re, re_src, REG_EXTENDED))
		return cerr(eb, "%s is not a valid domain", t);
	ok = !regexec(&re, t, 2, m, 0) && m[1].rm_so >= 0 && m[1].rm_eo - m[1].rm_so < 255;
	regfree(&re);
	if (!ok)
		return cerr(eb, "%s is not a valid domain", t);
	*out = xstrndup(t + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	return NULL;
}

static const char *check_device_cgroup_rule(struct ebuf *eb, const char *val, char **out)
{
	regex_t re;
	int ok;

	if (regcomp(&re, "^[acb] ([0-9]+|\\*):([0-9]+|\\*) [rwm]{1,3}$", REG_EXTENDED | REG_NOSUB))
		return cerr(eb, "invalid device cgroup format '%s'", val);
	ok = !regexec(&re, val, 0, NULL, 0);
	regfree(&re);
	return ok ? NULL : cerr(eb, "invalid device cgroup format '%s'", val);
}

static const char *check_link(struct ebuf *eb, const char *val, char **out)
{
	const char *c = strchr(val, ':');

	if (!*val)
		return cerr(eb, "empty string specified for links");
	if (c && strchr(c + 1, ':'))
		return cerr(eb, "bad format for links: %s", val);
	return NULL;
}

static const char *check_sysctl(struct ebuf *eb, const char *val, char **out)
{
	static const char *const ok[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
					  "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
					  "kernel.shm_rmid_forced" };
	size_t n = strcspn(val, "=");

	if (val[n] == '=') {
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (strlen(ok[i]) == n && !strncmp(val, ok[i], n))
				return NULL;
		if (!strncmp(val, "fs.mqueue.", 10) || !strncmp(val, "net.", 4))
			return NULL;
	}
	return cerr(eb, "sysctl '%s' is not whitelisted", val);
}

/* "PATH:VALUE" with PATH under /dev/: the blkio device options' shape. */
static const char *device_value(struct ebuf *eb, const char *val, const char **v)
{
	const char *c = strchr(val, ':');

	if (!c)
		return cerr(eb, "bad format: %s", val);
	if (strncmp(val, "/dev/", 5) || c - val < 5)
		return cerr(eb, "bad format for device path: %s", val);
	*v = c + 1;
	return NULL;
}

static const char *check_weight_device(struct ebuf *eb, const char *val, char **out)
{
	const char *v, *e;
	uint64_t w;

	if ((e = device_value(eb, val, &v)))
		return e;
	if (parse_go_uint(eb, v, 10, 65535, &w) || (w > 0 && (w < 10 || w > 1000)))
		return cerr(eb, "invalid weight for device: %s", val);
	return NULL;
}

static const char *check_bps_device(struct ebuf *eb, const char *val, char **out)
{
	const char *v, *e;
	int64_t rate;

	if ((e = device_value(eb, val, &v)))
		return e;
	if (ram_in_bytes(eb, v, &rate) || rate < 0)
		return cerr(eb, "invalid rate for device: %s. The correct format is <device-path>:<number>[<unit>]. "
				"Number must be a positive integer. Unit is optional and can be kb, mb, or gb", val);
	return NULL;
}

static const char *check_iops_device(struct ebuf *eb, const char *val, char **out)
{
	const char *v, *e;
	uint64_t rate;

	if ((e = device_value(eb, val, &v)))
		return e;
	if (parse_go_uint(eb, v, 10, UINT64_MAX, &rate))
		return cerr(eb, "invalid rate for device: %s. The correct format is <device-path>:<number>. "
				"Number must be a positive integer", val);
	return NULL;
}

/* time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0", in ns. */
static const char *parse_duration(struct ebuf *eb, const char *orig, int64_t *out)
{
	static const struct { const char *u; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 }, { "ms", 1e6 },
		{ "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	const char *s = orig;
	double total = 0;
	int neg = 0;
	_cleanup_free_ char *q = gojson_quote(orig);

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0"))
		return *out = 0, NULL;
	if (!*s)
		return cerr(eb, "time: invalid duration %s", q);
	while (*s) {
		const char *b = s;
		double v = 0, frac = 0, scale = 1;
		int digits = 0;
		while (isdigit((unsigned char)*s))
			v = v * 10 + (*s++ - '0'), digits++;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++, digits++)
				frac = frac * 10 + (*s - '0'), scale *= 10;
		if (!digits || s == b)
			return cerr(eb, "time: invalid duration %s", q);
		const char *u = s;
		while (*s && *s != '.' && !isdigit((unsigned char)*s))
			s++;
		if (u == s)
			return cerr(eb, "time: missing unit in duration %s", q);
		size_t i, n = (size_t)(s - u);
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].u) == n && !strncmp(units[i].u, u, n))
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			_cleanup_free_ char *uu = xstrndup(u, n);
			_cleanup_free_ char *qu = gojson_quote(uu);
			return cerr(eb, "time: unknown unit %s in duration %s", qu, q);
		}
		total += (v + frac / scale) * units[i].ns;
	}
	if (total > 9.2233720368547758e18)
		return cerr(eb, "time: invalid duration %s", q);
	*out = (int64_t)(neg ? -total : total);
	return NULL;
}

/* ---------------------------------------------------------------- the flag table */

static const struct flag flags[] = {
	{ "attach", 'a', K_LIST, F_ATTACH, check_attach, 0 },
	{ "device-cgroup-rule", 0, K_LIST, F_DEVICE_CGROUP_RULE, check_device_cgroup_rule, 0 },
	{ "device", 0, K_LIST, F_DEVICE, NULL, 0 },
	{ "env", 'e', K_LIST, F_ENV, check_env, 0 },
	{ "env-file", 0, K_LIST, F_ENV_FILE, NULL, 0 },
	{ "entrypoint", 0, K_STR, F_ENTRYPOINT, NULL, 0 },
	{ "group-add", 0, K_LIST, F_GROUP_ADD, NULL, 0 },
	{ "hostname", 'h', K_STR, F_HOSTNAME, NULL, 0 },
	{ "domainname", 0, K_STR, F_DOMAINNAME, NULL, 0 },
	{ "interactive", 'i', K_BOOL, F_INTERACTIVE, NULL, 0 },
	{ "label", 'l', K_LIST, F_LABEL, check_label, 0 },
	{ "label-file", 0, K_LIST, F_LABEL_FILE, NULL, 0 },
	{ "read-only", 0, K_BOOL, F_READ_ONLY, NULL, 0 },
	{ "restart", 0, K_STR, F_RESTART, NULL, 0 },
	{ "stop-signal", 0, K_STR, F_STOP_SIGNAL, NULL, 0 },
	{ "stop-timeout", 0, K_INT, F_STOP_TIMEOUT, NULL, 0 },
	{ "sysctl", 0, K_LIST, F_SYSCTL, check_sysctl, 0 },
	{ "tty", 't', K_BOOL, F_TTY, NULL, 0 },
	{ "ulimit", 0, K_LIST, F_ULIMIT, NULL, 0 },
	{ "user", 'u', K_STR, F_USER, NULL, 0 },
	{ "workdir", 'w', K_STR, F_WORKDIR, NULL, 0 },
	{ "rm", 0, K_BOOL, F_RM, NULL, 0 },
	{ "cap-add", 0, K_LIST, F_CAP_ADD, NULL, 0 },
	{ "cap-drop", 0, K_LIST, F_CAP_DROP, NULL, 0 },
	{ "privileged", 0, K_BOOL, F_PRIVILEGED, NULL, 0 },
	{ "security-opt", 0, K_LIST, F_SECURITY_OPT, NULL, 0 },
	{ "userns", 0, K_STR, F_USERNS, NULL, 0 },
	{ "cgroupns", 0, K_STR, F_CGROUPNS, NULL, 0 },
	{ "add-host", 0, K_LIST, F_ADD_HOST, check_extra_host, 0 },
	{ "dns", 0, K_LIST, F_DNS, check_ip, 0 },
	{ "dns-opt", 0, K_LIST, F_DNS_OPTION, NULL, 0 },
	{ "dns-option", 0, K_LIST, F_DNS_OPTION, NULL, 0 },
	{ "dns-search", 0, K_LIST, F_DNS_SEARCH, check_dns_search, 0 },
	{ "expose", 0, K_LIST, F_EXPOSE, NULL, 0 },
	{ "ip", 0, K_STR, F_IP, NULL, 0 },
	{ "ip6", 0, K_STR, F_IP6, NULL, 0 },
	{ "link", 0, K_LIST, F_LINK, check_link, 0 },
	{ "mac-address", 0, K_STR, F_MAC_ADDRESS, NULL, 0 },
	{ "publish", 'p', K_LIST, F_PUBLISH, NULL, 0 },
	{ "publish-all", 'P', K_BOOL, F_PUBLISH_ALL, NULL, 0 },
	{ "net", 0, K_LIST, F_NETWORK, NULL, 0 },
	{ "network", 0, K_LIST, F_NETWORK, NULL, 0 },
	{ "net-alias", 0, K_LIST, F_NETWORK_ALIAS, NULL, 0 },
	{ "network-alias", 0, K_LIST, F_NETWORK_ALIAS, NULL, 0 },
	{ "log-driver", 0, K_STR, F_LOG_DRIVER, NULL, 0 },
	{ "volume-driver", 0, K_STR, F_VOLUME_DRIVER, NULL, 0 },
	{ "log-opt", 0, K_LIST, F_LOG_OPT, NULL, 0 },
	{ "storage-opt", 0, K_LIST, F_STORAGE_OPT, NULL, 0 },
	{ "tmpfs", 0, K_LIST, F_TMPFS, NULL, 0 },
	{ "volumes-from", 0, K_LIST, F_VOLUMES_FROM, NULL, 0 },
	{ "volume", 'v', K_LIST, F_VOLUME, NULL, 0 },
	{ "mount", 0, K_LIST, F_MOUNT, NULL, 0 },
	{ "blkio-weight", 0, K_UINT16, F_BLKIO_WEIGHT, NULL, 0 },
	{ "cidfile", 0, K_STR, F_CIDFILE, NULL, 0 },
	{ "cpuset-cpus", 0, K_STR, F_CPUSET_CPUS, NULL, 0 },
	{ "cpuset-mems", 0, K_STR, F_CPUSET_MEMS, NULL, 0 },
	{ "cpu-period", 0, K_INT, F_CPU_PERIOD, NULL, 0 },
	{ "cpu-quota", 0, K_INT, F_CPU_QUOTA, NULL, 0 },
	{ "cpu-rt-period", 0, K_INT, F_CPU_RT_PERIOD, NULL, 0 },
	{ "cpu-rt-runtime", 0, K_INT, F_CPU_RT_RUNTIME, NULL, 0 },
	{ "cpu-shares", 'c', K_INT, F_CPU_SHARES, NULL, 0 },
	{ "cpus", 0, K_CPUS, F_CPUS, NULL, 0 },
	{ "kernel-memory", 0, K_MEM, F_KERNEL_MEMORY, NULL, 0 },
	{ "memory", 'm', K_MEM, F_MEMORY, NULL, 0 },
	{ "memory-reservation", 0, K_MEM, F_MEMORY_RESERVATION, NULL, 0 },
	{ "memory-swap", 0, K_MEMSWAP, F_MEMORY_SWAP, NULL, 0 },
	{ "memory-swappiness", 0, K_INT, F_MEMORY_SWAPPINESS, NULL, 0 },
	{ "oom-kill-disable", 0, K_BOOL, F_OOM_KILL_DISABLE, NULL, 0 },
	{ "oom-score-adj", 0, K_INT, F_OOM_SCORE_ADJ, NULL, 0 },
	{ "pids-limit", 0, K_INT, F_PIDS_LIMIT, NULL, 0 },
	{ "cgroup-parent", 0, K_STR, F_CGROUP_PARENT, NULL, 0 },
	{ "ipc", 0, K_STR, F_IPC, NULL, 0 },
	{ "isolation", 0, K_STR, F_ISOLATION, NULL, 0 },
	{ "pid", 0, K_STR, F_PID, NULL, 0 },
	{ "shm-size", 0, K_MEM, F_SHM_SIZE, NULL, 0 },
	{ "uts", 0, K_STR, F_UTS, NULL, 0 },
	{ "runtime", 0, K_STR, F_RUNTIME, NULL, 0 },
	{ "init", 0, K_BOOL, F_INIT, NULL, 0 },
	{ "name", 0, K_STR, F_NAME, NULL, 0 },
	{ "pull", 0, K_STR, F_PULL, NULL, 0 },
	{ "platform", 0, K_STR, F_PLATFORM, NULL, 0 },
	{ "disable-content-trust", 0, K_BOOL, F_DISABLE_CONTENT_TRUST, NULL, 0 },
	{ "help", 0, K_BOOL, F_HELP, NULL, 0 },
	{ "health-cmd", 0, K_STR, F_HEALTH_CMD, NULL, 0 },
	{ "health-interval", 0, K_DURATION, F_HEALTH_INTERVAL, NULL, 0 },
	{ "health-retries", 0, K_INT, F_HEALTH_RETRIES, NULL, 0 },
	{ "health-timeout", 0, K_DURATION, F_HEALTH_TIMEOUT, NULL, 0 },
	{ "health-start-period", 0, K_DURATION, F_HEALTH_START_PERIOD, NULL, 0 },
	{ "no-healthcheck", 0, K_BOOL, F_NO_HEALTHCHECK, NULL, 0 },
	{ "blkio-weight-device", 0, K_LIST, F_BLKIO_WEIGHT_DEVICE, check_weight_device, 0 },
	{ "device-read-bps", 0, K_LIST, F_DEVICE_READ_BPS, check_bps_device, 0 },
	{ "device-write-bps", 0, K_LIST, F_DEVICE_WRITE_BPS, check_bps_device, 0 },
	{ "device-read-iops", 0, K_LIST, F_DEVICE_READ_IOPS, check_iops_device, 0 },
	{ "device-write-iops", 0, K_LIST, F_DEVICE_WRITE_IOPS, check_iops_device, 0 },
	{ "link-local-ip", 0, K_LIST, F_LINK_LOCAL_IP, NULL, 0 },
	{ "gpus", 0, K_LIST, F_GPUS, NULL, 0 },
	{ "cpu-count", 0, K_INT, F_CPU_COUNT, NULL, 0 },
	{ "cpu-percent", 0, K_INT, F_CPU_PERCENT, NULL, 0 },
	{ "io-maxbandwidth", 0, K_MEM, F_IO_MAXBANDWIDTH, NULL, 0 },
	{ "io-maxiops", 0, K_UINT64, F_IO_MAXIOPS, NULL, 0 },
	{ "detach", 'd', K_BOOL, F_DETACH, NULL, 1 },
	{ "sig-proxy", 0, K_BOOL, F_SIG_PROXY, NULL, 1 },
	{ "detach-keys", 0, K_STR, F_DETACH_KEYS, NULL, 1 },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static const struct flag *find_long(const struct rf *r, const char *name, size_t n)
{
	for (size_t i = 0; i < NFLAGS; i++)
		if (strlen(flags[i].name) == n && !strncmp(flags[i].name, name, n) &&
		    (!flags[i].run_only || !strcmp(r->cmd, "run")))
			return &flags[i];
	return NULL;
}

static const struct flag *find_short(const struct rf *r, char c)
{
	for (size_t i = 0; i < NFLAGS; i++)
		if (flags[i].shorthand == c && (!flags[i].run_only || !strcmp(r->cmd, "run")))
			return &flags[i];
	return NULL;
}

static void val_push(struct val *v, char *s)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(*v->v));
	v->v[v->n++] = s;
}

/* ---------------------------------------------------------------- values parsed as set */

/* go-units ParseUlimit into {"Name","Hard","Soft"}. */
static const char *set_ulimit(struct ebuf *eb, struct rf *r, const char *val)
{
	static const char *const names[] = { "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
					     "nice", "nofile", "nproc", "rss", "rtprio", "rttime",
					     "sigpending", "stack" };
	const char *eq = strchr(val, '='), *colon, *e;
	int64_t soft, hard;
	size_t i;

	if (!eq)
		return cerr(eb, "invalid ulimit argument: %s", val);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == (size_t)(eq - val) && !strncmp(val, names[i], (size_t)(eq - val)))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return cerr(eb, "invalid ulimit type: %.*s", (int)(eq - val), val);
	colon = strchr(eq + 1, ':');
	if (colon && strchr(colon + 1, ':'))
		return cerr(eb, "too many limit value arguments - %s, can only have up to two, `soft[:hard]`", eq + 1);
	if (colon && (e = parse_go_int(eb, colon + 1, 10, &hard)))
		return e;
	_cleanup_free_ char *s = colon ? xstrndup(eq + 1, (size_t)(colon - eq - 1)) : xstrdup(eq + 1);
	if ((e = parse_go_int(eb, s, 10, &soft)))
		return e;
	if (!colon)
		hard = soft;
	if (hard != -1 && soft > hard)
		return cerr(eb, "ulimit soft limit must be less than or equal to hard limit: %lld > %lld", (long long)soft,
			    (long long)hard);
	json_t *u = json_pack("{s:s%,s:I,s:I}", "Name", val, (size_t)(eq - val), "Hard", (json_int_t)hard, "Soft",
			      (json_int_t)soft);
	/* UlimitOpt keeps a map by name: a second --ulimit nofile replaces */
	size_t k;
	json_t *o;
	json_array_foreach(r->ulimits, k, o)
		if (!strcmp(json_string_value(json_object_get(o, "Name")), json_string_value(json_object_get(u, "Name"))))
			return json_array_set_new(r->ulimits, k, u), NULL;
	json_array_append_new(r->ulimits, u);
	return NULL;
}

/* encoding/csv's Reader.Read of one line: fields, quotes doubled. */
static const char *csv_fields(struct ebuf *eb, const char *s, char ***out, size_t *n)
{
	struct sbuf f = SBUF_INIT;
	size_t col = 0;

	*out = NULL, *n = 0;
	for (;;) {
		sbuf_reset(&f);
		if (*s == '"') {
			s++, col++;
			for (;;) {
				if (!*s) {
					sbuf_release(&f);
					return cerr(eb, "parse error on line 1, column %zu: extraneous or missing \" in quoted-field", col + 1);
				}
				if (*s == '"' && s[1] == '"')
					sbuf_addch(&f, '"'), s += 2, col += 2;
				else if (*s == '"') {
					s++, col++;
					break;
				} else
					sbuf_addch(&f, *s++), col++;
			}
			if (*s && *s != ',') {
				sbuf_release(&f);
				return cerr(eb, "parse error on line 1, column %zu: extraneous or missing \" in quoted-field", col + 1);
			}
		} else {
			for (; *s && *s != ','; s++, col++) {
				if (*s == '"') {
					sbuf_release(&f);
					return cerr(eb, "parse error on line 1, column %zu: bare \" in non-quoted-field", col + 1);
				}
				sbuf_addch(&f, *s);
			}
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(f.buf ? f.buf : "");
		if (!*s)
			break;
		s++, col++;
	}
	sbuf_release(&f);
	return NULL;
}

static void free_fields(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static json_t *obj_child(json_t *o, const char *key)
{
	json_t *c = json_object_get(o, key);

	if (!c) {
		c = json_object();
		json_object_set_new(o, key, c);
	}
	return c;
}

static void set_kv(json_t *map, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (eq) {
		_cleanup_free_ char *k = xstrndup(kv, (size_t)(eq - kv));
		json_object_set_new(map, k, json_string(eq + 1));
	} else
		json_object_set_new(map, kv, json_string(""));
}

static int is_true_false(const char *v, int *b)
{
	return parse_go_bool(v, b) == 0;
}

/* opts.MountOpt.Set: one --mount into a mount.Mount object, whose fields
 * are all omitempty. */
static const char *mount_field(struct ebuf *eb, json_t *m, const char *field, const char *key, const char *value, int has_value)
{
	int b;
	int64_t i64;
	uint64_t u64;

	if (!has_value) {
		if (!strcmp(key, "readonly") || !strcmp(key, "ro"))
			return json_object_set_new(m, "ReadOnly", json_true()), NULL;
		if (!strcmp(key, "volume-nocopy"))
			return json_object_set_new(obj_child(m, "VolumeOptions"), "NoCopy", json_true()), NULL;
		if (!strcmp(key, "bind-nonrecursive"))
			return json_object_set_new(obj_child(m, "BindOptions"), "NonRecursive", json_true()), NULL;
		return cerr(eb, "invalid field '%s' must be a key=value pair", field);
	}
	if (!strcmp(key, "type")) {
		_cleanup_free_ char *t = xstrdup(value);
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		json_object_set_new(m, "Type", json_string(t));
	} else if (!strcmp(key, "source") || !strcmp(key, "src")) {
		json_object_set_new(m, "Source", json_string(value));
	} else if (!strcmp(key, "target") || !strcmp(key, "dst") || !strcmp(key, "destination")) {
		json_object_set_new(m, "Target", json_string(value));
	} else if (!strcmp(key, "readonly") || !strcmp(key, "ro")) {
		if (!is_true_false(value, &b))
			return cerr(eb, "invalid value for %s: %s", key, value);
		json_object_set_new(m, "ReadOnly", json_boolean(b));
	} else if (!strcmp(key, "consistency")) {
		_cleanup_free_ char *t = xstrdup(value);
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		json_object_set_new(m, "Consistency", json_string(t));
	} else if (!strcmp(key, "bind-propagation")) {
		_cleanup_free_ char *t = xstrdup(value);
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		json_object_set_new(obj_child(m, "BindOptions"), "Propagation", json_string(t));
	} else if (!strcmp(key, "bind-nonrecursive")) {
		if (!is_true_false(value, &b))
			return cerr(eb, "invalid value for %s: %s", key, value);
		json_object_set_new(obj_child(m, "BindOptions"), "NonRecursive", json_boolean(b));
	} else if (!strcmp(key, "volume-nocopy")) {
		if (!is_true_false(value, &b))
			return cerr(eb, "invalid value for volume-nocopy: %s", value);
		json_object_set_new(obj_child(m, "VolumeOptions"), "NoCopy", json_boolean(b));
	} else if (!strcmp(key, "volume-label")) {
		set_kv(obj_child(obj_child(m, "VolumeOptions"), "Labels"), value);
	} else if (!strcmp(key, "volume-driver")) {
		json_object_set_new(obj_child(obj_child(m, "VolumeOptions"), "DriverConfig"), "Name", json_string(value));
	} else if (!strcmp(key, "volume-opt")) {
		set_kv(obj_child(obj_child(obj_child(m, "VolumeOptions"), "DriverConfig"), "Options"), value);
	} else if (!strcmp(key, "tmpfs-size")) {
		if (ram_in_bytes(eb, value, &i64))
			return cerr(eb, "invalid value for %s: %s", key, value);
		json_object_set_new(obj_child(m, "TmpfsOptions"), "SizeBytes", json_integer(i64));
	} else if (!strcmp(key, "tmpfs-mode")) {
		if (parse_go_uint(eb, value, 8, UINT32_MAX, &u64))
			return cerr(eb, "invalid value for %s: %s", key, value);
		json_object_set_new(obj_child(m, "TmpfsOptions"), "Mode", json_integer((json_int_t)u64));
	} else {
		return cerr(eb, "unexpected key '%s' in '%s'", key, field);
	}
	return NULL;
}

/* A mount.Mount's pointer fields: kept once made, even when empty. */
static int is_mount_struct(const char *k)
{
	return !strcmp(k, "BindOptions") || !strcmp(k, "VolumeOptions") || !strcmp(k, "TmpfsOptions") ||
	       !strcmp(k, "DriverConfig");
}

/* Drops what Go's omitempty drops from a mount.Mount (every field has it):
 * false, 0, "" and empty maps; the maps' own entries are kept as they are. */
static void omit_empty(json_t *o)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(o, tmp, k, v) {
		if (json_is_object(v) && is_mount_struct(k))
			omit_empty(v);
		else if (json_is_false(v) || (json_is_integer(v) && !json_integer_value(v)) ||
			 (json_is_string(v) && !*json_string_value(v)) || (json_is_object(v) && !json_object_size(v)))
			json_object_del(o, k);
	}
}

static const char *set_mount(struct ebuf *eb, struct rf *r, const char *val)
{
	char **fields;
	size_t n;
	const char *e;
	json_t *m;

	if ((e = csv_fields(eb, val, &fields, &n)))
		return e;
	m = json_pack("{s:s}", "Type", "volume");
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i], *eq = strchr(f, '=');
		_cleanup_free_ char *key = eq ? xstrndup(f, (size_t)(eq - f)) : xstrdup(f);
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if ((e = mount_field(eb, m, f, key, eq ? eq + 1 : NULL, eq != NULL)))
			goto out;
	}
	const char *type = json_string_value(json_object_get(m, "Type"));
	const char *target = json_string_value(json_object_get(m, "Target"));
	if (!*type) {
		e = cerr(eb, "type is required");
	} else if (!target || !*target) {
		e = cerr(eb, "target is required");
	} else if (json_object_get(m, "VolumeOptions") && strcmp(type, "volume")) {
		e = cerr(eb, "cannot mix 'volume-*' options with mount type '%s'", type);
	} else if (json_object_get(m, "BindOptions") && strcmp(type, "bind")) {
		e = cerr(eb, "cannot mix 'bind-*' options with mount type '%s'", type);
	} else if (json_object_get(m, "TmpfsOptions") && strcmp(type, "tmpfs")) {
		e = cerr(eb, "cannot mix 'tmpfs-*' options with mount type '%s'", type);
	} else {
		json_t *vo = json_object_get(m, "VolumeOptions");
		if (vo)
			obj_child(vo, "DriverConfig");
		omit_empty(m);
		json_array_append(r->mounts, m);
	}
out:
	json_decref(m);
	free_fields(fields, n);
	return e;
}

/* \w+=\w+ anywhere in the value: NetworkOpt's test for its csv syntax. */
static int network_long_syntax(const char *s)
{
	for (const char *p = strchr(s, '='); p; p = strchr(p + 1, '='))
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_') &&
		    (isalnum((unsigned char)p[1]) || p[1] == '_'))
			return 1;
	return 0;
}

static char *trim_lower(const char *s)
{
	size_t b = 0, e = strlen(s);

	while (isspace((unsigned char)s[b]))
		b++;
	while (e > b && isspace((unsigned char)s[e - 1]))
		e--;
	char *t = xstrndup(s + b, e - b);
	for (char *p = t; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return t;
}

static const char *set_network(struct ebuf *eb, struct rf *r, const char *val)
{
	json_t *n = json_object();
	const char *e = NULL;
	char **fields;
	size_t nf;

	if (!network_long_syntax(val)) {
		json_object_set_new(n, "Target", json_string(val));
		json_array_append_new(r->nets, n);
		return NULL;
	}
	if ((e = csv_fields(eb, val, &fields, &nf)))
		return json_decref(n), e;
	json_object_set_new(n, "Aliases", json_array());
	for (size_t i = 0; i < nf && !e; i++) {
		char *eq = strchr(fields[i], '=');
		if (!eq) {
			e = cerr(eb, "invalid field %s", fields[i]);
			break;
		}
		*eq = 0;
		_cleanup_free_ char *k = trim_lower(fields[i]);
		_cleanup_free_ char *v = trim_lower(eq + 1);
		if (!strcmp(k, "name"))
			json_object_set_new(n, "Target", json_string(v));
		else if (!strcmp(k, "alias"))
			json_array_append_new(json_object_get(n, "Aliases"), json_string(v));
		else if (!strcmp(k, "ip"))
			json_object_set_new(n, "IPv4Address", json_string(v));
		else if (!strcmp(k, "ip6"))
			json_object_set_new(n, "IPv6Address", json_string(v));
		else if (!strcmp(k, "driver-opt")) {
			char *deq = strchr(v, '=');
			if (!deq)
				e = cerr(eb, "invalid key value pair format in driver options");
			else
				set_kv(obj_child(n, "DriverOpts"), v);
		} else
			e = cerr(eb, "invalid field key %s", k);
	}
	free_fields(fields, nf);
	if (!e && !json_string_value(json_object_get(n, "Target")))
		e = cerr(eb, "network name/id is not specified");
	if (e)
		json_decref(n);
	else
		json_array_append_new(r->nets, n);
	return e;
}

/* parseCount: "all" is -1, else strconv.Atoi (a Go int: 64 bits). */
static const char *gpu_count(struct ebuf *eb, const char *s, json_t *req)
{
	int64_t n = -1;

	if (strcmp(s, "all") && parse_go_int(eb, s, 10, &n)) {
		_cleanup_free_ char *q = gojson_quote(s);
		int range = strstr(eb->s, "out of range") != NULL;
		return cerr(eb, "count must be an integer: strconv.Atoi: parsing %s: %s", q,
			    range ? "value out of range" : "invalid syntax");
	}
	json_object_set_new(req, "Count", json_integer(n));
	return NULL;
}

static json_t *split_list(const char *s)
{
	json_t *a = json_array();

	for (;;) {
		size_t n = strcspn(s, ",");
		json_array_append_new(a, json_stringn(s, n));
		if (!s[n])
			return a;
		s += n + 1;
	}
}

/* opts.GpuOpts.Set: one --gpus into a DeviceRequest. */
static const char *set_gpus(struct ebuf *eb, struct rf *r, const char *val)
{
	json_t *req = json_pack("{s:s,s:i,s:n,s:n,s:n}", "Driver", "", "Count", 0, "DeviceIDs", "Capabilities",
				"Options");
	json_t *seen = json_object();
	char **fields;
	size_t n;
	const char *e;

	if ((e = csv_fields(eb, val, &fields, &n)))
		goto out;
	for (size_t i = 0; i < n && !e; i++) {
		char *f = fields[i], *eq = strchr(f, '=');
		_cleanup_free_ char *key = eq ? xstrndup(f, (size_t)(eq - f)) : xstrdup(f);
		if (json_object_get(seen, key)) {
			e = cerr(eb, "gpu request key '%s' can be specified only once", key);
			break;
		}
		json_object_set_new(seen, key, json_true());
		if (!eq) {
			json_object_set_new(seen, "count", json_true());
			e = gpu_count(eb, key, req);
			continue;
		}
		const char *v = eq + 1;
		if (!strcmp(key, "driver")) {
			json_object_set_new(req, "Driver", json_string(v));
		} else if (!strcmp(key, "count")) {
			e = gpu_count(eb, v, req);
		} else if (!strcmp(key, "device")) {
			json_object_set_new(req, "DeviceIDs", split_list(v));
		} else if (!strcmp(key, "capabilities")) {
			json_t *caps = split_list(v);
			json_array_append_new(caps, json_string("gpu"));
			json_object_set_new(req, "Capabilities", json_pack("[o]", caps));
		} else if (!strcmp(key, "options")) {
			char **of;
			size_t on;
			if ((e = csv_fields(eb, v, &of, &on))) {
				_cleanup_free_ char *why = xstrdup(e);
				e = cerr(eb, "failed to read gpu options: %s", why);
				break;
			}
			json_t *m = json_object();
			for (size_t k = 0; k < on; k++)
				set_kv(m, of[k]);
			free_fields(of, on);
			json_object_set_new(req, "Options", m);
		} else {
			e = cerr(eb, "unexpected key '%s' in '%s'", key, f);
		}
	}
	free_fields(fields, n);
	if (e)
		goto out;
	if (!json_object_get(seen, "count") && json_is_null(json_object_get(req, "DeviceIDs")))
		json_object_set_new(req, "Count", json_integer(1));
	if (json_is_null(json_object_get(req, "Options")))
		json_object_set_new(req, "Options", json_object());
	if (json_is_null(json_object_get(req, "Capabilities")))
		json_object_set_new(req, "Capabilities", json_pack("[[s]]", "gpu"));
	json_array_append(r->gpus, req);
out:
	json_decref(req);
	json_decref(seen);
	return e;
}

/* Sets one flag (pflag's Value.Set): NULL, or the error after "flag: ". */
static const char *set_flag(struct ebuf *eb, struct rf *r, const struct flag *f, const char *arg)
{
	struct val *v = &r->val[f->id];
	const char *e = NULL;
	int b;

	switch (f->kind) {
	case K_BOOL:
		if (parse_go_bool(arg, &b) < 0)
			return strconv_err(eb, "ParseBool", arg, 0);
		v->num = b;
		break;
	case K_STR:
		val_push(v, xstrdup(arg));
		break;
	case K_INT:
		if ((e = parse_go_int(eb, arg, 0, &v->num)))
			return e;
		break;
	case K_UINT16: {
		uint64_t u;
		if ((e = parse_go_uint(eb, arg, 0, 65535, &u)))
			return e;
		v->num = (int64_t)u;
		break;
	}
	case K_MEM:
		if ((e = ram_in_bytes(eb, arg, &v->num)))
			return e;
		break;
	case K_MEMSWAP:
		if (!strcmp(arg, "-1"))
			v->num = -1;
		else if ((e = ram_in_bytes(eb, arg, &v->num)))
			return e;
		break;
	case K_CPUS:
		if ((e = parse_cpus(eb, arg, &v->num)))
			return e;
		break;
	case K_DURATION:
		if ((e = parse_duration(eb, arg, &v->num)))
			return e;
		break;
	case K_UINT64: {
		uint64_t u;
		if ((e = parse_go_uint(eb, arg, 0, UINT64_MAX, &u)))
			return e;
		v->num = (int64_t)u;
		break;
	}
	case K_LIST:
		if (f->id == F_ULIMIT)
			e = set_ulimit(eb, r, arg);
		else if (f->id == F_MOUNT)
			e = set_mount(eb, r, arg);
		else if (f->id == F_NETWORK)
			e = set_network(eb, r, arg);
		else if (f->id == F_GPUS)
			e = set_gpus(eb, r, arg);
		if (e)
			return e;
		char *out = NULL;
		if (f->check && (e = f->check(eb, arg, &out)))
			return e;
		val_push(v, out ? out : xstrdup(arg));
		break;
	}
	v->changed = 1;
	return NULL;
}

/* ---------------------------------------------------------------- argv */

static int flag_error(struct rf *r, struct cli_run_opts *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int flag_error(struct rf *r, struct cli_run_opts *o, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	o->error = xasprintf("%s\nSee 'berth %s --help'.\n", msg, r->cmd);
	free(msg);
	return 125;
}

static int invalid_arg(struct rf *r, struct cli_run_opts *o, const struct flag *f, const char *arg, const char *e)
{
	_cleanup_free_ char *q = gojson_quote(arg);

	if (f->shorthand)
		return flag_error(r, o, "invalid argument %s for \"-%c, --%s\" flag: %s", q, f->shorthand, f->name, e);
	return flag_error(r, o, "invalid argument %s for \"--%s\" flag: %s", q, f->name, e);
}

/* pflag's parseArgs with SetInterspersed(false): flags up to the first
 * argument that is not one (or "--").  Returns the index of the image, or
 * -status. */
static int parse_argv(struct rf *r, struct cli_run_opts *o, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct flag *f;
		const char *e;

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			if (!n || name[0] == '-' || name[0] == '=')
				return -flag_error(r, o, "bad flag syntax: %s", a);
			if (!(f = find_long(r, name, n)))
				return -flag_error(r, o, "unknown flag: --%.*s", (int)n, name);
			const char *arg = eq ? eq + 1 : NULL;
			if (!arg && f->kind == K_BOOL)
				arg = "true";
			else if (!arg) {
				if (i + 1 >= argc)
					return -flag_error(r, o, "flag needs an argument: --%s", f->name);
				arg = argv[++i];
			}
			if ((e = set_flag(&r->eb, r, f, arg)))
				return -invalid_arg(r, o, f, arg, e);
			continue;
		}
		for (const char *s = a + 1; *s; s++) {
			const char *arg;
			int rest = 1; /* the value took the rest of this argument */
			if (!(f = find_short(r, *s)))
				return -flag_error(r, o, "unknown shorthand flag: '%c' in -%s", *s, s);
			if (s[1] == '=' && s[2]) {
				arg = s + 2;
			} else if (f->kind == K_BOOL) {
				arg = "true", rest = 0;
			} else if (s[1]) {
				arg = s + 1;
			} else if (i + 1 < argc) {
				arg = argv[++i];
			} else {
				return -flag_error(r, o, "flag needs an argument: '%c' in -%c", *s, *s);
			}
			if ((e = set_flag(&r->eb, r, f, arg)))
				return -invalid_arg(r, o, f, arg, e);
			if (rest)
				break;
		}
	}
	return i;
}

/* ---------------------------------------------------------------- building the body */

static const char *last(const struct rf *r, enum flag_id id)
{
	const struct val *v = &r->val[id];

	return v->n ? v->v[v->n - 1] : "";
}

static json_t *str_list(const struct rf *r, enum flag_id id, int empty_not_null)
{
	const struct val *v = &r->val[id];
	json_t *a;

	if (!v->n && !empty_not_null)
		return json_null();
	a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static int has_value(const struct rf *r, enum flag_id id, const char *s)
{
	for (size_t i = 0; i < r->val[id].n; i++)
		if (!strcmp(r->val[id].v[i], s))
			return 1;
	return 0;
}

/* opts.ValidateMACAddress (net.ParseMAC): 6, 8 or 20 octets, as
 * xx:xx.., xx-xx.. or xxxx.xxxx... */
static int valid_mac(const char *s)
{
	size_t n = strlen(s), groups;

	if (n < 14)
		return 0;
	if (s[2] == ':' || s[2] == '-') {
		if ((n + 1) % 3)
			return 0;
		groups = (n + 1) / 3;
		for (size_t i = 0; i < n; i++)
			if (i % 3 == 2 ? s[i] != s[2] : !isxdigit((unsigned char)s[i]))
				return 0;
	} else if (s[4] == '.') {
		if ((n + 1) % 5)
			return 0;
		groups = (n + 1) / 5 * 2;
		for (size_t i = 0; i < n; i++)
			if (i % 5 == 4 ? s[i] != '.' : !isxdigit((unsigned char)s[i]))
				return 0;
	} else {
		return 0;
	}
	return groups == 6 || groups == 8 || groups == 20;
}

/* nat.ParsePortRange. */
static const char *port_range(struct ebuf *eb, const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = strchr(s, '-'), *e;

	if (!*s)
		return cerr(eb, "Empty string specified for ports.");
	if (!dash) {
		if ((e = parse_go_uint(eb, s, 10, 65535, start)))
			return e;
		*end = *start;
		return NULL;
	}
	_cleanup_free_ char *a = xstrndup(s, (size_t)(dash - s));
	const char *b = dash + 1;
	_cleanup_free_ char *bb = xstrndup(b, strcspn(b, "-"));
	if ((e = parse_go_uint(eb, a, 10, 65535, start)) || (e = parse_go_uint(eb, bb, 10, 65535, end)))
		return e;
	if (*end < *start)
		return cerr(eb, "Invalid range specified for the Port: %s", s);
	return NULL;
}

/* nat.SplitProtoPort: (proto, port) into new strings. */
static void split_proto_port(const char *raw, char **proto, char **port)
{
	const char *slash = strchr(raw, '/');

	if (!*raw || raw[0] == '/') {
		*proto = xstrdup(""), *port = xstrdup("");
	} else if (!slash) {
		*proto = xstrdup("tcp"), *port = xstrdup(raw);
	} else {
		const char *p = slash + 1;
		size_t pl = strcspn(p, "/");
		*port = xstrndup(raw, (size_t)(slash - raw));
		*proto = pl ? xstrndup(p, pl) : xstrdup("tcp");
	}
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* net.SplitHostPort(rawip + ":")'s host, the brackets of an IPv6
 * address stripped; its errors as nat.ParsePortSpec words them. */
static const char *split_host(struct ebuf *eb, const char *rawip, char **host)
{
	_cleanup_free_ char *hp = xasprintf("%s:", rawip);
	size_t len = strlen(hp), i = len - 1, j = 0, k = 0;
	const char *why = NULL;

	*host = NULL;
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');
		size_t e1 = end ? (size_t)(end - hp) + 1 : 0;
		if (!end)
			why = "missing ']' in address";
		else if (e1 == len)
			why = "missing port in address";
		else if (e1 != i)
			why = hp[e1] == ':' ? "too many colons in address" : "missing port in address";
		else
			*host = xstrndup(hp + 1, e1 - 2), j = 1, k = e1;
	} else {
		*host = xstrndup(hp, i);
		if (strchr(*host, ':'))
			why = "too many colons in address";
	}
	if (!why && strchr(hp + j, '['))
		why = "unexpected '[' in address";
	if (!why && strchr(hp + k, ']'))
		why = "unexpected ']' in address";
	if (!why)
		return NULL;
	free(*host);
	*host = NULL;
	return cerr(eb, "Invalid ip address %s: address %s: %s", rawip, hp, why);
}

/* nat.ParsePortSpec of one "[ip:][hostport:]port[/proto]" into exposed
 * and bindings. */
static const char *port_spec(struct ebuf *eb, const char *raw, json_t *exposed, json_t *bindings)
{
	const char *colon = strrchr(raw, ':'), *e;
	_cleanup_free_ char *rawip = NULL, *hostport = NULL, *cport = NULL, *proto = NULL, *ip = NULL;
	uint64_t sp, ep, shp = 0, ehp = 0;
	size_t ncolon = 0;

	for (const char *p = raw; *p; p++)
		ncolon += *p == ':';
	if (ncolon == 0) {
		rawip = xstrdup(""), hostport = xstrdup("");
		split_proto_port(raw, &proto, &cport);
	} else {
		const char *prev = colon;
		while (prev > raw && prev[-1] != ':')
			prev--;
		split_proto_port(colon + 1, &proto, &cport);
		if (ncolon == 1) {
			rawip = xstrdup("");
			hostport = xstrndup(raw, (size_t)(colon - raw));
		} else {
			rawip = xstrndup(raw, (size_t)(prev - 1 - raw));
			hostport = xstrndup(prev, (size_t)(colon - prev));
		}
	}
	if ((e = split_host(eb, rawip, &ip)))
		return e;
	if (*ip) {
		_cleanup_free_ char *t = parse_ip(ip);
		if (!t)
			return cerr(eb, "Invalid ip address: %s", ip);
	}
	if (!*cport)
		return cerr(eb, "No port specified: %s<empty>", raw);
	if (port_range(eb, cport, &sp, &ep))
		return cerr(eb, "Invalid containerPort: %s", cport);
	if (*hostport && port_range(eb, hostport, &shp, &ehp))
		return cerr(eb, "Invalid hostPort: %s", hostport);
	if (*hostport && ep - sp != ehp - shp && ep != sp)
		return cerr(eb, "Invalid ranges specified for container and host Ports: %s and %s", cport, hostport);
	_cleanup_free_ char *lproto = xstrdup(proto);
	lower(lproto);
	if (strcmp(lproto, "tcp") && strcmp(lproto, "udp") && strcmp(lproto, "sctp"))
		return cerr(eb, "Invalid proto: %s", proto);
	for (uint64_t i = 0; i <= ep - sp; i++) {
		char key[32], hp[48] = "";
		json_t *list;
		snprintf(key, sizeof(key), "%llu/%s", (unsigned long long)(sp + i), lproto);
		if (*hostport)
			snprintf(hp, sizeof(hp), "%llu", (unsigned long long)(shp + i));
		if (sp == ep && shp != ehp)
			snprintf(hp + strlen(hp), sizeof(hp) - strlen(hp), "-%llu", (unsigned long long)ehp);
		json_object_set_new(exposed, key, json_object());
		if (!(list = json_object_get(bindings, key))) {
			list = json_array();
			json_object_set_new(bindings, key, list);
		}
		json_array_append_new(list, json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", hp));
	}
	return NULL;
}

/* convertToStandardNotation: "published=8080,target=80[,protocol=udp]". */
static const char *publish_notation(struct ebuf *eb, const char *p, char **out)
{
	char *published = NULL, *target = NULL, *protocol = NULL;
	const char *s = p;

	*out = NULL;
	if (!strchr(p, '='))
		return *out = xstrdup(p), NULL;
	for (;;) {
		size_t n = strcspn(s, ",");
		_cleanup_free_ char *param = xstrndup(s, n);
		char *eq = strchr(param, '=');
		if (!eq) {
			free(published), free(target), free(protocol);
			return cerr(eb, "invalid publish opts format (should be name=value but got '%s')", param);
		}
		*eq = 0;
		char *v = xstrndup(eq + 1, strcspn(eq + 1, "="));
		char **slot = !strcmp(param, "published") ? &published : !strcmp(param, "target") ? &target
			    : !strcmp(param, "protocol") ? &protocol : NULL;
		if (slot) {
			free(*slot);
			*slot = v;
		} else {
			free(v);
		}
		if (!s[n])
			break;
		s += n + 1;
	}
	*out = xasprintf("%s:%s/%s", published ? published : "", target ? target : "", protocol ? protocol : "tcp");
	free(published), free(target), free(protocol);
	return NULL;
}

static const char *build_ports(struct ebuf *eb, const struct rf *r, json_t *exposed, json_t *bindings)
{
	const struct val *v = &r->val[F_PUBLISH];
	const char *e;

	for (size_t i = 0; i < v->n; i++) {
		char *std;
		if ((e = publish_notation(eb, v->v[i], &std)))
			return e;
		e = port_spec(eb, std, exposed, bindings);
		free(std);
		if (e)
			return e;
	}
	v = &r->val[F_EXPOSE];
	for (size_t i = 0; i < v->n; i++) {
		_cleanup_free_ char *proto = NULL, *port = NULL;
		uint64_t s, en;
		if (strchr(v->v[i], ':'))
			return cerr(eb, "invalid port format for --expose: %s", v->v[i]);
		split_proto_port(v->v[i], &proto, &port);
		if ((e = port_range(eb, port, &s, &en))) {
			_cleanup_free_ char *why = xstrdup(e);
			return cerr(eb, "invalid range format for --expose: %s, error: %s", v->v[i], why);
		}
		for (uint64_t p = s; p <= en; p++) {
			char key[32];
			snprintf(key, sizeof(key), "%llu/%s", (unsigned long long)p, proto);
			json_object_set_new(exposed, key, json_object());
		}
	}
	return NULL;
}

/* loader.ParseVolume far enough to tell a bind (a source) from an
 * anonymous volume; its errors are ignored, as the CLI ignores them. */
static int volume_has_source(const char *spec)
{
	size_t n = strlen(spec), start = 0, sections = 0;

	if (n <= 2)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		int is_end = i == n;
		if (!is_end && spec[i] == ':' && i - start == 1 && isalpha((unsigned char)spec[start]))
			continue; /* a Windows drive letter: "c:" stays in the section */
		if (!is_end && spec[i] != ':')
			continue;
		if (i == start)
			return sections > 0; /* empty section: Source as far as it got */
		if (is_end && sections == 0)
			return 0;            /* the only section is the target */
		return 1;                    /* a first section before ':' is the source */
	}
	return 0;
}

/* utf8.Valid: well-formed UTF-8, no surrogates, no overlong forms. */
static int utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + n;

	while (s < end) {
		unsigned c = *s++;
		size_t more;
		unsigned min, cp;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			more = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - s) < more)
			return 0;
		for (size_t k = 0; k < more; k++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

/* opts.ReadKVEnvStrings/ReadKVStrings' file part: parseKeyValueFile. */
static const char *read_kv_file(struct ebuf *eb, const char *path, int env, json_t *out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	const char *e = NULL;

	if (!f) {
		int err = errno;
		return cerr(eb, "open %s: %s", path,
			    err == ENOENT ? "no such file or directory" : err == EACCES ? "permission denied"
			    : err == ENOTDIR ? "not a directory" : strerror(err));
	}
	while (!e && (len = getline(&line, &cap, f)) >= 0) {
		char *s = line;
		if (len && s[len - 1] == '\n')
			s[--len] = 0;
		if (len && s[len - 1] == '\r')
			s[--len] = 0;
		if (!utf8_valid(s, (size_t)len)) {
			struct sbuf b = SBUF_INIT;
			for (ssize_t k = 0; k < len; k++)
				sbuf_addf(&b, "%s%u", k ? " " : "", (unsigned char)s[k]);
			e = cerr(eb, "env file %s contains invalid utf8 bytes at line %d: [%s]", path, lineno + 1,
				 b.buf ? b.buf : "");
			sbuf_release(&b);
			break;
		}
		if (lineno++ == 0 && !strncmp(s, "\xEF\xBB\xBF", 3))
			s += 3;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		size_t kn = strcspn(s, "=");
		char *k = s;
		while (*k == ' ' || *k == '\t')
			k++;
		size_t klen = (size_t)(s + kn - k);
		if (memchr(k, ' ', klen) || memchr(k, '\t', klen)) {
			e = cerr(eb, "poorly formatted environment: variable '%.*s' contains whitespaces", (int)klen, k);
		} else if (!klen) {
			e = cerr(eb, "poorly formatted environment: no variable name on line '%s'", s);
		} else if (s[kn] == '=') {
			json_array_append_new(out, json_sprintf("%.*s=%s", (int)klen, k, s + kn + 1));
		} else if (env) {
			char *t = s + strlen(s);
			while (t > s && isspace((unsigned char)t[-1]))
				*--t = 0;
			const char *v = getenv(s);
			if (v)
				json_array_append_new(out, json_sprintf("%s=%s", s, v));
		}
	}
	if (!e && ferror(f)) {
		int err = errno;
		e = cerr(eb, "read %s: %s", path, err == EISDIR ? "is a directory" : strerror(err));
	}
	free(line);
	fclose(f);
	return e;
}

/* Env: the env files' lines, then -e as the CLI's proxy-config step
 * leaves them (a map: one entry per name, the last value winning). */
static const char *build_env(struct ebuf *eb, const struct rf *r, json_t **out)
{
	const struct val *v = &r->val[F_ENV];
	json_t *env = json_array();
	const char *e;

	for (size_t i = 0; i < r->val[F_ENV_FILE].n; i++)
		if ((e = read_kv_file(eb, r->val[F_ENV_FILE].v[i], 1, env)))
			return json_decref(env), e;
	for (size_t i = 0; i < v->n; i++) {
		size_t kn = strcspn(v->v[i], "="), j;
		for (j = i + 1; j < v->n; j++)
			if (strcspn(v->v[j], "=") == kn && !strncmp(v->v[i], v->v[j], kn))
				break;
		if (j == v->n)
			json_array_append_new(env, json_string(v->v[i]));
	}
	if (!json_array_size(env)) {
		json_decref(env);
		env = json_null();
	}
	*out = env;
	return NULL;
}

static const char *build_labels(struct ebuf *eb, const struct rf *r, json_t **out)
{
	json_t *list = json_array(), *labels = json_object(), *x;
	const char *e;
	size_t i;

	for (i = 0; i < r->val[F_LABEL_FILE].n; i++)
		if ((e = read_kv_file(eb, r->val[F_LABEL_FILE].v[i], 0, list)))
			return json_decref(list), json_decref(labels), e;
	json_array_foreach(list, i, x)
		set_kv(labels, json_string_value(x));
	for (i = 0; i < r->val[F_LABEL].n; i++)
		set_kv(labels, r->val[F_LABEL].v[i]);
	json_decref(list);
	*out = labels;
	return NULL;
}

/* container.PidMode/UTSMode Valid(): "", "host" or (PID only)
 * "container:NAME". */
static int ns_mode_valid(const char *m, int container_ok)
{
	if (!*m || !strcmp(m, "host"))
		return 1;
	if (!strncmp(m, "container:", 10))
		return container_ok && m[10] && !strchr(m + 10, ':');
	return 0;
}

/* json.Compact of a seccomp profile: whitespace outside strings dropped. */
static const char *compact_json(struct ebuf *eb, const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	struct sbuf b = SBUF_INIT;
	int c, in_str = 0, esc = 0;

	if (!f)
		return cerr(eb, "opening seccomp profile (%s) failed: open %s: %s", path, path,
			    errno == ENOENT ? "no such file or directory" : strerror(errno));
	while ((c = fgetc(f)) != EOF) {
		if (in_str) {
			sbuf_addch(&b, (char)c);
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
			sbuf_addch(&b, (char)c);
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			sbuf_addch(&b, (char)c);
		}
	}
	fclose(f);
	/* json.Compact also validates; Go's error texts are matched for the
	 * common case of a file that is not JSON at all */
	json_error_t je;
	json_t *doc = json_loadb(b.buf ? b.buf : "", b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!doc) {
		const char *p0 = b.buf ? b.buf : "";
		const char *e;
		if (!*p0)
			e = cerr(eb, "compacting json for seccomp profile (%s) failed: unexpected end of JSON input", path);
		else if (!strchr("{[\"-0123456789tfn", *p0))
			e = cerr(eb, "compacting json for seccomp profile (%s) failed: invalid character '%c' looking for "
				     "beginning of value", path, *p0);
		else
			e = cerr(eb, "compacting json for seccomp profile (%s) failed: %s", path, je.text);
		sbuf_release(&b);
		return e;
	}
	json_decref(doc);
	*out = sbuf_detach(&b, NULL);
	return NULL;
}

static const char *build_security_opts(struct ebuf *eb, const struct rf *r, json_t **out, int *systempaths_unconfined)
{
	const struct val *v = &r->val[F_SECURITY_OPT];
	json_t *a;

	*systempaths_unconfined = 0;
	if (!v->n) {
		*out = json_null();
		return NULL;
	}
	a = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const char *opt = v->v[i], *sep = strchr(opt, '=');
		if (!sep && strcmp(opt, "no-new-privileges")) {
			if (!(sep = strchr(opt, ':'))) {
				_cleanup_free_ char *q = gojson_quote(opt);
				json_decref(a);
				return cerr(eb, "Invalid --security-opt: %s", q);
			}
		}
		if (sep && (size_t)(sep - opt) == 7 && !strncmp(opt, "seccomp", 7) && strcmp(sep + 1, "unconfined")) {
			char *prof = NULL;
			const char *e = compact_json(eb, sep + 1, &prof);
			if (e)
				return json_decref(a), e;
			json_array_append_new(a, json_sprintf("seccomp=%s", prof));
			free(prof);
			continue;
		}
		if (!strcmp(opt, "systempaths=unconfined")) {
			*systempaths_unconfined = 1;
			continue;
		}
		json_array_append_new(a, json_string(opt));
	}
	*out = a;
	return NULL;
}

static int is_user_defined_network(const char *n)
{
	return strcmp(n, "default") && strcmp(n, "bridge") && strcmp(n, "host") && strcmp(n, "none") &&
	       strncmp(n, "container:", 10);
}

/* One --network as parseNetworkAttachmentOpt sees it, the first one with
 * --network-alias, --link, --ip, --ip6 and --link-local-ip applied. */
struct netopt {
	const char *target, *ip4, *ip6;
	json_t *aliases;   /* owned: [] when none */
	json_t *links;     /* owned: null when none */
	json_t *lli;       /* owned: null when none */
	json_t *dopts;     /* borrowed: NULL when none */
};

static void netopt_release(struct netopt *n)
{
	json_decref(n->aliases);
	json_decref(n->links);
	json_decref(n->lli);
}

/* applyContainerOptions. */
static const char *apply_container_options(struct ebuf *eb, const struct rf *r, struct netopt *n)
{
	if (json_array_size(n->aliases) && r->val[F_NETWORK_ALIAS].n)
		return cerr(eb, "conflicting options: cannot specify both --network-alias and per-network alias");
	if (*n->ip4 && *last(r, F_IP))
		return cerr(eb, "conflicting options: cannot specify both --ip and per-network IPv4 address");
	if (*n->ip6 && *last(r, F_IP6))
		return cerr(eb, "conflicting options: cannot specify both --ip6 and per-network IPv6 address");
	for (size_t k = 0; k < r->val[F_NETWORK_ALIAS].n; k++)
		json_array_append_new(n->aliases, json_string(r->val[F_NETWORK_ALIAS].v[k]));
	if (r->val[F_LINK].n) {
		json_decref(n->links);
		n->links = str_list(r, F_LINK, 0);
	}
	if (*last(r, F_IP))
		n->ip4 = last(r, F_IP);
	if (*last(r, F_IP6))
		n->ip6 = last(r, F_IP6);
	if (r->val[F_LINK_LOCAL_IP].n) {
		json_decref(n->lli);
		n->lli = str_list(r, F_LINK_LOCAL_IP, 0);
	}
	return NULL;
}

static int netopt_empty(const struct netopt *n)
{
	return !json_array_size(n->aliases) && json_is_null(n->links) && !*n->ip4 && !*n->ip6 &&
	       json_is_null(n->lli) && !n->dopts;
}

/* parseNetworkAttachmentOpt: a network.EndpointSettings, all its fields. */
static const char *endpoint_json(struct ebuf *eb, const struct netopt *n, json_t **out)
{
	json_t *ipam = json_null();

	if (!*n->target)
		return cerr(eb, "no name set for network");
	if (!is_user_defined_network(n->target)) {
		if (json_array_size(n->aliases))
			return cerr(eb, "network-scoped aliases are only supported for user-defined networks");
		if (json_array_size(n->links))
			return cerr(eb, "links are only supported for user-defined networks");
	}
	if (*n->ip4 || *n->ip6 || !json_is_null(n->lli)) {
		ipam = json_object();
		if (*n->ip4)
			json_object_set_new(ipam, "IPv4Address", json_string(n->ip4));
		if (*n->ip6)
			json_object_set_new(ipam, "IPv6Address", json_string(n->ip6));
		if (!json_is_null(n->lli))
			json_object_set(ipam, "LinkLocalIPs", n->lli);
	}
	*out = json_pack("{s:o,s:O,s:O,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:O?}", "IPAMConfig", ipam, "Links",
			 n->links, "Aliases", json_array_size(n->aliases) ? n->aliases : json_null(), "NetworkID", "",
			 "EndpointID", "", "Gateway", "", "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "",
			 "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0, "MacAddress", "", "DriverOpts", n->dopts);
	return NULL;
}

/* parseNetworkOpts: an endpoint per --network, except that a lone network
 * with nothing set sends none (the daemon makes it). */
static const char *build_networking(struct ebuf *eb, const struct rf *r, json_t **out)
{
	json_t *eps = json_object(), *o;
	size_t i, count = json_array_size(r->nets);
	int user = 0, nonuser = 0;
	const char *e = NULL;

	json_array_foreach(r->nets, i, o) {
		struct netopt n = {
			.target = json_string_value(json_object_get(o, "Target")),
			.ip4 = json_string_value(json_object_get(o, "IPv4Address")),
			.ip6 = json_string_value(json_object_get(o, "IPv6Address")),
			.aliases = json_array(), .links = json_null(), .lli = json_null(),
			.dopts = json_object_get(o, "DriverOpts"),
		};
		json_t *ep = NULL;
		if (!n.ip4)
			n.ip4 = "";
		if (!n.ip6)
			n.ip6 = "";
		if (json_object_get(o, "Aliases"))
			json_array_extend(n.aliases, json_object_get(o, "Aliases"));
		if (is_user_defined_network(n.target))
			user = 1;
		else
			nonuser = 1;
		if ((i == 0 && (e = apply_container_options(eb, r, &n))) || (e = endpoint_json(eb, &n, &ep))) {
			netopt_release(&n);
			break;
		}
		if (i == 0 && count == 1 && netopt_empty(&n)) {
			json_decref(ep);
		} else if (json_object_get(eps, n.target)) {
			_cleanup_free_ char *q = gojson_quote(n.target);
			e = cerr(eb, "network %s is specified multiple times", q);
			json_decref(ep);
		} else {
			json_object_set_new(eps, n.target, ep);
		}
		netopt_release(&n);
		if (e)
			break;
	}
	if (!e && user && nonuser)
		e = cerr(eb, "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
	if (e) {
		json_decref(eps);
		return e;
	}
	*out = json_pack("{s:o}", "EndpointsConfig", eps);
	return NULL;
}

/* --device: validateLinuxPath then parseLinuxDevice. */
static int valid_device_mode(const char *m)
{
	int seen[3] = { 0 };

	if (!*m)
		return 0;
	for (; *m; m++) {
		const char *p = strchr("rwm", *m);
		if (!*m || !p || seen[p - "rwm"]++)
			return 0;
	}
	return 1;
}

static const char *build_devices(struct ebuf *eb, const struct rf *r, json_t **out)
{
	const struct val *v = &r->val[F_DEVICE];
	json_t *a = json_array();

	for (size_t i = 0; i < v->n; i++) {
		const char *d = v->v[i];
		char *parts[3] = { NULL, NULL, NULL };
		size_t n = 0, colons = 0;
		const char *src, *dst = NULL, *perm = "rwm", *cpath;

		for (const char *p = d; *p; p++)
			colons += *p == ':';
		if (colons > 2 || d[0] == ':' || !*d) {
			json_decref(a);
			return cerr(eb, "bad format for path: %s", d);
		}
		for (const char *p = d;; n++) {
			size_t l = strcspn(p, ":");
			parts[n] = xstrndup(p, l);
			if (!p[l])
				break;
			p += l + 1;
		}
		n++;
		src = parts[0];
		if (n == 1) {
			cpath = parts[0];
		} else if (n == 2) {
			if (valid_device_mode(parts[1]))
				cpath = parts[0], perm = parts[1];
			else
				cpath = dst = parts[1];
		} else {
			cpath = dst = parts[1];
			perm = parts[2];
			if (!valid_device_mode(perm)) {
				const char *e = cerr(eb, "bad mode specified: %s", perm);
				for (size_t k = 0; k < 3; k++)
					free(parts[k]);
				json_decref(a);
				return e;
			}
		}
		if (cpath[0] != '/') {
			const char *e = cerr(eb, "%s is not an absolute path", cpath);
			for (size_t k = 0; k < 3; k++)
				free(parts[k]);
			json_decref(a);
			return e;
		}
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "PathOnHost", src, "PathInContainer",
						   dst ? dst : src, "CgroupPermissions", perm));
		for (size_t k = 0; k < 3; k++)
			free(parts[k]);
	}
	*out = a;
	return NULL;
}

/* The HEALTHCHECK flags: NULL when none is set (the image's stays). */
static const char *build_health(struct ebuf *eb, const struct rf *r, json_t **out)
{
	const char *cmd = last(r, F_HEALTH_CMD);
	int64_t interval = r->val[F_HEALTH_INTERVAL].num, timeout = r->val[F_HEALTH_TIMEOUT].num;
	int64_t start = r->val[F_HEALTH_START_PERIOD].num, retries = r->val[F_HEALTH_RETRIES].num;
	int have = *cmd || interval || timeout || start || retries;
	json_t *h;

	*out = NULL;
	if (r->val[F_NO_HEALTHCHECK].num) {
		if (have)
			return cerr(eb, "--no-healthcheck conflicts with --health-* options");
		*out = json_pack("{s:[s]}", "Test", "NONE");
		return NULL;
	}
	if (!have)
		return NULL;
	if (interval < 0)
		return cerr(eb, "--health-interval cannot be negative");
	if (timeout < 0)
		return cerr(eb, "--health-timeout cannot be negative");
	if (retries < 0)
		return cerr(eb, "--health-retries cannot be negative");
	if (start < 0)
		return cerr(eb, "--health-start-period cannot be negative");
	h = json_object();
	if (*cmd)
		json_object_set_new(h, "Test", json_pack("[s,s]", "CMD-SHELL", cmd));
	if (interval)
		json_object_set_new(h, "Interval", json_integer(interval));
	if (timeout)
		json_object_set_new(h, "Timeout", json_integer(timeout));
	if (start)
		json_object_set_new(h, "StartPeriod", json_integer(start));
	if (retries)
		json_object_set_new(h, "Retries", json_integer(retries));
	*out = h;
	return NULL;
}

/* The blkio device lists: [{"Path","Weight"}] or [{"Path","Rate"}], the
 * values checked as set.  Weights are always a list, rates null when
 * none (their GetList appends to a nil slice). */
static json_t *blkio_list(const struct rf *r, enum flag_id id)
{
	const struct val *v = &r->val[id];
	struct ebuf eb;
	json_t *a;

	if (!v->n && id != F_BLKIO_WEIGHT_DEVICE)
		return json_null();
	a = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const char *c = strchr(v->v[i], ':');
		_cleanup_free_ char *path = xstrndup(v->v[i], (size_t)(c - v->v[i]));
		int64_t n = 0;
		uint64_t u = 0;
		if (id == F_BLKIO_WEIGHT_DEVICE || id == F_DEVICE_READ_IOPS || id == F_DEVICE_WRITE_IOPS)
			parse_go_uint(&eb, c + 1, 10, UINT64_MAX, &u);
		else
			ram_in_bytes(&eb, c + 1, &n), u = (uint64_t)n;
		json_array_append_new(a, json_pack("{s:s,s:I}", "Path", path,
						   id == F_BLKIO_WEIGHT_DEVICE ? "Weight" : "Rate", (json_int_t)u));
	}
	return a;
}

#define RUN_ATTACH_DETACH "Conflicting options: -a and -d"

/* What parse() computes and checks before it fills the structs; each
 * member owned, NULL until made. */
struct parts {
	json_t *exposed, *bindings;   /* Config.ExposedPorts, HostConfig.PortBindings */
	json_t *volumes, *binds;      /* -v: anonymous volumes, binds */
	json_t *tmpfs, *devices, *env, *labels, *logcfg, *secopts, *storage, *health;
	char *restart;                /* RestartPolicy.Name */
	int64_t retries, swappiness;
	int systempaths_unconfined;
};

static void parts_release(struct parts *p)
{
	json_t **v[] = { &p->exposed, &p->bindings, &p->volumes, &p->binds, &p->tmpfs, &p->devices, &p->env,
			 &p->labels, &p->logcfg, &p->secopts, &p->storage, &p->health };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		json_decref(*v[i]);
	free(p->restart);
}

/* -v: a source makes a bind (HostConfig.Binds), else an anonymous volume
 * (Config.Volumes); duplicates collapse as the CLI's map does. */
static void split_volumes(const struct rf *r, struct parts *p)
{
	p->volumes = json_object();
	p->binds = json_array();
	for (size_t i = 0; i < r->val[F_VOLUME].n; i++) {
		const char *v = r->val[F_VOLUME].v[i];
		size_t k;
		json_t *x;
		int dup = 0;
		if (!volume_has_source(v)) {
			json_object_set_new(p->volumes, v, json_object());
			continue;
		}
		json_array_foreach(p->binds, k, x)
			dup |= !strcmp(json_string_value(x), v);
		if (!dup)
			json_array_append_new(p->binds, json_string(v));
	}
}

static json_t *tmpfs_map(const struct rf *r)
{
	json_t *m = json_object();

	for (size_t i = 0; i < r->val[F_TMPFS].n; i++) {
		const char *t = r->val[F_TMPFS].v[i], *c = strchr(t, ':');
		_cleanup_free_ char *k = c ? xstrndup(t, (size_t)(c - t)) : xstrdup(t);
		json_object_set_new(m, k, json_string(c ? c + 1 : ""));
	}
	return m;
}

static const char *check_namespaces(struct ebuf *eb, const struct rf *r)
{
	const char *u = last(r, F_USERNS), *c = last(r, F_CGROUPNS);

	if (!ns_mode_valid(last(r, F_PID), 1))
		return cerr(eb, "--pid: invalid PID mode");
	if (!ns_mode_valid(last(r, F_UTS), 0))
		return cerr(eb, "--uts: invalid UTS mode");
	if (*u && strcmp(u, "host") && strcmp(u, "private"))
		return cerr(eb, "--userns: invalid USER mode");
	if (*c && strcmp(c, "host") && strcmp(c, "private"))
		return cerr(eb, "--cgroupns: invalid CGROUP mode");
	return NULL;
}

/* opts.ParseRestartPolicy: "name[:count]"; no flag is "no". */
static const char *parse_restart(struct ebuf *eb, const struct rf *r, struct parts *p)
{
	const char *restart = r->val[F_RESTART].n ? last(r, F_RESTART) : "no";
	const char *c = strchr(restart, ':');

	if (c && strchr(c + 1, ':'))
		return cerr(eb, "invalid restart policy format");
	if (c && (parse_go_int(eb, c + 1, 10, &p->retries) || p->retries < INT_MIN || p->retries > INT_MAX))
		return cerr(eb, "maximum retry count must be an integer");
	p->restart = c ? xstrndup(restart, (size_t)(c - restart)) : xstrdup(restart);
	return NULL;
}

static const char *parse_log_and_storage(struct ebuf *eb, const struct rf *r, struct parts *p)
{
	const char *e;

	p->logcfg = json_object();
	for (size_t i = 0; i < r->val[F_LOG_OPT].n; i++)
		set_kv(p->logcfg, r->val[F_LOG_OPT].v[i]);
	if (!strcmp(last(r, F_LOG_DRIVER), "none") && r->val[F_LOG_OPT].n)
		return cerr(eb, "invalid logging opts for driver %s", last(r, F_LOG_DRIVER));
	if ((e = build_security_opts(eb, r, &p->secopts, &p->systempaths_unconfined)))
		return e;
	p->storage = json_object();
	for (size_t i = 0; i < r->val[F_STORAGE_OPT].n; i++) {
		if (!strchr(r->val[F_STORAGE_OPT].v[i], '='))
			return cerr(eb, "invalid storage option");
		set_kv(p->storage, r->val[F_STORAGE_OPT].v[i]);
	}
	return NULL;
}

/* parse()'s checks, in its order (so the first error is docker's). */
static const char *parse_parts(struct ebuf *eb, const struct rf *r, struct parts *p)
{
	const char *e;

	if (*last(r, F_MAC_ADDRESS) && !valid_mac(last(r, F_MAC_ADDRESS)))
		return cerr(eb, "%s is not a valid mac address", last(r, F_MAC_ADDRESS));
	p->swappiness = r->val[F_MEMORY_SWAPPINESS].changed ? r->val[F_MEMORY_SWAPPINESS].num : -1;
	if (p->swappiness != -1 && (p->swappiness < 0 || p->swappiness > 100))
		return cerr(eb, "invalid value: %lld. Valid memory swappiness range is 0-100", (long long)p->swappiness);
	split_volumes(r, p);
	p->tmpfs = tmpfs_map(r);
	p->exposed = json_object();
	p->bindings = json_object();
	if ((e = build_ports(eb, r, p->exposed, p->bindings)) || (e = build_devices(eb, r, &p->devices)) ||
	    (e = build_env(eb, r, &p->env)) || (e = build_labels(eb, r, &p->labels)) ||
	    (e = check_namespaces(eb, r)) || (e = parse_restart(eb, r, p)) ||
	    (e = parse_log_and_storage(eb, r, p)) || (e = build_health(eb, r, &p->health)))
		return e;
	return NULL;
}

/* json_object_set_new when v is not empty (Go's omitempty on a map). */
static void set_nonempty(json_t *o, const char *key, json_t *v)
{
	if (json_object_size(v))
		json_object_set(o, key, v);
}

/* container.Config, in its field order. */
static json_t *config_json(const struct rf *r, struct parts *p, const char *image, int nargs, char **args)
{
	json_t *cfg = json_object(), *cmd = json_null(), *entrypoint = json_null();
	int open_stdin = (int)r->val[F_INTERACTIVE].num;
	int attach_in = open_stdin || has_value(r, F_ATTACH, "stdin");
	int attach_out = !r->val[F_ATTACH].n || has_value(r, F_ATTACH, "stdout");
	int attach_err = !r->val[F_ATTACH].n || has_value(r, F_ATTACH, "stderr");

	json_object_set_new(cfg, "Hostname", json_string(last(r, F_HOSTNAME)));
	json_object_set_new(cfg, "Domainname", json_string(last(r, F_DOMAINNAME)));
	json_object_set_new(cfg, "User", json_string(last(r, F_USER)));
	json_object_set_new(cfg, "AttachStdin", json_boolean(attach_in));
	json_object_set_new(cfg, "AttachStdout", json_boolean(attach_out));
	json_object_set_new(cfg, "AttachStderr", json_boolean(attach_err));
	set_nonempty(cfg, "ExposedPorts", p->exposed);
	json_object_set_new(cfg, "Tty", json_boolean(r->val[F_TTY].num));
	json_object_set_new(cfg, "OpenStdin", json_boolean(open_stdin));
	json_object_set_new(cfg, "StdinOnce", json_boolean(open_stdin && attach_in));
	json_object_set(cfg, "Env", p->env);
	if (nargs > 0) {
		cmd = json_array();
		for (int k = 0; k < nargs; k++)
			json_array_append_new(cmd, json_string(args[k]));
	}
	json_object_set_new(cfg, "Cmd", cmd);
	if (p->health)
		json_object_set(cfg, "Healthcheck", p->health);
	json_object_set_new(cfg, "Image", json_string(image));
	json_object_set(cfg, "Volumes", p->volumes);
	json_object_set_new(cfg, "WorkingDir", json_string(last(r, F_WORKDIR)));
	/* `--entrypoint=` resets the image's: [""] */
	if (r->val[F_ENTRYPOINT].changed)
		entrypoint = json_pack("[s]", last(r, F_ENTRYPOINT));
	json_object_set_new(cfg, "Entrypoint", entrypoint);
	if (*last(r, F_MAC_ADDRESS))
		json_object_set_new(cfg, "MacAddress", json_string(last(r, F_MAC_ADDRESS)));
	json_object_set_new(cfg, "OnBuild", json_null());
	json_object_set(cfg, "Labels", p->labels);
	if (r->val[F_STOP_SIGNAL].changed && *last(r, F_STOP_SIGNAL))
		json_object_set_new(cfg, "StopSignal", json_string(last(r, F_STOP_SIGNAL)));
	if (r->val[F_STOP_TIMEOUT].changed)
		json_object_set_new(cfg, "StopTimeout", json_integer(r->val[F_STOP_TIMEOUT].num));
	return cfg;
}

static void set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer(v));
}

/* container.Resources, embedded in HostConfig: its fields sit there. */
static void resources_json(json_t *hc, const struct rf *r, const struct parts *p)
{
	set_int(hc, "CpuShares", r->val[F_CPU_SHARES].num);
	set_int(hc, "Memory", r->val[F_MEMORY].num);
	set_int(hc, "NanoCpus", r->val[F_CPUS].num);
	json_object_set_new(hc, "CgroupParent", json_string(last(r, F_CGROUP_PARENT)));
	set_int(hc, "BlkioWeight", r->val[F_BLKIO_WEIGHT].num);
	json_object_set_new(hc, "BlkioWeightDevice", blkio_list(r, F_BLKIO_WEIGHT_DEVICE));
	json_object_set_new(hc, "BlkioDeviceReadBps", blkio_list(r, F_DEVICE_READ_BPS));
	json_object_set_new(hc, "BlkioDeviceWriteBps", blkio_list(r, F_DEVICE_WRITE_BPS));
	json_object_set_new(hc, "BlkioDeviceReadIOps", blkio_list(r, F_DEVICE_READ_IOPS));
	json_object_set_new(hc, "BlkioDeviceWriteIOps", blkio_list(r, F_DEVICE_WRITE_IOPS));
	set_int(hc, "CpuPeriod", r->val[F_CPU_PERIOD].num);
	set_int(hc, "CpuQuota", r->val[F_CPU_QUOTA].num);
	set_int(hc, "CpuRealtimePeriod", r->val[F_CPU_RT_PERIOD].num);
	set_int(hc, "CpuRealtimeRuntime", r->val[F_CPU_RT_RUNTIME].num);
	json_object_set_new(hc, "CpusetCpus", json_string(last(r, F_CPUSET_CPUS)));
	json_object_set_new(hc, "CpusetMems", json_string(last(r, F_CPUSET_MEMS)));
	json_object_set(hc, "Devices", p->devices);
	json_object_set_new(hc, "DeviceCgroupRules", str_list(r, F_DEVICE_CGROUP_RULE, 0));
	json_object_set_new(hc, "DeviceRequests", json_array_size(r->gpus) ? json_incref(r->gpus) : json_null());
	set_int(hc, "KernelMemory", r->val[F_KERNEL_MEMORY].num);
	set_int(hc, "KernelMemoryTCP", 0);
	set_int(hc, "MemoryReservation", r->val[F_MEMORY_RESERVATION].num);
	set_int(hc, "MemorySwap", r->val[F_MEMORY_SWAP].num);
	set_int(hc, "MemorySwappiness", p->swappiness);
	json_object_set_new(hc, "OomKillDisable", json_boolean(r->val[F_OOM_KILL_DISABLE].num));
	set_int(hc, "PidsLimit", r->val[F_PIDS_LIMIT].num);
	json_object_set_new(hc, "Ulimits", json_array_size(r->ulimits) ? json_incref(r->ulimits) : json_null());
	/* the Windows-only four: refused before here on Linux */
	set_int(hc, "CpuCount", 0);
	set_int(hc, "CpuPercent", 0);
	set_int(hc, "IOMaximumIOps", 0);
	set_int(hc, "IOMaximumBandwidth", 0);
}

/* container.HostConfig, in its field order. */
static json_t *host_config_json(const struct rf *r, const struct parts *p)
{
	json_t *hc = json_object();
	const char *netmode = json_array_size(r->nets)
				      ? json_string_value(json_object_get(json_array_get(r->nets, 0), "Target"))
				      : "default";

	json_object_set_new(hc, "Binds", json_array_size(p->binds) ? json_incref(p->binds) : json_null());
	json_object_set_new(hc, "ContainerIDFile", json_string(last(r, F_CIDFILE)));
	json_object_set_new(hc, "LogConfig", json_pack("{s:s,s:O}", "Type", last(r, F_LOG_DRIVER), "Config", p->logcfg));
	json_object_set_new(hc, "NetworkMode", json_string(netmode));
	json_object_set(hc, "PortBindings", p->bindings);
	json_object_set_new(hc, "RestartPolicy",
			    json_pack("{s:s,s:I}", "Name", p->restart, "MaximumRetryCount", (json_int_t)p->retries));
	json_object_set_new(hc, "AutoRemove", json_boolean(r->val[F_RM].num));
	json_object_set_new(hc, "VolumeDriver", json_string(last(r, F_VOLUME_DRIVER)));
	json_object_set_new(hc, "VolumesFrom", str_list(r, F_VOLUMES_FROM, 0));
	json_object_set_new(hc, "CapAdd", str_list(r, F_CAP_ADD, 0));
	json_object_set_new(hc, "CapDrop", str_list(r, F_CAP_DROP, 0));
	json_object_set_new(hc, "CgroupnsMode", json_string(last(r, F_CGROUPNS)));
	/* the CLI never sends the DNS lists as null (moby#17779) */
	json_object_set_new(hc, "Dns", str_list(r, F_DNS, 1));
	json_object_set_new(hc, "DnsOptions", str_list(r, F_DNS_OPTION, 1));
	json_object_set_new(hc, "DnsSearch", str_list(r, F_DNS_SEARCH, 1));
	json_object_set_new(hc, "ExtraHosts", str_list(r, F_ADD_HOST, 0));
	json_object_set_new(hc, "GroupAdd", str_list(r, F_GROUP_ADD, 0));
	json_object_set_new(hc, "IpcMode", json_string(last(r, F_IPC)));
	json_object_set_new(hc, "Cgroup", json_string(""));
	json_object_set_new(hc, "Links", str_list(r, F_LINK, 0));
	set_int(hc, "OomScoreAdj", r->val[F_OOM_SCORE_ADJ].num);
	json_object_set_new(hc, "PidMode", json_string(last(r, F_PID)));
	json_object_set_new(hc, "Privileged", json_boolean(r->val[F_PRIVILEGED].num));
	json_object_set_new(hc, "PublishAllPorts", json_boolean(r->val[F_PUBLISH_ALL].num));
	json_object_set_new(hc, "ReadonlyRootfs", json_boolean(r->val[F_READ_ONLY].num));
	json_object_set(hc, "SecurityOpt", p->secopts);
	set_nonempty(hc, "StorageOpt", p->storage);
	set_nonempty(hc, "Tmpfs", p->tmpfs);
	json_object_set_new(hc, "UTSMode", json_string(last(r, F_UTS)));
	json_object_set_new(hc, "UsernsMode", json_string(last(r, F_USERNS)));
	set_int(hc, "ShmSize", r->val[F_SHM_SIZE].num);
	if (r->val[F_SYSCTL].n) {
		json_t *m = json_object();
		for (size_t i = 0; i < r->val[F_SYSCTL].n; i++)
			set_kv(m, r->val[F_SYSCTL].v[i]);
		json_object_set_new(hc, "Sysctls", m);
	}
	if (*last(r, F_RUNTIME))
		json_object_set_new(hc, "Runtime", json_string(last(r, F_RUNTIME)));
	json_object_set_new(hc, "ConsoleSize", json_pack("[i,i]", 0, 0));
	json_object_set_new(hc, "Isolation", json_string(last(r, F_ISOLATION)));
	resources_json(hc, r, p);
	if (json_array_size(r->mounts))
		json_object_set(hc, "Mounts", r->mounts);
	/* systempaths=unconfined is the CLI's: it empties both lists */
	json_object_set_new(hc, "MaskedPaths", p->systempaths_unconfined ? json_array() : json_null());
	json_object_set_new(hc, "ReadonlyPaths", p->systempaths_unconfined ? json_array() : json_null());
	if (r->val[F_INIT].changed)
		json_object_set_new(hc, "Init", json_boolean(r->val[F_INIT].num));
	return hc;
}

/* run.go after parse(): detached, nothing is attached. */
static const char *run_detach(struct ebuf *eb, const struct rf *r, json_t *cfg)
{
	static const char *const keys[] = { "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce" };

	if (!r->val[F_DETACH].num)
		return NULL;
	if (r->val[F_ATTACH].n)
		return cerr(eb, "%s", RUN_ATTACH_DETACH);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set_new(cfg, keys[i], json_false());
	return NULL;
}

static const char *build(struct ebuf *eb, const struct rf *r, int is_run, const char *image, int nargs, char **args,
			 json_t **body)
{
	struct parts p = { 0 };
	json_t *cfg = NULL, *net = NULL;
	const char *e;

	if ((e = parse_parts(eb, r, &p)))
		goto out;
	cfg = config_json(r, &p, image, nargs, args);
	json_object_set_new(cfg, "HostConfig", host_config_json(r, &p));
	if (r->val[F_RM].num && strcmp(p.restart, "no") && *p.restart) {
		e = cerr(eb, "Conflicting options: --restart and --rm");
		goto out;
	}
	if ((e = build_networking(eb, r, &net)))
		goto out;
	json_object_set_new(cfg, "NetworkingConfig", net);
	if (is_run && (e = run_detach(eb, r, cfg)))
		goto out;
	*body = cfg, cfg = NULL;
out:
	json_decref(cfg);
	parts_release(&p);
	return e;
}

/* ---------------------------------------------------------------- the API */

static void rf_release(struct rf *r)
{
	for (size_t i = 0; i < F_COUNT; i++) {
		for (size_t k = 0; k < r->val[i].n; k++)
			free(r->val[i].v[k]);
		free(r->val[i].v);
	}
	json_decref(r->mounts);
	json_decref(r->nets);
	json_decref(r->ulimits);
	json_decref(r->gpus);
}

static char *opt_str(const struct rf *r, enum flag_id id)
{
	return r->val[id].n ? xstrdup(last(r, id)) : NULL;
}

int cli_run_flags(const char *cmd, int argc, char **argv, struct cli_run_opts *o)
{
	struct rf r = { .cmd = cmd };
	int is_run = !strcmp(cmd, "run"), img, rc = 0;
	const char *e;

	memset(o, 0, sizeof(*o));
	r.mounts = json_array();
	r.nets = json_array();
	r.ulimits = json_array();
	r.gpus = json_array();
	r.val[F_SIG_PROXY].num = 1;
	img = parse_argv(&r, o, argc, argv);
	if (img < 0) {
		rc = -img;
		goto out;
	}
	if (r.val[F_HELP].num) {
		o->help = 1;
		goto out;
	}
	/* the CLI's check of the flags annotated ostype=windows, in name order */
	static const struct { enum flag_id id; const char *name; } windows_only[] = {
		{ F_CPU_COUNT, "cpu-count" }, { F_CPU_PERCENT, "cpu-percent" },
		{ F_IO_MAXBANDWIDTH, "io-maxbandwidth" }, { F_IO_MAXIOPS, "io-maxiops" },
	};
	struct sbuf msg = SBUF_INIT;
	for (size_t k = 0; k < sizeof(windows_only) / sizeof(windows_only[0]); k++)
		if (r.val[windows_only[k].id].changed)
			sbuf_addf(&msg, "\"--%s\" is only supported on a Docker daemon running on windows, "
					"but the Docker daemon is running on linux\n", windows_only[k].name);
	if (msg.len) {
		o->error = sbuf_detach(&msg, NULL);
		rc = 1;
		goto out;
	}
	if (img >= argc) {
		o->error = xasprintf("\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.\n\n"
				     "Usage:  berth %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n%s\n",
				     cmd, cmd, cmd, is_run ? "Run a command in a new container" : "Create a new container");
		rc = 1;
		goto out;
	}
	if ((e = build(&r.eb, &r, is_run, argv[img], argc - img - 1, argv + img + 1, &o->body))) {
		size_t n = strlen(e);
		if (!strcmp(e, RUN_ATTACH_DETACH)) {
			o->error = xasprintf("%s\n", e);
			rc = 1;
			goto out;
		}
		while (n && e[n - 1] == '.')
			n--;
		o->error = xasprintf("berth: %.*s.\nSee 'berth %s --help'.\n", (int)n, e, cmd);
		rc = 125;
		goto out;
	}
	o->name = opt_str(&r, F_NAME);
	o->platform = opt_str(&r, F_PLATFORM);
	o->pull = r.val[F_PULL].n ? xstrdup(last(&r, F_PULL)) : xstrdup("missing");
	o->detach = is_run && r.val[F_DETACH].num;
	o->sig_proxy = is_run && r.val[F_SIG_PROXY].num;
	o->detach_keys = opt_str(&r, F_DETACH_KEYS);
	o->auto_remove = (int)r.val[F_RM].num;
	o->disable_content_trust = r.val[F_DISABLE_CONTENT_TRUST].changed ? (int)r.val[F_DISABLE_CONTENT_TRUST].num : 1;
out:
	rf_release(&r);
	return rc;
}

void cli_run_opts_release(struct cli_run_opts *o)
{
	json_decref(o->body);
	free(o->name);
	free(o->platform);
	free(o->pull);
	free(o->detach_keys);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

/* ---------------------------------------------------------------- after the cidfile */

/* containerd's platforms.Parse, then Format: NULL with *why set when it
 * does not parse. */
static int known(const char *const *v, const char *s)
{
	for (; *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

static void set_str(char **p, const char *v)
{
	free(*p);
	*p = xstrdup(v);
}

/* containerd's normalizeArch. */
static void normalize_arch(char **arch, char **variant)
{
	lower(*arch);
	lower(*variant);
	if (!strcmp(*arch, "i386")) {
		set_str(arch, "386"), set_str(variant, "");
	} else if (!strcmp(*arch, "x86_64") || !strcmp(*arch, "x86-64")) {
		set_str(arch, "amd64"), set_str(variant, "");
	} else if (!strcmp(*arch, "aarch64") || !strcmp(*arch, "arm64")) {
		set_str(arch, "arm64");
		if (!strcmp(*variant, "8") || !strcmp(*variant, "v8"))
			set_str(variant, "v8");
	} else if (!strcmp(*arch, "armhf")) {
		set_str(arch, "arm"), set_str(variant, "v7");
	} else if (!strcmp(*arch, "armel")) {
		set_str(arch, "arm"), set_str(variant, "v6");
	} else if (!strcmp(*arch, "arm")) {
		if (!**variant || !strcmp(*variant, "7"))
			set_str(variant, "v7");
		else if (!strcmp(*variant, "5") || !strcmp(*variant, "6") || !strcmp(*variant, "8")) {
			char *v = xasprintf("v%s", *variant);
			free(*variant);
			*variant = v;
		}
	}
}

/* runtime.GOARCH of the docker CLI on this host. */
#if defined(__x86_64__)
#define HOST_GOARCH "amd64"
#elif defined(__aarch64__)
#define HOST_GOARCH "arm64"
#elif defined(__i386__)
#define HOST_GOARCH "386"
#elif defined(__arm__)
#define HOST_GOARCH "arm"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_GOARCH "ppc64le"
#elif defined(__s390x__)
#define HOST_GOARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_GOARCH "riscv64"
#else
#define HOST_GOARCH "amd64"
#endif

static char *platform_format(struct ebuf *eb, const char *spec, const char **why)
{
	static const char *const oses[] = { "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos",
					    "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris",
					    "windows", "zos", NULL };
	static const char *const arches[] = { "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be",
					      "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64",
					      "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64",
					      "s390", "s390x", "sparc", "sparc64", "wasm", NULL };
	char *parts[4] = { NULL, NULL, NULL, NULL };
	size_t n = 0;
	const char *p = spec;
	char *out = NULL;

	_cleanup_free_ char *qs = gojson_quote(spec);
	if (strchr(spec, '*')) {
		*why = cerr(eb, "%s: wildcards not yet supported: invalid argument", qs);
		return NULL;
	}
	for (;;) {
		size_t l = strcspn(p, "/");
		_cleanup_free_ char *part = xstrndup(p, l);
		if (!*part || strspn(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != l) {
			_cleanup_free_ char *qp = gojson_quote(part);
			*why = cerr(eb, "%s is an invalid component of %s: platform specifier component must match "
				    "\"^[A-Za-z0-9_-]+$\": invalid argument", qp, qs);
			goto out;
		}
		if (n < 4)
			parts[n] = xstrdup(part);
		n++;
		if (!p[l])
			break;
		p += l + 1;
	}
	if (n > 3) {
		*why = cerr(eb, "%s: cannot parse platform specifier: invalid argument", qs);
		goto out;
	}
	char *os, *arch, *variant;
	if (n == 1) {
		os = xstrdup(parts[0]);
		lower(os);
		if (!strcmp(os, "macos"))
			free(os), os = xstrdup("darwin");
		if (known(oses, os)) {
			out = xasprintf("%s/%s", os, HOST_GOARCH);
			free(os);
			goto out;
		}
		free(os);
		arch = xstrdup(parts[0]), variant = xstrdup("");
		normalize_arch(&arch, &variant);
		if (!strcmp(arch, "arm") && !strcmp(variant, "v7"))
			*variant = 0;
		if (known(arches, arch))
			out = *variant ? xasprintf("linux/%s/%s", arch, variant) : xasprintf("linux/%s", arch);
		else
			*why = cerr(eb, "%s: unknown operating system or architecture: invalid argument", qs);
		free(arch), free(variant);
		goto out;
	}
	os = xstrdup(parts[0]);
	lower(os);
	if (!strcmp(os, "macos"))
		free(os), os = xstrdup("darwin");
	arch = xstrdup(parts[1]), variant = xstrdup(n == 3 ? parts[2] : "");
	normalize_arch(&arch, &variant);
	if (n == 2 && !strcmp(arch, "arm") && !strcmp(variant, "v7"))
		*variant = 0;
	if (n == 3 && !strcmp(arch, "arm64") && !*variant) {
		free(variant);
		variant = xstrdup("v8");
	}
	out = *variant ? xasprintf("%s/%s/%s", os, arch, variant) : xasprintf("%s/%s", os, arch);
	free(os), free(arch), free(variant);
out:
	for (size_t k = 0; k < 4; k++)
		free(parts[k]);
	return out;
}

static int is_image_id(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int cli_run_check_image(const char *cmd, struct cli_run_opts *o)
{
	const char *image = json_string_value(json_object_get(o->body, "Image"));
	struct berr err = BERR_INIT;
	struct ebuf eb;
	const char *msg = NULL;
	char buf[1100];

	if (!is_image_id(image) && berth_image_reference_check(image, &err) < 0) {
		msg = err.msg;
	} else if (o->platform && *o->platform) {
		const char *why = NULL;
		char *p = platform_format(&eb, o->platform, &why);
		if (!p) {
			snprintf(buf, sizeof(buf), "error parsing specified platform: %s", why);
			msg = buf;
		} else {
			free(o->platform);
			o->platform = p;
		}
	}
	if (!msg)
		return 0;
	/* create returns the error to main; run reports it as a flag error */
	if (!strcmp(cmd, "run")) {
		size_t n = strlen(msg);
		while (n && msg[n - 1] == '.')
			n--;
		o->error = xasprintf("berth: %.*s.\nSee 'berth run --help'.\n", (int)n, msg);
		return 125;
	}
	o->error = xasprintf("%s\n", msg);
	return 1;
}

int cli_read_env_file(const char *path, json_t *out, char *msg, size_t n)
{
	struct ebuf eb;
	const char *e = read_kv_file(&eb, path, 1, out);

	if (e)
		snprintf(msg, n, "%s", e);
	return e ? -1 : 0;
}
