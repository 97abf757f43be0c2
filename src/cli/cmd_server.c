/* cmd_server.c: placeholder until the engine lands. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/err.h"

int mc_cmd_server(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("maxconn server: not built yet\n", stderr);
	return MC_EXIT_RUNTIME;
}
