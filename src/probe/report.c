/* report.c: the probe's terminal summary and its --json document (schema in
 * docs/probe.md); html.c writes the page. Both only read the report, its
 * result and memory figures through result.c. */
#include "probe/probe.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/fmt.h"
#include "net/cause.h"

/* "1.2M" for counts, "max" for the no-target case */
static const char *count(uint64_t n, char *buf, size_t len)
{
	if (n == MC_LIMITS_NONE)
		return "none";
	snprintf(buf, len, "%" PRIu64, n);
	return buf;
}

static const char *target_str(uint64_t t, char *buf, size_t len)
{
	return t == MC_LIMITS_NONE ? "max" : mc_fmt_count(t, buf, len);
}

/* --heartbeat: what one connection costs of the CPU, measured here. */
static void cpu_cost_of(const struct mc_probe_step *st, char *buf, size_t len)
{
	char left[64] = "";

	if (st->cpu_left > 0)
		snprintf(left, sizeof(left), " (%.2f CPUs left to it, measured)", st->cpu_left);
	if (st->cpu_ns_per_msg > 0)
		snprintf(buf, len,
			 "%.1f messages/s x %.1f us of CPU per message (measured here) = %.3f%% "
			 "of a CPU%s",
			 st->cpu_msgs_per_s, st->cpu_ns_per_msg / 1000,
			 st->cpu_msgs_per_s * st->cpu_ns_per_msg / 1e7, left);
	else
		snprintf(buf, len, "%.1f messages/s (the CPU per message not measured)%s",
			 st->cpu_msgs_per_s, left);
}

/* What one connection costs of the resource a limit counts (the seed's
 * table's third column). */
static void cost_of(const struct mc_probe_step *st, char *buf, size_t len)
{
	const char *id = st->limit_id;

	if (strcmp(id, MC_LIMIT_PORTS) == 0)
		snprintf(buf, len, "1 local port of its (source, destination) pair's range");
	else if (strcmp(id, MC_LIMIT_FD_PROCESS) == 0)
		snprintf(buf, len, "1 file descriptor in the server and 1 in the client");
	else if (strcmp(id, MC_LIMIT_FD_SYSTEM) == 0 || strcmp(id, MC_LIMIT_FD_NR_OPEN) == 0)
		snprintf(buf, len, "2 open files (one socket each end)");
	else if (strcmp(id, MC_LIMIT_ACCEPTQ) == 0)
		snprintf(buf, len, "1 accept-queue slot until the server accepts it");
	else if (strcmp(id, MC_LIMIT_THREADS) == 0)
		snprintf(buf, len, "1 thread: a 16 KiB kernel stack, a task, stack pages (%.0f B "
				   "kernel per socket measured)",
			 st->slab.total);
	else if (strcmp(id, MC_LIMIT_CONNTRACK) == 0)
		snprintf(buf, len, "1 conntrack entry");
	else if (strcmp(id, MC_LIMIT_CPU) == 0)
		cpu_cost_of(st, buf, len);
	else if (st->slab.total > 0)
		snprintf(buf, len, "%.0f B kernel (2 sockets) + %.0f B user",
			 2 * st->slab.total,
			 st->user_per_conn_server + st->user_per_conn_client);
	else
		snprintf(buf, len, "-");
}

static void print_scenario(FILE *f, const struct mc_probe_scenario *sc)
{
	char b[32];

	fprintf(f, "%s, %" PRIu64 " source%s, %" PRIu64 " port%s, range %" PRIu64 "-%" PRIu64
		   ", ",
		mc_model_name(sc->model), sc->sources, sc->sources == 1 ? "" : "s",
		sc->dest_ports, sc->dest_ports == 1 ? "" : "s", sc->port_lo, sc->port_hi);
	if (sc->one_table)
		fprintf(f, "one fd table of %s", mc_fmt_count(sc->fd_limit, b, sizeof(b)));
	else
		fprintf(f, "private fd tables");
	fprintf(f, ", backlog %" PRIu64, sc->backlog);
}

/* The step's established hash: its buckets, and whether they were sized
 * for it or why not. */
