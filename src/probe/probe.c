/* probe.c: `maxconn probe`, the orchestration (see probe.h).
 *
 * The probe process enters a fresh network namespace for each step (when it
 * may: root), so the sysctls it tunes (port range, somaxconn) and every
 * socket die with the namespace and the host is never changed. It forks a
 * server and a client child that run the library's engines; they publish
 * their counters in a shared page under a sequence lock, so the probe needs
 * no parsing and no pipes. The probe itself has one thread: it samples the
 * host ten times a second, watches for the first limit and for the memory
 * reserve, stops the children with SIGINT, and fills the report. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "common/clock.h"
#include "common/procfs.h"
#include "net/ctl.h"
#include "net/sock.h"
#include "probe/diagnose.h"
#include "probe/probe.h"
#include "probe/watch.h"
#include "server/server.h"

#define SAMPLE_NS	(100 * MC_NS_PER_MS)
#define READY_TIMEOUT	(10 * MC_NS_PER_SEC)
#define DEFAULT_TIMEOUT (600 * MC_NS_PER_SEC)
#define FIRST_PORT	9000
#define MAX_DEST_PORTS	64
/* failures (or losses) that mean a limit is binding, not a hiccup */
#define LIMIT_EVIDENCE 64

/* What a child publishes: its latest counters, under a sequence lock. */
struct pub {
	_Atomic uint32_t seq; /* odd while being written */
	_Atomic int done;     /* the engine returned; the counters are final */
	_Atomic int ready;    /* the server listens */
	int rc;		      /* the engine's return code */
	char err[200];
	union {
		struct mc_client_stats c;
		struct mc_server_stats s;
	} u;
};

struct shared {
	struct pub client, server;
};

struct child {
	pid_t pid;
	int status;
	bool reaped;
};

struct probe {
	const struct mc_probe_config *cfg;
	struct mc_probe_report *r;
	struct shared *sh;
	struct mc_ctl ctl;
	struct child server, client;
	uint64_t t0, deadline;
	bool interrupted, timed_out;
	uint64_t sample_ns; /* grows when the sample array is full */
	/* the step now running */
	struct mc_endpoint_range dst[MAX_DEST_PORTS];
	size_t ndst;
	struct mc_addr_range src;
	uint64_t conns; /* what the client is asked to open */
	struct mc_watch before;
	uint64_t server_rss0;
	int kmsg;
	char dir[64];	     /* a private directory for the server's ready file */
	char ready[96];
};

/* snprintf that may cut: messages and names are shortened, never lost */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void publish(struct pub *p, const void *st, size_t len)
{
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	memcpy(&p->u, st, len);
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
}

/* Copy a child's counters; false when they are being written for long. */
static bool fetch(struct pub *p, void *st, size_t len)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t a = atomic_load_explicit(&p->seq, memory_order_acquire), b;
		if (a & 1)
			continue;
		memcpy(st, &p->u, len);
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&p->seq, memory_order_acquire);
		if (a == b)
			return true;
	}
	return false;
}

static void client_tick(void *arg, const struct mc_client_stats *s)
{
	publish(arg, s, sizeof(*s));
}

static void server_tick(void *arg, const struct mc_server_stats *s)
{
	struct pub *p = arg;
	publish(p, s, sizeof(*s));
	atomic_store(&p->ready, 1);
}

/* ---- the children ---------------------------------------------------- */

/* In the child, right after fork: die with the probe, leave the terminal's
 * process group (Ctrl-C goes to the probe, which stops the children in
 * order), take the fd limit of the scenario. */
static void child_setup(struct probe *p, const char *name)
{
	pid_t parent = getppid();

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, name);
	setpgid(0, 0);
	mc_ctl_close(&p->ctl);
	if (p->kmsg >= 0)
		close(p->kmsg);
}

/* Publish the final counters (or the error) and end the child. */
static void child_exit(struct pub *pub, int rc, const struct mc_err *err, const void *st,
		       size_t len)
{
	pub->rc = rc;
	say(pub->err, sizeof(pub->err), "%s", rc < 0 ? err->msg : "");
	if (st)
		publish(pub, st, len);
	atomic_store(&pub->done, 1);
	_exit(rc < 0 ? 1 : 0);
}

