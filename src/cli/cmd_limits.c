/* cmd_limits.c: placeholder until the limits model lands (issue 3). */
#include <stdio.h>

#include "cli/cli.h"
#include "common/err.h"

int mc_cmd_limits(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("maxconn limits: not built yet\n", stderr);
	return MC_EXIT_RUNTIME;
}
