/* cpuwatch.h: CPU saturation as users feel it, while the probe ramps with
 * --heartbeat: the heartbeats' round trips (timed from when each was due)
 * beyond --max-rtt, or messages skipped, while the host's CPUs are busy or
 * the probe's CPU cgroup is throttled at its quota. Sampled with the
 * ramp's samples; keeps the last count at which the schedule held, and the
 * evidence at the stop. */
#ifndef MC_PROBE_CPUWATCH_H
#define MC_PROBE_CPUWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/hist.h"

struct mc_client_stats;

/* /proc/stat's first line (jiffies) and procs_running */
struct mc_probe_cpustat {
	uint64_t user, sys, idle, softirq, total;
	uint64_t runq;
	uint64_t throttled; /* the CPU cgroup's cpu.stat nr_throttled (0: none) */
};

struct mc_probe_cpuwatch {
	uint64_t max_rtt_ns;
	char cg_stat[300]; /* the probe's CPU cgroup's cpu.stat ("": none) */
	struct mc_hist prev;
	uint64_t skipped0, skipped_first;
	struct mc_probe_cpustat t0; /* the last sample's */
	/* the busy shares are over the last 8 samples (/proc/stat
	 * counts in ticks: 100 ms of 2 CPUs is 20) */
	struct mc_probe_cpustat ring[8];
	unsigned nring;
	bool started;
	int bad; /* samples in a row late while busy */
	/* the last sample at which the schedule held */
	uint64_t good_held, good_p50, good_p99;
	/* the sample that ended it (or the last) */
	uint64_t held, p50, p99, runq;
	uint64_t skipped;		 /* messages skipped since the watch began */
	double busy, user, sys, softirq; /* shares of all CPUs' time */
	bool throttled;
};

/* Samples in a row, late while busy, that make saturation. */
#define MC_PROBE_CPU_BAD 3
/* The share of the CPUs that is busy. */
#define MC_PROBE_CPU_BUSY 0.85

void mc_probe_cpuwatch_init(struct mc_probe_cpuwatch *w, uint64_t max_rtt_ns);
/* One sample of the client's counts: true once the CPU is saturated. */
bool mc_probe_cpuwatch_sample(struct mc_probe_cpuwatch *w, const struct mc_client_stats *cs);

#endif
