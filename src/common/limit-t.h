/* limit-t.h: the stable ids of every host limit, types only.
 *
 * One vocabulary for client, server, limits, probe and their JSON output:
 * a failure seen at run time (net/cause.c) names the same id that
 * `maxconn limits` judged and the probe's report shows. Nothing here but
 * the ids, so any layer can include it without pulling code. */
#ifndef MC_COMMON_LIMIT_T_H
#define MC_COMMON_LIMIT_T_H

#define MC_LIMIT_PORTS          "ephemeral_ports"
#define MC_LIMIT_SOURCES        "source_addresses"
#define MC_LIMIT_MIDDLEBOX      "middlebox_ports"
#define MC_LIMIT_TIME_WAIT      "time_wait"
#define MC_LIMIT_FD_PROCESS     "fd_process"
#define MC_LIMIT_FD_NR_OPEN     "fd_nr_open"
#define MC_LIMIT_FD_USER        "fd_user"
#define MC_LIMIT_FD_SYSTEM      "fd_system"
#define MC_LIMIT_ACCEPTQ        "accept_queue"
#define MC_LIMIT_CONNTRACK      "conntrack"
#define MC_LIMIT_MEMORY         "memory"
#define MC_LIMIT_CGROUP_MEMORY  "cgroup_memory"
#define MC_LIMIT_TCP_MEM        "tcp_mem"
#define MC_LIMIT_ORPHANS        "orphans"
#define MC_LIMIT_EPOLL_WATCHES  "epoll_watches"
#define MC_LIMIT_THREADS        "threads"
#define MC_LIMIT_PID_MAX        "pid_max"
#define MC_LIMIT_NPROC          "nproc"
#define MC_LIMIT_CGROUP_PIDS    "cgroup_pids"
#define MC_LIMIT_THREAD_STACK   "thread_stack"
#define MC_LIMIT_MAP_COUNT      "max_map_count"
#define MC_LIMIT_CPU            "cpu"
#define MC_LIMIT_EHASH          "ehash"

#endif
