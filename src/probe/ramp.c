/* ramp.c: one step of the probe, from the client's start to its verdict:
 * sampling the host and the children about ten times a second, stopping
 * at the target, the first limit (LIMIT_EVIDENCE failures with a host-limit
 * cause, or the client's ramp over short of it), the memory reserve,
 * Ctrl-C or the deadline, holding at the target for --hold and the
 * steady-state window (steady.c), then the step's figures, its verdict
 * (diagnose.c) and what one connection cost (see ramp.h). */
#include "probe/ramp.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/procfs.h"
#include "limits/limits.h"
#include "net/diag.h"
#include "probe/cpuwatch.h"
#include "probe/kmsg.h"
#include "probe/result.h"
#include "probe/steady.h"

/* failures (or losses) that mean a limit is binding, not a hiccup */
#define LIMIT_EVIDENCE 64
/* How a watched cgroup is kept to its reserve. A ramp charges it a few
 * hundred MB a second, and the probe, one thread among a ramp that keeps
 * every CPU busy, was measured waking up to 95 ms late: 16 MB more than it
 * saw, past a reserve of 5% of a small limit. So its usage is read every
 * CG_CHECK_MS, and once its room is under CG_NEAR times the reserve the
 * client runs in steps of CG_STEP_MS and stays stopped between them
 * (SIGSTOP): however late the probe looks, the cgroup grows by one step. */
#define CG_CHECK_MS 5
#define CG_NEAR	    3
#define CG_STEP_MS  2
/* Once a limit shows, the client starts no more connects and the probe
 * waits until the counts settle: no connect in flight (an overloaded client
 * learns late that connects it started long ago were accepted, and then
 * closed by a full server), no new loss and no change in the server's own
 * count for SETTLE_QUIET. At most SETTLE_MAX, the client's connect
 * timeout: a connect waiting on SYN retransmits may take all of it, and a
 * starved server (redis refusing 2,000 connections under a load average of
 * 90 was still closing them 3 s on) goes on moving its count. */
#define SETTLE_QUIET (500 * MC_NS_PER_MS)
#define SETTLE_MAX   (10 * MC_NS_PER_SEC)
/* At a reserve the client is stopped with handshakes in flight; the
 * kernel completes them without it. A SYN not answered within the
 * kernel's initial retransmission timeout (1 s) was dropped, not delayed:
 * no handshake is waited for longer. */
#define HANDSHAKE_MAX (1 * MC_NS_PER_SEC)

static uint64_t limit_failures(const struct mc_client_stats *c)
{
	uint64_t n = mc_cause_sum(c->lost);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (mc_cause_limit((enum mc_cause)k))
			n += c->fail[k];
	return n;
}

static void add_sample(struct mc_probe_ctx *p, struct mc_probe_report *r,
		       const struct mc_probe_sample *s)
{
	if (r->nsamples == MC_PROBE_MAX_SAMPLES) {
		/* keep every other one and sample half as often */
		for (size_t i = 0; i < r->nsamples / 2; i++)
			r->samples[i] = r->samples[2 * i + 1];
		r->nsamples /= 2;
		p->sample_ns *= 2;
	}
	r->samples[r->nsamples++] = *s;
}

/* MemAvailable counts part of SReclaimable as free to take, but the
 * dentries and inodes of open sockets (~1 KB of their ~4 KB) are pinned
 * until the socket closes: at 2.7M connections here MemAvailable still
 * said 6.4 GiB when about 1 GiB was really left. What the step added to
 * SReclaimable is therefore taken off. */
static void pinned_reclaimable(struct mc_watch *now, const struct mc_watch *before)
{
	uint64_t r = now->meminfo.sreclaimable.v, r0 = before->meminfo.sreclaimable.v;
	uint64_t grew = r > r0 ? r - r0 : 0, *avail = &now->meminfo.mem_available.v;

	*avail = *avail > grew ? *avail - grew : 0;
}

/* Is the socket's local or remote end one of the step's destinations? */
static bool to_dst(const struct mc_probe_addrs *a, const struct mc_addr *ad, uint16_t port)
{
	for (size_t i = 0; i < a->ndst; i++)
		if (port >= a->dst[i].port_lo && port <= a->dst[i].port_hi &&
		    mc_addr_equal(ad, &a->dst[i].addr))
			return true;
	return false;
}

