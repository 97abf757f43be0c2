/* worker.h: a client worker as the run's pool sees it, internal to the
 * client engine: prepared before its thread starts, then its thread's main;
 * and a worker of the pool by index, for the run and the snapshots. */
#ifndef MC_CLIENT_WORKER_H
#define MC_CLIENT_WORKER_H

#include "client/client-t.h"

/* Before its thread starts: worker i takes its share of the connection
 * numbers, of the in-flight connects and of the rate (mc_pool.prepare). */
void mc_client__worker_prepare(struct mc_pool_worker *pw);

/* The worker's thread (mc_pool.main): turns until the run's stop, then it
 * closes what it holds. Its counters stay for the snapshots. */
void *mc_client__worker_main(void *arg);

/* Worker i of the run (0 <= i < mc_pool_count). */
static inline struct cli_worker *mc_client__worker_at(const struct client *cl, unsigned i)
{
	return (struct cli_worker *)mc_pool_at(&cl->pool, i);
}

#endif
