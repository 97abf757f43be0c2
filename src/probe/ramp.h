/* ramp.h: one step of the probe, from the client's start to its verdict
 * and costs (internal to src/probe; see ramp.c). Of the step's record
 * (struct mc_probe_step) the ramp writes the measurement (seconds, reached,
 * attempted, rate, diff_pct, the costs and the projection) and hands the
 * rest each to one writer: the verdict to diagnose.c (mc_probe_diagnose),
 * srv_host to remote.c, steady to steady.c. */
#ifndef MC_PROBE_RAMP_H
#define MC_PROBE_RAMP_H

#include <stdint.h>

#include "probe/diagnose.h"
#include "probe/run.h"

/* Ramp step st (its server, if any, and client running) until the target,
 * the first limit, the memory reserve, Ctrl-C or the deadline, adding a
 * sample to r's series about ten times a second and calling cfg->tick
 * with r (the ramp writes r's samples and nothing else of it).
 * Fills o with the host's figures at the top and why it stopped, cs and
 * ss with the children's last counters, st->seconds with the ramp time;
 * sets p->interrupted or p->timed_out. Once all connections are up it
 * holds them for cfg->hold_ns and, with cfg->window_ns, runs the
 * steady-state window in that time, filling st->steady when it completes.
 * Nothing is torn down. */
void mc_probe_ramp(struct mc_probe_ctx *p, struct mc_probe_report *r, struct mc_probe_step *st, struct mc_probe_obs *o,
		   struct mc_client_stats *cs, struct mc_server_stats *ss);

/* After mc_probe_ramp, before the teardown: the step's figures (reached,
 * attempted, rate, diff against the prediction), its verdict
 * (mc_probe_diagnose on o, completed from cs and ss) and what one
 * connection cost (slab, user bytes, the projection). */
void mc_probe_account(struct mc_probe_ctx *p, struct mc_probe_step *st, struct mc_probe_obs *o,
		      const struct mc_client_stats *cs, const struct mc_server_stats *ss);

#endif