struct client_socks {
	const struct mc_probe_addrs *a;
	uint64_t n;
};

static int client_sock_fn(void *arg, const struct mc_diag_sock *s)
{
	struct client_socks *c = arg;

	/* the client's end: toward a destination, not from one */
	c->n += to_dst(c->a, &s->dst, s->dport) && !to_dst(c->a, &s->src, s->sport);
	return 0;
}

/* The client's sockets toward the step's destinations in state (one of
 * MC_TCP_*), or -1 when they cannot be read. */
static int64_t client_socks(const struct mc_probe_addrs *a, int state)
{
	struct client_socks c = {a, 0};

	return mc_diag_walk(1u << state, client_sock_fn, &c) == 0 ? (int64_t)c.n : -1;
}

/* The client's connections the kernel holds (sock_diag: established, toward
 * a destination): at a reserve the client is stopped mid-ramp, and the
 * handshakes it had in flight complete without it seeing them. So first
 * wait until none is in flight (no SYN_SENT socket of the client's left,
 * or HANDSHAKE_MAX). The kernel tells no bystander when another process's
 * handshake completes, so the count is read again each millisecond: the
 * count ends the wait, the millisecond only paces the looking (one walk of
 * the few SYN_SENT sockets; the established ones are walked once). 0 when
 * they cannot be read. */
static uint64_t kernel_held(const struct mc_probe_addrs *a)
{
	uint64_t end = mc_now_ns() + HANDSHAKE_MAX;
	int64_t n;

	while (client_socks(a, MC_TCP_SYN_SENT) > 0 && mc_now_ns() < end)
		nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
	n = client_socks(a, MC_TCP_ESTABLISHED);
	return n > 0 ? (uint64_t)n : 0;
}

/* Read every watched cgroup (see mc_probe_cgwatch_sample); *near: one is
 * within CG_NEAR reserves. */
static int cg_sample(struct mc_probe_ctx *p, bool full, bool *near)
{
	return mc_probe_cgwatch_sample(&p->cgw, full, CG_NEAR, near);
}

/* Wait until the next sample is due, a signal comes or a watched cgroup's
 * room falls to its reserve (*hit; the client is then stopped). Near the
 * reserve the client runs only CG_STEP_MS at a time (see CG_NEAR). */
static enum mc_ctl_event wait_sample(struct mc_probe_ctx *p, int *hit)
{
	uint64_t end = mc_now_ns() + p->sample_ns;
	enum mc_ctl_event ev;
	bool near;

	*hit = 0;
	if (!p->cgw.ncg)
		return mc_ctl_wait(&p->ctl, (int)(p->sample_ns / MC_NS_PER_MS));
	*hit = cg_sample(p, false, &near);
	for (;;) {
		uint64_t now = mc_now_ns();
		uint64_t left = end > now ? (end - now) / MC_NS_PER_MS : 0;
		int ms = near ? CG_STEP_MS : CG_CHECK_MS;

		if (*hit) {
			mc_probe_children_pause_client(&p->kids, true);
			return MC_CTL_TIMEOUT;
		}
		if (near)
			mc_probe_children_pause_client(&p->kids, false);
		ev = mc_ctl_wait(&p->ctl, left < (uint64_t)ms ? (int)left : ms);
		if (near)
			mc_probe_children_pause_client(&p->kids, true);
		*hit = cg_sample(p, false, &near);
		if (ev == MC_CTL_SIGNAL || *hit || mc_now_ns() >= end)
			break;
	}
	if (!*hit)
		mc_probe_children_pause_client(&p->kids, false);
	return ev;
}

/* Whether the counts have settled at time t (see SETTLE_QUIET): no
 * connect in flight, no loss for a while, and the server's own count (with
 * --server-pid) up to the client's or still for a while. The last values
 * and when they moved are kept in *lost_n, *lost_at, *srv_n, *srv_at. */
