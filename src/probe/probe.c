/* probe.c: `maxconn probe`, the orchestration (see probe.h): the scene,
 * then for each step its namespace (netns.c), the model's prediction, the
 * addresses, the children (child.c), the ramp and its accounting (ramp.c),
 * the teardown, and the next scenario (staircase.c) until the staircase
 * ends. The probe itself has one thread. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/procfs.h"
#include "host/host.h"
#include "net/pool.h"
#include "probe/child.h"
#include "probe/netns.h"
#include "probe/ramp.h"
#include "probe/remote.h"
#include "probe/staircase.h"
#include "probe/steady.h"

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
static void predict_server_cgroup(struct mc_probe_ctx *p, struct mc_probe_step *st,
				  struct mc_limits_snap *snap, struct mc_limits_result *res)
{
	static const char *const ids[] = {MC_LIMIT_CGROUP_MEMORY, MC_LIMIT_CGROUP_PIDS};
	struct mc_limits_scenario ls;
	char suffix[48];

	memset(snap, 0, sizeof(*snap));
	mc_limits_read_self(snap);
	snap->pid = p->cfg->server_pid;
	if (mc_limits_read_pid(NULL, snap) < 0)
		return;
	mc_limits_read(NULL, snap);
	mc_limits_scenario_default(&ls);
	ls.dest_ports = st->sc.dest_ports;
	ls.cg_reserve = p->cfg->reserve;
	if (mc_limits_judge(snap, &ls, res) < 0)
		return;
	snprintf(suffix, sizeof(suffix), ", of the server (pid %d)", p->cfg->server_pid);
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
static uint64_t step_tasks(const struct mc_probe_ctx *p, const struct mc_probe_scenario *sc)
{
	uint64_t conns = sc->target == MC_LIMITS_NONE ? 10000 : sc->target;
	uint64_t room = mc_pool_table_room(sc->fd_limit ? sc->fd_limit : 1024, MC_LIMITS_FD_OVERHEAD);

	if (sc->model != MC_MODEL_THREADS)
		return 0;
	return (p->cfg->have_target_addr ? 0 : 2) + 1 +
	       mc_pool_plan_fixed(conns, room, sc->one_table ? 1 : 0, mc_pool_ncpu());
}

/* Ask the limits model about this step's scenario. */
static void predict(struct mc_probe_ctx *p, struct mc_probe_step *st)
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
	if (!p->r->netns)
		mc_limits_read_netns(snap);
	mc_limits_read_self(snap);
	if (sc->one_table) {
		snap->nofile_soft.v = sc->fd_limit;
		snap->nofile_soft.err = 0;
	}
	mc_limits_scenario_default(&ls);
	ls.role = p->cfg->have_target_addr ? MC_LIMITS_CLIENT : MC_LIMITS_BOTH;
	ls.model = limits_model(sc->model);
	ls.sources = sc->sources ? sc->sources : 1;
	ls.dest_ports = sc->dest_ports;
	/* one table per process, or as many as the engines take (up to 4096
	 * workers between the two) */
	ls.fd_tables = sc->one_table ? (p->cfg->have_target_addr ? 1 : 2) : 4096;
	ls.backlog = sc->backlog;
	ls.mem_reserve = p->r->reserve;
	ls.cg_reserve = p->cfg->reserve; /* 0: 5% of the limit, as the probe keeps */
	ls.tasks = step_tasks(p, sc);
	ls.bind_ports = true; /* its client chooses and binds each port */
	ls.target = sc->target == MC_LIMITS_NONE ? 0 : sc->target;
	mc_limits_judge(snap, &ls, res);

	st->nlimits = 0;
	for (int i = 0; i < res->n; i++)
		if (res->items[i].kind == MC_LIMITS_CEILING &&
		    res->items[i].status != MC_LIMITS_UNKNOWN)
			add_limit(st, &res->items[i], "", i == res->binding);
	st->predicted = res->ceiling;
	snprintf(st->predicted_limit, sizeof(st->predicted_limit), "%s",
		 res->binding >= 0 ? res->items[res->binding].id : "unknown");
	if (p->cfg->server_pid)
		predict_server_cgroup(p, st, snap, res);
	if (sc->target != MC_LIMITS_NONE && sc->target <= st->predicted) {
		st->predicted = sc->target;
		snprintf(st->predicted_limit, sizeof(st->predicted_limit), "target");
	}
out:
	free(snap);
	free(res);
}

/* ---- one step ------------------------------------------------------ */

