/* judge_threads.c: tasks and CPUs, the limits of a thread-per-connection
 * server (ceilings with --model threads, information otherwise) and the
 * CPUs (information) (registry.c binds them to their ids; judge-int.h says
 * what a judge function does).
 *
 *   threads       (threads-max - threads now - tasks) / threads per conn
 *   pid_max       (pid_max - threads now - tasks) / threads per conn
 *   nproc         (RLIMIT_NPROC - tasks) / threads per conn (root exempt)
 *   cgroup_pids   (pids.max - pids.current - tasks) / threads per conn
 * (tasks: what the scenario starts besides a thread per connection)
 *   thread_stack  address space (or commit room) / stack per thread
 *   max_map_count (vm.max_map_count - maps now) / maps per thread
 *   cpu           information: CPU bounds rates, not connections held */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "limits/judge-int.h"

/* A thread limit caps only a thread-per-connection server; --pid names the
 * process whose rlimits it judges. */
static void thread_item(const struct mc__judge *c, struct mc_limits_item *it, bool rlimit)
{
	if (!c->threads)
		it->kind = MC_LIMITS_INFO;
	if (rlimit && c->s->pid > 0)
		it->source = c->s->pid_limits;
}

static void threads_epoll_note(struct mc__judge *c, struct mc_limits_item *it)
{
	if (!c->threads && it->status != MC_LIMITS_UNKNOWN)
		mc__set_note(it, "--model epoll: a few threads serve every connection; caps only "
				 "thread-per-connection servers (--model threads)");
	if (!c->threads && it->status == MC_LIMITS_UNKNOWN) {
		it->status = MC_LIMITS_FINE;
		snprintf(it->note, sizeof(it->note), "%s (--model epoll does not need it)",
			 it->reason);
		it->reason[0] = '\0';
	}
}

/* threads: (threads-max - threads now) / threads per connection, for
 * --model threads; information for epoll. */
void mc__judge_threads(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t d;

	thread_item(c, it, false);
	mc__add_val(it, "threads_max", s->threads_max);
	mc__add_val(it, "threads_now", s->threads_now);
	if (s->threads_max.err || s->threads_now.err) {
		mc__set_unknown(it,
				s->threads_max.err ? MC_LIMITS_P_THREADS_MAX : MC_LIMITS_P_LOADAVG,
				s->threads_max.err ? s->threads_max.err : s->threads_now.err);
	} else {
		mc__set_value(it, "%" PRIu64 " max, %" PRIu64 " running", s->threads_max.v,
			      s->threads_now.v);
		if (c->threads) {
			it->conns = mc__sub0(s->threads_max.v,
					     mc__add_sat(s->threads_now.v, c->sc->tasks)) /
				    c->tpc;
			mc__set_note(it,
				     "(%" PRIu64 " - %" PRIu64 " threads now) / %" PRIu64
				     " thread(s) per connection",
				     s->threads_max.v, s->threads_now.v, c->tpc);
			d = mc__demand(c, it);
			it->raise_to = mc__add_sat(s->threads_now.v, mc__mul_sat(d, c->tpc));
			mc__fix_sysctl_u64(it, "kernel.threads-max", it->raise_to);
			mc__add_fix(it, "or --model epoll: IO multiplexing, a few threads for all");
		}
	}
	threads_epoll_note(c, it);
}

/* pid_max: every thread takes an id: (pid_max - threads now) / threads per
 * connection. */