static int set_nofile(uint64_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (n > rl.rlim_max)
		n = rl.rlim_max;
	rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

static enum mc_model server_model(enum mc_model m)
{
	return m == MC_MODEL_THREADS ? MC_MODEL_THREADS
	       : m == MC_MODEL_URING ? MC_MODEL_URING
				     : MC_MODEL_EPOLL;
}

static void run_server(struct probe *p, const struct mc_probe_scenario *sc)
{
	struct pub *pub = &p->sh->server;
	struct mc_server_config cfg = {
		.listen = p->dst,
		.nlisten = p->ndst,
		.workers = sc->one_table ? 1 : 0,
		.mode = MC_SERVER_HOLD,
		.model = server_model(sc->model),
		.thread_stack = p->cfg->thread_stack,
		.backlog = (int)sc->backlog,
		.accept_rate = -1,
		.ready_file = p->ready,
		.tick = server_tick,
		.tick_arg = pub,
	};
	struct mc_server_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	int rc;

	child_setup(p, "maxconn-server");
	if (sc->one_table && set_nofile(sc->fd_limit) < 0)
		_exit(1);
	rc = st ? mc_server_run(&cfg, st, &err) : -ENOMEM;
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static void run_client(struct probe *p, const struct mc_probe_scenario *sc)
{
	struct pub *pub = &p->sh->client;
	struct mc_client_config cfg = {
		.dst = p->dst,
		.ndst = p->ndst,
		.src = &p->src,
		.nsrc = p->src.count ? 1 : 0,
		.conns = p->conns,
		.rate = p->cfg->rate,
		.hold_forever = true,
		.workers = sc->one_table ? 1 : 0,
		.tick = client_tick,
		.tick_arg = pub,
		.tick_ns = SAMPLE_NS,
	};
	struct mc_client_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	int rc;

	child_setup(p, "maxconn-client");
	if (sc->one_table && set_nofile(sc->fd_limit) < 0)
		_exit(1);
	rc = st ? mc_client_run(&cfg, st, &err) : -ENOMEM;
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static int spawn(struct probe *p, struct child *c, const struct mc_probe_scenario *sc,
		 void (*fn)(struct probe *, const struct mc_probe_scenario *), struct mc_err *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return mc_errf(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0)
		fn(p, sc); /* does not return */
	c->pid = pid;
	c->reaped = false;
	c->status = 0;
	return 0;
}

/* Reap c if it has exited; true when it has. */
static bool reap(struct child *c)
{
	if (c->pid <= 0 || c->reaped)
		return true;
	if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	return c->reaped;
}

/* End a child and reap it. The probe has taken its figures already, so
 * there is nothing to wait for: SIGKILL, and the kernel closes the
 * sockets as the process exits (with a million connections, a graceful
 * close of each, FIN by FIN from user space, takes many seconds longer). */
static void stop_child(struct child *c)
{
	if (c->pid <= 0 || reap(c))
		return;
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	c->reaped = true;
}

/* ---- the namespace ------------------------------------------------------ */

/* Loopback up or down in the probe's namespace. */
static int lo_set(bool up)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		rc = -errno;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	if (!rc && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int set_sysctl(const char *path, uint64_t a, uint64_t b)
{
	char v[64];

	if (b)
		snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, a, b);
	else
		snprintf(v, sizeof(v), "%" PRIu64, a);
	return mc_proc_write(NULL, path, v);
}

/* A fresh namespace for a step: loopback up, the scenario's sysctls. */
static int enter_netns(const struct mc_probe_scenario *sc, struct mc_err *err)
{
	char eb[96];
	int rc;

	if (unshare(CLONE_NEWNET) < 0)
		return mc_errf(err, -errno, "unshare(CLONE_NEWNET): %s",
			       mc_strerror(errno, eb, sizeof(eb)));
	if ((rc = lo_set(true)) < 0)
		return mc_errf(err, rc, "bringing up lo in the probe's namespace: %s",
			       mc_strerror(-rc, eb, sizeof(eb)));
	if ((rc = set_sysctl(MC_LIMITS_P_SOMAXCONN, sc->backlog, 0)) < 0 ||
	    (rc = set_sysctl(MC_LIMITS_P_SYN_BACKLOG, sc->backlog, 0)) < 0 ||
	    (rc = set_sysctl(MC_LIMITS_P_PORT_RANGE, sc->port_lo, sc->port_hi)) < 0)
		return mc_errf(err, rc, "setting the probe namespace's sysctls: %s",
			       mc_strerror(-rc, eb, sizeof(eb)));
	return 0;
}

/* ---- prediction ------------------------------------------------------- */

static enum mc_model limits_model(enum mc_model m)
{
	return m == MC_MODEL_THREADS ? MC_MODEL_THREADS
	       : m == MC_MODEL_URING ? MC_MODEL_URING
				     : MC_MODEL_EPOLL;
}

/* Ask the limits model about this step's scenario. */
static void predict(struct probe *p, struct mc_probe_step *st)
{
	const struct mc_probe_scenario *sc = &st->sc;
	struct mc_limits_snap *snap = calloc(1, sizeof(*snap));
	struct mc_limits_result *res = calloc(1, sizeof(*res));
	struct mc_limits_scenario ls;

	if (!snap || !res)
		goto out;
	mc_limits_read(NULL, snap);
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
	ls.target = sc->target == MC_LIMITS_NONE ? 0 : sc->target;
	mc_limits_judge(snap, &ls, res);

	st->nlimits = 0;
	for (int i = 0; i < res->n && st->nlimits < MC_PROBE_MAX_LIMITS; i++) {
		const struct mc_limits_item *it = &res->items[i];
		struct mc_probe_limit *l;
		if (it->kind != MC_LIMITS_CEILING || it->status == MC_LIMITS_UNKNOWN)
			continue;
		l = &st->limits[st->nlimits++];
		snprintf(l->id, sizeof(l->id), "%s", it->id);
		snprintf(l->name, sizeof(l->name), "%s", it->name);
		snprintf(l->value, sizeof(l->value), "%s", it->value);
		l->conns = it->conns;
		l->binding = i == res->binding;
	}
	st->predicted = res->ceiling;
	snprintf(st->predicted_limit, sizeof(st->predicted_limit), "%s",
		 res->binding >= 0 ? res->items[res->binding].id : "unknown");
	if (sc->target != MC_LIMITS_NONE && sc->target <= st->predicted) {
		st->predicted = sc->target;
		snprintf(st->predicted_limit, sizeof(st->predicted_limit), "target");
	}
out:
	free(snap);
	free(res);
}

/* ---- one step ------------------------------------------------------ */

static uint64_t ports_in(const struct mc_probe_scenario *sc)
{
	return sc->port_hi >= sc->port_lo ? sc->port_hi - sc->port_lo + 1 : 1;
}

/* Where the client connects, and from where. */
static void plan_addresses(struct probe *p, const struct mc_probe_scenario *sc)
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
		for (uint64_t i = 0; i < sc->dest_ports && p->ndst < MAX_DEST_PORTS; i++) {
			struct mc_endpoint_range *d = &p->dst[p->ndst++];
			mc_parse_addr("127.0.0.1", &d->addr, &err);
			d->port_lo = d->port_hi = 0;
		}
	}
	memset(&p->src, 0, sizeof(p->src));
	if (sc->sources) {
		mc_parse_addr("127.0.0.2", &p->src.first, &err);
		p->src.count = sc->sources;
	}
}

/* Wait for the server's ready file and read the ports it listens on from
 * it (on the host they are port 0: the kernel's choice). */
static int wait_server(struct probe *p, struct mc_err *err)
{
	uint64_t end = mc_now_ns() + READY_TIMEOUT;
	FILE *f;
	char line[128];

	while (access(p->ready, R_OK) != 0) {
		if (reap(&p->server) || atomic_load(&p->sh->server.done))
			return mc_errf(err, -ECHILD, "the probe's server did not start: %s",
				       p->sh->server.err[0] ? p->sh->server.err : "it exited");
		if (mc_now_ns() > end)
			return mc_errf(err, -ETIMEDOUT, "the probe's server did not listen within %ds",
				       (int)(READY_TIMEOUT / MC_NS_PER_SEC));
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
	if (!(f = fopen(p->ready, "r")))
		return mc_errf(err, -errno, "reading the server's ready file %s: %s", p->ready,
			       strerror(errno));
	p->ndst = 0;
	while (fgets(line, sizeof(line), f) && p->ndst < MAX_DEST_PORTS) {
		struct mc_err e2;
		line[strcspn(line, "\n")] = '\0';
		if (mc_parse_endpoint(line, false, &p->dst[p->ndst], &e2) == 0)
			p->ndst++;
	}
	fclose(f);
	unlink(p->ready);
	if (!p->ndst)
		return mc_errf(err, -EINVAL, "the probe's server wrote no address to %s", p->ready);
	return 0;
}

static uint64_t limit_failures(const struct mc_client_stats *c)
{
	uint64_t n = mc_cause_sum(c->lost);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (mc_cause_limit((enum mc_cause)k))
			n += c->fail[k];
	return n;
}

/* The external server's RSS: the process and its direct children (nginx's
 * workers hold the connections, not its master). */
static uint64_t tree_rss(int pid)
{
	char path[96], buf[4096];
	uint64_t rss = mc_watch_rss(pid);

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) > 0)
		for (char *s = buf, *e; *s; s = e) {
			long c = strtol(s, &e, 10);
			if (e == s)
				break;
			rss += mc_watch_rss((int)c);
		}
	return rss;
}

