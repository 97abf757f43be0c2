/* cpubusy.c: the CPU left to this process (see cpubusy.h): threads that
 * spin, and /proc/stat and the CPU cgroup's usage read twice around a
 * short sleep. */
#include "limits/cpubusy.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "common/clock.h"
#include "common/cgroup.h"
#include "common/procfs.h"

/* The first line's busy and total jiffies, and the count of cpuN lines. */
static int stat_line(const char *txt, unsigned long long *busy, unsigned long long *total,
		     unsigned *ncpu)
{
	unsigned long long v[8] = {0};
	const char *p;

	if (sscanf(txt, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 7)
		return -EINVAL;
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	*busy = *total - v[3] - v[4]; /* less idle and iowait */
	*ncpu = 0;
	for (p = strstr(txt, "\ncpu"); p; p = strstr(p + 4, "\ncpu"))
		if (p[4] >= '0' && p[4] <= '9')
			(*ncpu)++;
	return *ncpu ? 0 : -EINVAL;
}

int mc_cpubusy_parse(const char *stat0, const char *stat1, double *cpus)
{
	unsigned long long b0, t0, b1, t1;
	unsigned n0, n1;

	if (stat_line(stat0, &b0, &t0, &n0) < 0 || stat_line(stat1, &b1, &t1, &n1) < 0 ||
	    t1 <= t0 || b1 < b0)
		return -EINVAL;
	*cpus = (double)(b1 - b0) / (double)(t1 - t0) * n1;
	return 0;
}

/* The CPU cgroup's usage in ns: v2 cpu.stat usage_usec, v1 cpuacct.usage
 * (the cpu and cpuacct controllers mounted together). */
static int cg_usage(const struct mc_cg *cg, uint64_t *ns)
{
	char path[320], buf[512];
	const char *p;

	if (cg->err || !cg->version)
		return -ENOENT;
	if (cg->version == 1) {
		snprintf(path, sizeof(path), "%s/cpuacct.usage", cg->dir);
		return mc_proc_read_u64(NULL, path, ns);
	}
	snprintf(path, sizeof(path), "%s/cpu.stat", cg->dir);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "usage_usec ")))
		return -ENODATA;
	*ns = strtoull(p + 11, NULL, 10) * 1000;
	return 0;
}

/* A spinner: its CPU clock over its spin, until end (CLOCK_MONOTONIC). */
struct spin {
	pthread_t t;
	uint64_t end, cpu_ns;
};

static void *spin_main(void *arg)
{
	struct spin *sp = arg;
	struct timespec c0, c1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	while (mc_now_ns() < sp->end)
		;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	sp->cpu_ns = (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000ULL + (uint64_t)c1.tv_nsec -
		     (uint64_t)c0.tv_nsec;
	return NULL;
}

/* n threads spin for ms: the CPUs they got together into b. */
static void spin_measure(unsigned n, unsigned ms, struct mc_cpubusy *b)
{
	struct spin *sp = calloc(n, sizeof(*sp));
	uint64_t t0 = mc_now_ns(), sum = 0;
	unsigned k = 0;

	if (!sp)
		return;
	for (; k < n; k++) {
		sp[k].end = t0 + (uint64_t)ms * 1000000ULL;
		if (pthread_create(&sp[k].t, NULL, spin_main, &sp[k]))
			break;
	}
	for (unsigned i = 0; i < k; i++) {
		pthread_join(sp[i].t, NULL);
		sum += sp[i].cpu_ns;
	}
	b->spin_s = (double)(mc_now_ns() - t0) / 1e9;
	if (k == n && b->spin_s > 0) {
		b->spun = true;
		b->spinners = n;
		b->avail_cpus = (double)sum / 1e9 / b->spin_s;
	}
	free(sp);
}

int mc_cpubusy_measure(unsigned window_ms, unsigned spinners, struct mc_cpubusy *b)
{
	static const size_t len = 64 * 1024;
	char *s0 = malloc(len), *s1 = malloc(len);
	struct timespec w = {.tv_sec = window_ms / 1000,
			     .tv_nsec = (long)(window_ms % 1000) * 1000000};
	struct mc_cg cg;
	uint64_t u0 = 0, u1 = 0, t0, t1;
	ssize_t k;
	int cgok, rc = 0;

	memset(b, 0, sizeof(*b));
	if (!s0 || !s1) {
		free(s0);
		free(s1);
		return -ENOMEM;
	}
	mc_cg_locate(NULL, 0, MC_CG_CPU, &cg);
	cgok = cg_usage(&cg, &u0) == 0;
	t0 = mc_now_ns();
	k = mc_proc_read(NULL, "/proc/stat", s0, len);
	nanosleep(&w, NULL);
	if (k > 0)
		k = mc_proc_read(NULL, "/proc/stat", s1, len);
	if (k <= 0)
		rc = k < 0 ? (int)k : -EIO;
	cgok = cgok && cg_usage(&cg, &u1) == 0 && u1 >= u0;
	t1 = mc_now_ns();
	b->window_s = (double)(t1 - t0) / 1e9;
	if (!rc)
		rc = mc_cpubusy_parse(s0, s1, &b->host_cpus);
	b->read = rc == 0;
	if (cgok && t1 > t0) {
		b->cg_cpus = (double)(u1 - u0) / (double)(t1 - t0);
		b->cg_read = true;
	}
	free(s0);
	free(s1);
	if (spinners)
		spin_measure(spinners, window_ms, b);
	return rc;
}
