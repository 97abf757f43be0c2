/* client.h: the load generator engine.
 *
 * Opens exactly cfg->conns connections, never more: connection i goes to
 * (source, destination) pair i mod pairs, so every pair gets its even share,
 * and each index is tried once (a failure is counted by cause, not retried).
 * Each source address brings a whole port range per destination. Workers
 * are threads; past one fd table's worth of connections each worker takes a
 * private fd table.
 *
 * Local ports (port_select):
 *   maxconn  (default) each pair has a cursor that walks port_lo..port_hi
 *            (client/ports.h): bind the next port, connect, skip a port the
 *            kernel refuses. A connect costs the same on an empty or a full
 *            pair. Without sources, each destination's source is the one
 *            the kernel routes from.
 *   kernel   sources bound with IP_BIND_ADDRESS_NO_PORT: connect() searches
 *            net.ipv4.ip_local_port_range for a port free for the 4-tuple,
 *            which slows sharply past half of a pair's range.
 *
 * Slicing the ports among shards and concurrent clients: the cursors walk
 * [port_lo, port_hi] of the config, and a pair is walked by one client. A
 * shard of one run (--shard K/M) takes its own pairs, so shards never meet
 * on a port and each keeps the whole range per pair. Clients that do share
 * a pair (two runs, not coordinated) either give each one a slice of the
 * range (mc_ports_slice(lo, hi, K, M) -> --port-range of client K), or
 * share it: the kernel refuses a port the other holds (bind EADDRINUSE,
 * connect EADDRNOTAVAIL for its 4-tuple) and the cursor skips it, counted in
 * ports_skipped_*, one refused try per port at most.
 *
 * Timing, so that every figure means what it says:
 *   connect_lat  from the connect() call to the kernel's completion: a
 *                worker goes back to its events after at most 1 ms of
 *                starting connects, and one that was away longer (stopped,
 *                descheduled) takes the completion time from the kernel
 *                (TCP_INFO) instead of its own late look;
 *   connect_queue  with a rate, how late each connect() was called against
 *                its schedule: time the connect waited in the client;
 *   rtt          each message from when it was due (its slot of the every_ns
 *                schedule), not from when it was written, so a stall of the
 *                server or of the client shows in full (the coordinated-
 *                omission correction of wrk2 and HdrHistogram).
 * A connect is timed out only when the kernel still has it in SYN_SENT at
 * its deadline; one the kernel completed while the worker was away is
 * established (counted in connects_late), and the worker's absence is
 * counted as a stall: the client fell behind, which is never ETIMEDOUT.
 *
 * The engine is in parts, which share the internal types of client-t.h:
 * run.c (mc_client_run), plan.c (pairs, their ends and local ports),
 * worker.c (a worker's loop), ramp.c (the connect ramp), traffic.c and
 * echo.c (messages out and back, the echo check), said.c (what servers
 * said), snapshot.c (the figures, mc_client_stats_merge). */
#ifndef MC_CLIENT_CLIENT_H
#define MC_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/hist.h"
#include "common/addr.h"
#include "client/http.h"
#include "net/cause.h"

struct mc_client_stats;

enum mc_port_select {
	MC_PORT_SELECT_MAXCONN = 0, /* a cursor per pair (client/ports.h) */
	MC_PORT_SELECT_KERNEL,	    /* IP_BIND_ADDRESS_NO_PORT: connect() picks */
};

/* A worker away from its sockets longer than this is a stall. */
#define MC_CLIENT_STALL_NS (100 * 1000 * 1000ULL)

struct mc_client_config {
	const struct mc_endpoint_range *dst; /* each port of each range is a destination */
	size_t ndst;
	const struct mc_addr_range *src; /* none: the kernel picks the source */
	size_t nsrc;
	uint64_t conns;
	double rate;                 /* connects per second; <= 0: as fast as it goes */
	uint64_t inflight;           /* connects in progress at once; 0: default */
	uint64_t connect_timeout_ns; /* 0: default 10s */
	uint64_t hold_ns;            /* how long to hold once all are up */
	bool hold_forever;           /* until SIGINT/SIGTERM */
	unsigned workers;            /* 0 = auto */
	unsigned ramp_workers;       /* workers connecting at once; 0 = 8 per CPU */
	enum mc_port_select port_select;
	uint16_t port_lo, port_hi; /* ports the cursors walk; 0: ip_local_port_range */
	/* traffic */
	const char *send; /* heartbeat payload, sent every every_ns */
	size_t send_len;
	uint64_t echo_bytes; /* --echo-verify: per message, checked on return */
	uint64_t every_ns;   /* period of heartbeats / echo messages; 0 = once */
	uint64_t traffic_bytes; /* --traffic: sent once at the connect, nothing
				 * expected back (a server that leaves them unread) */
	void (*tick)(void *arg, const struct mc_client_stats *s);
	void *tick_arg;
	uint64_t tick_ns; /* how often tick is called; 0: once a second. The
			   * stats a tick gets carry the round trips (rtt) as
			   * the workers published them, at most about one
			   * tick period old; connect_lat only at the end */
	bool live_hists;  /* ... and connect_lat too, published the same way */
	/* when set and nonzero, start no more connects (those in flight go on):
	 * the probe's pause while it lets the counts settle */
	const _Atomic int *pause;
	/* close every connection with an RST (SO_LINGER 0): no FIN exchange
	 * and no TIME_WAIT when they end. For a client whose peer is its own
	 * and waits on nothing (the probe's): its millions close ~3x faster */
	bool abort_close;
	/* --proto http: each connection sends request (request_len bytes,
	 * mc_http_request_build) at its connect and is held once a 2xx/3xx
	 * answer came whole; with every_ns the request again is its heartbeat */
	enum mc_client_proto proto;
	const char *request;
	size_t request_len;
};

