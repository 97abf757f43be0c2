/* fmt.h: numbers as people read them in maxconn's terminal output: counts
 * (1.2M, 28.2k), byte sizes (3.5 MiB) and durations (1.5s, 250ms, 80us).
 * Each writes into buf (at most len bytes, NUL-terminated) and returns
 * buf, so it can sit in a printf argument list. */
#ifndef MC_COMMON_FMT_H
#define MC_COMMON_FMT_H

#include <stddef.h>
#include <stdint.h>

/* 12.5M, 1.25M, 28.2k; below 10000 the whole number. */
const char *mc_fmt_count(uint64_t n, char *buf, size_t len);
/* Every digit, grouped by three: 1234567 -> "1,234,567" (the reports' exact
 * figures). Cut to fit len (27 bytes hold any uint64_t); returns buf. */
const char *mc_fmt_thousands(uint64_t n, char *buf, size_t len);
/* 512 B, 3.5 KiB, 1.2 GiB (powers of 1024). */
const char *mc_fmt_bytes(uint64_t n, char *buf, size_t len);
/* A double as the uint64_t the functions above take, without undefined
 * behaviour: NAN and below 0 are 0, 2^64 and over UINT64_MAX, the rest
 * rounded down. */
uint64_t mc_fmt_u64(double v);
/* 120s, 1.50s, 250.00ms, 80us, 500ns. */
const char *mc_fmt_duration(uint64_t ns, char *buf, size_t len);

#endif
