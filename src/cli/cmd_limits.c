/* cmd_limits.c: `maxconn limits`: its option table, the flags into a
 * scenario, reads the host (limits/read.c), judges (limits/judge.c) and
 * prints the table or the JSON (limits/print.c, json.c). The only place
 * that prints user-facing errors for this command and chooses its exit
 * code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/usage.h"
#include "common/addr.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/parse.h"
#include "limits/calib.h"
#include "limits/limits.h"

enum {
	OPT_ROLE = MC_OPT_OWN,
	OPT_SOURCES,
	OPT_DEST_ADDRS,
	OPT_DEST_PORTS,
	OPT_MODEL,
	OPT_FD_TABLES,
	OPT_FD_OVERHEAD,
	OPT_TRAFFIC,
	OPT_HEARTBEAT,
	OPT_MESSAGE,
	OPT_BACKLOG,
	OPT_TARGET,
	OPT_EXPLAIN,
	OPT_CALIBRATE,
	OPT_ROOT,
	OPT_PID,
	OPT_CONNECT,
	OPT_SOURCE,
	OPT_PORT_SELECT,
	OPT_VIA,
};

/* --explain's help ends with the limit ids, from the registry. */
static void help_ids(FILE *f)
{
	mc_limits_print_ids(f, 24, 80);
}

static const struct mc_opt opts[] = {
    {"role", 0, "server|client|both",
     "which end runs here; both = client and server on\n"
     "this host, 2 sockets and 2 fds per connection   [server]",
     OPT_ROLE, "Scenario (defaults: an ordinary single-process epoll server on this host):", NULL},
    {"sources", 0, "N", "client source addresses                              [1]", OPT_SOURCES,
     NULL, NULL},
    {"dest-addrs", 0, "N", "destination addresses                                [1]",
     OPT_DEST_ADDRS, NULL, NULL},
    {"dest-ports", 0, "N", "destination ports (= the server's listen ports)      [1]",
     OPT_DEST_PORTS, NULL, NULL},
    {"connect", 0, "ADDR:PORT[-PORT]",
     "the client's destination(s) by address: sets\n"
     "--dest-ports, and counts exactly the ports those pairs\n"
     "hold in TIME_WAIT (without it: the busiest pairs')",
     OPT_CONNECT, NULL, NULL},
    {"source", 0, "ADDR[-ADDR]",
     "the client's source address(es): sets --sources; with\n"
     "--connect the pairs are named exactly",
     OPT_SOURCE, NULL, NULL},
    {"port-select", 0, "kernel|maxconn",
     "who picks the client's local ports: connect()\n"
     "(most clients), or the client binding each before\n"
     "connect() (maxconn client's default), which takes over\n"
     "a port in TIME_WAIT at once                    [kernel]",
     OPT_PORT_SELECT, NULL, NULL},
    {"via", 0, "snat|proxy[:ADDR,...][:LO-HI]",
     "a middle box on the path: a source NAT or a reverse\n"
     "proxy, its source addresses and port range (default:\n"
     "this host's nat rule, else 1024-65535 for NAT; the\n"
     "host's ip_local_port_range for a proxy). Its ceiling is\n"
     "addresses x --dest-addrs x --dest-ports x ports",
     OPT_VIA, NULL, NULL},
    {"model", 0, "epoll|threads|uring",
     "epoll: a few threads serve all connections;\n"
     "threads: one thread per connection; uring: like\n"
     "epoll, a ring's registered files capped at\n"
     "RLIMIT_NOFILE, one ring per fd table            [epoll]",
     OPT_MODEL, NULL, NULL},
    {"fd-tables", 0, "N",
     "fd tables: processes, or maxconn server/client workers\n"
     "(each owns one, so RLIMIT_NOFILE counts per worker)  [1]",
     OPT_FD_TABLES, NULL, NULL},
    {"fd-overhead", 0, "N",
     "fds per table that are not connections (stdio, epoll,\n"
     "eventfds, listener, EMFILE reserve)                  [8]",
     OPT_FD_OVERHEAD, NULL, NULL},
    {"traffic", 0, "SIZE", "each connection holds SIZE bytes its reader has not\n"
     "read (16k, 1M) [0]. They sit in the reader's (the\n"
     "server's) receive queue, up to its window; the rest\n"
     "waits in the writer's send queue. What the kernel\n"
     "charges for them (skb truesize, whole pages) against\n"
     "net.ipv4.tcp_mem is measured here: a short calibration\n"
     "in a private network namespace (root), else assumed", OPT_TRAFFIC,
     NULL, NULL},
    {"heartbeat", 0, "D", "each connection sends a --message every D (1s,\n"
     "100ms), echoed: CPU becomes a ceiling. The CPU one\n"
     "message costs at each end is measured here (a\n"
     "calibration in a private network namespace, root);\n"
     "see --explain cpu                                   [none]", OPT_HEARTBEAT, NULL, NULL},
    {"message", 0, "SIZE", "bytes of each heartbeat message                   [16]",
     OPT_MESSAGE, NULL, NULL},
    {"calibrate", 0, NULL, "measure the costs again (a socket's memory and\n"
     "cgroup charge, --traffic's, --heartbeat's);\n"
     "else a result kept for this boot, kernel and CPUs\n"
     "(in " MC_CALIB_DIR ") is used, as the output says", OPT_CALIBRATE, NULL, NULL},
    {"backlog", 0, "N", "the listen() backlog the server asks for          [4096]", OPT_BACKLOG,
     NULL, NULL},
    {"target", 0, "N",
     "connections you want (100k, 1M): lists every change\n"
     "needed to get there, in order",
     OPT_TARGET, NULL, NULL},
    {"json", 0, NULL, "the same content as JSON (schema: docs/limits.md)", MC_OPT_JSON,
     "Output:", NULL},
    {"explain", 0, "ID",
     "what one limit is, how it shows when hit (errno, dmesg\n"
     "line, counter) and how to raise it. IDs:",
     OPT_EXPLAIN, NULL, help_ids},
    {"pid", 0, "PID",
     "judge a running process: its rlimits (/proc/PID/limits),\n"
     "uid and cgroup instead of this command's own",
     OPT_PID, "Whose limits:", NULL},
    {"root", 0, "DIR",
     "read /proc, /sys and /etc under DIR (tests, or a copy\n"
     "of another host's files); rlimits stay this process's",
     OPT_ROOT, NULL, NULL},
    MC_OPT_ROW_HELP("this text"),
    {NULL, 0, NULL, NULL, 0, NULL, NULL},
};

