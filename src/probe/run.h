/* run.h: the state of one probe run, shared by the files that run it
 * (internal to src/probe): probe.c orchestrates the steps, child.c owns the
 * two children and the page they publish their counters in, ramp.c samples,
 * stops and accounts a step. Types only. */
#ifndef MC_PROBE_RUN_H
#define MC_PROBE_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client/client.h"
#include "common/cgroup.h"
#include "common/clock.h"
#include "common/parse.h"
#include "net/ctl.h"
#include "probe/probe.h"
#include "probe/serverside.h"
#include "probe/watch.h"
#include "server/server.h"

#define MC_PROBE_SAMPLE_NS     (100 * MC_NS_PER_MS) /* the sampling period */
#define MC_PROBE_MAX_DEST_PORTS 64
#define MC_PROBE_MAX_SOURCES	16 /* --source ranges */
/* what each connection sends every --heartbeat, and the server echoes */
#define MC_PROBE_HEARTBEAT "0123456789abcdef"


/* What a child publishes: its latest counters, under a sequence lock. */
struct mc_probe_pub {
	_Atomic uint32_t seq; /* odd while being written */
	_Atomic int done;     /* the engine returned; the counters are final */
	_Atomic int ready;    /* the server listens */
	int rc;		      /* the engine's return code */
	char err[200];
	union {
		struct mc_client_stats c;
		struct mc_server_stats s;
	} u;
};

/* The page the probe shares with its children (MAP_SHARED). */
struct mc_probe_page {
	struct mc_probe_pub client, server;
	_Atomic int client_pause; /* set: the client starts no more connects */
};

struct mc_probe_child {
	pid_t pid;
	int status;
	bool reaped;
};

struct mc_probe_ctx {
	const struct mc_probe_config *cfg;
	struct mc_probe_report *r;
	struct mc_probe_page *sh;
	struct mc_ctl ctl;
	struct mc_probe_child server, client;
	uint64_t t0, deadline;
	bool interrupted, timed_out;
	uint64_t sample_ns; /* grows when the sample array is full */
	/* the step now running */
	struct mc_endpoint_range dst[MC_PROBE_MAX_DEST_PORTS];
	size_t ndst;
	struct mc_addr_range src[MC_PROBE_MAX_SOURCES];
	size_t nsrc;
	uint64_t conns; /* what the client is asked to open */
	struct mc_watch before;
	/* the memory cgroups kept to their reserve (r->cg[]): sampled now, and
	 * as they were when the step's client started */
	struct mc_cg_mem cgm[MC_PROBE_MAX_CG], cg_before[MC_PROBE_MAX_CG];
	/* the child cgroups the server ([0]) and client ([1]) run in, "" none,
	 * and their usage when the step's client started */
	char sub[2][256];
	uint64_t sub_before[2];
	/* the pids cgroup of the probe and its children (version 0: none), and
	 * the forks it had refused when the step's client started */
	struct mc_cg pids_cg;
	uint64_t pids_refused0;
	bool frozen;	      /* the children were stopped (SIGSTOP) at a reserve */
	uint64_t kernel_held; /* then: the client's connections the kernel holds */
	uint64_t server_rss0, server_pte0; /* the server once it listened */
	int64_t server_socks0; /* --server-pid: its sockets before the ramp; -1 unknown */
	int kmsg;
	char dir[4096]; /* a private directory for the server's ready file, in $TMPDIR */
	char ready[4160];
	/* --server-metrics readings (remote.c): before the client, live, top */
	struct mc_probe_remote rbefore, rlive, rafter;
	bool rbefore_ok, rafter_ok;
	uint64_t rlive_t;
	char rerr[240];
};

#endif
