/* text.h: reading the Prometheus text format another exporter served
 * (node_exporter, a maxconn server): one sample at a time, or the sum of
 * the samples of a name whose labels match. Pure functions of a
 * NUL-terminated buffer; comments, HELP and TYPE lines and malformed lines
 * are skipped. */
#ifndef MC_METRICS_TEXT_H
#define MC_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* One sample line: pointers into the buffer (not NUL-terminated). */
struct mc_prom_line {
	const char *name, *labels; /* labels: what is between { and }, or "" */
	size_t name_len, labels_len;
	double value;
};

/* The next sample from *pos (start with *pos = buf); false at the end. */
bool mc_prom_next(const char **pos, struct mc_prom_line *out);
/* The value of label key in a sample, unescaped into buf; false when the
 * sample has no such label. */
bool mc_prom_label(const struct mc_prom_line *l, const char *key, char *buf, size_t len);
/* Sum of the samples named name whose label key equals value (key NULL:
 * every sample of the name), each a series of its own (its label set).
 * Returns how many samples matched (*sum is 0 when none did), or, with
 * *sum NAN: -EEXIST when one series (the name and the same label set, in
 * any order) is listed twice, which makes the page malformed (summing it
 * would double the figure); -E2BIG when more than MC_PROM_SUM_MAX series
 * match (no figure the probe reads has that many). */
#define MC_PROM_SUM_MAX 64
int mc_prom_sum(const char *buf, const char *name, const char *key, const char *value,
		double *sum);

#endif
