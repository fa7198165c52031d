/*
 * seccomp.c - Docker 20.10's default seccomp profile (moby
 * profiles/seccomp/default.json of v20.10.24, the facts restated as our own
 * table) and the filtering docker applies when it puts it into a spec: a
 * rule is kept when no excluded arch/cap applies and every included
 * arch/cap/minKernel does, caps meaning the spec's bounding set.
 *
 * Only the x86 and arm rules are in the table; the rules for ppc64le, s390x,
 * mips and riscv64 are left out because berth does not build there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "spec.h"

enum sc_op { OP_EQ, OP_MASKED_EQ };

struct sc_arg {
	unsigned index;
	unsigned long long value;
	enum sc_op op;
};

struct sc_rule {
	const char *const *names;
	int errno_ret;                 /* >= 0: SCMP_ACT_ERRNO with errnoRet, else ALLOW */
	const struct sc_arg *arg;      /* at most one argument check in this profile */
	const char *inc_cap, *exc_cap; /* one cap each is all the profile needs */
	const char *const *inc_arches, *const *exc_arches;
	int min_major, min_minor;      /* includes.minKernel */
};

#define NAMES(...) (const char *const[]){ __VA_ARGS__, NULL }
#define ARCHES(...) (const char *const[]){ __VA_ARGS__, NULL }
#define ARG(i, v, o) (&(const struct sc_arg){ (i), (v), (o) })

static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
	"chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
	"dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
	"exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
	"fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
	"futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64",
	"getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
	"getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
	"getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
	"getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
	"getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
	"inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
	"io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "io_uring_enter",
	"io_uring_register", "io_uring_setup", "ipc", "kill", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
	"linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
	"lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
	"msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "_newselect",
	"open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "poll",
	"ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
	"pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir",
	"rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
	"sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
	"semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
	"sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
	"setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
	"setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
	"set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
	"setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socket", "socketcall", "socketpair",
	"splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
	"timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	"times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	"utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
	"waitpid", "write", "writev",
	NULL
};

static const struct sc_rule rules[] = {
	{ .names = allowed, .errno_ret = -1 },
	{ .names = NAMES("ptrace"), .errno_ret = -1, .min_major = 4, .min_minor = 8 },
	{ .names = NAMES("personality"), .errno_ret = -1, .arg = ARG(0, 0, OP_EQ) },
	{ .names = NAMES("personality"), .errno_ret = -1, .arg = ARG(0, 8, OP_EQ) },
	{ .names = NAMES("personality"), .errno_ret = -1, .arg = ARG(0, 131072, OP_EQ) },
	{ .names = NAMES("personality"), .errno_ret = -1, .arg = ARG(0, 131080, OP_EQ) },
	{ .names = NAMES("personality"), .errno_ret = -1, .arg = ARG(0, 4294967295ULL, OP_EQ) },
	{ .names = NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
			 "cacheflush", "set_tls"),
	  .errno_ret = -1, .inc_arches = ARCHES("arm", "arm64") },
	{ .names = NAMES("arch_prctl"), .errno_ret = -1, .inc_arches = ARCHES("amd64", "x32") },
	{ .names = NAMES("modify_ldt"), .errno_ret = -1, .inc_arches = ARCHES("amd64", "x32", "x86") },
	{ .names = NAMES("open_by_handle_at"), .errno_ret = -1, .inc_cap = "CAP_DAC_READ_SEARCH" },
	{ .names = NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
			 "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
			 "name_to_handle_at", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
			 "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2",
			 "unshare"),
	  .errno_ret = -1, .inc_cap = "CAP_SYS_ADMIN" },
	/* clone without namespace flags (the mask is CLONE_NEW*). */
	{ .names = NAMES("clone"), .errno_ret = -1, .arg = ARG(0, 2114060288, OP_MASKED_EQ),
	  .exc_cap = "CAP_SYS_ADMIN", .exc_arches = ARCHES("s390", "s390x") },
	/* ENOSYS, so that glibc falls back to clone, which the rule above checks. */
	{ .names = NAMES("clone3"), .errno_ret = 38, .exc_cap = "CAP_SYS_ADMIN" },
	{ .names = NAMES("reboot"), .errno_ret = -1, .inc_cap = "CAP_SYS_BOOT" },
	{ .names = NAMES("chroot"), .errno_ret = -1, .inc_cap = "CAP_SYS_CHROOT" },
	{ .names = NAMES("delete_module", "init_module", "finit_module"), .errno_ret = -1,
	  .inc_cap = "CAP_SYS_MODULE" },
	{ .names = NAMES("acct"), .errno_ret = -1, .inc_cap = "CAP_SYS_PACCT" },
	{ .names = NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
			 "process_vm_writev", "ptrace"),
	  .errno_ret = -1, .inc_cap = "CAP_SYS_PTRACE" },
	{ .names = NAMES("iopl", "ioperm"), .errno_ret = -1, .inc_cap = "CAP_SYS_RAWIO" },
	{ .names = NAMES("settimeofday", "stime", "clock_settime"), .errno_ret = -1,
	  .inc_cap = "CAP_SYS_TIME" },
	{ .names = NAMES("vhangup"), .errno_ret = -1, .inc_cap = "CAP_SYS_TTY_CONFIG" },
	{ .names = NAMES("get_mempolicy", "mbind", "set_mempolicy"), .errno_ret = -1,
	  .inc_cap = "CAP_SYS_NICE" },
	{ .names = NAMES("syslog"), .errno_ret = -1, .inc_cap = "CAP_SYSLOG" },
};

