/* clock.h: monotonic time in nanoseconds and a few constants. */
#ifndef MC_COMMON_CLOCK_H
#define MC_COMMON_CLOCK_H

#include <stdint.h>

#define MC_NS_PER_US  1000ULL
#define MC_NS_PER_MS  1000000ULL
#define MC_NS_PER_SEC 1000000000ULL

uint64_t mc_now_ns(void);
/* The same clock in milliseconds. */
uint64_t mc_now_ms(void);

#endif
