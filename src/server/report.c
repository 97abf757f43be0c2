/* report.c: the summary of a server run, as text and as the members of
 * --json's object: what it held, closed and refused (by the causes'
 * server keys, net/cause.c), bytes, workers, memory and the limit named. */
#include "server/report.h"

#include <stdio.h>

#include "common/err.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/model.h"
#include "net/cause.h"
#include "server/server_metrics.h"

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

void mc_server_json(struct mc_json *j, const struct mc_server_config *cfg,
		    const struct mc_server_stats *s)
{
	struct mc_cause_count groups[MC_CAUSE_COUNT];
	enum mc_cause limit = mc_cause_server_limit(s->refused);

	mc_json_kv_str(j, "command", "server");
	mc_json_kv_str(j, "mode", cfg->mode == MC_SERVER_ECHO ? "echo" : "hold");
	mc_json_kv_str(j, "model", mc_model_name(cfg->model));
	mc_json_kv_u64(j, "accepted", s->accepted);
	mc_json_kv_u64(j, "held", s->held);
	mc_json_kv_u64(j, "held_peak", s->held_peak);
	json_counts(j, "refused", groups, mc_cause_server_refused(s->refused, groups));
	json_counts(j, "closed", groups, mc_cause_server_closed(s->closed, groups));
	mc_json_kv_u64(j, "bytes_in", s->bytes_in);
	mc_json_kv_u64(j, "bytes_out", s->bytes_out);
	mc_json_kv_u64(j, "bytes_not_echoed", s->bytes_not_echoed);
	mc_json_kv_u64(j, "workers", s->workers);
	mc_json_kv_bool(j, "private_fd_tables", s->private_fd_tables);
	mc_json_kv_u64(j, "per_table_cap", s->per_table_cap);
	mc_json_kv_double(j, "duration_s", (double)s->elapsed_ns / 1e9);
	mc_json_kv_u64(j, "rss_bytes", s->rss);
	mc_json_kv_double(j, "user_bytes_per_conn", mc_server_user_bytes_per_conn(s));
	if (limit != MC_CAUSE_COUNT)
		mc_json_kv_str(j, "limit", limit_id(s, limit));
	else
		mc_json_kv_null(j, "limit");
	mc_json_kv_str(j, "stopped_by",
		       s->stop_signal ? (s->stop_signal == 2 ? "SIGINT" : "SIGTERM") : "duration");
}

void mc_server_print(FILE *f, const struct mc_server_config *cfg, const struct mc_server_stats *s)
{
	struct mc_cause_count closed[MC_CAUSE_COUNT];
	char a[32], b[32], c[32];

	mc_cause_server_closed(s->closed, closed); /* peer, reset, other */
	fprintf(f, "maxconn server: held %s at peak, %s at the end; accepted %s in %.1fs\n",
		mc_fmt_count(s->held_peak, a, sizeof(a)), mc_fmt_count(s->held, b, sizeof(b)),
		mc_fmt_count(s->accepted, c, sizeof(c)), (double)s->elapsed_ns / 1e9);
	fprintf(f, "  closed: %llu by peer, %llu reset, %llu other\n",
		(unsigned long long)closed[0].n, (unsigned long long)closed[1].n,
		(unsigned long long)closed[2].n);
	fprintf(f, "  refused: %llu at the fd limit, %llu over --max-conns, %llu for memory\n",
		(unsigned long long)s->refused[MC_CAUSE_EMFILE],
		(unsigned long long)s->refused[MC_CAUSE_MAX_CONNS],
		(unsigned long long)s->refused[MC_CAUSE_NOMEM]);
	fprintf(f, "  bytes: %llu in, %llu out", (unsigned long long)s->bytes_in,
		(unsigned long long)s->bytes_out);
	if (cfg->mode == MC_SERVER_ECHO)
		fprintf(f, ", %llu not echoed (their connection ended first: reset, or this stop)",
			(unsigned long long)s->bytes_not_echoed);
	fputc('\n', f);
	fprintf(f, "  workers: %u, %s; user memory %.1f bytes per held connection (rss %s)\n",
		s->workers,
		s->private_fd_tables ? "each with its own fd table" : "sharing one fd table",
		mc_server_user_bytes_per_conn(s), mc_fmt_bytes(s->rss, a, sizeof(a)));
	if (s->refused[MC_CAUSE_THREADS]) {
		char eb[96];
		fprintf(f, "  limit: %llu connections got no thread: pthread_create: %s (%s): %s\n",
			(unsigned long long)s->refused[MC_CAUSE_THREADS],
			mc_strerror(s->thread_errno, eb, sizeof(eb)), limit_id(s, MC_CAUSE_THREADS),
			mc_cause_advice(MC_CAUSE_THREADS));
	}
	if (s->refused[MC_CAUSE_EMFILE])
		fprintf(f, "  limit: the fd tables were full: %s\n",
			mc_cause_advice(MC_CAUSE_EMFILE));
	if (s->refused[MC_CAUSE_ENFILE])
		fprintf(f,
			"  limit: %llu connections refused at the system's open-file limit "
			"(ENFILE, fd_system): %s\n",
			(unsigned long long)s->refused[MC_CAUSE_ENFILE],
			mc_cause_advice(MC_CAUSE_ENFILE));
	if (s->refused[MC_CAUSE_WATCHES])
		fprintf(f, "  limit: %llu connections could not be watched: %s\n",
			(unsigned long long)s->refused[MC_CAUSE_WATCHES],
			mc_cause_advice(MC_CAUSE_WATCHES));
}
