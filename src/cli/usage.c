/* usage.c: the usage-error message shared by every command. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"

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
