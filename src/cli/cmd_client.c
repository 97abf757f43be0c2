/* cmd_client.c: `maxconn client`: its option table, flags -> struct
 * mc_client_config, the port preflight, run, live progress, the summary
 * (text or --json, client/report.c), exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/serve_metrics.h"
#include "cli/usage.h"
#include "client/client.h"
#include "client/client_metrics.h"
#include "client/path.h"
#include "client/report.h"
#include "client/shard.h"
#include "common/addr.h"
#include "common/clock.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/parse.h"
#include "net/sock.h"

#define MAX_ARGS 256

enum {
	O_INFLIGHT = MC_OPT_OWN, O_CONNECT_TIMEOUT, O_PORT_SELECT, O_PORT_RANGE, O_RAMP_WORKERS,
	O_SEND, O_EVERY, O_ECHO_VERIFY, O_TRAFFIC, O_SHARD, O_SHARDS, O_ROUTER_NETNS, O_PROTO,
	O_REQUEST,
};

static const struct mc_opt opts[] = {
	{"connect", 'c', "ADDR:PORT[-PORT]", "destination(s); repeatable; a port range adds\n"
	 "one destination per port; IPv6 as [::1]:9000", 'c', "Options:", NULL},
	{"source", 's', "ADDR|ADDR-ADDR|CIDR", "source addresses; repeatable\n"
	 "(default: the one the kernel routes from)", 's', NULL, NULL},
	{"conns", 'n', "N", "connections to open: 100, 100k, 1M (default 1000)", 'n', NULL, NULL},
	{"rate", 'r', "R", "connects per second (default: as fast as it goes)", 'r', NULL, NULL},
	{"inflight", 0, "N", "connects in progress at once (default 4096)", O_INFLIGHT, NULL, NULL},
	{"connect-timeout", 0, "D", "give up on a connect after D (default 10s)", O_CONNECT_TIMEOUT,
	 NULL, NULL},
	{"port-select", 0, "maxconn|kernel", "who picks each local port (above)", O_PORT_SELECT, NULL,
	 NULL},
	{"port-range", 0, "LO-HI", "local ports each pair walks (maxconn only; default\n"
	 "net.ipv4.ip_local_port_range). 1024-65535 gives one\n"
	 "pair 64512 without touching the sysctl; clients\n"
	 "sharing a pair may each take a slice of it", O_PORT_RANGE, NULL, NULL},
	{"hold", 'H', "D", "hold them D once all are up (default: until Ctrl-C)", 'H', NULL, NULL},
	{"workers", 'w', "N|auto", "worker threads (default auto: one per CPU, more\n"
	 "when N needs more fd tables than that)", 'w', NULL, NULL},
	{"ramp-workers", 0, "N", "workers connecting at once; the rest hold until one\n"
	 "finishes (default 8 per CPU)", O_RAMP_WORKERS, NULL, NULL},
	{"proto", 0, "tcp|http", "what a held connection is (default tcp: connected).\n"
	 "http: each sends --request at its connect and is held\n"
	 "once a 2xx/3xx answer came whole (status line,\n"
	 "headers, Content-Length or chunked body); with\n"
	 "--every the same request again is its heartbeat\n"
	 "(keep-alive), its answer read and timed. Failures by\n"
	 "protocol cause: 429, 503, 4xx, 5xx, closed before\n"
	 "the answer, malformed, no answer in --connect-timeout",
	 O_PROTO, NULL, NULL},
	{"request", 0, "LINE", "--proto http: the request line (default 'GET /\n"
	 "HTTP/1.1'); Host is the first --connect address,\n"
	 "Connection: keep-alive", O_REQUEST, NULL, NULL},
	{"send", 0, "STRING", "heartbeat payload, sent every --every", O_SEND, NULL, NULL},
	{"every", 0, "D", "period of heartbeats / echo messages (e.g. 1s)", O_EVERY, NULL, NULL},
	{"echo-verify", 0, "BYTES", "each connection sends BYTES of a pattern unique to it\n"
	 "(once, or every --every) and checks every byte comes\n"
	 "back in order; needs `maxconn server --mode echo`", O_ECHO_VERIFY, NULL, NULL},
	{"traffic", 0, "SIZE", "each connection sends SIZE bytes once, at its\n"
	 "connect, and expects nothing back. With `maxconn\n"
	 "server --mode unread` they stay in the server's\n"
	 "receive queue (past its window, in this client's send\n"
	 "queue): buffer memory held, as `maxconn limits\n"
	 "--traffic SIZE` counts it against net.ipv4.tcp_mem", O_TRAFFIC, NULL, NULL},
	{"shard", 0, "K/M", "be shard K of M clients that together open exactly\n"
	 "--conns: this one opens its share (in proportion to\n"
	 "its pairs: N/M when the pairs split evenly) over its\n"
	 "own slice of the (source, destination) pairs, so no\n"
	 "two shards use the same pair; give every shard the\n"
	 "same --connect and --source lists (the union of\n"
	 "every host's sources: each shard binds its slice,\n"
	 "which must be its host's). See docs/hosts.md", O_SHARD, NULL, NULL},
	{"shards", 0, "M", "the same, K from JOB_COMPLETION_INDEX (0-based), as\n"
	 "a Kubernetes Indexed Job sets it", O_SHARDS, NULL, NULL},
	{"router-netns", 0, "NAME|PATH", "the network namespace of a NAT router on the path\n"
	 "(ip netns NAME, or /proc/PID/ns/net): its conntrack -S\n"
	 "counts name why connects timed out", O_ROUTER_NETNS, NULL, NULL},
	MC_OPT_ROW_METRICS("serve Prometheus metrics at http://ADDR:PORT/metrics\n"
			   "(:9464 for every address): held, connects by\n"
			   "outcome and cause, connect latency and round trips\n"
			   "(histograms), bytes, messages, user memory per\n"
			   "connection, the shard; refreshed once a second"),
	{"force", 'f', NULL, "run even when the ports cannot give N connections", 'f', NULL, NULL},
	MC_OPT_ROW_JSON("print the summary as JSON on stdout"),
	MC_OPT_ROW_QUIET("no live progress line"),
	MC_OPT_ROW_HELP("this help"),
	{NULL, 0, NULL, NULL, 0, NULL, NULL},
};

const struct mc_opt_cmd mc_cli_client = {
	.name = "client",
	.opts = opts,
	.col = 26,
	.letters = true,
	.head = "Usage: maxconn client --connect ADDR:PORT[-PORT] [OPTIONS]\n"
		"\n"
		"Open exactly N TCP connections (never more), spread evenly over every\n"
		"(source address, destination) pair, hold them, optionally send traffic,\n"
		"and report connect latency and every failure by cause.\n"
		"\n"
		"Local ports. A connection is the 4-tuple (source, source port, destination,\n"
		"destination port), so each (source, destination) pair has one range of local\n"
		"ports: N connections need N / ports-per-pair pairs. On loopback every\n"
		"127.x.y.z is already an address of this host: --source 127.0.0.2-127.0.0.50\n"
		"needs no setup.\n"
		"  --port-select maxconn (default): the client walks each pair's range itself,\n"
		"    binds the next port (SO_REUSEADDR) and connects; a port the kernel\n"
		"    refuses (bound by another program, or its 4-tuple taken by another\n"
		"    connection) is skipped and counted, reserved ports\n"
		"    (ip_local_reserved_ports) are left out. A connect costs the same on an\n"
		"    empty or a full pair: one pair's 19,900 took 0.6 to 0.8 s here (24k to\n"
		"    36k connects/s, flat to the last port).\n"
		"    While held, and for the 60 s of TIME_WAIT after, those ports are skipped\n"
		"    by other programs' kernel-chosen connect() in this network namespace.\n"
		"  --port-select kernel: sources bound with IP_BIND_ADDRESS_NO_PORT and\n"
		"    connect() searches net.ipv4.ip_local_port_range for a free port; past\n"
		"    half of a pair's range each search costs up to milliseconds: the same\n"
		"    19,900 took 3.7 to 17 s. For hosts where explicit binding is not wanted.\n"
		"\n",
	.tail = "\n"
		"Timing:\n"
		"  connect latency  the kernel's: from the connect() call to its completion.\n"
		"                   A worker looks at its events at least every 1 ms while it\n"
		"                   starts connects, and a completion it saw late (the worker\n"
		"                   was stopped or busy) is timed by the kernel (TCP_INFO).\n"
		"  queued           with --rate: how late each connect() was called against\n"
		"                   the schedule, i.e. the time it waited in the client.\n"
		"  round trip       each message from when it was DUE (its slot of the --every\n"
		"                   schedule), not from when it was written, so a stall of the\n"
		"                   server or the client shows in full: the coordinated-\n"
		"                   omission correction of wrk2 and HdrHistogram.\n"
		"  A message is sent when its last byte is written; one due while the one\n"
		"  before is still being written is skipped (counted; exit 1). A connect\n"
		"  times out only if the kernel still has it in SYN_SENT at --connect-timeout;\n"
		"  a worker away from its sockets for over 100 ms is reported as the client\n"
		"  falling behind (stalls), never as ETIMEDOUT.\n"
		"\n"
		"Failures are counted by cause and named with the limit behind them:\n"
		"  EADDRNOTAVAIL  ephemeral ports of a (source, destination) pair used up\n"
		"  EMFILE/ENFILE  file descriptors (per process / system-wide)\n"
		"  ETIMEDOUT      SYNs unanswered: the server's accept queue, or conntrack full\n"
		"  ECONNREFUSED   nothing listening; ECONNRESET / peer_closed: the peer\n"
		"  ENOBUFS        kernel memory\n"
		"  protocol       --proto http: the answer refused it (429, 503, 4xx, 5xx,\n"
		"                 malformed, none within --connect-timeout; http.failed in\n"
		"                 --json), its status line quoted as what the server said\n"
		"With --proto http a connection is held only once a 2xx/3xx answer to its\n"
		"first request was read whole; until then it is in flight. A web server closes\n"
		"raw connections that send no request (nginx: client_header_timeout).\n"
		"At the end, attempted = established + failed + in flight (connects still\n"
		"in progress when it stopped). When a server writes something and then ends\n"
		"the connection (redis' \"-ERR max number of clients reached\", a policy or\n"
		"protected-mode refusal), its first bytes are shown (\"the server said\",\n"
		"server_said in --json): a few distinct messages, each with its count.\n"
		"\n"
		"Examples:\n"
		"  maxconn client -c 127.0.0.1:9000 -n 60k -s 127.0.0.2-127.0.0.4 --hold 10s\n"
		"  maxconn client -c 127.0.0.1:9000 -s 127.0.0.2 -n 64512 --port-range 1024-65535\n"
		"  maxconn client -c 127.0.0.1:9000-9003 -n 100k --rate 20k --echo-verify 64 --every 1s\n"
		"  maxconn client -c 127.0.0.1:8080 -n 2k --proto http --every 1s --hold 10s\n"
		"  maxconn client -c 10.0.0.1:9000-9003 -s 10.0.0.11-10.0.0.14 -s 10.0.0.21-10.0.0.24 \\\n"
		"      -n 1M --shard 1/2 --metrics :9464   # on host 1; --shard 2/2 on host 2\n"
		"\n"
		"Exit codes: 0 all N held as asked; 1 runtime failure (refused, resets, echo\n"
		"            bytes lost or wrong, messages skipped); 2 usage error; 3 a host\n"
		"            limit stopped connections (ports, fds, accept queue, memory);\n"
		"            130 Ctrl-C before all N were opened (the summary is still\n"
		"            printed).\n",
};

struct tick_ctx {
	bool tty, quiet;
	uint64_t last_est, last_ns;
	struct mc_metrics *metrics; /* --metrics: publish every tick */
	char shard[32];		    /* "K/M", "" when not sharded */
};

