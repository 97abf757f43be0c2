/* cmd_probe.c: `maxconn probe`: its option table, flags -> struct
 * mc_probe_config, run, the live line, the summary, --json and --html files
 * (probe/report.c, html.c), exit code. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/serve_metrics.h"
#include "cli/usage.h"
#include "common/clock.h"
#include "common/addr.h"
#include "common/fmt.h"
#include "common/outfile.h"
#include "common/parse.h"
#include "client/client_metrics.h"
#include "metrics/url.h"
#include "probe/probe_metrics.h"
#include "probe/probe.h"
#include "server/server_metrics.h"

enum {
	O_STAIR = MC_OPT_OWN, O_SOURCES, O_DPORTS, O_PRANGE, O_FDLIM, O_RESERVE, O_STACK,
	O_TADDR, O_SPID, O_NONETNS, O_TIMEOUT, O_JSON, O_HTML, O_HEARTBEAT, O_WINDOW,
	O_SETTLE, O_SMETRICS, O_EHASH, O_ROUTER, O_PROXY_LOG, O_VIA, O_TRAFFIC, O_MESSAGE, O_MAXRTT,
	O_PROTO, O_REQUEST,
};

static const struct mc_opt opts[] = {
	{"target", 't', "N|max", "connections to reach (100k, 1M); max: until the\n"
	 "first limit or the memory reserve (default 100k)", 't', "Options:", NULL},
	{"model", 'M', "epoll|threads|uring", "the server's model (default epoll)", 'M', NULL, NULL},
	{"staircase", 0, NULL, "the seeds' story: start like a naive program (one\n"
	 "source address, one port, one fd table), and after\n"
	 "each limit lift it (wider port range, more source\n"
	 "addresses, private fd tables, a larger backlog,\n"
	 "epoll instead of threads) and go on to the next,\n"
	 "until the target or memory; prints the seeds'\n"
	 "table with measured values", O_STAIR, NULL, NULL},
	{"sources", 0, "N", "client source addresses, 127.0.0.2 on (default:\n"
	 "enough to keep each pair's ports under 25% used)", O_SOURCES, NULL, NULL},
	{"source", 's', "ADDR|ADDR-ADDR|CIDR", "the client's source addresses instead,\n"
	 "as `maxconn client --source` takes them; repeatable\n"
	 "(127.0.0.1 included: some servers treat it apart)", 's', NULL, NULL},
	{"dest-ports", 0, "N", "server listen ports (default 1)", O_DPORTS, NULL, NULL},
	{"port-range", 0, "LO-HI", "net.ipv4.ip_local_port_range in the namespace\n"
	 "(default: the kernel's, 32768-60999)", O_PRANGE, NULL, NULL},
	{"fd-limit", 0, "N", "give server and client RLIMIT_NOFILE N and one fd\n"
	 "table each, as `ulimit -n N` would (default: this\n"
	 "shell's limit, and private fd tables past it)", O_FDLIM, NULL, NULL},
	{"backlog", 'b', "N", "listen backlog, and somaxconn in the namespace\n"
	 "(default 65535; on the host: somaxconn)", 'b', NULL, NULL},
	{"ehash", 0, "N|shared", "the established hash of its namespaces: N buckets\n"
	 "(rounded up to a power of two, at most 16M), or the\n"
	 "kernel's shared one (default: sized for each step)", O_EHASH, NULL, NULL},
	{"reserve", 0, "SIZE", "memory to keep available (default: the larger of\n"
	 "10% of RAM and 1 GiB)", O_RESERVE, NULL, NULL},
	{"rate", 'r', "R", "connects per second (default: as fast as it goes)", 'r', NULL, NULL},
	{"thread-stack", 0, "SIZE", "stack per thread with --model threads", O_STACK, NULL, NULL},
	{"target-addr", 0, "HOST:PORT", "probe an existing server (nginx, redis, ...)\n"
	 "instead of starting one; nothing is tuned", O_TADDR, NULL, NULL},
	{"server-pid", 0, "PID", "that server's pid: adds its memory per connection\n"
	 "(RSS of it and its children) and its fd limit", O_SPID, NULL, NULL},
	{"server-metrics", 0, "URL", "with --target-addr on another host: that host's\n"
	 "node_exporter (http://HOST:9100/metrics) or a maxconn\n"
	 "server's --metrics; repeatable. The report adds the\n"
	 "server host's side: its sockets, kernel bytes per\n"
	 "socket, memory left and the projection, and the\n"
	 "limit its counters show (accept queue overflows,\n"
	 "conntrack full, the server's refusals). Without it\n"
	 "they are reported unknown", O_SMETRICS, NULL, NULL},
	{"router-netns", 0, "NAME|PATH", "with --target-addr through a NAT router on this\n"
	 "host: its network namespace (ip netns NAME, or\n"
	 "/proc/PID/ns/net); its conntrack -S counts name a NAT\n"
	 "out of ports (middlebox_ports)", O_ROUTER, NULL, NULL},
	{"proxy-log", 0, "PATH", "with --target-addr at a reverse proxy: its error log\n"
	 "(nginx's error_log); its \"(99: Cannot assign requested\n"
	 "address) while connecting to upstream\" lines name the\n"
	 "proxy's ports toward the backend (middlebox_ports)", O_PROXY_LOG, NULL, NULL},
	{"via", 0, "snat|nginx", "each step through a middle box the probe builds:\n"
	 "client -> router (snat: nftables onto 40000-40999,\n"
	 "1,000 ports per address; nginx: a stream proxy whose\n"
	 "namespace's ip_local_port_range is 40000-40999) ->\n"
	 "server, three namespaces (ip netns mcp-PID-STEP-r/-s,\n"
	 "removed after). --staircase lifts as the fix says: a\n"
	 "NAT address more; nginx proxy_bind over two addresses.\n"
	 "Root; ip, nft, nginx and libnginx-mod-stream", O_VIA, NULL, NULL},
	{"no-netns", 0, NULL, "use the host's loopback even as root", O_NONETNS, NULL, NULL},
	{"hold", 'H', "D", "keep the connections D once all are up (default 0)", 'H', NULL, NULL},
	{"heartbeat", 0, "D", "every connection sends a message (16 bytes, or\n"
	 "--message) every D (1s, 100ms; at least 1ms) from\n"
	 "the moment it opens, and the probe's server echoes\n"
	 "it (default: none)", O_HEARTBEAT, NULL, NULL},
	{"proto", 0, "tcp|http", "with --target-addr: what a held connection is\n"
	 "(default tcp: connected). http: each sends --request\n"
	 "at its connect and counts as held only once a\n"
	 "2xx/3xx answer came whole; --heartbeat sends the\n"
	 "request again (keep-alive), its answer read and\n"
	 "timed. A web server closes connections that send\n"
	 "nothing (nginx: client_header_timeout), so tcp\n"
	 "measures idle sockets it tolerates, http clients it\n"
	 "keeps. Failures by protocol cause (429, 503, 4xx,\n"
	 "5xx, closed before the answer, malformed), the\n"
	 "status line quoted", O_PROTO, NULL, NULL},
	{"request", 0, "LINE", "--proto http: the request line (default 'GET /\n"
	 "HTTP/1.1'), Host from --target-addr, keep-alive", O_REQUEST, NULL, NULL},
	{"message", 0, "SIZE", "bytes of each --heartbeat message, echoed whole\n"
	 "(default 16; 1 to 1M)", O_MESSAGE, NULL, NULL},
	{"max-rtt", 0, "D", "with --heartbeat: the CPU is the limit once the\n"
	 "heartbeats' round trips (p99 of a sample, timed from\n"
	 "when each was due) pass D, or messages are skipped,\n"
	 "for 3 samples in a row while the CPUs are 85% busy\n"
	 "or the CPU cgroup is throttled; reported: the last\n"
	 "count at which they kept the schedule (default: the\n"
	 "heartbeat's period)", O_MAXRTT, NULL, NULL},
	{"traffic", 0, "SIZE", "every connection holds SIZE bytes unread (16k): the\n"
	 "client sends them once, at its connect, and the\n"
	 "server reads nothing, so they sit in the server's\n"
	 "receive queue (past its window, about 128 KiB, the\n"
	 "rest waits in the client's send queue): buffer\n"
	 "memory, charged against net.ipv4.tcp_mem (one count\n"
	 "for the whole host). What each costs is measured\n"
	 "first (see `maxconn limits --explain tcp_mem`); the\n"
	 "ramp stops at 97% of tcp_mem max and names tcp_mem\n"
	 "(not with --heartbeat, --target-addr or uring)", O_TRAFFIC, NULL, NULL},
	{"window", 0, "D", "the steady-state window: once all --target\n"
	 "connections are up and --settle has passed, measure\n"
	 "for D (10s; at least 100ms) while holding them:\n"
	 "messages echoed per second, round trips in the window\n"
	 "(p50/p99 in microseconds), server CPU in ms per\n"
	 "1,000 messages, context switches per second, threads\n"
	 "and bytes per connection (the JSON's \"steady\")", O_WINDOW, NULL, NULL},
	{"settle", 0, "D", "from all up to the window's start (default 2s)", O_SETTLE, NULL, NULL},
	{"timeout", 0, "D", "give up after D (default 10m)", O_TIMEOUT, NULL, NULL},
	{"json", 0, "FILE", "write the report as JSON (schema: docs/probe.md)", O_JSON, NULL, NULL},
	{"html", 0, "FILE", "write the report as one self-contained HTML page\n"
	 "with charts (each file appears whole once the\n"
	 "figures are taken, or not at all: an existing\n"
	 "file is replaced only then)", O_HTML, NULL, NULL},
	MC_OPT_ROW_METRICS("serve Prometheus metrics at http://ADDR:PORT/metrics\n"
			   "while it runs: its client's and server's families\n"
			   "and its own (step, rate, memory)"),
	MC_OPT_ROW_QUIET("no live line"),
	MC_OPT_ROW_HELP("this help"),
	{NULL, 0, NULL, NULL, 0, NULL, NULL},
};

const struct mc_opt_cmd mc_cli_probe = {
	.name = "probe",
	.opts = opts,
	.col = 26,
	.letters = true,
	.head = "Usage: maxconn probe [OPTIONS]\n"
		"\n"
		"The experiment: start a maxconn server and client on this host, ramp up\n"
		"connections until --target or the first limit, and report which limit\n"
		"stopped it with its evidence (the errors and their counts, the kernel's\n"
		"counters, dmesg), the memory one connection costs in the kernel and in user\n"
		"space, and what `maxconn limits` predicted against what was reached.\n"
		"\n"
		"As root it runs in a private network namespace, a fresh one per step, and\n"
		"tunes net.* sysctls (port range, somaxconn) only there: the host is not\n"
		"changed. Otherwise it uses the host's loopback and tunes nothing.\n"
		"It never drives the host into the OOM killer: it stops while --reserve\n"
		"memory is still available and says so, with a projection.\n"
		"\n",
	.tail = "\n"
		"Examples:\n"
		"  maxconn probe                                # 100k connections, report\n"
		"  maxconn probe --target max --html report.html\n"
		"  maxconn probe --staircase --target 100k      # the seeds' story, measured\n"
		"  maxconn probe --port-range 40000-40299 --sources 1 --target 1000\n"
		"  maxconn probe --target 10k --heartbeat 1s --window 10s --json run.json\n"
		"  maxconn probe --target-addr 127.0.0.1:80 --server-pid $(pgrep -o nginx)\n"
		"  maxconn probe --target-addr 10.0.0.1:9000 --target 20k \\\n"
		"      --server-metrics http://10.0.0.1:9100/metrics   # another host\n"
		"\n"
		"The summary and the reports come as soon as the figures are taken; then\n"
		"the probe closes its connections (\"closing N sockets...\": a million\n"
		"take the kernel a while) and exits once nothing is left; Ctrl-C then\n"
		"ends the wait at once (the kernel goes on closing them).\n"
		"Its temporary directory is made in $TMPDIR (default /tmp).\n"
		"\n"
		"Exit codes: 0 the target was reached; 1 runtime failure (a child died);\n"
		"            2 usage error; 3 a limit or the memory reserve stopped it;\n"
		"            130 Ctrl-C (everything is torn down, the reports are written).\n",
};

/* What --metrics renders: the latest counters of the children and the
 * probe's sample. */
