/* client.h: the load generator engine.
 *
 * Opens exactly cfg->conns connections, never more: connection i goes to
 * (source, destination) pair i mod pairs, so every pair gets its even share,
 * and each index is tried once (a failure is counted by cause, not retried).
 * Sources are bound with IP_BIND_ADDRESS_NO_PORT, so the port is chosen at
 * connect() per 4-tuple and each source address brings a whole port range
 * per destination. Workers are threads; past one fd table's worth of
 * connections each worker takes a private fd table. */
#ifndef MC_CLIENT_CLIENT_H
#define MC_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/hist.h"
#include "common/addr.h"
#include "net/cause.h"

struct mc_client_stats;

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
	/* traffic */
	const char *send; /* heartbeat payload, sent every every_ns */
	size_t send_len;
	uint64_t echo_bytes; /* --echo-verify: per message, checked on return */
	uint64_t every_ns;   /* period of heartbeats / echo messages; 0 = once */
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

struct mc_client_stats {
	uint64_t requested, attempted, established, inflight;
	uint64_t open, open_peak;      /* established and not lost */
	uint64_t fail[MC_CAUSE_COUNT]; /* connects that failed, by cause */
	uint64_t lost[MC_CAUSE_COUNT]; /* established connections lost, by cause */
	uint64_t bytes_out, bytes_in, msgs_sent, msgs_returned;
	uint64_t echo_mismatch;   /* connections that got a wrong byte back */
	uint64_t echo_lost_bytes; /* bytes sent and never echoed */
	struct mc_hist connect_lat, rtt;
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
};

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
