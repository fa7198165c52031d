/* unixsock.c - see unixsock.h. */
#include "unixsock.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int unix_listen(const char *path, int backlog, int extra_flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0);
	mode_t old;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	old = umask(0177);   /* a socket file is 0777 & ~umask: 0600 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

int unix_recv_fd(int lfd)
{
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), fd = -1;
	char data[256], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;

	if (cfd < 0)
		return -1;
	if (recvmsg(cfd, &mh, MSG_CMSG_CLOEXEC) >= 0 && (cm = CMSG_FIRSTHDR(&mh)) && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(cfd);
	return fd;
}
