/* read.c: fills struct mc_limits_snap from the host: sysctls under /proc/sys,
 * /proc/meminfo, /proc/slabinfo, /proc/net/{netstat,sockstat} and the port
 * sysctls (their one reader each is host/host.h's), /proc/net/fib_trie,
 * cgroup v1 or v2 files, /etc/security/limits.conf and limits.d, and the
 * process's own rlimits. Every path goes through a root so tests read fake
 * trees. Nothing here judges or prints: a value that cannot be read keeps
 * the -errno of the read. */
#include "limits/limits.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/procfs.h"
#include "host/host.h"

/* One number from a one-value file ("1048576\n"). */
static struct mc_host_num num_file(const char *root, const char *path)
{
	struct mc_host_num n = {0, 0};

	n.err = mc_proc_read_u64(root, path, &n.v);
	return n;
}

/* cnt numbers from a multi-value file ("4096\t131072\t6291456"). */
static void nums_file(const char *root, const char *path, struct mc_host_num *out, int cnt)
{
	uint64_t v[4] = {0};
	int rc = mc_proc_read_u64s(root, path, v, cnt);

	for (int i = 0; i < cnt; i++) {
		out[i].v = v[i];
		out[i].err = rc;
	}
}

static struct mc_host_num num_err(int err)
{
	struct mc_host_num n = {0, err};

	return n;
}

static struct mc_host_num num_val(uint64_t v)
{
	struct mc_host_num n = {v, 0};

	return n;
}

/* The port range, and the reserved ports inside it. */
static void read_ports(const char *root, struct mc_limits_snap *s)
{
	struct mc_host_port_range pr;
	struct mc_host_reserved *res;

	mc_host_port_range_read(root, &pr);
	s->port_lo = pr.err ? num_err(pr.err) : num_val(pr.lo);
	s->port_hi = pr.err ? num_err(pr.err) : num_val(pr.hi);
	if (pr.err) {
		s->reserved_in_range = num_err(pr.err);
		return;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		s->reserved_in_range = num_err(-ENOMEM);
		return;
	}
	mc_host_reserved_read(root, res);
	s->reserved_in_range =
	    res->err ? num_err(res->err) : num_val(mc_host_reserved_count(res, pr.lo, pr.hi));
	free(res);
}

/* The TCP line of /proc/net/sockstat: all three figures the model reads,
 * or none (-EINVAL when the file lacks one). */
static void read_sockstat(const char *root, struct mc_host_sockstat *so)
{
	int err;

	mc_host_sockstat_read(root, so);
	if (!so->err && !so->tcp_inuse.err && !so->tcp_orphan.err && !so->tcp_tw.err)
		return;
	err = so->err ? so->err : -EINVAL;
	so->tcp_inuse = so->tcp_orphan = so->tcp_tw = (struct mc_host_num){0, err};
}

/* Local IPv4 addresses and blocks: "|-- ADDR" followed by "/N host LOCAL"
 * in the Main table of /proc/net/fib_trie. */
