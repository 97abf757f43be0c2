/* engine.h: the one interface every server engine implements, like
 * haproxy's struct poller: four operations, one const instance
 * per model (epoll.c, threads.c, uring.c), chosen at run time by
 * enum mc_model. server.c dispatches through it and knows no engine by
 * anything else; no engine calls back into server.c. Internal to
 * src/server. */
#ifndef MC_SERVER_ENGINE_H
#define MC_SERVER_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "net/ctl.h"
#include "server/server-t.h"

/* start returns this when SIGINT/SIGTERM came before the first workers
 * were ready (the run is over; collect and stop as usual). */
#define MC_ENGINE_SIGNALLED 1

/* What the dispatcher gives an engine; it outlives the engine's run. */
struct mc_engine_env {
	const struct mc_server_config *cfg;
	const int *lfds; /* the listening sockets, made by server.c */
	size_t nl;
	struct mc_ctl *ctl; /* stopfd tells the workers to stop; wakefd wakes main */
	uint64_t t0;	    /* when the run started (mc_now_ns) */
};

/* An engine has no name of its own: the model it runs is the slot it
 * fills in server.c's engines[], and common/model.c names the models. */
struct mc_engine {
	/* Start the workers on env's listeners and wait until they accept.
	 * Returns 0, MC_ENGINE_SIGNALLED, or -errno with err set; *run is set
	 * whenever the return is not negative. On failure everything the
	 * engine started is stopped (mc_ctl_stop) and freed. */
	int (*start)(void **run, const struct mc_engine_env *env, struct mc_err *err);
	/* Called by the main thread on every wake: add workers when needed.
	 * Returns the milliseconds until it wants to be called again, or -1.
	 * NULL: the engine never grows. */
	int (*grow)(void *run);
	/* Add the counters as they stand into st (zeroed by the caller);
	 * held_peak, workers, accepting and the table figures are the
	 * engine's, times and rss the caller's. */
	void (*collect)(void *run, struct mc_server_stats *st);
	/* After mc_ctl_stop: end every worker and connection, and free. When
	 * st is not NULL (what collect gave), first bring its byte counts up
	 * to date (mc_srv_*_bytes): bytes moved until the workers ended, and
	 * the echo bytes the stop dropped, so that in = out + not echoed. */
	void (*stop)(void *run, struct mc_server_stats *st);
};

extern const struct mc_engine mc_engine_epoll;	 /* epoll.c */
extern const struct mc_engine mc_engine_threads; /* threads.c */
extern const struct mc_engine mc_engine_uring;	 /* uring.c */

#endif