static void tick(void *arg, const struct mc_client_stats *s)
{
	struct tick_ctx *t = arg;
	char est[32], req[32], open[32], rss[32];
	double dt = (double)(s->elapsed_ns - t->last_ns) / 1e9;
	double rate = dt > 0 ? (double)(s->established - t->last_est) / dt : 0;

	t->last_est = s->established;
	t->last_ns = s->elapsed_ns;
	if (t->metrics)
		mc_metrics_publish(t->metrics, s);
	if (!t->tty || t->quiet)
		return;
	fprintf(stderr,
		"\r\033[K%5.0fs  established %s/%s  open %s  +%.0f/s  inflight %llu  failed %llu  "
		"lost %llu  rss %s",
		(double)s->elapsed_ns / 1e9, mc_fmt_count(s->established, est, sizeof(est)),
		mc_fmt_count(s->requested, req, sizeof(req)),
		mc_fmt_count(s->open, open, sizeof(open)), rate, (unsigned long long)s->inflight,
		(unsigned long long)mc_cause_sum(s->fail), (unsigned long long)mc_cause_sum(s->lost),
		mc_fmt_bytes(s->rss, rss, sizeof(rss)));
	fflush(stderr);
}

/* A scrape of --metrics (on the endpoint's thread): the published stats. */
static void render(void *arg, const void *snap, struct mc_prom *p)
{
	const struct tick_ctx *t = arg;

	mc_cli_metrics_common(p, "client", "epoll", t->shard[0] ? t->shard : "1/1", snap != NULL);
	if (snap) /* NULL: nothing published yet */
		mc_client_metrics(p, snap);
}

