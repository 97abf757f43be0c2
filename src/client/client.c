/* client.c: the client engine: workers, connect ramp (ports chosen by
 * client/ports.c or by the kernel), traffic, echo verification, drain and
 * teardown (see client.h). */
#include "client/client.h"

#include <assert.h>
#include <stddef.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/ports.h"
#include "common/clock.h"
#include "common/counter.h"
#include "common/procfs.h"
#include "host/host.h"
#include "net/ctl.h"
#include "net/diag.h"
#include "net/pool.h"
#include "net/sock.h"

#define EVENT_BATCH   256
#define SCRATCH_SIZE  65536
#define TAG_STOP      0xFFFFFFFEu
#define GEN_MAX       0xFFFFFFF0u
#define DEFAULT_INFLIGHT 4096
#define DEFAULT_TIMEOUT  (10 * MC_NS_PER_SEC)
#define DRAIN_NS      (2 * MC_NS_PER_SEC)
/* A worker starts connects for at most this long before it looks at its
 * events again, so a completion waits at most about this long to be seen. */
#define CONNECT_BATCH_NS MC_NS_PER_MS
/* A completion seen this long after its connect() call asks the kernel
 * when it really completed (TCP_INFO), instead of trusting the late look. */
#define LATE_NS (20 * MC_NS_PER_MS)

enum { C_FREE = 0, C_CONNECTING, C_OPEN };
enum { PHASE_RUN = 0, PHASE_DRAIN };

/* Per-connection state: 32 bytes, indexed by fd; no buffers. */
struct cli_conn {
	uint32_t gen;	  /* bumped on close: stale events and timeouts are dropped */
	uint32_t idx;	  /* connection number: picks the pair and the echo pattern */
	uint32_t sent;	  /* bytes written */
	uint32_t acked;	  /* bytes come back (and verified with --echo-verify) */
	uint64_t t_mark;  /* connecting: the connect() call (and sent: how long
			   * the call took); open: when the oldest message not
			   * yet back was due */
	uint8_t state;
	uint8_t want_out; /* a message is being written: the rest on EPOLLOUT */
	uint8_t pad[6];
};
static_assert(sizeof(struct cli_conn) == 32, "keep per-connection state tiny");

struct timeout_ent {
	int fd;
	uint32_t gen;
	uint64_t deadline;
};

struct cli_counters {
	_Atomic uint64_t attempted, established, inflight, open;
	_Atomic uint64_t fail[MC_CAUSE_COUNT], lost[MC_CAUSE_COUNT];
	_Atomic uint64_t bytes_out, bytes_in, msgs_sent, msgs_skipped, msgs_returned;
	_Atomic uint64_t echo_mismatch, echo_lost_bytes;
	_Atomic uint64_t skip_bound, skip_tuple;
	_Atomic uint64_t stalls, stall_max_ns, connects_late;
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

/* A said[] entry: written once by the worker before nsaid counts it, then
 * only its count moves. */
struct said_entry {
	uint8_t cause, len;
	unsigned char bytes[MC_CLIENT_SAID_BYTES];
	_Atomic uint64_t conns;
};

struct client;

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
	struct said_entry said[MC_CLIENT_SAID_MAX];
	_Atomic unsigned nsaid;
	struct full_pair { /* the pair of first_error when it is EADDRNOTAVAIL */
		bool set, has_src;
		struct mc_addr src, dst;
		uint16_t port;
	} full_pair;
};

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

uint64_t mc_client_nsrc(const struct mc_client_config *cfg)
{
	uint64_t n = 0;
	for (size_t i = 0; i < cfg->nsrc; i++)
		n += cfg->src[i].count;
	return n ? n : 1;
}

uint64_t mc_client_ndst(const struct mc_client_config *cfg)
{
	uint64_t n = 0;
	for (size_t i = 0; i < cfg->ndst; i++)
		n += (uint64_t)cfg->dst[i].port_hi - cfg->dst[i].port_lo + 1;
	return n;
}

uint64_t mc_client_pairs(const struct mc_client_config *cfg)
{
	return mc_client_nsrc(cfg) * mc_client_ndst(cfg);
}

uint64_t mc_client_port_ceiling(const struct mc_client_config *cfg, uint64_t ports_per_pair)
{
	return mc_client_pairs(cfg) * ports_per_pair;
}

/* The kernel's range, 32768-60999 when it cannot be read. */
static void sysctl_range(uint16_t *lo, uint16_t *hi)
{
	struct mc_host_port_range r;

	mc_host_port_range_read(NULL, &r);
	*lo = r.err ? 32768 : r.lo;
	*hi = r.err ? 60999 : r.hi;
}

int mc_client_local_ports(const struct mc_client_config *cfg, uint16_t *lo, uint16_t *hi,
			  uint64_t *per_pair, uint64_t *reserved)
{
	struct mc_host_reserved res;
	uint32_t nres;

	if (cfg->port_select == MC_PORT_SELECT_MAXCONN && cfg->port_lo) {
		*lo = cfg->port_lo;
		*hi = cfg->port_hi;
	} else {
		sysctl_range(lo, hi);
	}
	/* as the kernel would: an unreadable list reserves nothing */
	mc_host_reserved_read(NULL, &res);
	nres = mc_host_reserved_count(&res, *lo, *hi);
	*reserved = nres;
	*per_pair = (uint64_t)*hi - *lo + 1 - nres;
	return 0;
}

static void src_nth(const struct mc_client_config *cfg, uint64_t i, struct mc_addr *out)
{
	for (size_t k = 0; k < cfg->nsrc; k++) {
		if (i < cfg->src[k].count) {
			mc_addr_nth(&cfg->src[k], i, out);
			return;
		}
		i -= cfg->src[k].count;
	}
}

/* Destination i: its address and port; returns the index of its range. */
static size_t dst_nth(const struct mc_client_config *cfg, uint64_t i, const struct mc_addr **addr,
		      uint16_t *port)
{
	for (size_t k = 0; k < cfg->ndst; k++) {
		uint64_t n = (uint64_t)cfg->dst[k].port_hi - cfg->dst[k].port_lo + 1;
		if (i < n) {
			*addr = &cfg->dst[k].addr;
			*port = (uint16_t)(cfg->dst[k].port_lo + i);
			return k;
		}
		i -= n;
	}
	return 0;
}