static bool settled(const struct mc_probe_ctx *p, const struct mc_probe_step *st,
		    const struct mc_client_stats *cs, uint64_t t, uint64_t *lost_n,
		    uint64_t *lost_at, int64_t *srv_n, uint64_t *srv_at)
{
	uint64_t lost = mc_cause_sum(cs->lost);
	int64_t srv0 = p->base.server_socks0;
	int64_t srv = srv0 >= 0 ? mc_probe_server_sockets(&p->kids) : -1;
	bool all = cs->open >= st->sc.target;

	if (lost != *lost_n || !*lost_at) {
		*lost_n = lost;
		*lost_at = t;
	}
	if (srv != *srv_n || !*srv_at) {
		*srv_n = srv;
		*srv_at = t;
	}
	if (cs->inflight)
		return false;
	/* every connection came, none was lost and the server (when it is
	 * counted) holds them all: nothing to wait for */
	if (all && !lost && (srv < 0 || srv - srv0 >= (int64_t)cs->open))
		return true;
	/* else the server's count (it may still be accepting, or closing
	 * what it refuses) and the losses must both stand still */
	return t - *lost_at >= SETTLE_QUIET && (srv < 0 || t - *srv_at >= SETTLE_QUIET);
}

/* Arm the steady-state window at t, against the step's base. */
static uint64_t window_arm(const struct mc_probe_ctx *p, struct mc_probe_window *w, uint64_t t)
{
	const struct mc_probe_window_base base = {
		.slab_total = p->base.before.meminfo.slab_total.v,
		.kernel_stack = p->base.before.meminfo.kernel_stack.v,
		.server_rss = p->base.server_rss0,
		.server_pte = p->base.server_pte0,
	};

	return mc_probe_window_arm(w, p->cfg, &p->kids, &base, t);
}

/* While the server host's pages at the top come, the reserve is kept as
 * in the ramp (w->stop: freeze and end the wait). */
static bool top_reserve(void *arg)
{
	struct mc_probe_ctx *p = arg;
	struct mc_watch now;

	mc_watch_read(&now, false);
	pinned_reclaimable(&now, &p->base.before);
	if (p->kids.frozen || !now.meminfo.mem_available.v ||
	    now.meminfo.mem_available.v > p->reserve)
		return false;
	mc_probe_children_freeze(&p->kids);
	return true;
}

/* The server host's reading at the top, as fresh as the stop asks, with
 * Ctrl-C and the reserve watched while it comes. */
static void top_reading(struct mc_probe_ctx *p, struct mc_probe_obs *o, bool short_of_target)
{
	const struct mc_probe_remote_watch w = {&p->ctl, top_reserve, p};
	int rc = mc_probe_remote_top(&p->remote,
				     p->interrupted	? MC_PROBE_REMOTE_LATEST
				     : short_of_target ? MC_PROBE_REMOTE_PUBLISH
						       : MC_PROBE_REMOTE_ROUND,
				     &w);

	p->interrupted |= rc == -EINTR;
	o->reserve_hit |= rc == -ECANCELED;
}

/* --traffic: the ramp stops once TCP buffer memory (sockstat mem, one count
 * for the whole host) reaches this share of tcp_mem max: before the kernel
 * refuses buffer memory to every socket on the host, and within a sample's
 * growth (about 3% at 40k connects/s x 20 KiB) of it. */
#define TCP_MEM_STOP_PCT 97

/* net.ipv4.tcp_mem (pages; global: from the initial namespace when the
 * probe is in its step's) as bytes in o: false when it cannot be read (the
 * probe then does not watch it). */
static bool tcp_mem_read(struct mc_probe_obs *o)
{
	struct mc_limits_snap *s = calloc(1, sizeof(*s));
	long ps = sysconf(_SC_PAGESIZE);
	bool ok;

	if (!s)
		return false;
	mc_limits_read_globals(s);
	ok = !s->globals_err && ps > 0 && s->tcp_mem[2].v;
	if (ok) {
		o->tcp_mem_pressure = s->tcp_mem[1].v * (uint64_t)ps;
		o->tcp_mem_max = s->tcp_mem[2].v * (uint64_t)ps;
	}
	free(s);
	return ok;
}

