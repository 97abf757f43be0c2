/* text.c: a reader of the Prometheus text format (see text.h). */
#include "metrics/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

static const char *line_end(const char *s)
{
	const char *e = strchr(s, '\n');
	return e ? e : s + strlen(s);
}

/* Parse one line [s, end); false when it is no sample. */
static bool parse_line(const char *s, const char *end, struct mc_prom_line *out)
{
	const char *p = s, *v;
	char num[64];
	char *stop;
	size_t n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#' || !name_char(*p, true))
		return false;
	out->name = p;
	while (p < end && name_char(*p, false))
		p++;
	out->name_len = (size_t)(p - out->name);
	out->labels = "";
	out->labels_len = 0;
	if (p < end && *p == '{') {
		bool quoted = false;
		out->labels = ++p;
		for (; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == '}')
				break;
		}
		if (p == end)
			return false;
		out->labels_len = (size_t)(p - out->labels);
		p++;
	}
	if (p == end || (*p != ' ' && *p != '\t'))
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	v = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	n = (size_t)(p - v);
	if (!n || n >= sizeof(num))
		return false;
	memcpy(num, v, n);
	num[n] = '\0';
	if (strcmp(num, "+Inf") == 0)
		out->value = INFINITY;
	else if (strcmp(num, "-Inf") == 0)
		out->value = -INFINITY;
	else if (strcmp(num, "NaN") == 0)
		out->value = NAN;
	else {
		out->value = strtod(num, &stop);
		if (*stop)
			return false;
	}
	return true;
}

bool mc_prom_next(const char **pos, struct mc_prom_line *out)
{
	while (**pos) {
		const char *s = *pos, *e = line_end(s);
		*pos = *e ? e + 1 : e;
		if (parse_line(s, e, out))
			return true;
	}
	return false;
}

bool mc_prom_label(const struct mc_prom_line *l, const char *key, char *buf, size_t len)
{
	const char *p = l->labels, *end = l->labels + l->labels_len;
	size_t klen = strlen(key);

	while (p < end) {
		const char *k = p;
		size_t w = 0;
		bool match;
		while (p < end && *p != '=')
			p++;
		if (p + 1 >= end || p[1] != '"')
			return false;
		match = (size_t)(p - k) == klen && memcmp(k, key, klen) == 0;
		for (p += 2; p < end && *p != '"'; p++) {
			char c = *p;
			if (c == '\\' && p + 1 < end) {
				c = *++p;
				if (c == 'n')
					c = '\n';
			}
			if (match && w + 1 < len)
				buf[w++] = c;
		}
		if (match) {
			if (len)
				buf[w] = '\0';
			return true;
		}
		p++; /* the closing quote */
		while (p < end && (*p == ',' || *p == ' '))
			p++;
	}
	return false;
}

/* The key of the next label pair from *p (before end), its value skipped;
 * false when no pair is left. */
static bool next_key(const char **p, const char *end, const char **k, size_t *klen)
{
	while (*p < end && (**p == ',' || **p == ' '))
		(*p)++;
	if (*p >= end)
		return false;
	*k = *p;
	while (*p < end && **p != '=')
		(*p)++;
	*klen = (size_t)(*p - *k);
	if (*p + 1 >= end || (*p)[1] != '"')
		return false;
	for (*p += 2; *p < end && **p != '"'; (*p)++)
		if (**p == '\\' && *p + 1 < end)
			(*p)++;
	(*p)++; /* the closing quote */
	return true;
}

/* Whether a's label set is b's, in any order: each of a's keys has the
 * same value in b, and b has as many pairs. */
static bool same_labels(const struct mc_prom_line *a, const struct mc_prom_line *b)
{
	const char *p = a->labels, *end = a->labels + a->labels_len, *k;
	char key[128], va[256], vb[256];
	size_t klen;
	int na = 0, nb = 0;

	while (next_key(&p, end, &k, &klen)) {
		if (klen >= sizeof(key))
			return false;
		memcpy(key, k, klen);
		key[klen] = '\0';
		if (!mc_prom_label(a, key, va, sizeof(va)) ||
		    !mc_prom_label(b, key, vb, sizeof(vb)) || strcmp(va, vb) != 0)
			return false;
		na++;
	}
	for (p = b->labels, end = b->labels + b->labels_len; next_key(&p, end, &k, &klen);)
		nb++;
	return na == nb;
}

/* Whether the line [s, e) is a sample of name (nlen bytes), by its first
 * bytes. */
static bool named(const char *s, const char *e, const char *name, size_t nlen)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return (size_t)(e - s) > nlen && memcmp(s, name, nlen) == 0 && !name_char(s[nlen], false);
}

int mc_prom_sum(const char *buf, const char *name, const char *key, const char *value,
		double *sum)
{
	struct mc_prom_line seen[MC_PROM_SUM_MAX];
	const char *pos = buf;
	struct mc_prom_line l;
	size_t nlen = strlen(name);
	char v[256];
	int n = 0;

	*sum = 0;
	while (*pos) {
		const char *s = pos, *e = line_end(s);
		pos = *e ? e + 1 : e;
		/* a line of another name is passed over unparsed: a page is read
		 * once per figure, and parsing every line each time took 5 s on
		 * a 16 MiB page */
		if (!named(s, e, name, nlen) || !parse_line(s, e, &l))
			continue;
		if (key && (!mc_prom_label(&l, key, v, sizeof(v)) || strcmp(v, value) != 0))
			continue;
		if (n == MC_PROM_SUM_MAX) {
			*sum = NAN;
			return -E2BIG;
		}
		for (int i = 0; i < n; i++)
			if (same_labels(&l, &seen[i])) {
				*sum = NAN;
				return -EEXIST;
			}
		seen[n++] = l;
		*sum += l.value;
	}
	return n;
}
