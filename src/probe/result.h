/* result.h: reading a probe report (see result.c): the result, the memory
 * figures, the words the writers share, and the one judgement of slab
 * growth the run and the verdict share. Pure; types from probe-t.h. */
#ifndef MC_PROBE_RESULT_H
#define MC_PROBE_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/probe-t.h"

/* Each returns a step of zeros (stopped at
 * "target", no limit) when no step ran, never NULL. */
/* The result: the last step (reached, predicted, diff_pct, stop, limit). */
const struct mc_probe_step *mc_probe_last(const struct mc_probe_report *r);
/* Where the memory figures come from: the step that held the most sockets
 * (the later one on a tie). */
const struct mc_probe_step *mc_probe_memory_step(const struct mc_probe_report *r);
/* The model's limit id of a step, or NULL ("" is never one). */
const struct mc_probe_limit *mc_probe_step_limit(const struct mc_probe_step *st, const char *id);
/* "target", "limit", "memory_reserve", ... : the JSON key */
const char *mc_probe_stop_str(enum mc_probe_stop s);
/* "slabinfo", "meminfo", "unknown": where kernel bytes per socket come from */
const char *mc_probe_kmem_str(enum mc_probe_kmem k);
/* Kernel bytes per socket, or NAN when unknown (never a made-up 0). */
double mc_probe_kernel_per_socket(const struct mc_probe_slab *s);
/* "a host limit", "the timeout", ... : the phrase for "stopped by ..." */
const char *mc_probe_stop_words(enum mc_probe_stop s);

/* Is a growth of grew TCP objects, over a step that added conns
 * connections, the probe's own? One socket per connection lives in this
 * kernel (a server on another host) or two (both ends here); the slab
 * allocator keeps some objects per CPU aside, so 0.75 to 3 per
 * connection. Other work opening or closing sockets meanwhile moves it
 * outside that. */
bool mc_probe_slab_growth_is_ours(int64_t grew, uint64_t conns);

#endif