struct probe_snap {
	struct mc_client_stats cs;
	struct mc_server_stats ss;
	bool have_ss;
	struct mc_probe_sample s;
	double server_host_sockets;
};

struct tick_ctx {
	bool tty, quiet;
	uint64_t last_ns;
	struct mc_metrics *metrics; /* --metrics */
	const struct mc_probe_config *cfg;
	struct probe_snap snap; /* filled by observe, then published */
};

static void observe(void *arg, const struct mc_client_stats *cs, const struct mc_server_stats *ss,
		    const struct mc_probe_sample *s, double server_host_sockets)
{
	struct tick_ctx *t = arg;

	if (!t->metrics)
		return;
	t->snap.cs = *cs;
	t->snap.have_ss = ss != NULL;
	if (ss)
		t->snap.ss = *ss;
	t->snap.s = *s;
	t->snap.server_host_sockets = server_host_sockets;
	mc_metrics_publish(t->metrics, &t->snap);
}

/* A scrape of --metrics (on the endpoint's thread). */
static void render(void *arg, const void *snap, struct mc_prom *p)
{
	const struct tick_ctx *t = arg;
	const struct probe_snap *ps = snap;

	mc_cli_metrics_common(p, "probe", mc_model_name(t->cfg->model), NULL, ps != NULL);
	if (!ps) /* nothing observed yet: no figure, not zeros */
		return;
	mc_probe_metrics(p, &ps->s, t->cfg->target, ps->server_host_sockets);
	mc_client_metrics(p, &ps->cs);
	if (ps->have_ss)
		mc_server_metrics(p, &ps->ss);
}