/* Go's runtime.GOARCH, which docker matches the arches lists against, and
 * the SCMP architectures its archMap gives for it. */
#if defined(__x86_64__)
static const char goarch[] = "amd64";
static const char *const scmp_arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
#elif defined(__aarch64__)
static const char goarch[] = "arm64";
static const char *const scmp_arches[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
#else
#error "spec_seccomp_default: no seccomp table for this architecture"
#endif

static int in_strv(const char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static int has_cap(const json_t *caps, const char *cap)
{
	size_t i;
	json_t *c;

	json_array_foreach(caps, i, c)
		if (json_is_string(c) && strcmp(json_string_value(c), cap) == 0)
			return 1;
	return 0;
}

static void host_kernel(int *major, int *minor)
{
	struct utsname u;

	*major = *minor = 0;
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", major, minor) < 2)
		*minor = 0;
}

static int rule_applies(const struct sc_rule *r, const json_t *caps, int kmaj, int kmin)
{
	if (r->exc_arches && in_strv(r->exc_arches, goarch))
		return 0;
	if (r->exc_cap && has_cap(caps, r->exc_cap))
		return 0;
	if (r->inc_arches && !in_strv(r->inc_arches, goarch))
		return 0;
	if (r->inc_cap && !has_cap(caps, r->inc_cap))
		return 0;
	if (r->min_major && (kmaj < r->min_major || (kmaj == r->min_major && kmin < r->min_minor)))
		return 0;
	return 1;
}

/* One rule as runtime-spec's LinuxSyscall: names, action, errnoRet, args. */
static json_t *rule_json(const struct sc_rule *r)
{
	json_t *names = json_array();

	for (const char *const *n = r->names; *n; n++)
		json_array_append_new(names, json_string(*n));
	json_t *o = json_pack("{s:o, s:s}", "names", names, "action",
			      r->errno_ret >= 0 ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
	if (r->errno_ret >= 0)
		json_object_set_new(o, "errnoRet", json_integer(r->errno_ret));
	if (r->arg)
		json_object_set_new(o, "args", json_pack("[{s:i, s:I, s:s}]", "index", (int)r->arg->index,
							 "value", (json_int_t)r->arg->value, "op",
							 r->arg->op == OP_EQ ? "SCMP_CMP_EQ" : "SCMP_CMP_MASKED_EQ"));
	return o;
}

json_t *spec_seccomp_default(const json_t *caps, int kernel_major, int kernel_minor)
{
	json_t *arches = json_array(), *syscalls = json_array();

	if (kernel_major == 0)
		host_kernel(&kernel_major, &kernel_minor);
	for (const char *const *a = scmp_arches; *a; a++)
		json_array_append_new(arches, json_string(*a));
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rule_applies(&rules[i], caps, kernel_major, kernel_minor))
			json_array_append_new(syscalls, rule_json(&rules[i]));
	return json_pack("{s:s, s:o, s:o}", "defaultAction", "SCMP_ACT_ERRNO", "architectures", arches,
			 "syscalls", syscalls);
}