/* At a sample: has TCP buffer memory come to TCP_MEM_STOP_PCT of max? */
static bool tcp_mem_near(struct mc_probe_obs *o, const struct mc_watch *now)
{
	long ps = sysconf(_SC_PAGESIZE);

	if (!o->tcp_mem_max || now->sockstat.err || now->sockstat.tcp_mem_pages.err || ps <= 0)
		return false;
	o->tcp_mem_bytes = now->sockstat.tcp_mem_pages.v * (uint64_t)ps;
	return o->tcp_mem_bytes >= o->tcp_mem_max / 100 * TCP_MEM_STOP_PCT;
}

void mc_probe_ramp(struct mc_probe_ctx *p, struct mc_probe_report *r, struct mc_probe_step *st, struct mc_probe_obs *o,
		   struct mc_client_stats *cs, struct mc_server_stats *ss)
{
	const uint64_t step_t0 = mc_now_ns();
	uint64_t last = step_t0, last_est = 0, held_at = 0, hold_until = 0, settle_until = 0;
	uint64_t lost_n = 0, lost_at = 0, srv_at = 0, peak_held = 0;
	int64_t srv_n = -1;
	struct mc_watch now;
	struct mc_probe_window *win = NULL;
	bool peak = false, near_end;
	bool watch_tcp_mem = p->cfg->traffic_bytes && tcp_mem_read(o);
	/* --heartbeat: the CPU's limit as the heartbeats feel it */
	struct mc_probe_cpuwatch *cpu = p->cfg->heartbeat_ns ? malloc(sizeof(*cpu)) : NULL;

	if (cpu)
		mc_probe_cpuwatch_init(cpu, p->cfg->max_rtt_ns ? p->cfg->max_rtt_ns
							       : p->cfg->heartbeat_ns);

