/* cmd_client.c: `maxconn client`: flags -> struct mc_client_config, the
 * port preflight, run, live progress, summary (text or --json), exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "client/client.h"
#include "client/client_metrics.h"
#include "client/shard.h"
#include "common/addr.h"
#include "common/clock.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/parse.h"
#include "limits/limits.h"
#include "net/sock.h"

#define MAX_ARGS 256

static const char help[] =
	"Usage: maxconn client --connect ADDR:PORT[-PORT] [OPTIONS]\n"
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
	"\n"
	"Options:\n"
	"  -c, --connect ADDR:PORT[-PORT]  destination(s); repeatable; a port range adds\n"
	"                          one destination per port; IPv6 as [::1]:9000\n"
	"  -s, --source ADDR|ADDR-ADDR|CIDR  source addresses; repeatable\n"
	"                          (default: the one the kernel routes from)\n"
	"  -n, --conns N           connections to open: 100, 100k, 1M (default 1000)\n"
	"  -r, --rate R            connects per second (default: as fast as it goes)\n"
	"      --inflight N        connects in progress at once (default 4096)\n"
	"      --connect-timeout D give up on a connect after D (default 10s)\n"
	"      --port-select maxconn|kernel  who picks each local port (above)\n"
	"      --port-range LO-HI  local ports each pair walks (maxconn only; default\n"
	"                          net.ipv4.ip_local_port_range). 1024-65535 gives one\n"
	"                          pair 64512 without touching the sysctl; clients\n"
	"                          sharing a pair may each take a slice of it\n"
	"  -H, --hold D            hold them D once all are up (default: until Ctrl-C)\n"
	"  -w, --workers N|auto    worker threads (default auto: one per CPU, more\n"
	"                          when N needs more fd tables than that)\n"
	"      --ramp-workers N    workers connecting at once; the rest hold until one\n"
	"                          finishes (default 8 per CPU)\n"
	"      --send STRING       heartbeat payload, sent every --every\n"
	"      --every D           period of heartbeats / echo messages (e.g. 1s)\n"
	"      --echo-verify BYTES each connection sends BYTES of a pattern unique to it\n"
	"                          (once, or every --every) and checks every byte comes\n"
	"                          back in order; needs `maxconn server --mode echo`\n"
	"      --shard K/M         be shard K of M clients that together open exactly\n"
	"                          --conns: this one opens its share (N/M, the first\n"
	"                          N mod M shards one more) over its own slice of the\n"
	"                          (source, destination) pairs, so no two shards use\n"
	"                          the same pair; give every shard the same --connect\n"
	"                          and --source lists (the union of every host's\n"
	"                          sources: each shard binds its slice, which must be\n"
	"                          its host's). See docs/hosts.md\n"
	"      --shards M          the same, K from JOB_COMPLETION_INDEX (0-based), as\n"
	"                          a Kubernetes Indexed Job sets it\n"
	"      --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	"                          (:9464 for every address): held, connects by\n"
	"                          outcome and cause, connect latency and round trips\n"
	"                          (histograms), bytes, messages, user memory per\n"
	"                          connection, the shard; refreshed once a second\n"
	"  -f, --force             run even when the ports cannot give N connections\n"
	"      --json              print the summary as JSON on stdout\n"
	"  -q, --quiet             no live progress line\n"
	"  -h, --help              this help\n"
	"\n"
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
	"  maxconn client -c 10.0.0.1:9000-9003 -s 10.0.0.11-10.0.0.14 -s 10.0.0.21-10.0.0.24 \\\n"
	"      -n 1M --shard 1/2 --metrics :9464   # on host 1; --shard 2/2 on host 2\n"
	"\n"
	"Exit codes: 0 all N held as asked; 1 runtime failure (refused, resets, echo\n"
	"            bytes lost or wrong, messages skipped); 2 usage error; 3 a host\n"
	"            limit stopped connections (ports, fds, accept queue, memory);\n"
	"            130 Ctrl-C before all N were opened (the summary is still\n"
	"            printed).\n";

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

/* The host limit behind most of the failures, or NULL. */
static const char *binding_limit(const struct mc_client_stats *s, enum mc_cause *cause)
{
	uint64_t best = 0;
	const char *lim = NULL;

	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (mc_cause_limit((enum mc_cause)k) && s->fail[k] > best) {
			best = s->fail[k];
			lim = mc_cause_limit((enum mc_cause)k);
			*cause = (enum mc_cause)k;
		}
	return lim;
}