/* The lowest ceiling of the step that is not passed yet. */
static const struct mc_probe_limit *nearest(const struct mc_probe_report *r, int step,
					    uint64_t held)
{
	const struct mc_probe_limit *best = NULL;

	if (step < 0 || step >= r->nsteps)
		return NULL;
	for (int i = 0; i < r->steps[step].nlimits; i++) {
		const struct mc_probe_limit *l = &r->steps[step].limits[i];
		if (l->conns != MC_LIMITS_NONE && (!best || l->conns < best->conns) &&
		    l->conns + 1 >= held)
			best = l;
	}
	return best;
}

static void tick(void *arg, const struct mc_probe_report *r, const struct mc_probe_sample *s)
{
	struct tick_ctx *t = arg;
	const struct mc_probe_limit *l = nearest(r, s->step, s->held);
	uint64_t now = mc_now_ns(), every = t->tty ? 250 * MC_NS_PER_MS : 5 * MC_NS_PER_SEC;
	char h[32], tg[32], rt[32], kb[32], ub[32], ma[32], lc[32];

	if (t->quiet || now - t->last_ns < every)
		return;
	t->last_ns = now;
	fprintf(stderr,
		"%s%5.1fs  step %d  held %s/%s  +%s/s  kernel %s  user %s  available %s  "
		"nearest: %s at %s%s",
		t->tty ? "\r\033[K" : "", s->t, s->step + 1, mc_fmt_count(s->held, h, sizeof(h)),
		r->target == MC_LIMITS_NONE ? "max" : mc_fmt_count(r->target, tg, sizeof(tg)),
		mc_fmt_count((uint64_t)s->rate, rt, sizeof(rt)),
		mc_fmt_bytes(s->kernel_bytes, kb, sizeof(kb)), mc_fmt_bytes(s->user_bytes, ub, sizeof(ub)),
		s->mem_available ? mc_fmt_bytes(s->mem_available, ma, sizeof(ma)) : "unreadable",
		l ? l->id : "-",
		l ? mc_fmt_count(l->conns, lc, sizeof(lc)) : "-", t->tty ? "" : "\n");
	fflush(stderr);
}

