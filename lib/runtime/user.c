/*
 * user.c - process.user from a user spec and the rootfs's /etc/passwd and
 * /etc/group, as docker's getUser does with runc's GetExecUserPath and
 * GetAdditionalGroupsPath (same forms, same precedence, same messages).
 *
 * Safety: the image is untrusted, so both files are opened with openat2
 * RESOLVE_IN_ROOT under the rootfs: an absolute symlink /etc/passwd ->
 * /etc/shadow resolves to <rootfs>/etc/shadow and ".." stops at the rootfs,
 * never reaching a host file.  They are read only if regular (a FIFO must
 * not block us) and at most PASSWD_MAX bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec.h"
#include "../util/sbuf.h"

#define PASSWD_MAX (16u << 20)
#define ID_MAX 2147483647LL /* runc's maxID: int32 */

/* Reads <rootfs>/<path> into sb, resolved inside rootfs; a missing file
 * leaves sb empty (docker: "a missing file counts as empty"). */
static int read_in_root(const char *rootfs, const char *path, struct sbuf *sb, struct berr *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	char buf[16384];
	int root, fd;
	ssize_t n;

	sbuf_reset(sb);
	root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return berr_sys(err, "open rootfs %s", rootfs);
	do
		fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	close(root);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : berr_sys(err, "open /%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return berr_set(err, BERR_INVALID, "open /%s: not a regular file", path);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sb->len + (size_t)n > PASSWD_MAX) {
			close(fd);
			return berr_set(err, BERR_INVALID, "/%s is larger than %u bytes", path, PASSWD_MAX);
		}
		sbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	return n < 0 ? berr_sys(err, "read /%s", path) : 0;
}

