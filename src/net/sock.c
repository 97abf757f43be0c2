/* sock.c: listeners, connects, fd tables (see sock.h). */
#include "net/sock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

int mc_sock_listen(const struct mc_addr *addr, uint16_t port, int backlog, struct mc_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = mc_addr_to_sockaddr(addr, port, &ss);
	char where[MC_ADDR_STRLEN], eb[128];
	int one = 1, fd, e;

	mc_addr_port_str(addr, port, where, sizeof(where));
	fd = socket(addr->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		e = errno;
		return mc_errf(err, -e, "socket for %s: %s", where, mc_strerror(e, eb, sizeof(eb)));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		e = errno;
		close(fd);
		if (e == EADDRINUSE)
			return mc_errf(err, -e,
				       "listen %s: %s: another program listens there; pick "
				       "another --listen port or stop it (ss -ltnp 'sport = :%u')",
				       where, mc_strerror(e, eb, sizeof(eb)), port);
		if (e == EADDRNOTAVAIL)
			return mc_errf(err, -e,
				       "listen %s: %s: that address is not on this host (ip -br addr)",
				       where, mc_strerror(e, eb, sizeof(eb)));
		if (e == EACCES)
			return mc_errf(err, -e,
				       "listen %s: %s: ports below 1024 need root or "
				       "CAP_NET_BIND_SERVICE",
				       where, mc_strerror(e, eb, sizeof(eb)));
		return mc_errf(err, -e, "bind %s: %s", where, mc_strerror(e, eb, sizeof(eb)));
	}
	if (listen(fd, backlog) == -1) {
		e = errno;
		close(fd);
		return mc_errf(err, -e, "listen %s: %s", where, mc_strerror(e, eb, sizeof(eb)));
	}
	return fd;
}

int mc_sock_local_port(int fd, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct mc_addr a;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -errno;
	mc_addr_from_sockaddr((struct sockaddr *)&ss, &a, port);
	return 0;
}

int mc_sock_connect(const struct mc_addr *src, const struct mc_addr *dst, uint16_t port, int *fd,
		    const char **stage)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s, e, one = 1;

	*fd = -1;
	*stage = "socket";
	s = socket(dst->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1)
		return -errno;
	if (src) {
		*stage = "bind";
		/* without this, bind() picks the port before the destination is
		 * known, and a source address is capped at one port range in all */
		if (setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) == -1)
			goto fail;
		len = mc_addr_to_sockaddr(src, 0, &ss);
		if (bind(s, (struct sockaddr *)&ss, len) == -1)
			goto fail;
	}
	*stage = "connect";
	len = mc_addr_to_sockaddr(dst, port, &ss);
	if (connect(s, (struct sockaddr *)&ss, len) == 0) {
		*fd = s;
		return 0;
	}
	if (errno == EINPROGRESS) {
		*fd = s;
		return -EINPROGRESS;
	}
fail:
	e = errno;
	close(s);
	return -e;
}

int mc_sock_error(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return -errno;
	return -e;
}

int mc_sock_check_source(const struct mc_addr *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = mc_addr_to_sockaddr(addr, 0, &ss);
	int one = 1, rc = 0;
	int s = socket(addr->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s == -1)
		return -errno;
	setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) == -1)
		rc = -errno;
	close(s);
	return rc;
}

int mc_sock_check_sources(const struct mc_addr_range *src, size_t n, struct mc_addr *bad)
{
	for (size_t i = 0; i < n; i++)
		for (int end = 0; end < 2; end++) {
			mc_addr_nth(&src[i], end ? src[i].count - 1 : 0, bad);
			if (mc_sock_check_source(bad) == -EADDRNOTAVAIL)
				return -EADDRNOTAVAIL;
		}
	return 0;
}

int mc_fdtable_count(void)
{
	DIR *d = opendir("/proc/thread-self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

uint64_t mc_fdtable_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	return rl.rlim_cur;
}

int mc_reserve_open(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd == -1 ? -errno : fd;
}

int mc_reserve_drop(int *reserve_fd, int lfd)
{
	int c, dropped = 0;

	if (*reserve_fd >= 0) {
		close(*reserve_fd);
		*reserve_fd = -1;
	}
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0) {
		close(c);
		dropped = 1;
	}
	*reserve_fd = mc_reserve_open();
	return dropped;
}