/* The two ends of a pair. False when no source is set (the kernel picks). */
static bool pair_ends(const struct client *cl, uint64_t pair, struct mc_addr *src,
		      const struct mc_addr **dst, uint16_t *port)
{
	const struct mc_client_config *cfg = cl->cfg;
	size_t k;

	if (cfg->nsrc) {
		src_nth(cfg, pair % cl->nsrc, src);
		dst_nth(cfg, pair / cl->nsrc, dst, port);
		return true;
	}
	k = dst_nth(cfg, pair, dst, port);
	if (!cl->route_src)
		return false;
	*src = cl->route_src[k];
	return true;
}

/* The echo pattern: byte `off` of connection `idx`. A random table indexed
 * by offset+idx, xored with a byte of idx, so no two connections share a
 * stream and a byte delivered to the wrong connection or out of order shows. */
static unsigned char pattern_tbl[1024];
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

static void pattern_init(void)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(pattern_tbl); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pattern_tbl[i] = (unsigned char)x;
	}
}

static inline unsigned char pattern(uint32_t idx, uint32_t off)
{
	return pattern_tbl[(off + idx) & 1023] ^ (unsigned char)(idx >> (8 * (off & 3)));
}

static void note_error(struct cli_worker *w, const char *stage, uint64_t idx, int e,
		       const char *why)
{
	struct client *cl = w->cl;
	const struct mc_addr *daddr = NULL;
	struct mc_addr a;
	uint16_t port = 0;
	bool have_src;
	char d[MC_ADDR_STRLEN], sbuf[MC_ADDR_STRLEN] = "", eb[96], msg[256];
	enum mc_cause k = mc_cause_from_errno(e);

	if (atomic_load_explicit(&w->has_error, memory_order_relaxed) &&
	    atomic_load_explicit(&w->has_cause_error[k], memory_order_relaxed))
		return;
	have_src = pair_ends(cl, idx % cl->npairs, &a, &daddr, &port);
	mc_addr_port_str(daddr, port, d, sizeof(d));
	if (have_src)
		mc_addr_str(&a, sbuf, sizeof(sbuf));
	snprintf(msg, sizeof(msg), "%s %s%s%s: %s%s%s", stage, d, have_src ? " from " : "", sbuf,
		 mc_strerror(e, eb, sizeof(eb)), why ? ": " : "", why ? why : "");
	if (!atomic_load_explicit(&w->has_error, memory_order_relaxed)) {
		memcpy(w->first_error, msg, sizeof(w->first_error));
		/* the pair's ports in TIME_WAIT are counted once the run is
		 * over (a dump of the kernel's sockets is no work for the
		 * connect path) */
		if (e == EADDRNOTAVAIL || e == -EADDRNOTAVAIL)
			w->full_pair = (struct full_pair){true, have_src, a, *daddr, port};
		atomic_store(&w->has_error, 1);
	}
	if (!atomic_load_explicit(&w->has_cause_error[k], memory_order_relaxed)) {
		snprintf(w->cause_error[k], sizeof(w->cause_error[k]), "%.159s", msg);
		atomic_store(&w->has_cause_error[k], 1);
	}
}

/* The first bytes a server sends on a connection: kept in its slot until
 * the connection ends (said_ended) or the slot is taken again. */
static void said_first(struct cli_worker *w, int fd, const unsigned char *b, size_t n)
{
	struct said_pending *p = &w->pending[(unsigned)fd % PENDING_SAID];

	p->fd = fd;
	p->gen = w->conns[fd].gen;
	p->len = (uint8_t)(n < MC_CLIENT_SAID_BYTES ? n : MC_CLIENT_SAID_BYTES);
	memcpy(p->bytes, b, p->len);
}

/* Connection fd ended for cause why: if the server had said something on
 * it, count that message under the cause (a new entry while there is room:
 * MC_CLIENT_SAID_MAX in all, MC_CLIENT_SAID_PER_CAUSE per cause). */
static void said_ended(struct cli_worker *w, int fd, enum mc_cause why)
{
	unsigned n = atomic_load_explicit(&w->nsaid, memory_order_relaxed), same = 0;
	struct said_pending *p = &w->pending[(unsigned)fd % PENDING_SAID];

	if (p->fd != fd || p->gen != w->conns[fd].gen)
		return;
	p->fd = -1;
	for (unsigned i = 0; i < n; i++) {
		struct said_entry *e = &w->said[i];
		if (e->cause != why)
			continue;
		same++;
		if (e->len == p->len && memcmp(e->bytes, p->bytes, p->len) == 0) {
			CNT_ADD(e->conns, 1);
			return;
		}
	}
	if (n == MC_CLIENT_SAID_MAX || same == MC_CLIENT_SAID_PER_CAUSE)
		return;
	w->said[n].cause = (uint8_t)why;
	w->said[n].len = p->len;
	memcpy(w->said[n].bytes, p->bytes, p->len);
	atomic_store_explicit(&w->said[n].conns, 1, memory_order_relaxed);
	atomic_store_explicit(&w->nsaid, n + 1, memory_order_release);
}

static void tq_push(struct cli_worker *w, int fd, uint32_t gen, uint64_t deadline)
{
	if (w->tq_len == w->tq_cap) {
		size_t ncap = w->tq_cap ? w->tq_cap * 2 : 1024;
		struct timeout_ent *n = malloc(ncap * sizeof(*n));
		if (!n)
			return; /* the kernel's own SYN timeout still ends it */
		for (size_t i = 0; i < w->tq_len; i++)
			n[i] = w->tq[(w->tq_head + i) % w->tq_cap];
		free(w->tq);
		w->tq = n;
		w->tq_cap = ncap;
		w->tq_head = 0;
	}
	w->tq[(w->tq_head + w->tq_len) % w->tq_cap] = (struct timeout_ent){fd, gen, deadline};
	w->tq_len++;
}

static void conn_release(struct cli_worker *w, int fd)
{
	struct cli_conn *c = &w->conns[fd];

	close(fd);
	c->state = C_FREE;
	c->want_out = 0;
	c->gen = c->gen + 1 >= GEN_MAX ? 0 : c->gen + 1;
}

static void connect_failed(struct cli_worker *w, int fd, int e, const char *stage)
{
	struct cli_conn *c = &w->conns[fd];

	CNT_ADD(w->c.fail[mc_cause_from_errno(e)], 1);
	CNT_ADD(w->c.inflight, (uint64_t)-1);
	note_error(w, stage, c->idx, e, NULL);
	conn_release(w, fd);
}

