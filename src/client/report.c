/* report.c: the summary of a client run, as text and as the members of
 * --json's object: connections by outcome, failures and losses by cause
 * with the limit behind them, what the server said, latencies, stalls,
 * local ports, traffic and memory. */
#include "client/report.h"

#include <stdio.h>

#include "client/client_metrics.h"
#include "common/fmt.h"
#include "common/hist.h"
#include "common/json.h"
#include "net/cause.h"

/* The limit a cause's failures name in this run. */
static const char *cause_limit(const struct mc_client_summary *sum, int k)
{
	if (k == MC_CAUSE_TIMEDOUT && sum->timeouts_judged)
		return sum->timeout_limit;
	return mc_cause_limit((enum mc_cause)k);
}

const char *mc_client_limit(const struct mc_client_summary *sum)
{
	const struct mc_client_stats *s = sum->stats;
	uint64_t best = 0;
	const char *lim = NULL;

	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (cause_limit(sum, k) && s->fail[k] > best) {
			best = s->fail[k];
			lim = cause_limit(sum, k);
		}
	return lim;
}

/* Connections established per second over the ramp (the whole run when
 * the ramp did not end). */
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

/* --proto http: "http": {"proto", "responses", "failed": {kind: n}} (the
 * failed include connections never held, in fail[], and held ones lost,
 * in lost[]); with tcp, only "proto". */
static void json_http(struct mc_json *j, const struct mc_client_stats *s)
{
	mc_json_key(j, "http");
	mc_json_obj_open(j);
	mc_json_kv_str(j, "proto", mc_http_proto_name(s->proto));
	mc_json_kv_u64(j, "responses", s->http_responses);
	mc_json_key(j, "failed");
	mc_json_obj_open(j);
	for (int k = 0; k < MC_HTTP_FAIL_COUNT; k++)
		mc_json_kv_u64(j, mc_http_fail_key((enum mc_http_fail)k), s->http_fail[k]);
	mc_json_obj_close(j);
	mc_json_obj_close(j);
}

/* --proto http: what held means, the answers read, the failures by
 * protocol cause. */
static void print_http(FILE *f, const struct mc_client_stats *s)
{
	if (s->proto != MC_PROTO_HTTP)
		return;
	fprintf(f,
		"  http: held = a 2xx/3xx answer to the first request read whole; %llu answers "
		"read whole (2xx/3xx, first requests and heartbeats)\n",
		(unsigned long long)s->http_responses);
	for (int k = 0; k < MC_HTTP_FAIL_COUNT; k++)
		if (s->http_fail[k])
			fprintf(f, "  http failed: %llu x %s\n", (unsigned long long)s->http_fail[k],
				mc_http_fail_key((enum mc_http_fail)k));
}

