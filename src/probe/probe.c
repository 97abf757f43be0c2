/* probe.c: `maxconn probe`, the orchestration (see probe.h): the scene,
 * then for each step its namespace (netns.c), the model's prediction, the
 * addresses, the children (child.c), the ramp and its accounting (ramp.c),
 * the teardown, and the next scenario (staircase.c) until the staircase
 * ends. The probe itself has one thread. */
#include "probe/probe.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/procfs.h"
#include "host/host.h"
#include "net/pool.h"
#include "probe/kmsg.h"
#include "probe/netns.h"
#include "probe/ramp.h"
#include "probe/run.h"
#include "probe/staircase.h"

#define DEFAULT_TIMEOUT (600 * MC_NS_PER_SEC)
#define FIRST_PORT	9000

/* ---- prediction ------------------------------------------------------- */

static enum mc_model limits_model(enum mc_model m)
{
	return m == MC_MODEL_THREADS ? MC_MODEL_THREADS
	       : m == MC_MODEL_URING ? MC_MODEL_URING
				     : MC_MODEL_EPOLL;
}

/* One of the model's ceilings into the step's list (name with a suffix). */
static void add_limit(struct mc_probe_step *st, const struct mc_limits_item *it, const char *suffix,
		      bool binding)
{
	struct mc_probe_limit *l;

	if (st->nlimits >= MC_PROBE_MAX_LIMITS)
		return;
	l = &st->limits[st->nlimits++];
	snprintf(l->id, sizeof(l->id), "%s", it->id);
	snprintf(l->name, sizeof(l->name), "%s%s", it->name, suffix);
	snprintf(l->value, sizeof(l->value), "%s", it->value);
	l->conns = it->conns;
	l->binding = binding;
}

/* --server-pid: the cgroup ceilings of that server (role server, its own
 * cgroup), which the probe's own judgement (role client) cannot see; the
 * lower one binds. snap and res are scratch space. */
static void predict_server_cgroup(const struct mc_probe_config *cfg, struct mc_probe_step *st,
				  struct mc_limits_snap *snap, struct mc_limits_result *res)
{
	static const char *const ids[] = {MC_LIMIT_CGROUP_MEMORY, MC_LIMIT_CGROUP_PIDS};
	struct mc_limits_scenario ls;
	char suffix[48];

	memset(snap, 0, sizeof(*snap));
	mc_limits_read_self(snap);
	snap->pid = cfg->server_pid;
	if (mc_limits_read_pid(NULL, snap) < 0)
		return;
	mc_limits_read(NULL, snap);
	mc_limits_read_sock(snap, false); /* measured by this step's predict() */
	mc_limits_scenario_default(&ls);
	ls.dest_ports = st->sc.dest_ports;
	ls.cg_reserve = cfg->reserve;
	if (mc_limits_judge(snap, &ls, res) < 0)
		return;
	snprintf(suffix, sizeof(suffix), ", of the server (pid %d)", cfg->server_pid);
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		const struct mc_limits_item *it = mc_limits_find(res, ids[k]);
		if (!it || it->kind != MC_LIMITS_CEILING || it->conns == MC_LIMITS_NONE)
			continue;
		add_limit(st, it, suffix, it->conns < st->predicted);
		if (it->conns < st->predicted) {
			for (int i = 0; i < st->nlimits - 1; i++)
				st->limits[i].binding = false;
			st->predicted = it->conns;
			snprintf(st->predicted_limit, sizeof(st->predicted_limit), "%s", it->id);
		}
	}
}

/* The tasks a step starts besides a thread per connection, counted
 * against the thread limits (pids.max, threads-max, pid_max, RLIMIT_NPROC)
 * with --model threads: the server's main and acceptor threads, and the
 * client's main thread and its workers (planned as the client plans them:
 * net/pool.h). */