/* The exit code of a run (the help's table). */
static int exit_code(const struct mc_client_config *cfg, const struct mc_client_summary *sum)
{
	const struct mc_client_stats *s = sum->stats;

	if (mc_client_limit(sum) || s->fail[MC_CAUSE_TIMEDOUT])
		return MC_EXIT_LIMIT;
	if (mc_cause_sum(s->fail) || mc_cause_sum(s->lost) || s->echo_mismatch ||
	    (cfg->echo_bytes && s->echo_lost_bytes) || s->msgs_skipped)
		return MC_EXIT_RUNTIME;
	if (s->stop_signal && (!s->ramp_done || s->attempted < s->requested))
		return MC_EXIT_INTERRUPTED;
	return MC_EXIT_OK;
}

/* A run's connections and its pairs: the whole run's, before a shard
 * takes its slice. */
struct run_size {
	uint64_t conns, nsrc, ndst;
};

/* Shards that share the pairs (no --source, fewer destinations than
 * shards) each connect from their host's own address to every
 * destination: two on one host take each other's local ports and both run
 * out (EADDRNOTAVAIL). A destination on this host (loopback, or an
 * address it can bind) says this shard and the others run here: warn. */
static void shard_collide_note(const struct mc_client_config *cfg, const struct mc_shard *sh)
{
	uint64_t ndst = mc_client_ndst(cfg);
	char d[MC_ADDR_STRLEN];

	for (size_t i = 0; i < cfg->ndst; i++) {
		if (mc_sock_check_source(&cfg->dst[i].addr) < 0)
			continue;
		fprintf(stderr,
			"maxconn client: warning: --shard %llu/%llu without --source, %llu "
			"destination%s for %llu shards: every shard connects from this host's own "
			"address to every destination (%s is on this host), so shards run on this "
			"host take each other's local ports and fail with EADDRNOTAVAIL. Give every "
			"shard the same --source list of %llu addresses or more (each binds its own "
			"slice; 127.0.0.2-127.0.0.%llu on loopback), or %llu destination ports or more.\n",
			(unsigned long long)sh->k, (unsigned long long)sh->m, (unsigned long long)ndst,
			ndst == 1 ? "" : "s", (unsigned long long)sh->m,
			mc_addr_str(&cfg->dst[i].addr, d, sizeof(d)), (unsigned long long)sh->m,
			(unsigned long long)(sh->m + 1 < 255 ? sh->m + 1 : 254),
			(unsigned long long)sh->m);
		return;
	}
}

