/* hist.c: the log-linear histogram (see hist.h). */
#include "common/hist.h"

#include <errno.h>
#include <string.h>

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
	h->b[mc_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void mc_hist_merge(struct mc_hist *dst, const struct mc_hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

int mc_hist_sub(struct mc_hist *h, const struct mc_hist *earlier)
{
	unsigned first = MC_HIST_BUCKETS, last = 0;
	uint64_t lo, hi;

	if (earlier->count > h->count || earlier->sum > h->sum)
		return -EINVAL;
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++)
		if (earlier->b[i] > h->b[i])
			return -EINVAL;
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++) {
		h->b[i] -= earlier->b[i];
		if (h->b[i]) {
			first = first < i ? first : i;
			last = i;
		}
	}
	h->count -= earlier->count;
	h->sum -= earlier->sum;
	if (first == MC_HIST_BUCKETS) {
		h->count = h->sum = 0; /* no bucket: nothing was added */
		h->min = UINT64_MAX;
		h->max = 0;
		return 0;
	}
	mc_hist_bucket_range(first, &lo, &hi);
	h->min = lo > h->min ? lo : h->min;
	mc_hist_bucket_range(last, &lo, &hi);
	h->max = hi < h->max ? hi : h->max;
	return 0;
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
