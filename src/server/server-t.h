/* server-t.h: the server's types, and nothing else: its config, its
 * figures and its mode. server.c (the dispatcher), every engine and the
 * commands that run a server share them; a types-only header lets an
 * engine use them without including the dispatcher (no cycle). */
#ifndef MC_SERVER_SERVER_T_H
#define MC_SERVER_SERVER_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model.h"
#include "common/addr.h"
#include "net/cause.h"

/* hold: read and discard; echo: write every byte back; unread: read
 * nothing (what a client sends stays in the receive queue: --traffic) */
enum mc_server_mode { MC_SERVER_HOLD, MC_SERVER_ECHO, MC_SERVER_UNREAD };

struct mc_server_stats {
	uint64_t accepted;  /* connections accepted and kept */
	uint64_t held;	    /* open now */
	uint64_t held_peak; /* most open at once */
	/* accepted and dropped at once, by cause: MC_CAUSE_EMFILE (fd table
	 * full), MC_CAUSE_MAX_CONNS (--max-conns), MC_CAUSE_NOMEM (accept or
	 * epoll said ENOMEM/ENOBUFS), MC_CAUSE_THREADS (--model threads: no
	 * thread for it), MC_CAUSE_WATCHES (epoll_ctl ENOSPC:
	 * fs.epoll.max_user_watches), MC_CAUSE_OTHER (epoll_ctl said something
	 * else) */
	uint64_t refused[MC_CAUSE_COUNT];
	/* held connections that ended, by cause: MC_CAUSE_PEER_CLOSED (EOF),
	 * MC_CAUSE_RESET (ECONNRESET, EPIPE), or the cause of the errno */
	uint64_t closed[MC_CAUSE_COUNT];
	/* epoll_ctl calls that failed, by cause (the connection they were for
	 * is also counted, refused or closed; a listener that could not be
	 * watched only here) */
	uint64_t epoll_failed[MC_CAUSE_COUNT];
	int thread_errno;     /* the first pthread_create error, or 0 */
	char thread_limit[24]; /* then the limit id that refused it (mc_cause_thread_limit) */
	uint64_t bytes_in, bytes_out;
	/* echo: bytes read but never written back, because their connection
	 * ended first (the peer reset, a send failed, the server stopped);
	 * bytes_in = bytes_out + bytes_not_echoed once the server has stopped */
	uint64_t bytes_not_echoed;
	unsigned workers, accepting;
	bool private_fd_tables;
	uint64_t per_table_cap; /* connections one worker's table holds */
	uint64_t elapsed_ns;
	uint64_t rss_base, rss; /* resident bytes when ready, and now */
	int stop_signal;	/* SIGINT/SIGTERM that stopped it, or 0 */
};

struct mc_server_config {
	const struct mc_endpoint_range *listen;
	size_t nlisten;
	unsigned workers;   /* 0 = auto: start a few, add as they fill */
	uint64_t max_conns; /* 0 = as many as the host allows */
	enum mc_server_mode mode;
	enum mc_model model;
	size_t thread_stack; /* --model threads: stack per thread; 0 = the default */
	int backlog;	     /* < 0: net.core.somaxconn */
	double accept_rate;  /* < 0 unlimited; 0 never accept (backlog tests) */
	uint64_t duration_ns;
	const char *ready_file;
	/* called from the main thread about once a second */
	void (*tick)(void *arg, const struct mc_server_stats *s);
	void *tick_arg;
};

#endif
