/* test_json.c: the streaming JSON writer: nesting, commas, escaping,
 * non-finite numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>

#include "common/json.h"

static void test_nested(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mc_json j;

	(void)state;
	mc_json_init(&j, f);
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "n", 18446744073709551615ULL);
	mc_json_kv_i64(&j, "neg", -3);
	mc_json_kv_str(&j, "s", "a\"b\\c\nd\x01");
	mc_json_kv_double(&j, "nan", NAN);
	mc_json_kv_double(&j, "half", 0.5);
	mc_json_kv_double(&j, "whole", 2745592.0);
	mc_json_kv_double(&j, "big", 1e300);
	mc_json_kv_bool(&j, "t", true);
	mc_json_kv_null(&j, "z");
	mc_json_key(&j, "arr");
	mc_json_arr_open(&j);
	mc_json_u64(&j, 1);
	mc_json_obj_open(&j);
	mc_json_obj_close(&j);
	mc_json_arr_open(&j);
	mc_json_arr_close(&j);
	mc_json_arr_close(&j);
	mc_json_obj_close(&j);
	fclose(f);
	assert_string_equal(buf, "{\n"
				 "  \"n\": 18446744073709551615,\n"
				 "  \"neg\": -3,\n"
				 "  \"s\": \"a\\\"b\\\\c\\nd\\u0001\",\n"
				 "  \"nan\": null,\n"
				 "  \"half\": 0.5,\n"
				 "  \"whole\": 2745592,\n"
				 "  \"big\": 1e+300,\n"
				 "  \"t\": true,\n"
				 "  \"z\": null,\n"
				 "  \"arr\": [\n"
				 "    1,\n"
				 "    {},\n"
				 "    []\n"
				 "  ]\n"
				 "}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
