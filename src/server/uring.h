/* uring.h: the io_uring server model (`--model uring`).
 *
 * Workers are threads, each with its own io_uring. A worker posts one
 * multishot accept per listener (the listeners are ordinary fds shared by
 * every worker) that puts each new socket straight into the ring's
 * registered-file table (accept "direct"), so a connection costs no slot in
 * the process fd table; then one multishot receive per connection, fed from
 * a ring of provided buffers the worker shares between its connections, so
 * an idle connection has no buffer. Echo sends from that buffer with the
 * fixed file, one send in flight per connection, in order.
 *
 * A ring's registered-file table is capped at RLIMIT_NOFILE, so a worker
 * holds at most that many connections: a worker near full cancels its
 * accepts and, in auto mode, the main thread has started another worker
 * before that (one ring per RLIMIT_NOFILE connections). Connections that
 * still reach a full table are closed by the kernel and counted as refused
 * for the fd limit. */
#ifndef MC_SERVER_URING_H
#define MC_SERVER_URING_H

#include <stddef.h>

#include "common/err.h"
#include "net/ctl.h"
#include "server/server.h"

struct mc_uring;

/* mc_uring_start returns this when SIGINT/SIGTERM came before the first
 * workers were ready (the run is over; collect and stop as usual). */
#define MC_URING_SIGNALLED 1

/* Check that io_uring works on this host, start the first workers on the
 * listening fds and wait until they accept. Returns 0, MC_URING_SIGNALLED,
 * or -errno with err set: -ENOSYS or -EPERM when io_uring is missing or
 * disabled here (the message names the cause and the fix). *out is set
 * whenever the return is not negative; on failure everything is freed. */
int mc_uring_start(struct mc_uring **out, const struct mc_server_config *cfg, const int *lfds,
		   size_t nl, struct mc_ctl *ctl, struct mc_err *err);
/* The main thread calls this on every wake: in auto mode it starts another
 * worker when the accepting ones have less than two rings of room. Returns
 * the milliseconds until it wants to be called again, or -1. */
int mc_uring_grow(struct mc_uring *u);
/* Counters as they stand, merged over the workers. */
void mc_uring_collect(struct mc_uring *u, struct mc_server_stats *st);
/* After mc_ctl_stop: join the workers (their rings close every
 * connection) and free. */
void mc_uring_stop(struct mc_uring *u);

#endif
