/* prom.h: the Prometheus text exposition format (version 0.0.4), written
 * into a growing buffer: a family's HELP and TYPE lines, samples with
 * labels, and histograms made from a struct mc_hist. Pure: no I/O; the
 * endpoint (serve.h) sends the buffer, the tests read it.
 *
 * Names follow Prometheus' conventions: base units (seconds, bytes), a
 * `_total` suffix on counters, one family per thing, labels for what
 * varies inside it (cause, limit). Label values are escaped (\\, \", \n),
 * numbers are written so that they read back exactly (NaN, +Inf, -Inf
 * spelt as the format wants). */
#ifndef MC_METRICS_PROM_H
#define MC_METRICS_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "common/hist.h"

struct mc_prom {
	char *buf;
	size_t len, cap;
	int err; /* -ENOMEM once an allocation failed (the text is then cut) */
};

/* Labels: key, value, key, value, ..., NULL; a NULL value leaves its key
 * out. MC_PROM_LABELS("cause", "EMFILE") makes one in place. */
#define MC_PROM_LABELS(...) ((const char *const[]){__VA_ARGS__, NULL})

void mc_prom_init(struct mc_prom *p);
void mc_prom_free(struct mc_prom *p);

/* "# HELP name help" and "# TYPE name type" (type: "gauge", "counter",
 * "histogram"). Every sample of a family follows its header. */
void mc_prom_family(struct mc_prom *p, const char *name, const char *type, const char *help);
/* name{labels} value. labels may be NULL. */
void mc_prom_sample(struct mc_prom *p, const char *name, const char *const *labels, double value);
/* A family of one sample: the header, then the sample without labels. */
void mc_prom_gauge(struct mc_prom *p, const char *name, const char *help, double value);
void mc_prom_counter(struct mc_prom *p, const char *name, const char *help, double value);

/* The samples of a histogram family (its header written before):
 * name_bucket{labels,le="..."} for each upper bound in le[] (ascending,
 * in seconds), le="+Inf", name_sum and name_count. h holds nanoseconds.
 * A log-linear bucket of h counts below a bound when its midpoint does, so
 * each cumulative count is exact to within 1/32 of the bound (hist.h);
 * sum and count are exact. */
void mc_prom_hist(struct mc_prom *p, const char *name, const char *const *labels,
		  const struct mc_hist *h, const double *le, size_t nle);

/* The bounds maxconn uses for connect latency and round trips, seconds:
 * 50us to 10s, 18 of them. */
extern const double mc_prom_latency_bounds[];
extern const size_t mc_prom_latency_nbounds;

#endif
