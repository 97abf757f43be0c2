/* threads.h: the thread-per-connection server model (`--model threads`),
 * the seeds' "traditional" model: one acceptor thread, and one thread with
 * blocking reads and writes for every connection. It exists to measure what
 * each connection costs that model (a stack, a task, context switches) and
 * where it stops; epoll is the model that scales. */
#ifndef MC_SERVER_THREADS_H
#define MC_SERVER_THREADS_H

#include <stddef.h>

#include "common/err.h"
#include "server/server.h"

struct mc_threads;

/* Start the acceptor on the listening fds; stopfd becomes readable when it
 * must stop. Returns 0 or -errno (err set). */
int mc_threads_start(struct mc_threads **out, const struct mc_server_config *cfg, const int *lfds,
		     size_t nl, int stopfd, struct mc_err *err);
/* Counters as they stand (held_peak included). */
void mc_threads_collect(struct mc_threads *t, struct mc_server_stats *st);
/* Stop accepting, end every connection thread, free. */
void mc_threads_stop(struct mc_threads *t);

#endif
