/* cpuwatch.c: CPU saturation from late heartbeats while the CPUs are busy
 * (see cpuwatch.h): /proc/stat, the CPU cgroup's cpu.stat, the client's
 * round trips and skipped messages. */
#include "probe/cpuwatch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "common/cgroup.h"
#include "common/procfs.h"

static void cpustat_read(const struct mc_probe_cpuwatch *w, struct mc_probe_cpustat *c)
{
	char buf[8192];
	unsigned long long v[8] = {0};
	const char *p;
	uint64_t thr = 0;

	memset(c, 0, sizeof(*c));
	if (mc_proc_read(NULL, "/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 7)
		return;
	c->user = v[0] + v[1];
	c->sys = v[2] + v[5];
	c->idle = v[3] + v[4];
	c->softirq = v[6];
	c->total = c->user + c->sys + c->idle + c->softirq + v[7];
	if ((p = strstr(buf, "\nprocs_running ")))
		c->runq = strtoull(p + 15, NULL, 10);
	if (w->cg_stat[0] && mc_proc_read(NULL, w->cg_stat, buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "nr_throttled ")))
		thr = strtoull(p + 13, NULL, 10);
	c->throttled = thr;
}

void mc_probe_cpuwatch_init(struct mc_probe_cpuwatch *w, uint64_t max_rtt_ns)
{
	struct mc_cg cg;

	memset(w, 0, sizeof(*w));
	w->max_rtt_ns = max_rtt_ns;
	mc_hist_init(&w->prev);
	mc_cg_locate(NULL, 0, MC_CG_CPU, &cg);
	if (!cg.err && cg.version)
		snprintf(w->cg_stat, sizeof(w->cg_stat), "%s/cpu.stat", cg.dir);
}

bool mc_probe_cpuwatch_sample(struct mc_probe_cpuwatch *w, const struct mc_client_stats *cs)
{
	struct mc_probe_cpustat now;
	struct mc_hist d = cs->rtt;
	const struct mc_probe_cpustat *old;
	uint64_t tot;
	bool late, busy;

	cpustat_read(w, &now);
	if (!w->started) {
		w->started = true;
		w->t0 = w->ring[w->nring++ % 8] = now;
		w->prev = cs->rtt;
		w->skipped0 = w->skipped_first = cs->msgs_skipped;
		return false;
	}
	mc_hist_sub(&d, &w->prev);
	old = w->nring < 8 ? &w->ring[0] : &w->ring[w->nring % 8];
	tot = now.total > old->total ? now.total - old->total : 0;
	w->held = cs->open;
	w->skipped = cs->msgs_skipped - w->skipped_first;
	w->p50 = d.count ? mc_hist_quantile(&d, 0.5) : 0;
	w->p99 = d.count ? mc_hist_quantile(&d, 0.99) : 0;
	w->runq = now.runq;
	if (tot) {
		w->busy = 1.0 - (double)(now.idle - old->idle) / (double)tot;
		w->user = (double)(now.user - old->user) / (double)tot;
		w->sys = (double)(now.sys - old->sys) / (double)tot;
		w->softirq = (double)(now.softirq - old->softirq) / (double)tot;
	}
	w->throttled = now.throttled > w->t0.throttled;
	late = (d.count && w->p99 > w->max_rtt_ns) || cs->msgs_skipped > w->skipped0;
	busy = (tot && w->busy >= MC_PROBE_CPU_BUSY) || w->throttled;
	if (d.count && !late) {
		w->good_held = cs->open;
		w->good_p50 = w->p50;
		w->good_p99 = w->p99;
	}
	w->bad = late && busy ? w->bad + 1 : 0;
	w->ring[w->nring++ % 8] = now;
	w->t0 = now;
	w->prev = cs->rtt;
	w->skipped0 = cs->msgs_skipped;
	return w->bad >= MC_PROBE_CPU_BAD;
}