/* An established connection ended before we closed it. */
static void conn_lost(struct cli_worker *w, int fd, enum mc_cause why)
{
	struct cli_conn *c = &w->conns[fd];

	CNT_ADD(w->c.lost[why], 1);
	said_ended(w, fd, why);
	if (w->cl->cfg->echo_bytes && c->sent > c->acked)
		CNT_ADD(w->c.echo_lost_bytes, c->sent - c->acked);
	CNT_ADD(w->c.open, (uint64_t)-1);
	atomic_fetch_sub_explicit(&w->cl->open_total, 1, memory_order_relaxed);
	conn_release(w, fd);
}

/* Write the message in progress until it is whole or the socket is full (the
 * rest then goes on the next edge-triggered EPOLLOUT). A message counts as
 * sent when its last byte is written. Returns false when the connection was
 * lost. */
static bool send_more(struct cli_worker *w, int fd)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	struct cli_conn *c = &w->conns[fd];
	const uint64_t msg = w->cl->msg_len;

	while (c->want_out) {
		uint32_t in_msg = (uint32_t)(c->sent % msg);
		size_t len = (size_t)(msg - in_msg);
		const unsigned char *buf;
		ssize_t n;

		if ((uint64_t)c->sent + len > UINT32_MAX) {
			c->want_out = 0; /* 4 GiB per connection is plenty */
			return true;
		}
		if (cfg->echo_bytes) {
			if (len > SCRATCH_SIZE)
				len = SCRATCH_SIZE;
			for (size_t i = 0; i < len; i++)
				w->scratch[i] = pattern(c->idx, c->sent + (uint32_t)i);
			buf = w->scratch;
		} else {
			buf = (const unsigned char *)cfg->send + in_msg;
		}
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			c->sent += (uint32_t)n;
			CNT_ADD(w->c.bytes_out, (uint64_t)n);
			if (c->sent % msg == 0) {
				c->want_out = 0;
				CNT_ADD(w->c.msgs_sent, 1);
			}
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return true;
		conn_lost(w, fd, n == 0 ? MC_CAUSE_OTHER : mc_cause_from_errno(errno));
		return false;
	}
	return true;
}

/* A message is due (at time due): start writing it, or count it skipped
 * when the previous one is still being written. */
static void send_msg(struct cli_worker *w, int fd, uint64_t due)
{
	struct cli_conn *c = &w->conns[fd];

	if (c->want_out) {
		CNT_ADD(w->c.msgs_skipped, 1);
		return;
	}
	if (c->acked >= c->sent)
		c->t_mark = due; /* nothing on the way: this one is the oldest */
	c->want_out = 1;
	send_more(w, fd);
}

/* The kernel's connect time of a connection the worker sees established
 * `noticed` ns after its connect() call, which itself took call_ns: the
 * call and then the handshake's round trip as the kernel measured it
 * (TCP_INFO: the SYN's RTT in microseconds); after a SYN retransmit (no RTT
 * sample for it), up to when the SYN-ACK came (the last ACK received,
 * jiffies). Never more than noticed: the worker's own look bounds it. */
static uint64_t kernel_connect_ns(int fd, uint64_t noticed, uint64_t call_ns)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint64_t k;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(ti.tcpi_last_ack_recv))
		return noticed;
	if (ti.tcpi_total_retrans == 0 && ti.tcpi_rtt) {
		k = call_ns + (uint64_t)ti.tcpi_rtt * MC_NS_PER_US;
	} else {
		uint64_t since = (uint64_t)ti.tcpi_last_ack_recv * MC_NS_PER_MS;
		k = noticed > since ? noticed - since : 0;
	}
	return k < noticed ? k : noticed;
}

static void on_established(struct cli_worker *w, int fd, uint64_t now)
{
	struct cli_conn *c = &w->conns[fd];
	struct client *cl = w->cl;
	uint64_t open, noticed = now > c->t_mark ? now - c->t_mark : 0;
	uint64_t lat = kernel_connect_ns(fd, noticed, c->sent);

	if (noticed - lat > LATE_NS)
		CNT_ADD(w->c.connects_late, 1); /* the worker was away */
	c->sent = 0;
	mc_hist_add(&w->lat, lat);
	c->state = C_OPEN;
	CNT_ADD(w->c.inflight, (uint64_t)-1);
	CNT_ADD(w->c.established, 1);
	CNT_ADD(w->c.open, 1);
	open = atomic_fetch_add_explicit(&cl->open_total, 1, memory_order_relaxed) + 1;
	mc_counter_peak(&cl->open_peak, open);
	if (cl->cfg->echo_bytes)
		send_msg(w, fd, now); /* the first message; with --every, the sweep's next */
}

/* Start connection idx (due: when the rate's schedule wanted it, or 0).
 * Returns when the connect() was called (or now, when it failed). */
static uint64_t start_one(struct cli_worker *w, uint64_t idx, uint64_t due)
{
	struct client *cl = w->cl;
	uint64_t pair = idx % cl->npairs, t_call = 0, t_ret;
	struct mc_addr src;
	const struct mc_addr *dst = NULL;
	uint16_t port = 0;
	const char *stage;
	bool have_src = pair_ends(cl, pair, &src, &dst, &port), exhausted = false;
	int fd, rc;

	CNT_ADD(w->c.attempted, 1);
	if (cl->own_ports) {
		struct mc_ports_skips sk = {0, 0};
		rc = mc_ports_connect(&cl->ports, pair, &src, dst, port, &fd, &t_call, &stage,
				      &exhausted, &sk);
		if (sk.bound)
			CNT_ADD(w->c.skip_bound, sk.bound);
		if (sk.tuple)
			CNT_ADD(w->c.skip_tuple, sk.tuple);
	} else {
		t_call = mc_now_ns();
		rc = mc_sock_connect(have_src ? &src : NULL, dst, port, &fd, &stage);
	}
	t_ret = mc_now_ns();
	if (rc != 0 && rc != -EINPROGRESS) {
		enum mc_cause cause = mc_cause_from_errno(rc);
		char why[96];
		/* a source this host cannot bind is no shortage of ports */
		if (rc == -EADDRNOTAVAIL && strcmp(stage, "bind") == 0)
			cause = MC_CAUSE_OTHER;
		CNT_ADD(w->c.fail[cause], 1);
		if (exhausted)
			snprintf(why, sizeof(why), "every one of the pair's %u local ports %u-%u is taken",
				 cl->ports.n, cl->ports.lo, cl->ports.hi);
		note_error(w, stage, idx, rc, exhausted ? why : NULL);
		return t_ret;
	}
	if (due && t_call > due)
		mc_hist_add(&w->queue, t_call - due);
	if ((size_t)fd >= w->nconns) {
		close(fd);
		CNT_ADD(w->c.fail[MC_CAUSE_EMFILE], 1);
		return t_ret;
	}
	struct cli_conn *c = &w->conns[fd];
	c->idx = (uint32_t)idx;
	/* while connecting, sent holds how long the connect() call took */
	c->sent = t_ret - t_call < UINT32_MAX ? (uint32_t)(t_ret - t_call) : UINT32_MAX;
	c->acked = 0;
	c->want_out = 0;
	c->t_mark = t_call;
	c->state = C_CONNECTING;
	if (fd > w->max_fd)
		w->max_fd = fd;
	CNT_ADD(w->c.inflight, 1);
	/* One registration for the connection's life, edge-triggered: EPOLLOUT
	 * once when the connect completes (and when a half-written message may
	 * go on), EPOLLIN when data or EOF arrives. No EPOLL_CTL_MOD per
	 * connection. */
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP | EPOLLET,
				 .data.u64 = ((uint64_t)c->gen << 32) | (uint32_t)fd};
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		connect_failed(w, fd, errno, "epoll_ctl");
		return t_ret;
	}
	if (rc == 0)
		on_established(w, fd, t_ret);
	else
		tq_push(w, fd, c->gen, t_call + cl->timeout_ns);
	return t_ret;
}