const struct mc_opt_cmd mc_cli_limits = {
    .name = "limits",
    .opts = opts,
    .col = 24,
    .head = "Usage: maxconn limits [OPTIONS]\n"
	    "\n"
	    "Every limit on concurrent TCP connections on this host: its value and where it\n"
	    "comes from, how many connections it allows in the scenario you describe, which\n"
	    "one binds first, and the exact command or config line that raises it.\n"
	    "\n",
    .tail = "\n"
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
	    "            3 --target is above what this host allows now (changes listed).\n",
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

/* What the flags make: the scenario, and whose limits to read. */
struct limits_args {
	struct mc_limits_scenario sc;
	const char *explain, *root;
	uint64_t pid;
	bool calibrate; /* --calibrate: measure the costs anew */
};

/* --root DIR: a directory that holds a host's files. */
static int set_root(struct limits_args *a, const char *arg)
{
	char eb[96];
	int rc;

	a->root = arg;
	if ((rc = mc_limits_root_check(arg)) == 0)
		return 0;
	return mc_cli_usage_error("limits",
				  "--root '%s': %s: give a directory that holds a host's proc/, "
				  "sys/ and etc/ (a fake tree for tests, or a copy of another "
				  "host's files)",
				  arg,
				  rc == -ENODATA ? "none of proc/, sys/ and etc/ is in it"
						 : mc_strerror(rc, eb, sizeof(eb)));
}

/* One of the scenario's options into sc (--connect, --source, --role,
 * --port-select, --traffic and the counts). */
static int set_scenario(struct mc_limits_scenario *sc, int id, const char *arg)
{
	struct mc_err err;

	switch (id) {
	case OPT_ROLE:
		if (strcmp(arg, "server") == 0)
			sc->role = MC_LIMITS_SERVER;
		else if (strcmp(arg, "client") == 0)
			sc->role = MC_LIMITS_CLIENT;
		else if (strcmp(arg, "both") == 0)
			sc->role = MC_LIMITS_BOTH;
		else
			return mc_cli_usage_error(
			    "limits", "--role '%s': expected server, client or both", arg);
		return 0;
	case OPT_MODEL:
		if (mc_model_parse(arg, &sc->model, &err) < 0)
			return mc_cli_usage_error("limits", "%s", err.msg);
		return 0;
	case OPT_SOURCES:
		return count_arg("--sources", arg, 1, 1ULL << 32, &sc->sources);
	case OPT_DEST_ADDRS:
		return count_arg("--dest-addrs", arg, 1, 1ULL << 32, &sc->dest_addrs);
	case OPT_DEST_PORTS:
		return count_arg("--dest-ports", arg, 1, 65535, &sc->dest_ports);
	case OPT_FD_TABLES:
		return count_arg("--fd-tables", arg, 1, 1000000, &sc->fd_tables);
	case OPT_FD_OVERHEAD:
		return count_arg("--fd-overhead", arg, 0, 1000000, &sc->fd_overhead);
	case OPT_BACKLOG:
		return count_arg("--backlog", arg, 1, 1ULL << 31, &sc->backlog);
	case OPT_TARGET:
		return count_arg("--target", arg, 1, 1ULL << 48, &sc->target);
	case OPT_TRAFFIC:
		if (mc_parse_size(arg, &sc->traffic, &err) < 0)
			return mc_cli_usage_error("limits", "--traffic: %s", err.msg);
		if (sc->traffic > (1ULL << 40))
			return mc_cli_usage_error("limits",
						  "--traffic '%s': at most 1 TiB per socket", arg);
		return 0;
	case OPT_HEARTBEAT:
		if (mc_parse_duration(arg, &sc->heartbeat_ns, &err) < 0 ||
		    sc->heartbeat_ns < MC_NS_PER_MS || sc->heartbeat_ns > 3600 * MC_NS_PER_SEC)
			return mc_cli_usage_error("limits",
						  "--heartbeat '%s': use a period from 1ms to 1h, "
						  "e.g. 1s or 100ms",
						  arg);
		return 0;
	case OPT_MESSAGE:
		if (mc_parse_size(arg, &sc->message, &err) < 0 || !sc->message ||
		    sc->message > (1u << 20))
			return mc_cli_usage_error("limits", "--message '%s': use 1 to 1M bytes", arg);
		return 0;
	case OPT_CONNECT:
		if (mc_parse_endpoint(arg, false, &sc->dst, &err) < 0)
			return mc_cli_usage_error("limits", "--connect: %s", err.msg);
		sc->have_dst = true;
		sc->dest_addrs = 1;
		sc->dest_ports = (uint64_t)sc->dst.port_hi - sc->dst.port_lo + 1;
		return 0;
	case OPT_VIA:
		if (mc_limits_via_parse(arg, &sc->via, &err) < 0)
			return mc_cli_usage_error("limits", "%s", err.msg);
		return 0;
	case OPT_SOURCE:
		if (mc_parse_addr_range(arg, &sc->src, &err) < 0)
			return mc_cli_usage_error("limits", "--source: %s", err.msg);
		sc->have_src = true;
		sc->sources = sc->src.count;
		return 0;
	}
	/* OPT_PORT_SELECT */
	if (strcmp(arg, "kernel") != 0 && strcmp(arg, "maxconn") != 0)
		return mc_cli_usage_error("limits",
					  "--port-select '%s': expected kernel or maxconn", arg);
	sc->bind_ports = strcmp(arg, "maxconn") == 0;
	return 0;
}

/* One of limits' own options into a (struct limits_args). */
static int set(void *ctx, int id, const char *arg)
{
	struct limits_args *a = ctx;
	struct mc_err err;

	switch (id) {
	case OPT_EXPLAIN:
		a->explain = arg;
		return 0;
	case OPT_CALIBRATE:
		a->calibrate = true;
		return 0;
	case OPT_ROOT:
		return set_root(a, arg);
	case OPT_PID:
		if (mc_parse_count(arg, &a->pid, &err) < 0 || a->pid == 0 || a->pid > 4194304 ||
		    strspn(arg, "0123456789") != strlen(arg))
			return mc_cli_usage_error("limits", "--pid '%s': expected a process id",
						  arg);
		return 0;
	}
	return set_scenario(&a->sc, id, arg);
}

/* --explain ID: what one limit is; the usage error for an unknown ID. */
static int explain(const char *id)
{
	char ids[1024];

	if (mc_limits_explain(stdout, id) == 0)
		return MC_EXIT_OK;
	mc_limits_ids(ids, sizeof(ids));
	return mc_cli_usage_error("limits", "--explain '%s': no such limit; one of: %s", id, ids);
}

/* Read the host (and the process --pid names) into snap, judge the
 * scenario into res; 0, or the exit code with the error printed. */
static int read_and_judge(const struct limits_args *a, struct mc_limits_snap *snap,
			  struct mc_limits_result *res)
{
	char eb[96];
	int rc;

	mc_limits_read_self(snap);
	snap->pid = (int)a->pid;
	if (a->pid && (rc = mc_limits_read_pid(a->root, snap)) < 0) {
		fprintf(stderr, "maxconn limits: --pid %d: cannot read /proc/%d/limits: %s%s\n",
			snap->pid, snap->pid, mc_strerror(rc, eb, sizeof(eb)),
			rc == -ENOENT ? " (no such process?)" : "");
		return rc == -ENOENT ? MC_EXIT_USAGE : MC_EXIT_RUNTIME;
	}
	mc_limits_read(a->root, snap);
	if (!a->root) {
		mc_limits_read_netns(snap);
		mc_limits_read_buf(snap, a->sc.traffic, a->calibrate);
		mc_limits_read_sock(snap, a->calibrate);
		if (a->sc.heartbeat_ns)
			mc_limits_read_cpu(snap, a->sc.message, a->sc.model, a->calibrate);
	}
	if (mc_limits_judge(snap, &a->sc, res) < 0) {
		fputs("maxconn limits: the scenario has a zero count\n", stderr);
		return MC_EXIT_USAGE;
	}
	return 0;
}

int mc_cmd_limits(int argc, char **argv)
{
	struct limits_args a = {0};
	struct mc_cli_common com = {0};
	struct mc_limits_snap *snap = NULL;
	struct mc_limits_result *res = NULL;
	const char *root;
	int rc;

	mc_limits_scenario_default(&a.sc);
	if ((rc = mc_opt_parse(&mc_cli_limits, argc, argv, set, &a, &com)) != MC_CLI_GO_ON)
		return rc;
	if (a.explain && (rc = explain(a.explain)) != MC_EXIT_OK)
		return rc;

	snap = calloc(1, sizeof(*snap));
	res = calloc(1, sizeof(*res));
	if (!snap || !res) {
		fputs("maxconn limits: out of memory\n", stderr);
		rc = MC_EXIT_RUNTIME;
		goto out;
	}
	if ((rc = read_and_judge(&a, snap, res)))
		goto out;
	if (a.explain) { /* then the arithmetic here, each figure's source */
		const struct mc_limits_item *it = mc_limits_find(res, a.explain);
		if (it)
			mc_limits_explain_host(stdout, it);
		goto out;
	}
	root = a.root;
	if (com.json) {
		mc_limits_print_json(stdout, snap, &a.sc, res);
	} else {
		if (root)
			printf("maxconn limits: read under --root %s: every /proc, /sys and /etc "
			       "path below is %s/proc, %s/sys, %s/etc\n",
			       root, root, root, root);
		mc_limits_print(stdout, snap, &a.sc, res);
	}
	rc = a.sc.target && res->nchanges ? MC_EXIT_LIMIT : MC_EXIT_OK;
out:
	free(snap);
	free(res);
	return rc;
}
