/* shard.c: a client shard's share of the connections and its slice of the
 * (source, destination) pairs (see shard.h). Pure. */
#include "client/shard.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole decimal number, all of s: no sign, no space, no suffix. */
static int whole(const char *s, size_t len, uint64_t *v)
{
	uint64_t n = 0;

	if (!len || len > 9)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*v = n;
	return 0;
}

int mc_shard_parse(const char *s, struct mc_shard *out, struct mc_err *err)
{
	const char *slash = strchr(s, '/');
	uint64_t k, m;

	if (!slash || whole(s, (size_t)(slash - s), &k) < 0 ||
	    whole(slash + 1, strlen(slash + 1), &m) < 0)
		return mc_errf(err, -EINVAL, "--shard '%s': use K/M, shard K of M (1/2, 2/2)", s);
	if (m < 1 || m > MC_SHARD_MAX)
		return mc_errf(err, -EINVAL, "--shard '%s': M is 1 to %d shards", s, MC_SHARD_MAX);
	if (k < 1 || k > m)
		return mc_errf(err, -EINVAL,
			       "--shard '%s': K counts from 1 to M (%" PRIu64 "): 1/%" PRIu64
			       " is the first shard, %" PRIu64 "/%" PRIu64 " the last",
			       s, m, m, m, m);
	out->k = k;
	out->m = m;
	return 0;
}

int mc_shard_from_index(const char *index, uint64_t m, struct mc_shard *out, struct mc_err *err)
{
	uint64_t i;

	if (m < 1 || m > MC_SHARD_MAX)
		return mc_errf(err, -EINVAL, "--shards %" PRIu64 ": use 1 to %d", m, MC_SHARD_MAX);
	if (!index)
		return mc_errf(err, -EINVAL,
			       "--shards %" PRIu64 ": JOB_COMPLETION_INDEX is not set (a Kubernetes "
			       "Indexed Job sets it); outside one, say which shard: --shard K/%" PRIu64,
			       m, m);
	if (whole(index, strlen(index), &i) < 0 || i >= m)
		return mc_errf(err, -EINVAL,
			       "--shards %" PRIu64 ": JOB_COMPLETION_INDEX='%s' is not 0 to %" PRIu64
			       "; set the Job's completions to %" PRIu64,
			       m, index, m - 1, m);
	out->k = i + 1;
	out->m = m;
	return 0;
}

const char *mc_shard_str(const struct mc_shard *sh, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 "/%" PRIu64, sh->k, sh->m);
	return buf;
}

void mc_shard_part(uint64_t total, uint64_t i, uint64_t m, uint64_t *lo, uint64_t *hi)
{
	uint64_t q = total / m, r = total % m;

	*lo = i * q + (i < r ? i : r);
	*hi = *lo + q + (i < r ? 1 : 0);
}

uint64_t mc_shard_share(uint64_t n, const struct mc_shard *sh)
{
	uint64_t lo, hi;

	mc_shard_part(n, sh->k - 1, sh->m, &lo, &hi);
	return hi - lo;
}

/* The pairs shard j (0-based) of m takes, conns left 0, and its weight:
 * how many units of the pairs it has (sources when every shard takes whole
 * sources, else destinations of its one source); *total is every shard's
 * units together. 0, or -EINVAL when the pairs cannot be cut into m
 * slices (judged on the fullest source: the same for every shard). */
static int cut(uint64_t j, uint64_t m, uint64_t nsrc, uint64_t ndst, struct mc_shard_slice *out,
	       uint64_t *weight, uint64_t *total)
{
	uint64_t groups = nsrc ? nsrc : 1, q = m / groups, r = m % groups, s, first, last;

	memset(out, 0, sizeof(*out));
	out->disjoint = true;
	if (nsrc >= m) { /* whole sources each, every destination */
		mc_shard_part(nsrc, j, m, &out->src_lo, &out->src_hi);
		out->dst_hi = ndst;
		*weight = out->src_hi - out->src_lo;
		*total = nsrc;
		return 0;
	}
	/* the shards spread over the sources (one group when the kernel
	 * picks): source s has shards [first, last) (q + 1 each for the first
	 * r sources, q for the rest) and splits its destinations among them */
	s = j < r * (q + 1) ? j / (q + 1) : r + (j - r * (q + 1)) / q;
	mc_shard_part(m, s, groups, &first, &last);
	if (ndst < q + (r ? 1 : 0)) {
		if (nsrc)
			return -EINVAL;
		/* the hosts' own addresses keep the shards apart */
		out->dst_hi = ndst;
		out->disjoint = m == 1;
		*weight = *total = 1;
		return 0;
	}
	if (nsrc) {
		out->src_lo = s;
		out->src_hi = s + 1;
	}
	mc_shard_part(ndst, j - first, last - first, &out->dst_lo, &out->dst_hi);
	*weight = out->dst_hi - out->dst_lo;
	*total = groups * ndst;
	return 0;
}