static void add_sample(struct probe *p, struct mc_probe_sample *s)
{
	struct mc_probe_report *r = p->r;

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
	uint64_t grew = now->sreclaimable > before->sreclaimable
				? now->sreclaimable - before->sreclaimable
				: 0;

	now->mem_available = now->mem_available > grew ? now->mem_available - grew : 0;
}

/* The server publishes once a second: short of the target, wait for one
 * more tick so its refusals by cause (fd table, threads, memory) are in. */
static void fresh_server_tick(struct probe *p)
{
	uint32_t seq0 = atomic_load(&p->sh->server.seq);
	uint64_t end = mc_now_ns() + 3 * MC_NS_PER_SEC / 2;

	while (atomic_load(&p->sh->server.seq) == seq0 && mc_now_ns() < end &&
	       !atomic_load(&p->sh->server.done))
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}

/* Ramp until the target, a limit, the reserve, Ctrl-C or the deadline.
 * Fills o with what it saw at the stop, before anything is torn down. */
static void ramp(struct probe *p, struct mc_probe_step *st, struct mc_probe_obs *o,
		 struct mc_client_stats *cs, struct mc_server_stats *ss)
{
	const uint64_t step_t0 = mc_now_ns();
	uint64_t last = step_t0, last_est = 0, held_at = 0, hold_until = 0;
	struct mc_watch now;
	bool peak = false;

