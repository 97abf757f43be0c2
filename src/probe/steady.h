/* steady.h: the probe's steady-state window (internal to src/probe; see
 * steady.c). The snapshots are taken by the ramp's loop; turning two of
 * them into figures is pure, unit-tested in tests/unit/test_probe_steady.c. */
#ifndef MC_PROBE_STEADY_H
#define MC_PROBE_STEADY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/hist.h"
#include "common/procfs.h"
#include "probe/child.h"
#include "probe/probe-t.h"

/* What the window reads at its start and at its end. */
struct mc_probe_window_snap {
	uint64_t t_ns;	    /* the probe's clock when taken */
	uint64_t client_ns; /* the client's elapsed_ns of the tick its counts are from */
	uint64_t msgs_sent, msgs_returned;
	uint64_t conns;	      /* connections the client holds */
	uint64_t server_held; /* 0: unknown */
	struct mc_hist rtt;   /* the client's round trips so far, in ns */
	bool server;	      /* server read (pid exists) */
	struct mc_proc_pid proc; /* the server process */
	uint64_t server_rss;  /* as mc_probe_server_rss counts it (with children) */
	uint64_t slab_total, kernel_stack; /* meminfo */
};

/* What the memory figures grow from: the step's start. */
struct mc_probe_window_base {
	uint64_t slab_total, kernel_stack; /* meminfo before the client */
	uint64_t server_rss, server_pte;   /* the server once it listened */
};

/* A window's progress through one step. */
struct mc_probe_window {
	uint64_t start_at, end_at; /* the probe's clock; 0: not armed */
	bool started, done;
	struct mc_probe_window_snap a, b;
	/* set when armed: the server it reads (mc_probe_server_pid), the
	 * step's base, the periods */
	const struct mc_probe_children *kids;
	struct mc_probe_window_base base;
	uint64_t settle_ns, heartbeat_ns;
};

/* All connections are up at now: the window starts after cfg->settle_ns
 * and lasts cfg->window_ns, reading the server of kids against base.
 * Returns when it ends (the probe's clock). */
uint64_t mc_probe_window_arm(struct mc_probe_window *w, const struct mc_probe_config *cfg,
			     const struct mc_probe_children *kids,
			     const struct mc_probe_window_base *base, uint64_t now);

/* Called each sample once armed, with the children's latest counters (ss
 * unused with --target-addr): takes the start snapshot when it is due, and
 * the end one, then fills out (the step's steady record, written only
 * here) from both. True once the window is done. */
bool mc_probe_window_poll(struct mc_probe_window *w, uint64_t now,
			  const struct mc_client_stats *cs, const struct mc_server_stats *ss,
			  struct mc_probe_steady *out);

/* Pure: the figures of a window from its two snapshots, the step's base,
 * the clock ticks per second of utime/stime, the settle and heartbeat
 * periods. Rates over the window; no figure is negative (a counter that
 * went back, as context switches of threads that ended, counts 0). */
void mc_probe_steady_compute(const struct mc_probe_window_base *base,
			     const struct mc_probe_window_snap *a,
			     const struct mc_probe_window_snap *b, long clk_tck, uint64_t settle_ns,
			     uint64_t heartbeat_ns, struct mc_probe_steady *out);

#endif