/* --fd-limit N: the probe gives its server and client RLIMIT_NOFILE N, and
 * cannot give more than this process's hard limit (it does not raise it).
 * Returns 0, or prints the usage error naming both and returns
 * MC_EXIT_USAGE. */
static int parse_fd_limit(const char *arg, uint64_t *out)
{
	struct rlimit rl;
	struct mc_err err;

	if (mc_parse_count(arg, out, &err) < 0)
		return mc_cli_usage_error("probe", "--fd-limit: %s", err.msg);
	if (*out < 32)
		return mc_cli_usage_error("probe", "--fd-limit '%s': use 32 or more", arg);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    *out > rl.rlim_max)
		return mc_cli_usage_error(
		    "probe",
		    "--fd-limit '%s': above the hard limit on open files, %llu (ulimit -Hn), "
		    "which the probe does not raise: use 32 to %llu, or raise the hard limit "
		    "first (as root: ulimit -Hn N, or nofile in /etc/security/limits.conf)",
		    arg, (unsigned long long)rl.rlim_max, (unsigned long long)rl.rlim_max);
	return 0;
}

/* The exit code of a probe that ran (the README's table): the library
 * reports why the last step stopped; the command maps it. */
static int exit_code(const struct mc_probe_report *r)
{
	switch (mc_probe_last(r)->stop) {
	case MC_PROBE_TARGET:
		return MC_EXIT_OK;
	case MC_PROBE_INTERRUPTED:
		return MC_EXIT_INTERRUPTED;
	case MC_PROBE_FAILED:
		return MC_EXIT_RUNTIME;
	case MC_PROBE_LIMIT:
	case MC_PROBE_RESERVE:
	case MC_PROBE_TIMEOUT:
		break;
	}
	return MC_EXIT_LIMIT;
}

/* Write one report (json or html) and put it in place; false (said on
 * stderr) when it could not be written. */
static bool write_out(struct mc_outfile *o, const char *what, const struct mc_probe_report *r,
		      int result)
{
	struct mc_err err;
	int rc = 0;

	if (!o->f)
		return true;
	if (strcmp(what, "JSON") == 0)
		mc_probe_json(o->f, r, result);
	else
		rc = mc_probe_html(o->f, r, result);
	if (rc < 0) {
		mc_outfile_abort(o);
		fprintf(stderr, "maxconn probe: writing %s: %s\n", o->path, strerror(-rc));
		return false;
	}
	if (mc_outfile_commit(o, &err) < 0) {
		fprintf(stderr, "maxconn probe: %s\n", err.msg);
		return false;
	}
	printf("%s report: %s\n", what, o->path);
	return true;
}

/* What the flags make: the config, the sources it points at and the
 * reports' paths. */
struct probe_args {
	struct mc_probe_config cfg;
	struct mc_addr_range src[16];
	bool settle_given;
	const char *json_path, *html_path;
	const char *request_line; /* --request */
	char request[1024];	  /* --proto http: the request sent */
};

/* --source: one more range of the client's source addresses. */
static int add_source(struct probe_args *a, const char *arg)
{
	const size_t max = sizeof(a->src) / sizeof(a->src[0]);
	struct mc_err err;

	if (a->cfg.nsrc == max)
		return mc_cli_usage_error("probe", "--source: at most %zu ranges; give "
						   "a range or a CIDR block",
					  max);
	if (mc_parse_addr_range(arg, &a->src[a->cfg.nsrc], &err) < 0)
		return mc_cli_usage_error("probe", "--source '%s': %s", arg, err.msg);
	a->cfg.nsrc++;
	a->cfg.src = a->src;
	return 0;
}

/* --server-pid PID: a process that exists. */
static int parse_server_pid(const char *arg, int *out)
{
	char *end;
	long pid = strtol(arg, &end, 10);
	char path[64];

	if (end == arg || *end || pid < 1 || pid > 4194304)
		return mc_cli_usage_error("probe", "--server-pid '%s': use a pid", arg);
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if (access(path, F_OK) != 0)
		return mc_cli_usage_error("probe", "--server-pid %ld: no such process", pid);
	*out = (int)pid;
	return 0;
}