static void print_ehash(FILE *f, const struct mc_probe_ehash *eh)
{
	char a[32], b[32];

	if (!eh->buckets)
		fprintf(f, ", hash unread");
	else
		fprintf(f, ", hash %s buckets", mc_fmt_thousands(eh->buckets, a, sizeof(a)));
	if (eh->own && eh->sockets && !eh->why[0])
		fprintf(f, " (its own, for %s sockets)",
			mc_fmt_thousands(eh->sockets, b, sizeof(b)));
	else if (eh->why[0])
		fprintf(f, " (%s)", eh->why);
}

/* A watched memory cgroup: what it was charged per connection (per side
 * when measured apart), its limit and the reserve kept there. */
static void print_cgroup(FILE *f, const struct mc_probe_cgroup *cg, const struct mc_probe_step *st,
			 int i)
{
	char a[32], b[32], c[32];

	fprintf(f, "  cgroup     %s, v%d %s %s, %s left at the top, reserve %s: %.0f B charged per "
		   "connection",
		cg->who, cg->version, cg->high ? "memory.high" : "limit",
		mc_fmt_bytes(cg->limit, a, sizeof(a)), mc_fmt_bytes(st->cg_room_end[i], b, sizeof(b)),
		mc_fmt_bytes(cg->reserve, c, sizeof(c)), st->cg_per_conn[i]);
	if (cg->per_side)
		fprintf(f, " (accepted socket %.0f B, connecting socket %.0f B)", st->cg_accept,
			st->cg_connect);
	fprintf(f, "\n             %s\n", cg->dir);
}

/* --target-addr: the server host's side, or plainly that it is unknown. */
static void print_server_host(FILE *f, const struct mc_probe_server_host *h)
{
	char a[32], b[32], c[32], d[32];

	fprintf(f, "\nServer host%s%s%s\n", h->known ? " (from " : "", h->known ? h->source : "",
		h->known ? ")" : "");
	if (!h->known) {
		fprintf(f, "  unknown    %s\n", h->error);
		fprintf(f, "             pass --server-metrics URL: the server host's node_exporter "
			   "(http://HOST:9100/metrics) or a maxconn server's --metrics (docs/hosts.md)\n");
		return;
	}
	if (h->error[0])
		fprintf(f, "  not used   %s\n", h->error);
	if (isfinite(h->sockets))
		fprintf(f, "  sockets    %.0f TCP sockets in use there (%.0f before the step)\n",
			h->sockets, h->sockets_before);
	if (isfinite(h->held))
		fprintf(f, "  server     holds %.0f connections (its --metrics)\n", h->held);
	if (isfinite(h->kernel_per_socket))
		fprintf(f, "  kernel     %.0f B per socket there (%s)\n", h->kernel_per_socket,
			h->kernel_method);
	else
		fprintf(f, "  kernel     unknown per socket (no sockets added there, or neither "
			   "slabinfo nor meminfo figures)\n");
	if (isfinite(h->user_per_conn))
		fprintf(f, "  user       %.1f B per connection (the maxconn server's)\n",
			h->user_per_conn);
	if (isfinite(h->mem_available))
		fprintf(
		    f, "  memory     %s available of %s, %s kept in reserve: room for %s more\n",
		    mc_fmt_bytes(mc_fmt_u64(h->mem_available), a, sizeof(a)),
		    isfinite(h->mem_total) ? mc_fmt_bytes(mc_fmt_u64(h->mem_total), b, sizeof(b))
					   : "?",
		    isfinite(h->reserve) ? mc_fmt_bytes(mc_fmt_u64(h->reserve), c, sizeof(c)) : "?",
		    isfinite(h->more_conns) ? mc_fmt_count(mc_fmt_u64(h->more_conns), d, sizeof(d))
					    : "an unknown number of");
	else
		fprintf(f, "  memory     unknown (no meminfo figures there)\n");
}

/* The window in one line: traffic, latency, what the server spent, memory. */
static void print_steady(FILE *f, const struct mc_probe_steady *w)
{
	char a[32], b[32], c[32];

	fprintf(f, "  steady     %.1fs window, %s held", w->seconds, mc_fmt_count(w->conns, a, sizeof(a)));
	if (w->heartbeat_s > 0)
		fprintf(f, ", heartbeat %gs: %s msgs/s echoed, RTT p50 %.0f us p99 %.0f us",
			w->heartbeat_s,
			mc_fmt_thousands(mc_fmt_u64(round(w->msgs_per_s)), b, sizeof(b)),
			w->rtt_p50_us, w->rtt_p99_us);
	if (w->server) {
		fprintf(f, "; server ");
		if (isfinite(w->cpu_ms_per_1k))
			fprintf(f, "CPU %.2f ms/1k msgs, ", w->cpu_ms_per_1k);
		fprintf(f, "%s ctx sw/s, %" PRIu64 " threads",
			mc_fmt_thousands(mc_fmt_u64(round(w->ctx_per_s)), c, sizeof(c)),
			w->threads);
	}
	fprintf(f, "; per connection: server user %.1f B, slab %.0f B, kstack+pt %.0f B\n",
		w->user_per_conn, w->slab_per_conn, w->kstack_pt_per_conn);
}

