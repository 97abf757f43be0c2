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

#endif