void mc__judge_pid_max(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;

	thread_item(c, it, false);
	mc__add_val(it, "pid_max", s->pid_max);
	if (s->pid_max.err || s->threads_now.err) {
		mc__set_unknown(it, s->pid_max.err ? MC_LIMITS_P_PID_MAX : MC_LIMITS_P_LOADAVG,
				s->pid_max.err ? s->pid_max.err : s->threads_now.err);
	} else {
		mc__set_value(it, "%" PRIu64, s->pid_max.v);
		if (c->threads) {
			uint64_t d;
			it->conns =
			    mc__sub0(s->pid_max.v, mc__add_sat(s->threads_now.v, c->sc->tasks)) /
			    c->tpc;
			mc__set_note(it,
				     "every thread takes an id: (%" PRIu64 " - %" PRIu64
				     " in use) / %" PRIu64,
				     s->pid_max.v, s->threads_now.v, c->tpc);
			d = mc__demand(c, it);
			it->raise_to = mc__min_u(
			    mc__add_sat(mc__add_sat(s->threads_now.v, mc__mul_sat(d, c->tpc)), 300),
			    4194304);
			mc__fix_sysctl_u64(it, "kernel.pid_max", it->raise_to);
			mc__add_fix(it, "(4194304 is the most a 64-bit kernel allows)");
		}
	}
	threads_epoll_note(c, it);
}

/* nproc: RLIMIT_NPROC / threads per connection; not enforced for uid 0 in
 * the initial user namespace. */
void mc__judge_nproc(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	char a[24], b[24];

	thread_item(c, it, true);
	mc__add_val(it, "soft", s->nproc_soft);
	mc__add_val(it, "hard", s->nproc_hard);
	if (s->nproc_soft.err) {
		mc__set_unknown(it, "RLIMIT_NPROC", s->nproc_soft.err);
	} else {
		mc__set_value(it, "%s soft, %s hard", mc__cnt(s->nproc_soft.v, a, sizeof(a)),
			      s->nproc_hard.err ? "unknown"
						: mc__cnt(s->nproc_hard.v, b, sizeof(b)));
		if (c->threads && s->uid == 0 && s->init_userns) {
			mc__set_note(it,
				     "not enforced for root (uid 0 in the initial user namespace)");
		} else if (c->threads && s->nproc_soft.v != MC_LIMITS_NONE) {
			uint64_t d;
			it->conns = mc__sub0(s->nproc_soft.v, c->sc->tasks) / c->tpc;
			mc__set_note(it,
				     "%" PRIu64 " threads of this user / %" PRIu64
				     " per connection (less the threads the user already runs)",
				     s->nproc_soft.v, c->tpc);
			d = mc__demand(c, it);
			it->raise_to = mc__add_sat(mc__mul_sat(d, c->tpc), 1024);
			mc__add_fix(it,
				    "ulimit -u %" PRIu64 " (up to the hard limit), or in "
				    "/etc/security/limits.conf: * - nproc %" PRIu64,
				    it->raise_to, it->raise_to);
			mc__add_fix(it, "systemd unit: LimitNPROC=%" PRIu64, it->raise_to);
		}
	}
	threads_epoll_note(c, it);
}

/* cgroup_pids: (pids.max - pids.current) / threads per connection at the
 * tightest level; no limit when none is set. */
void mc__judge_cgroup_pids(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_cgroup *cg = &c->s->cg;

	thread_item(c, it, false);
	if (cg->pids_path[0])
		it->source = cg->pids_path;
	mc__add_val(it, "max", cg->pids_max);
	mc__add_val(it, "current", cg->pids_current);
	if (cg->pids_max.err) {
		mc__set_unknown(it, "pids.max", cg->pids_max.err);
	} else if (cg->pids_max.v == MC_LIMITS_NONE) {
		mc__set_value(it, "no limit");
		if (c->threads)
			mc__set_note(it, "no pids limit on this cgroup or its parents");
	} else if (cg->pids_current.err) {
		mc__set_unknown(it, "pids.current", cg->pids_current.err);
	} else {
		mc__set_value(it, "%" PRIu64 " max, %" PRIu64 " now", cg->pids_max.v,
			      cg->pids_current.v);
		if (c->threads) {
			uint64_t d;
			it->conns = mc__sub0(cg->pids_max.v,
					     mc__add_sat(cg->pids_current.v, c->sc->tasks)) /
				    c->tpc;
			mc__set_note(it, "(%" PRIu64 " - %" PRIu64 ") / %" PRIu64, cg->pids_max.v,
				     cg->pids_current.v, c->tpc);
			d = mc__demand(c, it);
			it->raise_to = mc__add_sat(cg->pids_current.v,
						   mc__add_sat(mc__mul_sat(d, c->tpc), 64));
			mc__add_fix(it, "echo %" PRIu64 " > /sys/fs/cgroup%s/pids.max",
				    it->raise_to, cg->pids_path + strlen(MC_LIMITS_P_CGROUP_FS));
			mc__add_fix(it, "systemd unit: TasksMax=%" PRIu64, it->raise_to);
		}
	}
	if (!c->threads && it->status != MC_LIMITS_UNKNOWN && it->conns == MC_LIMITS_NONE &&
	    cg->pids_max.err == 0 && cg->pids_max.v == MC_LIMITS_NONE)
		return;
	threads_epoll_note(c, it);
}

