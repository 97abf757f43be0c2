/* cmd_limits.c: `maxconn limits`: parses the flags into a scenario, reads the
 * host (limits/read.c), judges (limits/judge.c) and prints the table or the
 * JSON. The only place that prints user-facing errors for this command and
 * chooses its exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/addr.h"
#include "common/err.h"
#include "common/parse.h"
#include "limits/limits.h"

/* --help, before the list of limit ids ... */
static const char help_head[] =
    "Usage: maxconn limits [OPTIONS]\n"
    "\n"
    "Every limit on concurrent TCP connections on this host: its value and where it\n"
    "comes from, how many connections it allows in the scenario you describe, which\n"
    "one binds first, and the exact command or config line that raises it.\n"
    "\n"
    "Scenario (defaults: an ordinary single-process epoll server on this host):\n"
    "  --role server|client|both  which end runs here; both = client and server on\n"
    "                        this host, 2 sockets and 2 fds per connection   [server]\n"
    "  --sources N           client source addresses                              [1]\n"
    "  --dest-addrs N        destination addresses                                [1]\n"
    "  --dest-ports N        destination ports (= the server's listen ports)      [1]\n"
    "  --connect ADDR:PORT[-PORT]  the client's destination(s) by address: sets\n"
    "                        --dest-ports, and counts exactly the ports those pairs\n"
    "                        hold in TIME_WAIT (without it: the busiest pairs')\n"
    "  --source ADDR[-ADDR]  the client's source address(es): sets --sources; with\n"
    "                        --connect the pairs are named exactly\n"
    "  --port-select kernel|maxconn  who picks the client's local ports: connect()\n"
    "                        (most clients), or the client binding each before\n"
    "                        connect() (maxconn client's default), which takes over\n"
    "                        a port in TIME_WAIT at once                    [kernel]\n"
    "  --model epoll|threads|uring  epoll: a few threads serve all connections;\n"
    "                        threads: one thread per connection; uring: like\n"
    "                        epoll, a ring's registered files capped at\n"
    "                        RLIMIT_NOFILE, one ring per fd table            [epoll]\n"
    "  --fd-tables N         fd tables: processes, or maxconn server/client workers\n"
    "                        (each owns one, so RLIMIT_NOFILE counts per worker)  [1]\n"
    "  --fd-overhead N       fds per table that are not connections (stdio, epoll,\n"
    "                        eventfds, listener, EMFILE reserve)                  [8]\n"
    "  --traffic BYTES       buffer memory each socket holds under load (64k, 1M) [0]\n"
    "  --backlog N           the listen() backlog the server asks for          [4096]\n"
    "  --target N            connections you want (100k, 1M): lists every change\n"
    "                        needed to get there, in order\n"
    "\n"
    "Output:\n"
    "  --json                the same content as JSON (schema: docs/limits.md)\n"
    "  --explain ID          what one limit is, how it shows when hit (errno, dmesg\n"
    "                        line, counter) and how to raise it. IDs:\n";
/* ... then the limit ids from the registry, then: */
static const char help_tail[] =
    "\n"
    "Whose limits:\n"
    "  --pid PID             judge a running process: its rlimits (/proc/PID/limits),\n"
    "                        uid and cgroup instead of this command's own\n"
    "  --root DIR            read /proc, /sys and /etc under DIR (tests, or a copy\n"
    "                        of another host's files); rlimits stay this process's\n"
    "  -h, --help            this text\n"
    "\n"
    "Statuses: binding (the lowest ceiling: what stops you first), fine, needs change\n"
    "(below --target), unknown (could not be read; the reason is shown, no guess).\n"
    "\n"
    "Examples:\n"
    "  maxconn limits\n"
    "  maxconn limits --role client --sources 10 --dest-ports 4 --json | jq .summary\n"
    "  maxconn limits --role both --fd-tables 8 --target 1M\n"
    "  maxconn limits --pid $(pidof nginx) --target 100k\n"
    "  maxconn limits --explain ephemeral_ports\n"
    "\n"
    "Exit codes: 0 printed; 1 runtime failure; 2 usage error;\n"
    "            3 --target is above what this host allows now (changes listed).\n";

