/* parse.c: the values users type: counts, sizes and durations (see
 * parse.h). */
#include "common/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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

int mc_parse_count(const char *s, uint64_t *out, struct mc_err *err)
{
	static const struct unit units[] = {
		{"", 1},    {"k", 1e3}, {"K", 1e3},  {"m", 1e6}, {"M", 1e6},
		{"g", 1e9}, {"G", 1e9}, {NULL, 0},
	};
	double v;

	if (scaled(s, units, &v) < 0)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a count: use a whole number, optionally with k, M or G "
			       "(100k = 100000, 1M = 1000000)",
			       s ? s : "");
	if (v != floor(v))
		return mc_errf(err, -EINVAL, "'%s' is not a whole number", s);
	if (v > 1e15)
		return mc_errf(err, -ERANGE, "'%s' is too large", s);
	*out = (uint64_t)v;
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
		return mc_errf(err, -ERANGE, "'%s' is too large", s);
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
		return mc_errf(err, -ERANGE, "'%s' is too long", s);
	*ns = (uint64_t)llround(v);
	return 0;
}
