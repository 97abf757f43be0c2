/* print.c: the human output of `maxconn limits`: the table of limits with
 * their values, sources, ceilings, status and fixes; the one-line summary;
 * the 4-tuple arithmetic of the seed articles made concrete for this host;
 * the ordered changes for --target; --explain and the list of limit ids,
 * both from the registry (registry.c). It only formats what judge.c
 * computed and what the registry says. */
#include "limits/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/err.h"
#include "common/fmt.h"
#include "limits/registry-int.h"

/* 1234567 -> "1,234,567" */
static const char *grp(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < n && (size_t)o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* The ALLOWS column: a count, "N waiting" for a queue, "no limit", "-" for
 * information, "?" when unknown. */
static const char *allows(const struct mc_limits_item *it, char *buf, size_t len)
{
	char g[32];

	if (it->status == MC_LIMITS_UNKNOWN)
		snprintf(buf, len, "?");
	else if (it->kind == MC_LIMITS_SPEED && it->chain > 0)
		snprintf(buf, len, "chains of %.1f", it->chain);
	else if (it->kind == MC_LIMITS_INFO || it->kind == MC_LIMITS_SPEED)
		snprintf(buf, len, "-");
	else if (it->conns == MC_LIMITS_NONE)
		snprintf(buf, len, "no limit");
	else if (it->kind == MC_LIMITS_QUEUE)
		snprintf(buf, len, "%s waiting", grp(it->conns, g, sizeof(g)));
	else
		snprintf(buf, len, "%s", grp(it->conns, g, sizeof(g)));
	return buf;
}

/* The STATUS column. */
static const char *status_text(const struct mc_limits_item *it)
{
	if (it->status == MC_LIMITS_BINDING && it->needs_change)
		return "BINDING, needs change";
	switch (it->status) {
	case MC_LIMITS_BINDING:
		return "BINDING";
	case MC_LIMITS_NEEDS_CHANGE:
		return "needs change";
	case MC_LIMITS_UNKNOWN:
		return "unknown";
	case MC_LIMITS_FINE:
		break;
	}
	if (it->kind == MC_LIMITS_SPEED)
		return it->chain > 1.0 ? "speed: slows" : "speed";
	return it->kind == MC_LIMITS_CEILING ? "fine" : "info";
}

void mc_limits_summary(char *buf, size_t len, const struct mc_limits_scenario *sc,
		       const struct mc_limits_result *r)
{
	char g[32], t[32];
	const char *as = sc->role == MC_LIMITS_SERVER	? "a server"
			 : sc->role == MC_LIMITS_CLIENT ? "a client"
							: "client and server on this host";
	size_t o = 0;

	if (r->binding >= 0)
		o += (size_t)snprintf(buf, len,
				      "This host can hold about %s connections as %s (%s, %" PRIu64
				      " fd table%s); the first limit is %s: %s.",
				      grp(r->ceiling, g, sizeof(g)), as,
				      mc_model_name(sc->model), sc->fd_tables,
				      sc->fd_tables == 1 ? "" : "s", r->items[r->binding].id,
				      r->items[r->binding].name);
	else
		o += (size_t)snprintf(
		    buf, len, "No limit that could be read caps connections as %s here.", as);
	if (r->nunknown && o < len)
		o += (size_t)snprintf(buf + o, len - o,
				      " %d limit%s could not be read (unknown): the real ceiling "
				      "may be lower.",
				      r->nunknown, r->nunknown == 1 ? "" : "s");
	if (sc->target && o < len) {
		if (r->nchanges == 0 && r->nunknown == 0)
			snprintf(buf + o, len - o, " Target %s: reachable as is.",
				 grp(sc->target, t, sizeof(t)));
		else if (r->nchanges == 0)
			snprintf(buf + o, len - o, " Target %s: no known limit is below it.",
				 grp(sc->target, t, sizeof(t)));
		else
			snprintf(buf + o, len - o,
				 " Target %s: %d change%s needed, listed in order.",
				 grp(sc->target, t, sizeof(t)), r->nchanges,
				 r->nchanges == 1 ? "" : "s");
	}
}

/* Print text word-wrapped at width columns, every line indented by
 * indent spaces, the first one after lead (e.g. "fix: "), the others
 * aligned under it. */
static void wrap_at(FILE *f, int width, int indent, const char *lead, const char *text)
{
	int col = fprintf(f, "%*s%s", indent, "", lead);
	int start = col;
	const char *p = text;

	while (*p) {
		const char *sp = strchr(p, ' ');
		int wl = sp ? (int)(sp - p) : (int)strlen(p);
		if (col > start && col + 1 + wl > width) {
			fprintf(f, "\n%*s", start, "");
			col = start;
		} else if (col > start) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, (size_t)wl, f);
		col += wl;
		p += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* The same at the table's width. */
#define WIDTH 100
static void wrap(FILE *f, int indent, const char *lead, const char *text)
{
	wrap_at(f, WIDTH, indent, lead, text);
}

/* One table row: id, value, what it allows, status; then what it is and
 * where it was read, why it is unknown, how the number follows, and for
 * the binding and needs-change rows the fix lines. */
static void print_item(FILE *f, const struct mc_limits_item *it, bool example)
{
	char a[48], from[320];
	bool show_fix = it->status == MC_LIMITS_BINDING || it->needs_change ||
			it->kind == MC_LIMITS_SPEED;

	fprintf(f, "%-17s %-42s %14s  %s\n", it->id, it->value, allows(it, a, sizeof(a)),
		status_text(it));
	snprintf(from, sizeof(from), "%s, from %s", it->name, it->source);
	wrap(f, 18, "", from);
	if (it->status == MC_LIMITS_UNKNOWN)
		wrap(f, 18, "unknown: ", it->reason);
	if (it->note[0])
		wrap(f, 18, "", it->note);
	for (int i = 0; show_fix && i < it->nfix; i++) {
		bool dbl = example && it->kind != MC_LIMITS_SPEED;
		const char *lead = dbl ? "fix (to double it): " : "fix: ";
		const char *more = dbl ? "                    " : "     ";
		wrap(f, 18, i ? more : lead, it->fix[i]);
	}
}

/* The seeds' argument with this host's numbers. */
static void print_tuple(FILE *f, const struct mc_limits_snap *s,
			const struct mc_limits_scenario *sc, const struct mc_limits_result *r)
{
	char g[32], h[32];

	fputs("\nThe 4-tuple (source IP, source port, destination IP, destination port):\n", f);
	if (r->ports_per_pair) {
		fprintf(
		    f,
		    "  client: each (source IP, destination IP, destination port) has the ports "
		    "%" PRIu64 "-%" PRIu64 "\n"
		    "          = %s connections; 65535 is the most any 16-bit port range could "
		    "give one pair.\n",
		    s->port_lo.v, s->port_hi.v, grp(r->ports_per_pair, g, sizeof(g)));
		fprintf(f,
			"          here: %" PRIu64 " source(s) x %" PRIu64
			" destination(s) x %" PRIu64 " port(s) x %s = %s connections\n",
			sc->sources, sc->dest_addrs, sc->dest_ports, g,
			r->pairs == MC_LIMITS_NONE || r->pairs > UINT64_MAX / r->ports_per_pair
			    ? "more than 2^64"
			    : grp(r->pairs * r->ports_per_pair, h, sizeof(h)));
	} else {
		fputs("  client: the port range could not be read\n", f);
	}
	fputs("  server: a listening port accepts any (client IP, client port): 2^32 x 2^16 = "
	      "2^48\n"
	      "          = 281,474,976,710,656 tuples per listening port, so 65535 is not a "
	      "server ceiling;\n"
	      "          file descriptors, memory and CPU are (the table above).\n",
	      f);
}

void mc_limits_print(FILE *f, const struct mc_limits_snap *s, const struct mc_limits_scenario *sc,
		     const struct mc_limits_result *r)
{
	char sum[768], g[32], b[32], head[1536];
	size_t o;

	o = (size_t)snprintf(
	    head, sizeof(head),
	    "maxconn limits: role %s, model %s, %" PRIu64 " fd table(s) with %" PRIu64
	    " overhead fds, %" PRIu64 " source(s) x %" PRIu64 " destination(s) x %" PRIu64
	    " port(s), traffic %" PRIu64 " B/socket",
	    mc_limits_role_str(sc->role), mc_model_name(sc->model), sc->fd_tables,
	    sc->fd_overhead, sc->sources, sc->dest_addrs, sc->dest_ports, sc->traffic);
	if (sc->target && o < sizeof(head))
		o += (size_t)snprintf(head + o, sizeof(head) - o, ", target %s",
				      grp(sc->target, g, sizeof(g)));
	if (s->pid > 0 && o < sizeof(head))
		snprintf(head + o, sizeof(head) - o, "; rlimits, uid and cgroup of process %d",
			 s->pid);
	wrap(f, 0, "", head);
	o = (size_t)snprintf(head, sizeof(head),
			     "one connection = %" PRIu64 " socket(s), %" PRIu64
			     " fd(s), %s bytes of memory",
			     r->socks_per_conn, r->fds_per_conn, grp(r->conn_bytes, b, sizeof(b)));
	if (o >= sizeof(head))
		o = sizeof(head) - 1;
	snprintf(head + o, sizeof(head) - o, " (kernel bytes per socket %s: %s)", r->sock_source,
		 r->sock_how);
	if (s->cg.mem_limit.err == 0 && s->cg.mem_limit.v != MC_LIMITS_NONE) {
		o = strlen(head);
		snprintf(head + o, sizeof(head) - o,
			 "; its memory cgroup is charged %s bytes of it (%s: %s)",
			 grp(r->cg_conn_bytes, b, sizeof(b)), r->cg_source, r->cg_how);
	}
	wrap(f, 0, "", head);
	fputc('\n', f);
	fprintf(f, "%-17s %-42s %14s  %s\n", "LIMIT", "VALUE", "ALLOWS", "STATUS");
	for (int i = 0; i < r->n; i++)
		print_item(f, &r->items[i], sc->target == 0);

	print_tuple(f, s, sc, r);

	if (sc->target && r->nchanges) {
		fprintf(f, "\nTo reach %s connections, change in this order:\n",
			grp(sc->target, g, sizeof(g)));
		for (int k = 0; k < r->nchanges; k++) {
			const struct mc_limits_item *it = &r->items[r->changes[k]];
			char a[48];
			fprintf(f, "  %d. %s (allows %s now)\n", k + 1, it->id,
				allows(it, a, sizeof(a)));
			for (int i = 0; i < it->nfix; i++)
				wrap(f, 5, "", it->fix[i]);
		}
	}
	mc_limits_summary(sum, sizeof(sum), sc, r);
	fputc('\n', f);
	wrap(f, 0, "", sum);
	fputs("More on a limit: maxconn limits --explain ID\n", f);
}

/* ---- --explain and the list of ids: from the registry ---------------- */

int mc_limits_explain(FILE *f, const char *id)
{
	const struct mc__limit *l = mc__limit_find(id);

	if (!l)
		return -ENOENT;
	fprintf(f, "%s\n\nWhat it is:\n%s\n\nHow it shows when hit:\n%s\n\nHow to raise it:\n%s\n",
		l->id, l->what, l->shows, l->raise);
	return 0;
}

void mc_limits_explain_host(FILE *f, const struct mc_limits_item *it)
{
	char num[32];

	fprintf(f, "\nOn this host, for this scenario:\n");
	wrap(f, 2, "value: ", it->value);
	if (it->kind == MC_LIMITS_CEILING && it->status != MC_LIMITS_UNKNOWN)
		wrap(f, 2, "allows: ",
		     it->conns == MC_LIMITS_NONE ? "no ceiling"
						 : mc_fmt_thousands(it->conns, num, sizeof(num)));
	if (it->reason[0])
		wrap(f, 2, "unknown: ", it->reason);
	if (it->note[0])
		wrap(f, 2, "how: ", it->note);
	for (int i = 0; i < it->nvals; i++) {
		char line[96];
		snprintf(line, sizeof(line), "%s = %s", it->vals[i].key,
			 !it->vals[i].known		 ? "unknown"
			 : it->vals[i].v == MC_LIMITS_NONE ? "none"
							   : mc_fmt_thousands(it->vals[i].v, num,
									      sizeof(num)));
		wrap(f, 2, "read: ", line);
	}
	wrap(f, 2, "from: ", it->source);
}

int mc_limits_ids(char *buf, size_t len)
{
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < mc__nlimits; i++) {
		int n = snprintf(o < len ? buf + o : NULL, o < len ? len - o : 0, "%s%s",
				 i ? ", " : "", mc__limits[i].id);
		if (n < 0)
			return n;
		o += (size_t)n;
	}
	return (int)o;
}

void mc_limits_print_ids(FILE *f, int indent, int width)
{
	char ids[1024];

	mc_limits_ids(ids, sizeof(ids));
	wrap_at(f, width, indent, "", ids);
}
