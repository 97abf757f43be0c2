/* ports.h: maxconn's own choice of local port for each (source,
 * destination) pair: the client's default (--port-select maxconn).
 *
 * With IP_BIND_ADDRESS_NO_PORT the kernel chooses each port inside
 * connect(), searching the range for one free for the 4-tuple. Past half of
 * a pair's range that search costs up to milliseconds a connect (the kernel
 * tries one parity of ports first; once those are used it scans the rest):
 * 19,900 on one pair took 3.7 to 17 s here (bench/ports.sh), the first
 * 10,000 at the speed of an empty pair. Here each pair has a cursor that walks the range instead:
 * a connect binds the next port (SO_REUSEADDR) and connects, and the kernel
 * still checks that the 4-tuple is unique. A port it refuses is skipped and
 * never tried again by this run: bound by another program (bind:
 * EADDRINUSE) or its 4-tuple taken, as by another client's connection or a
 * TIME_WAIT without TCP timestamps (connect: EADDRNOTAVAIL; one with
 * timestamps the kernel takes over for a connect from a bound port).
 * Reserved ports (net.ipv4.ip_local_reserved_ports) are left out of the
 * walk, as the kernel leaves them out of its own. A connect then costs the
 * same whether its pair is empty or full: 19,900 on one pair in 0.6 to
 * 0.8 s (24k to 36k/s, flat to the last port).
 *
 * What it costs the host: while they are held, and for the 60 s of
 * TIME_WAIT after the client closes them, ports bound this way are skipped
 * by every other program's kernel-chosen connect() in the same network
 * namespace, to any destination (the kernel's search passes over a port
 * someone bound explicitly). In the probe's private namespace that
 * touches nothing; on a shared host, --port-select kernel leaves them to
 * the kernel's sharing.
 *
 * Slices: the cursors walk whatever range they are given. Shards of one run
 * take whole pairs (each pair is walked by one process), so they never meet
 * on a port; independent clients that share a pair can each take a slice
 * (mc_ports_slice: K of M, for --port-range), or share the range and let
 * the kernel's refusals steer them apart (each port costs each client one
 * refused try at most).
 *
 * The cursors are atomic (workers of one client share a pair's cursor);
 * the rest is fixed once built. The arithmetic is pure and unit-tested
 * (tests/unit/test_ports.c). */
#ifndef MC_CLIENT_PORTS_H
#define MC_CLIENT_PORTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "host/host.h"

struct mc_ports {
	uint16_t lo, hi;	  /* the range walked */
	uint16_t *port;		  /* its usable ports, ascending */
	uint32_t n;		  /* how many: the connections one pair can have */
	uint32_t reserved;	  /* ports of the range left out as reserved */
	uint64_t npairs;	  /* cursors */
	_Atomic uint32_t *taken; /* per pair: ports handed out so far */
	uint32_t seed;		  /* where each pair's walk starts */
};

/* Ports a connect skipped, by why the kernel refused them. */
struct mc_ports_skips {
	uint64_t bound; /* bind: EADDRINUSE (another socket bound it, not shared) */
	uint64_t tuple; /* connect: EADDRNOTAVAIL (the 4-tuple is taken: another
			 * client's connection, a TIME_WAIT without timestamps) */
};

/* Build the walk of [lo, hi] less the reserved ports (host/host.h's
 * reading of ip_local_reserved_ports; NULL for none) with npairs cursors.
 * Each pair starts at its own point of the range (seed and pair number),
 * so independent runs on a pair rarely begin on the same ports. 0, -EINVAL
 * (lo > hi, lo 0, no pairs) or -ENOMEM. */
int mc_ports_init(struct mc_ports *p, uint16_t lo, uint16_t hi,
		  const struct mc_host_reserved *reserved, uint64_t npairs, uint32_t seed);
void mc_ports_free(struct mc_ports *p);

/* The next port of pair's walk, or 0 once the walk has handed out every
 * port of the range. Any thread. */
uint16_t mc_ports_next(struct mc_ports *p, uint64_t pair);

/* Slice k (0-based) of m of [lo, hi]: consecutive, disjoint, covering the
 * range, sizes differing by one at most. False when m is 0, k >= m or the
 * range has fewer than m ports. */
bool mc_ports_slice(uint16_t lo, uint16_t hi, unsigned k, unsigned m, uint16_t *slo, uint16_t *shi);

/* Start a non-blocking connect from src to dst:dport on the next port of
 * pair's walk that the kernel takes (socket, SO_REUSEADDR, bind, connect),
 * skipping the ports it refuses (counted in *skips). On success *fd is set,
 * *t_call is when the last connect() was called, and the result is 0
 * (connected at once) or -EINPROGRESS. On failure returns -errno with
 * *stage naming the call that failed ("socket", "bind", "connect"); with
 * *exhausted set (and -EADDRNOTAVAIL) when the walk had no port left. */
int mc_ports_connect(struct mc_ports *p, uint64_t pair, const struct mc_addr *src,
		     const struct mc_addr *dst, uint16_t dport, int *fd, uint64_t *t_call,
		     const char **stage, bool *exhausted, struct mc_ports_skips *skips);

/* The source address the kernel would use toward dst (a UDP socket's
 * connect and getsockname: no packet is sent). 0 or -errno. */
int mc_ports_route_source(const struct mc_addr *dst, struct mc_addr *src);

#endif