static void read_addrs(const char *root, struct mc_limits_snap *s)
{
	char *buf = malloc(1 << 18);
	ssize_t r;
	char last[16] = "";

	s->naddrs = 0;
	if (!buf) {
		s->addrs_err = -ENOMEM;
		return;
	}
	r = mc_proc_read(root, MC_LIMITS_P_FIB_TRIE, buf, 1 << 18);
	s->addrs_err = r < 0 ? (int)r : 0;
	for (char *line = r < 0 ? NULL : buf; line && *line;) {
		char *nl = strchr(line, '\n');
		char *p = line;
		unsigned prefix;

		if (nl)
			*nl = '\0';
		if (strncmp(line, "Local:", 6) == 0)
			break; /* the Main table already listed them */
		while (*p == ' ')
			p++;
		if (strncmp(p, "|-- ", 4) == 0) {
			snprintf(last, sizeof(last), "%.15s", p + 4);
		} else if (last[0] && sscanf(p, "/%u host LOCAL", &prefix) == 1 &&
			   strstr(p, "host LOCAL") && s->naddrs < MC_LIMITS_MAX_ADDRS) {
			bool dup = false;
			for (int i = 0; i < s->naddrs; i++)
				dup |= strcmp(s->addrs[i].addr, last) == 0;
			if (!dup) {
				snprintf(s->addrs[s->naddrs].addr, sizeof(s->addrs[0].addr), "%s",
					 last);
				s->addrs[s->naddrs].prefix = prefix;
				s->naddrs++;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
}

/* IPv6 addresses from /proc/net/if_inet6 ("00000000000000000000000000000001
 * 01 80 10 80 lo": address, ifindex, prefix, scope, flags, name), leaving
 * out link-local ones (scope 0x20), which need an interface to be used. */
static void read_addrs6(const char *root, struct mc_limits_snap *s)
{
	char buf[8192];
	ssize_t r = mc_proc_read(root, MC_LIMITS_P_IF_INET6, buf, sizeof(buf));

	s->naddrs6 = 0;
	for (char *sv, *line = r < 0 ? NULL : strtok_r(buf, "\n", &sv);
	     line && s->naddrs6 < MC_LIMITS_MAX_ADDRS; line = strtok_r(NULL, "\n", &sv)) {
		char hex[33];
		unsigned idx, plen, scope;
		struct in6_addr a;

		if (sscanf(line, "%32s %x %x %x", hex, &idx, &plen, &scope) != 4 ||
		    strlen(hex) != 32 || scope == 0x20)
			continue;
		for (int i = 0; i < 16; i++) {
			unsigned b;
			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				break;
			a.s6_addr[i] = (uint8_t)b;
		}
		inet_ntop(AF_INET6, &a, s->addrs6[s->naddrs6], sizeof(s->addrs6[0]));
		s->naddrs6++;
	}
}

/* nofile and nproc lines of one limits.conf-style file. */
static int read_conf_file(const char *root, const char *path, const char *label,
			  struct mc_limits_snap *s)
{
	char buf[16384];
	ssize_t r = mc_proc_read(root, path, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		char dom[32], type[8], item[8], val[24];

		if (nl)
			*nl = '\0';
		if (line[strspn(line, " \t")] != '#' &&
		    sscanf(line, "%31s %7s %7s %23s", dom, type, item, val) == 4 &&
		    (strcmp(item, "nofile") == 0 || strcmp(item, "nproc") == 0) &&
		    s->nconf < MC_LIMITS_MAX_CONF) {
			struct mc_limits_conf *c = &s->conf[s->nconf++];
			snprintf(c->file, sizeof(c->file), "%s", label);
			snprintf(c->domain, sizeof(c->domain), "%s", dom);
			snprintf(c->type, sizeof(c->type), "%s", type);
			snprintf(c->item, sizeof(c->item), "%s", item);
			snprintf(c->value, sizeof(c->value), "%s", val);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* limits.conf, then limits.d/\*.conf in name order (as pam_limits does). */
static void read_conf(const char *root, struct mc_limits_snap *s)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *e;
	char *names[64];
	int n = 0;

	s->nconf = 0;
	s->conf_err = read_conf_file(root, MC_LIMITS_P_LIMITS_CONF, "limits.conf", s);
	snprintf(dir, sizeof(dir), "%s%s", root ? root : "", MC_LIMITS_P_LIMITS_D);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) && n < 64) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".conf") == 0) {
			names[n] = strdup(e->d_name);
			if (names[n])
				n++;
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], label[64];
		snprintf(path, sizeof(path), "%s/%s", MC_LIMITS_P_LIMITS_D, names[i]);
		snprintf(label, sizeof(label), "limits.d/%.50s", names[i]);
		read_conf_file(root, path, label, s);
		free(names[i]);
	}
}

/* "/proc/self/NAME", or "/proc/PID/NAME" for another process. */
static const char *proc_path(int pid, const char *name, char *buf, size_t len)
{
	if (pid > 0)
		snprintf(buf, len, "/proc/%d/%s", pid, name);
	else
		snprintf(buf, len, "/proc/self/%s", name);
	return buf;
}

