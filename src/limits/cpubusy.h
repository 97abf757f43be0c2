/* cpubusy.h: the CPU other work already uses, measured before a heartbeat
 * ramp (or a limits run) so cpu's ceiling counts only the CPU left: the
 * host's busy CPUs from /proc/stat and the CPU cgroup's usage (v2 cpu.stat
 * usage_usec, v1 cpuacct.usage) over a short window. */
#ifndef MC_LIMITS_CPUBUSY_H
#define MC_LIMITS_CPUBUSY_H

#include <stdbool.h>
#include <stdint.h>

/* The window limits and the probe measure over. */
#define MC_CPUBUSY_WINDOW_MS 300

struct mc_cpubusy {
	bool read;	  /* host_cpus measured */
	bool cg_read;	  /* cg_cpus measured */
	double window_s;  /* the window's length */
	double host_cpus; /* CPUs busy on the host (all of /proc/stat's) */
	double cg_cpus;	  /* CPUs the process's CPU cgroup used */
};

/* Pure: CPUs busy between two /proc/stat texts (their first "cpu" line
 * and the count of "cpuN" lines). -EINVAL when unreadable. */
int mc_cpubusy_parse(const char *stat0, const char *stat1, double *cpus);
/* Measure over window_ms (a second or less). 0, or -errno when /proc/stat
 * cannot be read (cg_read false when the cgroup's usage cannot). */
int mc_cpubusy_measure(unsigned window_ms, struct mc_cpubusy *b);

#endif
