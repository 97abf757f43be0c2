/* remote.h: reading the server host's exporters while the probe runs
 * (--server-metrics; internal to src/probe): before the client starts, about
 * once a second while it ramps, and at the top. A read blocks the probe's
 * one thread for at most REMOTE_TIMEOUT; the children ramp on meanwhile. */
#ifndef MC_PROBE_REMOTE_H
#define MC_PROBE_REMOTE_H

#include <stdbool.h>

#include "probe/run.h"

/* The reading before the client starts. */
void mc_probe_remote_before(struct mc_probe_ctx *p);
/* During the ramp: the server host's TCP sockets, read at most once a
 * second (NAN when unknown or not asked). */
double mc_probe_remote_live(struct mc_probe_ctx *p);
/* The reading at the top; short_of_target: the step stopped early, so wait
 * for a maxconn server's next once-a-second publish first. */
void mc_probe_remote_top(struct mc_probe_ctx *p, bool short_of_target);
/* The step's server host figures from the two readings (st->srv_host). */
void mc_probe_remote_account(struct mc_probe_ctx *p, struct mc_probe_step *st);

#endif
