/* server.h: the connection-holding server engine.
 *
 * Workers are threads. Each owns an epoll instance, its connections and, when
 * the target needs more fds than one table may hold, its own fd table
 * (unshare(CLONE_FILES)), so the process holds many times RLIMIT_NOFILE.
 * The listening sockets are made once by the main thread and polled by every
 * worker with EPOLLEXCLUSIVE; a worker whose table is full stops polling them
 * so no connection is routed to a full worker, and in auto mode the main
 * thread starts another worker before the accepting ones run out of room.
 * (Per-worker SO_REUSEPORT listeners would keep hashing 1/N of new
 * connections to a full worker, and closing a full worker's listener resets
 * the connections waiting in its queue.) --model threads (threads.h) and
 * --model uring (uring.h) run other engines behind the same config, stats,
 * ticks and stop. */
#ifndef MC_SERVER_SERVER_H
#define MC_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/model.h"
#include "common/addr.h"

enum mc_server_mode { MC_SERVER_HOLD, MC_SERVER_ECHO };

struct mc_server_stats {
	uint64_t accepted;     /* connections accepted and kept */
	uint64_t held;         /* open now */
	uint64_t held_peak;    /* most open at once */
	uint64_t closed_peer;  /* the client closed (EOF) */
	uint64_t closed_reset; /* ECONNRESET and friends */
	uint64_t closed_other;
	uint64_t refused_fd;   /* accepted and dropped at once: fd table full */
	uint64_t refused_max;  /* accepted and dropped at once: --max-conns */
	uint64_t refused_mem;  /* accept or epoll said ENOMEM/ENOBUFS */
	uint64_t refused_threads; /* --model threads: no thread for it (EAGAIN) */
	uint64_t refused_watches; /* epoll_ctl ENOSPC: fs.epoll.max_user_watches */
	int thread_errno;         /* the first pthread_create error, or 0 */
	uint64_t bytes_in, bytes_out;
	unsigned workers, accepting;
	bool private_fd_tables;
	uint64_t per_table_cap; /* connections one worker's table holds */
	uint64_t elapsed_ns;
	uint64_t rss_base, rss; /* resident bytes when ready, and now */
	int stop_signal;        /* SIGINT/SIGTERM that stopped it, or 0 */
};

struct mc_server_config {
	const struct mc_endpoint_range *listen;
	size_t nlisten;
	unsigned workers;   /* 0 = auto: start a few, add as they fill */
	uint64_t max_conns; /* 0 = as many as the host allows */
	enum mc_server_mode mode;
	enum mc_model model;
	size_t thread_stack; /* --model threads: stack per thread; 0 = the default */
	int backlog;        /* < 0: net.core.somaxconn */
	double accept_rate; /* < 0 unlimited; 0 never accept (backlog tests) */
	uint64_t duration_ns;
	const char *ready_file;
	/* called from the main thread about once a second */
	void (*tick)(void *arg, const struct mc_server_stats *s);
	void *tick_arg;
};

/* Add src's counters into dst (per-worker stats are merged on read);
 * held_peak, workers, times and rss are the caller's. */
void mc_server_stats_merge(struct mc_server_stats *dst, const struct mc_server_stats *src);

/* Run until cfg->duration_ns or SIGINT/SIGTERM. Fills *out with the final
 * figures. Returns 0, or -errno with err set when it could not start. */
int mc_server_run(const struct mc_server_config *cfg, struct mc_server_stats *out,
		  struct mc_err *err);

#endif
