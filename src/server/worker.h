/* worker.h: what the two worker engines (epoll in server.c, io_uring in
 * uring.c) share: per-worker counters, written by the owning worker and
 * merged on read by the main thread, and the start of a worker thread.
 * Internal to src/server. */
#ifndef MC_SERVER_WORKER_H
#define MC_SERVER_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/counter.h"
#include "server/server.h"

struct mc_srv_counters {
	_Atomic uint64_t accepted, held, closed_peer, closed_reset, closed_other;
	_Atomic uint64_t refused_fd, refused_max, refused_mem, refused_watches;
	_Atomic uint64_t bytes_in, bytes_out;
};

/* Add one worker's counters into st. */
static inline void mc_srv_counters_merge(struct mc_server_stats *st,
					 const struct mc_srv_counters *c)
{
	struct mc_server_stats one = {
		.accepted = CNT_GET(c->accepted),
		.held = CNT_GET(c->held),
		.closed_peer = CNT_GET(c->closed_peer),
		.closed_reset = CNT_GET(c->closed_reset),
		.closed_other = CNT_GET(c->closed_other),
		.refused_fd = CNT_GET(c->refused_fd),
		.refused_max = CNT_GET(c->refused_max),
		.refused_mem = CNT_GET(c->refused_mem),
		.refused_watches = CNT_GET(c->refused_watches),
		.bytes_in = CNT_GET(c->bytes_in),
		.bytes_out = CNT_GET(c->bytes_out),
	};
	mc_server_stats_merge(st, &one);
}

/* Room one worker adds to the accepting set: a whole table (start_cap)
 * while it starts (state 0), what its table has left while it accepts. */
static inline uint64_t mc_srv_room(int state, bool accepting, uint64_t held, uint64_t cap,
				   uint64_t start_cap)
{
	if (state == 0)
		return start_cap;
	return state == 1 && accepting && held < cap ? cap - held : 0;
}

/* Start worker number id; on failure err names the thread limit. Returns 0
 * or -errno. (server.c) */
int mc_srv_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg, unsigned id,
			struct mc_err *err);

#endif
