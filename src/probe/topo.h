/* topo.h: the probe's path through a middle box (--via snat, internal to
 * src/probe; see topo.c): for a step, a router and a server namespace
 * beside the step's own (the client's), the router masquerading onto its
 * NAT addresses with nftables. */
#ifndef MC_PROBE_TOPO_H
#define MC_PROBE_TOPO_H

#include <stddef.h>

#include "common/err.h"
#include "probe/child.h"

/* The ports the router maps onto, per NAT address and destination: small,
 * so that the step is fast. */
#define MC_PROBE_VIA_PORT_LO 40000
#define MC_PROBE_VIA_PORT_HI 40999

struct mc_probe_topo {
	char router[48], server[48]; /* ip netns names; "" when not made */
	char rule[160];		     /* the nft rule the router loaded */
};

/* Make the step's path: namespaces t->router and t->server (named after
 * the probe's pid and the step), veth pairs, addresses and routes, the
 * router's `snat to 10.231.2.1[-...]:40000-40999` over nat_addrs addresses.
 * The calling thread stays in the client's namespace (the step's own).
 * Returns 0, or -errno with err naming the command that failed (the part
 * made is removed). */
int mc_probe_topo_up(struct mc_probe_topo *t, int step, unsigned nat_addrs, struct mc_err *err);
/* Remove what mc_probe_topo_up made (the processes in it stopped first). */
void mc_probe_topo_down(struct mc_probe_topo *t);
/* Where the client connects (10.231.2.100:first..) and from where
 * (sources from 10.232.0.1, local on the client's lo and routed by the
 * router). */
void mc_probe_topo_addrs(uint64_t sources, uint64_t dest_ports, uint16_t first_port,
			 struct mc_probe_addrs *a);

#endif