static uint64_t step_tasks(const struct mc_probe_config *cfg, const struct mc_probe_scenario *sc)
{
	uint64_t conns = sc->target == MC_LIMITS_NONE ? 10000 : sc->target;
	uint64_t room = mc_pool_table_room(sc->fd_limit ? sc->fd_limit : 1024, MC_LIMITS_FD_OVERHEAD);

	if (sc->model != MC_MODEL_THREADS)
		return 0;
	return (cfg->have_target_addr ? 0 : 2) + 1 +
	       mc_pool_plan_fixed(conns, room, sc->one_table ? 1 : 0, mc_pool_ncpu());
}

/* Ask the limits model about this step's scenario (netns: it runs in a
 * namespace of its own; reserve: the MemAvailable kept free); fills st's
 * prediction. */
static void predict(const struct mc_probe_config *cfg, bool netns, uint64_t reserve,
		    struct mc_probe_step *st)
{
	const struct mc_probe_scenario *sc = &st->sc;
	struct mc_limits_snap *snap = calloc(1, sizeof(*snap));
	struct mc_limits_result *res = calloc(1, sizeof(*res));
	struct mc_limits_scenario ls;

	if (!snap || !res)
		goto out;
	mc_limits_read(NULL, snap);
	/* the ruleset and TIME_WAIT of where it runs: a namespace the probe just
	 * made has neither (and a dump of the kernel's sockets walks every
	 * namespace's: not for nothing) */
	if (!netns)
		mc_limits_read_netns(snap);
	else if (snap->netns_child)
		mc_limits_read_globals(snap); /* tcp_mem: one for the host */
	mc_limits_read_self(snap);
	/* --traffic, --heartbeat: their costs measured anew (and kept) */
	mc_limits_read_buf(snap, cfg->traffic_bytes, true);
	mc_limits_read_sock(snap, true);
	if (cfg->heartbeat_ns) {
		mc_limits_read_cpu(snap, cfg->message_bytes ? cfg->message_bytes : 16,
				   limits_model(sc->model), true);
		st->cpu_msgs_per_s = 1e9 / (double)cfg->heartbeat_ns;
		st->cpu_ns_per_msg = !snap->msgcost.measured ? 0
				     : cfg->have_target_addr ? snap->msgcost.client_ns
							     : snap->msgcost.client_ns + snap->msgcost.server_ns;
		st->cpu_left = snap->cpubusy.spun ? snap->cpubusy.avail_cpus : 0;
	}
	if (sc->one_table) {
		snap->nofile_soft.v = sc->fd_limit;
		snap->nofile_soft.err = 0;
	}
	mc_limits_scenario_default(&ls);
	ls.role = cfg->have_target_addr ? MC_LIMITS_CLIENT : MC_LIMITS_BOTH;
	ls.model = limits_model(sc->model);
	ls.sources = sc->sources ? sc->sources : 1;
	ls.dest_ports = sc->dest_ports;
	/* one table per process, or as many as the engines take (up to 4096
	 * workers between the two) */
	ls.fd_tables = sc->one_table ? (cfg->have_target_addr ? 1 : 2) : 4096;
	ls.backlog = sc->backlog;
	ls.mem_reserve = reserve;
	ls.cg_reserve = cfg->reserve; /* 0: 5% of the limit, as the probe keeps */
	ls.tasks = step_tasks(cfg, sc);
	ls.bind_ports = true; /* its client chooses and binds each port */
	ls.traffic = cfg->traffic_bytes;
	ls.heartbeat_ns = cfg->heartbeat_ns;
	ls.message = cfg->message_bytes ? cfg->message_bytes : 16;
	ls.target = sc->target == MC_LIMITS_NONE ? 0 : sc->target;
	if (sc->nat_addrs || sc->proxy_binds) {
		/* --via: the router or proxy the probe builds (topo.h) */
		ls.via = (struct mc_limits_via){.kind = sc->nat_addrs ? MC_LIMITS_VIA_SNAT
								      : MC_LIMITS_VIA_PROXY,
						.addrs = sc->nat_addrs ? sc->nat_addrs
								       : sc->proxy_binds,
						.port_lo = MC_PROBE_VIA_PORT_LO,
						.port_hi = MC_PROBE_VIA_PORT_HI};
		snprintf(ls.via.addrs_text, sizeof(ls.via.addrs_text), "the probe's router");
	}
	mc_limits_judge(snap, &ls, res);

