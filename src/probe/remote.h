/* remote.h: reading the server host's exporters while the probe runs
 * (--server-metrics; internal to src/probe): before the client starts, about
 * once a second while it ramps, and at the top. A read blocks the probe's
 * one thread for at most REMOTE_TIMEOUT; the children ramp on meanwhile.
 * struct mc_probe_remote_reads holds a step's readings, written only here. */
#ifndef MC_PROBE_REMOTE_H
#define MC_PROBE_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/probe-t.h"
#include "probe/serverside.h"

struct mc_probe_remote_reads {
	const char *const *urls; /* --server-metrics */
	int nurls;
	struct mc_probe_remote before, live, after;
	bool before_ok, after_ok;
	uint64_t live_t; /* when live was last read */
	char err[240];	 /* the first error of the last failed reading */
};

/* No reading yet, of the given URLs. */
void mc_probe_remote_reads_init(struct mc_probe_remote_reads *rr, const char *const *urls,
				int nurls);
/* The reading before the client starts. */
void mc_probe_remote_before(struct mc_probe_remote_reads *rr);
/* During the ramp: the server host's TCP sockets, read at most once a
 * second (NAN when unknown or not asked). */
double mc_probe_remote_live(struct mc_probe_remote_reads *rr);
/* The reading at the top; short_of_target: the step stopped early, so wait
 * for a maxconn server's next once-a-second publish first. */
void mc_probe_remote_top(struct mc_probe_remote_reads *rr, bool short_of_target);
/* The step's server host figures from the two readings (st->srv_host, which
 * only this writes). */
void mc_probe_remote_account(const struct mc_probe_remote_reads *rr, struct mc_probe_step *st);

#endif
