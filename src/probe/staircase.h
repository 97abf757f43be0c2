/* staircase.h: the scenarios the probe runs, step after step (internal to
 * src/probe; see staircase.c). Pure functions, unit-tested in
 * tests/unit/test_staircase.c. */
#ifndef MC_PROBE_STAIRCASE_H
#define MC_PROBE_STAIRCASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe-t.h"

/* What the first scenario takes from the host when it runs there (with
 * --no-netns or --target-addr): a fresh namespace starts with the kernel's
 * defaults instead. */
struct mc_probe_host {
	uint64_t port_lo, port_hi; /* net.ipv4.ip_local_port_range */
	uint64_t somaxconn;	   /* net.core.somaxconn */
	uint64_t nofile;	   /* RLIMIT_NOFILE soft of the probe */
	bool no_netns;		   /* the steps run on the host's loopback (not root):
				    * its somaxconn and port range hold, not a new
				    * namespace's */
};

/* The first scenario: the user's flags over the defaults, or the seed's
 * naive program (one source, one port, one fd table) with --staircase. */
void mc_probe_first_scenario(const struct mc_probe_config *cfg, const struct mc_probe_host *host,
			     struct mc_probe_scenario *sc);

/* The next scenario after step st: st's with the limit that stopped it
 * lifted (ephemeral_ports: the range to 1024-65535 when that alone reaches
 * the target or the target is max, else more sources: enough for the target
 * with a pair to spare;
 * fd_process: private fd tables; accept_queue: a 16x backlog; threads:
 * epoll), and what changed in words in what. False, with *next a copy of
 * st->sc, when the step did not stop at a limit or the limit cannot be
 * lifted here (host-wide ones: memory, fd_system, conntrack). */
bool mc_probe_lift(const struct mc_probe_step *st, struct mc_probe_scenario *next, char *what,
		   size_t len);

#endif
