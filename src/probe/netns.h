/* netns.h: the probe's private network namespaces (internal to src/probe;
 * see netns.c). */
#ifndef MC_PROBE_NETNS_H
#define MC_PROBE_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "probe/probe-t.h"

/* Decide where the probe runs, before its first step: the host's network
 * with --target-addr or --no-netns, else a private namespace when
 * unshare(CLONE_NEWNET) works (root), else the host's loopback. Writes the
 * sentence for the report's "where" into where; returns true when in a
 * private namespace. */
bool mc_probe_netns_first(const struct mc_probe_config *cfg, char *where, size_t len);

/* A fresh namespace for a step: unshare(CLONE_NEWNET), loopback up, and
 * the scenario's somaxconn, tcp_max_syn_backlog and ip_local_port_range
 * set there only. Returns 0, or -errno with err set. */
int mc_probe_netns_enter(const struct mc_probe_scenario *sc, struct mc_err *err);

#endif
