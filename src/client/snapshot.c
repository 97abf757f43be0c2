/* snapshot.c: the run's figures: each worker's counters read as they stand
 * (while it runs, for the ticks) or whole (once joined), merged into one
 * mc_client_stats with the run's own (ports, peak, times); the TIME_WAIT
 * words of a first EADDRNOTAVAIL; and the public merge of two stats (see
 * snapshot.h, client.h). */
#include "client/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/said.h"
#include "client/worker.h"
#include "common/clock.h"
#include "common/counter.h"
#include "common/procfs.h"
#include "net/diag.h"

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
	dst->http_responses += src->http_responses;
	for (int k = 0; k < MC_HTTP_FAIL_COUNT; k++)
		dst->http_fail[k] += src->http_fail[k];
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
		mc_client__said_add(dst, src->said[i].cause, src->said[i].bytes, src->said[i].len,
				    src->said[i].conns);
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
	st->http_responses = CNT_GET(c->http_responses);
	for (int k = 0; k < MC_HTTP_FAIL_COUNT; k++)
		st->http_fail[k] = CNT_GET(c->http_fail[k]);
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
		st->said[i] = w->said[i];
		st->said[i].conns = CNT_GET(w->said_conns[i]);
	}
}

void mc_client__time_wait_words(struct client *cl, struct mc_client_stats *out)
{
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++) {
		const struct cli_worker *w = mc_client__worker_at(cl, i);
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

void mc_client__collect(struct client *cl, struct mc_client_stats *st, bool hists)
{
	struct mc_client_stats *one = malloc(sizeof(*one));

	memset(st, 0, sizeof(*st));
	mc_hist_init(&st->connect_lat);
	mc_hist_init(&st->rtt);
	mc_hist_init(&st->connect_queue);
	st->requested = cl->cfg->conns;
	st->ramp_done = true;
	for (unsigned i = 0; one && i < mc_pool_count(&cl->pool); i++) {
		worker_snapshot(mc_client__worker_at(cl, i), one, hists);
		mc_client_stats_merge(st, one);
	}
	free(one);
	st->open_peak = atomic_load(&cl->open_peak);
	st->workers = mc_pool_count(&cl->pool);
	st->private_fd_tables = cl->private_tables;
	st->elapsed_ns = mc_now_ns() - cl->t0;
	st->port_select = cl->cfg->port_select;
	st->proto = cl->cfg->proto;
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
