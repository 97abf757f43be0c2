/* echo.c: the echo pattern (see echo.h): a random table indexed by
 * offset+idx, xored with a byte of idx; written by traffic.c's sends and
 * checked on what comes back. */
#include "client/echo.h"

#include <pthread.h>

static unsigned char pattern_tbl[1024];
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

static void pattern_init(void)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(pattern_tbl); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pattern_tbl[i] = (unsigned char)x;
	}
}

static inline unsigned char pattern(uint32_t idx, uint32_t off)
{
	return pattern_tbl[(off + idx) & 1023] ^ (unsigned char)(idx >> (8 * (off & 3)));
}

void mc_client__echo_fill(uint32_t idx, uint32_t off, unsigned char *buf, size_t len)
{
	pthread_once(&pattern_once, pattern_init);
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(idx, off + (uint32_t)i);
}

size_t mc_client__echo_check(uint32_t idx, uint32_t off, const unsigned char *buf, size_t n)
{
	pthread_once(&pattern_once, pattern_init);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(idx, off + (uint32_t)i))
			return i;
	return n;
}