/* The result: how many were held, why it stopped, against the model,
 * where and on what it ran, and the steady-state window. */
static void print_result(FILE *f, const struct mc_probe_report *r, const struct mc_probe_step *last)
{
	char a[32], b[32], c[32];

	fprintf(f, "maxconn probe: %s connections held (target %s) after %.1fs: ",
		mc_fmt_count(last->reached, a, sizeof(a)), target_str(r->target, b, sizeof(b)),
		r->seconds);
	switch (last->stop) {
	case MC_PROBE_TARGET:
		fprintf(f, "target reached\n");
		break;
	case MC_PROBE_RESERVE:
		if (strcmp(last->limit_id, MC_LIMIT_CGROUP_MEMORY) == 0)
			fprintf(f, "stopped by %s (%s)\n", last->limit_id, last->limit_name);
		else
			fprintf(f, "stopped by memory (the reserve of %s)\n",
				mc_fmt_bytes(r->reserve, c, sizeof(c)));
		break;
	case MC_PROBE_LIMIT:
		fprintf(f, "stopped by %s (%s)\n", last->limit_id, last->limit_name);
		break;
	default:
		fprintf(f, "%s\n", mc_probe_stop_str(last->stop));
	}
	fprintf(f, "  happened   %s\n", last->happened);
	fprintf(f, "  predicted  %s (%s); reached %s", mc_fmt_count(last->predicted, a, sizeof(a)),
		last->predicted_limit, mc_fmt_count(last->reached, b, sizeof(b)));
	if (isfinite(last->diff_pct))
		fprintf(f, " (%+.1f%%)", last->diff_pct);
	if (last->reached_server)
		fprintf(f, ", counted in the server's own sockets (the client held %s)",
			mc_fmt_count(last->client_held, c, sizeof(c)));
	fputc('\n', f);
	fprintf(f, "  where      %s\n", r->where);
	if (r->target_addr[0])
		fprintf(f, "  server     %s%s%s (pid %d)\n", r->target_addr,
			r->server_name[0] ? ", " : "", r->server_name, r->server_pid);
	fprintf(f, "  host       %s, %u CPUs, %s memory\n", r->kernel, r->cpus,
		mc_fmt_bytes(r->mem_total, a, sizeof(a)));
	if (last->steady.ran)
		print_steady(f, &last->steady);
}

/* Each step: its scenario, prediction, what it reached and why it ended. */
static void print_steps(FILE *f, const struct mc_probe_report *r)
{
	char a[32], b[32], c[32];

	fprintf(f, "\nSteps\n");
	for (int i = 0; i < r->nsteps; i++) {
		const struct mc_probe_step *st = &r->steps[i];
		fprintf(f, "  %d. ", i + 1);
		print_scenario(f, &st->sc);
		print_ehash(f, &st->ehash);
		fprintf(f, "\n     predicted %s (%s), reached %s", mc_fmt_count(st->predicted, a, sizeof(a)),
			st->predicted_limit, mc_fmt_count(st->reached, b, sizeof(b)));
		if (isfinite(st->diff_pct))
			fprintf(f, " (%+.1f%%)", st->diff_pct);
		fprintf(f, " in %.1fs at %s/s: %s%s%s\n", st->seconds,
			mc_fmt_count(mc_fmt_u64(st->rate), c, sizeof(c)),
			mc_probe_stop_str(st->stop), st->limit_id[0] ? " " : "", st->limit_id);
		fprintf(f, "     %s\n", st->happened);
		if (st->lifted[0])
			fprintf(f, "     -> lifted: %s\n", st->lifted);
	}
}

