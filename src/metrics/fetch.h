/* fetch.h: GET a metrics page (another host's node_exporter, a maxconn
 * server's --metrics) with libcurl: http and https, user:password@ in the
 * URL, redirects, gzip, a time limit. The one blocking call the probe
 * makes to another host. */
#ifndef MC_METRICS_FETCH_H
#define MC_METRICS_FETCH_H

#include <stddef.h>

#include "common/err.h"

/* Fetch url into a malloc'd NUL-terminated *body (the caller frees it),
 * giving up after timeout_ms. 0, or -errno with err naming the URL and
 * what went wrong (refused, timed out, HTTP 404, ...); no message shows
 * the password the URL carries (user:***@). */
int mc_metrics_fetch(const char *url, long timeout_ms, char **body, struct mc_err *err);

/* The error for a page that came with HTTP status code (not 200): the URL
 * without its password, the status and what it means (404: the wrong path,
 * usually /metrics; 401/403: credentials; 500: the exporter's own failure,
 * see its log). Returns -EIO. Pure. */
int mc_metrics_http_status(const char *url, long code, struct mc_err *err);

#endif