/* What a server said on connections it then ended: the first bytes it sent
 * (up to MC_CLIENT_SAID_BYTES), the cause of the end, and on how many
 * connections it said exactly that (only while the client sends nothing:
 * else it would be our own bytes echoed). A few distinct ones are kept, no more
 * than MC_CLIENT_SAID_PER_CAUSE per cause; bounded memory, no buffer per
 * connection. */
#define MC_CLIENT_SAID_MAX	 6
#define MC_CLIENT_SAID_PER_CAUSE 3
#define MC_CLIENT_SAID_BYTES	 96
struct mc_client_said {
	uint8_t cause; /* enum mc_cause: peer_closed, ECONNRESET, ... */
	uint8_t len;
	unsigned char bytes[MC_CLIENT_SAID_BYTES];
	uint64_t conns;
};

/* What a server said, as text: in quotes, printable bytes as they are,
 * \r \n \t and the rest escaped, "..." when it may go on. */
void mc_client_said_text(const struct mc_client_said *sd, char *out, size_t len);

struct mc_client_stats {
	/* Once the run has returned, attempted = established + the sum of
	 * fail[] + inflight exactly (the workers are stopped before the counts
	 * are taken); the ticks' counts may be a moment apart. */
	uint64_t requested, attempted, established;
	uint64_t inflight;	       /* connects started, not yet completed */
	uint64_t open, open_peak;      /* established and not lost */
	uint64_t fail[MC_CAUSE_COUNT]; /* connects that failed, by cause */
	uint64_t lost[MC_CAUSE_COUNT]; /* established connections lost, by cause */
	uint64_t bytes_out, bytes_in;
	uint64_t msgs_sent;	  /* messages whose last byte was written */
	uint64_t msgs_skipped;	  /* due while the previous one was still unwritten */
	uint64_t msgs_returned;	  /* messages whose last byte came back */
	uint64_t echo_mismatch;	  /* connections that got a wrong byte back */
	uint64_t echo_lost_bytes; /* bytes sent and never echoed */
	/* local ports (port_select maxconn): the range walked, the reserved
	 * ports left out of it, the ports the kernel refused */
	enum mc_port_select port_select;
	uint64_t port_lo, port_hi, ports_per_pair, ports_reserved;
	uint64_t ports_skipped_bound; /* bind EADDRINUSE: bound by another program */
	uint64_t ports_skipped_tuple; /* connect EADDRNOTAVAIL: 4-tuple taken (another
				       * connection, a TIME_WAIT without timestamps) */
	/* the client falling behind */
	uint64_t stalls;	/* a worker away from its sockets > MC_CLIENT_STALL_NS */
	uint64_t stall_max_ns;	/* the longest */
	uint64_t connects_late; /* completed by the kernel, seen > 20 ms later */
	struct mc_hist connect_lat, rtt;
	struct mc_hist connect_queue; /* with a rate: connect() behind schedule */
	uint64_t ramp_ns;    /* from start until every connect finished (0 until
			      * then; in the ticks too) */
	uint64_t elapsed_ns; /* whole run */
	uint64_t rss_base, rss;
	unsigned workers;
	bool private_fd_tables;
	bool ramp_done;
	int stop_signal;
	/* the first failure, in words: call, address, errno */
	char first_error[256];
	/* the first failure of each cause, in the same words ("" none) */
	char cause_error[MC_CAUSE_COUNT][160];
	struct mc_client_said said[MC_CLIENT_SAID_MAX];
	unsigned nsaid;
	/* --proto http: answers read whole and 2xx/3xx (the first request's and
	 * the heartbeats'), and the connections that failed (not yet held:
	 * counted in fail[] too) or were lost (in lost[]) by protocol cause */
	enum mc_client_proto proto;
	uint64_t http_responses;
	uint64_t http_fail[MC_HTTP_FAIL_COUNT];
};

/* The local ports of each pair: port_select maxconn, the range the cursors
 * walk (cfg's, else net.ipv4.ip_local_port_range, 32768-60999 when it
 * cannot be read) less ip_local_reserved_ports in it; kernel, the sysctl's
 * range less the reserved ports. *per_pair is what one pair can hold. 0,
 * or -errno when the reserved list does not parse. */
int mc_client_local_ports(const struct mc_client_config *cfg, uint16_t *lo, uint16_t *hi,
			  uint64_t *per_pair, uint64_t *reserved);

/* How many connections the port ranges allow: pairs x ports per pair. */
uint64_t mc_client_port_ceiling(const struct mc_client_config *cfg, uint64_t ports_per_pair);
uint64_t mc_client_pairs(const struct mc_client_config *cfg);
uint64_t mc_client_ndst(const struct mc_client_config *cfg);
uint64_t mc_client_nsrc(const struct mc_client_config *cfg);

/* Add src's counters and histograms into dst (per-worker stats are merged
 * on read). Totals that are not sums (requested, open_peak, workers, times,
 * rss) are left to the caller. */
void mc_client_stats_merge(struct mc_client_stats *dst, const struct mc_client_stats *src);

/* Run: ramp, hold, drain echoes, close. *out is filled even on Ctrl-C.
 * Returns 0, or -errno with err set when it could not start. */
int mc_client_run(const struct mc_client_config *cfg, struct mc_client_stats *out,
		  struct mc_err *err);

#endif