static void on_connect_event(struct cli_worker *w, int fd, uint64_t now)
{
	int e = mc_sock_error(fd);

	if (e == 0)
		on_established(w, fd, now);
	else
		connect_failed(w, fd, -e, "connect");
}

/* When fd's next message was due after one due at t: its first slot in the
 * sweep after t (a message is written at most once a round, and the first
 * one at the connect). A round skipped between makes the true due time
 * later, never earlier: no round trip is timed short. */
static uint64_t next_slot(const struct cli_worker *w, int fd, uint64_t t)
{
	const uint64_t period = w->cl->cfg->every_ns;
	uint64_t base = w->t0 + (uint64_t)((double)period * fd / (w->max_fd + 1));

	if (t < base)
		return base;
	return base + ((t - base) / period + 1) * period;
}

/* Messages came back whole: each one's round trip from when it was due. */
static void returned(struct cli_worker *w, int fd, uint64_t k, uint64_t now)
{
	struct cli_conn *c = &w->conns[fd];

	for (uint64_t i = 0; i < k; i++) {
		mc_hist_add(&w->rtt, now > c->t_mark ? now - c->t_mark : 0);
		if (w->cl->cfg->every_ns)
			c->t_mark = next_slot(w, fd, c->t_mark);
	}
	CNT_ADD(w->c.msgs_returned, k);
}

static void on_readable(struct cli_worker *w, int fd, uint64_t now)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	struct cli_conn *c = &w->conns[fd];
	const uint64_t msg = w->cl->msg_len;

	for (;;) { /* edge-triggered: read until EAGAIN */
		ssize_t n = recv(fd, w->scratch, SCRATCH_SIZE, 0);
		if (n > 0) {
			uint32_t before = c->acked;
			CNT_ADD(w->c.bytes_in, (uint64_t)n);
			if (cfg->echo_bytes) {
				for (ssize_t i = 0; i < n; i++) {
					if (w->scratch[i] != pattern(c->idx, c->acked + (uint32_t)i) ||
					    c->acked + (uint32_t)i >= c->sent) {
						CNT_ADD(w->c.echo_mismatch, 1);
						c->acked += (uint32_t)i;
						conn_lost(w, fd, MC_CAUSE_OTHER);
						return;
					}
				}
			}
			/* what a server says unasked (with traffic of ours it
			 * would be our own bytes echoed) */
			if (!cfg->echo_bytes && !cfg->send_len && before == 0)
				said_first(w, fd, w->scratch, (size_t)n);
			c->acked += (uint32_t)n;
			if (msg && c->acked / msg > before / msg)
				returned(w, fd, c->acked / msg - before / msg, now);
			continue;
		}
		if (n == 0) {
			conn_lost(w, fd, MC_CAUSE_PEER_CLOSED);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return;
		conn_lost(w, fd, mc_cause_from_errno(errno));
		return;
	}
}

/* A connect's deadline passed with no completion seen. The kernel says
 * what became of it: still SYN_SENT is a real timeout (the kernel had the
 * handshake the whole time); completed while the worker was away is
 * established; ended by the peer is that failure. */
static void connect_deadline(struct cli_worker *w, int fd, uint64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int e;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_state != TCP_SYN_SENT) {
		e = -mc_sock_error(fd);
		if (e == 0 && ti.tcpi_state != TCP_CLOSE)
			on_established(w, fd, now);
		else
			connect_failed(w, fd, e ? e : ECONNABORTED, "connect");
		return;
	}
	connect_failed(w, fd, ETIMEDOUT, "connect");
}

static void expire_timeouts(struct cli_worker *w, uint64_t now)
{
	while (w->tq_len) {
		struct timeout_ent *t = &w->tq[w->tq_head];
		struct cli_conn *c = &w->conns[t->fd];
		bool live = c->gen == t->gen && c->state == C_CONNECTING;
		int fd = t->fd;

		if (live && t->deadline > now)
			break;
		w->tq_head = (w->tq_head + 1) % w->tq_cap;
		w->tq_len--;
		if (live)
			connect_deadline(w, fd, now);
	}
}

/* When fd's message of round r is due: its slot in the sweep of that round. */
static uint64_t due_at(const struct cli_worker *w, uint64_t round, int fd, int span)
{
	uint64_t period = w->cl->cfg->every_ns;

	return w->t0 + round * period + (uint64_t)((double)period * fd / span);
}

/* Heartbeats / periodic echo: sweep the fd array once per period, so each
 * connection sends once a period with no per-connection timer. A worker
 * that fell behind goes through every round it missed, one after the
 * other, each message timed from its own round. Returns true while it is
 * behind. */