/* The last step's evidence and the model's limits for it. */
static void print_evidence(FILE *f, const struct mc_probe_step *last)
{
	char a[32], b[32];

	fprintf(f, "\nEvidence (last step)\n");
	for (int i = 0; i < last->nev; i++) {
		const struct mc_probe_evidence *e = &last->ev[i];
		if (strcmp(e->what, "dmesg") == 0)
			fprintf(f, "  dmesg: %s\n", e->text);
		else if (e->unreadable)
			fprintf(f, "  %-30s %12s  %s\n", e->what, "unreadable", e->text);
		else
			fprintf(f, "  %-30s %12s  %s\n", e->what, count(e->value, a, sizeof(a)),
				e->text);
	}

	fprintf(f, "\nLimits (the model's, for the last step; distance from %s held)\n",
		mc_fmt_count(last->reached, a, sizeof(a)));
	for (int i = 0; i < last->nlimits; i++) {
		const struct mc_probe_limit *l = &last->limits[i];
		fprintf(f, "  %-18s %12s  %-40.40s %s\n", l->id,
			l->conns == MC_LIMITS_NONE ? "no ceiling" : mc_fmt_count(l->conns, b, sizeof(b)),
			l->value, l->binding ? "<- binding" : "");
	}
}

/* What one connection cost (the memory step's), and the projection. */
static void print_memory(FILE *f, const struct mc_probe_report *r, const struct mc_probe_step *mem)
{
	char a[32], b[32], d[32];

	fprintf(f, "\nMemory per connection\n");
	if (mem->slab.sockets) {
		if (mem->slab.from == MC_PROBE_KMEM_SLABINFO)
			fprintf(f,
				"  kernel     %.0f B per socket over %s sockets: TCP %.0f, socket "
				"inode %.0f, dentry %.0f, file %.0f, epoll %.0f, other %.0f\n",
				mem->slab.total, mc_fmt_count(mem->slab.sockets, a, sizeof(a)),
				mem->slab.tcp, mem->slab.sock_inode, mem->slab.dentry, mem->slab.filp,
				mem->slab.epoll, mem->slab.other);
		else if (mem->slab.from == MC_PROBE_KMEM_OBJECTS)
			fprintf(f,
				"  kernel     %.0f B per socket from the caches' object sizes: TCP %.0f, "
				"socket inode %.0f, dentry %.0f, file %.0f, epoll %.0f. Their growth "
				"was not the probe's: the TCP cache moved by %lld objects while it "
				"held %s sockets (other work on this kernel opened or closed sockets "
				"meanwhile, or an earlier step's were still being freed)\n",
				mem->slab.total, mem->slab.tcp, mem->slab.sock_inode, mem->slab.dentry,
				mem->slab.filp, mem->slab.epoll, (long long)mem->slab.tcp_objs_grew,
				mc_fmt_count(mem->slab.sockets, a, sizeof(a)));
		else if (mem->slab.from == MC_PROBE_KMEM_MEMINFO)
			fprintf(f,
				"  kernel     %.0f B per socket over %s sockets, from meminfo's Slab + "
				"KernelStack + PageTables growth (/proc/slabinfo is unreadable without "
				"root: no split by cache; other work on the host moves it)\n",
				mem->slab.total, mc_fmt_count(mem->slab.sockets, a, sizeof(a)));
		else
			fprintf(f, "  kernel     unknown: /proc/slabinfo is unreadable without root "
				   "and meminfo's Slab did not grow (other work freed as much)\n");
		fprintf(f, "  user       server %.1f B, client %.1f B per connection\n",
			mem->user_per_conn_server, mem->user_per_conn_client);
		if (mem->more_conns == MC_LIMITS_NONE)
			fprintf(f, "  projection %s available, %s kept in reserve: unknown without the "
				   "kernel's bytes per connection\n",
				mc_fmt_bytes(mem->mem_available_end, a, sizeof(a)),
				mc_fmt_bytes(r->reserve, b, sizeof(b)));
		else
			fprintf(f, "  projection %s available, %s kept in reserve: room for about %s "
				   "more\n",
				mem->mem_available_end
				    ? mc_fmt_bytes(mem->mem_available_end, a, sizeof(a))
				    : "unreadable",
				mc_fmt_bytes(r->reserve, b, sizeof(b)),
				mc_fmt_count(mem->more_conns, d, sizeof(d)));
	} else {
		fprintf(f, "  no connection was held: nothing to divide by\n");
	}
}

