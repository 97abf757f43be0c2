/* cmd_server.c: `maxconn server`: flags -> struct mc_server_config, run,
 * live stats on a terminal, summary (text or --json), exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/json.h"
#include "common/addr.h"
#include "common/fmt.h"
#include "common/parse.h"
#include "net/cause.h"
#include "server/server_metrics.h"
#include "server/server.h"

#define MAX_LISTEN_ARGS 256

static const char help[] =
	"Usage: maxconn server [OPTIONS]\n"
	"\n"
	"Hold as many TCP connections as this host allows, with almost no user memory\n"
	"per connection. Workers are threads with their own epoll; when the target\n"
	"needs more file descriptors than RLIMIT_NOFILE (ulimit -n) allows in one\n"
	"table, each worker takes a private fd table (unshare(CLONE_FILES)), so one\n"
	"process holds many times `ulimit -n` sockets.\n"
	"\n"
	"Options:\n"
	"  -l, --listen ADDR:PORT[-PORT]  listen here; repeatable; a range opens one\n"
	"                          listener per port; IPv6 as [::1]:9000; port 0\n"
	"                          lets the kernel choose (see --ready-file)\n"
	"                          (default 127.0.0.1:9000)\n"
	"  -n, --max-conns N|max   hold at most N connections and refuse the rest\n"
	"                          (accept and close at once, counted); default max:\n"
	"                          as many as the host allows\n"
	"  -w, --workers N|auto    worker threads; auto starts one per CPU and adds\n"
	"                          one whenever the accepting ones are filling up\n"
	"                          (default auto)\n"
	"  -m, --mode hold|echo    hold: read and discard; echo: write back every byte,\n"
	"                          also after the peer's half-close (shutdown); bytes a\n"
	"                          reset or the stop left unechoed are counted\n"
	"                          (default hold)\n"
	"  -M, --model epoll|threads|uring  epoll: worker threads with epoll\n"
	"                          (scales); threads: one blocking thread per\n"
	"                          connection, the traditional model, to measure what\n"
	"                          it costs and where it stops; uring: worker threads\n"
	"                          with an io_uring each (multishot accept into\n"
	"                          registered files, receives from shared provided\n"
	"                          buffers, no syscall per event); a ring\n"
	"                          holds up to RLIMIT_NOFILE sockets, so it adds a\n"
	"                          worker per ring it needs. Fails (exit 3) when\n"
	"                          io_uring is disabled (kernel.io_uring_disabled,\n"
	"                          seccomp) (default epoll)\n"
	"      --thread-stack SIZE stack per connection thread with --model threads\n"
	"                          (default: the system's, ulimit -s)\n"
	"  -b, --backlog N         listen backlog (default net.core.somaxconn; the\n"
	"                          kernel caps it at somaxconn)\n"
	"      --accept-rate R     accept at most R connections per second; 0 never\n"
	"                          accepts, so the accept queue fills (for tests)\n"
	"  -d, --duration D        stop after D (30s, 5m); default: until Ctrl-C\n"
	"      --ready-file PATH   write the listening addresses here, one a line,\n"
	"                          once every listener is up (a path that cannot be\n"
	"                          written fails the run before anything listens)\n"
	"      --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	"                          (:9464 for every address): connections held,\n"
	"                          accepted, refused and closed by cause, bytes, user\n"
	"                          memory per connection, the host's TCP sockets and\n"
	"                          memory; the figures of the live line, once a second\n"
	"      --json              print the summary as JSON on stdout\n"
	"  -q, --quiet             no live stats line\n"
	"  -h, --help              this help\n"
	"\n"
	"Live stats go to stderr once a second when it is a terminal. Ctrl-C or\n"
	"SIGTERM stops cleanly and prints the summary.\n"
	"\n"
	"Examples:\n"
	"  maxconn server --listen 127.0.0.1:9000-9009 --mode echo\n"
	"  maxconn server --listen [::1]:9000 --max-conns 100k --duration 60s --json\n"
	"  maxconn server --listen 0.0.0.0:9000-9003 --metrics :9464   # for Prometheus\n"
	"\n"
	"Exit codes: 0 ok; 1 runtime failure (could not listen); 2 usage error;\n"
	"            3 connections were refused because a host limit was reached\n"
	"            (fd table full, kernel memory).\n";

struct tick_ctx {
	bool tty, quiet;
	uint64_t last_accepted, last_ns;
	struct mc_metrics *metrics; /* --metrics: publish every tick */
};