/* Shard sh of the run: its share of the connections, and its slice of
 * the sources and destinations as lists of their own (into cut_src,
 * cut_dst), which cfg then points at; *all: the run's size before the
 * cut. 0, or prints the usage error. */
static int apply_shard(struct mc_client_config *cfg, const struct mc_shard *sh,
		       struct mc_addr_range *cut_src, struct mc_endpoint_range *cut_dst,
		       struct run_size *all)
{
	struct mc_shard_slice sl;
	struct mc_err err;
	uint64_t nsrc = 0;

	for (size_t i = 0; i < cfg->nsrc; i++)
		nsrc += cfg->src[i].count;
	*all = (struct run_size){cfg->conns, nsrc, mc_client_ndst(cfg)};
	if (mc_shard_slice(sh, cfg->conns, nsrc, all->ndst, &sl, &err) < 0)
		return mc_cli_usage_error("client", "%s", err.msg);
	if (!sl.disjoint)
		shard_collide_note(cfg, sh);
	if (!sl.conns)
		return mc_cli_usage_error("client",
					  "--shard %llu/%llu: --conns %llu leaves this shard none; "
					  "use fewer shards or more connections",
					  (unsigned long long)sh->k, (unsigned long long)sh->m,
					  (unsigned long long)cfg->conns);
	cfg->conns = sl.conns;
	if (nsrc) {
		cfg->nsrc = mc_shard_cut_src(cfg->src, cfg->nsrc, sl.src_lo, sl.src_hi, cut_src);
		cfg->src = cut_src;
	}
	cfg->ndst = mc_shard_cut_dst(cfg->dst, cfg->ndst, sl.dst_lo, sl.dst_hi, cut_dst);
	cfg->dst = cut_dst;
	return 0;
}

/* What the flags make: the config, the lists it points at (cut to the
 * shard's slice when sharded), and the flags the command keeps. */
struct client_args {
	struct mc_client_config cfg;
	struct mc_endpoint_range dst[MAX_ARGS], cut_dst[MAX_ARGS];
	struct mc_addr_range src[MAX_ARGS], cut_src[MAX_ARGS];
	struct mc_shard shard;
	bool sharded, force;
	const char *router; /* --router-netns */
	const char *request_line; /* --request */
	char request[1024];	  /* --proto http: the request sent */
};

