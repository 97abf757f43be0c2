/* json.c: the --json document of `maxconn limits`. The schema is stable and
 * documented in docs/limits.md (schema_version 1): add keys, never rename or
 * remove them. Numbers that are unknown or unlimited are null; a limit's
 * "status" says which. */
#include "limits/limits.h"

#include "common/json.h"

static void kv_conns(struct mc_json *j, const char *key, uint64_t v)
{
	if (v == MC_LIMITS_NONE)
		mc_json_kv_null(j, key);
	else
		mc_json_kv_u64(j, key, v);
}

static void item_json(struct mc_json *j, const struct mc_limits_item *it)
{
	mc_json_obj_open(j);
	mc_json_kv_str(j, "id", it->id);
	mc_json_kv_str(j, "name", it->name);
	mc_json_kv_str(j, "kind", mc_limits_kind_str(it->kind));
	mc_json_kv_str(j, "source", it->source);
	mc_json_kv_str(j, "value", it->value);
	mc_json_key(j, "values");
	mc_json_obj_open(j);
	for (int i = 0; i < it->nvals; i++) {
		if (it->vals[i].known && it->vals[i].v != MC_LIMITS_NONE)
			mc_json_kv_u64(j, it->vals[i].key, it->vals[i].v);
		else
			mc_json_kv_null(j, it->vals[i].key);
	}
	mc_json_obj_close(j);
	kv_conns(j, "connections", it->status == MC_LIMITS_UNKNOWN ? MC_LIMITS_NONE : it->conns);
	mc_json_kv_bool(j, "limited",
			it->status != MC_LIMITS_UNKNOWN && it->kind != MC_LIMITS_INFO &&
			    it->conns != MC_LIMITS_NONE);
	mc_json_kv_str(j, "status", mc_limits_status_str(it->status));
	mc_json_kv_bool(j, "needs_change", it->needs_change);
	if (it->reason[0])
		mc_json_kv_str(j, "unknown_reason", it->reason);
	else
		mc_json_kv_null(j, "unknown_reason");
	mc_json_kv_str(j, "note", it->note);
	if (it->kind == MC_LIMITS_SPEED) {
		if (it->chain > 0)
			mc_json_kv_double(j, "chain_length", it->chain);
		else
			mc_json_kv_null(j, "chain_length");
	}
	if (it->raise_to && it->nfix)
		mc_json_kv_u64(j, "raise_to", it->raise_to);
	else
		mc_json_kv_null(j, "raise_to");
	mc_json_key(j, "fix");
	mc_json_arr_open(j);
	for (int i = 0; i < it->nfix; i++)
		mc_json_str(j, it->fix[i]);
	mc_json_arr_close(j);
	mc_json_obj_close(j);
}

/* cpu_cost: what a message costs here and how known, the CPU left. */
static void json_cpu_cost(struct mc_json *j, const struct mc_limits_snap *s)
{
	const struct mc_msgcost *m = &s->msgcost;

	mc_json_key(j, "cpu_cost");
	mc_json_obj_open(j);
	mc_json_kv_bool(j, "measured", m->measured);
	mc_json_kv_str(j, "how", m->how);
	mc_json_kv_double(j, "server_ns_per_msg", m->server_ns);
	mc_json_kv_double(j, "client_ns_per_msg", m->client_ns);
	mc_json_kv_double(j, "connect_ns", m->connect_ns);
	/* the CPU left here (threads spinning), subtracted from the CPUs;
	 * the busy CPUs just before (measured) */
	if (s->cpubusy.spun)
		mc_json_kv_double(j, "available_cpus", s->cpubusy.avail_cpus);
	else
		mc_json_kv_null(j, "available_cpus");
	mc_json_kv_double(j, "spin_seconds", s->cpubusy.spin_s);
	mc_json_kv_bool(j, "busy_measured", s->cpubusy.read);
	mc_json_kv_double(j, "busy_host_cpus", s->cpubusy.host_cpus);
	if (s->cpubusy.cg_read)
		mc_json_kv_double(j, "busy_cgroup_cpus", s->cpubusy.cg_cpus);
	else
		mc_json_kv_null(j, "busy_cgroup_cpus");
	mc_json_kv_double(j, "busy_window_seconds", s->cpubusy.window_s);
	mc_json_obj_close(j);
}

