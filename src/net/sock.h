/* sock.h: sockets and fd tables: listeners, non-blocking connects with
 * IP_BIND_ADDRESS_NO_PORT, private fd tables, and the EMFILE reserve fd. */
#ifndef MC_NET_SOCK_H
#define MC_NET_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/addr.h"

/* A listening TCP socket on addr:port (SO_REUSEADDR, non-blocking,
 * close-on-exec). Returns the fd or -errno; err names the address. */
int mc_sock_listen(const struct mc_addr *addr, uint16_t port, int backlog, struct mc_err *err);
/* The port a socket is bound to (for port 0). */
int mc_sock_local_port(int fd, uint16_t *port);

/* Start a non-blocking connect to dst:port, from src (if not NULL; the
 * port is left to connect() through IP_BIND_ADDRESS_NO_PORT, so each
 * source address gets the whole port range per destination). On success
 * *fd is set and the result is 0 (connected at once) or -EINPROGRESS.
 * On failure returns -errno with *fd = -1 and *stage naming the call
 * that failed ("socket", "bind", "connect"). */
int mc_sock_connect(const struct mc_addr *src, const struct mc_addr *dst, uint16_t port, int *fd,
		    const char **stage);
/* The pending error of a socket (SO_ERROR), as 0 or -errno. */
int mc_sock_error(int fd);
/* Can this host bind addr as a source? 0, or -EADDRNOTAVAIL when it is not
 * an address of this host. */
int mc_sock_check_source(const struct mc_addr *addr);
/* Are n ranges of sources this host's? Each range's first and last address
 * are tried (a range is one subnet's: its ends stand for it). 0, or
 * -EADDRNOTAVAIL with *bad the first that is not. */
int mc_sock_check_sources(const struct mc_addr_range *src, size_t n, struct mc_addr *bad);

/* Open fds in the calling thread's table (from /proc/thread-self/fd). */
int mc_fdtable_count(void);
/* RLIMIT_NOFILE soft limit. */
uint64_t mc_fdtable_limit(void);

/* The EMFILE reserve fd (libuv's technique): one spare fd kept open so that
 * a listener at the fd limit can close it, accept the pending connection,
 * close that at once, and reopen it: the connection is refused cleanly and
 * a level-triggered listener does not spin. */
int mc_reserve_open(void);
/* Accept-and-drop one pending connection through the reserve; returns 1
 * when a connection was dropped, 0 when none was pending, -errno. */
int mc_reserve_drop(int *reserve_fd, int lfd);

#endif