/* --shard K/M, or --shards M with K from JOB_COMPLETION_INDEX. */
static int set_shard(struct client_args *a, int id, const char *arg)
{
	struct mc_err err;
	uint64_t m;

	if (a->sharded)
		return mc_cli_usage_error("client", "--shard and --shards: give one");
	a->sharded = true;
	if (id == O_SHARD) {
		if (mc_shard_parse(arg, &a->shard, &err) < 0)
			return mc_cli_usage_error("client", "%s", err.msg);
		return 0;
	}
	if (mc_parse_count(arg, &m, &err) < 0 || !m || m > MC_SHARD_MAX)
		return mc_cli_usage_error("client", "--shards '%s': use 1 to %d", arg, MC_SHARD_MAX);
	if (mc_shard_from_index(getenv("JOB_COMPLETION_INDEX"), m, &a->shard, &err) < 0)
		return mc_cli_usage_error("client", "%s", err.msg);
	return 0;
}

/* One of the client's own options into a (struct client_args). */
static int set(void *ctx, int id, const char *arg)
{
	struct client_args *a = ctx;
	struct mc_client_config *cfg = &a->cfg;
	struct mc_err err;
	uint64_t v;

	switch (id) {
	case 'c':
		if (cfg->ndst >= MAX_ARGS)
			return mc_cli_usage_error("client", "too many --connect");
		if (mc_parse_endpoint(arg, false, &a->dst[cfg->ndst], &err) < 0)
			return mc_cli_usage_error("client", "--connect: %s", err.msg);
		cfg->ndst++;
		return 0;
	case 's':
		if (cfg->nsrc >= MAX_ARGS)
			return mc_cli_usage_error("client", "too many --source");
		if (mc_parse_addr_range(arg, &a->src[cfg->nsrc], &err) < 0)
			return mc_cli_usage_error("client", "--source: %s", err.msg);
		cfg->nsrc++;
		return 0;
	case 'n':
		if (mc_parse_count(arg, &cfg->conns, &err) < 0)
			return mc_cli_usage_error("client", "--conns: %s", err.msg);
		if (cfg->conns < 1 || cfg->conns > UINT32_MAX)
			return mc_cli_usage_error("client", "--conns '%s': use 1 to 4G", arg);
		return 0;
	case 'r':
		if (mc_parse_count(arg, &v, &err) < 0 || v == 0)
			return mc_cli_usage_error("client", "--rate '%s': use connects per "
							    "second, 1 or more (10k)",
						  arg);
		cfg->rate = (double)v;
		return 0;
	case O_INFLIGHT:
		if (mc_parse_count(arg, &cfg->inflight, &err) < 0 || !cfg->inflight)
			return mc_cli_usage_error("client", "--inflight '%s': use 1 or more", arg);
		return 0;
	case O_CONNECT_TIMEOUT:
		if (mc_parse_duration(arg, &cfg->connect_timeout_ns, &err) < 0)
			return mc_cli_usage_error("client", "--connect-timeout: %s", err.msg);
		if (!cfg->connect_timeout_ns)
			return mc_cli_usage_error("client",
						  "--connect-timeout '%s': use more than 0 (10s)", arg);
		return 0;
	case 'H':
		if (mc_parse_duration(arg, &cfg->hold_ns, &err) < 0)
			return mc_cli_usage_error("client", "--hold: %s", err.msg);
		cfg->hold_forever = false;
		return 0;
	case 'w':
		return mc_cli_parse_workers("client", arg, &cfg->workers);
	case O_RAMP_WORKERS:
		if (mc_parse_count(arg, &v, &err) < 0 || v < 1 || v > 4096)
			return mc_cli_usage_error("client", "--ramp-workers '%s': use 1 to 4096", arg);
		cfg->ramp_workers = (unsigned)v;
		return 0;
	case O_SEND:
		cfg->send = arg;
		cfg->send_len = strlen(arg);
		if (!cfg->send_len)
			return mc_cli_usage_error("client", "--send: the payload is empty");
		return 0;
	case O_EVERY:
		if (mc_parse_duration(arg, &cfg->every_ns, &err) < 0 || cfg->every_ns < MC_NS_PER_MS)
			return mc_cli_usage_error("client", "--every '%s': use 1ms or more", arg);
		return 0;
	case O_ECHO_VERIFY:
		if (mc_parse_size(arg, &cfg->echo_bytes, &err) < 0 || !cfg->echo_bytes ||
		    cfg->echo_bytes > (1u << 30))
			return mc_cli_usage_error("client", "--echo-verify '%s': use 1 to 1G bytes",
						  arg);
		return 0;
	case O_TRAFFIC:
		if (mc_parse_size(arg, &cfg->traffic_bytes, &err) < 0 || !cfg->traffic_bytes ||
		    cfg->traffic_bytes > (1u << 30))
			return mc_cli_usage_error("client", "--traffic '%s': use 1 to 1G bytes", arg);
		return 0;
	case O_PORT_SELECT:
		if (strcmp(arg, "maxconn") == 0)
			cfg->port_select = MC_PORT_SELECT_MAXCONN;
		else if (strcmp(arg, "kernel") == 0)
			cfg->port_select = MC_PORT_SELECT_KERNEL;
		else
			return mc_cli_usage_error("client", "--port-select '%s': use maxconn or kernel",
						  arg);
		return 0;
	case O_PORT_RANGE:
		if (mc_parse_port_range(arg, &cfg->port_lo, &cfg->port_hi, &err) < 0)
			return mc_cli_usage_error("client", "--port-range: %s", err.msg);
		return 0;
	case O_SHARD:
	case O_SHARDS:
		return set_shard(a, id, arg);
	case O_ROUTER_NETNS:
		a->router = arg;
		return 0;
	case O_PROTO:
		return mc_cli_proto("client", arg, &cfg->proto);
	case O_REQUEST:
		a->request_line = arg;
		return 0;
	}
	a->force = true; /* 'f' */
	return 0;
}

