/* traffic.c: what flows on an established connection: --send heartbeats
 * and --echo-verify messages written on the sweep's schedule, what comes
 * back read, checked (client/echo.h) and timed from when it was due, and the
 * connection's end when the peer closes or resets it (see traffic.h). */
#include "client/traffic.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/echo.h"
#include "client/said.h"
#include "common/counter.h"

void mc_client__conn_release(struct cli_worker *w, int fd)
{
	struct cli_conn *c = &w->conns[fd];

	close(fd);
	c->state = C_FREE;
	c->want_out = 0;
	c->gen = c->gen + 1 >= GEN_MAX ? 0 : c->gen + 1;
}

/* An established connection ended before we closed it. */
static void conn_lost(struct cli_worker *w, int fd, enum mc_cause why)
{
	struct cli_conn *c = &w->conns[fd];

	CNT_ADD(w->c.lost[why], 1);
	mc_client__said_ended(w, fd, why);
	if (w->cl->cfg->echo_bytes && c->sent > c->acked)
		CNT_ADD(w->c.echo_lost_bytes, c->sent - c->acked);
	CNT_ADD(w->c.open, (uint64_t)-1);
	atomic_fetch_sub_explicit(&w->cl->open_total, 1, memory_order_relaxed);
	mc_client__conn_release(w, fd);
}

bool mc_client__send_more(struct cli_worker *w, int fd)
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
		if (cfg->proto == MC_PROTO_HTTP) {
			buf = (const unsigned char *)cfg->request + in_msg;
		} else if (cfg->echo_bytes || cfg->traffic_bytes) {
			if (len > SCRATCH_SIZE)
				len = SCRATCH_SIZE;
			mc_client__echo_fill(c->idx, c->sent, w->scratch, len);
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
		if (w->cl->cfg->proto == MC_PROTO_HTTP)
			mc_client__http_failed(w, fd, n == 0 ? MC_CAUSE_OTHER : mc_cause_from_errno(errno),
					       MC_HTTP_CLOSED);
		else
			conn_lost(w, fd, n == 0 ? MC_CAUSE_OTHER : mc_cause_from_errno(errno));
		return false;
	}
	return true;
}

