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
 * every sample of the name). Returns how many samples matched; *sum is 0
 * when none did. */
int mc_prom_sum(const char *buf, const char *name, const char *key, const char *value,
		double *sum);

#endif