int mc_limits_root_check(const char *root)
{
	static const char *const dirs[] = {"/proc", "/sys", "/etc"};
	char path[PATH_MAX];
	struct stat st;

	if (stat(root, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		if (access(path, F_OK) == 0)
			return 0;
	}
	return -ENODATA;
}

/* CPU quota: cpu.max "QUOTA PERIOD" (v2) or cfs_quota_us/cfs_period_us (v1). */
static void cg_cpu(const char *root, const char *dir, int version, struct mc_limits_cgroup *cg)
{
	char path[PATH_MAX], buf[64];
	unsigned long long q, p;

	cg->cpu_quota_us = num_val(MC_LIMITS_NONE);
	cg->cpu_period_us = num_val(100000);
	if (version == 2) {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		if (mc_proc_read(root, path, buf, sizeof(buf)) < 0)
			return;
		if (sscanf(buf, "%llu %llu", &q, &p) == 2 && p > 0) {
			cg->cpu_quota_us = num_val(q);
			cg->cpu_period_us = num_val(p);
		}
		return;
	}
	snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
	if (mc_proc_read(root, path, buf, sizeof(buf)) < 0 || buf[0] == '-')
		return;
	q = strtoull(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
	if (mc_proc_read(root, path, buf, sizeof(buf)) < 0)
		return;
	p = strtoull(buf, NULL, 10);
	if (p > 0) {
		cg->cpu_quota_us = num_val(q);
		cg->cpu_period_us = num_val(p);
	}
}

/* A number of a cgroup file: err, or the value (MC_CG_NONE is
 * MC_LIMITS_NONE). */
static struct mc_host_num cg_num(int err, uint64_t v)
{
	return err ? num_err(err) : num_val(v);
}

/* The memory and pids cgroups of the process (common/cgroup.h: the paths
 * from /proc/PID/cgroup and mountinfo, v1 or v2, walked up to the tightest
 * level), and the cpu quota of its own group. */
static void read_cgroup(const char *root, int pid, struct mc_limits_cgroup *cg)
{
	struct mc_cg mem, pids, cpu;
	struct mc_cg_mem m;
	struct mc_cg_pids p;

	memset(cg, 0, sizeof(*cg));
	mc_cg_locate(root, pid, MC_CG_MEMORY, &mem);
	mc_cg_locate(root, pid, MC_CG_PIDS, &pids);
	mc_cg_locate(root, pid, MC_CG_CPU, &cpu);
	cg->version = mem.version ? mem.version : pids.version;
	snprintf(cg->mem_path, sizeof(cg->mem_path), "%.199s", mem.dir);
	snprintf(cg->pids_path, sizeof(cg->pids_path), "%.199s", pids.dir);

	mc_cg_mem_read(root, &mem, &m);
	cg->mem_limit = cg_num(m.err, m.limit);
	cg->mem_high = m.high;
	snprintf(cg->mem_at, sizeof(cg->mem_at), "%.199s", m.at);
	cg->mem_headroom = cg->mem_usage = cg->mem_events_max = cg->mem_oom_kill = cg->mem_limit;
	if (!m.err && m.limit != MC_CG_NONE) {
		cg->mem_usage = cg_num(m.use_err, m.usage);
		cg->mem_headroom = cg_num(m.use_err, mc_cg_mem_room(&m));
		cg->mem_events_max = cg_num(m.ev_err, m.ev_max);
		cg->mem_oom_kill = cg_num(m.ev_err, m.ev_oom_kill);
	}

	mc_cg_pids_read(root, &pids, &p);
	cg->pids_max = cg_num(p.err, p.max);
	snprintf(cg->pids_at, sizeof(cg->pids_at), "%.199s", p.at);
	cg->pids_current = num_val(0);
	cg->pids_events_max = num_err(-ENOENT);
	if (p.err)
		cg->pids_current = num_err(p.err);
	else if (p.max != MC_CG_NONE) {
		cg->pids_current = cg_num(p.cur_err, p.current);
		cg->pids_events_max = cg_num(p.ev_err, p.ev_max);
	}
	cg_cpu(root, cpu.dir, cpu.version, cg);
	if (!cpu.version || cpu.err)
		cg->cpu_quota_us = num_val(MC_LIMITS_NONE);
}

/* "0 0 4294967295": the initial user namespace. */
static bool read_init_userns(const char *root, int pid)
{
	char buf[256], path[64];
	unsigned long long a, b, c;

	if (mc_proc_read(root, proc_path(pid, "uid_map", path, sizeof(path)), buf, sizeof(buf)) < 0)
		return true; /* no user namespaces in this kernel */
	return sscanf(buf, "%llu %llu %llu", &a, &b, &c) == 3 && a == 0 && b == 0 &&
	       c == 4294967295ULL;
}

/* "0.02 0.03 0.00 1/79 2831": 79 threads exist now. */
static struct mc_host_num read_threads_now(const char *root)
{
	char buf[256];
	ssize_t r = mc_proc_read(root, MC_LIMITS_P_LOADAVG, buf, sizeof(buf));
	double a, b, c;
	unsigned long long run, total;

	if (r < 0)
		return num_err((int)r);
	if (sscanf(buf, "%lf %lf %lf %llu/%llu", &a, &b, &c, &run, &total) != 5)
		return num_err(-EINVAL);
	return num_val(total);
}

/* May this process write root+path? (A sysctl a child network namespace
 * shows read-only is 0444 even for root.) */
static bool writable(const char *root, const char *path)
{
	char full[PATH_MAX];

	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	return access(full, W_OK) == 0;
}

/* Lines of /proc/self/maps (or /proc/PID/maps): the maps of the process. */
static struct mc_host_num read_maps(const char *root, int pid)
{
	char path[64];
	uint64_t n;
	int rc = mc_proc_count_lines(root, proc_path(pid, "maps", path, sizeof(path)), &n);

	return rc < 0 ? num_err(rc) : num_val(n);
}

/* Is the iptables nat table loaded? NAT needs conntrack, so the kernel
 * tracks every connection even before the first entry shows. */
static bool ipt_nat(const char *root)
{
	char buf[1024];

	if (mc_proc_read(root, MC_LIMITS_P_IPT_NAMES, buf, sizeof(buf)) < 0)
		return false;
	for (char *sv, *t = strtok_r(buf, "\n", &sv); t; t = strtok_r(NULL, "\n", &sv))
		if (strcmp(t, "nat") == 0)
			return true;
	return false;
}

void mc_limits_read(const char *root, struct mc_limits_snap *s)
{
	uint64_t page = s->page_size ? s->page_size : 4096;

	snprintf(s->root, sizeof(s->root), "%s", root ? root : "");
	s->nr_open = num_file(root, MC_LIMITS_P_NR_OPEN);
	s->file_max = num_file(root, MC_LIMITS_P_FILE_MAX);
	s->file_nr = num_file(root, MC_LIMITS_P_FILE_NR);
	read_conf(root, s);

	read_ports(root, s);
	read_addrs(root, s);
	read_addrs6(root, s);

	s->somaxconn = num_file(root, MC_LIMITS_P_SOMAXCONN);
	s->syn_backlog = num_file(root, MC_LIMITS_P_SYN_BACKLOG);
	s->syncookies = num_file(root, MC_LIMITS_P_SYNCOOKIES);
	mc_host_netstat_read(root, &s->netstat);

	mc_host_meminfo_read(root, &s->meminfo);
	s->overcommit = num_file(root, MC_LIMITS_P_OVERCOMMIT);
	mc_host_slab_bytes_read(root, page, &s->slab);
	nums_file(root, MC_LIMITS_P_TCP_MEM, s->tcp_mem, 3);
	nums_file(root, MC_LIMITS_P_TCP_RMEM, s->tcp_rmem, 3);
	nums_file(root, MC_LIMITS_P_TCP_WMEM, s->tcp_wmem, 3);
	read_cgroup(root, s->pid, &s->cg);

	s->epoll_watches = num_file(root, MC_LIMITS_P_EPOLL_WATCHES);
	s->threads_max = num_file(root, MC_LIMITS_P_THREADS_MAX);
	s->pid_max = num_file(root, MC_LIMITS_P_PID_MAX);
	s->threads_now = read_threads_now(root);
	s->max_map_count = num_file(root, MC_LIMITS_P_MAP_COUNT);
	s->maps_now = read_maps(root, s->pid);
	s->init_userns = read_init_userns(root, s->pid);

	s->ct_max = num_file(root, MC_HOST_P_CT_MAX);
	if (s->ct_max.err == -ENOENT)
		s->ct_max = num_file(root, "/proc/sys/net/nf_conntrack_max");
	s->ct_count = num_file(root, MC_HOST_P_CT_COUNT);
	s->ct_buckets = num_file(root, MC_LIMITS_P_CT_BUCKETS);
	s->ct_nat_table = ipt_nat(root);

	s->tw_buckets = num_file(root, MC_LIMITS_P_TW_BUCKETS);
	s->tw_reuse = num_file(root, MC_LIMITS_P_TW_REUSE);
	s->tw_reuse_delay = num_file(root, MC_LIMITS_P_TW_DELAY);
	s->timestamps = num_file(root, MC_LIMITS_P_TIMESTAMPS);
	s->fin_timeout = num_file(root, MC_LIMITS_P_FIN_TIMEOUT);
	s->max_orphans = num_file(root, MC_LIMITS_P_ORPHANS);
	mc_host_ehash_read(root, &s->ehash);
	/* tcp_mem lives in the initial network namespace only */
	s->netns_child = s->tcp_mem[2].err == -ENOENT && s->port_lo.err == 0;
	s->ct_max_ro = s->netns_child || (s->ct_max.err == 0 && !writable(root, MC_HOST_P_CT_MAX));
	read_sockstat(root, &s->sockstat);
}

/* One rlimit of this process; RLIM_INFINITY becomes MC_LIMITS_NONE. */
static struct mc_host_num rlim_num(int res, bool hard)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) == -1)
		return num_err(-errno);
	if ((hard ? rl.rlim_max : rl.rlim_cur) == RLIM_INFINITY)
		return num_val(MC_LIMITS_NONE);
	return num_val((uint64_t)(hard ? rl.rlim_max : rl.rlim_cur));
}

