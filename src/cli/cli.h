/* cli.h: the commands of the maxconn binary. Each turns its arguments into a
 * config struct, calls one engine function, prints the result and returns an
 * exit code (enum mc_exit). */
#ifndef MC_CLI_CLI_H
#define MC_CLI_CLI_H

#define MC_VERSION "0.1.0"

int mc_cmd_server(int argc, char **argv);
int mc_cmd_client(int argc, char **argv);
int mc_cmd_limits(int argc, char **argv);
int mc_cmd_probe(int argc, char **argv);

/* Print "maxconn CMD: <msg>" and a hint to --help on stderr; returns
 * MC_EXIT_USAGE. */
int mc_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The end of every command's getopt loop: getopt_long returned opt (':'
 * for a missing value, anything else unknown) for argv[optind - 1]; prints
 * the usage error naming it and returns MC_EXIT_USAGE. */
int mc_cli_option_error(const char *cmd, int opt, char **argv);
/* After the options: argv[optind] is an argument no command takes; prints
 * the usage error naming it and returns MC_EXIT_USAGE. */
int mc_cli_extra_arg(const char *cmd, char **argv);

/* Parse "--workers N|auto" (0 = auto). Returns 0, or prints the usage
 * error for cmd and returns MC_EXIT_USAGE. */
int mc_cli_parse_workers(const char *cmd, const char *arg, unsigned *out);

#endif