/* Go's strconv.Atoi: optional sign, decimal digits, int64 range. */
static int go_atoi(const char *s, long long *out)
{
	char *end;

	if (!*s || *s == ' ' || (s[0] == '+' || s[0] == '-' ? !s[1] || s[1] < '0' || s[1] > '9' : *s < '0' || *s > '9'))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Splits a passwd/group line into at most nf ':' fields (in place). */
static size_t split_fields(char *line, char **f, size_t nf)
{
	size_t n = 0;

	while (n < nf) {
		f[n++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	for (size_t i = n; i < nf; i++)
		f[i] = "";
	return n;
}

static long long field_int(const char *s)
{
	long long v;

	return go_atoi(s, &v) < 0 ? 0 : v; /* runc ignores the error: 0 */
}

/* Iterates lines (trimmed, non-empty) of a text buffer; *pos is the cursor. */
static char *next_line(char *text, size_t len, size_t *pos)
{
	while (*pos < len) {
		char *s = text + *pos, *e = memchr(s, '\n', len - *pos);
		size_t n = e ? (size_t)(e - s) : len - *pos;

		*pos += n + 1;
		s[n] = '\0';
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		for (char *t = s + strlen(s); t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r');)
			*--t = '\0';
		if (*s)
			return s;
	}
	return NULL;
}

static int in_member_list(char *list, const char *name)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		if (strcmp(tok, name) == 0)
			return 1;
	return 0;
}

static void add_gid(struct spec_user *u, unsigned gid)
{
	u->gids = xrealloc(u->gids, (u->ngids + 1) * sizeof(*u->gids));
	u->gids[u->ngids++] = gid;
}

/* The user part: first passwd match (numeric means uid), else a bare uid. */
static int match_user(struct sbuf *passwd, const char *arg, struct spec_user *u, char **matched,
		      struct berr *err)
{
	long long uid;
	int numeric = go_atoi(arg, &uid) == 0;
	size_t pos = 0;
	char *line, *f[7];

	while ((line = next_line(passwd->buf, passwd->len, &pos))) {
		split_fields(line, f, 7);
		if (*arg ? (numeric ? field_int(f[2]) == uid : strcmp(f[0], arg) == 0) : field_int(f[2]) == 0) {
			*matched = xstrdup(f[0]);
			u->uid = (unsigned)field_int(f[2]);
			u->gid = (unsigned)field_int(f[3]);
			u->home = xstrdup(f[5]);
			return 0;
		}
	}
	if (!*arg)
		return 0;
	if (!numeric)
		return berr_set(err, BERR_NOT_FOUND, "unable to find user %s: no matching entries in passwd file", arg);
	if (uid < 0 || uid > ID_MAX)
		return berr_set(err, BERR_INVALID, "uids and gids must be in range 0-%lld", ID_MAX);
	u->uid = (unsigned)uid;
	return 0;
}

/* The group part: an explicit group sets gid; otherwise groups listing the
 * matched user name become supplementary gids. */
static int match_groups(struct sbuf *group, const char *arg, const char *user, struct spec_user *u,
			struct berr *err)
{
	long long gid;
	int numeric = go_atoi(arg, &gid) == 0;
	size_t pos = 0;
	char *line, *f[4];

	while ((line = next_line(group->buf, group->len, &pos))) {
		split_fields(line, f, 4);
		if (!*arg) {
			if (user && in_member_list(f[3], user))
				add_gid(u, (unsigned)field_int(f[2]));
		} else if (numeric ? field_int(f[2]) == gid : strcmp(f[0], arg) == 0) {
			u->gid = (unsigned)field_int(f[2]);
			return 0;
		}
	}
	if (!*arg)
		return 0;
	if (!numeric)
		return berr_set(err, BERR_NOT_FOUND, "unable to find group %s: no matching entries in group file", arg);
	if (gid < 0 || gid > ID_MAX)
		return berr_set(err, BERR_INVALID, "uids and gids must be in range 0-%lld", ID_MAX);
	u->gid = (unsigned)gid;
	return 0;
}

static int seen(const unsigned *v, size_t n, unsigned x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* --group-add: names or gids from the group file, else numeric gids.  Kept
 * in the order given (docker's come out of a Go map, in random order). */
static int add_groups(const struct sbuf *group, const json_t *group_add, struct spec_user *u,
		      struct berr *err)
{
	unsigned added[256];
	size_t nadded = 0, i;
	json_t *v;

	json_array_foreach(group_add, i, v) {
		const char *ag = json_is_string(v) ? json_string_value(v) : "";
		_cleanup_free_ char *text = xstrndup(group->buf ? group->buf : "", group->len);
		size_t pos = 0;
		char *line, *f[4];
		long long gid;
		int found = 0;

		while (!found && (line = next_line(text, group->len, &pos))) {
			split_fields(line, f, 4);
			_cleanup_free_ char *num = xasprintf("%lld", field_int(f[2]));
			if ((strcmp(f[0], ag) == 0 || strcmp(num, ag) == 0) &&
			    !seen(added, nadded, (unsigned)field_int(f[2]))) {
				gid = field_int(f[2]);
				found = 1;
			}
		}
		if (!found) {
			if (go_atoi(ag, &gid) < 0)
				return berr_set(err, BERR_NOT_FOUND,
						"Unable to find group %s: no matching entries in group file", ag);
			if (gid < 0 || gid > ID_MAX)
				return berr_set(err, BERR_INVALID, "uids and gids must be in range 0-%lld", ID_MAX);
		}
		if (seen(added, nadded, (unsigned)gid))
			continue;
		if (nadded == sizeof(added) / sizeof(added[0]))
			return berr_set(err, BERR_INVALID, "too many additional groups");
		added[nadded++] = (unsigned)gid;
	}
	for (i = 0; i < nadded; i++)
		add_gid(u, added[i]);
	return 0;
}

int spec_resolve_user(const char *rootfs, const char *spec, const json_t *group_add,
		      struct spec_user *out, struct berr *err)
{
	_cleanup_sbuf_ struct sbuf passwd = SBUF_INIT, group = SBUF_INIT, pristine = SBUF_INIT;
	_cleanup_free_ char *user_arg = xstrdup(spec ? spec : ""), *matched = NULL;
	char *group_arg = strchr(user_arg, ':');
	int rc;

	memset(out, 0, sizeof(*out));
	if (group_arg) {
		*group_arg++ = '\0';
		/* runc's parseLine keeps only the second field: "a:b:c" is a:b */
		char *third = strchr(group_arg, ':');
		if (third)
			*third = '\0';
	} else {
		group_arg = "";
	}
	if (read_in_root(rootfs, "etc/passwd", &passwd, err) < 0 ||
	    read_in_root(rootfs, "etc/group", &group, err) < 0)
		return -1;
	sbuf_add(&pristine, group.buf ? group.buf : "", group.len);
	/* docker puts the primary gid first (the CVE-2022-36109 fix), then
	 * the supplementary groups; slot 0 is filled in once gid is known. */
	add_gid(out, 0);
	rc = match_user(&passwd, user_arg, out, &matched, err);
	if (rc == 0 && (*group_arg || matched))
		rc = match_groups(&group, group_arg, *group_arg ? NULL : matched, out, err);
	if (rc == 0 && json_array_size(group_add))
		rc = add_groups(&pristine, group_add, out, err);
	if (rc < 0) {
		spec_user_release(out);
		return -1;
	}
	out->gids[0] = out->gid;
	return 0;
}

void spec_user_release(struct spec_user *u)
{
	free(u->gids);
	free(u->home);
	u->gids = NULL;
	u->home = NULL;
	u->ngids = 0;
}
