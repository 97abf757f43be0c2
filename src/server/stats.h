/* stats.h: the server's figures merged on read: what one engine worker
 * counts (written by that worker, or by every connection thread with
 * atomic adds in --model threads) and how counts add up. */
#ifndef MC_SERVER_STATS_H
#define MC_SERVER_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "net/cause.h"
#include "net/pool.h"
#include "server/server-t.h"

/* Per-worker counters. held is not here: the pool keeps it (net/pool.h). */
struct mc_srv_counters {
	_Atomic uint64_t accepted;
	_Atomic uint64_t refused[MC_CAUSE_COUNT], closed[MC_CAUSE_COUNT];
	_Atomic uint64_t epoll_failed[MC_CAUSE_COUNT];
	_Atomic uint64_t bytes_in, bytes_out;
};

/* The head of a pooled engine's worker (epoll, uring): the pool's part
 * first (the pool allocates and starts it), then the worker's counters. */
struct mc_srv_worker {
	struct mc_pool_worker pw;
	struct mc_srv_counters c;
};

/* Add src's counters into dst (per-worker stats are merged on read);
 * held_peak, workers, times and rss are the caller's. */
void mc_server_stats_merge(struct mc_server_stats *dst, const struct mc_server_stats *src);
/* Add one worker's counters, and the held it reports, into st. */
void mc_srv_counters_merge(struct mc_server_stats *st, const struct mc_srv_counters *c,
			   uint64_t held);
/* Add the counters of every worker of a pool of mc_srv_worker into st, and
 * the pool's held_peak, workers and accepting. */
void mc_srv_pool_collect(struct mc_server_stats *st, const struct mc_pool *p);

#endif
