/* procfs.h: reading small files under /proc and /sys, relative to a root
 * directory that tests point at a fake tree (as iproute2's PROC_ROOT).
 * Root "" or NULL means the real "/". Beside the readers, the pure parsers
 * of a line of what those files hold and of one process's files, each a
 * function of a buffer (unit-tested). The host files maxconn reads
 * (meminfo, slabinfo, sockstat, netstat, the port sysctls) have their one
 * reader each in host/host.h, built on these. */
#ifndef MC_COMMON_PROCFS_H
#define MC_COMMON_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read the whole file root+path into buf (NUL-terminated, at most len-1
 * bytes). Returns bytes read or -errno. */
ssize_t mc_proc_read(const char *root, const char *path, char *buf, size_t len);
/* First whitespace-separated numbers of a file: "1024" or "32768\t60999". */
int mc_proc_read_u64(const char *root, const char *path, uint64_t *v);
int mc_proc_read_u64s(const char *root, const char *path, uint64_t *v, int n);
/* The lines of a file of any size (/proc/PID/maps). 0 or -errno. */
int mc_proc_count_lines(const char *root, const char *path, uint64_t *n);
/* Write a value to a sysctl file (used only inside namespaces we made). */
int mc_proc_write(const char *root, const char *path, const char *val);

/* Pure parsers of what those files hold (buf is NUL-terminated):
 * a "Key:   123 kB" line of /proc/meminfo or /proc/PID/status, in bytes
 * (-ENOENT: no such key, -EINVAL: no number); a named counter of
 * /proc/net/netstat or /proc/net/snmp ("TcpExt:" header line of names,
 * then a line of values); a key of the "TCP:" line of /proc/net/sockstat
 * ("TCP: inuse 5 orphan 0 tw 0 alloc 7 mem 1"). 0 or -ENOENT. */
int mc_proc_kb_field(const char *buf, const char *key, uint64_t *bytes);
int mc_proc_netstat(const char *buf, const char *prefix, const char *key, uint64_t *v);
int mc_proc_sockstat(const char *buf, const char *key, uint64_t *v);

/* One process as /proc/PID/stat, /proc/PID/status and its tasks' status
 * files show it: what a steady-state window takes the difference of. */
struct mc_proc_pid {
	uint64_t cpu_ticks;	/* utime + stime of all its threads, dead ones
				 * too, in clock ticks (sysconf(_SC_CLK_TCK)) */
	uint64_t threads;	/* "Threads:" */
	uint64_t rss, pte;	/* "VmRSS:", "VmPTE:" in bytes */
	uint64_t ctxt_switches; /* voluntary + nonvoluntary, summed over the
				 * live tasks (/proc/PID/task/TID/status) */
	uint64_t tasks_read;	/* task status files summed (0: none) */
};

/* Pure parsers of one process's files (buf NUL-terminated):
 * a "Key:\t123" line of /proc/PID/status as it stands (no kB scaling);
 * utime + stime (fields 14 and 15) of /proc/PID/stat, read after the last
 * ')' so a comm with spaces or parentheses cannot shift them; a status
 * file's voluntary + nonvoluntary context switches. 0, -ENOENT (no such
 * line) or -EINVAL (no number where one belongs). */
int mc_proc_status_field(const char *buf, const char *key, uint64_t *v);
int mc_proc_stat_cpu(const char *buf, uint64_t *ticks);
int mc_proc_status_ctxt(const char *buf, uint64_t *v);
/* Read process pid under root into p: stat and status must be readable
 * (else -errno: -ENOENT when it has exited), then every task's status is
 * summed; a task that ends between the listing and the read is skipped.
 * p is zeroed first. */
int mc_proc_read_pid(const char *root, int pid, struct mc_proc_pid *p);

/* This process's resident set size in bytes (from /proc/self/statm). */
int mc_self_rss(uint64_t *bytes);

#endif
