/* diag.h: the kernel's own list of TCP sockets, read the way `ss` reads it
 * (NETLINK_SOCK_DIAG, filtered by state in the kernel): how many sockets a
 * (source, destination) pair holds in TIME_WAIT, how many connections
 * toward a port are established, what the listeners on some ports dropped.
 * Walking is I/O; counting TIME_WAIT that connect() may reuse and telling
 * which listeners take a destination's connections are pure
 * (mc_diag_tw_blocks, mc_diag_listen_takes: unit-tested). */
#ifndef MC_NET_DIAG_H
#define MC_NET_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/* TCP states as the kernel numbers them (include/net/tcp_states.h) */
#define MC_TCP_ESTABLISHED 1
#define MC_TCP_SYN_SENT	   2
#define MC_TCP_TIME_WAIT   6
#define MC_TCP_LISTEN	   10

struct mc_diag_sock {
	struct mc_addr src, dst; /* local and remote address */
	uint16_t sport, dport;	 /* local and remote port */
	uint8_t state;		 /* MC_TCP_* */
	uint32_t expires_ms;	 /* TIME_WAIT: ms until the kernel frees it */
	/* a listener: its accept queue now and its length (the backlog) */
	uint32_t rqueue, wqueue;
	/* asked by mc_diag_listen_read only: the socket's sk_drops
	 * (SK_MEMINFO_DROPS; a listener counts there every SYN or ACK it
	 * dropped, the ListenOverflows and ListenDrops that were its own) and
	 * IPV6_V6ONLY; has_drops false when the kernel did not say */
	uint32_t drops;
	bool has_drops, v6only;
};

/* Call fn for every TCP socket of this network namespace, IPv4 and IPv6,
 * whose state is in states (a mask of 1 << MC_TCP_*); stop early when fn
 * returns non-zero. 0, or -errno (no sock_diag: -EPROTONOSUPPORT). */
int mc_diag_walk(uint32_t states, int (*fn)(void *arg, const struct mc_diag_sock *s), void *arg);

/* The listeners that take the connections toward dst[0..ndst) (the
 * measured server's), summed. */
struct mc_diag_listen {
	uint32_t listeners;	  /* how many were found */
	uint64_t drops;		  /* their sk_drops: SYNs and ACKs dropped at them since
				   * they listen (each drop they made counts once in
				   * the namespace's ListenDrops, an overflow in
				   * ListenOverflows too) */
	uint64_t queued, backlog; /* their accept queues now, and their lengths */
};
/* Pure: does listener s take connections toward one of dst[0..ndst)? Its
 * port is in the destination's range and its address is the destination's,
 * or the wildcard (0.0.0.0, or :: that is not IPV6_V6ONLY for an IPv4
 * destination) when local[i] says the destination's address is one of this
 * namespace's. */
bool mc_diag_listen_takes(const struct mc_diag_sock *s, const struct mc_endpoint_range *dst,
			  size_t ndst, const bool *local);
/* The listeners of this namespace that take the connections toward
 * dst[0..ndst) (at most 16), summed into out (zeroed first; out->listeners
 * 0: none here, e.g. the destination is another host). 0, or -errno (no
 * sock_diag; -ENODATA when the kernel gave no sk_drops). */
int mc_diag_listen_read(const struct mc_endpoint_range *dst, size_t ndst,
			struct mc_diag_listen *out);

/* How the kernel lets connect() take over a port some socket holds in
 * TIME_WAIT toward the same destination (tcp_twsk_unique): only when the
 * old connection used TCP timestamps, and, when connect() searches the
 * port itself, tcp_tw_reuse is 1 (or 2 and either address is loopback)
 * and tcp_tw_reuse_delay ms have passed since it entered TIME_WAIT (1 s
 * before Linux 6.13). A socket bound to its port before connect() (as
 * maxconn client's own port choice binds) takes it over at once. A
 * TIME_WAIT socket lasts 60 s (TCP_TIMEWAIT_LEN). */
#define MC_TW_LEN_MS 60000
struct mc_tw_rules {
	unsigned reuse;	   /* net.ipv4.tcp_tw_reuse: 0, 1, 2 */
	unsigned delay_ms; /* net.ipv4.tcp_tw_reuse_delay (1000) */
	bool timestamps;   /* net.ipv4.tcp_timestamps on */
	bool bound;	   /* the client binds each port before connect() */
};
/* Pure: does a TIME_WAIT socket between src and dst, expires_ms from its
 * end, still keep connect() off its port? */
bool mc_diag_tw_blocks(const struct mc_tw_rules *r, const struct mc_addr *src,
		       const struct mc_addr *dst, uint32_t expires_ms);

/* The TIME_WAIT sockets of one pair (src, dst:dport): all of them, and
 * those that still keep connect() off their port under rules r (read from
 * this namespace when r is NULL). 0 or -errno. */
int mc_diag_tw_pair(const struct mc_addr *src, const struct mc_addr *dst, uint16_t dport,
		    const struct mc_tw_rules *r, uint64_t *all, uint64_t *blocking);
/* The TIME_WAIT sockets of this namespace grouped by pair (local address,
 * remote address, remote port), counting only those whose local port lies
 * in [port_lo, port_hi] (a client's ephemeral ports; a server's closed
 * connections sit on its listening port and block no connect()), into
 * out[] (at most max pairs, those with the most blocking first); *n pairs.
 * 0 or -errno. */
struct mc_diag_tw_pair {
	struct mc_addr src, dst;
	uint16_t dport;
	uint64_t all, blocking; /* in TIME_WAIT; of them still keeping connect() off */
};
int mc_diag_tw_pairs(const struct mc_tw_rules *r, uint16_t port_lo, uint16_t port_hi,
		     struct mc_diag_tw_pair *out, int max, int *n);
/* "N ports of this pair are in TIME_WAIT, M of them kept from connect()
 * (tcp_tw_reuse R, tcp_tw_reuse_delay D ms)" for the pair (src: NULL for
 * the kernel's choice of source; bound: the client binds its ports) into
 * buf, or "" when none is or they
 * cannot be read. For a connect() that failed with EADDRNOTAVAIL. */
void mc_diag_tw_words(const struct mc_addr *src, const struct mc_addr *dst, uint16_t dport,
		      bool bound, char *buf, size_t len);

/* The rules of this network namespace (missing sysctls: the defaults of
 * the kernel that lacks them: delay 1000 ms, reuse 2, timestamps on). */
void mc_diag_tw_rules(struct mc_tw_rules *r);

#endif