	st->nlimits = 0;
	for (int i = 0; i < res->n; i++)
		if (res->items[i].kind == MC_LIMITS_CEILING &&
		    res->items[i].status != MC_LIMITS_UNKNOWN)
			add_limit(st, &res->items[i], "", i == res->binding);
	st->predicted = res->ceiling;
	snprintf(st->predicted_limit, sizeof(st->predicted_limit), "%s",
		 res->binding >= 0 ? res->items[res->binding].id : "unknown");
	if (cfg->server_pid)
		predict_server_cgroup(cfg, st, snap, res);
	if (sc->target != MC_LIMITS_NONE && sc->target <= st->predicted) {
		st->predicted = sc->target;
		snprintf(st->predicted_limit, sizeof(st->predicted_limit), "target");
	}
out:
	free(snap);
	free(res);
}

/* ---- one step ------------------------------------------------------ */

/* Where the client connects, and from where (netns: in the step's own
 * namespace, where the ports are the probe's to choose). */
static void plan_addresses(const struct mc_probe_config *cfg, bool netns,
			   const struct mc_probe_scenario *sc, struct mc_probe_addrs *a)
{
	struct mc_err err;

	memset(a, 0, sizeof(*a));
	if (cfg->have_target_addr) {
		a->dst[a->ndst++] = cfg->target_addr;
	} else if (netns) {
		struct mc_endpoint_range *d = &a->dst[a->ndst++];
		mc_parse_addr("127.0.0.1", &d->addr, &err);
		d->port_lo = FIRST_PORT;
		d->port_hi = (uint16_t)(FIRST_PORT + sc->dest_ports - 1);
	} else {
		/* the host's loopback: let the kernel pick free ports */
		for (uint64_t i = 0; i < sc->dest_ports && a->ndst < MC_PROBE_MAX_DEST_PORTS; i++) {
			struct mc_endpoint_range *d = &a->dst[a->ndst++];
			mc_parse_addr("127.0.0.1", &d->addr, &err);
			d->port_lo = d->port_hi = 0;
		}
	}
	if (cfg->nsrc) {
		/* --source: the user's addresses, as given */
		for (size_t i = 0; i < cfg->nsrc && i < MC_PROBE_MAX_SOURCES; i++)
			a->src[a->nsrc++] = cfg->src[i];
	} else if (sc->sources) {
		mc_parse_addr("127.0.0.2", &a->src[0].first, &err);
		a->src[0].count = sc->sources;
		a->nsrc = 1;
	}
}

/* What the client is asked to open: the target, or until the first limit
 * a quarter more than the model's ceiling (at least 10,000). */
static uint64_t conns_for(const struct mc_probe_step *st)
{
	uint64_t n = st->sc.target;

	if (n == MC_LIMITS_NONE) {
		n = st->predicted + st->predicted / 4;
		if (n < 10000)
			n = 10000;
	}
	return n > UINT32_MAX ? UINT32_MAX : n;
}

/* What the step's figures grow from, read once its server listens. */
static void take_base(struct mc_probe_ctx *p)
{
	struct mc_probe_base *b = &p->base;
	int pid = mc_probe_server_pid(&p->kids);
	struct mc_proc_pid sp;

	b->server_rss0 = mc_probe_server_rss(&p->kids);
	b->server_socks0 = mc_probe_server_sockets(&p->kids);
	b->server_pte0 = pid > 0 && mc_proc_read_pid(NULL, pid, &sp) == 0 ? sp.pte : 0;
	mc_watch_read(&b->before, true);
	mc_watch_listen_read(&b->before, p->addrs.dst, p->addrs.ndst);
	mc_watch_path_read(&b->before, mc_probe_router(p));
	mc_watch_proxy_log(&b->before, mc_probe_proxy_log(p), UINT64_MAX);
}

