/* cmd_probe.c: `maxconn probe`: flags -> struct mc_probe_config, run, the
 * live line, the summary, --json and --html files, exit code. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/clock.h"
#include "common/addr.h"
#include "common/fmt.h"
#include "common/outfile.h"
#include "common/parse.h"
#include "client/client_metrics.h"
#include "probe/probe_metrics.h"
#include "probe/probe.h"
#include "server/server_metrics.h"

static const char help[] =
	"Usage: maxconn probe [OPTIONS]\n"
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
	"\n"
	"Options:\n"
	"  -t, --target N|max      connections to reach (100k, 1M); max: until the\n"
	"                          first limit or the memory reserve (default 100k)\n"
	"  -M, --model epoll|threads|uring  the server's model (default epoll)\n"
	"      --staircase         the seeds' story: start like a naive program (one\n"
	"                          source address, one port, one fd table), and after\n"
	"                          each limit lift it (wider port range, more source\n"
	"                          addresses, private fd tables, a larger backlog,\n"
	"                          epoll instead of threads) and go on to the next,\n"
	"                          until the target or memory; prints the seeds'\n"
	"                          table with measured values\n"
	"      --sources N         client source addresses, 127.0.0.2 on (default:\n"
	"                          enough to keep each pair's ports under 25% used)\n"
	"  -s, --source ADDR|ADDR-ADDR|CIDR  the client's source addresses instead,\n"
	"                          as `maxconn client --source` takes them; repeatable\n"
	"                          (127.0.0.1 included: some servers treat it apart)\n"
	"      --dest-ports N      server listen ports (default 1)\n"
	"      --port-range LO-HI  net.ipv4.ip_local_port_range in the namespace\n"
	"                          (default: the kernel's, 32768-60999)\n"
	"      --fd-limit N        give server and client RLIMIT_NOFILE N and one fd\n"
	"                          table each, as `ulimit -n N` would (default: this\n"
	"                          shell's limit, and private fd tables past it)\n"
	"  -b, --backlog N         listen backlog, and somaxconn in the namespace\n"
	"                          (default 65535; on the host: somaxconn)\n"
	"      --reserve SIZE      memory to keep available (default: the larger of\n"
	"                          10% of RAM and 1 GiB)\n"
	"  -r, --rate R            connects per second (default: as fast as it goes)\n"
	"      --thread-stack SIZE stack per thread with --model threads\n"
	"      --target-addr HOST:PORT  probe an existing server (nginx, redis, ...)\n"
	"                          instead of starting one; nothing is tuned\n"
	"      --server-pid PID    that server's pid: adds its memory per connection\n"
	"                          (RSS of it and its children) and its fd limit\n"
	"      --server-metrics URL  with --target-addr on another host: that host's\n"
	"                          node_exporter (http://HOST:9100/metrics) or a maxconn\n"
	"                          server's --metrics; repeatable. The report adds the\n"
	"                          server host's side: its sockets, kernel bytes per\n"
	"                          socket, memory left and the projection, and the\n"
	"                          limit its counters show (accept queue overflows,\n"
	"                          conntrack full, the server's refusals). Without it\n"
	"                          they are reported unknown\n"
	"      --no-netns          use the host's loopback even as root\n"
	"  -H, --hold D            keep the connections D once all are up (default 0)\n"
	"      --heartbeat D       every connection sends a 16-byte message every D\n"
	"                          (1s, 100ms; at least 1ms) from the moment it opens,\n"
	"                          and the probe's server echoes it (default: none)\n"
	"      --window D          the steady-state window: once all --target\n"
	"                          connections are up and --settle has passed, measure\n"
	"                          for D (10s; at least 100ms) while holding them:\n"
	"                          messages echoed per second, round trips in the window\n"
	"                          (p50/p99 in microseconds), server CPU in ms per\n"
	"                          1,000 messages, context switches per second, threads\n"
	"                          and bytes per connection (the JSON's \"steady\")\n"
	"      --settle D          from all up to the window's start (default 2s)\n"
	"      --timeout D         give up after D (default 10m)\n"
	"      --json FILE         write the report as JSON (schema: docs/probe.md)\n"
	"      --html FILE         write the report as one self-contained HTML page\n"
	"                          with charts (each file appears whole once the\n"
	"                          figures are taken, or not at all: an existing\n"
	"                          file is replaced only then)\n"
	"      --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	"                          while it runs: its client's and server's families\n"
	"                          and its own (step, rate, memory)\n"
	"  -q, --quiet             no live line\n"
	"  -h, --help              this help\n"
	"\n"
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
	"take the kernel a while) and exits once nothing is left.\n"
	"Its temporary directory is made in $TMPDIR (default /tmp).\n"
	"\n"
	"Exit codes: 0 the target was reached; 1 runtime failure (a child died);\n"
	"            2 usage error; 3 a limit or the memory reserve stopped it;\n"
	"            130 Ctrl-C (everything is torn down, the reports are written).\n";

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

	mc_cli_metrics_common(p, "probe", mc_model_name(t->cfg->model), NULL);
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

int mc_cmd_probe(int argc, char **argv)
{
	enum {
		O_STAIR = 256, O_SOURCES, O_DPORTS, O_PRANGE, O_FDLIM, O_RESERVE, O_STACK,
		O_TADDR, O_SPID, O_NONETNS, O_TIMEOUT, O_JSON, O_HTML, O_HEARTBEAT, O_WINDOW,
		O_SETTLE, O_SMETRICS, O_METRICS,
	};
	static const struct option opts[] = {
		{"target", required_argument, NULL, 't'},
		{"model", required_argument, NULL, 'M'},
		{"staircase", no_argument, NULL, O_STAIR},
		{"sources", required_argument, NULL, O_SOURCES},
		{"source", required_argument, NULL, 's'},
		{"dest-ports", required_argument, NULL, O_DPORTS},
		{"port-range", required_argument, NULL, O_PRANGE},
		{"fd-limit", required_argument, NULL, O_FDLIM},
		{"backlog", required_argument, NULL, 'b'},
		{"reserve", required_argument, NULL, O_RESERVE},
		{"rate", required_argument, NULL, 'r'},
		{"thread-stack", required_argument, NULL, O_STACK},
		{"target-addr", required_argument, NULL, O_TADDR},
		{"server-pid", required_argument, NULL, O_SPID},
		{"no-netns", no_argument, NULL, O_NONETNS},
		{"hold", required_argument, NULL, 'H'},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"heartbeat", required_argument, NULL, O_HEARTBEAT},
		{"window", required_argument, NULL, O_WINDOW},
		{"settle", required_argument, NULL, O_SETTLE},
		{"json", required_argument, NULL, O_JSON},
		{"html", required_argument, NULL, O_HTML},
		{"server-metrics", required_argument, NULL, O_SMETRICS},
		{"metrics", required_argument, NULL, O_METRICS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct mc_probe_config cfg = {.target = 100000, .dest_ports = 1,
				      .settle_ns = 2 * MC_NS_PER_SEC};
	bool settle_given = false;
	struct mc_probe_report *r = NULL;
	static struct tick_ctx tc; /* large (the snapshot): off the stack */
	struct mc_endpoint_range metrics_at;
	bool metrics = false;
	const char *json_path = NULL, *html_path = NULL;
	struct mc_outfile *jf = NULL, *hf = NULL;
	struct mc_addr_range src[16];
	struct mc_probe_rest rest;
	struct mc_err err;
	uint64_t v;
	int c, rc, code, result;

	tc = (struct tick_ctx){.tty = isatty(STDERR_FILENO), .cfg = &cfg};
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:M:s:b:r:H:qh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (strcmp(optarg, "max") == 0) {
				cfg.target = MC_LIMITS_NONE;
				break;
			}
			if (mc_parse_count(optarg, &cfg.target, &err) < 0 || cfg.target < 1 ||
			    cfg.target > UINT32_MAX)
				return mc_cli_usage_error("probe",
							  "--target '%s': use 1 to 4G connections "
							  "(100k, 1M) or max",
							  optarg);
			break;
		case 'M':
			if (mc_model_parse(optarg, &cfg.model, &err) < 0)
				return mc_cli_usage_error("probe", "%s", err.msg);
			break;
		case O_STAIR:
			cfg.staircase = true;
			break;
		case O_SOURCES:
			if (mc_parse_count(optarg, &cfg.sources, &err) < 0 || !cfg.sources ||
			    cfg.sources > (1u << 24) - 3)
				return mc_cli_usage_error("probe",
							  "--sources '%s': use 1 to 16M (127.0.0.2 on)",
							  optarg);
			break;
		case 's':
			if (cfg.nsrc == sizeof(src) / sizeof(src[0]))
				return mc_cli_usage_error("probe", "--source: at most %zu ranges; give "
								   "a range or a CIDR block",
							  sizeof(src) / sizeof(src[0]));
			if (mc_parse_addr_range(optarg, &src[cfg.nsrc], &err) < 0)
				return mc_cli_usage_error("probe", "--source '%s': %s", optarg,
							  err.msg);
			cfg.nsrc++;
			cfg.src = src;
			break;
		case O_DPORTS:
			if (mc_parse_count(optarg, &cfg.dest_ports, &err) < 0 || !cfg.dest_ports ||
			    cfg.dest_ports > 64)
				return mc_cli_usage_error("probe", "--dest-ports '%s': use 1 to 64",
							  optarg);
			break;
		case O_PRANGE: {
			uint16_t lo, hi;
			if (mc_parse_port_range(optarg, &lo, &hi, &err) < 0)
				return mc_cli_usage_error("probe", "--port-range: %s", err.msg);
			cfg.port_lo = lo;
			cfg.port_hi = hi;
			break;
		}
		case O_FDLIM:
			if (parse_fd_limit(optarg, &cfg.fd_limit))
				return MC_EXIT_USAGE;
			break;
		case 'b':
			if (mc_parse_count(optarg, &cfg.backlog, &err) < 0 || !cfg.backlog ||
			    cfg.backlog > 65535)
				return mc_cli_usage_error("probe", "--backlog '%s': use 1 to 65535",
							  optarg);
			break;
		case O_RESERVE:
			if (mc_parse_size(optarg, &cfg.reserve, &err) < 0 || !cfg.reserve)
				return mc_cli_usage_error("probe",
							  "--reserve '%s': use a size such as 2G or 512M",
							  optarg);
			break;
		case 'r':
			if (mc_parse_count(optarg, &v, &err) < 0 || !v)
				return mc_cli_usage_error("probe",
							  "--rate '%s': use connects per second (10k)",
							  optarg);
			cfg.rate = (double)v;
			break;
		case O_STACK:
			if (mc_parse_size(optarg, &v, &err) < 0 || v < 16384)
				return mc_cli_usage_error("probe",
							  "--thread-stack '%s': use 16k or more", optarg);
			cfg.thread_stack = (size_t)v;
			break;
		case O_TADDR:
			if (mc_parse_endpoint(optarg, false, &cfg.target_addr, &err) < 0 ||
			    cfg.target_addr.port_lo != cfg.target_addr.port_hi)
				return mc_cli_usage_error("probe", "--target-addr '%s': use HOST:PORT",
							  optarg);
			cfg.have_target_addr = true;
			break;
		case O_SPID: {
			char *end;
			long pid = strtol(optarg, &end, 10);
			char path[64];
			if (end == optarg || *end || pid < 1 || pid > 4194304)
				return mc_cli_usage_error("probe", "--server-pid '%s': use a pid",
							  optarg);
			snprintf(path, sizeof(path), "/proc/%ld", pid);
			if (access(path, F_OK) != 0)
				return mc_cli_usage_error("probe",
							  "--server-pid %ld: no such process", pid);
			cfg.server_pid = (int)pid;
			break;
		}
		case O_NONETNS:
			cfg.host = true;
			break;
		case 'H':
			if (mc_parse_duration(optarg, &cfg.hold_ns, &err) < 0)
				return mc_cli_usage_error("probe", "--hold: %s", err.msg);
			break;
		case O_TIMEOUT:
			if (mc_parse_duration(optarg, &cfg.timeout_ns, &err) < 0 || !cfg.timeout_ns)
				return mc_cli_usage_error("probe", "--timeout '%s': use e.g. 60s, 10m",
							  optarg);
			break;
		case O_HEARTBEAT:
			if (mc_parse_duration(optarg, &cfg.heartbeat_ns, &err) < 0 ||
			    cfg.heartbeat_ns < MC_NS_PER_MS || cfg.heartbeat_ns > 3600 * MC_NS_PER_SEC)
				return mc_cli_usage_error("probe",
							  "--heartbeat '%s': use a period from 1ms to "
							  "1h, e.g. 1s or 100ms",
							  optarg);
			break;
		case O_WINDOW:
			if (mc_parse_duration(optarg, &cfg.window_ns, &err) < 0 ||
			    cfg.window_ns < 100 * MC_NS_PER_MS)
				return mc_cli_usage_error("probe",
							  "--window '%s': use a duration of 100ms or "
							  "more, e.g. 10s",
							  optarg);
			break;
		case O_SETTLE:
			if (mc_parse_duration(optarg, &cfg.settle_ns, &err) < 0)
				return mc_cli_usage_error("probe", "--settle: %s", err.msg);
			settle_given = true;
			break;
		case O_JSON:
			json_path = optarg;
			break;
		case O_HTML:
			html_path = optarg;
			break;
		case O_SMETRICS:
			if (cfg.nserver_metrics >= MC_PROBE_MAX_URLS)
				return mc_cli_usage_error("probe", "--server-metrics: at most %d URLs",
							  MC_PROBE_MAX_URLS);
			if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0)
				return mc_cli_usage_error("probe",
							  "--server-metrics '%s': use a URL, e.g. "
							  "http://10.0.0.1:9100/metrics",
							  optarg);
			cfg.server_metrics[cfg.nserver_metrics++] = optarg;
			break;
		case O_METRICS:
			if (mc_cli_parse_metrics("probe", optarg, &metrics_at))
				return MC_EXIT_USAGE;
			metrics = true;
			break;
		case 'q':
			tc.quiet = true;
			break;
		case 'h':
			fputs(help, stdout);
			return MC_EXIT_OK;
		default:
			return mc_cli_option_error("probe", c, argv, opts);
		}
	}
	if (optind < argc)
		return mc_cli_extra_arg("probe", argv);
	if (cfg.server_pid && !cfg.have_target_addr)
		return mc_cli_usage_error("probe", "--server-pid goes with --target-addr: the "
						   "probe measures its own server otherwise");
	if (cfg.nserver_metrics && !cfg.have_target_addr)
		return mc_cli_usage_error("probe", "--server-metrics goes with --target-addr: the "
						   "probe's own server is on this host, and measured");
	if (cfg.have_target_addr && cfg.staircase)
		return mc_cli_usage_error("probe", "--staircase lifts limits of the probe's own "
						   "server; it does not go with --target-addr");
	if (cfg.have_target_addr && (cfg.port_lo || cfg.model != MC_MODEL_EPOLL))
		return mc_cli_usage_error("probe", "--port-range and --model tune the probe's own "
						   "namespace and server; not with --target-addr");
	if (cfg.nsrc && (cfg.sources || cfg.staircase))
		return mc_cli_usage_error("probe", "--source gives the addresses themselves; it "
						   "goes with neither --sources nor --staircase "
						   "(which choose 127.0.0.2 on)");
	for (size_t i = 0; i < cfg.nsrc; i++) {
		sa_family_t want = cfg.have_target_addr ? cfg.target_addr.addr.family : AF_INET;
		char a[MC_ADDR_STRLEN];
		if (src[i].first.family != want)
			return mc_cli_usage_error(
				"probe", "--source %s: %s, but the server is at %s; give sources of "
					 "its family",
				mc_addr_str(&src[i].first, a, sizeof(a)),
				src[i].first.family == AF_INET ? "IPv4" : "IPv6",
				cfg.have_target_addr ? (want == AF_INET ? "an IPv4 address"
									: "an IPv6 address")
						     : "127.0.0.1 (the probe's own, IPv4)");
	}
	if (json_path && html_path && mc_outfile_same(json_path, html_path))
		return mc_cli_usage_error("probe", "--json and --html both name %s: give each "
						   "report its own file",
					  json_path);
	if (settle_given && !cfg.window_ns)
		return mc_cli_usage_error("probe", "--settle is the wait before --window; give "
						   "--window too");
	if (cfg.window_ns && cfg.target == MC_LIMITS_NONE)
		return mc_cli_usage_error("probe", "--window runs once all --target connections "
						   "are up; --target max never gets there: give a "
						   "count (10k)");
	if (cfg.window_ns && cfg.timeout_ns && cfg.timeout_ns <= cfg.settle_ns + cfg.window_ns)
		return mc_cli_usage_error("probe", "--timeout must leave room for the ramp, "
						   "--settle and --window: raise --timeout");
	/* open the outputs first: a bad path fails before the long run */
	jf = json_path ? calloc(1, sizeof(*jf)) : NULL;
	hf = html_path ? calloc(1, sizeof(*hf)) : NULL;
	r = NULL;
	code = MC_EXIT_USAGE;
	if ((json_path && !jf) || (html_path && !hf)) {
		fprintf(stderr, "maxconn probe: out of memory\n");
		goto out;
	}
	if (jf && mc_outfile_open(jf, json_path, &err) < 0) {
		fprintf(stderr, "maxconn probe: --json %s\n", err.msg);
		goto out;
	}
	if (hf && mc_outfile_open(hf, html_path, &err) < 0) {
		fprintf(stderr, "maxconn probe: --html %s\n", err.msg);
		goto out;
	}
	if (metrics && (rc = mc_cli_metrics_start("probe", &metrics_at, sizeof(struct probe_snap),
						  render, &tc, tc.quiet, &tc.metrics))) {
		code = rc;
		goto out;
	}

	cfg.tick = tick;
	cfg.tick_arg = &tc;
	cfg.observe = observe;
	cfg.client_hists = metrics;
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "maxconn probe: out of memory\n");
		code = MC_EXIT_RUNTIME;
		goto out;
	}
	rc = mc_probe_run(&cfg, r, &rest, &err);
	if (tc.tty && !tc.quiet)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		fprintf(stderr, "maxconn probe: %s\n", err.msg);
		code = rc == -EPERM || rc == -ENOSYS ? MC_EXIT_LIMIT : MC_EXIT_RUNTIME;
		goto out;
	}
	/* the answer first: the summary and the reports while the connections
	 * are still held, then the teardown. The writers record the run's
	 * code, not a later failure to write. */
	code = result = exit_code(r);
	mc_probe_print(stdout, r);
	if (jf || hf)
		putchar('\n');
	if (jf && !write_out(jf, "JSON", r, result))
		code = MC_EXIT_RUNTIME;
	if (hf && !write_out(hf, "HTML", r, result))
		code = MC_EXIT_RUNTIME;
	fflush(stdout);
	if (rest.sockets && !tc.quiet) {
		char n[32];
		fprintf(stderr, "closing %s sockets...", mc_fmt_count(rest.sockets, n, sizeof(n)));
		fflush(stderr);
	}
	{
		uint64_t socks = rest.sockets;
		double secs = mc_probe_teardown(&rest);
		if (socks && !tc.quiet)
			fprintf(stderr, " done in %.1fs\n", secs);
	}
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
