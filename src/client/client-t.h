/* client-t.h: the client engine's own types, and nothing else: one
 * connection's state, a worker, the run. Every part of the engine shares
 * them (plan.c, ramp.c, traffic.c, said.c, snapshot.c, worker.c, run.c);
 * a types-only header lets a part use them without including another part
 * (no cycle). Internal: the public interface is client.h. */
#ifndef MC_CLIENT_CLIENT_T_H
#define MC_CLIENT_CLIENT_T_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "client/ports.h"
#include "common/addr.h"
#include "common/hist.h"
#include "net/cause.h"
#include "net/ctl.h"
#include "net/pool.h"

/* One worker's scratch buffer: what one send or recv moves at most. */
#define SCRATCH_SIZE 65536

/* An event's tag is the generation of the connection it was registered
 * for: generations wrap below GEN_MAX, so the run's stop (TAG_STOP, the tag
 * of the wake fd in every worker's epoll) is never one. */
#define GEN_MAX	 0xFFFFFFF0u
#define TAG_STOP 0xFFFFFFFEu

/* cli_conn.state; C_HANDSHAKE: connected, the protocol's answer not yet
 * read whole (--proto http): still in flight, not held */
enum { C_FREE = 0, C_CONNECTING, C_OPEN, C_HANDSHAKE };
enum { PHASE_RUN = 0, PHASE_DRAIN };          /* client.phase */

/* Per-connection state: 32 bytes, indexed by fd; no buffers. */
struct cli_conn {
	uint32_t gen;	  /* bumped on close: stale events and timeouts are dropped */
	uint32_t idx;	  /* connection number: picks the pair and the echo pattern */
	uint32_t sent;	  /* bytes written */
	uint8_t state;
	uint8_t want_out; /* a message is being written: the rest on EPOLLOUT */
	uint8_t pad[2];
	uint64_t t_mark; /* connecting: the connect() call (and sent: how long
			  * the call took); open: when the oldest message not
			  * yet back was due */
	union {
		uint32_t acked;		/* bytes come back (and verified with --echo-verify) */
		struct mc_http_rx http; /* --proto http: the answer being read */
	};
};
static_assert(sizeof(struct cli_conn) == 32, "keep per-connection state tiny");

/* A connect's deadline (cli_worker.tq). */
struct timeout_ent {
	int fd;
	uint32_t gen;
	uint64_t deadline;
};

/* One worker's counts: written by the worker, read by the snapshots. */
struct cli_counters {
	_Atomic uint64_t attempted, established, inflight, open;
	_Atomic uint64_t fail[MC_CAUSE_COUNT], lost[MC_CAUSE_COUNT];
	_Atomic uint64_t bytes_out, bytes_in, msgs_sent, msgs_skipped, msgs_returned;
	_Atomic uint64_t echo_mismatch, echo_lost_bytes;
	_Atomic uint64_t skip_bound, skip_tuple;
	_Atomic uint64_t stalls, stall_max_ns, connects_late;
	_Atomic uint64_t http_responses, http_fail[MC_HTTP_FAIL_COUNT];
};

/* A server's first bytes on a connection, kept until the connection ends
 * (then they go to the worker's said[]) or another connection's bytes take
 * the slot (slot fd % PENDING_SAID): said[] counts are a lower bound. */
#define PENDING_SAID 64
struct said_pending {
	int fd; /* -1: free */
	uint32_t gen;
	uint8_t len;
	unsigned char bytes[MC_CLIENT_SAID_BYTES];
};


struct client;

/* A worker: a thread of the pool with its own epoll, connection numbers
 * [lo, hi), connections indexed by fd, counters and histograms. */
struct cli_worker {
	struct mc_pool_worker pw; /* first: the pool allocates and starts us */
	struct client *cl;
	int epfd;
	uint64_t lo, hi, next; /* connection numbers [lo, hi) are ours */
	uint64_t max_inflight;
	double rate;
	uint64_t t0;
	uint64_t started; /* connects started (the rate's schedule) */
	uint64_t back;	  /* when epoll_wait last returned */
	struct cli_conn *conns;
	size_t nconns;
	int max_fd; /* highest fd in use, for the heartbeat sweep */
	int sweep;  /* next fd the heartbeat sweep visits */
	uint64_t sweep_round;
	struct timeout_ent *tq; /* FIFO of connect deadlines (constant timeout => sorted) */
	size_t tq_cap, tq_head, tq_len;
	unsigned char *scratch;
	struct cli_counters c;
	struct mc_hist lat, rtt, queue;
	/* rtt as of its last publish (only with cfg->tick): the worker copies
	 * it here under rtt_lock once a tick period, so the ticks carry the
	 * round trips so far with no lock or atomic on each sample */
	pthread_mutex_t rtt_lock;
	struct mc_hist rtt_pub;
	struct mc_hist lat_pub; /* the connect latencies too, with cfg->live_hists */
	uint64_t rtt_pub_ns;
	_Atomic int ramp_done;
	_Atomic int drained;
	char first_error[256];
	_Atomic int has_error;
	char cause_error[MC_CAUSE_COUNT][160];
	_Atomic int has_cause_error[MC_CAUSE_COUNT];
	struct said_pending pending[PENDING_SAID];
	/* said[i]: written once by the worker before nsaid counts it (its
	 * conns unused), then only said_conns[i] moves */
	struct mc_client_said said[MC_CLIENT_SAID_MAX];
	_Atomic uint64_t said_conns[MC_CLIENT_SAID_MAX];
	_Atomic unsigned nsaid;
	struct full_pair { /* the pair of first_error when it is EADDRNOTAVAIL */
		bool set, has_src;
		struct mc_addr src, dst;
		uint16_t port;
	} full_pair;
};

/* The run: the config, the plan of pairs and ports, the workers. */
struct client {
	const struct mc_client_config *cfg;
	struct mc_ctl ctl;
	uint64_t nsrc, ndst, npairs;
	bool private_tables;
	uint64_t timeout_ns;
	uint64_t msg_len; /* bytes of one message: --echo-verify or --send */
	_Atomic int phase;
	uint64_t t0;
	unsigned nworkers;       /* planned: connection numbers are split in as many shares */
	uint64_t inflight;       /* connects in progress at once, over the ramping workers */
	struct mc_pool pool;
	_Atomic uint64_t open_total, open_peak;
	/* port_select maxconn: the cursors, and without sources the source
	 * the kernel routes from toward each destination range */
	bool own_ports;
	struct mc_ports ports;
	struct mc_addr *route_src;
	/* Workers ramp a few at a time (cfg->ramp_workers, default 8 per CPU);
	 * the others only hold until a ramping worker finishes and lets the
	 * next one start. All 51 workers of a 1M run connecting at once starve
	 * the server's accepting threads (29,630 accept-queue overflows, each
	 * a 1 s SYN retransmit); one per CPU leaves the CPUs idle while
	 * connects wait in the kernel (1M in 19.5-25 s); 8 per CPU measured
	 * best here (12-14 s). */
	unsigned ramp_slots;
	_Atomic unsigned ramp_released;
};

#endif
