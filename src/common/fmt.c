/* fmt.c: human-readable counts, byte sizes and durations (see fmt.h). */
#include "common/fmt.h"

#include <stdio.h>

const char *mc_fmt_count(uint64_t n, char *buf, size_t len)
{
	if (n >= 10000000)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else if (n >= 1000000)
		snprintf(buf, len, "%.2fM", (double)n / 1e6);
	else if (n >= 10000)
		snprintf(buf, len, "%.1fk", (double)n / 1e3);
	else
		snprintf(buf, len, "%llu", (unsigned long long)n);
	return buf;
}

const char *mc_fmt_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

uint64_t mc_fmt_u64(double v)
{
	if (!(v > 0))
		return 0;
	return v < 18446744073709551616.0 ? (uint64_t)v : UINT64_MAX;
}

const char *mc_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 100ULL * 1000000000ULL)
		snprintf(buf, len, "%.0fs", (double)ns / 1e9);
	else if (ns >= 1000000000ULL)
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	else if (ns >= 1000000ULL)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else if (ns >= 1000ULL)
		snprintf(buf, len, "%.0fus", (double)ns / 1e3);
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

const char *mc_fmt_thousands(uint64_t n, char *buf, size_t len)
{
	char raw[24];
	int nd = snprintf(raw, sizeof(raw), "%llu", (unsigned long long)n);
	size_t o = 0;

	if (!len)
		return buf;
	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
	return buf;
}
