/* usage.h: the usage errors every command prints: the message with its hint
 * to --help, and the words for an option getopt_long refused. Calls nothing
 * else in cli/. */
#ifndef MC_CLI_USAGE_H
#define MC_CLI_USAGE_H

#include <getopt.h>
#include <stddef.h>

#include "client/http.h"
#include "common/addr.h"

/* Print "maxconn CMD: <msg>" and a hint to --help on stderr; returns
 * MC_EXIT_USAGE. */
int mc_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The end of every command's getopt loop: getopt_long returned opt (':'
 * for a missing value, anything else unknown) for argv[optind - 1]; prints
 * the usage error naming it and returns MC_EXIT_USAGE. opts is the
 * command's table, for the long options' errors. */
int mc_cli_option_error(const char *cmd, int opt, char **argv, const struct option *opts);
/* The error for a long option getopt_long refused (word: "--NAME" or
 * "--NAME=VALUE"), into out: ambiguous (the options it could be), a value
 * given to one that takes none, or unknown (with the near names, if any:
 * "did you mean --model?"). */
void mc_cli_long_option_error(const struct option *opts, const char *word, char *out, size_t len);
/* After the options: argv[optind] is an argument no command takes; prints
 * the usage error naming it and returns MC_EXIT_USAGE. */
int mc_cli_extra_arg(const char *cmd, char **argv);

/* The --source ranges must be addresses of this host (net/sock.h's
 * check): 0, or prints "maxconn CMD: --source ADDR<in> is not an address
 * of this host" with the fix (add it to lo, or loopback sources) and
 * returns MC_EXIT_USAGE. in: words after the address, "" for none. */
int mc_cli_sources_here(const char *cmd, const struct mc_addr_range *src, size_t n,
			const char *in);

/* --proto NAME into *p (tcp, http); a protocol of issue 23 not built yet
 * (ws, tls, https, wss, mqtt) or an unknown name: prints the usage error
 * saying which are, returns MC_EXIT_USAGE. */
int mc_cli_proto(const char *cmd, const char *arg, enum mc_client_proto *p);

/* --request LINE (NULL: "GET / HTTP/1.1") with a Host header of the
 * target (a, port) into out (len bytes), *n its length; 0, or prints the
 * usage error and returns MC_EXIT_USAGE. */
int mc_cli_http_request(const char *cmd, const char *line, const struct mc_addr *a,
			uint16_t port, char *out, size_t len, size_t *n);

#endif