	for (;;) {
		struct mc_probe_sample smp = {0};
		enum mc_ctl_event ev = mc_ctl_wait(&p->ctl, (int)(p->sample_ns / MC_NS_PER_MS));
		uint64_t t = mc_now_ns();
		bool cdone, fails;

		if (ev == MC_CTL_SIGNAL) {
			p->interrupted = true;
			break;
		}
		fetch(&p->sh->client, cs, sizeof(*cs));
		if (!p->cfg->have_target_addr)
			fetch(&p->sh->server, ss, sizeof(*ss));
		mc_watch_read(&now, false);
		pinned_reclaimable(&now, &p->before);
		smp.t = (double)(t - p->t0) / 1e9;
		smp.step = p->r->nsteps - 1;
		smp.held = cs->open;
		smp.server_held = p->cfg->have_target_addr ? 0 : ss->held;
		smp.rate = t > last ? (double)(cs->established - last_est) / ((double)(t - last) / 1e9)
				    : 0;
		smp.kernel_bytes = (now.slab_total + now.kernel_stack + now.page_tables) -
				   (p->before.slab_total + p->before.kernel_stack +
				    p->before.page_tables);
		if (smp.kernel_bytes > (1ULL << 62))
			smp.kernel_bytes = 0; /* memory freed elsewhere meanwhile */
		smp.user_bytes = (cs->rss > cs->rss_base ? cs->rss - cs->rss_base : 0) +
				 (p->cfg->have_target_addr ? 0
				  : ss->rss > ss->rss_base ? ss->rss - ss->rss_base
							   : 0);
		smp.mem_available = now.mem_available;
		last = t;
		last_est = cs->established;
		add_sample(p, &smp);
		if (p->cfg->tick)
			p->cfg->tick(p->cfg->tick_arg, p->r, &smp);

		cdone = atomic_load(&p->sh->client.done) || reap(&p->client);
		if (cdone) {
			o->child_failed = true;
			say(o->child_error, sizeof(o->child_error), "the probe's client ended: %s",
				 p->sh->client.err[0] ? p->sh->client.err : "it exited");
			break;
		}
		if (!p->cfg->have_target_addr && (atomic_load(&p->sh->server.done) ||
						  reap(&p->server))) {
			o->child_failed = true;
			say(o->child_error, sizeof(o->child_error), "the probe's server ended: %s",
				 p->sh->server.err[0] ? p->sh->server.err : "it exited");
			break;
		}
		if (now.mem_available && now.mem_available <= p->r->reserve) {
			o->reserve_hit = true;
			break;
		}
		if (t > p->deadline) {
			p->timed_out = true;
			break;
		}
		fails = limit_failures(cs) >= LIMIT_EVIDENCE;
		if (cs->open >= st->sc.target || (cs->ramp_done && cs->inflight == 0) || fails) {
			if (!held_at) {
				held_at = t;
				/* the memory figures at the top, before --hold lets the
				 * rest of the host move them */
				mc_watch_read(&o->after, true);
				pinned_reclaimable(&o->after, &p->before);
				peak = true;
				/* hold the connections as asked only when all came */
				hold_until = cs->open >= st->sc.target ? t + p->cfg->hold_ns : t;
				/* a limit: let the counts settle a moment */
				if (fails)
					hold_until = t + SAMPLE_NS;
			}
			if (t >= hold_until)
				break;
		}
	}
	/* the figures at the top, before anything is closed */
	if (!peak) {
		mc_watch_read(&o->after, true);
		pinned_reclaimable(&o->after, &p->before);
	}
	fetch(&p->sh->client, cs, sizeof(*cs));
	if (!p->cfg->have_target_addr && cs->open < st->sc.target && !p->interrupted)
		fresh_server_tick(p);
	if (!p->cfg->have_target_addr)
		fetch(&p->sh->server, ss, sizeof(*ss));
	st->seconds = (double)((held_at ? held_at : mc_now_ns()) - step_t0) / 1e9;
}