void mc_client_json(struct mc_json *j, const struct mc_client_summary *sum)
{
	const struct mc_client_stats *s = sum->stats;
	const char *lim = mc_client_limit(sum);

	mc_json_kv_str(j, "command", "client");
	if (sum->shard[0]) {
		mc_json_kv_str(j, "shard", sum->shard);
		mc_json_kv_u64(j, "shards_total_conns", sum->total);
	}
	mc_json_kv_u64(j, "requested", s->requested);
	mc_json_kv_u64(j, "attempted", s->attempted);
	mc_json_kv_u64(j, "established", s->established);
	mc_json_kv_u64(j, "in_flight", s->inflight);
	mc_json_kv_u64(j, "held", s->open);
	mc_json_kv_u64(j, "held_peak", s->open_peak);
	mc_json_kv_u64(j, "failed", mc_cause_sum(s->fail));
	json_causes(j, "failures", s->fail);
	json_causes(j, "lost", s->lost);
	if (lim)
		mc_json_kv_str(j, "limit", lim);
	else
		mc_json_kv_null(j, "limit");
	mc_json_kv_str(j, "first_error", s->first_error[0] ? s->first_error : NULL);
	mc_json_kv_str(j, "timeouts_why",
		       sum->timeouts_judged && s->fail[MC_CAUSE_TIMEDOUT] ? sum->timeout_why : NULL);
	/* what the server sent first on connections it then ended (a few
	 * distinct messages, each with its cause and how many carried it) */
	mc_json_key(j, "server_said");
	mc_json_arr_open(j);
	for (unsigned i = 0; i < s->nsaid && i < MC_CLIENT_SAID_MAX; i++) {
		char text[400];
		mc_client_said_text(&s->said[i], text, sizeof(text));
		mc_json_obj_open(j);
		mc_json_kv_str(j, "text", text);
		mc_json_kv_str(j, "cause", mc_cause_key((enum mc_cause)s->said[i].cause));
		mc_json_kv_u64(j, "conns", s->said[i].conns);
		mc_json_obj_close(j);
	}
	mc_json_arr_close(j);
	json_http(j, s);
	mc_json_kv_bool(j, "interrupted", s->stop_signal != 0);
	mc_json_kv_double(j, "duration_s", (double)s->elapsed_ns / 1e9);
	mc_json_kv_double(j, "ramp_s", (double)s->ramp_ns / 1e9);
	mc_json_kv_double(j, "connect_rate", connect_rate(s));
	json_hist(j, "connect_latency_us", &s->connect_lat);
	json_hist(j, "connect_queued_us", &s->connect_queue);
	json_hist(j, "rtt_us", &s->rtt);
	mc_json_key(j, "behind");
	mc_json_obj_open(j);
	mc_json_kv_u64(j, "stalls", s->stalls);
	mc_json_kv_double(j, "longest_stall_s", (double)s->stall_max_ns / 1e9);
	mc_json_kv_u64(j, "connects_seen_late", s->connects_late);
	mc_json_kv_u64(j, "msgs_skipped", s->msgs_skipped);
	mc_json_obj_close(j);
	mc_json_key(j, "traffic");
	mc_json_obj_open(j);
	mc_json_kv_u64(j, "bytes_out", s->bytes_out);
	mc_json_kv_u64(j, "bytes_in", s->bytes_in);
	mc_json_kv_u64(j, "msgs_sent", s->msgs_sent);
	mc_json_kv_u64(j, "msgs_skipped", s->msgs_skipped);
	mc_json_kv_u64(j, "msgs_returned", s->msgs_returned);
	mc_json_kv_u64(j, "echo_mismatch", s->echo_mismatch);
	mc_json_kv_u64(j, "echo_lost_bytes", s->echo_lost_bytes);
	mc_json_obj_close(j);
	mc_json_kv_u64(j, "ports_per_pair", sum->ports);
	mc_json_kv_u64(j, "port_ceiling", sum->ceiling);
	mc_json_key(j, "ports");
	mc_json_obj_open(j);
	mc_json_kv_str(j, "select", s->port_select == MC_PORT_SELECT_KERNEL ? "kernel" : "maxconn");
	mc_json_kv_u64(j, "lo", s->port_lo);
	mc_json_kv_u64(j, "hi", s->port_hi);
	mc_json_kv_u64(j, "per_pair", s->ports_per_pair);
	mc_json_kv_u64(j, "reserved", s->ports_reserved);
	mc_json_kv_u64(j, "skipped_bound", s->ports_skipped_bound);
	mc_json_kv_u64(j, "skipped_tuple", s->ports_skipped_tuple);
	mc_json_obj_close(j);
	mc_json_kv_u64(j, "workers", s->workers);
	mc_json_kv_bool(j, "private_fd_tables", s->private_fd_tables);
	mc_json_kv_u64(j, "rss_bytes", s->rss);
	mc_json_kv_double(j, "user_bytes_per_conn", mc_client_user_bytes_per_conn(s));
	mc_json_kv_i64(j, "exit_code", sum->exit_code);
}

static void print_hist(FILE *f, const char *what, const struct mc_hist *h)
{
	char a[16], b[16], c[16], d[16], e[16];

	if (!h->count)
		return;
	fprintf(f, "  %s: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%llu samples)\n", what,
		mc_fmt_duration(mc_hist_quantile(h, .5), a, sizeof(a)),
		mc_fmt_duration(mc_hist_quantile(h, .9), b, sizeof(b)),
		mc_fmt_duration(mc_hist_quantile(h, .99), c, sizeof(c)),
		mc_fmt_duration(mc_hist_quantile(h, .999), d, sizeof(d)),
		mc_fmt_duration(h->max, e, sizeof(e)), (unsigned long long)h->count);
}

