/* clock.c: CLOCK_MONOTONIC in nanoseconds. */
#include "common/clock.h"

#include <time.h>

uint64_t mc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MC_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t mc_now_ms(void)
{
	return mc_now_ns() / MC_NS_PER_MS;
}