/* The projection and the per-connection costs of a step. Kernel bytes per
 * socket: the growth of the socket slab caches, or of meminfo's Slab +
 * KernelStack + PageTables when that is larger (it also covers thread
 * stacks and bind buckets, but it is host-wide, so other work can move it
 * either way). */
static void costs(struct probe *p, struct mc_probe_step *st, const struct mc_probe_obs *o,
		  const struct mc_client_stats *cs, uint64_t server_rss)
{
	const struct mc_watch_slab *a = &o->after.slab, *b = &o->before.slab;
	uint64_t kb = o->after.slab_total + o->after.kernel_stack + o->after.page_tables;
	uint64_t kb0 = o->before.slab_total + o->before.kernel_stack + o->before.page_tables;
	double n = 2.0 * (double)st->reached, mem, caches, per;
	struct mc_probe_slab *sl = &st->slab;

	if (!st->reached)
		return;
#define D(x) ((a->x > b->x ? (double)(a->x - b->x) : 0) / n)
	sl->known = !a->err && !b->err;
	sl->sockets = 2 * st->reached;
	sl->tcp = D(tcp) + D(tcp6);
	sl->sock_inode = D(sock_inode);
	sl->dentry = D(dentry);
	sl->filp = D(filp);
	sl->epoll = D(epoll);
#undef D
	caches = sl->tcp + sl->sock_inode + sl->dentry + sl->filp + sl->epoll;
	mem = kb > kb0 ? (double)(kb - kb0) / n : 0;
	sl->total = mem > caches ? mem : caches;
	sl->other = sl->total - caches;
	st->user_per_conn_client =
	    cs->rss > cs->rss_base ? (double)(cs->rss - cs->rss_base) / (double)st->reached : 0;
	if (server_rss)
		st->user_per_conn_server =
		    server_rss > p->server_rss0
			? (double)(server_rss - p->server_rss0) / (double)st->reached
			: 0;
	st->mem_available_end = o->after.mem_available;
	per = 2 * sl->total + st->user_per_conn_server + st->user_per_conn_client;
	st->more_conns = per > 0 && o->after.mem_available > p->r->reserve
				 ? (uint64_t)((double)(o->after.mem_available - p->r->reserve) / per)
				 : 0;
}

