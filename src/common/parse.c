/* parse.c: the values users type: counts, sizes and durations (see
 * parse.h). */
#include "common/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Split "12.5k" into a finite non-negative number and its suffix. */
static int split_number(const char *s, double *num, const char **suffix)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	*num = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(*num) || *num < 0)
		return -EINVAL;
	/* strtod takes hex, inf, nan and exponents; users mean none of them */
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -EINVAL;
	*suffix = end;
	return 0;
}

struct unit {
	const char *name;
	double mult;
};

static int scaled(const char *s, const struct unit *units, double *out)
{
	double num;
	const char *suf;

	if (split_number(s, &num, &suf) < 0)
		return -EINVAL;
	for (const struct unit *u = units; u->name; u++) {
		if (strcmp(suf, u->name) == 0) {
			*out = num * u->mult;
			return 0;
		}
	}
	return -EINVAL;
}

#define COUNT_MAX 1000000000000000ULL /* 10^15 */

/* DIGITS[.DIGITS]SUFFIX in exact integers, so that every decimal that names
 * a whole number is one: 4.1M is 4100000 (in floating point, 4.1 x 1e6 is
 * 4099999.9999...). Returns 0, -EINVAL (not a count), -EDOM (not a whole
 * number) or -ERANGE (above 10^15). */
static int exact_count(const char *s, uint64_t *out)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{"", 1},	  {"k", 1000},	  {"K", 1000},	       {"m", 1000000},
		{"M", 1000000}, {"g", 1000000000}, {"G", 1000000000},
	};
	const char *p = s, *frac = NULL, *frac_end;
	uint64_t whole = 0, part = 0, scale = 1, mult = 0;
	bool digits = false;

	if (!s)
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (whole > COUNT_MAX)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		frac = ++p;
		for (; isdigit((unsigned char)*p); p++)
			digits = true;
	}
	if (!digits)
		return -EINVAL;
	frac_end = p;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].name) == 0)
			mult = units[i].mult;
	if (!mult)
		return -EINVAL;
	/* the decimals, trailing zeros dropped: past 9 of them no multiplier
	 * (at most 10^9) makes a whole number */
	while (frac && frac_end > frac && frac_end[-1] == '0')
		frac_end--;
	if (frac && frac_end - frac > 9)
		return -EDOM;
	for (const char *q = frac; q && q < frac_end; q++) {
		part = part * 10 + (uint64_t)(*q - '0');
		scale *= 10;
	}
	if (part * mult % scale != 0)
		return -EDOM;
	if (whole > COUNT_MAX / mult || whole * mult + part * mult / scale > COUNT_MAX)
		return -ERANGE;
	*out = whole * mult + part * mult / scale;
	return 0;
}

int mc_parse_count(const char *s, uint64_t *out, struct mc_err *err)
{
	int rc = exact_count(s, out);

	if (rc == -EDOM)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a whole number (k, M and G multiply by 1000, 1000000 "
			       "and 1000000000)",
			       s);
	if (rc == -ERANGE)
		return mc_errf(err, -ERANGE, "'%s' is too large: at most 10^15", s);
	if (rc < 0)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a count: use a whole number, optionally with k, M or G "
			       "(100k = 100000, 1M = 1000000, 4.1M = 4100000)",
			       s ? s : "");
	return 0;
}

int mc_parse_size(const char *s, uint64_t *out, struct mc_err *err)
{
	static const struct unit units[] = {
		{"", 1},
		{"b", 1},
		{"B", 1},
		{"k", 1024.0},
		{"K", 1024.0},
		{"KB", 1024.0},
		{"KiB", 1024.0},
		{"m", 1048576.0},
		{"M", 1048576.0},
		{"MB", 1048576.0},
		{"MiB", 1048576.0},
		{"g", 1073741824.0},
		{"G", 1073741824.0},
		{"GB", 1073741824.0},
		{"GiB", 1073741824.0},
		{"T", 1099511627776.0},
		{"TiB", 1099511627776.0},
		{NULL, 0},
	};
	double v;

	if (scaled(s, units, &v) < 0)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a size: use bytes, optionally with k, M or G "
			       "(powers of 1024: 64k = 65536)",
			       s ? s : "");
	if (v > 1e18)
		return mc_errf(err, -ERANGE, "'%s' is too large: at most 10^18 bytes", s);
	*out = (uint64_t)llround(v);
	return 0;
}

int mc_parse_duration(const char *s, uint64_t *ns, struct mc_err *err)
{
	static const struct unit units[] = {
		{"", 1e9},     {"s", 1e9},  {"ms", 1e6}, {"us", 1e3},
		{"ns", 1},     {"m", 60e9}, {"min", 60e9}, {"h", 3600e9},
		{NULL, 0},
	};
	double v;

	if (scaled(s, units, &v) < 0)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a duration: use a number with s, ms, us, m or h "
			       "(30s, 500ms, 2m); a bare number means seconds",
			       s ? s : "");
	if (v > 1e18)
		return mc_errf(err, -ERANGE, "'%s' is too long: at most 31 years (10^18 ns)", s);
	*ns = (uint64_t)llround(v);
	return 0;
}
