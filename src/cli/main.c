/* main.c: the maxconn binary; it only dispatches to a command. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "net/ctl.h"

static const char usage[] =
	"maxconn " MC_VERSION ": how many concurrent TCP connections can this host hold,\n"
	"what stops it first, and what to change to go further.\n"
	"\n"
	"Usage: maxconn COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  probe    the experiment: ramp connections on this host until the target or\n"
	"           the first limit, name the limit with its evidence, measure memory\n"
	"           per connection, compare with the prediction, write a report\n"
	"  limits   every limit on concurrent connections on this host, the ceiling each\n"
	"           allows, which one binds first and how to raise it\n"
	"  server   hold as many connections as the host allows (hold or echo)\n"
	"  client   open exactly N connections over many source addresses and ports,\n"
	"           at a chosen rate, with traffic and latency figures\n"
	"\n"
	"A TCP connection is the 4-tuple (source IP, source port, destination IP,\n"
	"destination port). 65535 is how many ports one source address has toward\n"
	"one destination, not how many connections a server can hold: that is set by\n"
	"file descriptors, memory and CPU, whichever runs out first.\n"
	"\n"
	"Run 'maxconn COMMAND --help' for a command's options.\n"
	"\n"
	"Exit codes: 0 done as asked; 1 runtime failure (resets, lost bytes);\n"
	"            2 usage error; 3 a host limit stopped the run short of its target;\n"
	"            130 interrupted (Ctrl-C; the summary is still printed).\n";

int main(int argc, char **argv)
{
	/* ctl: the command stops on SIGINT/SIGTERM through net/ctl.h, so
	 * they are blocked before anything else runs (mc_ctl_block_early) */
	static const struct {
		const char *name;
		int (*fn)(int, char **);
		bool ctl;
	} cmds[] = {
		{"server", mc_cmd_server, true},
		{"client", mc_cmd_client, true},
		{"limits", mc_cmd_limits, false},
		{"probe", mc_cmd_probe, true},
	};
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage, cmd ? stdout : stderr);
		return cmd ? MC_EXIT_OK : MC_EXIT_USAGE;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("maxconn %s\n", MC_VERSION);
		return MC_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i].name) == 0) {
			if (cmds[i].ctl)
				mc_ctl_block_early();
			return cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr,
		"maxconn: '%s' is not a command. Commands: probe, limits, server, client.\n"
		"Try 'maxconn --help'.\n",
		cmd);
	return MC_EXIT_USAGE;
}
