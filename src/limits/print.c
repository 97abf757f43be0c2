/* print.c: the human output of `maxconn limits`: the table of limits with
 * their values, sources, ceilings, status and fixes; the one-line summary;
 * the 4-tuple arithmetic of the seed articles made concrete for this host;
 * the ordered changes for --target; and the --explain texts. It only formats
 * what judge.c computed. */
#include "limits/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/err.h"
#include "net/cause.h"

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
	else if (it->kind == MC_LIMITS_INFO)
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

/* Print text word-wrapped at WIDTH columns, every line indented by
 * indent spaces, the first one after lead (e.g. "fix: "), the others
 * aligned under it. */
#define WIDTH 100
static void wrap(FILE *f, int indent, const char *lead, const char *text)
{
	int col = fprintf(f, "%*s%s", indent, "", lead);
	int start = col;
	const char *p = text;

	while (*p) {
		const char *sp = strchr(p, ' ');
		int wl = sp ? (int)(sp - p) : (int)strlen(p);
		if (col > start && col + 1 + wl > WIDTH) {
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

/* One table row: id, value, what it allows, status; then what it is and
 * where it was read, why it is unknown, how the number follows, and for
 * the binding and needs-change rows the fix lines. */
static void print_item(FILE *f, const struct mc_limits_item *it, bool example)
{
	char a[48], from[320];
	bool show_fix = it->status == MC_LIMITS_BINDING || it->needs_change;

	fprintf(f, "%-17s %-42s %14s  %s\n", it->id, it->value, allows(it, a, sizeof(a)),
		status_text(it));
	snprintf(from, sizeof(from), "%s, from %s", it->name, it->source);
	wrap(f, 18, "", from);
	if (it->status == MC_LIMITS_UNKNOWN)
		wrap(f, 18, "unknown: ", it->reason);
	if (it->note[0])
		wrap(f, 18, "", it->note);
	for (int i = 0; show_fix && i < it->nfix; i++) {
		const char *lead = example ? "fix (to double it): " : "fix: ";
		const char *more = example ? "                    " : "     ";
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
	char sum[768], g[32], b[32], eb[96], head[512];
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
	if (!r->sock_bytes_default)
		snprintf(head + o, sizeof(head) - o,
			 " (socket size from " MC_LIMITS_P_SLABINFO ")");
	else if (s->slab.err)
		snprintf(head + o, sizeof(head) - o,
			 " (cannot read " MC_LIMITS_P_SLABINFO ": %s; 4.1 KB per socket assumed)",
			 mc_strerror(s->slab.err, eb, sizeof(eb)));
	else
		snprintf(head + o, sizeof(head) - o,
			 " (no TCP cache in " MC_LIMITS_P_SLABINFO "; 4.1 KB per socket assumed)");
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

/* ---- --explain -------------------------------------------------------- */

static const struct {
	const char *id, *what, *shows, *raise;
} explain[] = {
    {MC_LIMIT_PORTS,
     "A TCP connection is the 4-tuple (source IP, source port, destination IP, destination\n"
     "port). connect() gives each new connection a free local port from\n"
     "net.ipv4.ip_local_port_range (minus ip_local_reserved_ports), unique per (source IP,\n"
     "destination IP, destination port). So one such triple allows as many connections as\n"
     "the range has ports (28,232 with the default 32768-60999); 65535 is the 16-bit\n"
     "maximum of that count, not a limit on a server, which accepts 2^48 (client IP, client\n"
     "port) tuples on one listening port. Clients only.",
     "connect() fails with EADDRNOTAVAIL, \"Cannot assign requested address\". No dmesg line.\n"
     "The connect rate collapses as the range fills when bind() picks the port; maxconn\n"
     "client counts failures.EADDRNOTAVAIL and names ephemeral_ports.",
     "More source addresses: maxconn client --source 127.0.0.2-127.0.0.50 (all of\n"
     "127.0.0.0/8 is loopback; elsewhere 'ip addr add ADDR dev IF'); more destination ports\n"
     "or addresses; or a wider range:\n"
     "  sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"\n"
     "  echo 'net.ipv4.ip_local_port_range = 1024 65535' >> /etc/sysctl.d/99-maxconn.conf\n"
     "A client that binds its source address should set IP_BIND_ADDRESS_NO_PORT, or each\n"
     "source address is capped at the range whatever the destinations."},
    {MC_LIMIT_SOURCES,
     "The local addresses a client can use as source IPs. Each gives every destination its\n"
     "own port range. On Linux all of 127.0.0.0/8 is local on lo: 127.0.0.2, 127.0.0.3, ...\n"
     "need no setup.",
     "Too few: ephemeral_ports binds early (EADDRNOTAVAIL).",
     "ip addr add 10.0.0.2/24 dev eth0 (more addresses or a subnet); on loopback nothing\n"
     "to do: maxconn client --source 127.0.0.2-127.0.0.50."},
    {MC_LIMIT_FD_PROCESS,
     "Every socket is a file descriptor. RLIMIT_NOFILE (ulimit -n) caps the descriptors of\n"
     "one fd table: a process, or a thread that called unshare(CLONE_FILES) (each maxconn\n"
     "server worker owns one, so --workers multiplies it). The default 1024 allows about a\n"
     "thousand connections. maxconn counts 8 fds per table as overhead (stdio, epoll,\n"
     "eventfds, the listener and the spare fd kept for EMFILE); --fd-overhead changes it.",
     "accept() and socket() fail with EMFILE, \"Too many open files\" (\"Socket/File: Can't\n"
     "open so many files\"). No dmesg line. A level-triggered listener then spins at 100%\n"
     "CPU unless the program keeps a reserve fd. ls /proc/PID/fd | wc -l shows the count.",
     "Up to the hard limit, no root needed: ulimit -n N (in the shell that starts it).\n"
     "Beyond it (root): /etc/security/limits.conf '* soft nofile N' and '* hard nofile N'\n"
     "(new login sessions; the seeds' 'ulimit -SHn N' in /etc/rc.local does the same at\n"
     "boot), systemd 'LimitNOFILE=N', prlimit --pid PID --nofile=N:N. Never above\n"
     "fs.nr_open. Or more fd tables: maxconn server --workers N."},
    {MC_LIMIT_FD_NR_OPEN,
     "fs.nr_open is the highest value RLIMIT_NOFILE can be set to (default 1048576), and no\n"
     "fd table grows past it. Global (not per network namespace).",
     "ulimit -n / setrlimit fail with EPERM (\"Operation not permitted\"); a limits.conf\n"
     "value above it makes logins fail.",
     "sysctl -w fs.nr_open=N; echo 'fs.nr_open = N' >> /etc/sysctl.d/99-maxconn.conf;\n"
     "then raise RLIMIT_NOFILE. Or more fd tables (maxconn server --workers N)."},
    {MC_LIMIT_FD_SYSTEM,
     "fs.file-max caps open files in the whole system; fs.file-nr shows allocated, unused\n"
     "(always 0 since 2.6) and the max. Every process shares it.",
     "open(), socket(), accept() fail with ENFILE, \"Too many open files in system\";\n"
     "dmesg: \"VFS: file-max limit N reached\".",
     "sysctl -w fs.file-max=N; echo 'fs.file-max = N' >> /etc/sysctl.d/99-maxconn.conf"},
    {MC_LIMIT_EPOLL_WATCHES,
     "fs.epoll.max_user_watches caps the file descriptors one user may have registered\n"
     "in epoll instances, all its processes together. The default is 4% of low memory\n"
     "divided by the cost of a watch (~90 bytes): about 5.5M on a 24 GiB host, which an\n"
     "epoll server and an epoll client on the same host (two watches per connection)\n"
     "reach at about 2.7M connections, before memory does. Global (not per namespace).",
     "epoll_ctl(EPOLL_CTL_ADD) fails with ENOSPC (\"No space left on device\"); a server\n"
     "then closes the accepted socket, and the closed ones pile up as orphans (dmesg:\n"
     "\"TCP: too many orphaned sockets\").",
     "sysctl -w fs.epoll.max_user_watches=N; echo 'fs.epoll.max_user_watches = N' >>\n"
     "/etc/sysctl.d/99-maxconn.conf. Or run the two ends as different users."},
    {MC_LIMIT_FD_USER,
     "Per-user and per-group lines in /etc/security/limits.conf and limits.d/*.conf (the\n"
     "seeds' user-level limit): pam_limits applies nofile and nproc at login. Services\n"
     "started by systemd ignore them (use LimitNOFILE=).",
     "As the rlimits of processes started from a new login (fd_process, nproc).",
     "'* soft nofile N' and '* hard nofile N' (or a user or @group), then log in again."},
    {MC_LIMIT_MEMORY,
     "Every socket costs kernel memory even when idle: the tcp_sock (about 2.5 KB), the\n"
     "socket inode (0.86 KB), a dentry and a file (0.2 KB each) and an epoll item: about\n"
     "4 KB, read from /proc/slabinfo (4.1 KB assumed when it is unreadable). Traffic adds\n"
     "the buffers (tcp_rmem, tcp_wmem). maxconn keeps 5% of RAM (at least 64 MiB) free.",
     "socket() and accept() fail with ENOMEM or ENOBUFS; dmesg: \"TCP: out of memory --\n"
     "consider tuning tcp_mem\", then the OOM killer: \"Out of memory: Killed process\".\n"
     "Slab in /proc/meminfo grows, MemAvailable falls.",
     "Add memory or free it; less buffer memory per connection (smaller tcp_rmem and\n"
     "tcp_wmem maximums); more hosts behind a load balancer."},
    {MC_LIMIT_CGROUP_MEMORY,
     "A container's memory limit: memory.max (cgroup v2) or memory.limit_in_bytes (v1),\n"
     "the lowest on the path to the root. Socket memory is charged to the cgroup.",
     "The OOM killer inside the cgroup: dmesg \"Memory cgroup out of memory: Killed\n"
     "process\"; memory.events oom_kill (v2) or memory.failcnt (v1) count up.",
     "echo N > /sys/fs/cgroup/PATH/memory.max; systemd MemoryMax=N; docker --memory N;\n"
     "Kubernetes resources.limits.memory."},
    {MC_LIMIT_TCP_MEM,
     "net.ipv4.tcp_mem: pages all TCP sockets may use for buffers (min, pressure, max).\n"
     "Idle connections hold none; connections with traffic hold up to tcp_rmem/tcp_wmem.",
     "Above pressure the kernel shrinks buffers (TCPMemoryPressures in /proc/net/netstat);\n"
     "above max dmesg \"TCP: out of memory -- consider tuning tcp_mem\", sends stall and\n"
     "packets are dropped. /proc/net/sockstat 'mem' is the pages in use.",
     "sysctl -w net.ipv4.tcp_mem=\"MIN PRESSURE MAX\" (pages), and the sysctl.d line."},
    {MC_LIMIT_CONNTRACK,
     "Netfilter connection tracking keeps an entry per connection when a rule asks for it\n"
     "(stateful firewall, NAT, docker). The table holds nf_conntrack_max entries (global;\n"
     "the seeds' net.ipv4.ip_conntrack_max and net.ipv4.netfilter.ip_conntrack_max on old\n"
     "kernels). Nothing tracked: no limit.",
     "New connections time out (ETIMEDOUT): their SYNs are dropped; dmesg \"nf_conntrack:\n"
     "table full, dropping packet\"; nf_conntrack_count equals nf_conntrack_max;\n"
     "'conntrack -S' counts drop. Established connections are unaffected.",
     "sysctl -w net.netfilter.nf_conntrack_max=N (and nf_conntrack_buckets), sysctl.d\n"
     "line; or exempt the traffic: iptables -t raw -I PREROUTING -p tcp --dport P -j CT\n"
     "--notrack (and OUTPUT)."},
    {MC_LIMIT_ACCEPTQ,
     "Connections that finished the handshake but are not accept()ed yet wait in the\n"
     "listen socket's queue: min(backlog, net.core.somaxconn) + 1 of them. It caps how many\n"
     "can wait, not how many are held. tcp_max_syn_backlog sizes the half-open queue;\n"
     "tcp_syncookies answers SYN floods without it.",
     "Counters ListenOverflows and ListenDrops in /proc/net/netstat (nstat -az\n"
     "TcpExtListenOverflows); ss -ltn shows Recv-Q (waiting) and Send-Q (the size).\n"
     "Clients see slow connects (SYN retransmits after 1 s, 3 s, ...) or ETIMEDOUT; dmesg\n"
     "\"possible SYN flooding on port P. Sending cookies.\"",
     "sysctl -w net.core.somaxconn=N and listen with that backlog (maxconn server\n"
     "--backlog N); accept faster (more workers)."},
    {MC_LIMIT_THREADS,
     "kernel.threads-max: threads in the whole system. A thread-per-connection server needs\n"
     "one per connection (the C10K problem): each costs a 16 KiB kernel stack, a task and\n"
     "stack pages, and the scheduler's context switches slow everything down long before.\n"
     "IO multiplexing (epoll) serves all connections with a few threads.",
     "pthread_create() and clone() fail with EAGAIN, \"Resource temporarily unavailable\";\n"
     "before that, context switches (vmstat cs) and latency climb.",
     "sysctl -w kernel.threads-max=N; better: an epoll server (--model epoll)."},
    {MC_LIMIT_PID_MAX,
     "kernel.pid_max: every thread takes an id below it (at most 4194304 on 64 bits).",
     "clone() fails with EAGAIN.", "sysctl -w kernel.pid_max=4194304"},
    {MC_LIMIT_NPROC,
     "RLIMIT_NPROC (ulimit -u): threads and processes of one user. Not enforced for root.",
     "clone() fails with EAGAIN; bash: \"fork: retry: Resource temporarily unavailable\".",
     "ulimit -u N; limits.conf '* - nproc N'; systemd LimitNPROC=N."},
    {MC_LIMIT_CGROUP_PIDS,
     "pids.max of the cgroup (containers, systemd TasksMax=): threads and processes.",
     "clone() fails with EAGAIN; dmesg \"cgroup: fork rejected by pids controller\";\n"
     "pids.events 'max' counts up.",
     "echo N > /sys/fs/cgroup/PATH/pids.max; systemd TasksMax=N; docker --pids-limit N."},
    {MC_LIMIT_THREAD_STACK,
     "Each thread reserves RLIMIT_STACK (ulimit -s, default 8 MiB) of address space for its\n"
     "stack. Only touched pages are resident, so it binds when memory is not overcommitted\n"
     "(vm.overcommit_memory=2) or the address space runs out.",
     "pthread_create() fails with EAGAIN or ENOMEM.",
     "ulimit -s 256 (KiB), or pthread_attr_setstacksize; or an epoll server."},
    {MC_LIMIT_CPU,
     "Idle connections cost no CPU. CPU bounds how fast connections are opened and how much\n"
     "traffic they carry (the seeds' last limit: at 100% the machine freezes). A cgroup\n"
     "quota (cpu.max) lowers it.",
     "The connect or accept rate stops growing, latency rises, top shows 100% (much of it\n"
     "softirq); connections time out.",
     "More cores or hosts; fewer wakeups per connection; more workers (SO_REUSEPORT)."},
    {MC_LIMIT_TIME_WAIT,
     "A closed connection's port stays in TIME_WAIT for 60 s on the side that closed first;\n"
     "net.ipv4.tcp_tw_reuse lets connect() reuse it (1: always, 2: loopback only, the\n"
     "default). tcp_max_tw_buckets caps TIME_WAIT sockets; tcp_fin_timeout is FIN_WAIT_2.\n"
     "Held connections never enter TIME_WAIT: churn, not concurrency.",
     "EADDRNOTAVAIL sooner for a client that reconnects; dmesg \"TCP: time wait bucket\n"
     "table overflow\".",
     "sysctl -w net.ipv4.tcp_tw_reuse=1; keep connections open instead of reconnecting."},
    {MC_LIMIT_ORPHANS,
     "Sockets the program closed but TCP has not finished (FIN_WAIT, LAST_ACK), up to\n"
     "net.ipv4.tcp_max_orphans.",
     "dmesg \"TCP: too many orphaned sockets\"; the kernel resets them.",
     "sysctl -w net.ipv4.tcp_max_orphans=N"},
};

const char *mc_limits_explain_ids(void)
{
	return MC_LIMIT_PORTS
	    ", " MC_LIMIT_SOURCES ", " MC_LIMIT_FD_PROCESS ", " MC_LIMIT_FD_NR_OPEN
	    ", " MC_LIMIT_FD_SYSTEM ", " MC_LIMIT_EPOLL_WATCHES ", " MC_LIMIT_FD_USER ", " MC_LIMIT_MEMORY
	    ", " MC_LIMIT_CGROUP_MEMORY ", " MC_LIMIT_TCP_MEM ", " MC_LIMIT_CONNTRACK
	    ", " MC_LIMIT_ACCEPTQ ", " MC_LIMIT_THREADS ", " MC_LIMIT_PID_MAX
	    ", " MC_LIMIT_NPROC ", " MC_LIMIT_CGROUP_PIDS ", " MC_LIMIT_THREAD_STACK
	    ", " MC_LIMIT_CPU ", " MC_LIMIT_TIME_WAIT ", " MC_LIMIT_ORPHANS;
}

int mc_limits_explain(FILE *f, const char *id)
{
	for (size_t i = 0; i < sizeof(explain) / sizeof(explain[0]); i++) {
		if (strcmp(explain[i].id, id) != 0)
			continue;
		fprintf(
		    f,
		    "%s\n\nWhat it is:\n%s\n\nHow it shows when hit:\n%s\n\nHow to raise it:\n%s\n",
		    id, explain[i].what, explain[i].shows, explain[i].raise);
		return 0;
	}
	return -ENOENT;
}
