/* prom.c: the Prometheus text format writer (see prom.h). */
#include "metrics/prom.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double mc_prom_latency_bounds[] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05,	 0.1,	 0.25,	  0.5,	  1,	 2.5,	 5,	10,    30,
};
const size_t mc_prom_latency_nbounds =
	sizeof(mc_prom_latency_bounds) / sizeof(mc_prom_latency_bounds[0]);

void mc_prom_init(struct mc_prom *p)
{
	memset(p, 0, sizeof(*p));
}

void mc_prom_free(struct mc_prom *p)
{
	free(p->buf);
	mc_prom_init(p);
}

static int reserve(struct mc_prom *p, size_t more)
{
	size_t ncap;
	char *n;

	if (p->err)
		return p->err;
	if (p->len + more + 1 <= p->cap)
		return 0;
	ncap = p->cap ? p->cap : 4096;
	while (ncap < p->len + more + 1)
		ncap *= 2;
	if (!(n = realloc(p->buf, ncap)))
		return p->err = -ENOMEM;
	p->buf = n;
	p->cap = ncap;
	return 0;
}

static void put(struct mc_prom *p, const char *s, size_t n)
{
	if (reserve(p, n) < 0)
		return;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static void puts_(struct mc_prom *p, const char *s)
{
	put(p, s, strlen(s));
}

static void printf_(struct mc_prom *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void printf_(struct mc_prom *p, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(p, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Escape \ and newline (HELP text), and " too (label values). */
static void escaped(struct mc_prom *p, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(p, "\\\\");
		else if (*s == '\n')
			puts_(p, "\\n");
		else if (quote && *s == '"')
			puts_(p, "\\\"");
		else
			put(p, s, 1);
	}
}

/* The shortest decimal that reads back as v; NaN and the infinities as
 * the format spells them. */
static void number(struct mc_prom *p, double v)
{
	char tmp[40];

	if (isnan(v)) {
		puts_(p, "NaN");
		return;
	}
	if (isinf(v)) {
		puts_(p, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	puts_(p, tmp);
}

void mc_prom_family(struct mc_prom *p, const char *name, const char *type, const char *help)
{
	puts_(p, "# HELP ");
	puts_(p, name);
	put(p, " ", 1);
	escaped(p, help, 0);
	puts_(p, "\n# TYPE ");
	puts_(p, name);
	put(p, " ", 1);
	puts_(p, type);
	put(p, "\n", 1);
}

/* name{labels[,le="bound"]} */
static void series(struct mc_prom *p, const char *name, const char *suffix,
		   const char *const *labels, const char *le)
{
	int n = 0;

	puts_(p, name);
	puts_(p, suffix);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		if (!labels[i + 1])
			continue;
		puts_(p, n++ ? "," : "{");
		puts_(p, labels[i]);
		puts_(p, "=\"");
		escaped(p, labels[i + 1], 1);
		put(p, "\"", 1);
	}
	if (le) {
		puts_(p, n++ ? "," : "{");
		puts_(p, "le=\"");
		puts_(p, le);
		put(p, "\"", 1);
	}
	if (n)
		put(p, "}", 1);
	put(p, " ", 1);
}

void mc_prom_sample(struct mc_prom *p, const char *name, const char *const *labels, double value)
{
	series(p, name, "", labels, NULL);
	number(p, value);
	put(p, "\n", 1);
}

void mc_prom_gauge(struct mc_prom *p, const char *name, const char *help, double value)
{
	mc_prom_family(p, name, "gauge", help);
	mc_prom_sample(p, name, NULL, value);
}

void mc_prom_counter(struct mc_prom *p, const char *name, const char *help, double value)
{
	mc_prom_family(p, name, "counter", help);
	mc_prom_sample(p, name, NULL, value);
}

void mc_prom_hist(struct mc_prom *p, const char *name, const char *const *labels,
		  const struct mc_hist *h, const double *le, size_t nle)
{
	uint64_t cum = 0, total = 0;
	unsigned idx = 0;
	char bound[40];

	/* the count from the buckets themselves: a histogram read while its
	 * worker adds to it may have a count a sample ahead of them, and the
	 * format wants +Inf = _count >= every bucket */
	for (unsigned i = 0; i < MC_HIST_BUCKETS; i++)
		total += h->b[i];
	for (size_t i = 0; i < nle; i++) {
		/* every bucket whose midpoint is at or below the bound */
		for (; idx < MC_HIST_BUCKETS; idx++) {
			uint64_t lo, hi;
			mc_hist_bucket_range(idx, &lo, &hi);
			if ((double)(lo + (hi - lo) / 2) > le[i] * 1e9)
				break;
			cum += h->b[idx];
		}
		snprintf(bound, sizeof(bound), "%.15g", le[i]);
		series(p, name, "_bucket", labels, bound);
		printf_(p, "%llu\n", (unsigned long long)cum);
	}
	series(p, name, "_bucket", labels, "+Inf");
	printf_(p, "%llu\n", (unsigned long long)total);
	series(p, name, "_sum", labels, NULL);
	number(p, (double)h->sum / 1e9);
	put(p, "\n", 1);
	series(p, name, "_count", labels, NULL);
	printf_(p, "%llu\n", (unsigned long long)total);
}
