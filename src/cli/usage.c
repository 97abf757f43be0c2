/* usage.c: the usage errors every command prints: the message and its hint
 * to --help, and what was wrong with an option getopt_long refused
 * (ambiguous, a value given to a flag, unknown with the nearest names);
 * the --source check client and probe share. */
#include "cli/usage.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "net/sock.h"

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

/* Edit distance of a and b (insert, delete, change, swap two
 * neighbours), or max + 1 once it is over max: short option names only. */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb, unsigned max)
{
	unsigned d[48][48];

	if (la >= 48 || lb >= 48)
		return max + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t k = 0; k <= lb; k++)
		d[0][k] = (unsigned)k;
	for (size_t i = 1; i <= la; i++)
		for (size_t k = 1; k <= lb; k++) {
			unsigned v = d[i - 1][k - 1] + (a[i - 1] != b[k - 1]);
			if (d[i - 1][k] + 1 < v)
				v = d[i - 1][k] + 1;
			if (d[i][k - 1] + 1 < v)
				v = d[i][k - 1] + 1;
			if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] &&
			    d[i - 2][k - 2] + 1 < v)
				v = d[i - 2][k - 2] + 1;
			d[i][k] = v;
		}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

/* Append ", --NAME" (or "--NAME" first) to out, cut to fit. */
static void add_name(char *out, size_t len, size_t *o, const char *name, bool first)
{
	int n;

	if (*o + 1 >= len)
		return;
	n = snprintf(out + *o, len - *o, "%s--%s", first ? "" : ", ", name);

	if (n > 0)
		*o = *o + (size_t)n < len ? *o + (size_t)n : len - 1;
}

void mc_cli_long_option_error(const struct option *opts, const char *word, char *out,
			      size_t len)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name), o = 0;
	unsigned prefix = 0, near = 0, best;

	if (!len)
		return;
	out[0] = '\0';
	for (const struct option *p = opts; p && p->name; p++) {
		if (strlen(p->name) == n && strncmp(p->name, name, n) == 0) {
			/* a whole name, so getopt refused its =VALUE */
			snprintf(out, len, "--%s takes no value ('%s')", p->name, word);
			return;
		}
		if (n && strncmp(p->name, name, n) == 0)
			prefix++;
	}
	if (prefix > 1) {
		o = (size_t)snprintf(out, len, "ambiguous option '--%.*s': it could be ", (int)n,
				     name);
		for (const struct option *p = opts; p->name && o + 1 < len; p++)
			if (strncmp(p->name, name, n) == 0)
				add_name(out, len, &o, p->name, near++ == 0);
		return;
	}
	if (prefix == 1) {
		/* a unique prefix getopt took, with a value it refused */
		for (const struct option *p = opts; p && p->name; p++)
			if (strncmp(p->name, name, n) == 0)
				snprintf(out, len, "--%s takes no value ('%s')", p->name, word);
		return;
	}
	/* the nearest names, if near enough: one edit for short ones, two */
	best = n > 4 ? 2 : 1;
	for (const struct option *p = opts; p && p->name; p++) {
		unsigned d = edit_distance(name, n, p->name, strlen(p->name), best);
		if (d < best)
			best = d;
	}
	o = (size_t)snprintf(out, len, "unknown option '--%.*s'", (int)n, name);
	for (const struct option *p = opts; p && p->name && o + 1 < len; p++)
		if (edit_distance(name, n, p->name, strlen(p->name), best) <= best) {
			if (!near++) {
				o += (size_t)snprintf(out + o, len - o, " (did you mean ");
				if (o >= len)
					o = len - 1;
			}
			add_name(out, len, &o, p->name, near == 1);
		}
	if (near && o + 2 < len)
		snprintf(out + o, len - o, "?)");
}

/* Whether word ("--NAME=VALUE") names, whole or by its prefix, an option
 * whose code is val. */
static bool names(const struct option *opts, const char *word, int val)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : 0;

	for (const struct option *p = opts; n && p && p->name; p++)
		if (strncmp(p->name, name, n) == 0 && p->val == val)
			return true;
	return false;
}

/* getopt_long leaves the option in optopt for a short one (a letter, maybe
 * inside a cluster such as -xq, where argv[optind - 1] is the word before
 * it) and 0 for an unknown or ambiguous long one; a long option missing
 * its value is the last word. */
int mc_cli_option_error(const char *cmd, int opt, char **argv, const struct option *opts)
{
	const char *word = argv[optind - 1];
	bool is_long = strncmp(word, "--", 2) == 0;
	char msg[256];

	if (opt == ':')
		return is_long ? mc_cli_usage_error(cmd, "%s needs a value", word)
			       : mc_cli_usage_error(cmd, "-%c needs a value", optopt);
	/* a short letter after a long option (--json -xq: the word is still
	 * --json) is the letter's error; a long one with a value it takes
	 * not (--quiet=1) leaves its own letter in optopt */
	if (is_long && (optopt < 1 || optopt > 127 || names(opts, word, optopt))) {
		mc_cli_long_option_error(opts, word, msg, sizeof(msg));
		return mc_cli_usage_error(cmd, "%s", msg);
	}
	if (optopt > 0 && optopt < 128)
		return mc_cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return mc_cli_usage_error(cmd, "unknown option '%s'", word);
}

int mc_cli_extra_arg(const char *cmd, char **argv)
{
	return mc_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
}

int mc_cli_sources_here(const char *cmd, const struct mc_addr_range *src, size_t n, const char *in)
{
	char sa[MC_ADDR_STRLEN];
	struct mc_addr bad;

	if (mc_sock_check_sources(src, n, &bad) == 0)
		return 0;
	mc_addr_str(&bad, sa, sizeof(sa));
	fprintf(stderr,
		"maxconn %s: --source %s%s is not an address of this host; add it (ip addr add %s "
		"dev lo) or use loopback sources (127.0.0.2-127.0.0.50 need no setup)\n",
		cmd, sa, in, sa);
	return MC_EXIT_USAGE;
}

int mc_cli_proto(const char *cmd, const char *arg, enum mc_client_proto *p)
{
	int rc = mc_http_proto_parse(arg, p);

	if (rc == -ENOTSUP)
		return mc_cli_usage_error(cmd,
					  "--proto '%s': not built yet (issue 23); built: tcp (the "
					  "default) and http",
					  arg);
	if (rc < 0)
		return mc_cli_usage_error(cmd, "--proto '%s': use tcp or http", arg);
	return 0;
}

int mc_cli_http_request(const char *cmd, const char *line, const struct mc_addr *a,
			uint16_t port, char *out, size_t len, size_t *n)
{
	char host[MC_ADDR_STRLEN];
	const char *why;
	int rc;

	mc_addr_port_str(a, port, host, sizeof(host));
	rc = mc_http_request_build(line ? line : "GET / HTTP/1.1", host, out, len, &why);
	if (rc < 0)
		return mc_cli_usage_error(cmd, "--request '%s': %s", line ? line : "", why);
	*n = (size_t)rc;
	return 0;
}