/* What the options say together; 0, or the usage error. */
static int check(const struct mc_client_config *cfg)
{
	if (!cfg->ndst)
		return mc_cli_usage_error("client", "say where to connect: --connect 127.0.0.1:9000");
	if (cfg->send && cfg->echo_bytes)
		return mc_cli_usage_error("client", "--send and --echo-verify: choose one");
	if (cfg->traffic_bytes && (cfg->send || cfg->echo_bytes))
		return mc_cli_usage_error("client", "--traffic with --%s: choose one",
					  cfg->send ? "send" : "echo-verify");
	if (cfg->proto == MC_PROTO_HTTP && (cfg->send || cfg->echo_bytes || cfg->traffic_bytes))
		return mc_cli_usage_error("client",
					  "--proto http with --%s: http sends its own request "
					  "(--request); drop one",
					  cfg->send ? "send" : cfg->echo_bytes ? "echo-verify" : "traffic");
	if (cfg->send && !cfg->every_ns)
		return mc_cli_usage_error("client", "--send needs --every (e.g. --every 1s)");
	if (cfg->port_lo && cfg->port_select == MC_PORT_SELECT_KERNEL)
		return mc_cli_usage_error("client",
					  "--port-range with --port-select kernel: the kernel takes "
					  "its ports from net.ipv4.ip_local_port_range; drop one");
	return 0;
}

/* Every source must be of each destination's family, and on this host
 * (shard: "K/M" when the sources are the shard's slice, else ""). 0, or
 * prints the usage error and returns MC_EXIT_USAGE. */
static int check_sources(const struct mc_client_config *cfg, const char *shard)
{
	char in[80];

	for (size_t i = 0; i < cfg->nsrc; i++) {
		const struct mc_addr_range *sr = &cfg->src[i];
		char sa[MC_ADDR_STRLEN];
		for (size_t k = 0; k < cfg->ndst; k++)
			if (sr->first.family != cfg->dst[k].addr.family)
				return mc_cli_usage_error(
					"client",
					"--source %s and --connect %s: one is IPv4, the other IPv6; "
					"run one client per family",
					mc_addr_str(&sr->first, sa, sizeof(sa)),
					mc_addr_port_str(&cfg->dst[k].addr, cfg->dst[k].port_lo,
							 (char[MC_ADDR_STRLEN]){0}, MC_ADDR_STRLEN));
	}
	snprintf(in, sizeof(in), "%s%s%s", shard[0] ? " (in shard " : "", shard,
		 shard[0] ? "'s slice of the sources)" : "");
	return mc_cli_sources_here("client", cfg->src, cfg->nsrc, in);
}

/* The ports preflight: whether the local ports can give --conns
 * connections (sources x destinations x ports per pair), into *ports and
 * *ceiling. all: every shard's together when sharded (shard "K/M"), for the
 * advice, which then keeps the --source list the same on every shard.
 * MC_CLI_GO_ON to run (also past the ceiling with --force, said on stderr),
 * else MC_EXIT_LIMIT with the ways to get there. */
