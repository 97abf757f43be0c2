/* serverside.h: the server host's side of a probe across hosts, from its
 * exporters' pages (--server-metrics: node_exporter, a maxconn server's
 * --metrics). Pure: a page -> one reading; two readings and the client's
 * counts -> the server host's figures (struct mc_probe_server_host), its
 * evidence lines and the limit they name. remote.c fetches the pages. */
#ifndef MC_PROBE_SERVERSIDE_H
#define MC_PROBE_SERVERSIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/cause.h"
#include "probe/probe-t.h"

/* What one reading holds; NAN where no page said. */
enum mc_probe_rf {
	MC_RF_TCP_INUSE,   /* node_sockstat_TCP_inuse / maxconn_host_tcp_sockets_in_use */
	MC_RF_MEM_TOTAL,   /* node_memory_MemTotal_bytes */
	MC_RF_MEM_AVAIL,   /* node_memory_MemAvailable_bytes */
	MC_RF_KERNEL,	   /* Slab + KernelStack + PageTables */
	MC_RF_SLAB_SOCK,   /* socket slab caches, bytes (node_slabinfo_*, off by default) */
	MC_RF_SOCK_OBJ,	   /* one object of each socket cache, bytes (the same) */
	MC_RF_FD_ALLOC,	   /* node_filefd_allocated */
	MC_RF_FD_MAX,	   /* node_filefd_maximum */
	MC_RF_CT,	   /* node_nf_conntrack_entries */
	MC_RF_CT_MAX,	   /* node_nf_conntrack_entries_limit */
	MC_RF_OVERFLOWS,   /* node_netstat_TcpExt_ListenOverflows */
	MC_RF_DROPS,	   /* node_netstat_TcpExt_ListenDrops */
	MC_RF_SRV_HELD,	   /* maxconn_server_connections_held */
	MC_RF_SRV_USER,	   /* maxconn_server_user_memory_bytes_per_connection */
	MC_RF_REF_FD,	   /* maxconn_server_connections_refused_total{cause=...} */
	MC_RF_REF_MEM,
	MC_RF_REF_THREADS,
	MC_RF_REF_WATCHES,
	MC_RF_N
};

struct mc_probe_remote {
	double v[MC_RF_N];
	bool node, maxconn; /* which exporters' families were seen */
	/* a maxconn page's maxconn_metrics_publishes_total (the highest of
	 * the pages read), NAN when none has it */
	double publishes;
	/* the first figure a page had but that was not used, and why
	 * ("node_sockstat_TCP_inuse is -5: a count is never negative");
	 * nbad: how many were not */
	char bad[160];
	int nbad;
};

/* All unknown. */
void mc_probe_remote_init(struct mc_probe_remote *r);
/* Add what page (one exporter's text) says to r; a figure already known
 * stays (the first page given wins). A figure is used only when the page
 * lists its series once and its value is finite, not negative and within
 * what a host can have (a count under 2^64, bytes under 64 PiB); one that
 * fails stays unknown (NAN) and says why in r->bad. */
void mc_probe_remote_parse(const char *page, struct mc_probe_remote *r);
/* The server host's figures from the readings before the client started
 * and at the top; reserve is kept on the server host as the probe keeps
 * one here: the larger of 10% of its memory and 1 GiB. h->asked, known
 * and error are the caller's (they say whether the pages answered); when
 * known, readings with no figure at all (an empty page, another
 * exporter's) make it unknown with the reason in h->error, and figures
 * that were not used are named there. */
void mc_probe_server_host_figures(const struct mc_probe_remote *before,
				  const struct mc_probe_remote *after,
				  struct mc_probe_server_host *h);

/* What the server host's readings add to a step's verdict. */
struct mc_probe_srv_verdict {
	char limit_id[32], limit_name[96], happened[240];
};

/* Name the server-side limit the readings show, given what the client
 * saw (fail, lost by cause, held): refusals of a maxconn server by cause,
 * the conntrack table full, the system's files, memory at the reserve,
 * the accept queue overflowing. False when they show none. */
bool mc_probe_server_host_verdict(const struct mc_probe_remote *before,
				  const struct mc_probe_remote *after,
				  const struct mc_probe_server_host *h, const uint64_t *fail,
				  const uint64_t *lost, uint64_t held, struct mc_probe_srv_verdict *v);

/* One evidence line: what, value, text; evidence() receives each. */
typedef void (*mc_probe_evidence_fn)(void *arg, const char *what, uint64_t value,
				     const char *text);
/* The server host's evidence lines ("server host: ListenOverflows", ...). */
void mc_probe_server_host_evidence(const struct mc_probe_remote *before,
				   const struct mc_probe_remote *after,
				   const struct mc_probe_server_host *h, mc_probe_evidence_fn fn,
				   void *arg);

#endif
