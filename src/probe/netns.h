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

/* Move the step into a namespace whose established hash is sized for
 * sockets (mc_host_ehash_size), or has buckets (nonzero: --ehash): net.ipv4.tcp_child_ehash_entries set where the probe is (the
 * namespace mc_probe_netns_enter made for the step a moment ago, never the
 * host's), a fresh namespace made from there as mc_probe_netns_enter
 * makes it, and the setting put back at once. eh says what the step got,
 * read inside its namespace; where the kernel has no such sysctl or
 * refuses it the step stays where it is, with the kernel's shared hash,
 * and eh->why says why. Returns 0, or -errno (err set) when the new
 * namespace could not be made. */
int mc_probe_netns_size(const struct mc_probe_scenario *sc, uint64_t sockets, uint64_t buckets,
			struct mc_probe_ehash *eh, struct mc_err *err);

/* A step that is not sized (no namespace of the probe's own): the hash
 * where it runs, read, and why. */
void mc_probe_ehash_unsized(struct mc_probe_ehash *eh, const char *why);

#endif
