/* sockcost.c: what an idle connection costs in kernel memory and in a
 * memory cgroup's charge here (see sockcost.h): the calibration in a
 * forked child (calib.c's namespace, pipe and budget) with child memory
 * cgroups of its own, and the arithmetic of its readings (pure). */
#include "limits/sockcost.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/err.h"
#include "common/procfs.h"
#include "limits/calib.h"

#define SLAB_TXT (1u << 20) /* /proc/slabinfo's text: ~40 KB, kept generous */

static uint64_t per(uint64_t after, uint64_t before, uint64_t n)
{
	return after > before && n ? (after - before + n / 2) / n : 0;
}

/* The median of the rounds' figures (v is sorted in place). */
static uint64_t median(uint64_t v[MC_SOCKCOST_ROUNDS])
{
	for (int i = 1; i < MC_SOCKCOST_ROUNDS; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[MC_SOCKCOST_ROUNDS / 2];
}

void mc_sockcost_sum(const struct mc_sockcost_raw *raw, struct mc_sockcost *c)
{
	uint64_t n = raw->n, f[6][MC_SOCKCOST_ROUNDS];

	for (int i = 0; i < MC_SOCKCOST_ROUNDS; i++) {
		const uint64_t *sl = raw->slab[i];
		uint64_t con = per(sl[1], sl[0], n);
		/* phase 1 made the connecting socket and the accepted one's tcp_sock */
		f[0][i] = con > raw->tcp_obj ? con - raw->tcp_obj : 0;
		f[1][i] = per(sl[2], sl[1], n) + (con ? raw->tcp_obj : 0);
		f[2][i] = per(sl[3], sl[2], 2 * n);
		f[3][i] = per(raw->cg1[i][0], raw->cg0[i][0], n);
		f[4][i] = per(raw->cg1[i][1], raw->cg0[i][1], n);
		f[5][i] = per(raw->cg1[i][2], raw->cg0[i][2], 2 * n);
	}
	c->conns = n;
	c->connect_bytes = median(f[0]);
	c->accept_bytes = median(f[1]);
	c->epoll_bytes = median(f[2]);
	c->measured = n && c->connect_bytes && c->accept_bytes;
	c->cg_version = raw->cg_version;
	if (!raw->cg_version)
		return;
	c->cg_connect_bytes = median(f[3]);
	c->cg_accept_bytes = median(f[4]);
	c->cg_epoll_bytes = median(f[5]);
}

int mc_sockcost_slab(const char *txt, uint64_t page_size, uint64_t *bytes, uint64_t *tcp_obj)
{
	const char *p = txt;

	*bytes = *tcp_obj = 0;
	if (strncmp(txt, "slabinfo - version: 2.", 22) != 0)
		return -EINVAL;
	while ((p = strchr(p, '\n')) && *++p) {
		char name[64];
		unsigned long long act, num, size, perslab, pages;
		if (*p == '#' ||
		    sscanf(p, "%63s %llu %llu %llu %llu %llu", name, &act, &num, &size, &perslab,
			   &pages) != 6 ||
		    !perslab)
			continue;
		/* an object's share of its slab's pages: what MemAvailable loses */
		*bytes += act * pages * page_size / perslab;
		if (strcmp(name, "TCP") == 0)
			*tcp_obj = pages * page_size / perslab;
	}
	return 0;
}

/* What the child is given: the connections, the three phases' cgroups
 * (connect, accept, epoll; "" when none) and the file of their charge. */
struct cal_arg {
	uint64_t n, page_size;
	int cg_version;
	char cg[3][300];
	char usage_file[32];
};

struct cal_state {
	const struct cal_arg *a;
	int *con, *acc;
	char *txt;
	struct mc_sockcost_raw *raw;
	int round;
};

static int slab_now(struct cal_state *s, int i)
{
	uint64_t tcp;
	int rc;

	if ((rc = (int)mc_proc_read(NULL, "/proc/slabinfo", s->txt, SLAB_TXT)) < 0)
		return rc;
	rc = mc_sockcost_slab(s->txt, s->a->page_size, &s->raw->slab[s->round][i], &tcp);
	if (tcp)
		s->raw->tcp_obj = tcp;
	return rc;
}

static int charge_now(struct cal_state *s, int phase, uint64_t *v)
{
	char path[340];

	if (!s->a->cg_version)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", s->a->cg[phase], s->a->usage_file);
	return mc_proc_read_u64(NULL, path, v);
}

/* Enter phase i's cgroup and read its charge before the phase. */
static int phase_begin(struct cal_state *s, int i)
{
	int rc;

	if (s->a->cg_version && (rc = mc_cg_join(s->a->cg[i])) < 0)
		return rc;
	return charge_now(s, i, &s->raw->cg0[s->round][i]);
}

static int phase_end(struct cal_state *s, int i)
{
	int rc = charge_now(s, i, &s->raw->cg1[s->round][i]);

	return rc < 0 ? rc : slab_now(s, i + 1);
}

static int phases(struct cal_state *s, int lfd, const struct sockaddr_in *a)
{
	uint64_t n = s->a->n;
	int *con = s->con + s->round * n, *acc = s->acc + s->round * n;
	int rc, ep;

	if ((rc = slab_now(s, 0)) < 0 || (rc = phase_begin(s, 0)) < 0)
		return rc;
	for (uint64_t i = 0; i < n; i++)
		if ((con[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    connect(con[i], (const struct sockaddr *)a, sizeof(*a)) < 0)
			return -errno;
	if ((rc = phase_end(s, 0)) < 0 || (rc = phase_begin(s, 1)) < 0)
		return rc;
	for (uint64_t i = 0; i < n; i++)
		if ((acc[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			return -errno;
	if ((rc = phase_end(s, 1)) < 0 || (rc = phase_begin(s, 2)) < 0)
		return rc;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	for (uint64_t i = 0; i < 2 * n; i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		int fd = i < n ? con[i] : acc[i - n];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -errno;
	}
	return phase_end(s, 2);
}

/* In the calibration's child: pinned to its CPU (one CPU's charge caches),
 * its buffers touched before the first reading, then the phases. */
static int cal_run(void *arg, void *out)
{
	struct cal_state s = {.a = arg, .raw = out};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	uint64_t all = MC_SOCKCOST_ROUNDS * s.a->n;
	struct rlimit rl = {.rlim_cur = 2 * all + 64, .rlim_max = 2 * all + 64};
	int rc = 0;
	cpu_set_t cpus;
	int lfd, cpu = sched_getcpu();

	CPU_ZERO(&cpus);
	CPU_SET(cpu < 0 ? 0 : cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	s.con = malloc(all * sizeof(int));
	s.acc = malloc(all * sizeof(int));
	s.txt = malloc(SLAB_TXT);
	if (!s.con || !s.acc || !s.txt)
		return -ENOMEM;
	memset(s.con, -1, all * sizeof(int));
	memset(s.acc, -1, all * sizeof(int));
	memset(s.txt, 0, SLAB_TXT);
	memset(s.raw, 0, sizeof(*s.raw));
	s.raw->n = s.a->n;
	s.raw->cg_version = s.a->cg_version;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, (int)s.a->n) < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
		return -errno;
	for (s.round = 0; !rc && s.round < MC_SOCKCOST_ROUNDS; s.round++)
		rc = phases(&s, lfd, &a);
	return rc; /* the process exits: the kernel closes them */
}

/* What a calibration killed midway (SIGKILL) left under dir: the empty
 * cgroups of a process that is gone. */
static void cg_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];
	int pid;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "maxconn-calib.%d.", &pid) == 1 && pid > 0 &&
		    kill(pid, 0) < 0 && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			mc_cg_sub_remove(path);
		}
	if (d)
		closedir(d);
}

/* The three phases' cgroups under dir, each capped at MC_SOCKCOST_CG_MAX
 * (should the calibration run away, the OOM killer has only it to pick):
 * 0, or -errno with those made gone. */
static int cg_make(struct cal_arg *a, const char *dir)
{
	const char *max = a->cg_version == 1 ? "memory.limit_in_bytes" : "memory.max";
	char path[340], v[32];

	cg_sweep(dir);
	static const char *const side[3] = {"connect", "accept", "epoll"};
	char name[64];

	for (int i = 0; i < 3; i++) {
		int rc;
		snprintf(name, sizeof(name), "maxconn-calib.%d.%s", (int)getpid(), side[i]);
		rc = mc_cg_sub_make(dir, name, a->cg[i], sizeof(a->cg[i]));
		if (rc == 0) {
			snprintf(path, sizeof(path), "%s/%s", a->cg[i], max);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)MC_SOCKCOST_CG_MAX);
			if ((rc = mc_proc_write(NULL, path, v)) < 0)
				mc_cg_sub_remove(a->cg[i]);
		}
		if (rc < 0) {
			while (i-- > 0)
				mc_cg_sub_remove(a->cg[i]);
			return rc;
		}
	}
	return 0;
}

