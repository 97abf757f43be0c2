/* cmd_client.c: placeholder until the engine lands. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/err.h"

int mc_cmd_client(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("maxconn client: not built yet\n", stderr);
	return MC_EXIT_RUNTIME;
}