/* Ctrl-C came while the step's children started: the step stops there,
 * with nothing held, and is judged like any other. */
static void interrupted_at_start(struct mc_probe_ctx *p, struct mc_probe_step *st,
				 struct mc_probe_obs *o, struct mc_client_stats *cs,
				 struct mc_server_stats *ss)
{
	mc_watch_read(&p->base.before, true);
	o->after = p->base.before;
	mc_probe_account(p, st, o, cs, ss);
}

/* Run one step: namespace, server, client, ramp, stop, judge. The
 * children are left running (mc_probe_children_stop) once the step ran.
 * The step's record is this function's: it writes the scenario's
 * prediction here and hands st to the ramp and its accounting (ramp.h) for
 * the rest. Returns 0, or -errno when the step could not start (err set;
 * nothing left running). */
static int run_step(struct mc_probe_ctx *p, struct mc_probe_report *r, struct mc_probe_step *st,
		    struct mc_err *err)
{
	struct mc_client_stats *cs = calloc(1, sizeof(*cs));
	struct mc_server_stats *ss = calloc(1, sizeof(*ss));
	struct mc_probe_obs *o = calloc(1, sizeof(*o));
	int rc = 0;

	if (!cs || !ss || !o) {
		rc = mc_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (p->netns && (rc = mc_probe_netns_enter(&st->sc, err)) < 0)
		goto out;
	predict(p->cfg, p->netns, p->reserve, st);
	plan_addresses(p->cfg, p->netns, &st->sc, &p->addrs);
	p->conns = conns_for(st);
	/* both ends and the listeners live in the step's namespace */
	if (p->netns && p->cfg->ehash != MC_PROBE_EHASH_SHARED &&
	    (rc = mc_probe_netns_size(&st->sc, 2 * p->conns + st->sc.dest_ports, p->cfg->ehash,
				      &st->ehash, err)) < 0)
		goto out;
	if (p->netns && p->cfg->ehash == MC_PROBE_EHASH_SHARED)
		mc_probe_ehash_unsized(&st->ehash, "the kernel's, shared: --ehash shared");
	else if (!p->netns)
		mc_probe_ehash_unsized(&st->ehash, "the host's: the probe has no namespace of its "
						   "own to size");
	/* the path (--via) once the client's namespace is the step's last:
	 * sizing the hash makes a new one */
	mc_probe_topo_down(&p->topo); /* the step before's */
	p->kids.server_netns = NULL;
	if (st->sc.nat_addrs) {
		if ((rc = mc_probe_topo_up(&p->topo, (int)r->nsteps, st->sc.nat_addrs, err)) < 0)
			goto out;
		mc_probe_topo_addrs(st->sc.sources, st->sc.dest_ports, FIRST_PORT, &p->addrs);
		p->kids.server_netns = p->topo.server;
	} else if (st->sc.proxy_binds) {
		if ((rc = mc_probe_topo_proxy_up(&p->topo, (int)r->nsteps, st->sc.proxy_binds, p->dir,
						 FIRST_PORT, err)) < 0)
			goto out;
		mc_probe_topo_addrs(st->sc.sources, 1, FIRST_PORT, &p->addrs); /* the server's */
		p->kids.server_netns = p->topo.server;
	}

	if (!p->cfg->have_target_addr) {
		if ((rc = mc_probe_children_start_server(&p->kids, &st->sc, &p->addrs, err)) < 0)
			goto stop;
		r->server_pid = mc_probe_children_server_pid(&p->kids);
	}
	if (st->sc.proxy_binds) {
		/* nginx once the server listens; the client connects to it */
		if ((rc = mc_probe_topo_proxy_start(&p->topo, err)) < 0)
			goto stop;
		mc_probe_topo_proxy_addrs(&p->addrs);
	}
	take_base(p);
	mc_probe_cgwatch_start(&p->cgw);
	/* the server host's first reading; Ctrl-C ends the wait */
	rc = mc_probe_remote_before(&p->remote, &(struct mc_probe_remote_watch){.ctl = &p->ctl});
	if (rc < 0 ||
	    (rc = mc_probe_children_start_client(&p->kids, &st->sc, &p->addrs, p->conns, err)) < 0)
		goto stop;

	mc_probe_ramp(p, r, st, o, cs, ss);
	mc_probe_account(p, st, o, cs, ss);
	goto out;
stop:
	mc_probe_children_stop(&p->kids);
	if (rc == -EINTR) {
		/* a signal while the server started */
		p->interrupted = true;
		interrupted_at_start(p, st, o, cs, ss);
		rc = 0;
	}
out:
	free(cs);
	free(ss);
	free(o);
	return rc;
}

/* ---- the whole probe --------------------------------------------------- */

static void scene(struct mc_probe_ctx *p, struct mc_probe_report *r)
{
	struct utsname u;
	struct mc_watch w;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (uname(&u) == 0) {
		char k[sizeof(u.sysname) + sizeof(u.release)];
		snprintf(k, sizeof(k), "%s %s", u.sysname, u.release);
		snprintf(r->kernel, sizeof(r->kernel), "%.*s", (int)sizeof(r->kernel) - 1, k);
	}
	r->cpus = ncpu > 0 ? (unsigned)ncpu : 1;
	mc_watch_read(&w, false);
	r->mem_total = w.meminfo.mem_total.v;
	r->reserve = p->cfg->reserve;
	if (!r->reserve) {
		r->reserve = w.meminfo.mem_total.v / 10;
		if (r->reserve < (1ULL << 30))
			r->reserve = 1ULL << 30;
	}
	p->reserve = r->reserve;
	if (p->cfg->server_pid) {
		r->server_pid = p->cfg->server_pid;
		mc_watch_comm(p->cfg->server_pid, r->server_name, sizeof(r->server_name));
	}
	if (p->cfg->have_target_addr)
		mc_addr_port_str(&p->cfg->target_addr.addr, p->cfg->target_addr.port_lo,
				 r->target_addr, sizeof(r->target_addr));
	/* the memory cgroups kept to their reserve: the report shows the list */
	mc_probe_cgwatch_init(&p->cgw);
	mc_probe_cgwatch_add(&p->cgw, 0, p->cfg->have_target_addr ? "client" : "server and client",
			     p->cfg->reserve, !p->cfg->have_target_addr);
	if (p->cfg->server_pid) {
		char who[48];
		snprintf(who, sizeof(who), "server (pid %d)", p->cfg->server_pid);
		mc_probe_cgwatch_add(&p->cgw, p->cfg->server_pid, who, p->cfg->reserve, false);
	}
	memcpy(r->cg, p->cgw.cg, sizeof(r->cg));
	r->ncg = p->cgw.ncg;
}

/* What the first scenario takes from the host, read where the probe runs
 * (missing files keep the kernel's defaults). */
static void read_host(struct mc_probe_host *h)
{
	struct mc_host_port_range pr;
	struct rlimit rl = {0};

	h->somaxconn = 4096;
	mc_proc_read_u64(NULL, MC_LIMITS_P_SOMAXCONN, &h->somaxconn);
	mc_host_port_range_read(NULL, &pr);
	h->port_lo = pr.err ? 32768 : pr.lo;
	h->port_hi = pr.err ? 60999 : pr.hi;
	getrlimit(RLIMIT_NOFILE, &rl);
	h->nofile = (uint64_t)rl.rlim_cur;
}

int mc_probe_run(const struct mc_probe_config *cfg, struct mc_probe_report *r,
		 struct mc_probe_rest *rest, struct mc_err *err)
{
	struct mc_probe_ctx p = {.cfg = cfg, .kmsg = -1, .sample_ns = MC_PROBE_SAMPLE_NS,
				 .ctl = {.sigfd = -1, .stopfd = -1, .wakefd = -1}};
	struct mc_probe_host host;
	struct mc_probe_scenario sc;
	struct mc_probe_step *last;
	uint64_t t_stop;
	const char *tmp;
	int rc;

