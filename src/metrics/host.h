/* host.h: the families every maxconn endpoint serves besides its role's:
 * maxconn_build_info, maxconn_run_info (role, model, shard) and the host's
 * side as the process sees it: TCP sockets in use, listen-queue overflows
 * and drops (this network namespace: /proc/net is per namespace), memory
 * available and the kernel's own memory (host-wide /proc/meminfo).
 * Reading /proc and writing the families are apart: the writer is pure. */
#ifndef MC_METRICS_HOST_H
#define MC_METRICS_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "host/host.h"
#include "metrics/prom.h"

/* What a scrape reads from /proc: the host files, with host/host.h's one
 * reader each. A file's families are left out, not written as 0, when
 * one of the figures they need could not be read. */
struct mc_metrics_host {
	struct mc_host_sockstat sockstat; /* TCP: inuse, tw (and orphan) */
	struct mc_host_netstat netstat;	  /* TcpExt: ListenOverflows, ListenDrops */
	struct mc_host_meminfo meminfo;	  /* MemTotal, MemAvailable, Slab (+ KernelStack,
					   * PageTables: a figure it lacks counts 0) */
};

/* What run_info says: role "server", "client" or "probe"; model the
 * server's engine (the client's is epoll); shard "K/M" or "" for none. */
struct mc_metrics_info {
	const char *version, *role, *model, *shard;
};

/* Read root + /proc/... (NULL: the real /proc). Never fails: what cannot
 * be read is marked unknown. */
void mc_metrics_host_read(const char *root, struct mc_metrics_host *h);
/* maxconn_build_info, maxconn_run_info and the host's families (h NULL:
 * the info alone). */
void mc_metrics_host_write(struct mc_prom *p, const struct mc_metrics_info *info,
			   const struct mc_metrics_host *h);

#endif