/* --staircase --heartbeat: the seeds' CPU row ("depends on what you use
 * it for"), with what this use costs, measured, unless a step stopped at
 * the CPU (its row says it). */
static void print_seed_cpu(FILE *f, const struct mc_probe_step *st)
{
	const struct mc_probe_limit *l = mc_probe_step_limit(st, MC_LIMIT_CPU);
	char cost[224], a[32];

	if (st->cpu_msgs_per_s <= 0 || strcmp(st->limit_id, MC_LIMIT_CPU) == 0)
		return;
	cpu_cost_of(st, cost, sizeof(cost));
	fprintf(f, "  CPU: %s CPUs; %s\n     the model's ceiling %s: not reached\n",
		l ? l->value : "-", cost, l ? count(l->conns, a, sizeof(a)) : "-");
}

/* --staircase: the seed's table, one row per step. */
static void print_seed_table(FILE *f, const struct mc_probe_report *r)
{
	char a[32];

	fprintf(f, "\nThe seed's table, measured (resource: what this host has; what one "
		   "connection costs; where it ran out: what happened)\n");
	for (int i = 0; i < r->nsteps; i++) {
		const struct mc_probe_step *st = &r->steps[i];
		const struct mc_probe_limit *l = mc_probe_step_limit(st, st->limit_id);
		char cost[224];
		cost_of(st, cost, sizeof(cost));
		fprintf(f, "  %d. %s: %s; %s\n     %s %s: %s\n", i + 1,
			st->limit_name[0] ? st->limit_name : "-", l ? l->value : "-", cost,
			st->stop == MC_PROBE_TARGET ? "held" : "ran out at",
			count(st->reached, a, sizeof(a)), st->happened);
	}
	print_seed_cpu(f, mc_probe_last(r));
}

void mc_probe_print(FILE *f, const struct mc_probe_report *r)
{
	const struct mc_probe_step *last = mc_probe_last(r), *mem = mc_probe_memory_step(r);

	if (!r->nsteps) {
		fprintf(f, "maxconn probe: no step ran\n");
		return;
	}
	print_result(f, r, last);
	print_steps(f, r);
	print_evidence(f, last);
	print_memory(f, r, mem);
	for (int i = 0; i < r->ncg; i++)
		print_cgroup(f, &r->cg[i], mem, i);
	if (r->server_fd_limit)
		fprintf(f, "  server fd limit (RLIMIT_NOFILE of pid %d): %" PRIu64 "\n", r->server_pid,
			r->server_fd_limit);
	if (r->target_addr[0])
		print_server_host(f, &last->srv_host);
	if (r->staircase)
		print_seed_table(f, r);
}

static void json_server_host(struct mc_json *j, const struct mc_probe_server_host *h)
{
	mc_json_key(j, "server_host");
	mc_json_obj_open(j);
	mc_json_kv_bool(j, "known", h->known);
	mc_json_kv_str(j, "source", h->source);
	mc_json_kv_str(j, "error", h->error);
	mc_json_kv_double(j, "sockets", h->sockets);
	mc_json_kv_double(j, "sockets_before", h->sockets_before);
	mc_json_kv_double(j, "server_held", h->held);
	mc_json_kv_double(j, "kernel_bytes_per_socket", h->kernel_per_socket);
	mc_json_kv_str(j, "kernel_bytes_method", h->kernel_method);
	mc_json_kv_double(j, "user_bytes_per_conn", h->user_per_conn);
	mc_json_kv_double(j, "mem_total", h->mem_total);
	mc_json_kv_double(j, "mem_available", h->mem_available);
	mc_json_kv_double(j, "reserve", h->reserve);
	mc_json_kv_double(j, "more_conns", h->more_conns);
	mc_json_obj_close(j);
}

static void json_target(struct mc_json *j, const char *key, uint64_t t)
{
	if (t == MC_LIMITS_NONE)
		mc_json_kv_str(j, key, "max");
	else
		mc_json_kv_u64(j, key, t);
}