/* A scrape of --metrics (on the endpoint's thread): the published stats. */
static void render(void *arg, const void *snap, struct mc_prom *p)
{
	const struct tick_ctx *t = arg;

	mc_cli_metrics_common(p, "client", "epoll", t->shard[0] ? t->shard : "1/1");
	mc_client_metrics(p, snap);
}

static double connect_rate(const struct mc_client_stats *s)
{
	uint64_t ns = s->ramp_ns ? s->ramp_ns : s->elapsed_ns;
	return ns ? (double)s->established / ((double)ns / 1e9) : 0;
}

static void json_hist(struct mc_json *j, const char *key, const struct mc_hist *h)
{
	static const struct {
		const char *k;
		double q;
	} qs[] = {{"p50", .5}, {"p90", .9}, {"p99", .99}, {"p99_9", .999}, {"max", 1}};

	mc_json_key(j, key);
	mc_json_obj_open(j);
	mc_json_kv_u64(j, "count", h->count);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		mc_json_kv_double(j, qs[i].k, (double)mc_hist_quantile(h, qs[i].q) / 1e3);
	mc_json_kv_double(j, "mean", mc_hist_mean(h) / 1e3);
	mc_json_obj_close(j);
}

static void json_causes(struct mc_json *j, const char *key, const uint64_t *v)
{
	mc_json_key(j, key);
	mc_json_obj_open(j);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (v[k])
			mc_json_kv_u64(j, mc_cause_key((enum mc_cause)k), v[k]);
	mc_json_obj_close(j);
}

