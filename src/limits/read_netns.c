/* read_netns.c: what the limits model asks the kernel rather than files,
 * for the network namespace the process is in: the firewall's rules (do
 * they make the kernel track connections: net/ruleset.c), the clients'
 * ports held in TIME_WAIT by pair (net/diag.c), and the global
 * net sysctls (tcp_mem, tcp_max_orphans) from the initial namespace when
 * this one is a child (see limits.h, mc_limits_read_netns), and what
 * --traffic's unread bytes cost (mc_limits_read_buf), and a heartbeat
 * message's CPU (mc_limits_read_cpu). Only for the live host:
 * under --root the snapshot keeps what the files said. */
#include "limits/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/err.h"
#include "common/procfs.h"
#include "limits/calib.h"

struct globals {
	struct mc_limits_snap *s;
	int err;
};

/* The parent pid of pid, or 0. */
static int parent_of(int pid)
{
	char path[64], buf[1024];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nPPid:")))
		return 0;
	return atoi(p + 6);
}

/* Join the network namespace of pid when it is not ours. 0, or -errno
 * (-EEXIST: the same as ours). */
static int join_net_of(int pid, ino_t ours)
{
	char path[64];
	struct stat st;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && st.st_ino == ours)
		rc = -EEXIST;
	else if (setns(fd, CLONE_NEWNET) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* A thread's network namespace is its own: this one joins the initial
 * namespace and reads the globals there, so the process stays where it
 * is. The initial namespace is the one where tcp_mem exists: pid 1's, or
 * (when pid 1 may not be inspected) that of the nearest ancestor outside
 * this namespace that has it. */
static void *read_globals(void *arg)
{
	struct globals *g = arg;
	uint64_t mem[3], orph;
	struct stat self;
	int pid = 1, tries = 0;

	g->err = stat("/proc/thread-self/ns/net", &self) < 0 ? -errno : -ENOENT;
	if (g->err != -ENOENT)
		return NULL;
	if (mc_proc_read_u64s(NULL, MC_LIMITS_P_TCP_MEM, mem, 3) == 0)
		g->err = 0; /* this namespace is the initial one */
	while (g->err && pid > 0 && tries++ < 64) {
		int rc = join_net_of(pid, self.st_ino);
		if (rc == 0 && mc_proc_read_u64s(NULL, MC_LIMITS_P_TCP_MEM, mem, 3) == 0) {
			g->err = 0;
			break;
		}
		if (rc < 0 && rc != -EEXIST && g->err == -ENOENT)
			g->err = rc; /* the first refusal says why */
		pid = pid == 1 ? parent_of(getpid()) : parent_of(pid);
	}
	if (g->err)
		return NULL;
	for (int i = 0; i < 3; i++)
		g->s->tcp_mem[i] = (struct mc_host_num){mem[i], 0};
	if (mc_proc_read_u64(NULL, MC_LIMITS_P_ORPHANS, &orph) == 0)
		g->s->max_orphans = (struct mc_host_num){orph, 0};
	return NULL;
}

/* The rules connect() applies to a port held in TIME_WAIT, as read, for
 * connect()'s own search of a port (bound: false; the judge counts a
 * client that binds its ports apart). Every field is set: before, bound
 * was left as the caller's stack had it, and the ports that TIME_WAIT
 * blocks depended on garbage (issue 22, item 6). */
void mc_limits_tw_rules(const struct mc_limits_snap *s, struct mc_tw_rules *r)
{
	*r = (struct mc_tw_rules){0};
	r->reuse = s->tw_reuse.err ? 2 : (unsigned)s->tw_reuse.v;
	r->delay_ms = s->tw_reuse_delay.err ? 1000 : (unsigned)s->tw_reuse_delay.v;
	r->timestamps = s->timestamps.err || s->timestamps.v != 0;
}

/* The TIME_WAIT sockets on the client's ports (the ephemeral range), by
 * pair. */
static void read_tw(struct mc_limits_snap *s)
{
	struct mc_tw_rules r;

	if (s->port_lo.err || s->port_hi.err)
		return;
	mc_limits_tw_rules(s, &r);
	s->tw_err = mc_diag_tw_pairs(&r, (uint16_t)s->port_lo.v, (uint16_t)s->port_hi.v, s->tw,
				     MC_LIMITS_MAX_TW, &s->ntw);
	s->tw_read = s->tw_err == 0;
}

void mc_limits_read_netns(struct mc_limits_snap *s)
{
	mc_limits_read_ruleset_tw(s);
	if (s->netns_child)
		mc_limits_read_globals(s);
}

void mc_limits_read_ruleset_tw(struct mc_limits_snap *s)
{
	mc_nat_read(&s->nat, s->ct_nat_table);
	s->nat_read = true;
	mc_ruleset_read(&s->ct_rules);
	s->ct_rules_read = true;
	read_tw(s);
}

void mc_limits_read_globals(struct mc_limits_snap *s)
{
	struct globals g = {s, 0};
	pthread_t t;
	int rc;

	/* unshare(CLONE_FS) is not needed: setns(CLONE_NEWNET) touches only
	 * the calling thread */
	rc = pthread_create(&t, NULL, read_globals, &g);
	if (rc) {
		s->globals_err = -rc;
		return;
	}
	pthread_join(t, NULL);
	s->globals_err = g.err;
	s->globals_from_init = g.err == 0;
}

/* What a calibration's result depends on, as its cache key: the kernel and
 * this boot, the CPUs (model, count, the cgroup's quota), then kind and
 * size (and the result's layout, for another build of maxconn). */
static void calib_key(const struct mc_limits_snap *s, const char *kind, uint64_t size,
		      size_t layout, char *key, size_t len)
{
	char boot[64] = "", cpu[4096] = "", model[96] = "?";
	struct utsname u;
	const char *m;

	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (mc_proc_read(NULL, "/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) > 0)
		boot[strcspn(boot, "\n")] = '\0';
	if (mc_proc_read(NULL, "/proc/cpuinfo", cpu, sizeof(cpu)) > 0 &&
	    (m = strstr(cpu, "model name")) && (m = strchr(m, ':')))
		snprintf(model, sizeof(model), "%.*s", (int)strcspn(m + 2, "\n"), m + 2);
	snprintf(key, len,
		 "%s %" PRIu64 " B; kernel %s; boot %s; cpu %s x %" PRIu64 "; quota %" PRIu64
		 "/%" PRIu64 "; layout %zu",
		 kind, size, u.release, boot, model, s->cpus.err ? 0 : s->cpus.v,
		 s->cg.cpu_quota_us.err ? 0 : s->cg.cpu_quota_us.v,
		 s->cg.cpu_period_us.err ? 0 : s->cg.cpu_period_us.v, layout);
}

/* The file a result is kept in: its kind and size, and the key's hash, so
 * that processes under other keys (another cgroup quota) keep theirs. */
static void calib_name(char *name, size_t len, const char *kind, uint64_t size, const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	snprintf(name, len, "%s-%" PRIu64 "-%08x", kind, size, h);
}

/* A kept result's words: how it was measured, and where it was kept. */
static void kept_how(char *how, size_t len, const char *path)
{
	size_t n = strnlen(how, len);

	snprintf(how + n, len - n, "; kept in %s for this boot, kernel and CPUs", path);
}

void mc_limits_read_buf(struct mc_limits_snap *s, uint64_t traffic, bool fresh)
{
	char eb[64], key[512], name[64], path[128];
	int rc;

	if (!traffic)
		return;
	calib_key(s, "bufcost", traffic, sizeof(s->buf), key, sizeof(key));
	calib_name(name, sizeof(name), "bufcost", traffic, key);
	if (!fresh && mc_calib_cached(name, key, &s->buf, sizeof(s->buf), path, sizeof(path)) == 0) {
		kept_how(s->buf.how, sizeof(s->buf.how), path);
		return;
	}
	rc = mc_bufcost_measure(traffic, s->page_size, &s->buf);
	if (rc == 0)
		mc_calib_keep(name, key, &s->buf, sizeof(s->buf));
	else
		mc_bufcost_assume(traffic, s->page_size, s->tcp_rmem[2].err ? 0 : s->tcp_rmem[2].v,
				  s->tcp_wmem[2].err ? 0 : s->tcp_wmem[2].v,
				  mc_strerror(rc, eb, sizeof(eb)), &s->buf);
}

void mc_limits_read_cpu(struct mc_limits_snap *s, uint64_t msg, enum mc_model model, bool fresh)
{
	char eb[64], key[512], name[64], path[128], kind[32];
	int rc;

	/* before the calibration's CPU; a spinner per CPU it may run on */
	mc_cpubusy_measure(MC_CPUBUSY_WINDOW_MS,
			   s->cpus.err || s->cpus.v > 1024 ? 0 : (unsigned)s->cpus.v, &s->cpubusy);
	/* one cost per model: epoll's keeps its name of before */
	snprintf(kind, sizeof(kind), model == MC_MODEL_EPOLL ? "msgcost" : "msgcost-%s",
		 mc_model_name(model));
	calib_key(s, kind, msg, sizeof(s->msgcost), key, sizeof(key));
	calib_name(name, sizeof(name), kind, msg, key);
	if (!fresh &&
	    mc_calib_cached(name, key, &s->msgcost, sizeof(s->msgcost), path, sizeof(path)) == 0 &&
	    s->msgcost.model == model) { /* another model's: measured again */
		kept_how(s->msgcost.how, sizeof(s->msgcost.how), path);
		return;
	}
	rc = mc_msgcost_measure(msg, model, &s->msgcost);
	if (rc == 0)
		mc_calib_keep(name, key, &s->msgcost, sizeof(s->msgcost));
	else if (s->msgcost.how[0]) /* the engine's words */
		snprintf(s->msgcost.how + strlen(s->msgcost.how),
			 sizeof(s->msgcost.how) - strlen(s->msgcost.how), " (the calibration: %s)",
			 mc_strerror(rc, eb, sizeof(eb)));
	else
		snprintf(s->msgcost.how, sizeof(s->msgcost.how),
			 "the calibration could not run: %s (it needs root for a network "
			 "namespace)",
			 mc_strerror(rc, eb, sizeof(eb)));
	s->msgcost.msg_bytes = msg;
	s->msgcost.model = model;
}

/* Where the socket calibration makes its child memory cgroups: v1 under
 * this process's own; v2 at the hierarchy's root when it hands out the
 * memory controller (no process may sit in a cgroup whose children have
 * it). 0 and dir filled, or -ENOENT. */
static int sock_cg_dir(int *version, char *dir, size_t len)
{
	struct mc_cg cg;
	char ctl[256], path[300];

	mc_cg_locate(NULL, 0, MC_CG_MEMORY, &cg);
	*version = cg.err ? 0 : cg.version;
	if (*version == 1)
		snprintf(dir, len, "%s", cg.dir);
	if (*version == 2) {
		snprintf(dir, len, "%.*s", (int)cg.top, cg.dir);
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		if (mc_proc_read(NULL, path, ctl, sizeof(ctl)) <= 0 || !strstr(ctl, "memory"))
			*version = 0;
	}
	return *version ? 0 : -ENOENT;
}

void mc_limits_read_sock(struct mc_limits_snap *s, bool fresh)
{
	char eb[64], key[512], name[64], path[128], dir[256] = "", kind[32];
	int rc, version;

	sock_cg_dir(&version, dir, sizeof(dir));
	snprintf(kind, sizeof(kind), "sockcost-cgv%d", version);
	calib_key(s, kind, MC_LIMITS_SOCK_CALIB_CONNS, sizeof(s->sock), key, sizeof(key));
	calib_name(name, sizeof(name), kind, MC_LIMITS_SOCK_CALIB_CONNS, key);
	if (!fresh && mc_calib_cached(name, key, &s->sock, sizeof(s->sock), path, sizeof(path)) == 0) {
		kept_how(s->sock.how, sizeof(s->sock.how), path);
		return;
	}
	if (!s->cg.mem_limit.err && s->cg.mem_limit.v != MC_LIMITS_NONE &&
	    (s->cg.mem_headroom.err || s->cg.mem_headroom.v < MC_SOCKCOST_ROOM)) {
		snprintf(s->sock.how, sizeof(s->sock.how),
			 "the calibration was not run: this process's memory cgroup has less than "
			 "%llu MiB free (it would be charged up to ~30 MB)",
			 (unsigned long long)(MC_SOCKCOST_ROOM >> 20));
		return;
	}
	rc = mc_sockcost_measure(MC_LIMITS_SOCK_CALIB_CONNS, version ? dir : NULL, version, &s->sock);
	if (rc == 0)
		mc_calib_keep(name, key, &s->sock, sizeof(s->sock));
	else
		snprintf(s->sock.how, sizeof(s->sock.how),
			 "the calibration could not run: %s (it needs root for a network "
			 "namespace)",
			 mc_strerror(rc, eb, sizeof(eb)));
}
