/* test_cli_options.c: the errors for a long option getopt_long refused say
 * what was wrong with it: ambiguous (and what it could be), a value given
 * to a flag, or unknown with the nearest names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"

static const struct option opts[] = {
	{"model", required_argument, NULL, 'm'},
	{"mode", required_argument, NULL, 'M'},
	{"max-conns", required_argument, NULL, 'n'},
	{"listen", required_argument, NULL, 'l'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *err_of(const char *word)
{
	static char out[256];

	mc_cli_long_option_error(opts, word, out, sizeof(out));
	return out;
}

static void test_ambiguous(void **state)
{
	(void)state;
	assert_string_equal(err_of("--mod"), "ambiguous option '--mod': it could be --model, --mode");
	assert_string_equal(err_of("--m=x"),
			    "ambiguous option '--m': it could be --model, --mode, --max-conns");
}

static void test_value_to_a_flag(void **state)
{
	(void)state;
	assert_string_equal(err_of("--quiet=1"), "--quiet takes no value ('--quiet=1')");
	/* a unique prefix getopt took */
	assert_string_equal(err_of("--qu=1"), "--quiet takes no value ('--qu=1')");
}

static void test_unknown_and_near(void **state)
{
	(void)state;
	assert_string_equal(err_of("--mdoel"), "unknown option '--mdoel' (did you mean --model?)");
	assert_string_equal(err_of("--lsiten=x"),
			    "unknown option '--lsiten' (did you mean --listen?)");
	assert_string_equal(err_of("--hepl"), "unknown option '--hepl' (did you mean --help?)");
	/* nothing near: no guess */
	assert_string_equal(err_of("--bogus"), "unknown option '--bogus'");
	assert_string_equal(err_of("--"), "unknown option '--'");
	/* short words get one edit at most */
	assert_string_equal(err_of("--hxlx"), "unknown option '--hxlx'");
}

static void test_cut_to_fit(void **state)
{
	char out[20];

	(void)state;
	mc_cli_long_option_error(opts, "--m", out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	mc_cli_long_option_error(opts, "--mdoel", out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	mc_cli_long_option_error(opts, "--mdoel", out, 0);
	/* every length: never past the end (ASan checks) */
	for (size_t n = 1; n <= sizeof(out); n++) {
		mc_cli_long_option_error(opts, "--mdoel", out, n);
		assert_true(strlen(out) < n);
		mc_cli_long_option_error(opts, "--m", out, n);
		assert_true(strlen(out) < n);
		mc_cli_long_option_error(opts, "--quiet=1", out, n);
		assert_true(strlen(out) < n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_value_to_a_flag),
		cmocka_unit_test(test_unknown_and_near),
		cmocka_unit_test(test_cut_to_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