static int preflight(const struct mc_client_config *cfg, const struct run_size *all,
		     const char *shard, bool force, uint64_t *ports, uint64_t *ceiling)
{
	uint64_t ndst = mc_client_ndst(cfg), nsrc = mc_client_nsrc(cfg), per, need_src, reserved;
	char range_words[96], lead[128];
	uint16_t lo, hi;

	mc_client_local_ports(cfg, &lo, &hi, ports, &reserved);
	snprintf(range_words, sizeof(range_words), "%u-%u%s, %llu reserved", lo, hi,
		 cfg->port_lo ? " of --port-range" : " of net.ipv4.ip_local_port_range",
		 (unsigned long long)reserved);
	*ceiling = mc_client_port_ceiling(cfg, *ports);
	if (cfg->conns <= *ceiling)
		return MC_CLI_GO_ON;
	per = *ports ? *ports : 1;
	if (shard[0])
		snprintf(lead, sizeof(lead), "shard %s: its %llu connections (its share of --conns) are",
			 shard, (unsigned long long)cfg->conns);
	else
		snprintf(lead, sizeof(lead), "--conns %llu is", (unsigned long long)cfg->conns);
	fprintf(stderr,
		"maxconn client: %s more than the ports allow: %llu source "
		"address%s x %llu destination%s x %llu local ports per pair "
		"(%s) = %llu connections.\n",
		lead, (unsigned long long)nsrc, nsrc == 1 ? "" : "es",
		(unsigned long long)ndst, ndst == 1 ? "" : "s", (unsigned long long)*ports,
		range_words, (unsigned long long)*ceiling);
	if (shard[0]) { /* the advice for all shards: their lists are shared */
		nsrc = all->nsrc ? all->nsrc : 1;
		ndst = all->ndst;
		fprintf(stderr,
			"  All the shards: --conns %llu over %llu source address%s x %llu "
			"destination%s x %llu ports = %llu connections. Give every shard the same "
			"--source list of %llu addresses in all (each binds its own slice)",
			(unsigned long long)all->conns, (unsigned long long)nsrc,
			nsrc == 1 ? "" : "es", (unsigned long long)ndst, ndst == 1 ? "" : "s",
			(unsigned long long)per, (unsigned long long)(nsrc * ndst * per),
			(unsigned long long)((all->conns + ndst * per - 1) / (ndst * per)));
	} else {
		need_src = (cfg->conns + ndst * per - 1) / (ndst * per);
		fprintf(stderr,
			"  Use %llu source addresses (--source 127.0.0.2-127.0.0.%llu on loopback)",
			(unsigned long long)need_src,
			(unsigned long long)(need_src + 1 < 255 ? need_src + 1 : 254));
	}
	fprintf(stderr, ", or %llu destination ports, or widen the port range (%s).\n",
		(unsigned long long)(((shard[0] ? all->conns : cfg->conns) + nsrc * per - 1) /
				     (nsrc * per)),
		cfg->port_select == MC_PORT_SELECT_KERNEL
			? "sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\""
			: "--port-range 1024-65535");
	if (!force) {
		fprintf(stderr, "  Or pass --force to run into the limit and see it.\n");
		return MC_EXIT_LIMIT;
	}
	fprintf(stderr, "  --force: going on; expect %llu x EADDRNOTAVAIL.\n",
		(unsigned long long)(cfg->conns - *ceiling));
	return MC_CLI_GO_ON;
}

/* --port-select kernel: connect() searches the port range for a port
 * free for this 4-tuple: past about half full each search gets long and
 * the connect rate falls by an order of magnitude (measured on loopback:
 * 81k/s at 7% full, 4.8k/s at 70%). Say so, with the number of sources
 * that keeps every pair under a quarter full. */
static void kernel_ports_note(const struct mc_client_config *cfg, uint64_t ports, uint64_t ceiling)
{
	uint64_t pairs, ndst, per, want;

	if (cfg->port_select != MC_PORT_SELECT_KERNEL || cfg->conns > ceiling ||
	    cfg->conns <= ceiling / 2)
		return;
	pairs = mc_client_pairs(cfg);
	ndst = mc_client_ndst(cfg);
	per = (cfg->conns + pairs - 1) / pairs;
	want = (4 * cfg->conns + ndst * ports - 1) / (ndst * ports);
	fprintf(stderr,
		"maxconn client: note: each (source, destination) pair will use %llu of its "
		"%llu local ports (%.0f%%); with --port-select kernel connect() slows down "
		"sharply as a pair's range fills. %llu source addresses keep it under 25%%",
		(unsigned long long)per, (unsigned long long)ports,
		100.0 * (double)per / (double)ports, (unsigned long long)want);
	if (want + 1 < 255)
		fprintf(stderr, " (--source 127.0.0.2-127.0.0.%llu on loopback)",
			(unsigned long long)want + 1);
	fputs(".\n", stderr);
}