/* What the watched cgroups were charged per connection over a step. */
static void json_cg_step(struct mc_json *j, const struct mc_probe_step *st, int ncg)
{
	mc_json_key(j, "cgroup_bytes_per_conn");
	mc_json_arr_open(j);
	for (int i = 0; i < ncg && i < MC_PROBE_MAX_CG; i++)
		mc_json_double(j, st->cg_per_conn[i]);
	mc_json_arr_close(j);
	mc_json_kv_double(j, "cgroup_accept_bytes", st->cg_accept);
	mc_json_kv_double(j, "cgroup_connect_bytes", st->cg_connect);
}

static void json_step(struct mc_json *j, const struct mc_probe_step *st, int n_cg)
{
	mc_json_obj_open(j);
	mc_json_key(j, "scenario");
	mc_json_obj_open(j);
	mc_json_kv_str(j, "model", mc_model_name(st->sc.model));
	mc_json_kv_u64(j, "sources", st->sc.sources);
	mc_json_kv_u64(j, "dest_ports", st->sc.dest_ports);
	mc_json_key(j, "port_range");
	mc_json_arr_open(j);
	mc_json_u64(j, st->sc.port_lo);
	mc_json_u64(j, st->sc.port_hi);
	mc_json_arr_close(j);
	mc_json_kv_u64(j, "fd_limit", st->sc.fd_limit);
	mc_json_kv_str(j, "fd_tables", st->sc.one_table ? "one" : "private");
	mc_json_kv_u64(j, "backlog", st->sc.backlog);
	json_target(j, "target", st->sc.target);
	mc_json_obj_close(j);
	mc_json_key(j, "ehash");
	mc_json_obj_open(j);
	if (st->ehash.buckets)
		mc_json_kv_u64(j, "buckets", st->ehash.buckets);
	else
		mc_json_kv_null(j, "buckets");
	mc_json_kv_bool(j, "own", st->ehash.own);
	mc_json_kv_u64(j, "asked", st->ehash.asked);
	mc_json_kv_u64(j, "sized_for_sockets", st->ehash.sockets);
	mc_json_kv_str(j, "why", st->ehash.why);
	mc_json_obj_close(j);
	mc_json_kv_u64(j, "predicted", st->predicted);
	mc_json_kv_str(j, "predicted_limit", st->predicted_limit);
	mc_json_kv_u64(j, "reached", st->reached);
	mc_json_kv_str(j, "reached_from", st->reached_server ? "server_sockets" : "client");
	mc_json_kv_u64(j, "client_held", st->client_held);
	mc_json_kv_u64(j, "attempted", st->attempted);
	mc_json_kv_double(j, "diff_pct", st->diff_pct);
	mc_json_kv_double(j, "seconds", st->seconds);
	mc_json_kv_double(j, "teardown_seconds", st->teardown_s);
	mc_json_kv_double(j, "connect_rate", st->rate);
	mc_json_kv_str(j, "stop", mc_probe_stop_str(st->stop));
	mc_json_kv_str(j, "limit", st->limit_id);
	mc_json_kv_str(j, "limit_name", st->limit_name);
	mc_json_kv_str(j, "happened", st->happened);
	mc_json_kv_str(j, "lifted", st->lifted);
	mc_json_kv_double(j, "kernel_bytes_per_socket", mc_probe_kernel_per_socket(&st->slab));
	mc_json_kv_double(j, "user_bytes_per_conn_server", st->user_per_conn_server);
	mc_json_kv_double(j, "user_bytes_per_conn_client", st->user_per_conn_client);
	json_cg_step(j, st, n_cg);
	mc_json_key(j, "evidence");
	mc_json_arr_open(j);
	for (int i = 0; i < st->nev; i++) {
		mc_json_obj_open(j);
		mc_json_kv_str(j, "what", st->ev[i].what);
		if (st->ev[i].unreadable)
			mc_json_kv_null(j, "value");
		else
			mc_json_kv_u64(j, "value", st->ev[i].value);
		mc_json_kv_str(j, "text", st->ev[i].text);
		mc_json_obj_close(j);
	}
	mc_json_arr_close(j);
	mc_json_key(j, "limits");
	mc_json_arr_open(j);
	for (int i = 0; i < st->nlimits; i++) {
		const struct mc_probe_limit *l = &st->limits[i];
		mc_json_obj_open(j);
		mc_json_kv_str(j, "id", l->id);
		mc_json_kv_str(j, "name", l->name);
		mc_json_kv_str(j, "value", l->value);
		if (l->conns == MC_LIMITS_NONE)
			mc_json_kv_null(j, "connections");
		else
			mc_json_kv_u64(j, "connections", l->conns);
		mc_json_kv_bool(j, "binding", l->binding);
		mc_json_obj_close(j);
	}
	mc_json_arr_close(j);
	mc_json_obj_close(j);
}