static void obs_from(struct probe *p, struct mc_probe_obs *o, const struct mc_probe_step *st,
		     const struct mc_client_stats *cs, const struct mc_server_stats *ss)
{
	o->target = st->sc.target;
	o->held = cs->open;
	o->attempted = cs->attempted;
	memcpy(o->fail, cs->fail, sizeof(o->fail));
	memcpy(o->lost, cs->lost, sizeof(o->lost));
	snprintf(o->first_error, sizeof(o->first_error), "%s", cs->first_error);
	o->have_server = !p->cfg->have_target_addr;
	if (o->have_server) {
		o->srv_held = ss->held;
		o->srv_refused[MC_CAUSE_EMFILE] = ss->refused_fd;
		o->srv_refused[MC_CAUSE_NOMEM] = ss->refused_mem;
		o->srv_refused[MC_CAUSE_WATCHES] = ss->refused_watches;
		o->srv_refused_threads = ss->refused_threads;
		o->srv_refused_max = ss->refused_max;
		o->srv_thread_errno = ss->thread_errno;
	}
	o->srv_fd_limit = st->sc.one_table ? st->sc.fd_limit : 0;
	o->srv_one_table = st->sc.one_table;
	o->before = p->before;
	o->reserve = p->r->reserve;
	o->interrupted = p->interrupted;
	o->timed_out = p->timed_out;
	o->nkmsg = mc_watch_kmsg_read(p->kmsg, o->kmsg, MC_PROBE_MAX_KMSG);
}

/* Run one step: namespace, server, client, ramp, stop, judge. Returns 0,
 * or -errno when the step could not start (err set). */
static int run_step(struct probe *p, struct mc_probe_step *st, struct mc_err *err)
{
	struct mc_client_stats *cs = calloc(1, sizeof(*cs));
	struct mc_server_stats *ss = calloc(1, sizeof(*ss));
	struct mc_probe_obs *o = calloc(1, sizeof(*o));
	uint64_t server_rss = 0, t_stop;
	int rc = 0;

	if (!cs || !ss || !o) {
		rc = mc_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	memset(p->sh, 0, sizeof(*p->sh));
	if (p->r->netns && (rc = enter_netns(&st->sc, err)) < 0)
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
		if ((rc = spawn(p, &p->server, &st->sc, run_server, err)) < 0 ||
		    (rc = wait_server(p, err)) < 0)
			goto stop;
		p->r->server_pid = p->server.pid;
		p->server_rss0 = mc_watch_rss(p->server.pid);
	} else if (p->cfg->server_pid) {
		p->server_rss0 = tree_rss(p->cfg->server_pid);
	}
	mc_watch_read(&p->before, true);
	if ((rc = spawn(p, &p->client, &st->sc, run_client, err)) < 0)
		goto stop;

	ramp(p, st, o, cs, ss);
	if (!p->cfg->have_target_addr)
		server_rss = mc_watch_rss(p->server.pid);
	else if (p->cfg->server_pid)
		server_rss = tree_rss(p->cfg->server_pid);
	st->reached = cs->open;
	st->attempted = cs->attempted;
	st->rate = st->seconds > 0 ? (double)cs->established / st->seconds : 0;
	st->diff_pct = st->predicted
			       ? 100.0 * ((double)st->reached - (double)st->predicted) /
					 (double)st->predicted
			       : NAN;
	obs_from(p, o, st, cs, ss);
	mc_probe_diagnose(o, st);
	costs(p, st, o, cs, server_rss);
stop:
	t_stop = mc_now_ns();
	/* (Taking loopback down first looks cheaper, but then every socket's
	 * FIN is lost and the closed sockets linger as orphans in FIN_WAIT1,
	 * holding their memory for minutes after the probe: measured 87k
	 * orphans at the start of the next run.) */
	/* both at once: each exit closes its own half of the sockets, on its
	 * own CPU */
	if (p->client.pid > 0 && !reap(&p->client))
		kill(p->client.pid, SIGKILL);
	if (p->server.pid > 0 && !reap(&p->server))
		kill(p->server.pid, SIGKILL);
	stop_child(&p->client);
	stop_child(&p->server);
	st->teardown_s = (double)(mc_now_ns() - t_stop) / 1e9;
	p->client.pid = p->server.pid = 0;
out:
	free(cs);
	free(ss);
	free(o);
	return rc;
}