/* Where the client connects, and from where. */
static void plan_addresses(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc)
{
	struct mc_err err;

	p->ndst = 0;
	if (p->cfg->have_target_addr) {
		p->dst[p->ndst++] = p->cfg->target_addr;
	} else if (p->r->netns) {
		struct mc_endpoint_range *d = &p->dst[p->ndst++];
		mc_parse_addr("127.0.0.1", &d->addr, &err);
		d->port_lo = FIRST_PORT;
		d->port_hi = (uint16_t)(FIRST_PORT + sc->dest_ports - 1);
	} else {
		/* the host's loopback: let the kernel pick free ports */
		for (uint64_t i = 0; i < sc->dest_ports && p->ndst < MC_PROBE_MAX_DEST_PORTS; i++) {
			struct mc_endpoint_range *d = &p->dst[p->ndst++];
			mc_parse_addr("127.0.0.1", &d->addr, &err);
			d->port_lo = d->port_hi = 0;
		}
	}
	memset(p->src, 0, sizeof(p->src));
	p->nsrc = 0;
	if (p->cfg->nsrc) {
		/* --source: the user's addresses, as given */
		for (size_t i = 0; i < p->cfg->nsrc && i < MC_PROBE_MAX_SOURCES; i++)
			p->src[p->nsrc++] = p->cfg->src[i];
	} else if (sc->sources) {
		mc_parse_addr("127.0.0.2", &p->src[0].first, &err);
		p->src[0].count = sc->sources;
		p->nsrc = 1;
	}
}

/* Ctrl-C came while the step's children started: the step stops there,
 * with nothing held, and is judged like any other. */
static void interrupted_at_start(struct mc_probe_ctx *p, struct mc_probe_step *st,
				 struct mc_probe_obs *o, struct mc_client_stats *cs,
				 struct mc_server_stats *ss)
{
	mc_watch_read(&p->before, true);
	o->after = p->before;
	mc_probe_account(p, st, o, cs, ss);
}

/* Run one step: namespace, server, client, ramp, stop, judge. The
 * children are left running (mc_probe_stop_children) once the step ran.
 * Returns 0, or -errno when the step could not start (err set; nothing
 * left running). */