static void print_json(const struct mc_client_stats *s, uint64_t ports, uint64_t ceiling,
		       int exit_code, const struct tick_ctx *t, uint64_t total)
{
	struct mc_json j;
	enum mc_cause cause = MC_CAUSE_OTHER;
	const char *lim = binding_limit(s, &cause);

	mc_json_init(&j, stdout);
	mc_json_obj_open(&j);
	mc_json_kv_str(&j, "command", "client");
	if (t->shard[0]) {
		mc_json_kv_str(&j, "shard", t->shard);
		mc_json_kv_u64(&j, "shards_total_conns", total);
	}
	mc_json_kv_u64(&j, "requested", s->requested);
	mc_json_kv_u64(&j, "attempted", s->attempted);
	mc_json_kv_u64(&j, "established", s->established);
	mc_json_kv_u64(&j, "in_flight", s->inflight);
	mc_json_kv_u64(&j, "held", s->open);
	mc_json_kv_u64(&j, "held_peak", s->open_peak);
	mc_json_kv_u64(&j, "failed", mc_cause_sum(s->fail));
	json_causes(&j, "failures", s->fail);
	json_causes(&j, "lost", s->lost);
	if (lim)
		mc_json_kv_str(&j, "limit", lim);
	else
		mc_json_kv_null(&j, "limit");
	mc_json_kv_str(&j, "first_error", s->first_error[0] ? s->first_error : NULL);
	/* what the server sent first on connections it then ended (a few
	 * distinct messages, each with its cause and how many carried it) */
	mc_json_key(&j, "server_said");
	mc_json_arr_open(&j);
	for (unsigned i = 0; i < s->nsaid && i < MC_CLIENT_SAID_MAX; i++) {
		char text[400];
		mc_client_said_text(&s->said[i], text, sizeof(text));
		mc_json_obj_open(&j);
		mc_json_kv_str(&j, "text", text);
		mc_json_kv_str(&j, "cause", mc_cause_key((enum mc_cause)s->said[i].cause));
		mc_json_kv_u64(&j, "conns", s->said[i].conns);
		mc_json_obj_close(&j);
	}
	mc_json_arr_close(&j);
	mc_json_kv_bool(&j, "interrupted", s->stop_signal != 0);
	mc_json_kv_double(&j, "duration_s", (double)s->elapsed_ns / 1e9);
	mc_json_kv_double(&j, "ramp_s", (double)s->ramp_ns / 1e9);
	mc_json_kv_double(&j, "connect_rate", connect_rate(s));
	json_hist(&j, "connect_latency_us", &s->connect_lat);
	json_hist(&j, "connect_queued_us", &s->connect_queue);
	json_hist(&j, "rtt_us", &s->rtt);
	mc_json_key(&j, "behind");
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "stalls", s->stalls);
	mc_json_kv_double(&j, "longest_stall_s", (double)s->stall_max_ns / 1e9);
	mc_json_kv_u64(&j, "connects_seen_late", s->connects_late);
	mc_json_kv_u64(&j, "msgs_skipped", s->msgs_skipped);
	mc_json_obj_close(&j);
	mc_json_key(&j, "traffic");
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "bytes_out", s->bytes_out);
	mc_json_kv_u64(&j, "bytes_in", s->bytes_in);
	mc_json_kv_u64(&j, "msgs_sent", s->msgs_sent);
	mc_json_kv_u64(&j, "msgs_skipped", s->msgs_skipped);
	mc_json_kv_u64(&j, "msgs_returned", s->msgs_returned);
	mc_json_kv_u64(&j, "echo_mismatch", s->echo_mismatch);
	mc_json_kv_u64(&j, "echo_lost_bytes", s->echo_lost_bytes);
	mc_json_obj_close(&j);
	mc_json_kv_u64(&j, "ports_per_pair", ports);
	mc_json_kv_u64(&j, "port_ceiling", ceiling);
	mc_json_key(&j, "ports");
	mc_json_obj_open(&j);
	mc_json_kv_str(&j, "select", s->port_select == MC_PORT_SELECT_KERNEL ? "kernel" : "maxconn");
	mc_json_kv_u64(&j, "lo", s->port_lo);
	mc_json_kv_u64(&j, "hi", s->port_hi);
	mc_json_kv_u64(&j, "per_pair", s->ports_per_pair);
	mc_json_kv_u64(&j, "reserved", s->ports_reserved);
	mc_json_kv_u64(&j, "skipped_bound", s->ports_skipped_bound);
	mc_json_kv_u64(&j, "skipped_tuple", s->ports_skipped_tuple);
	mc_json_obj_close(&j);
	mc_json_kv_u64(&j, "workers", s->workers);
	mc_json_kv_bool(&j, "private_fd_tables", s->private_fd_tables);
	mc_json_kv_u64(&j, "rss_bytes", s->rss);
	mc_json_kv_double(&j, "user_bytes_per_conn", mc_client_user_bytes_per_conn(s));
	mc_json_kv_i64(&j, "exit_code", exit_code);
	mc_cli_metrics_json(&j, t->metrics);
	mc_json_obj_close(&j);
}

static void print_hist(const char *what, const struct mc_hist *h)
{
	char a[16], b[16], c[16], d[16], e[16];

	if (!h->count)
		return;
	printf("  %s: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%llu samples)\n", what,
	       mc_fmt_duration(mc_hist_quantile(h, .5), a, sizeof(a)),
	       mc_fmt_duration(mc_hist_quantile(h, .9), b, sizeof(b)),
	       mc_fmt_duration(mc_hist_quantile(h, .99), c, sizeof(c)),
	       mc_fmt_duration(mc_hist_quantile(h, .999), d, sizeof(d)),
	       mc_fmt_duration(h->max, e, sizeof(e)), (unsigned long long)h->count);
}

