/* traffic.h: an established connection's life in the client engine,
 * internal: its messages out and back, and its end. Called by the connect
 * ramp (the first message once established; a failed connect's release) and
 * by the worker's loop (events and the heartbeat sweep). */
#ifndef MC_CLIENT_TRAFFIC_H
#define MC_CLIENT_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include "client/client-t.h"

/* Close fd and free its slot: the next connection on the fd has another
 * generation, so a late event or deadline for this one is dropped. */
void mc_client__conn_release(struct cli_worker *w, int fd);

/* A message is due (at time due): start writing it, or count it skipped
 * when the previous one is still being written. */
void mc_client__send_msg(struct cli_worker *w, int fd, uint64_t due);

/* Write the message in progress until it is whole or the socket is full (the
 * rest then goes on the next edge-triggered EPOLLOUT). A message counts as
 * sent when its last byte is written. Returns false when the connection was
 * lost. */
bool mc_client__send_more(struct cli_worker *w, int fd);

/* fd is readable (or ended): read until EAGAIN, check the echo
 * (--echo-verify), time the messages come back whole, keep what a server
 * says unasked; a close, a reset or a wrong byte ends the connection,
 * counted as lost by cause. */
void mc_client__on_readable(struct cli_worker *w, int fd, uint64_t now);

/* fd is held: counted established and open (a raw connection once
 * connected; --proto http once its first answer came whole, 2xx/3xx). */
void mc_client__conn_held(struct cli_worker *w, int fd);

/* --proto http: fd failed for cause why, of protocol cause kind: a
 * connection not yet held is a failed connect (fail[why]), a held one is
 * lost (lost[why]); what the server said on it is counted under why. */
void mc_client__http_failed(struct cli_worker *w, int fd, enum mc_cause why,
			    enum mc_http_fail kind);

/* Heartbeats / periodic echo: sweep the fd array once per period, so each
 * connection sends once a period with no per-connection timer. A worker
 * that fell behind goes through every round it missed, one after the
 * other, each message timed from its own round. Returns true while it is
 * behind. */
bool mc_client__sweep(struct cli_worker *w, uint64_t now);

/* Whether an open connection still waits for an echo or has a message half
 * written (the drain waits for none). */
bool mc_client__outstanding(struct cli_worker *w);

#endif