static bool sweep(struct cli_worker *w, uint64_t now)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	uint64_t period = cfg->every_ns, t = now - w->t0;
	uint64_t round = t / period;
	int span = w->max_fd + 1, target;

	if (round > w->sweep_round) { /* finish the last round, start the next */
		for (; w->sweep < span; w->sweep++)
			if (w->conns[w->sweep].state == C_OPEN)
				send_msg(w, w->sweep, due_at(w, w->sweep_round, w->sweep, span));
		w->sweep = 0;
		w->sweep_round++;
		if (round > w->sweep_round)
			return true;
	}
	target = (int)((double)span * (double)(t % period) / (double)period);
	for (; w->sweep < target; w->sweep++)
		if (w->conns[w->sweep].state == C_OPEN)
			send_msg(w, w->sweep, due_at(w, round, w->sweep, span));
	return false;
}

static bool outstanding(struct cli_worker *w)
{
	for (int fd = 0; fd <= w->max_fd; fd++)
		if (w->conns[fd].state == C_OPEN &&
		    (w->conns[fd].acked < w->conns[fd].sent || w->conns[fd].want_out))
			return true;
	return false;
}

static int worker_setup(struct cli_worker *w)
{
	struct client *cl = w->cl;

	w->epfd = mc_ctl_worker_init(&cl->ctl, cl->private_tables, (uint64_t)TAG_STOP << 32);
	if (w->epfd < 0)
		return w->epfd;
	w->nconns = mc_fdtable_limit();
	w->conns = calloc(w->nconns, sizeof(*w->conns));
	w->scratch = malloc(SCRATCH_SIZE);
	if (!w->conns || !w->scratch)
		return -ENOMEM;
	mc_hist_init(&w->lat);
	mc_hist_init(&w->rtt);
	for (unsigned i = 0; i < PENDING_SAID; i++)
		w->pending[i].fd = -1;
	mc_hist_init(&w->queue);
	return 0;
}

/* Start connects while the in-flight window and the rate allow, for at
 * most CONNECT_BATCH_NS. Lowers *timeout to when the next one is due. */
static void start_connects(struct cli_worker *w, uint64_t now, int *timeout)
{
	const uint64_t end = now + CONNECT_BATCH_NS;
	uint64_t t = now;

	while (w->next < w->hi && CNT_GET(w->c.inflight) < w->max_inflight) {
		uint64_t due = 0;
		if (w->rate > 0) {
			due = w->t0 + (uint64_t)((double)w->started * 1e9 / w->rate);
			if (due > t) {
				int ms = (int)((due - t) / MC_NS_PER_MS);
				*timeout = ms < *timeout ? ms : *timeout;
				return;
			}
		}
		t = start_one(w, w->next++, due);
		w->started++;
		if (t >= end) {
			*timeout = 0; /* more may be due: look at the events, come back */
			return;
		}
	}
	if (w->next < w->hi && CNT_GET(w->c.inflight) < w->max_inflight && w->rate <= 0)
		*timeout = 0;
}

/* The worker was away from its sockets for `away` ns. */
static void note_away(struct cli_worker *w, uint64_t away)
{
	if (away <= MC_CLIENT_STALL_NS)
		return;
	CNT_ADD(w->c.stalls, 1);
	if (away > CNT_GET(w->c.stall_max_ns))
		atomic_store_explicit(&w->c.stall_max_ns, away, memory_order_relaxed);
}

/* Publish this worker's round trips (and, with live_hists, connect latencies)
 * for the ticks, once a tick period. */
static void publish_rtt(struct cli_worker *w, uint64_t now)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	uint64_t period = cfg->tick_ns ? cfg->tick_ns : MC_NS_PER_SEC;

	if (!cfg->tick || now - w->rtt_pub_ns < period)
		return;
	w->rtt_pub_ns = now;
	pthread_mutex_lock(&w->rtt_lock);
	w->rtt_pub = w->rtt;
	if (cfg->live_hists)
		w->lat_pub = w->lat;
	pthread_mutex_unlock(&w->rtt_lock);
}

static void *worker_main(void *arg)
{
	struct cli_worker *w = arg;
	struct client *cl = w->cl;
	const struct mc_client_config *cfg = cl->cfg;
	struct epoll_event evs[EVENT_BATCH];
	int rc = worker_setup(w);

	mc_pool_worker_ready(&w->pw, rc);
	if (rc < 0)
		return NULL;
	w->next = w->lo;

	for (;;) {
		uint64_t now = mc_now_ns(), waited;
		int timeout = 100, n;
		bool drain = atomic_load_explicit(&cl->phase, memory_order_relaxed) == PHASE_DRAIN;
		bool paused = cfg->pause && atomic_load_explicit(cfg->pause, memory_order_relaxed);
		bool my_turn = w->pw.id < atomic_load_explicit(&cl->ramp_released, memory_order_acquire);

		if (!my_turn) {
			timeout = 5;
			goto wait;
		}
		if (!w->t0)
			w->t0 = now;
		/* the events of the last turn are taken: what is still
		 * connecting past its deadline is the kernel's to say */
		expire_timeouts(w, now);
		if (!drain && !paused)
			start_connects(w, now, &timeout);
		if (w->tq_len) {
			uint64_t d = w->tq[w->tq_head].deadline;
			now = mc_now_ns();
			int ms = d > now ? (int)((d - now) / MC_NS_PER_MS) + 1 : 0;
			timeout = ms < timeout ? ms : timeout;
		}
		if (w->next >= w->hi && CNT_GET(w->c.inflight) == 0 &&
		    !atomic_load_explicit(&w->ramp_done, memory_order_relaxed)) {
			atomic_store(&w->ramp_done, 1);
			atomic_fetch_add_explicit(&cl->ramp_released, 1, memory_order_release);
			mc_ctl_wake(cl->ctl.wakefd);
		}
		if (cfg->every_ns && !drain && cl->msg_len) {
			if (sweep(w, mc_now_ns()))
				timeout = 0;
			if (timeout > 10)
				timeout = 10;
		}
		publish_rtt(w, now);
		if (drain && !atomic_load_explicit(&w->drained, memory_order_relaxed) &&
		    !outstanding(w)) {
			atomic_store(&w->drained, 1);
			mc_ctl_wake(cl->ctl.wakefd);
		}
	wait:
		now = mc_now_ns();
		n = epoll_wait(w->epfd, evs, EVENT_BATCH, timeout);
		waited = mc_now_ns();
		/* away: the turn's own work since the last look, and any
		 * oversleep past the planned wait (stopped, descheduled) */
		if (w->back && my_turn)
			note_away(w, (now - w->back) +
					     (waited > now + (uint64_t)timeout * MC_NS_PER_MS
						      ? waited - now - (uint64_t)timeout * MC_NS_PER_MS
						      : 0));
		w->back = waited;
		if (n == -1 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint32_t tag = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t fd = (uint32_t)evs[i].data.u64;
			struct cli_conn *c;

			if (tag == TAG_STOP)
				goto out;
			if (fd >= w->nconns)
				continue;
			c = &w->conns[fd];
			if (c->gen != tag || c->state == C_FREE)
				continue; /* closed (and maybe reused) earlier in this batch */
			if (c->state == C_CONNECTING) {
				on_connect_event(w, (int)fd, waited);
				if (c->gen != tag || c->state != C_OPEN)
					continue;
				/* the same edge may carry data or EOF: fall through */
			}
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				on_readable(w, (int)fd, waited);
			if (c->gen == tag && c->state == C_OPEN && c->want_out &&
			    (evs[i].events & EPOLLOUT))
				send_more(w, (int)fd);
		}
	}
out:
	/* account what is still unechoed, then close everything we hold; a
	 * connect still in progress stays counted in inflight */
	for (int fd = 0; fd <= w->max_fd && (size_t)fd < w->nconns; fd++) {
		struct cli_conn *c = &w->conns[fd];
		if (c->state == C_OPEN && cfg->echo_bytes && c->sent > c->acked)
			CNT_ADD(w->c.echo_lost_bytes, c->sent - c->acked);
		if (c->state != C_FREE)
			close(fd);
	}
	free(w->conns);
	free(w->scratch);
	free(w->tq);
	w->conns = NULL;
	w->scratch = NULL;
	w->tq = NULL;
	close(w->epfd);
	return NULL;
}