static void print_text(const struct mc_client_config *cfg, const struct mc_client_stats *s,
		       const struct tick_ctx *t, uint64_t total)
{
	char a[32], b[32], c[32];

	if (t->shard[0])
		printf("maxconn client: shard %s: its %s of the %s connections of all shards\n",
		       t->shard, mc_fmt_count(s->requested, a, sizeof(a)),
		       mc_fmt_count(total, b, sizeof(b)));

	printf("maxconn client: %s of %s connections established in %.2fs (%.0f/s); "
	       "%s held at the end\n",
	       mc_fmt_count(s->established, a, sizeof(a)), mc_fmt_count(s->requested, b, sizeof(b)),
	       (double)(s->ramp_ns ? s->ramp_ns : s->elapsed_ns) / 1e9, connect_rate(s),
	       mc_fmt_count(s->open, c, sizeof(c)));
	if (s->attempted < s->requested)
		printf("  stopped before all were tried: %llu of %llu attempted\n",
		       (unsigned long long)s->attempted, (unsigned long long)s->requested);
	if (s->inflight)
		printf("  in flight when it stopped: %llu connects started and not yet completed "
		       "(attempted %llu = established %llu + failed %llu + in flight %llu)\n",
		       (unsigned long long)s->inflight, (unsigned long long)s->attempted,
		       (unsigned long long)s->established,
		       (unsigned long long)mc_cause_sum(s->fail), (unsigned long long)s->inflight);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (s->fail[k]) {
			const char *lim = mc_cause_limit((enum mc_cause)k);
			printf("  failed: %llu x %s%s%s: %s\n", (unsigned long long)s->fail[k],
			       mc_cause_key((enum mc_cause)k), lim ? ", limit " : "", lim ? lim : "",
			       mc_cause_advice((enum mc_cause)k));
		}
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (s->lost[k])
			printf("  lost after connecting: %llu x %s: %s\n",
			       (unsigned long long)s->lost[k], mc_cause_key((enum mc_cause)k),
			       k == MC_CAUSE_OTHER && s->echo_mismatch
				       ? "a wrong byte came back (echo verification)"
				       : mc_cause_advice((enum mc_cause)k));
	for (unsigned i = 0; i < s->nsaid && i < MC_CLIENT_SAID_MAX; i++) {
		char text[400];
		mc_client_said_text(&s->said[i], text, sizeof(text));
		printf("  the server said, then ended: %llu x %s: %s\n",
		       (unsigned long long)s->said[i].conns,
		       mc_cause_key((enum mc_cause)s->said[i].cause), text);
	}
	if (s->first_error[0])
		printf("  first error: %s\n", s->first_error);
	print_hist("connect latency (the kernel's)", &s->connect_lat);
	print_hist("queued in the client (behind the --rate schedule)", &s->connect_queue);
	print_hist("round trip (from when each message was due)", &s->rtt);
	if (s->stalls || s->connects_late)
		printf("  the client fell behind: its workers were away from their sockets for "
		       "over 100 ms %llu times, the longest %.2fs; %llu connects the kernel had "
		       "completed meanwhile were counted established (timed by the kernel), not "
		       "timed out\n",
		       (unsigned long long)s->stalls, (double)s->stall_max_ns / 1e9,
		       (unsigned long long)s->connects_late);
	if (s->port_select == MC_PORT_SELECT_KERNEL)
		printf("  local ports: chosen by the kernel in connect() from %llu-%llu "
		       "(--port-select kernel)\n",
		       (unsigned long long)s->port_lo, (unsigned long long)s->port_hi);
	else
		printf("  local ports: chosen by maxconn, %llu per pair from %llu-%llu (%llu reserved "
		       "left out); skipped %llu bound by another program, %llu with their 4-tuple "
		       "taken (another connection, a TIME_WAIT without timestamps)\n",
		       (unsigned long long)s->ports_per_pair, (unsigned long long)s->port_lo,
		       (unsigned long long)s->port_hi, (unsigned long long)s->ports_reserved,
		       (unsigned long long)s->ports_skipped_bound,
		       (unsigned long long)s->ports_skipped_tuple);
	if (cfg->echo_bytes || cfg->send_len)
		printf("  traffic: %llu messages sent, %llu skipped (due while the one before was "
		       "still being written), %llu came back; %llu B out, %llu B in; "
		       "echo: %llu mismatches, %llu bytes lost\n",
		       (unsigned long long)s->msgs_sent, (unsigned long long)s->msgs_skipped,
		       (unsigned long long)s->msgs_returned,
		       (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
		       (unsigned long long)s->echo_mismatch,
		       (unsigned long long)s->echo_lost_bytes);
	printf("  workers: %u, %s; user memory %.1f bytes per held connection (rss %s)\n",
	       s->workers, s->private_fd_tables ? "each with its own fd table" : "one fd table",
	       mc_client_user_bytes_per_conn(s), mc_fmt_bytes(s->rss, a, sizeof(a)));
}

static int exit_code(const struct mc_client_config *cfg, const struct mc_client_stats *s)
{
	enum mc_cause cause;

	if (binding_limit(s, &cause))
		return MC_EXIT_LIMIT;
	if (mc_cause_sum(s->fail) || mc_cause_sum(s->lost) || s->echo_mismatch ||
	    (cfg->echo_bytes && s->echo_lost_bytes) || s->msgs_skipped)
		return MC_EXIT_RUNTIME;
	if (s->stop_signal && (!s->ramp_done || s->attempted < s->requested))
		return MC_EXIT_INTERRUPTED;
	return MC_EXIT_OK;
}

/* Shard sh of the run: its share of the connections, and its slice of
 * the sources and destinations as lists of their own (into cut_src,
 * cut_dst), which cfg then points at. 0, or prints the usage error. */
static int apply_shard(struct mc_client_config *cfg, const struct mc_shard *sh,
		       struct mc_addr_range *cut_src, struct mc_endpoint_range *cut_dst)
{
	struct mc_shard_slice sl;
	struct mc_err err;
	uint64_t nsrc = 0;

	for (size_t i = 0; i < cfg->nsrc; i++)
		nsrc += cfg->src[i].count;
	if (mc_shard_slice(sh, cfg->conns, nsrc, mc_client_ndst(cfg), &sl, &err) < 0)
		return mc_cli_usage_error("client", "%s", err.msg);
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

int mc_cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{"connect", required_argument, NULL, 'c'},
		{"source", required_argument, NULL, 's'},
		{"conns", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'},
		{"inflight", required_argument, NULL, 'I'},
		{"connect-timeout", required_argument, NULL, 'T'},
		{"hold", required_argument, NULL, 'H'},
		{"workers", required_argument, NULL, 'w'},
		{"ramp-workers", required_argument, NULL, 'W'},
		{"send", required_argument, NULL, 'S'},
		{"every", required_argument, NULL, 'E'},
		{"echo-verify", required_argument, NULL, 'V'},
		{"port-select", required_argument, NULL, 'P'},
		{"port-range", required_argument, NULL, 'R'},
		{"shard", required_argument, NULL, 'K'},
		{"shards", required_argument, NULL, 'J'},
		{"metrics", required_argument, NULL, MC_CLI_OPT_METRICS},
		{"force", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct mc_endpoint_range dst[MAX_ARGS], cut_dst[MAX_ARGS];
	static struct mc_addr_range src[MAX_ARGS], cut_src[MAX_ARGS];
	struct mc_shard shard = {1, 1};
	uint64_t shards_env = 0, total;
	struct mc_client_config cfg = {.dst = dst, .src = src, .conns = 1000, .hold_forever = true};
	struct mc_client_stats *st;
	struct tick_ctx tc = {.tty = isatty(STDERR_FILENO)};
	struct mc_err err;
	struct mc_cli_common com = {0};
	bool force = false, sharded = false;
	uint64_t v, ports, ceiling;
	char range_words[96];
	int c, rc, code;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:s:n:r:H:w:fjqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cfg.ndst >= MAX_ARGS)
				return mc_cli_usage_error("client", "too many --connect");
			if (mc_parse_endpoint(optarg, false, &dst[cfg.ndst], &err) < 0)
				return mc_cli_usage_error("client", "--connect: %s", err.msg);
			cfg.ndst++;
			break;
		case 's':
			if (cfg.nsrc >= MAX_ARGS)
				return mc_cli_usage_error("client", "too many --source");
			if (mc_parse_addr_range(optarg, &src[cfg.nsrc], &err) < 0)
				return mc_cli_usage_error("client", "--source: %s", err.msg);
			cfg.nsrc++;
			break;
		case 'n':
			if (mc_parse_count(optarg, &cfg.conns, &err) < 0)
				return mc_cli_usage_error("client", "--conns: %s", err.msg);
			if (cfg.conns < 1 || cfg.conns > UINT32_MAX)
				return mc_cli_usage_error("client", "--conns '%s': use 1 to 4G",
							  optarg);
			break;
		case 'r':
			if (mc_parse_count(optarg, &v, &err) < 0 || v == 0)
				return mc_cli_usage_error("client", "--rate '%s': use connects per "
								    "second, 1 or more (10k)",
							  optarg);
			cfg.rate = (double)v;
			break;
		case 'I':
			if (mc_parse_count(optarg, &cfg.inflight, &err) < 0 || !cfg.inflight)
				return mc_cli_usage_error("client", "--inflight '%s': use 1 or more",
							  optarg);
			break;
		case 'T':
			if (mc_parse_duration(optarg, &cfg.connect_timeout_ns, &err) < 0)
				return mc_cli_usage_error("client", "--connect-timeout: %s", err.msg);
			if (!cfg.connect_timeout_ns)
				return mc_cli_usage_error("client",
							  "--connect-timeout '%s': use more than 0 (10s)",
							  optarg);
			break;
		case 'H':
			if (mc_parse_duration(optarg, &cfg.hold_ns, &err) < 0)
				return mc_cli_usage_error("client", "--hold: %s", err.msg);
			cfg.hold_forever = false;
			break;
		case 'w':
			if (mc_cli_parse_workers("client", optarg, &cfg.workers))
				return MC_EXIT_USAGE;
			break;
		case 'W':
			if (mc_parse_count(optarg, &v, &err) < 0 || v < 1 || v > 4096)
				return mc_cli_usage_error("client", "--ramp-workers '%s': use 1 to 4096",
							  optarg);
			cfg.ramp_workers = (unsigned)v;
			break;
		case 'S':
			cfg.send = optarg;
			cfg.send_len = strlen(optarg);
			if (!cfg.send_len)
				return mc_cli_usage_error("client", "--send: the payload is empty");
			break;
		case 'E':
			if (mc_parse_duration(optarg, &cfg.every_ns, &err) < 0 ||
			    cfg.every_ns < MC_NS_PER_MS)
				return mc_cli_usage_error("client", "--every '%s': use 1ms or more",
							  optarg);
			break;
		case 'V':
			if (mc_parse_size(optarg, &cfg.echo_bytes, &err) < 0 || !cfg.echo_bytes ||
			    cfg.echo_bytes > (1u << 30))
				return mc_cli_usage_error("client",
							  "--echo-verify '%s': use 1 to 1G bytes",
							  optarg);
			break;
		case 'P':
			if (strcmp(optarg, "maxconn") == 0)
				cfg.port_select = MC_PORT_SELECT_MAXCONN;
			else if (strcmp(optarg, "kernel") == 0)
				cfg.port_select = MC_PORT_SELECT_KERNEL;
			else
				return mc_cli_usage_error("client",
							  "--port-select '%s': use maxconn or kernel",
							  optarg);
			break;
		case 'R':
			if (mc_parse_port_range(optarg, &cfg.port_lo, &cfg.port_hi, &err) < 0)
				return mc_cli_usage_error("client", "--port-range: %s", err.msg);
			break;
		case 'K':
			if (sharded)
				return mc_cli_usage_error("client", "--shard and --shards: give one");
			if (mc_shard_parse(optarg, &shard, &err) < 0)
				return mc_cli_usage_error("client", "%s", err.msg);
			sharded = true;
			break;
		case 'J':
			if (sharded)
				return mc_cli_usage_error("client", "--shard and --shards: give one");
			if (mc_parse_count(optarg, &shards_env, &err) < 0 || !shards_env ||
			    shards_env > MC_SHARD_MAX)
				return mc_cli_usage_error("client", "--shards '%s': use 1 to %d", optarg,
							  MC_SHARD_MAX);
			if (mc_shard_from_index(getenv("JOB_COMPLETION_INDEX"), shards_env, &shard,
						&err) < 0)
				return mc_cli_usage_error("client", "%s", err.msg);
			sharded = true;
			break;
		case 'f':
			force = true;
			break;
		default:
			if ((rc = mc_cli_common_opt("client", c, argv, opts, help, &com)) != MC_CLI_GO_ON)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return mc_cli_extra_arg("client", argv);
	if (!cfg.ndst)
		return mc_cli_usage_error("client", "say where to connect: --connect 127.0.0.1:9000");
	if (cfg.send && cfg.echo_bytes)
		return mc_cli_usage_error("client", "--send and --echo-verify: choose one");
	if (cfg.send && !cfg.every_ns)
		return mc_cli_usage_error("client", "--send needs --every (e.g. --every 1s)");
	if (cfg.port_lo && cfg.port_select == MC_PORT_SELECT_KERNEL)
		return mc_cli_usage_error("client",
					  "--port-range with --port-select kernel: the kernel takes "
					  "its ports from net.ipv4.ip_local_port_range; drop one");
	total = cfg.conns;
	if (sharded) {
		mc_shard_str(&shard, tc.shard, sizeof(tc.shard));
		if (apply_shard(&cfg, &shard, cut_src, cut_dst))
			return MC_EXIT_USAGE;
	}

	/* every source must be of each destination's family, and on this host */
	for (size_t i = 0; i < cfg.nsrc; i++) {
		const struct mc_addr_range *sr = &cfg.src[i];
		char sa[MC_ADDR_STRLEN];
		for (size_t k = 0; k < cfg.ndst; k++)
			if (sr->first.family != cfg.dst[k].addr.family)
				return mc_cli_usage_error(
					"client",
					"--source %s and --connect %s: one is IPv4, the other IPv6; "
					"run one client per family",
					mc_addr_str(&sr->first, sa, sizeof(sa)),
					mc_addr_port_str(&cfg.dst[k].addr, cfg.dst[k].port_lo,
							 (char[MC_ADDR_STRLEN]){0}, MC_ADDR_STRLEN));
		for (uint64_t pick = 0; pick < 2; pick++) {
			struct mc_addr a;
			mc_addr_nth(sr, pick ? sr->count - 1 : 0, &a);
			if (mc_sock_check_source(&a) == -EADDRNOTAVAIL) {
				fprintf(stderr,
					"maxconn client: --source %s%s%s%s is not an address of this "
					"host; add it (ip addr add %s dev lo) or use loopback sources "
					"(127.0.0.2-127.0.0.50 need no setup)\n",
					mc_addr_str(&a, sa, sizeof(sa)),
					sharded ? " (in shard " : "", tc.shard,
					sharded ? "'s slice of the sources)" : "", sa);
				return MC_EXIT_USAGE;
			}
		}
	}

	{
		uint16_t lo, hi;
		uint64_t reserved;
		mc_client_local_ports(&cfg, &lo, &hi, &ports, &reserved);
		snprintf(range_words, sizeof(range_words), "%u-%u%s, %llu reserved", lo, hi,
			 cfg.port_lo ? " of --port-range" : " of net.ipv4.ip_local_port_range",
			 (unsigned long long)reserved);
	}
	ceiling = mc_client_port_ceiling(&cfg, ports);
	if (cfg.conns > ceiling) {
		uint64_t ndst = mc_client_ndst(&cfg), nsrc = mc_client_nsrc(&cfg);
		uint64_t per = ports ? ports : 1;
		uint64_t need_src = (cfg.conns + ndst * per - 1) / (ndst * per);
		fprintf(stderr,
			"maxconn client: --conns %llu is more than the ports allow: %llu source "
			"address%s x %llu destination%s x %llu local ports per pair "
			"(%s) = %llu connections.\n"
			"  Use %llu source addresses (--source 127.0.0.2-127.0.0.%llu on loopback), "
			"or %llu destination ports, or widen the port range (%s).\n",
			(unsigned long long)cfg.conns, (unsigned long long)nsrc, nsrc == 1 ? "" : "es",
			(unsigned long long)ndst, ndst == 1 ? "" : "s", (unsigned long long)ports,
			range_words, (unsigned long long)ceiling, (unsigned long long)need_src,
			(unsigned long long)(need_src + 1 < 255 ? need_src + 1 : 254),
			(unsigned long long)((cfg.conns + nsrc * per - 1) / (nsrc * per)),
			cfg.port_select == MC_PORT_SELECT_KERNEL
				? "sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\""
				: "--port-range 1024-65535");
		if (!force) {
			fprintf(stderr, "  Or pass --force to run into the limit and see it.\n");
			return MC_EXIT_LIMIT;
		}
		fprintf(stderr, "  --force: going on; expect %llu x EADDRNOTAVAIL.\n",
			(unsigned long long)(cfg.conns - ceiling));
	}

	/* --port-select kernel: connect() searches the port range for a port
	 * free for this 4-tuple: past about half full each search gets long and
	 * the connect rate falls by an order of magnitude (measured on loopback:
	 * 81k/s at 7% full, 4.8k/s at 70%). Say so, with the number of sources
	 * that keeps every pair under a quarter full. */
	if (cfg.port_select == MC_PORT_SELECT_KERNEL && cfg.conns <= ceiling &&
	    cfg.conns > ceiling / 2) {
		uint64_t pairs = mc_client_pairs(&cfg), ndst = mc_client_ndst(&cfg);
		uint64_t per = (cfg.conns + pairs - 1) / pairs;
		uint64_t want = (4 * cfg.conns + ndst * ports - 1) / (ndst * ports);
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

	tc.quiet = com.quiet;
	if (com.metrics && (rc = mc_cli_metrics_start("client", &com.metrics_at, sizeof(*st), render,
						      &tc, com.quiet, &tc.metrics)))
		return rc;
	cfg.live_hists = com.metrics;
	if (!com.quiet || com.metrics) {
		cfg.tick = tick;
		cfg.tick_arg = &tc;
	}
	st = malloc(sizeof(*st));
	if (!st) {
		fprintf(stderr, "maxconn client: out of memory\n");
		mc_metrics_stop(tc.metrics);
		return MC_EXIT_RUNTIME;
	}
	rc = mc_client_run(&cfg, st, &err);
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
	code = exit_code(&cfg, st);
	if (com.json)
		print_json(st, ports, ceiling, code, &tc, total);
	else
		print_text(&cfg, st, &tc, total);
	mc_metrics_stop(tc.metrics);
	free(st);
	return code;
}
