/* cli.h: the commands of the maxconn binary. Each turns its arguments into a
 * config struct, calls one engine function, prints the result and returns an
 * exit code (enum mc_exit). */
#ifndef MC_CLI_CLI_H
#define MC_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "metrics/serve.h"

#define MC_VERSION "0.1.0"

struct mc_json;

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
 * the usage error naming it and returns MC_EXIT_USAGE. opts is the
 * command's table, for the long options' errors. */
int mc_cli_option_error(const char *cmd, int opt, char **argv, const struct option *opts);
/* The error for a long option getopt_long refused (word: "--NAME" or
 * "--NAME=VALUE"), into out: ambiguous (the options it could be), a value
 * given to one that takes none, or unknown (with the near names, if any:
 * "did you mean --model?"). */
void mc_cli_long_option_error(const struct option *opts, const char *word, char *out,
			      size_t len);
/* After the options: argv[optind] is an argument no command takes; prints
 * the usage error naming it and returns MC_EXIT_USAGE. */
int mc_cli_extra_arg(const char *cmd, char **argv);

/* Parse "--workers N|auto" (0 = auto). Returns 0, or prints the usage
 * error for cmd and returns MC_EXIT_USAGE. */
int mc_cli_parse_workers(const char *cmd, const char *arg, unsigned *out);

/* The flags server and client share, handled at the end of their getopt
 * switch by mc_cli_common_opt: --metrics ADDR:PORT (option code
 * MC_CLI_OPT_METRICS, long only), -j/--json, -q/--quiet, -h/--help, and
 * the usage errors for a missing value or an unknown option. */
struct mc_cli_common {
	bool json, quiet, metrics;
	struct mc_endpoint_range metrics_at;
};
#define MC_CLI_OPT_METRICS 0x10000
#define MC_CLI_GO_ON	   (-1)
/* MC_CLI_GO_ON when opt was one of them and parsing goes on; else the
 * exit code to return now (MC_EXIT_OK after --help, MC_EXIT_USAGE). */
int mc_cli_common_opt(const char *cmd, int opt, char **argv, const struct option *opts,
		      const char *help, struct mc_cli_common *o);

/* --metrics (cli/metrics.c). Parse ADDR:PORT or :PORT; 0, or prints the
 * usage error for cmd and returns MC_EXIT_USAGE. */
int mc_cli_parse_metrics(const char *cmd, const char *arg, struct mc_endpoint_range *out);
/* Start the endpoint; says where on stderr unless quiet. 0, or prints why
 * not and returns MC_EXIT_RUNTIME. */
int mc_cli_metrics_start(const char *cmd, const struct mc_endpoint_range *ep, size_t snap_len,
			 mc_metrics_render_fn render, void *arg, bool quiet, struct mc_metrics **m);
/* "metrics": {"url", "scrapes"} in a JSON summary (nothing when m is NULL). */
void mc_cli_metrics_json(struct mc_json *j, struct mc_metrics *m);
/* The families every endpoint serves: build and run info, the host's
 * sockets and memory, read now. shard NULL or "" for none. */
void mc_cli_metrics_common(struct mc_prom *p, const char *role, const char *model,
			   const char *shard);

#endif
