/* cmd_server.c: `maxconn server`: its option table, flags -> struct
 * mc_server_config, run, live stats on a terminal, the summary (text or
 * --json, server/report.c), exit code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/serve_metrics.h"
#include "cli/usage.h"
#include "common/addr.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/parse.h"
#include "net/cause.h"
#include "server/server_metrics.h"
#include "server/report.h"
#include "server/server.h"

#define MAX_LISTEN_ARGS 256

enum { O_STACK = MC_OPT_OWN, O_ACCEPT_RATE, O_READY_FILE };

static const struct mc_opt opts[] = {
	{"listen", 'l', "ADDR:PORT[-PORT]", "listen here; repeatable; a range opens one\n"
	 "listener per port; IPv6 as [::1]:9000; port 0\n"
	 "lets the kernel choose (see --ready-file)\n"
	 "(default 127.0.0.1:9000)", 'l', "Options:", NULL},
	{"max-conns", 'n', "N|max", "hold at most N connections and refuse the rest\n"
	 "(accept and close at once, counted); default max:\n"
	 "as many as the host allows", 'n', NULL, NULL},
	{"workers", 'w', "N|auto", "worker threads; auto starts one per CPU and adds\n"
	 "one whenever the accepting ones are filling up\n"
	 "(default auto)", 'w', NULL, NULL},
	{"mode", 'm', "hold|echo|unread", "hold: read and discard; echo: write back every byte,\n"
	 "also after the peer's half-close (shutdown); bytes a\n"
	 "reset or the stop left unechoed are counted;\n"
	 "unread: read nothing, so what a client sends stays\n"
	 "in this server's receive queues (a client's\n"
	 "--traffic: buffer memory held, tcp_mem; epoll and\n"
	 "threads models) (default hold)", 'm', NULL, NULL},
	{"model", 'M', "epoll|threads|uring", "epoll: worker threads with epoll\n"
	 "(scales); threads: one blocking thread per\n"
	 "connection, the traditional model, to measure what\n"
	 "it costs and where it stops; uring: worker threads\n"
	 "with an io_uring each (multishot accept into\n"
	 "registered files, receives from shared provided\n"
	 "buffers, no syscall per event); a ring\n"
	 "holds up to RLIMIT_NOFILE sockets, so it adds a\n"
	 "worker per ring it needs. Fails (exit 3) when\n"
	 "io_uring is disabled (kernel.io_uring_disabled,\n"
	 "seccomp) (default epoll)", 'M', NULL, NULL},
	{"thread-stack", 0, "SIZE", "stack per connection thread with --model threads\n"
	 "(default: the system's, ulimit -s)", O_STACK, NULL, NULL},
	{"backlog", 'b', "N", "listen backlog (default net.core.somaxconn; the\n"
	 "kernel caps it at somaxconn)", 'b', NULL, NULL},
	{"accept-rate", 0, "R", "accept at most R connections per second; 0 never\n"
	 "accepts, so the accept queue fills (for tests)", O_ACCEPT_RATE, NULL, NULL},
	{"duration", 'd', "D", "stop after D (30s, 5m); default: until Ctrl-C", 'd', NULL, NULL},
	{"ready-file", 0, "PATH", "write the listening addresses here, one a line,\n"
	 "once every listener is up (a path that cannot be\n"
	 "written fails the run before anything listens)", O_READY_FILE, NULL, NULL},
	MC_OPT_ROW_METRICS("serve Prometheus metrics at http://ADDR:PORT/metrics\n"
			   "(:9464 for every address): connections held,\n"
			   "accepted, refused and closed by cause, bytes, user\n"
			   "memory per connection, the host's TCP sockets and\n"
			   "memory; the figures of the live line, once a second"),
	MC_OPT_ROW_JSON("print the summary as JSON on stdout"),
	MC_OPT_ROW_QUIET("no live stats line"),
	MC_OPT_ROW_HELP("this help"),
	{NULL, 0, NULL, NULL, 0, NULL, NULL},
};

const struct mc_opt_cmd mc_cli_server = {
	.name = "server",
	.opts = opts,
	.col = 26,
	.letters = true,
	.head = "Usage: maxconn server [OPTIONS]\n"
		"\n"
		"Hold as many TCP connections as this host allows, with almost no user memory\n"
		"per connection. Workers are threads with their own epoll; when the target\n"
		"needs more file descriptors than RLIMIT_NOFILE (ulimit -n) allows in one\n"
		"table, each worker takes a private fd table (unshare(CLONE_FILES)), so one\n"
		"process holds many times `ulimit -n` sockets.\n"
		"\n",
	.tail = "\n"
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
		"            (fd table full, kernel memory).\n",
};

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

	mc_cli_metrics_common(p, "server", mc_model_name(cfg->model), NULL, snap != NULL);
	if (snap) /* NULL: nothing published yet */
		mc_server_metrics(p, snap);
}