/* The scenario's middle box (--via): null when none was described. */
static void via_json(struct mc_json *j, const struct mc_limits_via *v)
{
	mc_json_key(j, "via");
	if (v->kind == MC_LIMITS_VIA_NONE) {
		mc_json_null(j);
		return;
	}
	mc_json_obj_open(j);
	mc_json_kv_str(j, "kind", v->kind == MC_LIMITS_VIA_SNAT ? "snat" : "proxy");
	if (v->addrs)
		mc_json_kv_u64(j, "addresses", v->addrs);
	else
		mc_json_kv_null(j, "addresses");
	if (v->port_lo) {
		mc_json_kv_u64(j, "port_lo", v->port_lo);
		mc_json_kv_u64(j, "port_hi", v->port_hi);
	} else {
		mc_json_kv_null(j, "port_lo");
		mc_json_kv_null(j, "port_hi");
	}
	mc_json_obj_close(j);
}

void mc_limits_print_json(FILE *f, const struct mc_limits_snap *s,
			  const struct mc_limits_scenario *sc, const struct mc_limits_result *r)
{
	struct mc_json j;
	char sum[768];

	mc_json_init(&j, f);
	mc_json_obj_open(&j);
	mc_json_kv_str(&j, "command", "limits");
	mc_json_kv_u64(&j, "schema_version", 1);
	mc_json_kv_str(&j, "root", s->root[0] ? s->root : NULL);

	mc_json_key(&j, "scenario");
	mc_json_obj_open(&j);
	mc_json_kv_str(&j, "role", mc_limits_role_str(sc->role));
	mc_json_kv_str(&j, "model", mc_model_name(sc->model));
	mc_json_kv_u64(&j, "sources", sc->sources);
	mc_json_kv_u64(&j, "dest_addrs", sc->dest_addrs);
	mc_json_kv_u64(&j, "dest_ports", sc->dest_ports);
	mc_json_kv_u64(&j, "fd_tables", sc->fd_tables);
	mc_json_kv_u64(&j, "fd_overhead", sc->fd_overhead);
	mc_json_kv_u64(&j, "traffic_bytes", sc->traffic);
	if (sc->heartbeat_ns)
		mc_json_kv_double(&j, "heartbeat_seconds", (double)sc->heartbeat_ns / 1e9);
	else
		mc_json_kv_null(&j, "heartbeat_seconds");
	mc_json_kv_u64(&j, "message_bytes", sc->message);
	mc_json_kv_u64(&j, "backlog", sc->backlog);
	via_json(&j, &sc->via);
	if (sc->target)
		mc_json_kv_u64(&j, "target", sc->target);
	else
		mc_json_kv_null(&j, "target");
	if (s->pid > 0)
		mc_json_kv_i64(&j, "pid", s->pid);
	else
		mc_json_kv_null(&j, "pid");
	mc_json_obj_close(&j);

	if (sc->traffic) { /* what --traffic costs per connection, and how known */
		mc_json_key(&j, "traffic");
		mc_json_obj_open(&j);
		mc_json_kv_u64(&j, "bytes", r->buf.size);
		mc_json_kv_bool(&j, "measured", r->buf.measured);
		mc_json_kv_str(&j, "how", r->buf.how);
		mc_json_kv_u64(&j, "reader_held_bytes", r->buf.reader_held);
		mc_json_kv_u64(&j, "reader_charged_bytes", r->buf.reader_bytes);
		mc_json_kv_u64(&j, "writer_held_bytes", r->buf.writer_held);
		mc_json_kv_u64(&j, "writer_charged_bytes", r->buf.writer_bytes);
		mc_json_obj_close(&j);
	}
	if (sc->heartbeat_ns) /* the CPU a message costs here, and how known */
		json_cpu_cost(&j, s);
	mc_limits_summary(sum, sizeof(sum), sc, r);
	mc_json_key(&j, "summary");
	mc_json_obj_open(&j);
	kv_conns(&j, "connections", r->ceiling);
	if (r->binding >= 0)
		mc_json_kv_str(&j, "binding", r->items[r->binding].id);
	else
		mc_json_kv_null(&j, "binding");
	mc_json_kv_u64(&j, "unknown", (uint64_t)r->nunknown);
	if (sc->target)
		mc_json_kv_bool(&j, "target_reachable", r->nchanges == 0 && r->nunknown == 0);
	else
		mc_json_kv_null(&j, "target_reachable");
	mc_json_kv_str(&j, "text", sum);
	mc_json_obj_close(&j);

	mc_json_key(&j, "per_connection");
	mc_json_obj_open(&j);
	mc_json_kv_u64(&j, "sockets", r->socks_per_conn);
	mc_json_kv_u64(&j, "fds", r->fds_per_conn);
	mc_json_kv_u64(&j, "bytes", r->conn_bytes);
	mc_json_kv_u64(&j, "socket_bytes", r->sock_bytes);
	mc_json_kv_str(&j, "socket_bytes_source", r->sock_source);
	mc_json_kv_str(&j, "socket_bytes_how", r->sock_how);
	mc_json_kv_u64(&j, "memory_reserve", r->mem_reserve);
	mc_json_kv_u64(&j, "cgroup_bytes", r->cg_conn_bytes);
	mc_json_kv_u64(&j, "cgroup_accept_bytes", r->cg_accept_bytes);
	mc_json_kv_u64(&j, "cgroup_connect_bytes", r->cg_connect_bytes);
	mc_json_kv_str(&j, "cgroup_bytes_source", r->cg_source);
	mc_json_kv_str(&j, "cgroup_bytes_how", r->cg_how);
	mc_json_obj_close(&j);

	mc_json_key(&j, "tuple");
	mc_json_obj_open(&j);
	if (s->port_lo.err == 0 && s->port_hi.err == 0) {
		mc_json_kv_u64(&j, "port_lo", s->port_lo.v);
		mc_json_kv_u64(&j, "port_hi", s->port_hi.v);
	} else {
		mc_json_kv_null(&j, "port_lo");
		mc_json_kv_null(&j, "port_hi");
	}
	if (r->ports_per_pair)
		mc_json_kv_u64(&j, "ports_per_pair", r->ports_per_pair);
	else
		mc_json_kv_null(&j, "ports_per_pair");
	kv_conns(&j, "pairs", r->pairs);
	if (r->ports_per_pair && r->pairs != MC_LIMITS_NONE &&
	    r->pairs <= UINT64_MAX / r->ports_per_pair)
		mc_json_kv_u64(&j, "client_connections", r->pairs * r->ports_per_pair);
	else
		mc_json_kv_null(&j, "client_connections");
	mc_json_kv_u64(&j, "server_tuples_per_listener_log2", 48);
	mc_json_obj_close(&j);

	mc_json_key(&j, "limits");
	mc_json_arr_open(&j);
	for (int i = 0; i < r->n; i++)
		item_json(&j, &r->items[i]);
	mc_json_arr_close(&j);

	mc_json_key(&j, "changes");
	mc_json_arr_open(&j);
	for (int k = 0; k < r->nchanges; k++) {
		const struct mc_limits_item *it = &r->items[r->changes[k]];
		mc_json_obj_open(&j);
		mc_json_kv_str(&j, "limit", it->id);
		kv_conns(&j, "connections", it->conns);
		if (it->raise_to)
			mc_json_kv_u64(&j, "raise_to", it->raise_to);
		else
			mc_json_kv_null(&j, "raise_to");
		mc_json_key(&j, "fix");
		mc_json_arr_open(&j);
		for (int i = 0; i < it->nfix; i++)
			mc_json_str(&j, it->fix[i]);
		mc_json_arr_close(&j);
		mc_json_obj_close(&j);
	}
	mc_json_arr_close(&j);
	mc_json_obj_close(&j);
}
