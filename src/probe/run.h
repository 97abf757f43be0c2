/* run.h: one probe run, as the orchestration (probe.c) and a step's ramp
 * (ramp.c) share it (internal to src/probe; types only). The run is made
 * of objects with interfaces of their own, each in its own unit and none of
 * which sees this struct: the children (child.h), the watched cgroups
 * (cgwatch.h), the server host's readings (remote.h), the step's addresses
 * (child.h) and its base (below). */
#ifndef MC_PROBE_RUN_H
#define MC_PROBE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "net/ctl.h"
#include "probe/cgwatch.h"
#include "probe/child.h"
#include "probe/probe-t.h"
#include "probe/remote.h"
#include "probe/topo.h"
#include "probe/watch.h"

/* What a step's figures grow from, taken before its client starts (by
 * probe.c's run_step; read by the ramp and the window). */
struct mc_probe_base {
	struct mc_watch before;
	uint64_t server_rss0, server_pte0; /* the server once it listened */
	int64_t server_socks0; /* --server-pid: its sockets before the ramp; -1 unknown */
};

struct mc_probe_ctx {
	const struct mc_probe_config *cfg;
	/* what every step needs of the scene; the report itself is not here:
	 * it is handed to the functions that write it (scene, run_step, the
	 * ramp's samples), so nothing else can reach it */
	bool netns;	  /* the steps run in private network namespaces */
	uint64_t reserve; /* MemAvailable the ramp keeps free (r->reserve) */
	struct mc_ctl ctl; /* the signals (Ctrl-C, SIGTERM) and the timer waits */
	struct mc_probe_children kids;
	struct mc_probe_cgwatch cgw;
	struct mc_probe_remote_reads remote;
	uint64_t t0, deadline;
	bool interrupted, timed_out;
	uint64_t sample_ns; /* grows when the sample array is full */
	int kmsg;	    /* the kernel log, from the scene on */
	/* the step now running */
	struct mc_probe_addrs addrs;
	struct mc_probe_topo topo; /* --via snat: the step's router and server namespaces */
	uint64_t conns; /* what the client is asked to open */
	struct mc_probe_base base;
	uint64_t kernel_held; /* frozen at a reserve: the client's connections the kernel holds */
	char dir[4096]; /* a private directory for the server's ready file, in $TMPDIR */
	char ready[4160];
};

/* The router whose conntrack -S the step reads: the probe's own (--via
 * snat), else --router-netns, else NULL. */
static inline const char *mc_probe_router(const struct mc_probe_ctx *p)
{
	return p->topo.router[0] && !p->topo.log[0] ? p->topo.router : p->cfg->router_netns;
}

/* The proxy's error log the step reads: the probe's nginx (--via nginx),
 * else --proxy-log, else NULL. */
static inline const char *mc_probe_proxy_log(const struct mc_probe_ctx *p)
{
	return p->topo.log[0] ? p->topo.log : p->cfg->proxy_log;
}

#endif