/* What the flags make: the config and the addresses it listens on. */
struct server_args {
	struct mc_server_config cfg;
	struct mc_endpoint_range listen[MAX_LISTEN_ARGS];
};

/* One of the server's own options into a (struct server_args). */
static int set(void *ctx, int id, const char *arg)
{
	struct server_args *a = ctx;
	struct mc_server_config *cfg = &a->cfg;
	struct mc_endpoint_range *l = &a->listen[cfg->nlisten < MAX_LISTEN_ARGS ? cfg->nlisten : 0];
	struct mc_err err;
	uint64_t v;

	switch (id) {
	case 'l':
		if (cfg->nlisten >= MAX_LISTEN_ARGS)
			return mc_cli_usage_error("server", "too many --listen (max %d)",
						  MAX_LISTEN_ARGS);
		if (mc_parse_endpoint(arg, true, l, &err) < 0)
			return mc_cli_usage_error("server", "--listen: %s", err.msg);
		if (l->port_lo == 0 && l->port_hi != 0)
			return mc_cli_usage_error("server", "--listen %s: bad range", arg);
		cfg->nlisten++;
		return 0;
	case 'n':
		if (strcmp(arg, "max") == 0)
			cfg->max_conns = 0;
		else if (mc_parse_count(arg, &cfg->max_conns, &err) < 0)
			return mc_cli_usage_error("server", "--max-conns: %s; or max", err.msg);
		else if (!cfg->max_conns)
			return mc_cli_usage_error("server", "--max-conns '%s': use 1 or more, or max",
						  arg);
		return 0;
	case 'w':
		return mc_cli_parse_workers("server", arg, &cfg->workers);
	case 'm':
		if (strcmp(arg, "hold") == 0)
			cfg->mode = MC_SERVER_HOLD;
		else if (strcmp(arg, "echo") == 0)
			cfg->mode = MC_SERVER_ECHO;
		else if (strcmp(arg, "unread") == 0)
			cfg->mode = MC_SERVER_UNREAD;
		else
			return mc_cli_usage_error("server", "--mode '%s': use hold, echo or unread",
						  arg);
		return 0;
	case 'M':
		if (mc_model_parse(arg, &cfg->model, &err) < 0)
			return mc_cli_usage_error("server", "%s", err.msg);
		return 0;
	case O_STACK:
		if (mc_parse_size(arg, &v, &err) < 0 || v < 16384 || v > (1ULL << 30))
			return mc_cli_usage_error("server", "--thread-stack '%s': use 16k to 1G", arg);
		cfg->thread_stack = (size_t)v;
		return 0;
	case 'b':
		if (mc_parse_count(arg, &v, &err) < 0 || v < 1 || v > 1u << 30)
			return mc_cli_usage_error("server", "--backlog '%s': use 1 or more", arg);
		cfg->backlog = (int)v;
		return 0;
	case O_ACCEPT_RATE:
		if (mc_parse_count(arg, &v, &err) < 0)
			return mc_cli_usage_error("server", "--accept-rate: %s", err.msg);
		cfg->accept_rate = (double)v;
		return 0;
	case 'd':
		if (mc_parse_duration(arg, &cfg->duration_ns, &err) < 0)
			return mc_cli_usage_error("server", "--duration: %s", err.msg);
		if (!cfg->duration_ns) /* 0 is how the config says "until a signal" */
			return mc_cli_usage_error("server",
						  "--duration '%s': use more than 0 (30s, 5m); leave it "
						  "out to run until Ctrl-C or SIGTERM",
						  arg);
		return 0;
	}
	cfg->ready_file = arg; /* O_READY_FILE */
	return 0;
}