/* --server-metrics URL: one more page of the server host's figures. */
static int add_server_metrics(struct mc_probe_config *cfg, const char *arg)
{
	if (cfg->nserver_metrics >= MC_PROBE_MAX_URLS)
		return mc_cli_usage_error("probe", "--server-metrics: at most %d URLs",
					  MC_PROBE_MAX_URLS);
	char shown[256];

	if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
		return mc_cli_usage_error("probe",
					  "--server-metrics '%s': use a URL, e.g. "
					  "http://10.0.0.1:9100/metrics",
					  mc_url_redact(arg, shown, sizeof(shown)));
	cfg->server_metrics[cfg->nserver_metrics++] = arg;
	return 0;
}

/* A duration option: --hold, --timeout, --heartbeat, --window, --settle. */
static int set_duration(struct probe_args *a, int id, const char *arg)
{
	struct mc_probe_config *cfg = &a->cfg;
	struct mc_err err;

	switch (id) {
	case 'H':
		if (mc_parse_duration(arg, &cfg->hold_ns, &err) < 0)
			return mc_cli_usage_error("probe", "--hold: %s", err.msg);
		return 0;
	case O_TIMEOUT:
		if (mc_parse_duration(arg, &cfg->timeout_ns, &err) < 0 || !cfg->timeout_ns)
			return mc_cli_usage_error("probe", "--timeout '%s': use e.g. 60s, 10m", arg);
		return 0;
	case O_HEARTBEAT:
		if (mc_parse_duration(arg, &cfg->heartbeat_ns, &err) < 0 ||
		    cfg->heartbeat_ns < MC_NS_PER_MS || cfg->heartbeat_ns > 3600 * MC_NS_PER_SEC)
			return mc_cli_usage_error("probe",
						  "--heartbeat '%s': use a period from 1ms to "
						  "1h, e.g. 1s or 100ms",
						  arg);
		return 0;
	case O_MAXRTT:
		if (mc_parse_duration(arg, &cfg->max_rtt_ns, &err) < 0 || !cfg->max_rtt_ns)
			return mc_cli_usage_error("probe", "--max-rtt '%s': use a duration, e.g. 200ms",
						  arg);
		return 0;
	case O_WINDOW:
		if (mc_parse_duration(arg, &cfg->window_ns, &err) < 0 ||
		    cfg->window_ns < 100 * MC_NS_PER_MS)
			return mc_cli_usage_error("probe",
						  "--window '%s': use a duration of 100ms or "
						  "more, e.g. 10s",
						  arg);
		return 0;
	}
	/* O_SETTLE */
	if (mc_parse_duration(arg, &cfg->settle_ns, &err) < 0)
		return mc_cli_usage_error("probe", "--settle: %s", err.msg);
	a->settle_given = true;
	return 0;
}

