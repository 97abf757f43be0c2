/* usage.c: what every command's flag parsing shares: the usage-error
 * message, the end of the getopt loop, --workers. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"
#include "common/parse.h"

#include <string.h>

int mc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "maxconn %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'maxconn %s --help'.\n", cmd);
	return MC_EXIT_USAGE;
}

/* getopt_long leaves the option in optopt for a short one (a letter, maybe
 * inside a cluster such as -xq, where argv[optind - 1] is the word before
 * it) and 0 for an unknown long one; a long option missing its value is
 * the last word. */
int mc_cli_option_error(const char *cmd, int opt, char **argv)
{
	const char *word = argv[optind - 1];
	bool is_long = strncmp(word, "--", 2) == 0;

	if (opt == ':')
		return is_long ? mc_cli_usage_error(cmd, "%s needs a value", word)
			       : mc_cli_usage_error(cmd, "-%c needs a value", optopt);
	if (optopt > 0 && optopt < 128)
		return mc_cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return mc_cli_usage_error(cmd, "unknown option '%s'", word);
}

int mc_cli_common_opt(const char *cmd, int opt, char **argv, const char *help,
		      struct mc_cli_common *o)
{
	switch (opt) {
	case MC_CLI_OPT_METRICS:
		if (mc_cli_parse_metrics(cmd, optarg, &o->metrics_at))
			return MC_EXIT_USAGE;
		o->metrics = true;
		return MC_CLI_GO_ON;
	case 'j':
		o->json = true;
		return MC_CLI_GO_ON;
	case 'q':
		o->quiet = true;
		return MC_CLI_GO_ON;
	case 'h':
		fputs(help, stdout);
		return MC_EXIT_OK;
	default:
		return mc_cli_option_error(cmd, opt, argv);
	}
}

int mc_cli_extra_arg(const char *cmd, char **argv)
{
	return mc_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
}

int mc_cli_parse_workers(const char *cmd, const char *arg, unsigned *out)
{
	uint64_t v;

	if (strcmp(arg, "auto") == 0) {
		*out = 0;
		return 0;
	}
	if (mc_parse_count(arg, &v, NULL) < 0 || v < 1 || v > 4096)
		return mc_cli_usage_error(cmd, "--workers '%s': use auto or 1 to 4096", arg);
	*out = (unsigned)v;
	return 0;
}