/* A figure that may be unknown: null then. */
static void kv_maybe(struct mc_json *j, const char *key, bool known, double v)
{
	if (known && isfinite(v))
		mc_json_kv_double(j, key, v);
	else
		mc_json_kv_null(j, key);
}

static void json_steady(struct mc_json *j, const struct mc_probe_steady *w)
{
	mc_json_key(j, "steady");
	mc_json_obj_open(j);
	mc_json_kv_double(j, "window_seconds", w->seconds);
	mc_json_kv_double(j, "settle_seconds", w->settle_s);
	mc_json_kv_double(j, "heartbeat_seconds", w->heartbeat_s);
	mc_json_kv_u64(j, "conns", w->conns);
	mc_json_kv_u64(j, "held", w->held);
	mc_json_kv_u64(j, "msgs", w->msgs);
	mc_json_kv_double(j, "msgs_per_sec", w->msgs_per_s);
	mc_json_kv_double(j, "sent_per_sec", w->sent_per_s);
	mc_json_key(j, "rtt_us");
	mc_json_obj_open(j);
	mc_json_kv_u64(j, "count", w->rtt_count);
	kv_maybe(j, "p50", w->rtt_count, w->rtt_p50_us);
	kv_maybe(j, "p99", w->rtt_count, w->rtt_p99_us);
	kv_maybe(j, "max", w->rtt_count, w->rtt_max_us);
	mc_json_obj_close(j);
	mc_json_kv_bool(j, "server", w->server);
	kv_maybe(j, "server_cpu_ms", w->server, w->cpu_ms);
	kv_maybe(j, "cpu_ms_per_1k_msgs", w->server, w->cpu_ms_per_1k);
	kv_maybe(j, "ctx_switches_per_sec", w->server, w->ctx_per_s);
	if (w->server)
		mc_json_kv_u64(j, "threads", w->threads);
	else
		mc_json_kv_null(j, "threads");
	mc_json_key(j, "bytes_per_conn");
	mc_json_obj_open(j);
	kv_maybe(j, "server_user", w->server, w->user_per_conn);
	mc_json_kv_double(j, "slab", w->slab_per_conn);
	mc_json_kv_double(j, "kstack_pt", w->kstack_pt_per_conn);
	mc_json_obj_close(j);
	mc_json_obj_close(j);
}