void mc_limits_read_self(struct mc_limits_snap *s)
{
	cpu_set_t set;
	long page = sysconf(_SC_PAGESIZE);

	s->nofile_soft = rlim_num(RLIMIT_NOFILE, false);
	s->nofile_hard = rlim_num(RLIMIT_NOFILE, true);
	s->nproc_soft = rlim_num(RLIMIT_NPROC, false);
	s->nproc_hard = rlim_num(RLIMIT_NPROC, true);
	s->stack_soft = rlim_num(RLIMIT_STACK, false);
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		s->cpus = num_val((uint64_t)CPU_COUNT(&set));
	} else {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->cpus = n > 0 ? num_val((uint64_t)n) : num_err(-errno);
	}
	s->uid = (uint32_t)getuid();
	s->page_size = page > 0 ? (uint64_t)page : 4096;
}

/* "Max open files            20000                20000                files":
 * the soft and hard values of one line of /proc/PID/limits. */
static void limits_line(const char *buf, const char *name, struct mc_host_num *soft,
			struct mc_host_num *hard)
{
	const char *p = strstr(buf, name);
	char sv[32], hv[32];

	*soft = *hard = num_err(-ENOENT);
	if (!p || sscanf(p + strlen(name), "%31s %31s", sv, hv) != 2)
		return;
	*soft = strcmp(sv, "unlimited") == 0 ? num_val(MC_LIMITS_NONE)
					     : num_val(strtoull(sv, NULL, 10));
	*hard = strcmp(hv, "unlimited") == 0 ? num_val(MC_LIMITS_NONE)
					     : num_val(strtoull(hv, NULL, 10));
}

int mc_limits_read_pid(const char *root, struct mc_limits_snap *s)
{
	char buf[4096], path[64];
	struct mc_host_num hard;
	ssize_t r;
	const char *uid;

	proc_path(s->pid, "limits", s->pid_limits, sizeof(s->pid_limits));
	r = mc_proc_read(root, s->pid_limits, buf, sizeof(buf));
	if (r < 0)
		return (int)r;
	limits_line(buf, "Max open files", &s->nofile_soft, &s->nofile_hard);
	limits_line(buf, "Max processes", &s->nproc_soft, &s->nproc_hard);
	limits_line(buf, "Max stack size", &s->stack_soft, &hard);
	r = mc_proc_read(root, proc_path(s->pid, "status", path, sizeof(path)), buf, sizeof(buf));
	if (r < 0)
		return (int)r;
	uid = strstr(buf, "\nUid:");
	if (uid)
		s->uid = (uint32_t)strtoul(uid + 5, NULL, 10);
	return 0;
}