enum {
	OPT_ROLE = 256,
	OPT_SOURCES,
	OPT_DEST_ADDRS,
	OPT_DEST_PORTS,
	OPT_MODEL,
	OPT_FD_TABLES,
	OPT_FD_OVERHEAD,
	OPT_TRAFFIC,
	OPT_BACKLOG,
	OPT_TARGET,
	OPT_JSON,
	OPT_EXPLAIN,
	OPT_ROOT,
	OPT_PID,
	OPT_CONNECT,
	OPT_SOURCE,
	OPT_PORT_SELECT,
};

static const struct option opts[] = {
    {"role", required_argument, NULL, OPT_ROLE},
    {"sources", required_argument, NULL, OPT_SOURCES},
    {"dest-addrs", required_argument, NULL, OPT_DEST_ADDRS},
    {"dest-ports", required_argument, NULL, OPT_DEST_PORTS},
    {"model", required_argument, NULL, OPT_MODEL},
    {"fd-tables", required_argument, NULL, OPT_FD_TABLES},
    {"fd-overhead", required_argument, NULL, OPT_FD_OVERHEAD},
    {"traffic", required_argument, NULL, OPT_TRAFFIC},
    {"backlog", required_argument, NULL, OPT_BACKLOG},
    {"target", required_argument, NULL, OPT_TARGET},
    {"json", no_argument, NULL, OPT_JSON},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"root", required_argument, NULL, OPT_ROOT},
    {"pid", required_argument, NULL, OPT_PID},
    {"connect", required_argument, NULL, OPT_CONNECT},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"port-select", required_argument, NULL, OPT_PORT_SELECT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A count flag that must be at least min (and at most max). */
static int count_arg(const char *flag, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	struct mc_err err;

	if (mc_parse_count(s, out, &err) < 0)
		return mc_cli_usage_error("limits", "%s: %s", flag, err.msg);
	if (*out < min || *out > max)
		return mc_cli_usage_error("limits", "%s '%s': must be between %llu and %llu", flag,
					  s, (unsigned long long)min, (unsigned long long)max);
	return 0;
}

