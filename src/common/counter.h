/* counter.h: per-worker counters, written by the one thread that owns them
 * and read (merged) by any other. Only the owner writes a counter, so a
 * relaxed load and store is enough: no lock, no read-modify-write on the
 * hot path. */
#ifndef MC_COMMON_COUNTER_H
#define MC_COMMON_COUNTER_H

#include <stdatomic.h>
#include <stdint.h>

#define CNT_ADD(c, n)                                                                              \
	atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + (n),        \
			      memory_order_relaxed)
#define CNT_GET(c) atomic_load_explicit(&(c), memory_order_relaxed)

/* Raise *peak to now if it is higher (any thread). */
static inline void mc_counter_peak(_Atomic uint64_t *peak, uint64_t now)
{
	uint64_t p = atomic_load_explicit(peak, memory_order_relaxed);

	while (now > p && !atomic_compare_exchange_weak_explicit(peak, &p, now,
								 memory_order_relaxed,
								 memory_order_relaxed))
		;
}

#endif
