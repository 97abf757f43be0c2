/* worker.c: a client worker: its share of the run taken before it starts,
 * its epoll, connection table and scratch buffer, and its loop: each turn the
 * connect ramp (ramp.c), the heartbeat sweep and the drain (traffic.c), then
 * the events, until the run says stop; then it closes what it holds (see
 * worker.h). */
#include "client/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "client/ramp.h"
#include "client/traffic.h"
#include "common/clock.h"
#include "common/counter.h"
#include "net/sock.h"

#define EVENT_BATCH 256

void mc_client__worker_prepare(struct mc_pool_worker *pw)
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

/* The events of one wait, each for the connection it was registered for
 * (a tag of another generation is a closed, maybe reused, fd: dropped).
 * False on the run's stop. */
static bool on_events(struct cli_worker *w, const struct epoll_event *evs, int n, uint64_t now)
{
	for (int i = 0; i < n; i++) {
		uint32_t tag = (uint32_t)(evs[i].data.u64 >> 32);
		uint32_t fd = (uint32_t)evs[i].data.u64;
		struct cli_conn *c;

		if (tag == TAG_STOP)
			return false;
		if (fd >= w->nconns)
			continue;
		c = &w->conns[fd];
		if (c->gen != tag || c->state == C_FREE)
			continue; /* closed (and maybe reused) earlier in this batch */
		if (c->state == C_CONNECTING) {
			mc_client__on_connect_event(w, (int)fd, evs[i].events, now);
			if (c->gen != tag || (c->state != C_OPEN && c->state != C_HANDSHAKE))
				continue;
			/* the same edge may carry data or EOF: fall through */
		}
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			mc_client__on_readable(w, (int)fd, now);
		if (c->gen == tag && (c->state == C_OPEN || c->state == C_HANDSHAKE) && c->want_out &&
		    (evs[i].events & EPOLLOUT))
			mc_client__send_more(w, (int)fd);
	}
	return true;
}

/* The worker's end: account what is still unechoed, then close everything
 * it holds; a connect still in progress stays counted in inflight. */
static void worker_close(struct cli_worker *w)
{
	for (int fd = 0; fd <= w->max_fd && (size_t)fd < w->nconns; fd++) {
		struct cli_conn *c = &w->conns[fd];
		if (c->state == C_OPEN && w->cl->cfg->echo_bytes && c->sent > c->acked)
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
}

void *mc_client__worker_main(void *arg)
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
		mc_client__expire_timeouts(w, now);
		if (!drain && !paused)
			mc_client__start_connects(w, now, &timeout);
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
			if (mc_client__sweep(w, mc_now_ns()))
				timeout = 0;
			if (timeout > 10)
				timeout = 10;
		}
		publish_rtt(w, now);
		if (drain && !atomic_load_explicit(&w->drained, memory_order_relaxed) &&
		    !mc_client__outstanding(w)) {
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
		if (!on_events(w, evs, n, waited))
			break;
	}
	worker_close(w);
	return NULL;
}