/* The summary on stdout: text, or --json with the endpoint's figures. */
static void summary(const struct mc_client_summary *sum, bool json, struct mc_metrics *metrics)
{
	struct mc_json j;

	if (!json) {
		mc_client_print(stdout, sum);
		return;
	}
	mc_json_init(&j, stdout);
	mc_json_obj_open(&j);
	mc_client_json(&j, sum);
	mc_cli_metrics_json(&j, metrics);
	mc_json_obj_close(&j);
}

int mc_cmd_client(int argc, char **argv)
{
	static struct client_args a; /* the address lists: large, off the stack */
	struct mc_client_config *cfg = &a.cfg;
	static struct mc_client_summary sum;
	static struct mc_client_path path[2]; /* before and after the run */
	struct mc_client_stats *st;
	struct tick_ctx tc = {.tty = isatty(STDERR_FILENO)};
	struct mc_cli_common com = {0};
	struct run_size all = {0};
	struct mc_err err;
	int rc;

	a = (struct client_args){.shard = {1, 1}};
	sum = (struct mc_client_summary){.shard = ""};
	*cfg = (struct mc_client_config){
		.dst = a.dst, .src = a.src, .conns = 1000, .hold_forever = true};
	if ((rc = mc_opt_parse(&mc_cli_client, argc, argv, set, &a, &com)) != MC_CLI_GO_ON)
		return rc;
	if ((rc = check(cfg)))
		return rc;
	if (a.request_line && cfg->proto != MC_PROTO_HTTP)
		return mc_cli_usage_error("client", "--request needs --proto http");
	if (cfg->proto == MC_PROTO_HTTP &&
	    (rc = mc_cli_http_request("client", a.request_line, &a.dst[0].addr, a.dst[0].port_lo,
				      a.request, sizeof(a.request), &cfg->request_len)))
		return rc;
	cfg->request = a.request;
	if (com.metrics && (rc = mc_cli_metrics_clash("client", &com.metrics_at, a.dst, cfg->ndst,
						      "--connect", "the client would connect to "
								   "its own endpoint")))
		return rc;
	sum.total = cfg->conns;
	if (a.sharded) {
		mc_shard_str(&a.shard, tc.shard, sizeof(tc.shard));
		if (apply_shard(cfg, &a.shard, a.cut_src, a.cut_dst, &all))
			return MC_EXIT_USAGE;
	}
	if ((rc = check_sources(cfg, tc.shard)))
		return rc;
	if ((rc = preflight(cfg, &all, tc.shard, a.force, &sum.ports, &sum.ceiling)) !=
	    MC_CLI_GO_ON)
		return rc;
	kernel_ports_note(cfg, sum.ports, sum.ceiling);

	tc.quiet = com.quiet;
	if (com.metrics && (rc = mc_cli_metrics_start("client", &com.metrics_at, sizeof(*st), render,
						      &tc, com.quiet, &tc.metrics)))
		return rc;
	cfg->live_hists = com.metrics;
	if (!com.quiet || com.metrics) {
		cfg->tick = tick;
		cfg->tick_arg = &tc;
	}
	st = malloc(sizeof(*st));
	if (!st) {
		fprintf(stderr, "maxconn client: out of memory\n");
		mc_metrics_stop(tc.metrics);
		return MC_EXIT_RUNTIME;
	}
	mc_client_path_read(a.router, &path[0]);
	rc = mc_client_run(cfg, st, &err);
	mc_client_path_read(a.router, &path[1]);
	if (tc.tty && !com.quiet)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		fprintf(stderr, "maxconn client: %s\n", err.msg);
		mc_metrics_stop(tc.metrics);
		free(st);
		return MC_EXIT_RUNTIME;
	}
	if (tc.metrics) /* the last figures, for a scrape before the exit */
		mc_metrics_publish(tc.metrics, st);
	sum.stats = st;
	sum.shard = tc.shard;
	sum.traffic = cfg->echo_bytes || cfg->send_len || cfg->traffic_bytes || cfg->request_len;
	sum.timeouts_judged = true;
	sum.timeout_limit = mc_client_path_judge(&path[0], &path[1], st->fail[MC_CAUSE_TIMEDOUT],
						 a.router, sum.timeout_why, sizeof(sum.timeout_why));
	sum.exit_code = rc = exit_code(cfg, &sum);
	summary(&sum, com.json, tc.metrics);
	mc_metrics_stop(tc.metrics);
	free(st);
	return rc;
}