/* Count n connections that were told b (len bytes) before ending for
 * cause: onto the same message in st->said, or as a new one while there is
 * room. */
static void said_add(struct mc_client_stats *st, uint8_t cause, const unsigned char *b,
		     uint8_t len, uint64_t n)
{
	unsigned same = 0;
	struct mc_client_said *e;

	for (unsigned i = 0; i < st->nsaid; i++) {
		e = &st->said[i];
		if (e->cause != cause)
			continue;
		same++;
		if (e->len == len && memcmp(e->bytes, b, len) == 0) {
			e->conns += n;
			return;
		}
	}
	if (st->nsaid == MC_CLIENT_SAID_MAX || same == MC_CLIENT_SAID_PER_CAUSE)
		return;
	e = &st->said[st->nsaid++];
	e->cause = cause;
	e->len = len;
	memcpy(e->bytes, b, len);
	e->conns = n;
}

void mc_client_stats_merge(struct mc_client_stats *dst, const struct mc_client_stats *src)
{
	dst->attempted += src->attempted;
	dst->established += src->established;
	dst->inflight += src->inflight;
	dst->open += src->open;
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		dst->fail[k] += src->fail[k];
		dst->lost[k] += src->lost[k];
	}
	dst->bytes_out += src->bytes_out;
	dst->bytes_in += src->bytes_in;
	dst->msgs_sent += src->msgs_sent;
	dst->msgs_skipped += src->msgs_skipped;
	dst->msgs_returned += src->msgs_returned;
	dst->echo_mismatch += src->echo_mismatch;
	dst->echo_lost_bytes += src->echo_lost_bytes;
	dst->ports_skipped_bound += src->ports_skipped_bound;
	dst->ports_skipped_tuple += src->ports_skipped_tuple;
	dst->stalls += src->stalls;
	if (src->stall_max_ns > dst->stall_max_ns)
		dst->stall_max_ns = src->stall_max_ns;
	dst->connects_late += src->connects_late;
	mc_hist_merge(&dst->connect_lat, &src->connect_lat);
	mc_hist_merge(&dst->rtt, &src->rtt);
	mc_hist_merge(&dst->connect_queue, &src->connect_queue);
	dst->ramp_done = dst->ramp_done && src->ramp_done;
	if (!dst->first_error[0] && src->first_error[0])
		snprintf(dst->first_error, sizeof(dst->first_error), "%s", src->first_error);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (!dst->cause_error[k][0] && src->cause_error[k][0])
			memcpy(dst->cause_error[k], src->cause_error[k], sizeof(dst->cause_error[k]));
	for (unsigned i = 0; i < src->nsaid && i < MC_CLIENT_SAID_MAX; i++)
		said_add(dst, src->said[i].cause, src->said[i].bytes, src->said[i].len,
			 src->said[i].conns);
}

static struct cli_worker *worker_at(const struct client *cl, unsigned i)
{
	return (struct cli_worker *)mc_pool_at(&cl->pool, i);
}

/* Before its thread starts: worker i takes its share of the connection
 * numbers, of the in-flight connects and of the rate. */
static void worker_prepare(struct mc_pool_worker *pw)
{
	struct cli_worker *w = (struct cli_worker *)pw;
	struct client *cl = pw->pool->owner;
	const struct mc_client_config *cfg = cl->cfg;

	w->cl = cl;
	w->epfd = -1;
	w->lo = cfg->conns * pw->id / cl->nworkers;
	w->hi = cfg->conns * (pw->id + 1) / cl->nworkers;
	w->max_inflight = cl->inflight / cl->ramp_slots ? cl->inflight / cl->ramp_slots : 1;
	w->rate = cfg->rate > 0 ? cfg->rate / cl->ramp_slots : 0;
	w->max_fd = -1;
	pthread_mutex_init(&w->rtt_lock, NULL);
	mc_hist_init(&w->rtt_pub);
	mc_hist_init(&w->lat_pub);
}

/* One worker's counters as they stand (histograms only once it is joined:
 * the worker writes them without atomics; before, the round trips as the
 * worker last published them). */