/* The summary on stdout: text, or --json with the endpoint's figures. */
static void summary(const struct mc_server_config *cfg, const struct mc_server_stats *st,
		    bool json, struct mc_metrics *metrics)
{
	struct mc_json j;

	if (!json) {
		mc_server_print(stdout, cfg, st);
		return;
	}
	mc_json_init(&j, stdout);
	mc_json_obj_open(&j);
	mc_server_json(&j, cfg, st);
	mc_cli_metrics_json(&j, metrics);
	mc_json_obj_close(&j);
}

int mc_cmd_server(int argc, char **argv)
{
	struct server_args a = {.cfg = {.backlog = -1, .accept_rate = -1}};
	struct mc_server_config *cfg = &a.cfg;
	struct mc_server_stats st;
	struct tick_ctx tc = {.tty = isatty(STDERR_FILENO)};
	struct mc_err err;
	struct mc_cli_common com = {0};
	int rc;

	cfg->listen = a.listen;
	if ((rc = mc_opt_parse(&mc_cli_server, argc, argv, set, &a, &com)) != MC_CLI_GO_ON)
		return rc;
	if (cfg->model == MC_MODEL_URING && cfg->mode == MC_SERVER_UNREAD)
		return mc_cli_usage_error("server", "--mode unread is not supported with --model "
						    "uring yet: use --model epoll or threads");
	if (cfg->model == MC_MODEL_URING && cfg->accept_rate > 0)
		return mc_cli_usage_error("server", "--accept-rate above 0 is not supported with "
						    "--model uring (0, never accept, is)");
	if (cfg->nlisten == 0) {
		mc_parse_endpoint("127.0.0.1:9000", false, &a.listen[0], &err);
		cfg->nlisten = 1;
	}
	if (com.metrics &&
	    (rc = mc_cli_metrics_clash("server", &com.metrics_at, a.listen, cfg->nlisten,
				       "--listen", "the endpoint and the server cannot both listen "
						   "there")))
		return rc;
	tc.quiet = com.quiet;
	if (com.metrics && (rc = mc_cli_metrics_start("server", &com.metrics_at, sizeof(st), render,
						      cfg, com.quiet, &tc.metrics)))
		return rc;
	if (!com.quiet || com.metrics) {
		cfg->tick = tick;
		cfg->tick_arg = &tc;
	}
	rc = mc_server_run(cfg, &st, &err);
	if (tc.tty && !com.quiet)
		fputs("\r\033[K", stderr);
	if (tc.metrics) /* the last figures, for a scrape before the exit */
		mc_metrics_publish(tc.metrics, &st);
	if (rc < 0) {
		fprintf(stderr, "maxconn server: %s\n", err.msg);
		mc_metrics_stop(tc.metrics);
		/* io_uring missing or disabled is a host limit, not a failure */
		return cfg->model == MC_MODEL_URING && (rc == -ENOSYS || rc == -EPERM)
			       ? MC_EXIT_LIMIT
			       : MC_EXIT_RUNTIME;
	}
	summary(cfg, &st, com.json, tc.metrics);
	mc_metrics_stop(tc.metrics);
	/* a refusal for a host limit (not --max-conns) */
	return mc_cause_server_limit(st.refused) != MC_CAUSE_COUNT ? MC_EXIT_LIMIT : MC_EXIT_OK;
}
