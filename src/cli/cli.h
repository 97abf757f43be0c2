/* cli.h: the commands of the maxconn binary. Each turns its arguments into a
 * config struct with its option table (cli/opt.h), calls one engine
 * function, prints the result with the engine's writers and returns an exit
 * code (enum mc_exit). */
#ifndef MC_CLI_CLI_H
#define MC_CLI_CLI_H

#include "cli/opt.h"

#define MC_VERSION "0.1.0"

int mc_cmd_server(int argc, char **argv);
int mc_cmd_client(int argc, char **argv);
int mc_cmd_limits(int argc, char **argv);
int mc_cmd_probe(int argc, char **argv);

/* Each command's options and --help (for the unit tests). */
extern const struct mc_opt_cmd mc_cli_server, mc_cli_client, mc_cli_limits, mc_cli_probe;

#endif
