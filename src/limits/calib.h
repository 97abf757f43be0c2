/* calib.h: a calibration run apart: in a forked child, in a network
 * namespace of its own with its loopback up (the host's sockets and
 * sysctls are not touched), its result sent back through a pipe within a
 * time budget. bufcost.c and msgcost.c measure this way. */
#ifndef MC_LIMITS_CALIB_H
#define MC_LIMITS_CALIB_H

#include <stddef.h>

/* Run fn(arg, out) in the child, out being len bytes it fills; 0 or the
 * -errno fn returned, -EPERM and the like when the namespace cannot be
 * made (not root), -ETIMEDOUT (the child killed) past budget_ms. out is
 * the child's only when 0 is returned. */
int mc_calib_run(int (*fn)(void *arg, void *out), void *arg, void *out, size_t len, int budget_ms);

/* Results kept for the next run, under MC_CALIB_DIR (tmpfs: gone at the
 * next boot), one file per name, valid while its key line (what the result
 * depends on: kernel, boot, CPUs, quota, sizes) is the same.
 * mc_calib_cached: 0 and out filled, or -ENOENT (none, or another key), its
 * path in path either way. mc_calib_keep: 0 or -errno (a failure is
 * harmless: the next run measures). */
#define MC_CALIB_DIR "/run/maxconn"
int mc_calib_cached(const char *name, const char *key, void *out, size_t len, char *path,
		    size_t plen);
int mc_calib_keep(const char *name, const char *key, const void *out, size_t len);

#endif
