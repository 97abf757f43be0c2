/* kmsg.h: the kernel log as a probe's evidence (internal to src/probe; see
 * kmsg.c). A line is the run's when it names the run's processes (the
 * probe, its server and client, --server-pid, their threads and children)
 * or its cgroups, or when it says plainly that it is host-wide (conntrack's
 * table full, tcp_mem, file-max, orphans); the kernel's other lines about
 * connections and memory (another cgroup's OOM kill, another container's
 * refused fork) are other processes' and only counted. */
#ifndef MC_PROBE_KMSG_H
#define MC_PROBE_KMSG_H

#include <stdbool.h>
#include <stdint.h>

#define MC_PROBE_KMSG_LINE  240
#define MC_PROBE_KMSG_PIDS  8
#define MC_PROBE_KMSG_CGS   8
#define MC_PROBE_KMSG_PORTS 64

/* What the run is, as the kernel names it. */
struct mc_probe_kmsg_own {
	int pid[MC_PROBE_KMSG_PIDS]; /* the run's processes (0: none) */
	int npid;
	/* the run's cgroup directories (full paths, "/sys/fs/cgroup/memory/a/b"):
	 * the kernel names them from its hierarchy's root ("/a/b") */
	const char *cg[MC_PROBE_KMSG_CGS];
	int ncg;
	uint16_t port[MC_PROBE_KMSG_PORTS]; /* the ports its server listens on */
	int nport;
	/* whether task tid belongs to the run's process pid (a thread or a
	 * child of it); NULL: only the pids themselves are the run's */
	bool (*related)(int tid, int pid);
};

/* The lines kept for a step, and the count of the others. */
struct mc_probe_kmsg_lines {
	char (*line)[MC_PROBE_KMSG_LINE]; /* the caller's array of max lines */
	int n, max;
	uint64_t other; /* lines about other processes on this host */
	uint64_t left;	/* the run's lines beyond max */
	/* "X invoked oom-killer", "X: page allocation failure": the process is
	 * named by the next line ("CPU: 1 ... PID: 123 Comm: X") */
	char pending[MC_PROBE_KMSG_LINE];
	bool has_pending;
};

/* Pure: judge one kernel message (the text after /dev/kmsg's ';') and keep
 * it in l, count it as another process's, or drop it (nothing about
 * connections or memory). */
void mc_probe_kmsg_take(struct mc_probe_kmsg_lines *l, const struct mc_probe_kmsg_own *own,
			const char *msg);
/* Pure: a line still waiting for the process it names is another's. */
void mc_probe_kmsg_flush(struct mc_probe_kmsg_lines *l);

/* Open /dev/kmsg at its end: the fd, or -errno when it cannot be read. */
int mc_probe_kmsg_open(void);
/* Take every record written since the last read into l (fd < 0: none). */
void mc_probe_kmsg_read(int fd, const struct mc_probe_kmsg_own *own, struct mc_probe_kmsg_lines *l);
/* own->related for the running host: tid is pid, one of its threads, or a
 * process whose parent is pid (/proc). */
bool mc_probe_kmsg_related(int tid, int pid);

#endif
