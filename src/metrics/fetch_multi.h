/* fetch_multi.h: GET several metrics pages at once (the server host's
 * exporters, --server-metrics) with libcurl's multi interface: one round
 * fetches every URL concurrently within one time budget, each page capped
 * at MC_METRICS_PAGE_MAX, and another thread can cut a round short. A page
 * that hangs costs the round its budget and no more, whatever the number
 * of URLs. No message shows the password a URL carries (user:***@,
 * metrics/url.h). */
#ifndef MC_METRICS_FETCH_MULTI_H
#define MC_METRICS_FETCH_MULTI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The largest page taken: a node_exporter page is ~100 KiB, a maxconn
 * server's a few KiB; what is larger is refused, not read on (a 60 MB page
 * took seconds to fetch and parse). */
#define MC_METRICS_PAGE_MAX (16u << 20)

/* One URL's result in a round. */
struct mc_metrics_page {
	char *body; /* malloc'd, NUL-terminated; NULL unless rc is 0 */
	size_t len, cap;
	int rc;	       /* 0, or -errno: -ETIMEDOUT, -EFBIG, -EIO, -ENOMEM, ... */
	char err[240]; /* when rc < 0: the URL and what went wrong, with the fix */
};

struct mc_metrics_multi;

/* A multi handle for rounds; 0 or -ENOMEM. */
int mc_metrics_multi_new(struct mc_metrics_multi **m);
/* Free it (NULL is fine); no round may be running. */
void mc_metrics_multi_free(struct mc_metrics_multi *m);

/* Fetch urls[0..n-1] at once into pages[0..n-1] (emptied first; the caller
 * frees them with mc_metrics_pages_free), for at most budget_ms in all: a
 * page not in by then has -ETIMEDOUT. A round returns early, with
 * -ECANCELED, once *cut is true and mc_metrics_multi_wake ran (from any
 * thread). Returns the number of pages that came (rc 0), -ECANCELED, or
 * -ENOMEM when the round could not start. */
int mc_metrics_multi_round(struct mc_metrics_multi *m, const char *const *urls, int n,
			   long budget_ms, struct mc_metrics_page *pages, const atomic_bool *cut);
/* Wake a round waiting on its sockets so it looks at its *cut; safe from
 * any thread. */
void mc_metrics_multi_wake(struct mc_metrics_multi *m);
void mc_metrics_pages_free(struct mc_metrics_page *pages, int n);

/* ---- the pure parts, for the tests ------------------------------------ */

/* The error for a page that came with HTTP status code (not 200): the URL
 * without its password, the status and what it means (404: the wrong path,
 * usually /metrics; 401/403: credentials; 500: the exporter's own failure,
 * see its log). Returns -EIO. */
int mc_metrics_http_status(const char *url, long code, struct mc_err *err);

/* Append len bytes to pg's body, keeping it NUL-terminated; -EFBIG past
 * max bytes (the body is dropped then), -ENOMEM. */
int mc_metrics_page_add(struct mc_metrics_page *pg, const char *data, size_t len, size_t max);

/* How long a round may still wait on its sockets at now: what is left of
 * the budget to its deadline, in ms rounded up (0 once it passed, so a
 * last look is taken and the round ends). */
int mc_metrics_round_wait_ms(uint64_t now_ns, uint64_t deadline_ns);

/* How a page ended, in pg->rc and pg->err: curl's result (curl_code, a
 * CURLcode; curl_msg its error text, or NULL), the HTTP status, and
 * whether the round's deadline passed first (timed_out). Every message a
 * round gives about a URL is written here. */
void mc_metrics_page_verdict(struct mc_metrics_page *pg, const char *url, int curl_code,
			     const char *curl_msg, long http_status, bool timed_out,
			     long budget_ms);

#endif
