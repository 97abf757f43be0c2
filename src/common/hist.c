/* hist.c: the log-linear histogram (see hist.h). */
#include "common/hist.h"

#include <string.h>

/* One thread adds, any thread may read: every field is written and read
 * with relaxed atomic accesses (a plain load and store on x86 and arm64,
 * no lock, no read-modify-write), so a live read is never torn; it may
 * see a sample's bucket before its count. */
#define LD(x)	 __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ST(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

void mc_hist_init(struct mc_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned mc_hist_index(uint64_t v)
{
	unsigned msb, e;

	if (v < 2 * MC_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	e = msb - MC_HIST_SUB_BITS; /* >= 1 */
	return (e + 1) * MC_HIST_SUB + (unsigned)((v >> e) - MC_HIST_SUB);
}

void mc_hist_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi)
{
	unsigned e;
	uint64_t m;

	if (idx < 2 * MC_HIST_SUB) {
		*lo = *hi = idx;
		return;
	}
	e = idx / MC_HIST_SUB - 1;
	m = idx % MC_HIST_SUB + MC_HIST_SUB;
	*lo = m << e;
	*hi = ((m + 1) << e) - 1;
	if (*hi < *lo) /* top bucket wraps */
		*hi = UINT64_MAX;
}

void mc_hist_add(struct mc_hist *h, uint64_t v)
{
	unsigned i = mc_hist_index(v);

	ST(h->b[i], LD(h->b[i]) + 1);
	ST(h->count, LD(h->count) + 1);
	ST(h->sum, LD(h->sum) + v);
	if (v < LD(h->min))
		ST(h->min, v);
	if (v > LD(h->max))
		ST(h->max, v);
}

void mc_hist_merge(struct mc_hist *dst, const struct mc_hist *src)
{
	uint64_t min = LD(src->min), max = LD(src->max);

	if (!LD(src->count))
		return;
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++)
		dst->b[i] += LD(src->b[i]);
	dst->count += LD(src->count);
	dst->sum += LD(src->sum);
	if (min < dst->min)
		dst->min = min;
	if (max > dst->max)
		dst->max = max;
}

uint64_t mc_hist_quantile(const struct mc_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (q >= 1.0)
		return h->max;
	if (q <= 0.0)
		return h->min;
	/* the smallest value with at least q of the samples at or below it */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t lo, hi, mid;
			mc_hist_bucket_range(i, &lo, &hi);
			mid = lo + (hi - lo) / 2;
			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}

double mc_hist_mean(const struct mc_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
