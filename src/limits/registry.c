/* registry.c: the one table of limits. Each entry binds a stable id
 * (common/limit-t.h) to its name, where it is read from and its kind (what
 * the table and --json show), the function that judges it (judge_*.c), and
 * the three texts of --explain: what it is, how it shows when hit, how to
 * raise it. mc_limits_judge walks it in order to build the table;
 * --explain and the list of valid ids read it too. To add a limit: an id
 * in common/limit-t.h, a judge function in the judge_*.c of its family
 * (declared in judge-int.h), and one entry here; tests/unit/
 * test_limits_registry.c checks the table is whole. */
#include "limits/registry-int.h"

#include <assert.h>
#include <string.h>

#include "limits/judge-int.h"

const struct mc__limit mc__limits[] = {
    {
	.id = MC_LIMIT_PORTS,
	.name = "ephemeral ports per (source, destination) pair",
	.source = MC_HOST_P_PORT_RANGE,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_ports,
	.what =
	    "A TCP connection is the 4-tuple (source IP, source port, destination IP, destination\n"
	    "port). connect() gives each new connection a free local port from\n"
	    "net.ipv4.ip_local_port_range (minus ip_local_reserved_ports), unique per (source IP,\n"
	    "destination IP, destination port). So one such triple allows as many connections as\n"
	    "the range has ports (28,232 with the default 32768-60999); 65535 is the 16-bit\n"
	    "maximum of that count, not a limit on a server, which accepts 2^48 (client IP, "
	    "client\n"
	    "port) tuples on one listening port. Clients only.",
	.shows =
	    "connect() fails with EADDRNOTAVAIL, \"Cannot assign requested address\". No dmesg "
	    "line.\n"
	    "The connect rate collapses as the range fills when bind() picks the port; maxconn\n"
	    "client counts failures.EADDRNOTAVAIL and names ephemeral_ports.",
	.raise =
	    "More source addresses: maxconn client --source 127.0.0.2-127.0.0.50 (all of\n"
	    "127.0.0.0/8 is loopback; elsewhere 'ip addr add ADDR dev IF'); more destination "
	    "ports\n"
	    "or addresses; or a wider range:\n"
	    "  sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"\n"
	    "  echo 'net.ipv4.ip_local_port_range = 1024 65535' >> /etc/sysctl.d/99-maxconn.conf\n"
	    "A client that binds its source address should set IP_BIND_ADDRESS_NO_PORT, or each\n"
	    "source address is capped at the range whatever the destinations.",
    },
    {
	.id = MC_LIMIT_SOURCES,
	.name = "local addresses usable as sources",
	.source = MC_LIMITS_P_FIB_TRIE ", " MC_LIMITS_P_IF_INET6,
	.kind = MC_LIMITS_INFO,
	.judge = mc__judge_sources,
	.what =
	    "The local addresses a client can use as source IPs. Each gives every destination its\n"
	    "own port range. On Linux all of 127.0.0.0/8 is local on lo: 127.0.0.2, 127.0.0.3, "
	    "...\n"
	    "need no setup.",
	.shows = "Too few: ephemeral_ports binds early (EADDRNOTAVAIL).",
	.raise =
	    "ip addr add 10.0.0.2/24 dev eth0 (more addresses or a subnet); on loopback nothing\n"
	    "to do: maxconn client --source 127.0.0.2-127.0.0.50.",
    },
    {
	.id = MC_LIMIT_MIDDLEBOX,
	.name = "ports of a NAT or proxy address per destination",
	.source = "--via, or this host's nat rules",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_middlebox,
	.what =
	    "A source NAT (masquerade, snat: Docker, Kubernetes, a NAT gateway) or a reverse\n"
	    "proxy (nginx) opens the connections to the server from its own address(es). Toward\n"
	    "one destination ip:port each such address has one port range, whatever the\n"
	    "clients behind it: the rule's range ('masquerade to :A-B'), else netfilter's\n"
	    "1024-65535 (64,512); for a proxy its host's ip_local_port_range. So the path holds\n"
	    "addresses x destinations x ports. Describe it with --via snat|proxy[:ADDR,...]\n"
	    "[:LO-HI]; on the router, --via snat reads the rule.",
	.shows =
	    "Through NAT: new connections time out (SYNs dropped, the client retransmits them);\n"
	    "the server sees no listen overflow and its count stays flat; on the router\n"
	    "'conntrack -S' (/proc/net/stat/nf_conntrack) counts insert_failed and drop. Through\n"
	    "nginx: its error log says \"(99: Cannot assign requested address) while connecting\n"
	    "to upstream\" and clients get 502 (http) or a closed connection (stream).",
	.raise =
	    "More NAT addresses: an address pool, nft 'snat to 10.0.1.1-10.0.1.4' (iptables -j\n"
	    "SNAT --to-source 10.0.1.1-10.0.1.4); more destination ports or addresses on the\n"
	    "server; for nginx proxy_bind over several source addresses (split_clients or a map\n"
	    "keyed on $remote_port choosing among them), more upstream servers, or upstream\n"
	    "keepalive so client connections share upstream ones; a wider range.",
    },
    {
	.id = MC_LIMIT_FD_PROCESS,
	.name = "open files per process (RLIMIT_NOFILE, ulimit -n)",
	.source = "getrlimit(RLIMIT_NOFILE)",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_fd_process,
	.what =
	    "Every socket is a file descriptor. RLIMIT_NOFILE (ulimit -n) caps the descriptors of\n"
	    "one fd table: a process, or a thread that called unshare(CLONE_FILES) (each maxconn\n"
	    "server worker owns one, so --workers multiplies it). The default 1024 allows about a\n"
	    "thousand connections. maxconn counts 8 fds per table as overhead (stdio, epoll,\n"
	    "eventfds, the listener and the spare fd kept for EMFILE); --fd-overhead changes it.",
	.shows =
	    "accept() and socket() fail with EMFILE, \"Too many open files\" (\"Socket/File: "
	    "Can't\n"
	    "open so many files\"). No dmesg line. A level-triggered listener then spins at 100%\n"
	    "CPU unless the program keeps a reserve fd. ls /proc/PID/fd | wc -l shows the count.",
	.raise =
	    "Up to the hard limit, no root needed: ulimit -n N (in the shell that starts it).\n"
	    "Beyond it (root): /etc/security/limits.conf '* soft nofile N' and '* hard nofile N'\n"
	    "(new login sessions; the seeds' 'ulimit -SHn N' in /etc/rc.local does the same at\n"
	    "boot), systemd 'LimitNOFILE=N', prlimit --pid PID --nofile=N:N. Never above\n"
	    "fs.nr_open. Or more fd tables: maxconn server --workers N.",
    },
    {
	.id = MC_LIMIT_FD_NR_OPEN,
	.name = "highest RLIMIT_NOFILE allowed (fs.nr_open)",
	.source = MC_LIMITS_P_NR_OPEN,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_fd_nr_open,
	.what = "fs.nr_open is the highest value RLIMIT_NOFILE can be set to (default 1048576), "
		"and no\n"
		"fd table grows past it. Global (not per network namespace).",
	.shows =
	    "ulimit -n / setrlimit fail with EPERM (\"Operation not permitted\"); a limits.conf\n"
	    "value above it makes logins fail.",
	.raise = "sysctl -w fs.nr_open=N; echo 'fs.nr_open = N' >> /etc/sysctl.d/99-maxconn.conf;\n"
		 "then raise RLIMIT_NOFILE. Or more fd tables (maxconn server --workers N).",
    },
    {
	.id = MC_LIMIT_FD_SYSTEM,
	.name = "open files system-wide (fs.file-max)",
	.source = MC_LIMITS_P_FILE_MAX " and file-nr",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_fd_system,
	.what =
	    "fs.file-max caps open files in the whole system; fs.file-nr shows allocated, unused\n"
	    "(always 0 since 2.6) and the max. Every process shares it.",
	.shows = "open(), socket(), accept() fail with ENFILE, \"Too many open files in system\";\n"
		 "dmesg: \"VFS: file-max limit N reached\".",
	.raise = "sysctl -w fs.file-max=N; echo 'fs.file-max = N' >> /etc/sysctl.d/99-maxconn.conf",
    },
    {
	.id = MC_LIMIT_EPOLL_WATCHES,
	.name = "epoll watches per user (fs.epoll.max_user_watches)",
	.source = MC_LIMITS_P_EPOLL_WATCHES,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_epoll_watches,
	.what =
	    "fs.epoll.max_user_watches caps the file descriptors one user may have registered\n"
	    "in epoll instances, all its processes together. The default is 4% of low memory\n"
	    "divided by the cost of a watch (~90 bytes): about 5.5M on a 24 GiB host, which an\n"
	    "epoll server and an epoll client on the same host (two watches per connection)\n"
	    "reach at about 2.7M connections, before memory does. Global (not per namespace).",
	.shows =
	    "epoll_ctl(EPOLL_CTL_ADD) fails with ENOSPC (\"No space left on device\"); a server\n"
	    "then closes the accepted socket, and the closed ones pile up as orphans (dmesg:\n"
	    "\"TCP: too many orphaned sockets\").",
	.raise = "sysctl -w fs.epoll.max_user_watches=N; echo 'fs.epoll.max_user_watches = N' >>\n"
		 "/etc/sysctl.d/99-maxconn.conf. Or run the two ends as different users.",
    },
    {
	.id = MC_LIMIT_FD_USER,
	.name = "per-user limits (limits.conf, limits.d)",
	.source = MC_LIMITS_P_LIMITS_CONF,
	.kind = MC_LIMITS_INFO,
	.judge = mc__judge_fd_user,
	.what =
	    "Per-user and per-group lines in /etc/security/limits.conf and limits.d/*.conf (the\n"
	    "seeds' user-level limit): pam_limits applies nofile and nproc at login. Services\n"
	    "started by systemd ignore them (use LimitNOFILE=).",
	.shows = "As the rlimits of processes started from a new login (fd_process, nproc).",
	.raise =
	    "'* soft nofile N' and '* hard nofile N' (or a user or @group), then log in again.",
    },
    {
	.id = MC_LIMIT_MEMORY,
	.name = "kernel memory for sockets (MemAvailable)",
	.source = MC_HOST_P_MEMINFO ", a calibration (" MC_HOST_P_SLABINFO ")",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_memory,
	.what =
	    "Every socket costs kernel memory even when idle: the tcp_sock (about 2.5 KB), the\n"
	    "socket inode (0.86 KB), a dentry and a file (0.2 KB each) and an epoll item: about\n"
	    "4 KB. A calibration measures it per side (1,000 loopback connections a round in a\n"
	    "private namespace: every /proc/slabinfo cache's growth; assumed where it cannot run:\n"
	    "not root). Traffic adds the buffers (tcp_rmem, tcp_wmem). maxconn keeps 5% of RAM\n"
	    "(at least 64 MiB) free.",
	.shows =
	    "socket() and accept() fail with ENOMEM or ENOBUFS; dmesg: \"TCP: out of memory --\n"
	    "consider tuning tcp_mem\", then the OOM killer: \"Out of memory: Killed process\".\n"
	    "Slab in /proc/meminfo grows, MemAvailable falls.",
	.raise = "Add memory or free it; less buffer memory per connection (smaller tcp_rmem and\n"
		 "tcp_wmem maximums); more hosts behind a load balancer.",
    },
    {
	.id = MC_LIMIT_CGROUP_MEMORY,
	.name = "cgroup memory limit (memory.max)",
	.source = MC_LIMITS_P_CGROUP,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_cgroup_memory,
	.what =
	    "A container's memory limit: memory.max (cgroup v2) or memory.limit_in_bytes (v1),\n"
	    "the lowest on the path to the root. Socket memory is charged to the cgroup.",
	.shows = "The OOM killer inside the cgroup: dmesg \"Memory cgroup out of memory: Killed\n"
		 "process\"; memory.events oom_kill (v2) or memory.failcnt (v1) count up.",
	.raise =
	    "echo N > /sys/fs/cgroup/PATH/memory.max; systemd MemoryMax=N; docker --memory N;\n"
	    "Kubernetes resources.limits.memory.",
    },
    {
	.id = MC_LIMIT_TCP_MEM,
	.name = "TCP buffer memory (net.ipv4.tcp_mem)",
	.source = MC_LIMITS_P_TCP_MEM,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_tcp_mem,
	.what =
	    "net.ipv4.tcp_mem: pages all TCP sockets may use for buffers (min, pressure, max).\n"
	    "Idle connections hold none; connections with traffic hold up to tcp_rmem/tcp_wmem.\n"
	    "With --traffic SIZE the bytes a reader leaves unread cost their skbs' truesize in\n"
	    "whole pages (its receive queue; past its window the writer's send queue): measured\n"
	    "here by a calibration in a private network namespace (SO_MEMINFO of each socket),\n"
	    "16 KiB -> 20 KiB on Linux 6.18 x86_64. tcp_mem is global: the pages in use now are\n"
	    "subtracted.",
	.shows =
	    "Above pressure the kernel shrinks buffers (TCPMemoryPressures in /proc/net/netstat);\n"
	    "above max dmesg \"TCP: out of memory -- consider tuning tcp_mem\", sends stall and\n"
	    "packets are dropped. /proc/net/sockstat 'mem' is the pages in use.",
	.raise = "sysctl -w net.ipv4.tcp_mem=\"MIN PRESSURE MAX\" (pages), and the sysctl.d line.",
    },
    {
	.id = MC_LIMIT_CONNTRACK,
	.name = "connection tracking table (nf_conntrack_max)",
	.source = MC_HOST_P_CT_MAX,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_conntrack,
	.what =
	    "Netfilter connection tracking keeps an entry per connection when a rule asks for it\n"
	    "(stateful firewall, NAT, docker). The table holds nf_conntrack_max entries (global;\n"
	    "the seeds' net.ipv4.ip_conntrack_max and net.ipv4.netfilter.ip_conntrack_max on old\n"
	    "kernels). Nothing tracked: no limit.",
	.shows =
	    "New connections time out (ETIMEDOUT): their SYNs are dropped; dmesg \"nf_conntrack:\n"
	    "table full, dropping packet\"; nf_conntrack_count equals nf_conntrack_max;\n"
	    "'conntrack -S' counts drop. Established connections are unaffected.",
	.raise =
	    "sysctl -w net.netfilter.nf_conntrack_max=N (and nf_conntrack_buckets), sysctl.d\n"
	    "line; or exempt the traffic: iptables -t raw -I PREROUTING -p tcp --dport P -j CT\n"
	    "--notrack (and OUTPUT).",
    },
    {
	.id = MC_LIMIT_THREADS,
	.name = "threads system-wide (kernel.threads-max)",
	.source = MC_LIMITS_P_THREADS_MAX,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_threads,
	.what =
	    "kernel.threads-max: threads in the whole system. A thread-per-connection server "
	    "needs\n"
	    "one per connection (the C10K problem): each costs a 16 KiB kernel stack, a task and\n"
	    "stack pages, and the scheduler's context switches slow everything down long before.\n"
	    "IO multiplexing (epoll) serves all connections with a few threads.",
	.shows =
	    "pthread_create() and clone() fail with EAGAIN, \"Resource temporarily unavailable\";\n"
	    "before that, context switches (vmstat cs) and latency climb.",
	.raise = "sysctl -w kernel.threads-max=N; better: an epoll server (--model epoll).",
    },
    {
	.id = MC_LIMIT_PID_MAX,
	.name = "thread ids (kernel.pid_max)",
	.source = MC_LIMITS_P_PID_MAX,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_pid_max,
	.what = "kernel.pid_max: every thread takes an id below it (at most 4194304 on 64 bits).",
	.shows = "clone() fails with EAGAIN.",
	.raise = "sysctl -w kernel.pid_max=4194304",
    },
    {
	.id = MC_LIMIT_NPROC,
	.name = "threads per user (RLIMIT_NPROC, ulimit -u)",
	.source = "getrlimit(RLIMIT_NPROC)",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_nproc,
	.what =
	    "RLIMIT_NPROC (ulimit -u): threads and processes of one user. Not enforced for root.",
	.shows =
	    "clone() fails with EAGAIN; bash: \"fork: retry: Resource temporarily unavailable\".",
	.raise = "ulimit -u N; limits.conf '* - nproc N'; systemd LimitNPROC=N.",
    },
    {
	.id = MC_LIMIT_CGROUP_PIDS,
	.name = "cgroup task limit (pids.max)",
	.source = MC_LIMITS_P_CGROUP,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_cgroup_pids,
	.what = "pids.max of the cgroup (containers, systemd TasksMax=): threads and processes.",
	.shows = "clone() fails with EAGAIN; dmesg \"cgroup: fork rejected by pids controller\";\n"
		 "pids.events 'max' counts up.",
	.raise =
	    "echo N > /sys/fs/cgroup/PATH/pids.max; systemd TasksMax=N; docker --pids-limit N.",
    },
    {
	.id = MC_LIMIT_THREAD_STACK,
	.name = "thread stacks (RLIMIT_STACK, ulimit -s)",
	.source = "getrlimit(RLIMIT_STACK)",
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_thread_stack,
	.what =
	    "Each thread reserves RLIMIT_STACK (ulimit -s, default 8 MiB) of address space for "
	    "its\n"
	    "stack. Only touched pages are resident, so it binds when memory is not overcommitted\n"
	    "(vm.overcommit_memory=2) or the address space runs out.",
	.shows = "pthread_create() fails with EAGAIN or ENOMEM.",
	.raise = "ulimit -s 256 (KiB), or pthread_attr_setstacksize; or an epoll server.",
    },
    {
	.id = MC_LIMIT_MAP_COUNT,
	.name = "memory maps per process (vm.max_map_count)",
	.source = MC_LIMITS_P_MAP_COUNT,
	.kind = MC_LIMITS_CEILING,
	.judge = mc__judge_map_count,
	.what =
	    "vm.max_map_count caps the memory maps (VMAs) of one process, 65530 by default.\n"
	    "Every thread maps its stack and a guard page below it: two maps, so a\n"
	    "thread-per-connection server stops at about (65530 - its other maps) / 2\n"
	    "connections, less when the process already holds many maps (a JVM, a big\n"
	    "allocator arena, mmap'd files). /proc/PID/maps has one line per map.",
	.shows = "pthread_create() fails with EAGAIN (glibc cannot map the stack; mmap says\n"
		 "ENOMEM); wc -l /proc/PID/maps reaches vm.max_map_count. No dmesg line.",
	.raise = "sysctl -w vm.max_map_count=N; echo 'vm.max_map_count = N' >>\n"
		 "/etc/sysctl.d/99-maxconn.conf. Better: an epoll server (--model epoll).",
    },
    {
	.id = MC_LIMIT_ACCEPTQ,
	.name = "accept queue per listen socket (somaxconn)",
	.source = MC_LIMITS_P_SOMAXCONN,
	.kind = MC_LIMITS_QUEUE,
	.judge = mc__judge_acceptq,
	.what = "Connections that finished the handshake but are not accept()ed yet wait in the\n"
		"listen socket's queue: min(backlog, net.core.somaxconn) + 1 of them. It caps how "
		"many\n"
		"can wait, not how many are held. tcp_max_syn_backlog sizes the half-open queue;\n"
		"tcp_syncookies answers SYN floods without it.",
	.shows =
	    "Counters ListenOverflows and ListenDrops in /proc/net/netstat (nstat -az\n"
	    "TcpExtListenOverflows); ss -ltn shows Recv-Q (waiting) and Send-Q (the size).\n"
	    "Clients see slow connects (SYN retransmits after 1 s, 3 s, ...) or ETIMEDOUT; dmesg\n"
	    "\"possible SYN flooding on port P. Sending cookies.\"",
	.raise = "sysctl -w net.core.somaxconn=N and listen with that backlog (maxconn server\n"
		 "--backlog N); accept faster (more workers).",
    },
    {
	.id = MC_LIMIT_CPU,
	.name = "CPUs",
	.source = "sched_getaffinity, cgroup cpu quota",
	.kind = MC_LIMITS_INFO,
	.judge = mc__judge_cpu,
	.what =
	    "Idle connections cost no CPU. CPU bounds how fast connections are opened and how "
	    "much\n"
	    "traffic they carry (the seeds' last limit: at 100% the machine freezes). A cgroup\n"
	    "quota (cpu.max) lowers it. With --heartbeat D it is a ceiling: usable CPUs (or\n"
	    "the quota) less what other work takes (threads spinning on each CPU for 0.3 s),\n"
	    "less 20% headroom / (messages per second per connection x the CPU one message\n"
	    "costs at this host's ends with --model's server, measured by a calibration in a\n"
	    "private network namespace). Add --heartbeat D to see the arithmetic for this host.",
	.shows =
	    "The connect or accept rate stops growing, latency rises, top shows 100% (much of it\n"
	    "softirq); connections time out.",
	.raise = "More cores or hosts; fewer wakeups per connection; more workers (SO_REUSEPORT).",
    },
    {
	.id = MC_LIMIT_TIME_WAIT,
	.name = "TIME_WAIT and churn (tcp_tw_reuse, tcp_fin_timeout)",
	.source = MC_LIMITS_P_TW_REUSE,
	.kind = MC_LIMITS_INFO,
	.judge = mc__judge_time_wait,
	.what =
	    "A closed connection's port stays in TIME_WAIT for 60 s on the side that closed "
	    "first;\n"
	    "net.ipv4.tcp_tw_reuse lets connect() reuse it (1: always, 2: loopback only, the\n"
	    "default). tcp_max_tw_buckets caps TIME_WAIT sockets; tcp_fin_timeout is FIN_WAIT_2.\n"
	    "Held connections never enter TIME_WAIT: churn, not concurrency.",
	.shows =
	    "EADDRNOTAVAIL sooner for a client that reconnects; dmesg \"TCP: time wait bucket\n"
	    "table overflow\".",
	.raise =
	    "sysctl -w net.ipv4.tcp_tw_reuse=1; keep connections open instead of reconnecting.",
    },
    {
	.id = MC_LIMIT_ORPHANS,
	.name = "orphaned sockets (tcp_max_orphans)",
	.source = MC_LIMITS_P_ORPHANS,
	.kind = MC_LIMITS_INFO,
	.judge = mc__judge_orphans,
	.what = "Sockets the program closed but TCP has not finished (FIN_WAIT, LAST_ACK), up to\n"
		"net.ipv4.tcp_max_orphans.",
	.shows = "dmesg \"TCP: too many orphaned sockets\"; the kernel resets them.",
	.raise = "sysctl -w net.ipv4.tcp_max_orphans=N",
    },
    {
	/* after every ceiling: without --target it is judged at theirs */
	.id = MC_LIMIT_EHASH,
	.name = "established-connection hash (tcp_ehash_entries): a speed, not a count",
	.source = MC_HOST_P_EHASH,
	.kind = MC_LIMITS_SPEED,
	.judge = mc__judge_ehash,
	.what =
	    "The kernel finds the socket of every incoming segment, and checks every connect()'s\n"
	    "4-tuple is unique, in a hash of connected sockets whose bucket count is fixed at boot\n"
	    "(net.ipv4.tcp_ehash_entries; about one per 128 KiB of memory, 262,144 on 24 GiB).\n"
	    "It caps no count: past one socket per bucket each lookup walks a longer chain, and\n"
	    "at millions connecting and every packet slow down. Since Linux 5.19 a network\n"
	    "namespace can have its own, sized by net.ipv4.tcp_child_ehash_entries in its parent\n"
	    "when it is made (0, the default: it shares the host's; tcp_ehash_entries is then\n"
	    "negative inside it).",
	.shows =
	    "No error: the connect rate falls as connections pile up (on 2 cores, Linux 6.18:\n"
	    "~48k/s at the start, ~13k/s at 5.2M sockets on 262,144 buckets), softirq time grows\n"
	    "(perf: __inet_lookup_established, inet_ehash_nolisten).",
	.raise = "The host's: the boot parameter thash_entries=N (a power of two near twice the\n"
		 "sockets) on the kernel command line, then reboot. A container's or namespace's:\n"
		 "  sysctl -w net.ipv4.tcp_child_ehash_entries=N   (in the parent; 2^24 at most)\n"
		 "then create the namespace (ip netns add, unshare -n, the container) and set it\n"
		 "back to 0. maxconn probe sizes its own namespaces so.",
    },
};

const size_t mc__nlimits = sizeof(mc__limits) / sizeof(mc__limits[0]);

static_assert(sizeof(mc__limits) / sizeof(mc__limits[0]) <= MC_LIMITS_MAX_ITEMS,
	      "struct mc_limits_result holds one item per limit");

const struct mc__limit *mc__limit_find(const char *id)
{
	for (size_t i = 0; i < mc__nlimits; i++)
		if (strcmp(mc__limits[i].id, id) == 0)
			return &mc__limits[i];
	return NULL;
}