	for (;;) {
		struct mc_probe_sample smp = {0};
		bool near;
		int hit;
		enum mc_ctl_event ev = wait_sample(p, &hit);
		uint64_t t = mc_now_ns();
		bool fails;

		if (ev == MC_CTL_SIGNAL) {
			p->interrupted = true;
			break;
		}
		if (hit || (hit = cg_sample(p, true, &near))) {
			/* stop the ramp where it is, then take the figures */
			mc_probe_children_freeze(&p->kids);
			o->cg_hit = hit;
			break;
		}
		mc_probe_children_client_counts(&p->kids, cs);
		mc_probe_children_server_counts(&p->kids, ss);
		mc_watch_read(&now, false);
		pinned_reclaimable(&now, &p->base.before);
		smp.t = (double)(t - p->t0) / 1e9;
		smp.step = r->nsteps - 1;
		smp.held = cs->open;
		peak_held = smp.held > peak_held ? smp.held : peak_held;
		smp.server_held = p->cfg->have_target_addr ? 0 : ss->held;
		smp.rate = t > last ? (double)(cs->established - last_est) / ((double)(t - last) / 1e9)
				    : 0;
		smp.kernel_bytes = mc_host_kernel_bytes(&now.meminfo) -
				   mc_host_kernel_bytes(&p->base.before.meminfo);
		if (smp.kernel_bytes > (1ULL << 62))
			smp.kernel_bytes = 0; /* memory freed elsewhere meanwhile */
		smp.user_bytes = (cs->rss > cs->rss_base ? cs->rss - cs->rss_base : 0) +
				 (p->cfg->have_target_addr ? 0
				  : ss->rss > ss->rss_base ? ss->rss - ss->rss_base
							   : 0);
		smp.mem_available = now.meminfo.mem_available.v;
		last = t;
		last_est = cs->established;
		add_sample(p, r, &smp);
		if (p->cfg->tick)
			p->cfg->tick(p->cfg->tick_arg, r, &smp);
		if (p->cfg->observe)
			p->cfg->observe(p->cfg->tick_arg, cs, p->cfg->have_target_addr ? NULL : ss,
					&smp, mc_probe_remote_live(&p->remote));

		if (mc_probe_children_client_finished(&p->kids) && cs->ramp_done)
			break; /* every connect failed: the client had nothing to hold */
		if (mc_probe_children_ended(&p->kids, false, o->child_error, sizeof(o->child_error)) ||
		    (!p->cfg->have_target_addr &&
		     mc_probe_children_ended(&p->kids, true, o->child_error, sizeof(o->child_error)))) {
			o->child_failed = true;
			/* what was held before it ended, not what is left as the
			 * client drained while the child died (a process closing
			 * 50k sockets takes a few samples to be reaped) */
			o->child_held = peak_held;
			break;
		}
		if (now.meminfo.mem_available.v && now.meminfo.mem_available.v <= p->reserve) {
			mc_probe_children_freeze(&p->kids);
			o->reserve_hit = true;
			break;
		}
		if (t > p->deadline) {
			p->timed_out = true;
			break;
		}
		fails = limit_failures(cs) >= LIMIT_EVIDENCE;
		if (watch_tcp_mem && !o->tcp_mem_hit)
			o->tcp_mem_hit = tcp_mem_near(o, &now);
		if (cpu && !o->cpu_hit && !held_at && mc_probe_cpuwatch_sample(cpu, cs)) {
			o->cpu_hit = true;
			o->cpu = *cpu;
		}
		if (cs->open >= st->sc.target || (cs->ramp_done && cs->inflight == 0) || fails ||
		    o->tcp_mem_hit || o->cpu_hit) {
			if (!held_at) {
				held_at = t;
				/* the memory figures at the top, before --hold lets the
				 * rest of the host move them */
				mc_watch_read(&o->after, true);
				mc_watch_listen_read(&o->after, p->addrs.dst, p->addrs.ndst);
				mc_watch_path_read(&o->after, mc_probe_router(p));
				mc_watch_proxy_log(&o->after, mc_probe_proxy_log(p),
						   p->base.before.plog_size);
				pinned_reclaimable(&o->after, &p->base.before);
				peak = true;
				/* hold the connections as asked only when all came */
				hold_until = cs->open >= st->sc.target ? t + p->cfg->hold_ns : t;
				settle_until = t + SETTLE_MAX;
				/* a limit: no more connects while the counts settle */
				if (cs->open < st->sc.target)
					mc_probe_children_stop_connects(&p->kids);
				/* all came: the window, if asked, within the hold */
				if (cs->open >= st->sc.target && p->cfg->window_ns &&
				    (win = malloc(sizeof(*win)))) {
					uint64_t end = window_arm(p, win, t);
					hold_until = end > hold_until ? end : hold_until;
				}
			}
			if (win)
				mc_probe_window_poll(win, t, cs, ss, &st->steady);
			if (t >= hold_until && (settled(p, st, cs, t, &lost_n, &lost_at, &srv_n,
							 &srv_at) ||
						t >= settle_until))
				break;
		}
	}
	/* the figures at the top, before anything is closed */
	if (!peak) {
		mc_watch_read(&o->after, true);
		mc_watch_listen_read(&o->after, p->addrs.dst, p->addrs.ndst);
				mc_watch_path_read(&o->after, mc_probe_router(p));
				mc_watch_proxy_log(&o->after, mc_probe_proxy_log(p),
						   p->base.before.plog_size);
		pinned_reclaimable(&o->after, &p->base.before);
	}
	top_reading(p, o, cs->open < st->sc.target);
	cg_sample(p, true, &near_end);
	memcpy(o->cg_after, p->cgw.now, sizeof(o->cg_after));
	/* stopped at a reserve: the client is stopped, its count lags */
	p->kernel_held = p->kids.frozen ? kernel_held(&p->addrs) : 0;
	mc_probe_children_client_counts(&p->kids, cs);
	/* (stopped children publish nothing more) */
	if (!p->cfg->have_target_addr && cs->open < st->sc.target && !p->interrupted &&
	    !p->kids.frozen)
		mc_probe_children_fresh_server_tick(&p->kids);
	mc_probe_children_server_counts(&p->kids, ss);
	st->seconds = (double)((held_at ? held_at : mc_now_ns()) - step_t0) / 1e9;
	/* all came: the client's own clock, finer than the samples' */
	if (cs->open >= st->sc.target && cs->ramp_ns)
		st->seconds = (double)cs->ramp_ns / 1e9;
	free(win);
	free(cpu);
}

/* An epoll watch's two objects, its item and its wait-queue entry, in one
 * of struct mc_host_slab_bytes' arrays (obj[] or used[]). */
static uint64_t epoll_bytes(const uint64_t *v)
{
	return v[MC_HOST_SLAB_EPOLL_EPI] + v[MC_HOST_SLAB_EPOLL_PWQ];
}