int mc_cmd_limits(int argc, char **argv)
{
	struct mc_limits_scenario sc;
	struct mc_limits_snap *snap = NULL;
	struct mc_limits_result *res = NULL;
	const char *explain = NULL, *root = NULL;
	bool json = false;
	uint64_t pid = 0;
	int c, rc;
	struct mc_err err;

	mc_limits_scenario_default(&sc);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_ROLE:
			if (strcmp(optarg, "server") == 0)
				sc.role = MC_LIMITS_SERVER;
			else if (strcmp(optarg, "client") == 0)
				sc.role = MC_LIMITS_CLIENT;
			else if (strcmp(optarg, "both") == 0)
				sc.role = MC_LIMITS_BOTH;
			else
				return mc_cli_usage_error(
				    "limits", "--role '%s': expected server, client or both",
				    optarg);
			break;
		case OPT_MODEL:
			if (mc_model_parse(optarg, &sc.model, &err) < 0)
				return mc_cli_usage_error("limits", "%s", err.msg);
			break;
		case OPT_SOURCES:
			rc = count_arg("--sources", optarg, 1, 1ULL << 32, &sc.sources);
			break;
		case OPT_DEST_ADDRS:
			rc = count_arg("--dest-addrs", optarg, 1, 1ULL << 32, &sc.dest_addrs);
			break;
		case OPT_DEST_PORTS:
			rc = count_arg("--dest-ports", optarg, 1, 65535, &sc.dest_ports);
			break;
		case OPT_FD_TABLES:
			rc = count_arg("--fd-tables", optarg, 1, 1000000, &sc.fd_tables);
			break;
		case OPT_FD_OVERHEAD:
			rc = count_arg("--fd-overhead", optarg, 0, 1000000, &sc.fd_overhead);
			break;
		case OPT_BACKLOG:
			rc = count_arg("--backlog", optarg, 1, 1ULL << 31, &sc.backlog);
			break;
		case OPT_TARGET:
			rc = count_arg("--target", optarg, 1, 1ULL << 48, &sc.target);
			break;
		case OPT_TRAFFIC:
			if (mc_parse_size(optarg, &sc.traffic, &err) < 0)
				return mc_cli_usage_error("limits", "--traffic: %s", err.msg);
			if (sc.traffic > (1ULL << 40))
				return mc_cli_usage_error(
				    "limits", "--traffic '%s': at most 1 TiB per socket", optarg);
			break;
		case OPT_CONNECT:
			if (mc_parse_endpoint(optarg, false, &sc.dst, &err) < 0)
				return mc_cli_usage_error("limits", "--connect: %s", err.msg);
			sc.have_dst = true;
			sc.dest_addrs = 1;
			sc.dest_ports = (uint64_t)sc.dst.port_hi - sc.dst.port_lo + 1;
			break;
		case OPT_SOURCE:
			if (mc_parse_addr_range(optarg, &sc.src, &err) < 0)
				return mc_cli_usage_error("limits", "--source: %s", err.msg);
			sc.have_src = true;
			sc.sources = sc.src.count;
			break;
		case OPT_PORT_SELECT:
			if (strcmp(optarg, "kernel") != 0 && strcmp(optarg, "maxconn") != 0)
				return mc_cli_usage_error(
				    "limits", "--port-select '%s': expected kernel or maxconn", optarg);
			sc.bind_ports = strcmp(optarg, "maxconn") == 0;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_EXPLAIN:
			explain = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			if ((rc = mc_limits_root_check(root)) < 0) {
				char eb[96];
				return mc_cli_usage_error(
				    "limits",
				    "--root '%s': %s: give a directory that holds a host's proc/, "
				    "sys/ and etc/ (a fake tree for tests, or a copy of another "
				    "host's files)",
				    root,
				    rc == -ENODATA ? "none of proc/, sys/ and etc/ is in it"
						   : mc_strerror(rc, eb, sizeof(eb)));
			}
			break;
		case OPT_PID:
			if (mc_parse_count(optarg, &pid, &err) < 0 || pid == 0 || pid > 4194304 ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				return mc_cli_usage_error(
				    "limits", "--pid '%s': expected a process id", optarg);
			break;
		case 'h':
			fputs(help_head, stdout);
			mc_limits_print_ids(stdout, 24, 80);
			fputs(help_tail, stdout);
			return MC_EXIT_OK;
		default:
			return mc_cli_option_error("limits", c, argv, opts);
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return mc_cli_extra_arg("limits", argv);

	if (explain) {
		char ids[1024];

		if (mc_limits_explain(stdout, explain) < 0) {
			mc_limits_ids(ids, sizeof(ids));
			return mc_cli_usage_error(
			    "limits", "--explain '%s': no such limit; one of: %s", explain, ids);
		}
		return MC_EXIT_OK;
	}

	snap = calloc(1, sizeof(*snap));
	res = calloc(1, sizeof(*res));
	if (!snap || !res) {
		fputs("maxconn limits: out of memory\n", stderr);
		rc = MC_EXIT_RUNTIME;
		goto out;
	}
	mc_limits_read_self(snap);
	snap->pid = (int)pid;
	if (pid && (rc = mc_limits_read_pid(root, snap)) < 0) {
		char eb[96];
		fprintf(stderr, "maxconn limits: --pid %d: cannot read /proc/%d/limits: %s%s\n",
			snap->pid, snap->pid, mc_strerror(rc, eb, sizeof(eb)),
			rc == -ENOENT ? " (no such process?)" : "");
		rc = rc == -ENOENT ? MC_EXIT_USAGE : MC_EXIT_RUNTIME;
		goto out;
	}
	mc_limits_read(root, snap);
	if (!root)
		mc_limits_read_netns(snap);
	if (mc_limits_judge(snap, &sc, res) < 0) {
		fputs("maxconn limits: the scenario has a zero count\n", stderr);
		rc = MC_EXIT_USAGE;
		goto out;
	}
	if (json) {
		mc_limits_print_json(stdout, snap, &sc, res);
	} else {
		if (root)
			printf("maxconn limits: read under --root %s: every /proc, /sys and /etc "
			       "path below is %s/proc, %s/sys, %s/etc\n",
			       root, root, root, root);
		mc_limits_print(stdout, snap, &sc, res);
	}
	rc = sc.target && res->nchanges ? MC_EXIT_LIMIT : MC_EXIT_OK;
out:
	free(snap);
	free(res);
	return rc;
}