/* ---- the staircase ---------------------------------------------------- */

/* Lift the limit that stopped step st in the next scenario; false when it
 * cannot be lifted here (global limits, memory, or nothing to lift). */
static bool lift(const struct mc_probe_step *st, struct mc_probe_scenario *next, char *what,
		 size_t len)
{
	const char *id = st->limit_id;

	*next = st->sc;
	if (st->stop != MC_PROBE_LIMIT)
		return false;
	if (strcmp(id, MC_LIMIT_PORTS) == 0) {
		if (next->port_lo > 1024 || next->port_hi < 65535) {
			next->port_lo = 1024;
			next->port_hi = 65535;
			snprintf(what, len,
				 "widened net.ipv4.ip_local_port_range to 1024-65535 (in the "
				 "probe's namespace)");
		} else {
			uint64_t per = ports_in(next) * next->dest_ports;
			uint64_t want = next->target == MC_LIMITS_NONE
						? next->sources * 8
						: (4 * next->target + per - 1) / per;
			next->sources = want > next->sources ? want : next->sources * 2;
			snprintf(what, len,
				 "more source addresses: %" PRIu64 " (127.0.0.2 on), each with its "
				 "own %" PRIu64 " ports per destination",
				 next->sources, ports_in(next));
		}
		return true;
	}
	if (strcmp(id, MC_LIMIT_FD_PROCESS) == 0 && next->one_table) {
		next->one_table = false;
		snprintf(what, len,
			 "private fd tables: each worker thread takes its own table of %" PRIu64
			 " fds (unshare(CLONE_FILES)), as the seed raises ulimit -n",
			 next->fd_limit);
		return true;
	}
	if (strcmp(id, MC_LIMIT_ACCEPTQ) == 0 && next->backlog < 65535) {
		next->backlog = next->backlog * 16 < 65535 ? next->backlog * 16 : 65535;
		snprintf(what, len, "a larger backlog and net.core.somaxconn: %" PRIu64,
			 next->backlog);
		return true;
	}
	if (strcmp(id, MC_LIMIT_THREADS) == 0 && next->model == MC_MODEL_THREADS) {
		next->model = MC_MODEL_EPOLL;
		snprintf(what, len,
			 "IO multiplexing: --model epoll, a few threads for all connections "
			 "instead of one each");
		return true;
	}
	return false;
}

/* ---- the whole probe --------------------------------------------------- */

static void scene(struct probe *p)
{
	struct mc_probe_report *r = p->r;
	struct utsname u;
	struct mc_watch w;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (uname(&u) == 0)
		say(r->kernel, sizeof(r->kernel), "%s %s", u.sysname, u.release);
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
}

/* The first scenario: the user's, or the seed's (one source, one port,
 * one fd table) for the staircase. */