/* The TCP sockets' objects (TCP and TCPv6): one per socket. */
static int64_t tcp_objs(const struct mc_host_slab_bytes *s)
{
	return (int64_t)s->active[MC_HOST_SLAB_TCP] + (int64_t)s->active[MC_HOST_SLAB_TCPV6];
}

/* Kernel bytes per socket when other work on this kernel moved the socket
 * caches by more than the probe's sockets did (their growth, and
 * meminfo's, is not the probe's): one object of each cache per socket, at
 * the caches' object sizes; an epoll item for the client's end, and for
 * the server's with the epoll model. */
static void by_object_size(const struct mc_probe_config *cfg, const struct mc_host_slab_bytes *a,
			   struct mc_probe_slab *sl)
{
	bool v6 = cfg->have_target_addr && cfg->target_addr.addr.family == AF_INET6;
	bool srv_epoll = !cfg->have_target_addr && cfg->model == MC_MODEL_EPOLL;

	sl->from = MC_PROBE_KMEM_OBJECTS;
	sl->tcp = (double)a->obj[v6 ? MC_HOST_SLAB_TCPV6 : MC_HOST_SLAB_TCP];
	sl->sock_inode = (double)a->obj[MC_HOST_SLAB_SOCK_INODE];
	sl->dentry = (double)a->obj[MC_HOST_SLAB_DENTRY];
	sl->filp = (double)a->obj[MC_HOST_SLAB_FILP];
	sl->epoll = (double)epoll_bytes(a->obj) * (srv_epoll ? 1.0 : 0.5);
	sl->other = 0;
	sl->total = sl->tcp + sl->sock_inode + sl->dentry + sl->filp + sl->epoll;
}

/* What a figure grew by from b to a, per socket of n (0 when it shrank). */
static double grew_per(uint64_t b, uint64_t a, double n)
{
	return (a > b ? (double)(a - b) : 0) / n;
}

/* The projection and the per-connection costs of a step. Kernel bytes per
 * socket: the growth of the socket slab caches, or of meminfo's Slab +
 * KernelStack + PageTables when that is larger (it also covers thread
 * stacks and bind buckets, but it is host-wide, so other work can move it
 * either way). */
static void costs(struct mc_probe_ctx *p, struct mc_probe_step *st, const struct mc_probe_obs *o,
		  const struct mc_client_stats *cs, uint64_t server_rss)
{
	const struct mc_host_slab_bytes *a = &o->after.slab, *b = &o->before.slab;
	uint64_t kb = mc_host_kernel_bytes(&o->after.meminfo);
	uint64_t kb0 = mc_host_kernel_bytes(&o->before.meminfo);
	uint64_t avail = o->after.meminfo.mem_available.v;
	double n = 2.0 * (double)st->reached, mem, caches, per;
	struct mc_probe_slab *sl = &st->slab;

	if (!st->reached)
		return;
#define D(id) grew_per(b->used[MC_HOST_SLAB_##id], a->used[MC_HOST_SLAB_##id], n)
	sl->known = !a->err && !b->err;
	sl->sockets = 2 * st->reached;
	sl->tcp = D(TCP) + D(TCPV6);
	sl->sock_inode = D(SOCK_INODE);
	sl->dentry = D(DENTRY);
	sl->filp = D(FILP);
#undef D
	sl->epoll = grew_per(epoll_bytes(b->used), epoll_bytes(a->used), n);
	sl->tcp_objs_grew = tcp_objs(a) - tcp_objs(b);
	if (sl->known && !mc_probe_slab_growth_is_ours(sl->tcp_objs_grew, st->reached)) {
		by_object_size(p->cfg, a, sl);
	} else {
		caches = sl->tcp + sl->sock_inode + sl->dentry + sl->filp + sl->epoll;
		mem = kb > kb0 ? (double)(kb - kb0) / n : 0;
		/* without /proc/slabinfo (not root) the caches read 0: that is
		 * not known to be 0; meminfo's growth is then the figure, and
		 * when it did not grow either (other work freed as much) there
		 * is none */
		sl->from = sl->known ? MC_PROBE_KMEM_SLABINFO
			   : mem > 0 ? MC_PROBE_KMEM_MEMINFO
				     : MC_PROBE_KMEM_UNKNOWN;
		sl->total = mem > caches ? mem : caches;
		sl->other = sl->total - caches;
	}
	st->user_per_conn_client =
	    cs->rss > cs->rss_base ? (double)(cs->rss - cs->rss_base) / (double)st->reached : 0;
	if (server_rss)
		st->user_per_conn_server =
		    server_rss > p->base.server_rss0
			? (double)(server_rss - p->base.server_rss0) / (double)st->reached
			: 0;
	for (int i = 0; i < o->ncg && i < MC_PROBE_MAX_CG; i++) {
		const struct mc_cg_mem *ca = &o->cg_after[i], *cb = &o->cg_before[i];
		/* the charge the kernel cannot take back: usage less inactive file */
		double x = (double)ca->usage - (double)ca->inactive_file;
		double y = (double)cb->usage - (double)cb->inactive_file;
		st->cg_per_conn[i] = x > y ? (x - y) / (double)st->reached : 0;
		st->cg_room_end[i] = mc_cg_mem_room(ca);
	}
	mc_probe_cgwatch_per_side(&p->cgw, st->reached, &st->cg_accept, &st->cg_connect);
	st->mem_available_end = avail;
	per = 2 * sl->total + st->user_per_conn_server + st->user_per_conn_client;
	if (sl->from == MC_PROBE_KMEM_UNKNOWN) {
		st->more_conns = MC_LIMITS_NONE; /* unknown: no projection */
		return;
	}
	st->more_conns = per > 0 && avail > p->reserve
				 ? (uint64_t)((double)(avail - p->reserve) / per)
				 : 0;
}

