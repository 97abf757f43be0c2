/* test_cli_options.c: the errors for a long option getopt_long refused say
 * what was wrong with it: ambiguous (and what it could be), a value given
 * to a flag, or unknown with the nearest names. Every command's option
 * table is one getopt can take, getopt's arrays are made from it row for
 * row, and its --help lists every row; the help's layout. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/usage.h"

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

static const struct mc_opt_cmd *const cmds[] = {
	&mc_cli_server,
	&mc_cli_client,
	&mc_cli_limits,
	&mc_cli_probe,
};

/* cmd's --help, whole (until the next call). */
static const char *help_of(const struct mc_opt_cmd *cmd)
{
	static char buf[32768];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	assert_non_null(f);
	mc_opt_help(f, cmd);
	assert_false(ferror(f));
	fclose(f);
	return buf;
}

static void test_tables_check(void **state)
{
	char why[128];

	(void)state;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		int rc = mc_opt_check(cmds[c]->opts, why, sizeof(why));
		if (rc)
			fail_msg("maxconn %s: %s", cmds[c]->name, why);
	}
}

static void test_check_refuses(void **state)
{
	static const struct mc_opt twice[] = {
		{"rate", 'r', "R", "a", 1, NULL, NULL},
		{"rate", 0, "R", "b", 2, NULL, NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	static const struct mc_opt letter[] = {
		{"rate", 'r', "R", "a", 1, NULL, NULL},
		{"ramp", 'r', NULL, "b", 2, NULL, NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	static const struct mc_opt id[] = {
		{"rate", 'r', "R", "a", 1, NULL, NULL},
		{"ramp", 0, NULL, "b", 1, NULL, NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	static const struct mc_opt nohelp[] = {
		{"rate", 'r', "R", "", 1, NULL, NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	static const struct mc_opt shared[] = {
		{"json", 'j', "FILE", "to FILE", MC_OPT_JSON, NULL, NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	char why[128];

	(void)state;
	assert_int_equal(mc_opt_check(twice, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "--rate and --rate"));
	assert_int_equal(mc_opt_check(letter, why, sizeof(why)), -EINVAL);
	assert_int_equal(mc_opt_check(id, why, sizeof(why)), -EINVAL);
	assert_int_equal(mc_opt_check(nohelp, why, sizeof(why)), -EINVAL);
	assert_int_equal(mc_opt_check(shared, why, sizeof(why)), -EINVAL);
}

/* getopt's long options are the rows in order, and its short string has
 * every letter, with ':' after those that take a value, and nothing else. */
static void test_getopt_arrays(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		const struct mc_opt *o = cmds[c]->opts;
		struct option longs[MC_OPT_MAX + 1];
		char shorts[2 * MC_OPT_MAX + 2], want[2 * MC_OPT_MAX + 2] = ":";
		size_t n = 0, w = 1;

		assert_int_equal(mc_opt_getopt(o, longs, shorts), 0);
		for (; o[n].name; n++) {
			assert_string_equal(longs[n].name, o[n].name);
			assert_int_equal(longs[n].has_arg,
					 o[n].value ? required_argument : no_argument);
			assert_null(longs[n].flag);
			assert_int_equal(longs[n].val,
					 o[n].letter ? o[n].letter : MC_OPT_LONG + (int)n);
			if (o[n].letter)
				want[w++] = o[n].letter;
			if (o[n].letter && o[n].value)
				want[w++] = ':';
		}
		want[w] = '\0';
		assert_null(longs[n].name);
		assert_string_equal(shorts, want);
	}
}

/* Each row shows in --help as "-x, --name VALUE" or "--name VALUE", once,
 * with the first line of its description. */
static void test_help_lists_every_row(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		const char *help = help_of(cmds[c]);

		for (const struct mc_opt *o = cmds[c]->opts; o->name; o++) {
			char left[96], first[96];
			const char *at;
			size_t n = strcspn(o->help, "\n");

			if (o->letter)
				snprintf(left, sizeof(left), "\n  -%c, --%s%s%s", o->letter, o->name,
					 o->value ? " " : "", o->value ? o->value : "");
			else
				snprintf(left, sizeof(left), "\n  %s--%s%s%s",
					 cmds[c]->letters ? "    " : "", o->name,
					 o->value ? " " : "", o->value ? o->value : "");
			at = strstr(help, left);
			if (!at)
				fail_msg("maxconn %s --help has no '%s'", cmds[c]->name, left + 1);
			assert_null(strstr(at + 1, left));
			snprintf(first, sizeof(first), "%.*s\n", (int)n, o->help);
			at += strlen(left);
			at += strspn(at, " ");
			assert_memory_equal(at, first, strlen(first));
		}
	}
}

/* The layout: descriptions from col, two spaces after a longer left side,
 * the other lines at col, headings with a blank line before (not the
 * first), what a row adds after its lines, head and tail around. */
static void more(FILE *f)
{
	fputs("    (more)\n", f);
}

static void test_help_layout(void **state)
{
	static const struct mc_opt rows[] = {
		{"rate", 'r', "R", "per second", 1, "Options:", NULL},
		{"port-select", 0, "maxconn|kernel", "who picks\nthe ports", 2, NULL, more},
		{"json", 0, NULL, "as JSON", 3, "Output:", NULL},
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	struct mc_opt_cmd cmd = {"x", rows, "Usage: x\n\n", "\nEnd.\n", 16, true};
	const char *help = help_of(&cmd);

	(void)state;
	assert_string_equal(help, "Usage: x\n"
				  "\n"
				  "Options:\n"
				  "  -r, --rate R  per second\n"
				  "      --port-select maxconn|kernel  who picks\n"
				  "                the ports\n"
				  "    (more)\n"
				  "\n"
				  "Output:\n"
				  "      --json    as JSON\n"
				  "\n"
				  "End.\n");
	cmd.letters = false;
	help = help_of(&cmd);
	assert_non_null(strstr(help, "\n  --json        as JSON\n"));
}

/* The parse hands each own option to set with its id and value, the shared
 * ones to com; what set returns ends it. */
struct seen {
	int ids[8], n;
	const char *vals[8];
};

static int record(void *ctx, int id, const char *value)
{
	struct seen *s = ctx;

	s->ids[s->n] = id;
	s->vals[s->n++] = value;
	return strcmp(value ? value : "", "bad") == 0 ? 2 : 0;
}

/* argv of words (getopt_long takes char **), copied into buf. */
static char **argv_of(const char *const *words, char buf[][16], char **argv)
{
	size_t i = 0;

	for (; words[i]; i++) {
		snprintf(buf[i], 16, "%s", words[i]);
		argv[i] = buf[i];
	}
	argv[i] = NULL;
	return argv;
}

static void test_parse(void **state)
{
	static const struct mc_opt rows[] = {
		{"rate", 'r', "R", "per second", 7, NULL, NULL},
		{"force", 0, NULL, "go on", 8, NULL, NULL},
		MC_OPT_ROW_METRICS("serve"),
		MC_OPT_ROW_QUIET("quiet"),
		MC_OPT_ROW_HELP("help"),
		{NULL, 0, NULL, NULL, 0, NULL, NULL},
	};
	const struct mc_opt_cmd cmd = {"x", rows, "", "", 26, true};
	static const char *const ok[] = {"x",	      "-r",    "5",	   "--force", "-q",
					 "--metrics", ":9464", "--rate=6", NULL};
	static const char *const bad[] = {"x", "--force", "-r", "bad", "--force", NULL};
	char buf[8][16], *argv[9];
	struct mc_cli_common com = {0};
	struct seen s = {0};

	(void)state;
	assert_int_equal(mc_opt_parse(&cmd, 8, argv_of(ok, buf, argv), record, &s, &com), MC_CLI_GO_ON);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], 7);
	assert_string_equal(s.vals[0], "5");
	assert_int_equal(s.ids[1], 8);
	assert_null(s.vals[1]);
	assert_string_equal(s.vals[2], "6");
	assert_true(com.quiet && com.metrics && !com.json);
	assert_int_equal(com.metrics_at.port_lo, 9464);

	s.n = 0;
	assert_int_equal(mc_opt_parse(&cmd, 5, argv_of(bad, buf, argv), record, &s, &com), 2);
	assert_int_equal(s.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_value_to_a_flag),
		cmocka_unit_test(test_unknown_and_near),
		cmocka_unit_test(test_cut_to_fit),
		cmocka_unit_test(test_tables_check),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_getopt_arrays),
		cmocka_unit_test(test_help_lists_every_row),
		cmocka_unit_test(test_help_layout),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