/* One of the probe's own options into a (struct probe_args). */
static int set(void *ctx, int id, const char *arg)
{
	struct probe_args *a = ctx;
	struct mc_probe_config *cfg = &a->cfg;
	struct mc_err err;
	uint64_t v;

	switch (id) {
	case 't':
		if (strcmp(arg, "max") == 0) {
			cfg->target = MC_LIMITS_NONE;
			return 0;
		}
		if (mc_parse_count(arg, &cfg->target, &err) < 0 || cfg->target < 1 ||
		    cfg->target > UINT32_MAX)
			return mc_cli_usage_error("probe",
						  "--target '%s': use 1 to 4G connections "
						  "(100k, 1M) or max",
						  arg);
		return 0;
	case 'M':
		if (mc_model_parse(arg, &cfg->model, &err) < 0)
			return mc_cli_usage_error("probe", "%s", err.msg);
		return 0;
	case O_STAIR:
		cfg->staircase = true;
		return 0;
	case O_SOURCES:
		if (mc_parse_count(arg, &cfg->sources, &err) < 0 || !cfg->sources ||
		    cfg->sources > (1u << 24) - 3)
			return mc_cli_usage_error("probe", "--sources '%s': use 1 to 16M (127.0.0.2 on)",
						  arg);
		return 0;
	case 's':
		return add_source(a, arg);
	case O_DPORTS:
		if (mc_parse_count(arg, &cfg->dest_ports, &err) < 0 || !cfg->dest_ports ||
		    cfg->dest_ports > 64)
			return mc_cli_usage_error("probe", "--dest-ports '%s': use 1 to 64", arg);
		return 0;
	case O_PRANGE: {
		uint16_t lo, hi;
		if (mc_parse_port_range(arg, &lo, &hi, &err) < 0)
			return mc_cli_usage_error("probe", "--port-range: %s", err.msg);
		cfg->port_lo = lo;
		cfg->port_hi = hi;
		return 0;
	}
	case O_FDLIM:
		return parse_fd_limit(arg, &cfg->fd_limit);
	case 'b':
		if (mc_parse_count(arg, &cfg->backlog, &err) < 0 || !cfg->backlog ||
		    cfg->backlog > 65535)
			return mc_cli_usage_error("probe", "--backlog '%s': use 1 to 65535", arg);
		return 0;
	case O_EHASH:
		if (strcmp(arg, "shared") == 0) {
			cfg->ehash = MC_PROBE_EHASH_SHARED;
			return 0;
		}
		if (mc_parse_count(arg, &cfg->ehash, &err) < 0 || !cfg->ehash ||
		    cfg->ehash > MC_HOST_CHILD_EHASH_MAX)
			return mc_cli_usage_error("probe",
						  "--ehash '%s': use 1 to 16M buckets, or 'shared'", arg);
		return 0;
	case O_RESERVE:
		if (mc_parse_size(arg, &cfg->reserve, &err) < 0 || !cfg->reserve)
			return mc_cli_usage_error("probe",
						  "--reserve '%s': use a size such as 2G or 512M", arg);
		return 0;
	case 'r':
		if (mc_parse_count(arg, &v, &err) < 0 || !v)
			return mc_cli_usage_error("probe", "--rate '%s': use connects per second (10k)",
						  arg);
		cfg->rate = (double)v;
		return 0;
	case O_PROTO:
		return mc_cli_proto("probe", arg, &cfg->proto);
	case O_REQUEST:
		a->request_line = arg;
		return 0;
	case O_MESSAGE:
		if (mc_parse_size(arg, &cfg->message_bytes, &err) < 0 || !cfg->message_bytes ||
		    cfg->message_bytes > (1u << 20))
			return mc_cli_usage_error("probe", "--message '%s': use 1 to 1M bytes (16, 1k)",
						  arg);
		return 0;
	case O_TRAFFIC:
		if (mc_parse_size(arg, &cfg->traffic_bytes, &err) < 0 || !cfg->traffic_bytes ||
		    cfg->traffic_bytes > (1u << 30))
			return mc_cli_usage_error("probe", "--traffic '%s': use 1 to 1G bytes (16k)",
						  arg);
		return 0;
	case O_STACK:
		if (mc_parse_size(arg, &v, &err) < 0 || v < 16384)
			return mc_cli_usage_error("probe", "--thread-stack '%s': use 16k or more", arg);
		cfg->thread_stack = (size_t)v;
		return 0;
	case O_TADDR:
		if (mc_parse_endpoint(arg, false, &cfg->target_addr, &err) < 0 ||
		    cfg->target_addr.port_lo != cfg->target_addr.port_hi)
			return mc_cli_usage_error("probe", "--target-addr '%s': use HOST:PORT", arg);
		cfg->have_target_addr = true;
		return 0;
	case O_SPID:
		return parse_server_pid(arg, &cfg->server_pid);
	case O_SMETRICS:
		return add_server_metrics(cfg, arg);
	case O_ROUTER:
		cfg->router_netns = arg;
		return 0;
	case O_PROXY_LOG:
		cfg->proxy_log = arg;
		return 0;
	case O_VIA:
		if (strcmp(arg, "snat") == 0)
			cfg->via_snat = true;
		else if (strcmp(arg, "nginx") == 0)
			cfg->via_nginx = true;
		else
			return mc_cli_usage_error("probe", "--via '%s': use snat or nginx", arg);
		return 0;
	case O_NONETNS:
		cfg->host = true;
		return 0;
	case O_JSON:
		a->json_path = arg;
		return 0;
	case O_HTML:
		a->html_path = arg;
		return 0;
	}
	return set_duration(a, id, arg);
}

/* --source's ranges must be of the server's family, and where the client
 * runs: with its own server as root, the probe's private namespace, which
 * has only loopback; else this host (the check client makes). */
static int check_sources(const struct probe_args *a)
{
	const struct mc_probe_config *cfg = &a->cfg;
	sa_family_t want = cfg->have_target_addr ? cfg->target_addr.addr.family : AF_INET;
	char s[MC_ADDR_STRLEN];

	for (size_t i = 0; i < cfg->nsrc; i++)
		if (a->src[i].first.family != want)
			return mc_cli_usage_error(
				"probe", "--source %s: %s, but the server is at %s; give sources of "
					 "its family",
				mc_addr_str(&a->src[i].first, s, sizeof(s)),
				a->src[i].first.family == AF_INET ? "IPv4" : "IPv6",
				cfg->have_target_addr ? (want == AF_INET ? "an IPv4 address"
									 : "an IPv6 address")
						      : "127.0.0.1 (the probe's own, IPv4)");
	if (!cfg->have_target_addr && !cfg->host && geteuid() == 0)
		for (size_t i = 0; i < cfg->nsrc; i++) {
			struct mc_addr last;
			mc_addr_nth(&a->src[i], a->src[i].count - 1, &last);
			if (!mc_addr_is_loopback(&a->src[i].first) || !mc_addr_is_loopback(&last))
				return mc_cli_usage_error(
					"probe", "--source %s: the probe's own server runs in a "
						 "private network namespace per step, which has only "
						 "loopback; use loopback sources (127.0.0.2-127.0.0.50 "
						 "need no setup), or --no-netns to connect from this "
						 "host's own addresses",
					mc_addr_str(mc_addr_is_loopback(&a->src[i].first) ? &last
							: &a->src[i].first,
						    s, sizeof(s)));
		}
	return mc_cli_sources_here("probe", a->src, cfg->nsrc, "");
}

