/* server.h: the connection-holding server: listeners, the ready file,
 * ticks, and the run, dispatched to the engine --model names.
 *
 * Every engine (server/engine.h) runs behind the same config, stats, ticks
 * and stop. epoll (server/epoll.c, the default): workers are threads, each
 * owning an epoll instance, its connections and, when the target needs more
 * fds than one table may hold, its own fd table (unshare(CLONE_FILES)), so
 * the process holds many times RLIMIT_NOFILE. The listening sockets are
 * made once by the main thread and polled by every worker with
 * EPOLLEXCLUSIVE; a worker whose table is full stops polling them so no
 * connection is routed to a full worker, and in auto mode the main thread
 * starts another worker before the accepting ones run out of room. (Per-
 * worker SO_REUSEPORT listeners would keep hashing 1/N of new connections
 * to a full worker, and closing a full worker's listener resets the
 * connections waiting in its queue.) threads (server/threads.c): one
 * blocking thread per connection. uring (server/uring.c): a ring per
 * worker. */
#ifndef MC_SERVER_SERVER_H
#define MC_SERVER_SERVER_H

#include "common/err.h"
#include "server/server-t.h"
#include "server/stats.h"

/* Run until cfg->duration_ns or SIGINT/SIGTERM. Fills *out with the final
 * figures. Returns 0, or -errno with err set when it could not start. */
int mc_server_run(const struct mc_server_config *cfg, struct mc_server_stats *out,
		  struct mc_err *err);

#endif