static void worker_snapshot(struct cli_worker *w, struct mc_client_stats *st, bool hists)
{
	struct cli_counters *c = &w->c;

	memset(st, 0, offsetof(struct mc_client_stats, connect_lat));
	mc_hist_init(&st->connect_lat);
	mc_hist_init(&st->rtt);
	mc_hist_init(&st->connect_queue);
	/* the outcomes first, attempted last: a worker counts a connect
	 * attempted before its outcome, so a snapshot taken while it runs
	 * never shows more outcomes than attempts */
	st->established = CNT_GET(c->established);
	st->inflight = CNT_GET(c->inflight);
	st->open = CNT_GET(c->open);
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		st->fail[k] = CNT_GET(c->fail[k]);
		st->lost[k] = CNT_GET(c->lost[k]);
	}
	atomic_thread_fence(memory_order_acquire);
	st->attempted = CNT_GET(c->attempted);
	st->bytes_out = CNT_GET(c->bytes_out);
	st->bytes_in = CNT_GET(c->bytes_in);
	st->msgs_sent = CNT_GET(c->msgs_sent);
	st->msgs_skipped = CNT_GET(c->msgs_skipped);
	st->msgs_returned = CNT_GET(c->msgs_returned);
	st->echo_mismatch = CNT_GET(c->echo_mismatch);
	st->echo_lost_bytes = CNT_GET(c->echo_lost_bytes);
	st->ports_skipped_bound = CNT_GET(c->skip_bound);
	st->ports_skipped_tuple = CNT_GET(c->skip_tuple);
	st->stalls = CNT_GET(c->stalls);
	st->stall_max_ns = CNT_GET(c->stall_max_ns);
	st->connects_late = CNT_GET(c->connects_late);
	st->ramp_done = atomic_load(&w->ramp_done);
	if (hists) {
		st->connect_lat = w->lat;
		st->rtt = w->rtt;
		st->connect_queue = w->queue;
	} else {
		pthread_mutex_lock(&w->rtt_lock);
		st->rtt = w->rtt_pub;
		if (w->cl->cfg->live_hists)
			st->connect_lat = w->lat_pub;
		pthread_mutex_unlock(&w->rtt_lock);
	}
	st->first_error[0] = '\0';
	if (atomic_load(&w->has_error))
		snprintf(st->first_error, sizeof(st->first_error), "%s", w->first_error);
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		st->cause_error[k][0] = '\0';
		if (atomic_load(&w->has_cause_error[k]))
			memcpy(st->cause_error[k], w->cause_error[k], sizeof(st->cause_error[k]));
	}
	st->nsaid = atomic_load_explicit(&w->nsaid, memory_order_acquire);
	for (unsigned i = 0; i < st->nsaid; i++) {
		st->said[i].cause = w->said[i].cause;
		st->said[i].len = w->said[i].len;
		memcpy(st->said[i].bytes, w->said[i].bytes, sizeof(st->said[i].bytes));
		st->said[i].conns = CNT_GET(w->said[i].conns);
	}
}

/* After the run: when the first error (the first worker's that has one,
 * as collect picks it) is EADDRNOTAVAIL, say how many of that pair's ports
 * are in TIME_WAIT (net/diag.h). */
static void time_wait_words(struct client *cl, struct mc_client_stats *out)
{
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++) {
		const struct cli_worker *w = worker_at(cl, i);
		char tw[200];
		size_t n = strlen(out->first_error);
		if (!atomic_load(&w->has_error))
			continue;
		if (!w->full_pair.set)
			return;
		mc_diag_tw_words(w->full_pair.has_src ? &w->full_pair.src : NULL, &w->full_pair.dst,
				 w->full_pair.port, cl->cfg->port_select == MC_PORT_SELECT_MAXCONN, tw,
				 sizeof(tw));
		if (tw[0])
			snprintf(out->first_error + n, sizeof(out->first_error) - n, "; %s", tw);
		return;
	}
}

/* Per-worker counters merged on read (histograms only once the workers are
 * joined). */
static void collect(struct client *cl, struct mc_client_stats *st, bool hists)
{
	struct mc_client_stats *one = malloc(sizeof(*one));

	memset(st, 0, sizeof(*st));
	mc_hist_init(&st->connect_lat);
	mc_hist_init(&st->rtt);
	mc_hist_init(&st->connect_queue);
	st->requested = cl->cfg->conns;
	st->ramp_done = true;
	for (unsigned i = 0; one && i < mc_pool_count(&cl->pool); i++) {
		worker_snapshot(worker_at(cl, i), one, hists);
		mc_client_stats_merge(st, one);
	}
	free(one);
	st->open_peak = atomic_load(&cl->open_peak);
	st->workers = mc_pool_count(&cl->pool);
	st->private_fd_tables = cl->private_tables;
	st->elapsed_ns = mc_now_ns() - cl->t0;
	st->port_select = cl->cfg->port_select;
	if (cl->own_ports) {
		st->port_lo = cl->ports.lo;
		st->port_hi = cl->ports.hi;
		st->ports_per_pair = cl->ports.n;
		st->ports_reserved = cl->ports.reserved;
	} else {
		uint16_t lo, hi;
		mc_client_local_ports(cl->cfg, &lo, &hi, &st->ports_per_pair, &st->ports_reserved);
		st->port_lo = lo;
		st->port_hi = hi;
	}
	mc_self_rss(&st->rss);
}

static bool all(struct client *cl, _Atomic int *(*field)(struct cli_worker *))
{
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++)
		if (!atomic_load(field(worker_at(cl, i))))
			return false;
	return true;
}

static _Atomic int *f_ramp(struct cli_worker *w)
{
	return &w->ramp_done;
}

static _Atomic int *f_drained(struct cli_worker *w)
{
	return &w->drained;
}

/* port_select maxconn: the cursors over the pairs this run uses (pair i mod
 * pairs of connection i: never more pairs than connections), and without
 * sources, the source the kernel routes from toward each destination. */
static int ports_setup(struct client *cl, struct mc_err *err)
{
	const struct mc_client_config *cfg = cl->cfg;
	uint64_t used = cl->npairs < cfg->conns ? cl->npairs : cfg->conns, per, res;
	uint32_t seed = 0;
	uint16_t lo, hi;
	struct mc_host_reserved reserved;
	char eb[96];
	int rc;

	if (cfg->port_select != MC_PORT_SELECT_MAXCONN)
		return 0;
	mc_client_local_ports(cfg, &lo, &hi, &per, &res);
	/* a reserved list we cannot read reserves nothing */
	mc_host_reserved_read(NULL, &reserved);
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint32_t)mc_now_ns() ^ (uint32_t)getpid();
	rc = mc_ports_init(&cl->ports, lo, hi, &reserved, used, seed);
	if (rc < 0)
		return mc_errf(err, rc, "local ports %u-%u for %llu pairs: %s", lo, hi,
			       (unsigned long long)used, mc_strerror(rc, eb, sizeof(eb)));
	cl->own_ports = true;
	if (cfg->nsrc)
		return 0;
	cl->route_src = calloc(cfg->ndst ? cfg->ndst : 1, sizeof(*cl->route_src));
	if (!cl->route_src)
		return mc_errf(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < cfg->ndst; k++) {
		char d[MC_ADDR_STRLEN];
		if ((rc = mc_ports_route_source(&cfg->dst[k].addr, &cl->route_src[k])) < 0)
			return mc_errf(err, rc, "no route to %s: %s",
				       mc_addr_str(&cfg->dst[k].addr, d, sizeof(d)),
				       mc_strerror(rc, eb, sizeof(eb)));
	}
	return 0;
}

