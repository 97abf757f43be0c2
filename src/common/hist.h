/* hist.h: a log-linear histogram of nanosecond values (latencies).
 *
 * Values below 64 get a bucket each; above, every power of two is cut into
 * 32 linear sub-buckets, so any percentile is within 1/32 (3.1%) of the true
 * value while the whole range 0..2^64 fits in 1920 counters (15 KiB). Count,
 * sum, min and max are kept exactly. One histogram per worker; merged on
 * read. */
#ifndef MC_COMMON_HIST_H
#define MC_COMMON_HIST_H

#include <stdint.h>

#define MC_HIST_SUB_BITS 5
#define MC_HIST_SUB      (1u << MC_HIST_SUB_BITS)
#define MC_HIST_BUCKETS  ((64 - MC_HIST_SUB_BITS + 1) * MC_HIST_SUB) /* 1920 */

struct mc_hist {
	uint64_t count, sum, min, max;
	uint64_t b[MC_HIST_BUCKETS];
};

void mc_hist_init(struct mc_hist *h);
void mc_hist_add(struct mc_hist *h, uint64_t v);
void mc_hist_merge(struct mc_hist *dst, const struct mc_hist *src);
/* Take an earlier snapshot of the same histogram out of h, so h holds only
 * the values added since (a window's round trips, from snapshots at its
 * start and end). Count, sum and the buckets are exact; min and max become
 * the bounds of the lowest and highest non-empty bucket, kept within h's
 * old min and max. Returns 0, or -EINVAL (h unchanged) when earlier is not
 * an earlier state of h: a count or bucket of it is larger than h's. */
int mc_hist_sub(struct mc_hist *h, const struct mc_hist *earlier);
/* The value at quantile q (0..1): the midpoint of the bucket holding it,
 * clamped to [min, max]; 0 when empty. q >= 1 gives max exactly. */
uint64_t mc_hist_quantile(const struct mc_hist *h, double q);
double mc_hist_mean(const struct mc_hist *h);

/* bucket index of a value and the value range of a bucket (for tests) */
unsigned mc_hist_index(uint64_t v);
void mc_hist_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi);

#endif