/* What the options say together; 0, or the usage error. */
static int check(const struct probe_args *a)
{
	const struct mc_probe_config *cfg = &a->cfg;

	if (cfg->server_pid && !cfg->have_target_addr)
		return mc_cli_usage_error("probe", "--server-pid goes with --target-addr: the "
						   "probe measures its own server otherwise");
	if (cfg->nserver_metrics && !cfg->have_target_addr)
		return mc_cli_usage_error("probe", "--server-metrics goes with --target-addr: the "
						   "probe's own server is on this host, and measured");
	if (cfg->have_target_addr && cfg->staircase)
		return mc_cli_usage_error("probe", "--staircase lifts limits of the probe's own "
						   "server; it does not go with --target-addr");
	if (cfg->have_target_addr && (cfg->port_lo || cfg->model != MC_MODEL_EPOLL))
		return mc_cli_usage_error("probe", "--port-range and --model tune the probe's own "
						   "namespace and server; not with --target-addr");
	if ((cfg->via_snat || cfg->via_nginx) &&
	    (cfg->have_target_addr || cfg->host || cfg->nsrc || geteuid() != 0))
		return mc_cli_usage_error("probe", "--via builds its own middle box and server in "
						   "namespaces of its own (root): not with "
						   "--target-addr, --no-netns or --source");
	if (cfg->router_netns && cfg->via_snat)
		return mc_cli_usage_error("probe", "--router-netns names a router of yours; --via "
						   "snat reads the probe's own: give one");
	if (cfg->max_rtt_ns && !cfg->heartbeat_ns)
		return mc_cli_usage_error("probe", "--max-rtt bounds the --heartbeat round trips: "
						   "give --heartbeat too");
	if (cfg->proto == MC_PROTO_HTTP && !cfg->have_target_addr)
		return mc_cli_usage_error("probe", "--proto http needs --target-addr: the probe's "
						   "own server speaks no HTTP");
	if (a->request_line && cfg->proto != MC_PROTO_HTTP)
		return mc_cli_usage_error("probe", "--request needs --proto http");
	if (cfg->proto == MC_PROTO_HTTP && cfg->message_bytes)
		return mc_cli_usage_error("probe", "--message with --proto http: the heartbeat is "
						   "the request (--request); drop --message");
	if (cfg->message_bytes && !cfg->heartbeat_ns)
		return mc_cli_usage_error("probe", "--message sizes the --heartbeat messages: give "
						   "--heartbeat too (e.g. --heartbeat 1s)");
	if (cfg->traffic_bytes && (cfg->heartbeat_ns || cfg->have_target_addr ||
				   cfg->model == MC_MODEL_URING))
		return mc_cli_usage_error("probe", "--traffic: its server leaves the bytes unread, "
						   "so not with %s yet",
					  cfg->heartbeat_ns	 ? "--heartbeat (which it echoes)"
					  : cfg->have_target_addr ? "--target-addr (a server of yours)"
								  : "--model uring");
	if (cfg->nsrc && (cfg->sources || cfg->staircase))
		return mc_cli_usage_error("probe", "--source gives the addresses themselves; it "
						   "goes with neither --sources nor --staircase "
						   "(which choose 127.0.0.2 on)");
	if (check_sources(a))
		return MC_EXIT_USAGE;
	if (a->json_path && a->html_path && mc_outfile_same(a->json_path, a->html_path))
		return mc_cli_usage_error("probe", "--json and --html both name %s: give each "
						   "report its own file",
					  a->json_path);
	if (a->settle_given && !cfg->window_ns)
		return mc_cli_usage_error("probe", "--settle is the wait before --window; give "
						   "--window too");
	if (cfg->window_ns && cfg->target == MC_LIMITS_NONE)
		return mc_cli_usage_error("probe", "--window runs once all --target connections "
						   "are up; --target max never gets there: give a "
						   "count (10k)");
	if (cfg->window_ns && cfg->timeout_ns && cfg->timeout_ns <= cfg->settle_ns + cfg->window_ns)
		return mc_cli_usage_error("probe", "--timeout must leave room for the ramp, "
						   "--settle and --window: raise --timeout");
	return 0;
}

/* Open one report's file (--json or --html) before the run, so a bad path
 * fails before the long run: *o NULL when path is. false, said on
 * stderr, when it cannot be opened. */
static bool open_out(const char *path, const char *flag, struct mc_outfile **o)
{
	struct mc_err err;

	*o = NULL;
	if (!path)
		return true;
	*o = calloc(1, sizeof(**o));
	if (!*o) {
		fprintf(stderr, "maxconn probe: out of memory\n");
		return false;
	}
	if (mc_outfile_open(*o, path, &err) < 0) {
		fprintf(stderr, "maxconn probe: %s %s\n", flag, err.msg);
		return false;
	}
	return true;
}

