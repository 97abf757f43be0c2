/* msgcost.h: the CPU one heartbeat message costs on this host (a message
 * sent, echoed by the server and read back), at the server's end and the
 * client's, and the CPU one connect costs (both ends): measured by a short
 * calibration in a private network namespace (mc_msgcost_measure). */
#ifndef MC_LIMITS_MSGCOST_H
#define MC_LIMITS_MSGCOST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/model.h"

struct mc_msgcost {
	uint64_t msg_bytes; /* the message's size (--message) */
	enum mc_model model; /* the server model it was measured with */
	uint64_t conns;	    /* connections the calibration held */
	uint64_t msgs;	    /* messages echoed in it */
	double server_ns;   /* CPU per message at the server's end (read + echo) */
	double client_ns;   /* ... at the client's end (send + read back) */
	double connect_ns;  /* CPU per connection opened (connect + accept, both ends) */
	bool measured;	    /* false: none (how says why) */
	char how[320];	    /* how it was measured, in words */
};

/* The calibration: a forked child in a network namespace of its own holds
 * conns loopback connections; the server's end echoes (epoll: one thread
 * with an epoll loop, as maxconn server --mode echo; threads, uring:
 * maxconn's own engine of that model, mc_server_run with one worker, its
 * CPU the process's less the client thread's), the client's end sends msg_bytes on each and reads them back,
 * round after round, for about 0.4 s. Each end is its thread's CPU clock
 * (CLOCK_THREAD_CPUTIME_ID: on loopback it includes the softirq work done
 * in that thread), divided by the messages. Gives up after 3 s. 0, or
 * -errno (-EPERM: not root). */
int mc_msgcost_measure(uint64_t msg_bytes, enum mc_model model, struct mc_msgcost *m);

#endif