void mc_client__send_msg(struct cli_worker *w, int fd, uint64_t due)
{
	struct cli_conn *c = &w->conns[fd];

	if (c->want_out || (w->cl->cfg->proto == MC_PROTO_HTTP && !mc_http_rx_idle(&c->http))) {
		CNT_ADD(w->c.msgs_skipped, 1); /* http: one request at a time */
		return;
	}
	if (w->cl->cfg->proto == MC_PROTO_HTTP) {
		c->t_mark = due;
		mc_http_rx_start(&c->http, mc_http_request_is_head(w->cl->cfg->request));
	} else if (c->acked >= c->sent) {
		c->t_mark = due; /* nothing on the way: this one is the oldest */
	}
	c->want_out = 1;
	mc_client__send_more(w, fd);
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

void mc_client__conn_held(struct cli_worker *w, int fd)
{
	struct cli_conn *c = &w->conns[fd];
	struct client *cl = w->cl;
	uint64_t open;

	c->state = C_OPEN;
	CNT_ADD(w->c.inflight, (uint64_t)-1);
	CNT_ADD(w->c.established, 1);
	CNT_ADD(w->c.open, 1);
	open = atomic_fetch_add_explicit(&cl->open_total, 1, memory_order_relaxed) + 1;
	mc_counter_peak(&cl->open_peak, open);
}

void mc_client__http_failed(struct cli_worker *w, int fd, enum mc_cause why,
			    enum mc_http_fail kind)
{
	CNT_ADD(w->c.http_fail[kind], 1);
	if (w->conns[fd].state == C_OPEN) {
		conn_lost(w, fd, why);
		return;
	}
	CNT_ADD(w->c.fail[why], 1); /* never held: a connect that failed */
	CNT_ADD(w->c.inflight, (uint64_t)-1);
	mc_client__said_ended(w, fd, why);
	mc_client__conn_release(w, fd);
}

/* The status line of an answer that starts at b (n bytes): kept as what
 * the server said, quoted if the connection then fails. */
static void http_status_line(struct cli_worker *w, int fd, const unsigned char *b, size_t n)
{
	size_t k = 0;

	while (k < n && b[k] != '\r' && b[k] != '\n')
		k++;
	mc_client__said_first(w, fd, b, k);
}

/* n bytes of answers in w->scratch: each one read whole is counted and
 * timed, a 2xx/3xx to the first request makes the connection held; another
 * status, a malformed answer or bytes no request asked for end it. False
 * when it ended. */
static bool http_bytes(struct cli_worker *w, int fd, size_t n, uint64_t now)
{
	struct cli_conn *c = &w->conns[fd];
	size_t off = 0, used;

	while (off < n) {
		int r, kind;

		/* bytes no request asked for (a server's "408 Request
		 * Timeout" before it closes an idle one): an answer all the
		 * same, failed by its status */
		if (mc_http_rx_idle(&c->http))
			mc_http_rx_unasked(&c->http);
		if (mc_http_rx_fresh(&c->http))
			http_status_line(w, fd, w->scratch + off, n - off);
		r = mc_http_rx_feed(&c->http, w->scratch + off, n - off, &used);
		off += used;
		if (r == MC_HTTP_MORE)
			return true;
		kind = r == MC_HTTP_BAD ? MC_HTTP_MALFORMED : mc_http_fail_of_status(c->http.status);
		if (kind < 0 && c->http.unasked)
			kind = MC_HTTP_MALFORMED; /* a 2xx no request asked for */
		if (kind >= 0) {
			mc_client__http_failed(w, fd, MC_CAUSE_PROTO, (enum mc_http_fail)kind);
			return false;
		}
		mc_client__said_forget(w, fd);
		CNT_ADD(w->c.http_responses, 1);
		CNT_ADD(w->c.msgs_returned, 1);
		mc_hist_add(&w->rtt, now > c->t_mark ? now - c->t_mark : 0);
		if (c->state == C_HANDSHAKE)
			mc_client__conn_held(w, fd);
	}
	return true;
}

/* --proto http: fd is readable (or ended). A close or reset while an
 * answer is owed is the server closing before it; while idle, a loss. */
static void http_readable(struct cli_worker *w, int fd, uint64_t now)
{
	struct cli_conn *c = &w->conns[fd];

	for (;;) {
		ssize_t n = recv(fd, w->scratch, SCRATCH_SIZE, 0);
		enum mc_cause why;

		if (n > 0) {
			CNT_ADD(w->c.bytes_in, (uint64_t)n);
			if (!http_bytes(w, fd, (size_t)n, now))
				return;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		why = n == 0 ? MC_CAUSE_PEER_CLOSED : mc_cause_from_errno(errno);
		if (c->state == C_HANDSHAKE || !mc_http_rx_idle(&c->http))
			mc_client__http_failed(w, fd, why, MC_HTTP_CLOSED);
		else
			conn_lost(w, fd, why);
		return;
	}
}

void mc_client__on_readable(struct cli_worker *w, int fd, uint64_t now)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	struct cli_conn *c = &w->conns[fd];
	const uint64_t msg = w->cl->msg_len;

	if (cfg->proto == MC_PROTO_HTTP) {
		http_readable(w, fd, now);
		return;
	}

	for (;;) { /* edge-triggered: read until EAGAIN */
		ssize_t n = recv(fd, w->scratch, SCRATCH_SIZE, 0);
		if (n > 0) {
			uint32_t before = c->acked;
			CNT_ADD(w->c.bytes_in, (uint64_t)n);
			if (cfg->echo_bytes) {
				/* every byte as sent, and none past what was */
				size_t room = c->sent - c->acked, ok;
				ok = mc_client__echo_check(c->idx, c->acked, w->scratch,
							   (size_t)n < room ? (size_t)n : room);
				if (ok < (size_t)n) {
					CNT_ADD(w->c.echo_mismatch, 1);
					c->acked += (uint32_t)ok;
					conn_lost(w, fd, MC_CAUSE_OTHER);
					return;
				}
			}
			/* what a server says unasked (with traffic of ours it
			 * would be our own bytes echoed) */
			if (!cfg->echo_bytes && !cfg->send_len && before == 0)
				mc_client__said_first(w, fd, w->scratch, (size_t)n);
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

/* When fd's message of round r is due: its slot in the sweep of that round. */
static uint64_t due_at(const struct cli_worker *w, uint64_t round, int fd, int span)
{
	uint64_t period = w->cl->cfg->every_ns;

	return w->t0 + round * period + (uint64_t)((double)period * fd / span);
}

/* The sweep goes on to fd target (not included): each open connection on
 * the way sends its message of that round. */
static void sweep_to(struct cli_worker *w, int target, uint64_t round, int span)
{
	for (; w->sweep < target; w->sweep++)
		if (w->conns[w->sweep].state == C_OPEN)
			mc_client__send_msg(w, w->sweep, due_at(w, round, w->sweep, span));
}

bool mc_client__sweep(struct cli_worker *w, uint64_t now)
{
	const struct mc_client_config *cfg = w->cl->cfg;
	uint64_t period = cfg->every_ns, t = now - w->t0;
	uint64_t round = t / period;
	int span = w->max_fd + 1, target;

	if (round > w->sweep_round) { /* finish the last round, start the next */
		sweep_to(w, span, w->sweep_round, span);
		w->sweep = 0;
		w->sweep_round++;
		if (round > w->sweep_round)
			return true;
	}
	target = (int)((double)span * (double)(t % period) / (double)period);
	sweep_to(w, target, round, span);
	return false;
}

bool mc_client__outstanding(struct cli_worker *w)
{
	for (int fd = 0; fd <= w->max_fd; fd++)
		if (w->conns[fd].state == C_OPEN &&
		    (w->cl->cfg->proto == MC_PROTO_HTTP ? !mc_http_rx_idle(&w->conns[fd].http)
							: w->conns[fd].acked < w->conns[fd].sent ||
								  w->conns[fd].want_out))
			return true;
	return false;
}
