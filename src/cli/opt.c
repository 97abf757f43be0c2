/* opt.c: a command's option table made into what getopt_long takes and what
 * --help prints, the parse loop every command runs with it, the shared flags
 * (--metrics, --json, -q, -h) and the values they take. */
#include "cli/opt.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cli/usage.h"
#include "common/err.h"
#include "common/parse.h"

int mc_opt_getopt(const struct mc_opt *opts, struct option *longs, char *shorts)
{
	size_t n = 0, s = 0;

	shorts[s++] = ':';
	for (; opts[n].name; n++) {
		const struct mc_opt *o = &opts[n];

		if (n == MC_OPT_MAX)
			return -E2BIG;
		longs[n] = (struct option){o->name, o->value ? required_argument : no_argument,
					   NULL, o->letter ? o->letter : MC_OPT_LONG + (int)n};
		if (o->letter) {
			shorts[s++] = o->letter;
			if (o->value)
				shorts[s++] = ':';
		}
	}
	longs[n] = (struct option){NULL, 0, NULL, 0};
	shorts[s] = '\0';
	return 0;
}

int mc_opt_check(const struct mc_opt *opts, char *why, size_t len)
{
	for (size_t i = 0; opts[i].name; i++) {
		const struct mc_opt *o = &opts[i];

		if (i == MC_OPT_MAX) {
			snprintf(why, len, "more than %d rows", MC_OPT_MAX);
			return -EINVAL;
		}
		if (!o->help || !o->help[0] || o->letter == ':' || o->letter == '?') {
			snprintf(why, len, "--%s: no help, or a letter getopt keeps", o->name);
			return -EINVAL;
		}
		if (o->id >= MC_OPT_METRICS && o->id <= MC_OPT_HELP &&
		    (o->value != NULL) != (o->id == MC_OPT_METRICS)) {
			snprintf(why, len, "--%s: a shared flag with a value, or --metrics without",
				 o->name);
			return -EINVAL;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(opts[k].name, o->name) == 0 ||
			    (o->letter && opts[k].letter == o->letter) || opts[k].id == o->id) {
				snprintf(why, len, "--%s and --%s share a name, a letter or an id",
					 opts[k].name, o->name);
				return -EINVAL;
			}
	}
	return 0;
}

/* One row: "  -l, --listen ADDR" (or "      --rate R", or "  --role R"
 * without the letters' column), its first line of description from col
 * on (two spaces after a longer left side), the others at col. */
static void help_row(FILE *f, const struct mc_opt_cmd *cmd, const struct mc_opt *o)
{
	const char *line = o->help;
	int n;

	if (o->letter)
		n = fprintf(f, "  -%c, --%s", o->letter, o->name);
	else
		n = fprintf(f, "  %s--%s", cmd->letters ? "    " : "", o->name);
	if (o->value)
		n += fprintf(f, " %s", o->value);
	fprintf(f, "%*s", n < cmd->col ? cmd->col - n : 2, "");
	for (;;) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		fprintf(f, "%.*s\n", len, line);
		if (!nl)
			break;
		line = nl + 1;
		fprintf(f, "%*s", cmd->col, "");
	}
	if (o->more)
		o->more(f);
}

void mc_opt_help(FILE *f, const struct mc_opt_cmd *cmd)
{
	fputs(cmd->head, f);
	for (const struct mc_opt *o = cmd->opts; o->name; o++) {
		if (o->heading)
			fprintf(f, "%s%s\n", o == cmd->opts ? "" : "\n", o->heading);
		help_row(f, cmd, o);
	}
	fputs(cmd->tail, f);
}

/* A shared flag but -h into com; 0, or the usage error. */
static int common_opt(const char *cmd, int id, const char *value, struct mc_cli_common *com)
{
	switch (id) {
	case MC_OPT_METRICS:
		if (mc_cli_parse_metrics(cmd, value, &com->metrics_at))
			return MC_EXIT_USAGE;
		com->metrics = true;
		return 0;
	case MC_OPT_JSON:
		com->json = true;
		return 0;
	}
	com->quiet = true; /* MC_OPT_QUIET */
	return 0;
}

int mc_opt_parse(const struct mc_opt_cmd *cmd, int argc, char **argv, mc_opt_set_fn set, void *ctx,
		 struct mc_cli_common *com)
{
	struct option longs[MC_OPT_MAX + 1];
	char shorts[2 * MC_OPT_MAX + 2];
	int c, rc;

	if (mc_opt_getopt(cmd->opts, longs, shorts) < 0) { /* the unit tests catch it first */
		fprintf(stderr, "maxconn %s: more than %d options\n", cmd->name, MC_OPT_MAX);
		return MC_EXIT_RUNTIME;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct mc_opt *o = NULL;

		for (size_t i = 0; longs[i].name && !o; i++)
			if (longs[i].val == c)
				o = &cmd->opts[i];
		if (!o)
			return mc_cli_option_error(cmd->name, c, argv, longs);
		if (o->id == MC_OPT_HELP) {
			mc_opt_help(stdout, cmd);
			return MC_EXIT_OK;
		}
		if (o->id >= MC_OPT_METRICS && o->id <= MC_OPT_QUIET)
			rc = common_opt(cmd->name, o->id, optarg, com);
		else
			rc = set(ctx, o->id, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return mc_cli_extra_arg(cmd->name, argv);
	return MC_CLI_GO_ON;
}

int mc_cli_parse_metrics(const char *cmd, const char *arg, struct mc_endpoint_range *out)
{
	struct mc_err err;
	char buf[96];
	const char *addr = arg; /* what is parsed; the message shows arg, as typed */

	/* ":9464" is every IPv4 address, as node_exporter's --web.listen-address */
	if (arg[0] == ':' && strlen(arg) < sizeof(buf) - 8) {
		snprintf(buf, sizeof(buf), "0.0.0.0%s", arg);
		addr = buf;
	}
	if (mc_parse_endpoint(addr, true, out, &err) < 0 || out->port_lo != out->port_hi)
		return mc_cli_usage_error(cmd,
					  "--metrics '%s': use ADDR:PORT, e.g. 127.0.0.1:9464 or "
					  ":9464 (every address); port 0 lets the kernel pick",
					  arg);
	return 0;
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