/* thread_stack: stacks of RLIMIT_STACK bytes are reserved address space:
 * the 47-bit space / stack, or with overcommit_memory=2 the commit room /
 * stack. */
void mc__judge_thread_stack(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	char a[32], b[32], ob[24];
	uint64_t stack, room;
	bool strict;

	thread_item(c, it, true);
	mc__add_val(it, "stack", s->stack_soft);
	mc__add_val(it, "overcommit_memory", s->overcommit);
	if (s->stack_soft.err) {
		mc__set_unknown(it, "RLIMIT_STACK", s->stack_soft.err);
		threads_epoll_note(c, it);
		return;
	}
	/* glibc uses 8 MiB when RLIMIT_STACK is unlimited, and PTHREAD_STACK_MIN
	 * (16 KiB) when it is smaller than that (0 included) */
	stack = s->stack_soft.v == MC_LIMITS_NONE ? 8ULL << 20 : s->stack_soft.v;
	if (stack < 16384)
		stack = 16384;
	strict = s->overcommit.err == 0 && s->overcommit.v == 2;
	mc__set_value(it, "%s per thread, overcommit_memory %s", mc_fmt_bytes(stack, a, sizeof(a)),
		      mc__numstr(s->overcommit, ob, sizeof(ob)));
	if (!c->threads) {
		threads_epoll_note(c, it);
		return;
	}
	if (strict && (s->meminfo.commit_limit.err || s->meminfo.committed_as.err)) {
		mc__set_unknown(it, "CommitLimit in " MC_HOST_P_MEMINFO,
				s->meminfo.commit_limit.err ? s->meminfo.commit_limit.err
							    : s->meminfo.committed_as.err);
		return;
	}
	room = strict ? mc__sub0(s->meminfo.commit_limit.v, s->meminfo.committed_as.v)
		      : MC_LIMITS_VA_BYTES;
	it->conns = mc__div_keep(room, mc__mul_sat(stack, c->tpc));
	mc__set_note(it, "%s / %s stack per thread (%s)", mc_fmt_bytes(room, b, sizeof(b)), a,
		     strict ? "overcommit_memory=2: CommitLimit - Committed_AS"
			    : "47-bit address space; stacks are reserved, not resident");
	{
		uint64_t d = mc__demand(c, it), kb = room / mc__mul_sat(d, c->tpc) / 1024;
		it->raise_to = kb;
		mc__add_fix(
		    it, "smaller stacks: ulimit -s %" PRIu64 " (KiB) or pthread_attr_setstacksize",
		    kb ? kb : 16);
		mc__add_fix(it, "or --model epoll");
	}
}

/* max_map_count: every thread maps its stack and a guard page below it
 * (MC_LIMITS_MAPS_PER_THREAD, measured), and vm.max_map_count caps the
 * maps of one process: (max_map_count - maps now) / maps per thread. */
