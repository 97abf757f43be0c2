/* remote.h: reading the server host's exporters while the probe runs
 * (--server-metrics; internal to src/probe): before the client starts, about
 * once a second while it ramps, and at the top. A thread of its own per step
 * fetches every URL at once in rounds (metrics/fetch_multi.h: one time
 * budget a round, pages capped in size) and parses them; the ramp only
 * takes its latest reading, so a page that hangs never stalls the
 * sampling, and the waits for a fresh reading (before, top) watch Ctrl-C
 * and the caller's check meanwhile. struct mc_probe_remote_reads holds a
 * step's readings, written only here. */
#ifndef MC_PROBE_REMOTE_H
#define MC_PROBE_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/ctl.h"
#include "probe/probe-t.h"
#include "probe/serverside.h"

struct mc_probe_fetcher; /* remote.c's thread and what it shares */

struct mc_probe_remote_reads {
	const char *const *urls; /* --server-metrics */
	int nurls;
	struct mc_probe_remote before, live, after;
	bool before_ok, after_ok;
	uint64_t live_round;	    /* the round live was taken from */
	struct mc_probe_fetcher *f; /* from the reading before to the top */
	char err[240];		    /* the first error of the last failed reading */
};

/* What a wait for a reading watches: SIGINT/SIGTERM on ctl's signalfd
 * (read with mc_ctl_wait, so ctl->signo tells which), and stop (may be
 * NULL), asked about every 100 ms, which ends the wait when it returns
 * true (the ramp's reserve). */
struct mc_probe_remote_watch {
	struct mc_ctl *ctl;
	bool (*stop)(void *arg);
	void *arg;
};

/* How fresh the reading at the top must be. */
enum mc_probe_remote_fresh {
	MC_PROBE_REMOTE_LATEST,	 /* the latest round's, at once (interrupted) */
	MC_PROBE_REMOTE_ROUND,	 /* a round started at the top */
	MC_PROBE_REMOTE_PUBLISH, /* that, then a maxconn server's next publish (the
				    step stopped short of its target) */
};

/* No reading yet, of the given URLs. */
void mc_probe_remote_reads_init(struct mc_probe_remote_reads *rr, const char *const *urls,
				int nurls);
/* The reading before the client starts: starts the step's fetching (in the
 * calling thread's network namespace) and waits for its first round. 0,
 * or -EINTR when a signal came (w->ctl->signo), -ECANCELED when w->stop
 * said so; a page that failed is no error (rr->err). */
int mc_probe_remote_before(struct mc_probe_remote_reads *rr, const struct mc_probe_remote_watch *w);
/* During the ramp: the server host's TCP sockets from the latest round
 * (NAN when unknown or not asked). Never waits. */
double mc_probe_remote_live(struct mc_probe_remote_reads *rr);
/* The reading at the top, as fresh as asked; then the step's fetching
 * ends. 0, -EINTR or -ECANCELED as for _before (the latest reading is
 * taken then). */
int mc_probe_remote_top(struct mc_probe_remote_reads *rr, enum mc_probe_remote_fresh fresh,
			const struct mc_probe_remote_watch *w);
/* End any fetching (the run's end, a step that did not reach its top). */
void mc_probe_remote_reads_free(struct mc_probe_remote_reads *rr);
/* The step's server host figures from the two readings (st->srv_host, which
 * only this writes). */
void mc_probe_remote_account(const struct mc_probe_remote_reads *rr, struct mc_probe_step *st);

#endif