/* Shard k's (0-based) share of n when shard j has weight w_j of total:
 * floor(n * w_j / total), and one more for the first shards whose share
 * had a fraction, as many as the floors left over. So the shares sum to
 * n, and none is over ceil(n * w_j / total): each shard's pairs carry at
 * most ceil(n / pairs) connections each, as one client over all the pairs
 * would; with equal weights it is mc_shard_share. */
static uint64_t weighted_share(uint64_t n, uint64_t k, uint64_t m, uint64_t nsrc, uint64_t ndst)
{
	uint64_t sum = 0, fracs_before = 0, mine = 0, w, total;
	bool mine_frac = false;
	struct mc_shard_slice sl;

	for (uint64_t j = 0; j < m; j++) {
		unsigned __int128 x;
		uint64_t f;
		bool frac;

		cut(j, m, nsrc, ndst, &sl, &w, &total);
		x = (unsigned __int128)n * w;
		f = (uint64_t)(x / total);
		frac = x % total != 0;
		sum += f;
		if (j == k) {
			mine = f;
			mine_frac = frac;
		} else if (j < k && frac) {
			fracs_before++;
		}
	}
	return mine + (mine_frac && fracs_before < n - sum);
}

int mc_shard_slice(const struct mc_shard *sh, uint64_t n, uint64_t nsrc, uint64_t ndst,
		   struct mc_shard_slice *out, struct mc_err *err)
{
	uint64_t m = sh->m, groups = nsrc ? nsrc : 1, w, total;
	uint64_t need = (m + groups - 1) / groups; /* shards of the fullest source */

	if (cut(sh->k - 1, m, nsrc, ndst, out, &w, &total) < 0)
		return mc_errf(err, -EINVAL,
			       "--shard %" PRIu64 "/%" PRIu64 ": %" PRIu64 " source address%s x %" PRIu64
			       " destination%s cannot be cut into %" PRIu64
			       " slices that share no (source, destination) pair; give every shard "
			       "the same --source list of at least %" PRIu64
			       " addresses (each shard binds its own slice of it), or %" PRIu64
			       " destination ports per source",
			       sh->k, m, nsrc, nsrc == 1 ? "" : "es", ndst, ndst == 1 ? "" : "s", m, m,
			       need);
	/* shards over their own pairs: a share in proportion to its pairs,
	 * so every shard fits its ports when all of them fit; shards that
	 * share the pairs: the even share */
	out->conns = out->disjoint ? weighted_share(n, sh->k - 1, m, nsrc, ndst)
				   : mc_shard_share(n, sh);
	return 0;
}

size_t mc_shard_cut_src(const struct mc_addr_range *src, size_t n, uint64_t lo, uint64_t hi,
			struct mc_addr_range *out)
{
	uint64_t base = 0;
	size_t w = 0;

	for (size_t i = 0; i < n; base += src[i].count, i++) {
		uint64_t a = lo > base ? lo : base;
		uint64_t b = hi < base + src[i].count ? hi : base + src[i].count;
		if (a >= b)
			continue;
		mc_addr_nth(&src[i], a - base, &out[w].first);
		out[w++].count = b - a;
	}
	return w;
}

size_t mc_shard_cut_dst(const struct mc_endpoint_range *dst, size_t n, uint64_t lo, uint64_t hi,
			struct mc_endpoint_range *out)
{
	uint64_t base = 0;
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t c = (uint64_t)dst[i].port_hi - dst[i].port_lo + 1;
		uint64_t a = lo > base ? lo : base, b = hi < base + c ? hi : base + c;
		if (a < b) {
			out[w] = dst[i];
			out[w].port_lo = (uint16_t)(dst[i].port_lo + (a - base));
			out[w++].port_hi = (uint16_t)(dst[i].port_lo + (b - base) - 1);
		}
		base += c;
	}
	return w;
}
