/* steady.c: the steady-state window of a probe step (--window, see
 * steady.h). Once every connection is up and --settle has passed, it
 * snapshots the client's counters and RTT histogram, the server process
 * (/proc/PID/stat, status, task/<tid>/status) and meminfo; --window later
 * it does so again, and the difference is what the held connections cost
 * while they send their heartbeats: messages echoed per second, server CPU
 * per message, the round trips taken in the window only (the earlier
 * histogram subtracted), context switches, threads and memory per
 * connection. */
#include "probe/steady.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "probe/watch.h"

uint64_t mc_probe_window_arm(struct mc_probe_window *w, const struct mc_probe_config *cfg,
			     const struct mc_probe_children *kids,
			     const struct mc_probe_window_base *base, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->kids = kids;
	w->base = *base;
	w->settle_ns = cfg->settle_ns;
	w->heartbeat_ns = cfg->heartbeat_ns;
	w->start_at = now + cfg->settle_ns;
	w->end_at = w->start_at + cfg->window_ns;
	return w->end_at;
}

static void snap(const struct mc_probe_children *kids, uint64_t now,
		 const struct mc_client_stats *cs, const struct mc_server_stats *ss,
		 struct mc_probe_window_snap *s)
{
	int pid = mc_probe_server_pid(kids);
	struct mc_watch w;

	s->t_ns = now;
	s->client_ns = cs->elapsed_ns;
	s->msgs_sent = cs->msgs_sent;
	s->msgs_returned = cs->msgs_returned;
	s->conns = cs->open;
	s->server_held = kids->cfg->have_target_addr ? 0 : ss->held;
	s->rtt = cs->rtt;
	s->server = pid > 0 && mc_proc_read_pid(NULL, pid, &s->proc) == 0;
	s->server_rss = mc_probe_server_rss(kids);
	mc_watch_read(&w, false);
	s->slab_total = w.meminfo.slab_total.v;
	s->kernel_stack = w.meminfo.kernel_stack.v;
}

bool mc_probe_window_poll(struct mc_probe_window *w, uint64_t now,
			  const struct mc_client_stats *cs, const struct mc_server_stats *ss,
			  struct mc_probe_steady *out)
{
	if (!w->start_at || w->done)
		return w->done;
	if (!w->started && now >= w->start_at) {
		snap(w->kids, now, cs, ss, &w->a);
		w->started = true;
	} else if (w->started && now >= w->end_at) {
		snap(w->kids, now, cs, ss, &w->b);
		mc_probe_steady_compute(&w->base, &w->a, &w->b, sysconf(_SC_CLK_TCK),
					w->settle_ns, w->heartbeat_ns, out);
		w->done = true;
	}
	return w->done;
}

/* b - a, or 0 when the counter went back */
static uint64_t grew(uint64_t a, uint64_t b)
{
	return b > a ? b - a : 0;
}

void mc_probe_steady_compute(const struct mc_probe_window_base *base,
			     const struct mc_probe_window_snap *a,
			     const struct mc_probe_window_snap *b, long clk_tck, uint64_t settle_ns,
			     uint64_t heartbeat_ns, struct mc_probe_steady *out)
{
	struct mc_hist rtt; /* 15 KiB */
	double secs = (double)grew(a->t_ns, b->t_ns) / 1e9;
	double csecs = (double)grew(a->client_ns, b->client_ns) / 1e9;
	double held;

	memset(out, 0, sizeof(*out));
	out->ran = true;
	out->seconds = secs;
	out->settle_s = (double)settle_ns / 1e9;
	out->heartbeat_s = (double)heartbeat_ns / 1e9;
	out->conns = b->conns;
	out->held = b->server_held ? b->server_held : b->conns;
	out->msgs = grew(a->msgs_returned, b->msgs_returned);
	/* the counts are the client's, as of its ticks: over its own clock */
	if (csecs <= 0)
		csecs = secs;
	out->msgs_per_s = csecs > 0 ? (double)out->msgs / csecs : 0;
	out->sent_per_s = csecs > 0 ? (double)grew(a->msgs_sent, b->msgs_sent) / csecs : 0;
	rtt = b->rtt;
	if (mc_hist_sub(&rtt, &a->rtt) < 0)
		mc_hist_init(&rtt); /* not one client's histogram: no figure */
	out->rtt_count = rtt.count;
	out->rtt_p50_us = (double)mc_hist_quantile(&rtt, 0.50) / 1e3;
	out->rtt_p99_us = (double)mc_hist_quantile(&rtt, 0.99) / 1e3;
	out->rtt_max_us = rtt.count ? (double)rtt.max / 1e3 : 0;
	out->cpu_ms_per_1k = NAN;
	out->server = a->server && b->server;
	if (out->server) {
		out->cpu_ms = clk_tck > 0 ? (double)grew(a->proc.cpu_ticks, b->proc.cpu_ticks) *
						    1e3 / (double)clk_tck
					  : 0;
		if (out->msgs)
			out->cpu_ms_per_1k = out->cpu_ms / ((double)out->msgs / 1e3);
		out->ctx_per_s =
		    secs > 0 ? (double)grew(a->proc.ctxt_switches, b->proc.ctxt_switches) / secs : 0;
		out->threads = b->proc.threads;
	}
	held = out->held ? (double)out->held : 1;
	out->user_per_conn = (double)grew(base->server_rss, b->server_rss) / held;
	out->slab_per_conn = (double)grew(base->slab_total, b->slab_total) / held;
	out->kstack_pt_per_conn =
	    (double)(grew(base->kernel_stack, b->kernel_stack) +
		     (out->server ? grew(base->server_pte, b->proc.pte) : 0)) /
	    held;
}