/* What the run is, as the kernel log names it: the probe, its server and
 * client (and --server-pid), the cgroups it watches and made, its server's
 * ports. */
static void kmsg_own(const struct mc_probe_ctx *p, struct mc_probe_kmsg_own *own)
{
	int pids[] = {(int)getpid(), mc_probe_server_pid(&p->kids), p->kids.client.pid};
	/* the pids cgroup from its mount (its root: "", no one's) */
	const char *cgs[] = {p->cgw.sub[0], p->cgw.sub[1],
			     p->cgw.pids.version ? p->cgw.pids.dir + p->cgw.pids.top : ""};

	memset(own, 0, sizeof(*own));
	own->related = mc_probe_kmsg_related;
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++)
		if (pids[i] > 0)
			own->pid[own->npid++] = pids[i];
	for (int i = 0; i < p->cgw.ncg && own->ncg < MC_PROBE_KMSG_CGS; i++)
		own->cg[own->ncg++] = p->cgw.cg[i].dir;
	for (size_t i = 0; i < sizeof(cgs) / sizeof(cgs[0]); i++)
		if (cgs[i][0] && own->ncg < MC_PROBE_KMSG_CGS)
			own->cg[own->ncg++] = cgs[i];
	for (size_t i = 0; i < p->addrs.ndst && own->nport < MC_PROBE_KMSG_PORTS; i++)
		for (unsigned q = p->addrs.dst[i].port_lo;
		     q <= p->addrs.dst[i].port_hi && own->nport < MC_PROBE_KMSG_PORTS; q++)
			own->port[own->nport++] = (uint16_t)q;
}