static void tick(void *arg, const struct mc_server_stats *s)
{
	struct tick_ctx *t = arg;
	char held[32], peak[32], rss[32];
	double dt = (double)(s->elapsed_ns - t->last_ns) / 1e9;
	double rate = dt > 0 ? (double)(s->accepted - t->last_accepted) / dt : 0;
	struct mc_cause_count closed[MC_CAUSE_COUNT];

	t->last_accepted = s->accepted;
	t->last_ns = s->elapsed_ns;
	if (t->metrics)
		mc_metrics_publish(t->metrics, s);
	if (!t->tty || t->quiet)
		return;
	mc_cause_server_closed(s->closed, closed); /* peer, reset, other */
	fprintf(stderr,
		"\r\033[K%5.0fs  held %s (peak %s)  accepted %llu  +%.0f/s  closed peer %llu "
		"reset %llu other %llu  refused %llu  in %llu B  out %llu B  workers %u  rss %s",
		(double)s->elapsed_ns / 1e9, mc_fmt_count(s->held, held, sizeof(held)),
		mc_fmt_count(s->held_peak, peak, sizeof(peak)), (unsigned long long)s->accepted,
		rate, (unsigned long long)closed[0].n, (unsigned long long)closed[1].n,
		(unsigned long long)closed[2].n, (unsigned long long)mc_cause_sum(s->refused),
		(unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out, s->workers,
		mc_fmt_bytes(s->rss, rss, sizeof(rss)));
	fflush(stderr);
}

/* A scrape of --metrics (on the endpoint's thread): the published stats. */
static void render(void *arg, const void *snap, struct mc_prom *p)
{
	const struct mc_server_config *cfg = arg;

	mc_cli_metrics_common(p, "server", mc_model_name(cfg->model), NULL);
	mc_server_metrics(p, snap);
}

/* "key": {"fd_limit": n, ...}, the server's per-cause counts under its
 * keys (net/cause.c). */
static void json_counts(struct mc_json *j, const char *key, const struct mc_cause_count *v, int n)
{
	mc_json_key(j, key);
	mc_json_obj_open(j);
	for (int i = 0; i < n; i++)
		mc_json_kv_u64(j, v[i].key, v[i].n);
	mc_json_obj_close(j);
}

/* The limit id the server names for a refusal cause: for a thread, the
 * thread limit it named when the first one failed. */
static const char *limit_id(const struct mc_server_stats *s, enum mc_cause c)
{
	return c == MC_CAUSE_THREADS && s->thread_limit[0] ? s->thread_limit : mc_cause_limit(c);
}

static void print_json(const struct mc_server_config *cfg, const struct mc_server_stats *s,
		       struct mc_metrics *metrics)
{
	struct mc_cause_count groups[MC_CAUSE_COUNT];
	enum mc_cause limit = mc_cause_server_limit(s->refused);
	struct mc_json j;

	mc_json_init(&j, stdout);
	mc_json_obj_open(&j);
	mc_json_kv_str(&j, "command", "server");
	mc_json_kv_str(&j, "mode", cfg->mode == MC_SERVER_ECHO ? "echo" : "hold");
	mc_json_kv_str(&j, "model", mc_model_name(cfg->model));
	mc_json_kv_u64(&j, "accepted", s->accepted);
	mc_json_kv_u64(&j, "held", s->held);
	mc_json_kv_u64(&j, "held_peak", s->held_peak);
	json_counts(&j, "refused", groups, mc_cause_server_refused(s->refused, groups));
	json_counts(&j, "closed", groups, mc_cause_server_closed(s->closed, groups));
	mc_json_kv_u64(&j, "bytes_in", s->bytes_in);
	mc_json_kv_u64(&j, "bytes_out", s->bytes_out);
	mc_json_kv_u64(&j, "bytes_not_echoed", s->bytes_not_echoed);
	mc_json_kv_u64(&j, "workers", s->workers);
	mc_json_kv_bool(&j, "private_fd_tables", s->private_fd_tables);
	mc_json_kv_u64(&j, "per_table_cap", s->per_table_cap);
	mc_json_kv_double(&j, "duration_s", (double)s->elapsed_ns / 1e9);
	mc_json_kv_u64(&j, "rss_bytes", s->rss);
	mc_json_kv_double(&j, "user_bytes_per_conn", mc_server_user_bytes_per_conn(s));
	if (limit != MC_CAUSE_COUNT)
		mc_json_kv_str(&j, "limit", limit_id(s, limit));
	else
		mc_json_kv_null(&j, "limit");
	mc_json_kv_str(&j, "stopped_by",
		       s->stop_signal ? (s->stop_signal == 2 ? "SIGINT" : "SIGTERM") : "duration");
	mc_cli_metrics_json(&j, metrics);
	mc_json_obj_close(&j);
}

static void print_text(const struct mc_server_config *cfg, const struct mc_server_stats *s)
{
	struct mc_cause_count closed[MC_CAUSE_COUNT];
	char a[32], b[32], c[32];

	mc_cause_server_closed(s->closed, closed); /* peer, reset, other */
	printf("maxconn server: held %s at peak, %s at the end; accepted %s in %.1fs\n",
	       mc_fmt_count(s->held_peak, a, sizeof(a)), mc_fmt_count(s->held, b, sizeof(b)),
	       mc_fmt_count(s->accepted, c, sizeof(c)), (double)s->elapsed_ns / 1e9);
	printf("  closed: %llu by peer, %llu reset, %llu other\n", (unsigned long long)closed[0].n,
	       (unsigned long long)closed[1].n, (unsigned long long)closed[2].n);
	printf("  refused: %llu at the fd limit, %llu over --max-conns, %llu for memory\n",
	       (unsigned long long)s->refused[MC_CAUSE_EMFILE],
	       (unsigned long long)s->refused[MC_CAUSE_MAX_CONNS],
	       (unsigned long long)s->refused[MC_CAUSE_NOMEM]);
	printf("  bytes: %llu in, %llu out", (unsigned long long)s->bytes_in,
	       (unsigned long long)s->bytes_out);
	if (cfg->mode == MC_SERVER_ECHO)
		printf(", %llu not echoed (their connection ended first: reset, or this stop)",
		       (unsigned long long)s->bytes_not_echoed);
	putchar('\n');
	printf("  workers: %u, %s; user memory %.1f bytes per held connection (rss %s)\n",
	       s->workers,
	       s->private_fd_tables ? "each with its own fd table" : "sharing one fd table",
	       mc_server_user_bytes_per_conn(s), mc_fmt_bytes(s->rss, a, sizeof(a)));
	if (s->refused[MC_CAUSE_THREADS]) {
		char eb[96];
		printf("  limit: %llu connections got no thread: pthread_create: %s (%s): %s\n",
		       (unsigned long long)s->refused[MC_CAUSE_THREADS],
		       mc_strerror(s->thread_errno, eb, sizeof(eb)),
		       limit_id(s, MC_CAUSE_THREADS), mc_cause_advice(MC_CAUSE_THREADS));
	}
	if (s->refused[MC_CAUSE_EMFILE])
		printf("  limit: the fd tables were full: %s\n",
		       mc_cause_advice(MC_CAUSE_EMFILE));
	if (s->refused[MC_CAUSE_ENFILE])
		printf("  limit: %llu connections refused at the system's open-file limit "
		       "(ENFILE, fd_system): %s\n",
		       (unsigned long long)s->refused[MC_CAUSE_ENFILE],
		       mc_cause_advice(MC_CAUSE_ENFILE));
	if (s->refused[MC_CAUSE_WATCHES])
		printf("  limit: %llu connections could not be watched: %s\n",
		       (unsigned long long)s->refused[MC_CAUSE_WATCHES],
		       mc_cause_advice(MC_CAUSE_WATCHES));
}

int mc_cmd_server(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"max-conns", required_argument, NULL, 'n'},
		{"workers", required_argument, NULL, 'w'},
		{"mode", required_argument, NULL, 'm'},
		{"model", required_argument, NULL, 'M'},
		{"thread-stack", required_argument, NULL, 'k'},
		{"backlog", required_argument, NULL, 'b'},
		{"accept-rate", required_argument, NULL, 'R'},
		{"duration", required_argument, NULL, 'd'},
		{"ready-file", required_argument, NULL, 'r'},
		{"metrics", required_argument, NULL, MC_CLI_OPT_METRICS},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct mc_endpoint_range listen[MAX_LISTEN_ARGS];
	struct mc_server_config cfg = {.backlog = -1, .accept_rate = -1, .listen = listen};
	struct mc_server_stats st;
	struct tick_ctx tc = {.tty = isatty(STDERR_FILENO)};
	struct mc_err err;
	struct mc_cli_common com = {0};
	uint64_t v;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":l:n:w:m:M:b:d:jqh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (cfg.nlisten >= MAX_LISTEN_ARGS)
				return mc_cli_usage_error("server", "too many --listen (max %d)",
							  MAX_LISTEN_ARGS);
			if (mc_parse_endpoint(optarg, true, &listen[cfg.nlisten], &err) < 0)
				return mc_cli_usage_error("server", "--listen: %s", err.msg);
			if (listen[cfg.nlisten].port_lo == 0 && listen[cfg.nlisten].port_hi != 0)
				return mc_cli_usage_error("server", "--listen %s: bad range", optarg);
			cfg.nlisten++;
			break;
		case 'n':
			if (strcmp(optarg, "max") == 0)
				cfg.max_conns = 0;
			else if (mc_parse_count(optarg, &cfg.max_conns, &err) < 0)
				return mc_cli_usage_error("server", "--max-conns: %s; or max", err.msg);
			else if (!cfg.max_conns)
				return mc_cli_usage_error("server",
							  "--max-conns '%s': use 1 or more, or max",
							  optarg);
			break;
		case 'w':
			if (mc_cli_parse_workers("server", optarg, &cfg.workers))
				return MC_EXIT_USAGE;
			break;
		case 'm':
			if (strcmp(optarg, "hold") == 0)
				cfg.mode = MC_SERVER_HOLD;
			else if (strcmp(optarg, "echo") == 0)
				cfg.mode = MC_SERVER_ECHO;
			else
				return mc_cli_usage_error("server", "--mode '%s': use hold or echo",
							  optarg);
			break;
		case 'M':
			if (mc_model_parse(optarg, &cfg.model, &err) < 0)
				return mc_cli_usage_error("server", "%s", err.msg);
			break;
		case 'k':
			if (mc_parse_size(optarg, &v, &err) < 0 || v < 16384 || v > (1ULL << 30))
				return mc_cli_usage_error("server",
							  "--thread-stack '%s': use 16k to 1G", optarg);
			cfg.thread_stack = (size_t)v;
			break;
		case 'b':
			if (mc_parse_count(optarg, &v, &err) < 0 || v < 1 || v > 1u << 30)
				return mc_cli_usage_error("server", "--backlog '%s': use 1 or more",
							  optarg);
			cfg.backlog = (int)v;
			break;
		case 'R':
			if (mc_parse_count(optarg, &v, &err) < 0)
				return mc_cli_usage_error("server", "--accept-rate: %s", err.msg);
			cfg.accept_rate = (double)v;
			break;
		case 'd':
			if (mc_parse_duration(optarg, &cfg.duration_ns, &err) < 0)
				return mc_cli_usage_error("server", "--duration: %s", err.msg);
			if (!cfg.duration_ns) /* 0 is how the config says "until a signal" */
				return mc_cli_usage_error("server",
							  "--duration '%s': use more than 0 (30s, 5m); leave it "
							  "out to run until Ctrl-C or SIGTERM",
							  optarg);
			break;
		case 'r':
			cfg.ready_file = optarg;
			break;
		default:
			if ((rc = mc_cli_common_opt("server", c, argv, opts, help, &com)) != MC_CLI_GO_ON)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return mc_cli_extra_arg("server", argv);
	if (cfg.model == MC_MODEL_URING && cfg.accept_rate > 0)
		return mc_cli_usage_error("server", "--accept-rate above 0 is not supported with "
						    "--model uring (0, never accept, is)");
	if (cfg.nlisten == 0) {
		mc_parse_endpoint("127.0.0.1:9000", false, &listen[0], &err);
		cfg.nlisten = 1;
	}
	tc.quiet = com.quiet;
	if (com.metrics && (rc = mc_cli_metrics_start("server", &com.metrics_at, sizeof(st), render,
						      &cfg, com.quiet, &tc.metrics)))
		return rc;
	if (!com.quiet || com.metrics) {
		cfg.tick = tick;
		cfg.tick_arg = &tc;
	}
	rc = mc_server_run(&cfg, &st, &err);
	if (tc.tty && !com.quiet)
		fputs("\r\033[K", stderr);
	if (tc.metrics) { /* the last figures, for a scrape before the exit */
		mc_metrics_publish(tc.metrics, &st);
	}
	if (rc < 0) {
		fprintf(stderr, "maxconn server: %s\n", err.msg);
		mc_metrics_stop(tc.metrics);
		/* io_uring missing or disabled is a host limit, not a failure */
		return cfg.model == MC_MODEL_URING && (rc == -ENOSYS || rc == -EPERM)
			       ? MC_EXIT_LIMIT
			       : MC_EXIT_RUNTIME;
	}
	if (com.json)
		print_json(&cfg, &st, tc.metrics);
	else
		print_text(&cfg, &st);
	mc_metrics_stop(tc.metrics);
	/* a refusal for a host limit (not --max-conns) */
	return mc_cause_server_limit(st.refused) != MC_CAUSE_COUNT ? MC_EXIT_LIMIT : MC_EXIT_OK;
}