void mc_probe_json(FILE *f, const struct mc_probe_report *r, int exit_code)
{
	struct mc_json j;
	const struct mc_probe_step *last = mc_probe_last(r), *mem = mc_probe_memory_step(r);

	mc_json_init(&j, f);
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "schema_version", 1);
	mc_json_kv_str(&j, "command", "probe");
	mc_json_kv_str(&j, "where", r->where);
	mc_json_kv_bool(&j, "netns", r->netns);
	mc_json_kv_str(&j, "kernel", r->kernel);
	mc_json_kv_u64(&j, "cpus", r->cpus);
	mc_json_kv_u64(&j, "mem_total", r->mem_total);
	json_target(&j, "target", r->target);
	mc_json_kv_bool(&j, "staircase", r->staircase);
	mc_json_kv_u64(&j, "reserve", r->reserve);
	mc_json_kv_str(&j, "target_addr", r->target_addr);
	mc_json_kv_i64(&j, "server_pid", r->server_pid);
	mc_json_kv_str(&j, "server_name", r->server_name);
	mc_json_kv_str(&j, "tmpdir", r->tmpdir);
	mc_json_kv_u64(&j, "server_fd_limit", r->server_fd_limit);
	mc_json_key(&j, "cgroups");
	mc_json_arr_open(&j);
	for (int i = 0; i < r->ncg && i < MC_PROBE_MAX_CG; i++) {
		const struct mc_probe_cgroup *cg = &r->cg[i];
		mc_json_obj_open(&j);
		mc_json_kv_str(&j, "who", cg->who);
		mc_json_kv_str(&j, "dir", cg->dir);
		mc_json_kv_i64(&j, "version", cg->version);
		mc_json_kv_str(&j, "file", cg->version == 1 ? "memory.limit_in_bytes"
					   : cg->high	  ? "memory.high"
							  : "memory.max");
		mc_json_kv_u64(&j, "limit", cg->limit);
		mc_json_kv_u64(&j, "reserve", cg->reserve);
		mc_json_kv_bool(&j, "per_side", cg->per_side);
		mc_json_kv_double(&j, "bytes_per_conn", mem->cg_per_conn[i]);
		mc_json_kv_u64(&j, "room_end", mem->cg_room_end[i]);
		mc_json_obj_close(&j);
	}
	mc_json_arr_close(&j);
	if (r->target_addr[0])
		json_server_host(&j, &last->srv_host);

	mc_json_key(&j, "result");
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "reached", last->reached);
	mc_json_kv_u64(&j, "predicted", last->predicted);
	mc_json_kv_str(&j, "predicted_limit", last->predicted_limit);
	mc_json_kv_double(&j, "diff_pct", last->diff_pct);
	mc_json_kv_str(&j, "stop", mc_probe_stop_str(last->stop));
	mc_json_kv_str(&j, "limit", last->limit_id);
	mc_json_kv_str(&j, "limit_name", last->limit_name);
	mc_json_kv_str(&j, "happened", last->happened);
	mc_json_kv_double(&j, "seconds", r->seconds);
	mc_json_kv_i64(&j, "exit_code", exit_code);
	mc_json_obj_close(&j);

	mc_json_key(&j, "memory");
	mc_json_obj_open(&j);
	mc_json_key(&j, "kernel_bytes_per_socket");
	mc_json_obj_open(&j);
	mc_json_kv_bool(&j, "slabinfo", mem->slab.known);
	mc_json_kv_str(&j, "from", mc_probe_kmem_str(mem->slab.from));
	mc_json_kv_u64(&j, "sockets", mem->slab.sockets);
	mc_json_kv_i64(&j, "tcp_objects_grew", mem->slab.tcp_objs_grew);
	mc_json_kv_double(&j, "tcp", mem->slab.tcp);
	mc_json_kv_double(&j, "sock_inode", mem->slab.sock_inode);
	mc_json_kv_double(&j, "dentry", mem->slab.dentry);
	mc_json_kv_double(&j, "filp", mem->slab.filp);
	mc_json_kv_double(&j, "epoll", mem->slab.epoll);
	mc_json_kv_double(&j, "other", mem->slab.other);
	mc_json_kv_double(&j, "total", mc_probe_kernel_per_socket(&mem->slab));
	mc_json_obj_close(&j);
	mc_json_key(&j, "user_bytes_per_conn");
	mc_json_obj_open(&j);
	mc_json_kv_double(&j, "server", mem->user_per_conn_server);
	mc_json_kv_double(&j, "client", mem->user_per_conn_client);
	mc_json_obj_close(&j);
	mc_json_kv_u64(&j, "mem_available_end", mem->mem_available_end);
	if (mem->more_conns == MC_LIMITS_NONE)
		mc_json_kv_null(&j, "more_conns");
	else
		mc_json_kv_u64(&j, "more_conns", mem->more_conns);
	mc_json_obj_close(&j);

	if (last->steady.ran)
		json_steady(&j, &last->steady);

	mc_json_key(&j, "steps");
	mc_json_arr_open(&j);
	for (int i = 0; i < r->nsteps; i++)
		json_step(&j, &r->steps[i], r->ncg);
	mc_json_arr_close(&j);

	mc_json_key(&j, "samples");
	mc_json_arr_open(&j);
	for (size_t i = 0; i < r->nsamples; i++) {
		const struct mc_probe_sample *s = &r->samples[i];
		mc_json_obj_open(&j);
		mc_json_kv_double(&j, "t", s->t);
		mc_json_kv_i64(&j, "step", s->step);
		mc_json_kv_u64(&j, "held", s->held);
		mc_json_kv_u64(&j, "server_held", s->server_held);
		mc_json_kv_double(&j, "rate", s->rate);
		mc_json_kv_u64(&j, "kernel_bytes", s->kernel_bytes);
		mc_json_kv_u64(&j, "user_bytes", s->user_bytes);
		mc_json_kv_u64(&j, "mem_available", s->mem_available);
		mc_json_obj_close(&j);
	}
	mc_json_arr_close(&j);
	mc_json_obj_close(&j);
}
