/* procfs.h: reading small files under /proc and /sys, relative to a root
 * directory that tests point at a fake tree (as iproute2's PROC_ROOT).
 * Root "" or NULL means the real "/". */
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

/* This process's resident set size in bytes (from /proc/self/statm). */
int mc_self_rss(uint64_t *bytes);

#endif
