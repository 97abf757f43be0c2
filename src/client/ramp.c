/* ramp.c: the connect ramp, one worker's side: connects started while the
 * in-flight window and the rate allow (ports from the pair's cursor or the
 * kernel), each one's completion, failure or deadline, its time as the
 * kernel measured it, and the first failure of each cause in words (see
 * ramp.h). */
#include "client/ramp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/plan.h"
#include "client/traffic.h"
#include "common/clock.h"
#include "common/counter.h"
#include "net/sock.h"

/* A worker starts connects for at most this long before it looks at its
 * events again, so a completion waits at most about this long to be seen. */
#define CONNECT_BATCH_NS MC_NS_PER_MS
/* A completion seen this long after its connect() call asks the kernel
 * when it really completed (TCP_INFO), instead of trusting the late look. */
#define LATE_NS (20 * MC_NS_PER_MS)

/* The first failure of the worker, and the first of each cause, in words:
 * the call, the pair's ends, the errno and why. */
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
	have_src = mc_client__pair_ends(cl, idx % cl->npairs, &a, &daddr, &port);
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

static void connect_failed(struct cli_worker *w, int fd, int e, const char *stage)
{
	struct cli_conn *c = &w->conns[fd];

	CNT_ADD(w->c.fail[mc_cause_from_errno(e)], 1);
	CNT_ADD(w->c.inflight, (uint64_t)-1);
	note_error(w, stage, c->idx, e, NULL);
	mc_client__conn_release(w, fd);
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
	uint64_t noticed = now > c->t_mark ? now - c->t_mark : 0;
	uint64_t lat = kernel_connect_ns(fd, noticed, c->sent);

	if (noticed - lat > LATE_NS)
		CNT_ADD(w->c.connects_late, 1); /* the worker was away */
	c->sent = 0;
	mc_hist_add(&w->lat, lat);
	if (cl->cfg->proto == MC_PROTO_HTTP) {
		/* held once the answer to the request comes whole; until
		 * then in flight, under the connect's deadline */
		c->state = C_HANDSHAKE;
		mc_client__send_msg(w, fd, now);
		return;
	}
	mc_client__conn_held(w, fd);
	if (cl->cfg->echo_bytes || cl->cfg->traffic_bytes)
		/* the first message (--traffic: the only one); with --every,
		 * the sweep's next */
		mc_client__send_msg(w, fd, now);
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
	bool have_src = mc_client__pair_ends(cl, pair, &src, &dst, &port), exhausted = false;
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
	if (cl->cfg->abort_close)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){.l_onoff = 1, .l_linger = 0},
			   sizeof(struct linger));
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

void mc_client__on_connect_event(struct cli_worker *w, int fd, uint32_t events, uint64_t now)
{
	int e;

	/* writable with no error or hang-up: the handshake completed, and
	 * asking SO_ERROR would cost a syscall per connection for a 0 */
	if ((events & EPOLLOUT) && !(events & (EPOLLERR | EPOLLHUP))) {
		on_established(w, fd, now);
		return;
	}
	e = mc_sock_error(fd);

	if (e == 0)
		on_established(w, fd, now);
	else
		connect_failed(w, fd, -e, "connect");
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

	if (w->conns[fd].state == C_HANDSHAKE) { /* connected, never answered */
		if (!atomic_load_explicit(&w->has_cause_error[MC_CAUSE_PROTO], memory_order_relaxed)) {
			snprintf(w->cause_error[MC_CAUSE_PROTO], sizeof(w->cause_error[0]),
				 "http: no whole answer to the request within the connect timeout "
				 "(%.1f s)",
				 (double)w->cl->timeout_ns / 1e9);
			atomic_store(&w->has_cause_error[MC_CAUSE_PROTO], 1);
		}
		mc_client__http_failed(w, fd, MC_CAUSE_PROTO, MC_HTTP_SILENT);
		return;
	}
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

void mc_client__expire_timeouts(struct cli_worker *w, uint64_t now)
{
	while (w->tq_len) {
		struct timeout_ent *t = &w->tq[w->tq_head];
		struct cli_conn *c = &w->conns[t->fd];
		bool live = c->gen == t->gen &&
			    (c->state == C_CONNECTING || c->state == C_HANDSHAKE);
		int fd = t->fd;

		if (live && t->deadline > now)
			break;
		w->tq_head = (w->tq_head + 1) % w->tq_cap;
		w->tq_len--;
		if (live)
			connect_deadline(w, fd, now);
	}
}

void mc_client__start_connects(struct cli_worker *w, uint64_t now, int *timeout)
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