static void first_scenario(const struct mc_probe_config *cfg, struct mc_probe_scenario *sc)
{
	uint64_t range[2] = {32768, 60999};
	struct rlimit rl = {0};

	memset(sc, 0, sizeof(*sc));
	sc->model = cfg->model;
	sc->target = cfg->target;
	sc->dest_ports = cfg->dest_ports ? cfg->dest_ports : 1;
	if (cfg->port_lo) {
		sc->port_lo = cfg->port_lo;
		sc->port_hi = cfg->port_hi;
	} else {
		/* a new namespace starts with the kernel's default range */
		if (cfg->host || cfg->have_target_addr)
			mc_proc_read_u64s(NULL, MC_LIMITS_P_PORT_RANGE, range, 2);
		sc->port_lo = range[0];
		sc->port_hi = range[1];
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	sc->fd_limit = cfg->fd_limit ? cfg->fd_limit : (uint64_t)rl.rlim_cur;
	sc->one_table = cfg->fd_limit || cfg->staircase;
	sc->backlog = cfg->backlog ? cfg->backlog : 65535;
	if (cfg->host || cfg->have_target_addr) {
		uint64_t smc = 4096;
		mc_proc_read_u64(NULL, MC_LIMITS_P_SOMAXCONN, &smc);
		if (!cfg->backlog)
			sc->backlog = smc;
	}
	if (cfg->sources) {
		sc->sources = cfg->sources;
	} else if (cfg->staircase) {
		sc->sources = 1;
	} else {
		/* enough sources that every pair stays under a quarter full:
		 * connect() slows sharply as a pair's range fills */
		uint64_t per = ports_in(sc) * sc->dest_ports;
		uint64_t t = cfg->target == MC_LIMITS_NONE ? 4000000 : cfg->target;
		sc->sources = (4 * t + per - 1) / per;
		if (sc->sources < 1)
			sc->sources = 1;
	}
	if (cfg->have_target_addr && !mc_addr_is_loopback(&cfg->target_addr.addr))
		sc->sources = 0; /* the kernel picks the source for a remote server */
}

int mc_probe_run(const struct mc_probe_config *cfg, struct mc_probe_report *r, struct mc_err *err)
{
	struct probe p = {.cfg = cfg, .r = r, .kmsg = -1, .sample_ns = SAMPLE_NS,
			  .ctl = {.sigfd = -1, .stopfd = -1, .wakefd = -1}};
	struct mc_probe_scenario sc;
	int rc;

	memset(r, 0, sizeof(*r));
	r->samples = calloc(MC_PROBE_MAX_SAMPLES, sizeof(*r->samples));
	p.sh = mmap(NULL, sizeof(*p.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!r->samples || p.sh == MAP_FAILED) {
		if (p.sh != MAP_FAILED)
			munmap(p.sh, sizeof(*p.sh));
		return mc_errf(err, -ENOMEM, "out of memory for the probe's samples");
	}
	if ((rc = mc_ctl_init(&p.ctl, err)) < 0)
		goto out;
	snprintf(p.dir, sizeof(p.dir), "/tmp/maxconn-probe.XXXXXX");
	if (!mkdtemp(p.dir)) {
		rc = mc_errf(err, -errno, "making a directory under /tmp: %s", strerror(errno));
		p.dir[0] = '\0';
		goto out;
	}
	snprintf(p.ready, sizeof(p.ready), "%s/ready", p.dir);
	r->staircase = cfg->staircase;
	r->target = cfg->target;
	scene(&p);
	if (cfg->have_target_addr || cfg->host) {
		r->netns = false;
		snprintf(r->where, sizeof(r->where), "%s",
			 cfg->have_target_addr
				 ? "this host's network (probing an existing server; nothing tuned)"
				 : "this host's loopback (--no-netns: nothing tuned)");
	} else if (unshare(CLONE_NEWNET) == 0) {
		r->netns = true;
		snprintf(r->where, sizeof(r->where),
			 "a private network namespace per step (sysctls tuned there only; the "
			 "host is not changed)");
	} else {
		char eb[96];
		r->netns = false;
		snprintf(r->where, sizeof(r->where),
			 "this host's loopback, nothing tuned (no private namespace: %s)",
			 mc_strerror(errno, eb, sizeof(eb)));
	}
	if (!r->netns && cfg->port_lo) {
		rc = mc_errf(err, -EPERM,
			     "--port-range needs a private network namespace (root), which this "
			     "run does not have; drop --port-range or run as root");
		goto out;
	}
	p.kmsg = mc_watch_kmsg_open();
	p.t0 = mc_now_ns();
	p.deadline = p.t0 + (cfg->timeout_ns ? cfg->timeout_ns : DEFAULT_TIMEOUT);
	first_scenario(cfg, &sc);
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
		    !lift(st, &next, st->lifted, sizeof(st->lifted)))
			break;
		sc = next;
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
	mc_ctl_close(&p.ctl);
	munmap(p.sh, sizeof(*p.sh));
	return rc;
}

void mc_probe_report_free(struct mc_probe_report *r)
{
	free(r->samples);
	r->samples = NULL;
	r->nsamples = 0;
}