void mc__judge_map_count(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t per = MC_LIMITS_MAPS_PER_THREAD * c->tpc, d;

	thread_item(c, it, false);
	mc__add_val(it, "max_map_count", s->max_map_count);
	mc__add_val(it, "maps_now", s->maps_now);
	if (s->max_map_count.err || s->maps_now.err) {
		mc__set_unknown(it,
				s->max_map_count.err ? MC_LIMITS_P_MAP_COUNT
				: s->pid > 0	     ? "the process's maps (/proc/PID/maps)"
						     : "/proc/self/maps",
				s->max_map_count.err ? s->max_map_count.err : s->maps_now.err);
		threads_epoll_note(c, it);
		return;
	}
	mc__set_value(it, "%" PRIu64 " per process, %" PRIu64 " in use", s->max_map_count.v,
		      s->maps_now.v);
	if (!c->threads) {
		threads_epoll_note(c, it);
		return;
	}
	it->conns = mc__sub0(s->max_map_count.v, s->maps_now.v) / per;
	mc__set_note(it,
		     "(%" PRIu64 " - %" PRIu64 " maps of %s) / %" PRIu64
		     " maps per connection (a thread's stack and its guard page)",
		     s->max_map_count.v, s->maps_now.v, s->pid > 0 ? "the process" : "this process",
		     per);
	d = mc__demand(c, it);
	it->raise_to = mc__add_sat(mc__add_sat(s->maps_now.v, mc__mul_sat(d, per)), 1024);
	mc__fix_sysctl_u64(it, "vm.max_map_count", it->raise_to);
	mc__add_fix(it, "or --model epoll: a few threads, a few maps, for every connection");
}

/* The CPU headroom kept apart from the heartbeats: the kernel's other
 * work, softirq that is not the connections', the rest of the host. */
#define CPU_HEADROOM_PCT 20

/* CPUs usable: the affinity's, or the cgroup quota's when lower; *from
 * says which. */
static double usable_cpus(const struct mc_limits_snap *s, const char **from)
{
	const struct mc_limits_cgroup *cg = &s->cg;
	double n = (double)s->cpus.v;

	*from = "CPUs this process may run on (sched_getaffinity)";
	if (cg->cpu_quota_us.err == 0 && cg->cpu_quota_us.v != MC_LIMITS_NONE &&
	    cg->cpu_period_us.err == 0 && cg->cpu_period_us.v) {
		double q = (double)cg->cpu_quota_us.v / (double)cg->cpu_period_us.v;
		if (q < n) {
			n = q;
			*from = cg->version == 1 ? "the cgroup's cpu.cfs_quota_us / cfs_period_us"
						 : "the cgroup's cpu.max";
		}
	}
	return n;
}

/* The CPU other work takes from cpus (s->cpubusy): what threads spinning
 * on every CPU could not get (the scheduler's share under other work's
 * load, the quota's throttling), the host's busy CPUs beside it. Without
 * the spin: the cgroup's own usage when its quota binds (or the host's,
 * when the host leaves less), else the host's. 0 when not measured; what
 * says what was measured. */
static double busy_cpus(const struct mc_limits_snap *s, double cpus, bool quota, char *what,
			size_t len)
{
	const struct mc_cpubusy *b = &s->cpubusy;
	double busy = 0;

	what[0] = 0;
	if (b->spun) {
		snprintf(
		    what, len,
		    "%u threads spinning got %.2f CPUs over %.1f s; /proc/stat: %.2f busy before",
		    b->spinners, b->avail_cpus, b->spin_s, b->host_cpus);
		return b->avail_cpus < cpus ? cpus - b->avail_cpus : 0;
	}
	if (quota && b->cg_read) {
		busy = b->cg_cpus;
		snprintf(what, len, "the cgroup's usage");
	}
	if (b->read && (!quota || (double)s->cpus.v - b->host_cpus < cpus - busy)) {
		busy = cpus - ((double)s->cpus.v - b->host_cpus);
		snprintf(what, len, "/proc/stat");
	}
	if (what[0])
		snprintf(what + strlen(what), len - strlen(what), " over %.1f s", b->window_s);
	return busy > 0 ? busy : 0;
}

