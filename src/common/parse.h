/* parse.h: the values users type: counts (100k, 1M), sizes (64k, 1GiB)
 * and durations (30s, 500ms). Pure functions of a string; each returns 0,
 * or -EINVAL / -ERANGE and fills a struct mc_err naming the bad value.
 * Addresses and endpoints are in addr.h, the human output in fmt.h. */
#ifndef MC_COMMON_PARSE_H
#define MC_COMMON_PARSE_H

#include <stdint.h>

#include "common/err.h"

/* 100, 100k, 2.5M, 1G (powers of 1000; K also accepted). */
int mc_parse_count(const char *s, uint64_t *out, struct mc_err *err);
/* 4096, 64k, 16KiB, 1M, 2G (powers of 1024; B/KB/KiB spellings accepted). */
int mc_parse_size(const char *s, uint64_t *out, struct mc_err *err);
/* 30s, 500ms, 100us, 2m, 1h, 1.5s; a bare number means seconds. */
int mc_parse_duration(const char *s, uint64_t *ns, struct mc_err *err);

#endif
