/*
 * unixsock.h - the two unix-socket steps the monitor and exec share: a
 * listening socket only its owner may use, and receiving the one fd a
 * peer passes (an OCI runtime's --console-socket sends the pty master).
 */
#ifndef BERTH_UTIL_UNIXSOCK_H
#define BERTH_UTIL_UNIXSOCK_H

/* A socket listening at path (replaced if present), mode 0600 whatever
 * the umask; extra_flags: SOCK_NONBLOCK or 0 (it is always close-on-exec).
 * Returns the fd, or -1 with errno. */
int unix_listen(const char *path, int backlog, int extra_flags);
/* Accepts one connection on lfd and returns the fd it passes
 * (SCM_RIGHTS, close-on-exec), or -1. */
int unix_recv_fd(int lfd);

#endif