static int run_step(struct mc_probe_ctx *p, struct mc_probe_step *st, struct mc_err *err)
{
	struct mc_client_stats *cs = calloc(1, sizeof(*cs));
	struct mc_server_stats *ss = calloc(1, sizeof(*ss));
	struct mc_probe_obs *o = calloc(1, sizeof(*o));
	int rc = 0;

	if (!cs || !ss || !o) {
		rc = mc_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	memset(p->sh, 0, sizeof(*p->sh));
	if (p->r->netns && (rc = mc_probe_netns_enter(&st->sc, err)) < 0)
		goto out;
	predict(p, st);
	plan_addresses(p, &st->sc);
	p->conns = st->sc.target;
	if (st->sc.target == MC_LIMITS_NONE) {
		/* until the first limit: a quarter more than the model's ceiling */
		p->conns = st->predicted + st->predicted / 4;
		if (p->conns < 10000)
			p->conns = 10000;
	}
	if (p->conns > UINT32_MAX)
		p->conns = UINT32_MAX;

	if (!p->cfg->have_target_addr) {
		if ((rc = mc_probe_spawn_server(p, &st->sc, err)) < 0)
			goto stop;
		p->r->server_pid = p->server.pid;
	}
	p->server_rss0 = mc_probe_server_rss(p);
	p->server_socks0 = mc_probe_server_sockets(p);
	p->server_pte0 = 0;
	if (mc_probe_window_server_pid(p) > 0) {
		struct mc_proc_pid sp;
		if (mc_proc_read_pid(NULL, mc_probe_window_server_pid(p), &sp) == 0)
			p->server_pte0 = sp.pte;
	}
	mc_watch_read(&p->before, true);
	mc_probe_cg_start(p);
	mc_probe_remote_before(p);
	if ((rc = mc_probe_spawn_client(p, &st->sc, err)) < 0)
		goto stop;

	mc_probe_ramp(p, st, o, cs, ss);
	mc_probe_account(p, st, o, cs, ss);
	goto out;
stop:
	mc_probe_stop_children(p);
	if (rc == -EINTR && p->interrupted) {
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

/* Keep a reserve in a memory cgroup with a limit: add it to r->cg[] (the
 * level whose limit binds, read now). Returns its index, or -1. */
static int watch_cgroup(struct mc_probe_ctx *p, int pid, const char *who)
{
	struct mc_probe_report *r = p->r;
	struct mc_probe_cgroup *c;
	struct mc_cg cg;
	struct mc_cg_mem m;

	mc_cg_locate(NULL, pid, MC_CG_MEMORY, &cg);
	mc_cg_mem_read(NULL, &cg, &m);
	if (m.err || m.limit == MC_CG_NONE || r->ncg == MC_PROBE_MAX_CG)
		return -1;
	for (int i = 0; i < r->ncg; i++)
		if (strcmp(r->cg[i].dir, m.at) == 0)
			return i; /* --server-pid in the probe's own cgroup */
	c = &r->cg[r->ncg];
	snprintf(c->who, sizeof(c->who), "%s", who);
	snprintf(c->dir, sizeof(c->dir), "%.199s", m.at);
	c->version = cg.version;
	c->high = m.high;
	c->limit = m.limit;
	/* --reserve when given; else 5% of the limit, as `maxconn limits` keeps */
	c->reserve = p->cfg->reserve ? p->cfg->reserve : m.limit / 20;
	p->cgm[r->ncg] = m;
	/* v1: the server and the client each in a child cgroup of the probe's
	 * own, so the charge of each side shows apart (v2 allows no process
	 * in a cgroup whose children have controllers: not done there) */
	if (pid == 0 && cg.version == 1 && !p->cfg->have_target_addr) {
		char name[64];
		snprintf(name, sizeof(name), "maxconn-probe.%d.server", (int)getpid());
		if (mc_cg_sub_make(cg.dir, name, p->sub[0], sizeof(p->sub[0])) == 0) {
			snprintf(name, sizeof(name), "maxconn-probe.%d.client", (int)getpid());
			if (mc_cg_sub_make(cg.dir, name, p->sub[1], sizeof(p->sub[1])) == 0) {
				c->per_side = true;
			} else {
				mc_cg_sub_remove(p->sub[0]);
				p->sub[0][0] = p->sub[1][0] = '\0';
			}
		} else {
			p->sub[0][0] = '\0';
		}
	}
	return r->ncg++;
}

/* Remove the child cgroups (after the children are gone). */
static void unwatch_cgroups(struct mc_probe_ctx *p)
{
	for (int i = 0; i < 2; i++)
		if (p->sub[i][0]) {
			mc_cg_sub_remove(p->sub[i]);
			p->sub[i][0] = '\0';
		}
}

static void scene(struct mc_probe_ctx *p)
{
	struct mc_probe_report *r = p->r;
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
	r->mem_total = w.mem_total;
	r->reserve = p->cfg->reserve;
	if (!r->reserve) {
		r->reserve = w.mem_total / 10;
		if (r->reserve < (1ULL << 30))
			r->reserve = 1ULL << 30;
	}
	if (p->cfg->server_pid) {
		r->server_pid = p->cfg->server_pid;
		mc_watch_comm(p->cfg->server_pid, r->server_name, sizeof(r->server_name));
	}
	if (p->cfg->have_target_addr)
		mc_addr_port_str(&p->cfg->target_addr.addr, p->cfg->target_addr.port_lo,
				 r->target_addr, sizeof(r->target_addr));
	watch_cgroup(p, 0, p->cfg->have_target_addr ? "client" : "server and client");
	mc_cg_locate(NULL, 0, MC_CG_PIDS, &p->pids_cg);
	if (p->cfg->server_pid) {
		char who[48];
		snprintf(who, sizeof(who), "server (pid %d)", p->cfg->server_pid);
		watch_cgroup(p, p->cfg->server_pid, who);
	}
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
	struct mc_probe_ctx p = {.cfg = cfg, .r = r, .kmsg = -1, .sample_ns = MC_PROBE_SAMPLE_NS,
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
	p.sh = mc_probe_page_new();
	if (!r->samples || !p.sh) {
		mc_probe_page_free(p.sh);
		return mc_errf(err, -ENOMEM, "out of memory for the probe's samples");
	}
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
	r->staircase = cfg->staircase;
	r->target = cfg->target;
	scene(&p);
	r->netns = mc_probe_netns_first(cfg, r->where, sizeof(r->where));
	if (!r->netns && cfg->port_lo) {
		rc = mc_errf(err, -EPERM,
			     "--port-range needs a private network namespace (root), which this "
			     "run does not have; drop --port-range or run as root");
		goto out;
	}
	p.kmsg = mc_watch_kmsg_open();
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
		if ((rc = run_step(&p, st, err)) < 0) {
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
		mc_probe_stop_children(&p);
		st->teardown_s = (double)(mc_now_ns() - t_stop) / 1e9;
		sc = next;
	}
	/* the last step's children: the caller's to end once the reports are
	 * out, or ended here */
	last = &r->steps[r->nsteps - 1];
	if (rest) {
		rest->server_pid = p.server.pid;
		rest->client_pid = p.client.pid;
		/* both ends when the server is the probe's own */
		rest->sockets = (p.server.pid > 0 ? 2 : 1) * last->client_held;
		/* their child cgroups go once they are gone */
		memcpy(rest->cgroups, p.sub, sizeof(rest->cgroups));
		memset(p.sub, 0, sizeof(p.sub));
		p.server.pid = p.client.pid = 0;
		last->teardown_s = NAN;
	} else {
		t_stop = mc_now_ns();
		mc_probe_stop_children(&p);
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
	mc_probe_stop_children(&p); /* when it failed: no child is left behind */
	unwatch_cgroups(&p);
	mc_ctl_close(&p.ctl);
	mc_probe_page_free(p.sh);
	return rc;
}

void mc_probe_report_free(struct mc_probe_report *r)
{
	free(r->samples);
	r->samples = NULL;
	r->nsamples = 0;
}
