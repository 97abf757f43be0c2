/* cpubusy.h: the CPU left to this process, measured before a heartbeat
 * ramp (or a limits run) so cpu's ceiling counts only that: one thread
 * per CPU spins for a short window and the CPU their clocks got is what
 * the scheduler shares out here now (other work's runnable tasks, the
 * cgroup's quota); with it, as evidence, the host's busy CPUs from
 * /proc/stat and the CPU cgroup's usage (v2 cpu.stat usage_usec, v1
 * cpuacct.usage) over a window just before. */
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
	bool spun;	  /* avail_cpus measured */
	unsigned spinners;
	double spin_s;	   /* the spin's length */
	double avail_cpus; /* CPU the spinning threads got, together */
};

/* Pure: CPUs busy between two /proc/stat texts (their first "cpu" line
 * and the count of "cpuN" lines). -EINVAL when unreadable. */
int mc_cpubusy_parse(const char *stat0, const char *stat1, double *cpus);
/* Measure over window_ms (a second or less) each: the busy CPUs, then
 * spinners threads spinning. 0, or -errno when /proc/stat cannot be read
 * (cg_read, spun false when those could not). */
int mc_cpubusy_measure(unsigned window_ms, unsigned spinners, struct mc_cpubusy *b);

#endif
