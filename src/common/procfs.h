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

/* This process's resident set size in bytes (from /proc/self/statm). */
int mc_self_rss(uint64_t *bytes);

#endif