static void obs_from(struct mc_probe_ctx *p, struct mc_probe_obs *o, const struct mc_probe_step *st,
		     const struct mc_client_stats *cs, const struct mc_server_stats *ss)
{
	struct mc_probe_kmsg_own own;
	struct mc_probe_kmsg_lines kl = {.line = o->kmsg, .max = MC_PROBE_MAX_KMSG};

	o->target = st->sc.target;
	o->held = cs->open;
	o->attempted = cs->attempted;
	memcpy(o->fail, cs->fail, sizeof(o->fail));
	memcpy(o->lost, cs->lost, sizeof(o->lost));
	snprintf(o->first_error, sizeof(o->first_error), "%s", cs->first_error);
	memcpy(o->cause_error, cs->cause_error, sizeof(o->cause_error));
	o->nsaid = cs->nsaid < MC_CLIENT_SAID_MAX ? cs->nsaid : MC_CLIENT_SAID_MAX;
	memcpy(o->said, cs->said, sizeof(o->said));
	o->reached = st->reached;
	o->reached_server = st->reached_server;
	o->cli_stalls = cs->stalls;
	o->cli_stall_max_ns = cs->stall_max_ns;
	o->cli_connects_late = cs->connects_late;
	o->have_server = !p->cfg->have_target_addr;
	if (o->have_server) {
		o->srv_held = ss->held;
		memcpy(o->srv_refused, ss->refused, sizeof(o->srv_refused));
		o->srv_thread_errno = ss->thread_errno;
		snprintf(o->srv_thread_limit, sizeof(o->srv_thread_limit), "%s", ss->thread_limit);
		if (st->sc.model == MC_MODEL_THREADS) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/maps",
				 mc_probe_children_server_pid(&p->kids));
			if (mc_proc_count_lines(NULL, path, &o->srv_maps) < 0)
				o->srv_maps = 0;
			if (mc_proc_read_u64(NULL, "/proc/sys/vm/max_map_count", &o->max_map_count) < 0)
				o->max_map_count = 0;
		}
	}
	o->srv_fd_limit = st->sc.one_table ? st->sc.fd_limit : 0;
	o->srv_before = &p->remote.before;
	o->srv_after = &p->remote.after;
	o->srv_host = &st->srv_host;
	o->srv_one_table = st->sc.one_table;
	o->before = p->base.before;
	o->reserve = p->reserve;
	o->router_netns = mc_probe_router(p);
	o->have_pids = mc_probe_cgwatch_pids(&p->cgw, &o->pids_max, &o->pids_refused_after);
	o->pids_refused_before = p->cgw.pids_refused0;
	o->ncg = p->cgw.ncg;
	memcpy(o->cg, p->cgw.cg, sizeof(o->cg));
	memcpy(o->cg_before, p->cgw.before, sizeof(o->cg_before));
	o->interrupted = p->interrupted;
	o->stop_signal = p->ctl.signo;
	o->timed_out = p->timed_out;
	kmsg_own(p, &own);
	mc_probe_kmsg_read(p->kmsg, &own, &kl);
	o->nkmsg = kl.n;
	o->kmsg_other = kl.other;
	o->kmsg_left = kl.left;
}


void mc_probe_account(struct mc_probe_ctx *p, struct mc_probe_step *st, struct mc_probe_obs *o,
		      const struct mc_client_stats *cs, const struct mc_server_stats *ss)
{
	uint64_t server_rss = mc_probe_server_rss(&p->kids);
	int64_t socks0 = p->base.server_socks0;
	int64_t socks = socks0 >= 0 ? mc_probe_server_sockets(&p->kids) : -1;

	st->client_held = cs->open;
	st->reached = cs->open;
	if (socks >= 0) {
		/* what the server itself holds: its sockets less those it had */
		st->reached = socks > socks0 ? (uint64_t)(socks - socks0) : 0;
		st->reached_server = true;
	}
	/* stopped at a reserve, the client stopped mid-ramp: what the kernel
	 * holds, the handshakes in flight completed included (each was charged
	 * like the others); a server counted by its own sockets is exact */
	if (socks < 0 && p->kernel_held > st->reached)
		st->reached = p->kernel_held;
	/* the CPU: the last count at which the heartbeats kept their schedule */
	if (o->cpu_hit && o->cpu.good_held && o->cpu.good_held < st->reached)
		st->reached = o->cpu.good_held;
	/* a child ended: the figure from before, not after the drain */
	if (socks < 0 && o->child_failed && o->child_held > st->reached)
		st->reached = o->child_held;
	if (st->sc.proxy_binds && !o->child_failed) {
		/* through the probe's nginx the client holds connections nginx
		 * accepted and is about to close: the server's own count */
		st->reached = ss->held;
		st->reached_server = true;
	}
	st->attempted = cs->attempted;
	st->rate = st->seconds > 0 ? (double)cs->established / st->seconds : 0;
	st->diff_pct = st->predicted
			       ? 100.0 * ((double)st->reached - (double)st->predicted) /
					 (double)st->predicted
			       : NAN;
	mc_probe_remote_account(&p->remote, st);
	obs_from(p, o, st, cs, ss);
	mc_probe_diagnose(o, st);
	costs(p, st, o, cs, server_rss);
}
