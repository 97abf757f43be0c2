/* text.c: a reader of the Prometheus text format (see text.h). */
#include "metrics/text.h"

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
		*sum += l.value;
		n++;
	}
	return n;
}