int mc_client_run(const struct mc_client_config *cfg, struct mc_client_stats *out,
		  struct mc_err *err)
{
	struct client *cl = calloc(1, sizeof(*cl));
	uint64_t cap_est, rss_base = 0, rss_end = 0, ramp_end = 0, t_end;
	uint64_t last_tick, drain_end = 0;
	const uint64_t tick_ns = cfg->tick_ns ? cfg->tick_ns : MC_NS_PER_SEC;
	int rc = 0, open_fds;
	unsigned n;

	if (!cl)
		return mc_errf(err, -ENOMEM, "out of memory");
	pthread_once(&pattern_once, pattern_init);
	cl->cfg = cfg;
	cl->nsrc = mc_client_nsrc(cfg);
	cl->ndst = mc_client_ndst(cfg);
	cl->npairs = mc_client_pairs(cfg);
	cl->timeout_ns = cfg->connect_timeout_ns ? cfg->connect_timeout_ns : DEFAULT_TIMEOUT;
	cl->msg_len = cfg->echo_bytes ? cfg->echo_bytes : cfg->send_len;
	if ((rc = ports_setup(cl, err)) < 0) {
		mc_ports_free(&cl->ports);
		free(cl->route_src);
		free(cl);
		return rc;
	}
	if ((rc = mc_ctl_init(&cl->ctl, err)) < 0) {
		mc_ports_free(&cl->ports);
		free(cl->route_src);
		free(cl);
		return rc;
	}

	open_fds = mc_fdtable_count();
	cap_est = mc_pool_table_room(mc_fdtable_limit(), open_fds > 0 ? (uint64_t)open_fds : 0);
	cl->private_tables = cfg->conns > cap_est;
	n = cl->nworkers = mc_pool_plan_fixed(cfg->conns, cap_est, cfg->workers, mc_pool_ncpu());
	cl->inflight = cfg->inflight ? cfg->inflight : DEFAULT_INFLIGHT;
	cl->ramp_slots = cfg->ramp_workers ? cfg->ramp_workers : 8 * mc_pool_ncpu();
	if (cl->ramp_slots > n)
		cl->ramp_slots = n;
	atomic_store(&cl->ramp_released, cl->ramp_slots);
	cl->pool = (struct mc_pool){.size = sizeof(struct cli_worker),
				    .main = worker_main,
				    .prepare = worker_prepare,
				    .owner = cl,
				    .wakefd = cl->ctl.wakefd,
				    .table = cap_est};
	atomic_store(&cl->pool.max, n);

	cl->t0 = mc_now_ns();
	for (unsigned i = 0; i < n; i++)
		if ((rc = mc_pool_spawn(&cl->pool, err)) < 0)
			goto stop;
	mc_self_rss(&rss_base);

	last_tick = mc_now_ns();
	for (;;) {
		uint64_t now = mc_now_ns();
		int timeout = (int)((last_tick + tick_ns - now) / MC_NS_PER_MS) + 1;
		enum mc_ctl_event ev;

		if (last_tick + tick_ns <= now)
			timeout = 0;
		if ((rc = mc_pool_failed(&cl->pool, err)) < 0)
			goto stop;
		if (!ramp_end && all(cl, f_ramp)) {
			ramp_end = now;
			if (atomic_load(&cl->open_total) == 0)
				break; /* nothing to hold */
		}
		if (ramp_end && !cfg->hold_forever && !drain_end &&
		    now >= ramp_end + cfg->hold_ns) {
			if (!cfg->echo_bytes)
				break;
			atomic_store(&cl->phase, PHASE_DRAIN);
			drain_end = now + DRAIN_NS;
		}
		if (drain_end && (now >= drain_end || all(cl, f_drained)))
			break;
		if (ramp_end && !cfg->hold_forever && !drain_end) {
			uint64_t end = ramp_end + cfg->hold_ns;
			int ms = end > now ? (int)((end - now) / MC_NS_PER_MS) + 1 : 0;
			timeout = ms < timeout ? ms : timeout;
		}
		if (drain_end && timeout > 50)
			timeout = 50;
		ev = mc_ctl_wait(&cl->ctl, timeout);
		if (ev == MC_CTL_SIGNAL) {
			if (drain_end || !cfg->echo_bytes)
				break;
			atomic_store(&cl->phase, PHASE_DRAIN); /* a last look at the echoes */
			drain_end = mc_now_ns() + MC_NS_PER_SEC;
			continue;
		}
		now = mc_now_ns();
		if (now - last_tick >= tick_ns) {
			last_tick = now;
			if (cfg->tick) {
				struct mc_client_stats *st = malloc(sizeof(*st));
				if (st) {
					collect(cl, st, false);
					st->rss_base = rss_base;
					st->ramp_ns = ramp_end ? ramp_end - cl->t0 : 0;
					cfg->tick(cfg->tick_arg, st);
					free(st);
				}
			}
		}
	}
	rc = 0;
stop:
	/* the run's end: its time and memory while everything is still held */
	t_end = mc_now_ns();
	mc_self_rss(&rss_end);
	/* stop the workers first, then count: a connect completing while the
	 * counts were read would be attempted but neither established nor
	 * failed. Once joined, every connect is established, failed or still
	 * in flight (attempted = established + failed + inflight), and open is
	 * what was held (the final close does not count as a loss). */
	mc_ctl_stop(&cl->ctl);
	mc_pool_join(&cl->pool);
	collect(cl, out, true);
	out->rss_base = rss_base;
	out->rss = rss_end;
	out->stop_signal = cl->ctl.signo;
	out->ramp_ns = ramp_end ? ramp_end - cl->t0 : 0;
	out->elapsed_ns = t_end - cl->t0;
	time_wait_words(cl, out);
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++)
		pthread_mutex_destroy(&worker_at(cl, i)->rtt_lock);
	mc_pool_free(&cl->pool);
	mc_ctl_close(&cl->ctl);
	mc_ports_free(&cl->ports);
	free(cl->route_src);
	free(cl);
	return rc;
}
