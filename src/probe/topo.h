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

/* Where the probe's nginx listens, in the middle namespace. */
#define MC_PROBE_VIA_PROXY_PORT 8000

struct mc_probe_topo {
	char router[48], server[48]; /* ip netns names; "" when not made */
	char rule[160];		     /* the nft rule the router loaded */
	/* --via nginx: the proxy in the middle namespace (router[]), its
	 * config and error log in the probe's directory, its pid */
	char conf[4200], log[4200];
	int nginx_pid;
};

/* Make the step's path: namespaces t->router and t->server (named after
 * the probe's pid and the step), veth pairs, addresses and routes, the
 * router's `snat to 10.231.2.1[-...]:40000-40999` over nat_addrs addresses.
 * The calling thread stays in the client's namespace (the step's own).
 * Returns 0, or -errno with err naming the command that failed (the part
 * made is removed). */
int mc_probe_topo_up(struct mc_probe_topo *t, int step, unsigned nat_addrs, struct mc_err *err);
/* The same path for --via nginx: no NAT; the middle namespace's
 * ip_local_port_range 40000-40999, binds source addresses 10.231.2.1..,
 * and nginx's config and log written under dir (started by
 * mc_probe_topo_proxy_start once the server listens). */
int mc_probe_topo_proxy_up(struct mc_probe_topo *t, int step, unsigned binds, const char *dir,
			   int upstream_port, struct mc_err *err);
/* Start nginx in the middle namespace, its own config and pid file, never
 * a host service; wait (5 s at most) until it listens. */
int mc_probe_topo_proxy_start(struct mc_probe_topo *t, struct mc_err *err);
/* Remove what mc_probe_topo_up made (nginx stopped by its pid, then the
 * namespaces; the probe's own processes in them stopped first). */
void mc_probe_topo_down(struct mc_probe_topo *t);
/* Where the client connects (10.231.2.100:first..) and from where
 * (sources from 10.232.0.1, local on the client's lo and routed by the
 * router). */
void mc_probe_topo_addrs(uint64_t sources, uint64_t dest_ports, uint16_t first_port,
			 struct mc_probe_addrs *a);
/* --via nginx: the client connects to nginx (10.231.1.1:8000). */
void mc_probe_topo_proxy_addrs(struct mc_probe_addrs *a);

#endif