void mc_client_print(FILE *f, const struct mc_client_summary *sum)
{
	const struct mc_client_stats *s = sum->stats;
	char a[32], b[32], c[32];

	if (sum->shard[0])
		fprintf(f, "maxconn client: shard %s: its %s of the %s connections of all shards\n",
			sum->shard, mc_fmt_count(s->requested, a, sizeof(a)),
			mc_fmt_count(sum->total, b, sizeof(b)));

	fprintf(f,
		"maxconn client: %s of %s connections established in %.2fs (%.0f/s); "
		"%s held at the end\n",
		mc_fmt_count(s->established, a, sizeof(a)),
		mc_fmt_count(s->requested, b, sizeof(b)),
		(double)(s->ramp_ns ? s->ramp_ns : s->elapsed_ns) / 1e9, connect_rate(s),
		mc_fmt_count(s->open, c, sizeof(c)));
	if (s->attempted < s->requested)
		fprintf(f, "  stopped before all were tried: %llu of %llu attempted\n",
			(unsigned long long)s->attempted, (unsigned long long)s->requested);
	if (s->inflight)
		fprintf(f,
			"  in flight when it stopped: %llu connects started and not yet completed "
			"(attempted %llu = established %llu + failed %llu + in flight %llu)\n",
			(unsigned long long)s->inflight, (unsigned long long)s->attempted,
			(unsigned long long)s->established,
			(unsigned long long)mc_cause_sum(s->fail), (unsigned long long)s->inflight);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (s->fail[k]) {
			const char *lim = cause_limit(sum, k);
			fprintf(f, "  failed: %llu x %s%s%s: %s\n", (unsigned long long)s->fail[k],
				mc_cause_key((enum mc_cause)k), lim ? ", limit " : "",
				lim ? lim : "",
				k == MC_CAUSE_TIMEDOUT && sum->timeouts_judged
				    ? sum->timeout_why
				    : mc_cause_advice((enum mc_cause)k));
		}
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (s->lost[k])
			fprintf(f, "  lost after connecting: %llu x %s: %s\n",
				(unsigned long long)s->lost[k], mc_cause_key((enum mc_cause)k),
				k == MC_CAUSE_OTHER && s->echo_mismatch
				    ? "a wrong byte came back (echo verification)"
				    : mc_cause_advice((enum mc_cause)k));
	for (unsigned i = 0; i < s->nsaid && i < MC_CLIENT_SAID_MAX; i++) {
		char text[400];
		mc_client_said_text(&s->said[i], text, sizeof(text));
		fprintf(f, "  the server said, then ended: %llu x %s: %s\n",
			(unsigned long long)s->said[i].conns,
			mc_cause_key((enum mc_cause)s->said[i].cause), text);
	}
	print_http(f, s);
	if (s->first_error[0])
		fprintf(f, "  first error: %s\n", s->first_error);
	print_hist(f, "connect latency (the kernel's)", &s->connect_lat);
	print_hist(f, "queued in the client (behind the --rate schedule)", &s->connect_queue);
	print_hist(f, "round trip (from when each message was due)", &s->rtt);
	if (s->stalls || s->connects_late)
		fprintf(f,
			"  the client fell behind: its workers were away from their sockets for "
			"over 100 ms %llu times, the longest %.2fs; %llu connects the kernel had "
			"completed meanwhile were counted established (timed by the kernel), not "
			"timed out\n",
			(unsigned long long)s->stalls, (double)s->stall_max_ns / 1e9,
			(unsigned long long)s->connects_late);
	if (s->port_select == MC_PORT_SELECT_KERNEL)
		fprintf(f,
			"  local ports: chosen by the kernel in connect() from %llu-%llu "
			"(--port-select kernel)\n",
			(unsigned long long)s->port_lo, (unsigned long long)s->port_hi);
	else
		fprintf(
		    f,
		    "  local ports: chosen by maxconn, %llu per pair from %llu-%llu (%llu reserved "
		    "left out); skipped %llu bound by another program, %llu with their 4-tuple "
		    "taken (another connection, a TIME_WAIT without timestamps)\n",
		    (unsigned long long)s->ports_per_pair, (unsigned long long)s->port_lo,
		    (unsigned long long)s->port_hi, (unsigned long long)s->ports_reserved,
		    (unsigned long long)s->ports_skipped_bound,
		    (unsigned long long)s->ports_skipped_tuple);
	if (sum->traffic)
		fprintf(f,
			"  traffic: %llu messages sent, %llu skipped (due while the one before was "
			"still being written), %llu came back; %llu B out, %llu B in; "
			"echo: %llu mismatches, %llu bytes lost\n",
			(unsigned long long)s->msgs_sent, (unsigned long long)s->msgs_skipped,
			(unsigned long long)s->msgs_returned, (unsigned long long)s->bytes_out,
			(unsigned long long)s->bytes_in, (unsigned long long)s->echo_mismatch,
			(unsigned long long)s->echo_lost_bytes);
	fprintf(f, "  workers: %u, %s; user memory %.1f bytes per held connection (rss %s)\n",
		s->workers, s->private_fd_tables ? "each with its own fd table" : "one fd table",
		mc_client_user_bytes_per_conn(s), mc_fmt_bytes(s->rss, a, sizeof(a)));
}
