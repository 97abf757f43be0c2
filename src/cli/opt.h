/* opt.h: a command's options as one table. Each row is one option: its long
 * name, its short letter, the name of its value and its lines in --help; from
 * the table come getopt_long's struct option[] and short-option string, and
 * the options part of `maxconn COMMAND --help`, so what is parsed and what
 * is documented cannot drift apart (as git's parse-options and iproute2's
 * tables). The flags several commands share (--metrics, --json, -q, -h) are
 * rows of the same shape (MC_OPT_ROW_*), handled here once. */
#ifndef MC_CLI_OPT_H
#define MC_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/addr.h"

/* One option. A table is an array of rows ended by one with no name. */
struct mc_opt {
	const char *name;      /* the long name, without "--" */
	char letter;	       /* the short option, or 0 */
	const char *value;     /* its value's name in --help ("N", "ADDR:PORT"); NULL: a flag */
	const char *help;      /* its description; '\n' between the lines of --help */
	int id;		       /* what the parse hands the command's set function */
	const char *heading;   /* a section's title --help prints before this row, or NULL */
	void (*more)(FILE *f); /* lines --help prints after this row's own, or NULL */
};

/* A command as its options and its --help. */
struct mc_opt_cmd {
	const char *name;	   /* "server": for the usage errors */
	const struct mc_opt *opts; /* the table */
	const char *head, *tail;   /* --help before and after the options */
	int col;		   /* the column the descriptions start at */
	bool letters;		   /* a column for the short letters ("      --rate") */
};

/* Rows of a table, and the getopt values of the long-only ones
 * (MC_OPT_LONG + their row). */
#define MC_OPT_MAX  48
#define MC_OPT_LONG 256

/* The ids of the shared flags; a command's own ids are letters or from
 * MC_OPT_OWN on. */
enum {
	MC_OPT_METRICS = 0x10000, /* --metrics ADDR:PORT */
	MC_OPT_JSON,		  /* --json: the summary as JSON */
	MC_OPT_QUIET,		  /* -q: no live line */
	MC_OPT_HELP,		  /* -h: print --help, exit 0 */
};
#define MC_OPT_OWN 1024

/* The shared rows, each command with its own words for them. */
#define MC_OPT_ROW_METRICS(words)                                                                  \
	{                                                                                          \
		"metrics", 0, "ADDR:PORT", words, MC_OPT_METRICS, NULL, NULL                       \
	}
#define MC_OPT_ROW_JSON(words)                                                                     \
	{                                                                                          \
		"json", 'j', NULL, words, MC_OPT_JSON, NULL, NULL                                  \
	}
#define MC_OPT_ROW_QUIET(words)                                                                    \
	{                                                                                          \
		"quiet", 'q', NULL, words, MC_OPT_QUIET, NULL, NULL                                \
	}
#define MC_OPT_ROW_HELP(words)                                                                     \
	{                                                                                          \
		"help", 'h', NULL, words, MC_OPT_HELP, NULL, NULL                                  \
	}

/* What the shared flags set. */
struct mc_cli_common {
	bool json, quiet, metrics;
	struct mc_endpoint_range metrics_at;
};

/* A command's own option: id with its value (NULL for a flag) into ctx.
 * Returns 0, or the exit code to return now (the usage error printed). */
typedef int (*mc_opt_set_fn)(void *ctx, int id, const char *value);

/* mc_opt_parse's answer when every option was taken and the command runs */
#define MC_CLI_GO_ON (-1)

/* Parse argv (argv[0] the command) with cmd's table: each of the
 * command's own options goes to set, in order; the shared ones into com
 * (NULL when the table has none); -h prints --help. Returns MC_CLI_GO_ON,
 * or the exit code to return now: MC_EXIT_OK after --help, MC_EXIT_USAGE
 * with the error printed (an option unknown, ambiguous, missing its value,
 * or an argument left over), or what set returned. */
int mc_opt_parse(const struct mc_opt_cmd *cmd, int argc, char **argv, mc_opt_set_fn set, void *ctx,
		 struct mc_cli_common *com);

/* getopt_long's arrays for a table: longs (MC_OPT_MAX + 1 entries, ended
 * by a zero one) and shorts (2 * MC_OPT_MAX + 2 bytes: ':' first, so a
 * missing value is told apart). 0, or -E2BIG past MC_OPT_MAX rows. */
int mc_opt_getopt(const struct mc_opt *opts, struct option *longs, char *shorts);

/* Whether a table is one getopt can take: no two rows share a long name,
 * a letter or an id, no letter is ':' or '?', every row has help, a shared
 * row takes a value only for --metrics, at most MC_OPT_MAX rows. 0, or
 * -EINVAL with why naming the row. */
int mc_opt_check(const struct mc_opt *opts, char *why, size_t len);

/* `maxconn CMD --help`: head, the rows (each "  -l, --listen ADDR" and its
 * description from cmd->col on, two spaces after a longer left side), tail. */
void mc_opt_help(FILE *f, const struct mc_opt_cmd *cmd);

/* Values the shared options take. Each returns 0, or prints the usage
 * error for cmd and returns MC_EXIT_USAGE. --metrics ADDR:PORT or :PORT: */
int mc_cli_parse_metrics(const char *cmd, const char *arg, struct mc_endpoint_range *out);
/* --workers N|auto (0 = auto) */
int mc_cli_parse_workers(const char *cmd, const char *arg, unsigned *out);

#endif
