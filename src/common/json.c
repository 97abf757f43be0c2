/* json.c: the streaming JSON writer (see json.h). */
#include "common/json.h"

#include <inttypes.h>
#include <math.h>

void mc_json_init(struct mc_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

static void indent(struct mc_json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Called before every key, and before every value not preceded by a key. */
static void separate(struct mc_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->depth > 0)
		indent(j);
	j->first[j->depth] = false;
}

static void write_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void mc_json_key(struct mc_json *j, const char *key)
{
	separate(j);
	write_escaped(j->f, key);
	fputs(": ", j->f);
	j->after_key = true;
}

static void open_(struct mc_json *j, char c)
{
	separate(j);
	fputc(c, j->f);
	if (j->depth + 1 < MC_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct mc_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void mc_json_obj_open(struct mc_json *j)
{
	open_(j, '{');
}

void mc_json_obj_close(struct mc_json *j)
{
	close_(j, '}');
}

void mc_json_arr_open(struct mc_json *j)
{
	open_(j, '[');
}

void mc_json_arr_close(struct mc_json *j)
{
	close_(j, ']');
}

void mc_json_str(struct mc_json *j, const char *s)
{
	separate(j);
	if (s)
		write_escaped(j->f, s);
	else
		fputs("null", j->f);
}

void mc_json_u64(struct mc_json *j, uint64_t v)
{
	separate(j);
	fprintf(j->f, "%" PRIu64, v);
}

void mc_json_i64(struct mc_json *j, int64_t v)
{
	separate(j);
	fprintf(j->f, "%" PRId64, v);
}

void mc_json_double(struct mc_json *j, double v)
{
	separate(j);
	/* whole numbers (sockets, bytes, counts) in full, below 2^53 where a
	 * double holds them exactly; the rest to six significant digits */
	if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(j->f, "%.0f", v);
	else if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void mc_json_bool(struct mc_json *j, bool v)
{
	separate(j);
	fputs(v ? "true" : "false", j->f);
}

void mc_json_null(struct mc_json *j)
{
	separate(j);
	fputs("null", j->f);
}

void mc_json_kv_str(struct mc_json *j, const char *key, const char *s)
{
	mc_json_key(j, key);
	mc_json_str(j, s);
}

void mc_json_kv_u64(struct mc_json *j, const char *key, uint64_t v)
{
	mc_json_key(j, key);
	mc_json_u64(j, v);
}

void mc_json_kv_i64(struct mc_json *j, const char *key, int64_t v)
{
	mc_json_key(j, key);
	mc_json_i64(j, v);
}

void mc_json_kv_double(struct mc_json *j, const char *key, double v)
{
	mc_json_key(j, key);
	mc_json_double(j, v);
}

void mc_json_kv_bool(struct mc_json *j, const char *key, bool v)
{
	mc_json_key(j, key);
	mc_json_bool(j, v);
}

void mc_json_kv_null(struct mc_json *j, const char *key)
{
	mc_json_key(j, key);
	mc_json_null(j);
}