/* cpu with --heartbeat: usable CPU less what other work uses, less the
 * headroom / (messages per second per connection x the measured CPU per
 * message at the ends on this host). */
static void judge_cpu_heartbeat(struct mc__judge *c, struct mc_limits_item *it, double cpus,
				const char *from)
{
	const struct mc_msgcost *m = &c->s->msgcost;
	double rate = 1e9 / (double)c->sc->heartbeat_ns, per, usable, busy;
	char what[128], minus[224] = "";
	uint64_t d;

	it->kind = MC_LIMITS_CEILING;
	if (!m->measured || m->msg_bytes != c->sc->message || m->model != c->sc->model) {
		it->status = MC_LIMITS_UNKNOWN;
		it->conns = MC_LIMITS_NONE;
		snprintf(it->reason, sizeof(it->reason),
			 "the CPU a message costs is not known: %.150s",
			 !m->measured || m->msg_bytes != c->sc->message
			     ? (m->how[0] ? m->how : "not measured (under --root)")
			     : "measured for another --model");
		return;
	}
	busy = busy_cpus(c->s, cpus, cpus < (double)c->s->cpus.v, what, sizeof(what));
	if (what[0]) {
		snprintf(minus, sizeof(minus), " - %.2f taken by other work (measured: %s) = %.2f",
			 busy, what, cpus - busy > 0 ? cpus - busy : 0);
		cpus = cpus - busy > 0 ? cpus - busy : 0;
	}
	per = (c->server ? m->server_ns : 0) + (c->client ? m->client_ns : 0);
	usable = cpus * (100 - CPU_HEADROOM_PCT) / 100;
	it->conns = (uint64_t)(usable * 1e9 / (rate * per));
	mc__set_note(it,
		     "%.2f CPUs (%s)%s less %d%% headroom = %.2f / (%.1f messages/s per connection "
		     "x %.1f us per message: %s%s%s) (%s)",
		     what[0] ? cpus + busy : cpus, from, minus, CPU_HEADROOM_PCT, usable, rate,
		     per / 1000, c->server ? "server end" : "", c->server && c->client ? " + " : "",
		     c->client ? "client end" : "", m->how);
	d = mc__demand(c, it);
	mc__add_fix(it,
		    "%" PRIu64 " connections at %.1f messages/s need %.2f CPUs: more cores "
		    "or hosts, or a longer --heartbeat",
		    d, rate, (double)d * rate * per / 1e9 * 100 / (100 - CPU_HEADROOM_PCT));
	mc__add_fix(it, "or fewer wakeups per message (batch them; epoll over threads)");
}

/* cpu: CPUs and a cgroup quota. Idle connections cost none: information;
 * with --heartbeat a ceiling (judge_cpu_heartbeat). */
void mc__judge_cpu(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_cgroup *cg = &s->cg;
	const char *from;
	double cpus;

	mc__add_val(it, "cpus", s->cpus);
	mc__add_val(it, "quota_us", cg->cpu_quota_us);
	mc__add_val(it, "period_us", cg->cpu_period_us);
	if (s->cpus.err) {
		mc__set_unknown(it, "the CPU affinity", s->cpus.err);
		if (!c->sc->heartbeat_ns)
			it->status = MC_LIMITS_FINE;
		return;
	}
	cpus = usable_cpus(s, &from);
	if (cpus < (double)s->cpus.v)
		mc__set_value(it, "%" PRIu64 " (cgroup quota %.2f CPUs)", s->cpus.v, cpus);
	else
		mc__set_value(it, "%" PRIu64, s->cpus.v);
	if (c->sc->heartbeat_ns) {
		judge_cpu_heartbeat(c, it, cpus, from);
		return;
	}
	mc__set_note(it, "idle connections cost no CPU: CPU bounds how fast connections open and "
			 "how much traffic they carry, not how many are held; --heartbeat D "
			 "makes it a ceiling");
}
