/* shard.h: one client of M that together open exactly N connections
 * (--shard K/M, like k6's execution segments). Pure arithmetic.
 *
 * Shard K (1-based) takes its own slice of the (source, destination)
 * pairs, so no two shards ever use the same pair and so never contend for
 * a 4-tuple, when every shard is given the same --source and --connect
 * lists, and a share of N in proportion to its pairs, so the shares sum to
 * N and every shard fits its pairs' ports whenever N fits all the pairs'
 * (3 sources over 2 shards: 2/3 and 1/3 of N; equal slices: N/M, one more
 * for the first N mod M shards). The slices:
 *   - at least M sources: shard K takes its share of the sources (whole
 *     addresses, so a slice can be the addresses of one host) and every
 *     destination;
 *   - fewer: the shards are spread over the sources (exact shares again)
 *     and the shards of one source split its destinations among them;
 *   - no --source (the kernel picks each shard's address): the shards
 *     split the destinations when there are at least M, and otherwise all
 *     use all of them (disjoint false, N/M each): shards on different hosts
 *     or pods have different addresses, shards on one host share its
 *     ports. */
#ifndef MC_CLIENT_SHARD_H
#define MC_CLIENT_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/err.h"

#define MC_SHARD_MAX 65536 /* shards at most */

struct mc_shard {
	uint64_t k, m; /* shard k of m, 1 <= k <= m; 1/1: not sharded */
};

/* What shard k of m takes. */
struct mc_shard_slice {
	uint64_t conns;		/* its share of N (in proportion to its pairs) */
	uint64_t src_lo, src_hi; /* sources [lo, hi) of the flattened --source list */
	uint64_t dst_lo, dst_hi; /* destinations [lo, hi) of the flattened --connect list */
	bool disjoint;		/* no other shard uses any of its pairs */
};

/* "K/M", 1 <= K <= M <= MC_SHARD_MAX. 0 or -EINVAL with err naming it. */
int mc_shard_parse(const char *s, struct mc_shard *out, struct mc_err *err);
/* Shard of an Indexed Job: index is JOB_COMPLETION_INDEX's value (0-based;
 * NULL when unset), m the total from --shards. 0 or -EINVAL. */
int mc_shard_from_index(const char *index, uint64_t m, struct mc_shard *out, struct mc_err *err);
/* "K/M" into buf. */
const char *mc_shard_str(const struct mc_shard *sh, char *buf, size_t len);

/* Part i of m of total items: [*lo, *hi), sizes total/m, one more for the
 * first total mod m parts; the parts tile [0, total). */
void mc_shard_part(uint64_t total, uint64_t i, uint64_t m, uint64_t *lo, uint64_t *hi);
/* Shard sh's even share of n connections (shards that share the pairs). */
uint64_t mc_shard_share(uint64_t n, const struct mc_shard *sh);
/* Slice for shard sh of n connections over nsrc sources (0: the kernel
 * picks) and ndst destinations. 0, or -EINVAL with err saying why and what
 * to add when the pairs cannot be split (fewer than M slices). */
int mc_shard_slice(const struct mc_shard *sh, uint64_t n, uint64_t nsrc, uint64_t ndst,
		   struct mc_shard_slice *out, struct mc_err *err);

/* Items [lo, hi) of a list of ranges, as ranges again (the first and last
 * cut), into out (room for n entries); returns how many. */
size_t mc_shard_cut_src(const struct mc_addr_range *src, size_t n, uint64_t lo, uint64_t hi,
			struct mc_addr_range *out);
size_t mc_shard_cut_dst(const struct mc_endpoint_range *dst, size_t n, uint64_t lo, uint64_t hi,
			struct mc_endpoint_range *out);

#endif
