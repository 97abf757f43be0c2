/* bufcost.h: what `--traffic SIZE` costs in TCP buffer memory on this host:
 * the bytes net.ipv4.tcp_mem is charged per connection whose reader leaves
 * SIZE bytes unread, and on which socket they sit. Measured by a short
 * calibration in a private network namespace (mc_bufcost_measure), or a
 * stated assumption where it cannot run (mc_bufcost_assume). */
#ifndef MC_LIMITS_BUFCOST_H
#define MC_LIMITS_BUFCOST_H

#include <stdbool.h>
#include <stdint.h>

struct mc_bufcost {
	uint64_t size;	/* bytes each connection's writer sent once (--traffic) */
	uint64_t conns; /* connections the calibration held (0: assumed) */
	/* per connection, averaged: payload bytes in the reader's receive
	 * queue (SIOCINQ) and in the writer's send queue (SIOCOUTQ) */
	uint64_t reader_held, writer_held;
	/* per connection, what tcp_mem counts for each socket: skb truesize
	 * queued (rmem_alloc, wmem_queued) plus its forward allocation, all of
	 * it in whole pages (SO_MEMINFO) */
	uint64_t reader_bytes, writer_bytes;
	uint64_t charged; /* reader_bytes + writer_bytes: per connection */
	bool measured;	  /* false: assumed (how says why) */
	char how[320];	  /* how the figures were had, in words */
};

/* The calibration: n connections on a private loopback (a forked child in
 * a network namespace of its own: the host's sockets are not touched),
 * each writer sends size bytes once, no reader reads, and once the queues
 * stand still each socket's SO_MEMINFO is read. Takes well under a second
 * (it gives up after 2 s). 0, or -errno (-EPERM: not root; the caller then
 * assumes). */
int mc_bufcost_measure(uint64_t size, uint64_t page_size, struct mc_bufcost *b);

/* The stated assumption when the calibration cannot run: the payload sits
 * in the reader's receive queue (up to rcvbuf_max; the rest in the writer's
 * queue, up to sndbuf_max), each socket charged its bytes plus one skb's
 * overhead per 64 KiB, rounded up to pages. why: the calibration's error. */
void mc_bufcost_assume(uint64_t size, uint64_t page_size, uint64_t rcvbuf_max, uint64_t sndbuf_max,
		       const char *why, struct mc_bufcost *b);

/* One calibration from its per-socket readings (pure): n pairs, each
 * reading SO_MEMINFO's rmem_alloc, fwd_alloc and wmem_queued, and the
 * queued payload. Fills b's averages and charged. */
struct mc_bufcost_sock {
	uint32_t rmem_alloc, fwd_alloc, wmem_queued;
	uint32_t inq, outq;
};
void mc_bufcost_sum(uint64_t size, const struct mc_bufcost_sock *reader,
		    const struct mc_bufcost_sock *writer, uint64_t n, struct mc_bufcost *b);

#endif