int mc_sockcost_measure(uint64_t conns, const char *cg_dir, int cg_version, struct mc_sockcost *c)
{
	struct cal_arg a = {.n = conns, .cg_version = cg_version};
	struct mc_sockcost_raw raw;
	char eb[64], path[340], when[32];
	struct tm tm;
	int rc, cgrc = -ENOENT;

	a.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	snprintf(a.usage_file, sizeof(a.usage_file), "memory.current");
	if (cg_version == 1) {
		snprintf(path, sizeof(path), "%s/memory.kmem.usage_in_bytes", cg_dir);
		snprintf(a.usage_file, sizeof(a.usage_file), "%s",
			 access(path, R_OK) == 0 ? "memory.kmem.usage_in_bytes"
						 : "memory.usage_in_bytes");
	}
	if (cg_dir && cg_version && (cgrc = cg_make(&a, cg_dir)) < 0)
		a.cg_version = 0;
	rc = mc_calib_run(cal_run, &a, &raw, sizeof(raw), 3000);
	for (int i = 0; a.cg_version && i < 3; i++)
		mc_cg_sub_remove(a.cg[i]);
	memset(c, 0, sizeof(*c));
	if (rc < 0)
		return rc;
	mc_sockcost_sum(&raw, c);
	c->at = (uint64_t)time(NULL);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime_r(&(time_t){(time_t)c->at}, &tm));
	snprintf(c->how, sizeof(c->how),
		 "measured %s: %d x %" PRIu64 " loopback connections in a private network "
		 "namespace, the growth of every /proc/slabinfo cache per socket, each side apart "
		 "(median of the rounds)",
		 when, MC_SOCKCOST_ROUNDS, conns);
	if (a.cg_version)
		snprintf(c->cg_how, sizeof(c->cg_how),
			 "measured: the same connections' %s in child cgroups of %.120s (v%d), one "
			 "per side",
			 a.usage_file, cg_dir, cg_version);
	else
		snprintf(c->cg_how, sizeof(c->cg_how), "no child memory cgroup could be made (%s)",
			 cg_dir && cg_version ? mc_strerror(cgrc, eb, sizeof(eb))
					      : "no memory cgroup found");
	return c->measured ? 0 : -ENODATA;
}