	memset(r, 0, sizeof(*r));
	if (rest)
		memset(rest, 0, sizeof(*rest));
	r->samples = calloc(MC_PROBE_MAX_SAMPLES, sizeof(*r->samples));
	if (!r->samples || mc_probe_children_init(&p.kids, cfg, &p.ctl) < 0) {
		mc_probe_children_free(&p.kids);
		return mc_errf(err, -ENOMEM, "out of memory for the probe's samples");
	}
	mc_probe_remote_reads_init(&p.remote, cfg->server_metrics, cfg->nserver_metrics);
	if ((rc = mc_ctl_init(&p.ctl, err)) < 0)
		goto out;
	/* $TMPDIR, as mkdtemp(1) and the C library's tmpfile take it */
	tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(r->tmpdir, sizeof(r->tmpdir), "%s", tmp);
	if (snprintf(p.dir, sizeof(p.dir), "%s/maxconn-probe.XXXXXX", tmp) >= (int)sizeof(p.dir) - 8 ||
	    !mkdtemp(p.dir)) {
		rc = mc_errf(err, -errno, "making a directory under %s (TMPDIR): %s; set TMPDIR to a "
					  "writable directory", tmp, strerror(errno));
		p.dir[0] = '\0';
		goto out;
	}
	snprintf(p.ready, sizeof(p.ready), "%s/ready", p.dir);
	p.kids.ready = p.ready;
	r->staircase = cfg->staircase;
	r->target = cfg->target;
	scene(&p, r);
	p.netns = r->netns = mc_probe_netns_first(cfg, r->where, sizeof(r->where));
	if (!r->netns && cfg->port_lo) {
		rc = mc_errf(err, -EPERM,
			     "--port-range needs a private network namespace (root), which this "
			     "run does not have; drop --port-range or run as root");
		goto out;
	}
	p.kmsg = mc_probe_kmsg_open();
	p.kids.kmsg = p.kmsg;
	p.kids.sub[0] = p.cgw.sub[0];
	p.kids.sub[1] = p.cgw.sub[1];
	p.t0 = mc_now_ns();
	p.deadline = p.t0 + (cfg->timeout_ns ? cfg->timeout_ns : DEFAULT_TIMEOUT);
	read_host(&host);
	host.no_netns = !r->netns;
	mc_probe_first_scenario(cfg, &host, &sc);
	for (;;) {
		struct mc_probe_step *st = &r->steps[r->nsteps++];
		struct mc_probe_scenario next;
		memset(st, 0, sizeof(*st));
		st->sc = sc;
		if ((rc = run_step(&p, r, st, err)) < 0) {
			r->nsteps--;
			if (r->nsteps == 0)
				goto out;
			rc = 0; /* a later step failed to start: report what ran */
			break;
		}
		if (!cfg->staircase || r->nsteps == MC_PROBE_MAX_STEPS || p.interrupted ||
		    p.timed_out ||
		    !mc_probe_lift(st, &next, st->lifted, sizeof(st->lifted)))
			break;
		t_stop = mc_now_ns();
		mc_probe_children_stop(&p.kids);
		st->teardown_s = (double)(mc_now_ns() - t_stop) / 1e9;
		sc = next;
	}
	/* the last step's children: the caller's to end once the reports are
	 * out, or ended here */
	last = &r->steps[r->nsteps - 1];
	if (rest) {
		mc_probe_children_hand_over(&p.kids, &rest->server_pid, &rest->client_pid);
		/* both ends when the server is the probe's own */
		rest->sockets = (rest->server_pid > 0 ? 2 : 1) * last->client_held;
		rest->netns = p.netns;
		/* their child cgroups go once they are gone */
		mc_probe_cgwatch_hand_over(&p.cgw, rest->cgroups);
		last->teardown_s = NAN;
	} else {
		t_stop = mc_now_ns();
		mc_probe_children_stop(&p.kids);
		last->teardown_s = (double)(mc_now_ns() - t_stop) / 1e9;
	}
	if (cfg->server_pid) {
		struct mc_limits_snap *snap = calloc(1, sizeof(*snap));
		if (snap) {
			snap->pid = cfg->server_pid;
			if (mc_limits_read_pid(NULL, snap) == 0 && !snap->nofile_soft.err)
				r->server_fd_limit = snap->nofile_soft.v;
			free(snap);
		}
	}
	rc = 0;
out:
	r->seconds = (double)(mc_now_ns() - p.t0) / 1e9;
	if (p.kmsg >= 0)
		close(p.kmsg);
	if (p.dir[0]) {
		unlink(p.ready);
		rmdir(p.dir);
	}
	mc_probe_remote_reads_free(&p.remote);
	mc_probe_children_free(&p.kids); /* when it failed: no child is left behind */
	/* --via's namespaces: their names go; one whose server was handed
	 * over lives on until that process ends */
	mc_probe_topo_down(&p.topo);
	mc_probe_cgwatch_remove_subs(&p.cgw);
	mc_ctl_close(&p.ctl);
	return rc;
}

/* The teardown's progress: the sockets left in the namespace (sockstat's
 * TCP in use and in TIME_WAIT), or none counted on the host's. */
struct teardown_tick {
	uint64_t t0;
	bool netns;
	mc_probe_progress_fn fn;
	void *arg;
};

static void teardown_tick(void *arg)
{
	struct teardown_tick *t = arg;
	struct mc_host_sockstat s;
	uint64_t left = UINT64_MAX;

	if (t->netns && mc_host_sockstat_read(NULL, &s) == 0 && !s.tcp_inuse.err)
		left = s.tcp_inuse.v + (s.tcp_tw.err ? 0 : s.tcp_tw.v);
	t->fn(t->arg, left, (double)(mc_now_ns() - t->t0) / 1e9);
}

double mc_probe_teardown(struct mc_probe_rest *rest, bool *interrupted, mc_probe_progress_fn fn,
			 void *arg)
{
	uint64_t t0 = mc_now_ns();
	struct teardown_tick tt = {.t0 = t0, .netns = rest->netns, .fn = fn, .arg = arg};
	sigset_t set, old;
	int sfd, ended;

	/* SIGINT and SIGTERM end the wait, not the process: they are taken
	 * through a signalfd of the teardown's own (the run's is closed) */
	mc_ctl_sigset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	ended = mc_probe_children_end(rest->server_pid, rest->client_pid, sfd,
				      fn ? teardown_tick : NULL, &tt);
	*interrupted = ended == 1;
	if (*interrupted) {
		/* the children go on exiting; their cgroups go after them */
		int pids[2] = {rest->server_pid, rest->client_pid};
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) < 0) {
			/* taken: nothing else is pending */
		}
		if (mc_probe_remove_after(pids, 2, rest->cgroups) == 0)
			memset(rest->cgroups, 0, sizeof(rest->cgroups));
	}
	if (sfd >= 0)
		close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	rest->client_pid = rest->server_pid = 0;
	rest->sockets = 0;
	for (int i = 0; i < 2; i++)
		if (rest->cgroups[i][0]) {
			mc_cg_sub_remove(rest->cgroups[i]);
			rest->cgroups[i][0] = '\0';
		}
	return (double)(mc_now_ns() - t0) / 1e9;
}

void mc_probe_report_free(struct mc_probe_report *r)
{
	free(r->samples);
	r->samples = NULL;
	r->nsamples = 0;
}