/* After the run: the summary and the reports while the connections are
 * still held, then the teardown. The writers record the run's code, not
 * a later failure to write; the code returned is that, or
 * MC_EXIT_RUNTIME when a report could not be written. */
/* "closing N sockets..." as it goes, on a terminal: the sockets left (in
 * the probe's namespace) and the seconds so far, on the same line. */
struct closing {
	char total[32];
};

static void closing_progress(void *arg, uint64_t left, double secs)
{
	struct closing *c = arg;
	char n[32];

	if (left == UINT64_MAX)
		fprintf(stderr, "\r\033[Kclosing %s sockets... %.0fs", c->total, secs);
	else
		fprintf(stderr, "\r\033[Kclosing %s sockets... %s left after %.0fs", c->total,
			mc_fmt_count(left, n, sizeof(n)), secs);
	fflush(stderr);
}

static int answer(const struct mc_probe_report *r, struct mc_probe_rest *rest,
		  struct mc_outfile *jf, struct mc_outfile *hf, bool quiet)
{
	int code, result;
	uint64_t socks = rest->sockets;
	struct closing cl;
	bool cut, live = socks && !quiet && isatty(STDERR_FILENO);
	double secs;

	code = result = exit_code(r);
	mc_probe_print(stdout, r);
	if (jf || hf)
		putchar('\n');
	if (jf && !write_out(jf, "JSON", r, result))
		code = MC_EXIT_RUNTIME;
	if (hf && !write_out(hf, "HTML", r, result))
		code = MC_EXIT_RUNTIME;
	fflush(stdout);
	if (socks && !quiet) {
		fprintf(stderr, "closing %s sockets...", mc_fmt_count(socks, cl.total, sizeof(cl.total)));
		fflush(stderr);
	}
	secs = mc_probe_teardown(rest, &cut, live ? closing_progress : NULL, &cl);
	if (live)
		fprintf(stderr, "\r\033[Kclosing %s sockets...", cl.total);
	if (socks && !quiet)
		fprintf(stderr,
			cut ? " interrupted after %.1fs: the kernel goes on closing them\n"
			    : " done in %.1fs\n",
			secs);
	return code;
}

int mc_cmd_probe(int argc, char **argv)
{
	struct probe_args a = {.cfg = {.target = 100000, .dest_ports = 1,
				       .settle_ns = 2 * MC_NS_PER_SEC}};
	struct mc_probe_config *cfg = &a.cfg;
	struct mc_probe_report *r = NULL;
	static struct tick_ctx tc; /* large (the snapshot): off the stack */
	struct mc_cli_common com = {0};
	struct mc_outfile *jf = NULL, *hf = NULL;
	struct mc_probe_rest rest;
	struct mc_err err;
	int rc, code = MC_EXIT_USAGE;

	tc = (struct tick_ctx){.tty = isatty(STDERR_FILENO), .cfg = cfg};
	if ((rc = mc_opt_parse(&mc_cli_probe, argc, argv, set, &a, &com)) != MC_CLI_GO_ON)
		return rc;
	if ((rc = check(&a)))
		return rc;
	if (cfg->proto == MC_PROTO_HTTP &&
	    (rc = mc_cli_http_request("probe", a.request_line, &cfg->target_addr.addr,
				      cfg->target_addr.port_lo, a.request, sizeof(a.request),
				      &cfg->request_len)))
		return rc;
	cfg->request = a.request;
	if (com.metrics && cfg->have_target_addr &&
	    (rc = mc_cli_metrics_clash("probe", &com.metrics_at, &cfg->target_addr, 1,
				       "--target-addr", "the probe would measure its own endpoint")))
		return rc;
	tc.quiet = com.quiet;
	if (!open_out(a.json_path, "--json", &jf) || !open_out(a.html_path, "--html", &hf))
		goto out;
	if (com.metrics && (rc = mc_cli_metrics_start("probe", &com.metrics_at,
						      sizeof(struct probe_snap), render, &tc,
						      tc.quiet, &tc.metrics))) {
		code = rc;
		goto out;
	}

	cfg->tick = tick;
	cfg->tick_arg = &tc;
	cfg->observe = observe;
	cfg->client_hists = com.metrics;
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "maxconn probe: out of memory\n");
		code = MC_EXIT_RUNTIME;
		goto out;
	}
	rc = mc_probe_run(cfg, r, &rest, &err);
	if (tc.tty && !tc.quiet)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		fprintf(stderr, "maxconn probe: %s\n", err.msg);
		code = rc == -EPERM || rc == -ENOSYS ? MC_EXIT_LIMIT : MC_EXIT_RUNTIME;
		goto out;
	}
	code = answer(r, &rest, jf, hf, tc.quiet);
out:
	if (jf)
		mc_outfile_abort(jf);
	if (hf)
		mc_outfile_abort(hf);
	free(jf);
	free(hf);
	mc_metrics_stop(tc.metrics);
	if (r)
		mc_probe_report_free(r);
	free(r);
	return code;
}
