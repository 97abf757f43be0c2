/* usage.c: what every command's flag parsing shares: the usage-error
 * message, the end of the getopt loop, --workers. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
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

int mc_cli_option_error(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return mc_cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
	return mc_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
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
