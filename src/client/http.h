/* http.h: --proto: the protocol names, the HTTP/1.1 request a connection
 * sends, and a small strict parser of the responses it reads back. The
 * parser is a pure function of the bytes, its state 8 bytes kept in the
 * connection (no buffer): status line, headers (Content-Length,
 * Transfer-Encoding: chunked), then the body. */
#ifndef MC_CLIENT_HTTP_H
#define MC_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mc_client_proto {
	MC_PROTO_TCP = 0, /* a raw TCP connection: held once connected */
	MC_PROTO_HTTP,	  /* held once its first request had a 2xx/3xx answer */
};

/* Why an HTTP connection failed or was lost (mc_client_stats.http_fail). */
enum mc_http_fail {
	MC_HTTP_429,	   /* 429 Too Many Requests */
	MC_HTTP_503,	   /* 503 Service Unavailable */
	MC_HTTP_4XX,	   /* another 4xx */
	MC_HTTP_5XX,	   /* another 5xx (or a status outside 1xx-5xx) */
	MC_HTTP_CLOSED,	   /* the server closed (or reset) before its answer */
	MC_HTTP_MALFORMED, /* an answer that is not HTTP/1.x as parsed here */
	MC_HTTP_SILENT,	   /* no answer to the first request within --connect-timeout */
	MC_HTTP_FAIL_COUNT
};

/* "429", "503", "4xx", "5xx", "closed_before_answer", "malformed",
 * "no_answer" */
const char *mc_http_fail_key(enum mc_http_fail f);
/* The failure a complete response's status is (2xx/3xx are none: -1). */
int mc_http_fail_of_status(unsigned status);

/* --proto NAME: 0 and *p for tcp and http; -ENOTSUP for a protocol of
 * issue 23 not built yet (ws, tls, https, wss, mqtt); -EINVAL otherwise. */
int mc_http_proto_parse(const char *name, enum mc_client_proto *p);
const char *mc_http_proto_name(enum mc_client_proto p);

/* The request a connection sends: line ("GET / HTTP/1.1") then a Host
 * header (host, "127.0.0.1:8080") and Connection: keep-alive. Returns its
 * length, or -EINVAL when line is not METHOD SP TARGET SP HTTP/1.x (the
 * reason in why), -ENOSPC when it does not fit in len. */
int mc_http_request_build(const char *line, const char *host, char *out, size_t len,
			  const char **why);
/* Whether the request asks HEAD (its answer has no body). */
bool mc_http_request_is_head(const char *req);

/* One response being read. */
struct mc_http_rx {
	uint32_t left;	      /* body or chunk bytes still to come; Content-Length */
	uint32_t status : 10, /* the status code */
	    phase : 5,	      /* where in the response (http.c) */
	    pos : 5,	      /* position in the current token */
	    cand : 2,	      /* header names still matching */
	    chunked : 1, has_len : 1, cr : 1, head : 1,
	    unasked : 1; /* an answer no request asked for (mc_http_rx_unasked) */
};

enum { MC_HTTP_MORE = 0, MC_HTTP_DONE = 1, MC_HTTP_BAD = -1 };

/* Start reading the answer to a request (head: it was a HEAD). */
void mc_http_rx_start(struct mc_http_rx *rx, bool head);
/* Feed n bytes of b: MC_HTTP_MORE (all used, the response goes on),
 * MC_HTTP_DONE (complete, in exactly *used bytes), MC_HTTP_BAD (malformed
 * at byte *used). */
int mc_http_rx_feed(struct mc_http_rx *rx, const unsigned char *b, size_t n, size_t *used);
/* Whether nothing of the answer was read yet (its status line is next). */
bool mc_http_rx_fresh(const struct mc_http_rx *rx);
/* Bytes came with no request owed: read them as an answer all the same
 * (a server's "408 Request Timeout" before it closes), to be failed by its
 * status once whole. */
void mc_http_rx_unasked(struct mc_http_rx *rx);
/* Whether the reading is idle (between responses: nothing owed). */
bool mc_http_rx_idle(const struct mc_http_rx *rx);

#endif
