/* json.h: a streaming JSON writer to a FILE*, after iproute2's json_writer.
 * The writer tracks nesting and commas; callers only say what comes next.
 * Output is pretty-printed with two-space indents and is always valid JSON
 * (non-finite doubles are written as null, strings are escaped). */
#ifndef MC_COMMON_JSON_H
#define MC_COMMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MC_JSON_MAX_DEPTH 32

struct mc_json {
	FILE *f;
	int depth;
	bool first[MC_JSON_MAX_DEPTH]; /* nothing written yet at this depth */
	bool after_key;                /* a key was written; the value comes next */
};

void mc_json_init(struct mc_json *j, FILE *f);
/* Finish with a newline once the outermost value closes. */
void mc_json_key(struct mc_json *j, const char *key);
void mc_json_obj_open(struct mc_json *j);
void mc_json_obj_close(struct mc_json *j);
void mc_json_arr_open(struct mc_json *j);
void mc_json_arr_close(struct mc_json *j);
void mc_json_str(struct mc_json *j, const char *s);
void mc_json_u64(struct mc_json *j, uint64_t v);
void mc_json_i64(struct mc_json *j, int64_t v);
void mc_json_double(struct mc_json *j, double v);
void mc_json_bool(struct mc_json *j, bool v);
void mc_json_null(struct mc_json *j);

/* key + value in one call */
void mc_json_kv_str(struct mc_json *j, const char *key, const char *s);
void mc_json_kv_u64(struct mc_json *j, const char *key, uint64_t v);
void mc_json_kv_i64(struct mc_json *j, const char *key, int64_t v);
void mc_json_kv_double(struct mc_json *j, const char *key, double v);
void mc_json_kv_bool(struct mc_json *j, const char *key, bool v);
void mc_json_kv_null(struct mc_json *j, const char *key);

#endif
