/* names.h: the names of the Prometheus families that maxconn writes in one
 * place and reads in another (a maxconn server's or the host's page, read
 * back by `probe --server-metrics`), so writer and reader cannot drift.
 * Families only one side uses are named where they are written. */
#ifndef MC_METRICS_NAMES_H
#define MC_METRICS_NAMES_H

/* metrics/host.c: the host's sockets, listen queue and memory */
#define MC_FAM_HOST_TCP_INUSE	     "maxconn_host_tcp_sockets_in_use"
#define MC_FAM_HOST_TCP_TW	     "maxconn_host_tcp_sockets_time_wait"
#define MC_FAM_HOST_LISTEN_OVERFLOWS "maxconn_host_listen_overflows_total"
#define MC_FAM_HOST_LISTEN_DROPS     "maxconn_host_listen_drops_total"
#define MC_FAM_HOST_MEM_TOTAL	     "maxconn_host_memory_total_bytes"
#define MC_FAM_HOST_MEM_AVAILABLE    "maxconn_host_memory_available_bytes"
#define MC_FAM_HOST_KERNEL_MEM	     "maxconn_host_kernel_memory_bytes"
#define MC_FAM_BUILD_INFO	     "maxconn_build_info"

/* metrics/serve.c: snapshots published since the endpoint started (a reader
 * that needs a fresher one waits for it to change) */
#define MC_FAM_PUBLISHES "maxconn_metrics_publishes_total"

/* server/server_metrics.c: the server's connections */
#define MC_FAM_SERVER_HELD	 "maxconn_server_connections_held"
#define MC_FAM_SERVER_REFUSED	 "maxconn_server_connections_refused_total"
#define MC_FAM_SERVER_USER_BYTES "maxconn_server_user_memory_bytes_per_connection"

/* the label that splits a count by cause (net/cause.c's keys) */
#define MC_LABEL_CAUSE "cause"

#endif
