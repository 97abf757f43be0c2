/* url.h: URLs as they may be shown. A --server-metrics URL can carry
 * user:password@ (node_exporter's basic auth); what maxconn prints or
 * writes (errors, the summary, --json, --html) shows it with the password
 * replaced by "***". Pure functions of strings: no libcurl, no I/O, so
 * the fetcher (fetch_multi.c) and any other reader share them. */
#ifndef MC_METRICS_URL_H
#define MC_METRICS_URL_H

#include <stddef.h>

#define MC_URL_REDACTED "***"

/* Copy url into out (len bytes, truncated, always NUL-terminated) with the
 * password of its user info replaced by "***": everything between the
 * first ':' of the user info and the last '@' of the authority (the part
 * after "scheme://", or from the start when there is no scheme, up to
 * the first '/', '?' or '#'). The user name, the host and the path stay as
 * typed; an '@' in the path or query is no user info. Returns out. */
char *mc_url_redact(const char *url, char *out, size_t len);

/* Replace in s (NUL-terminated, in place) every occurrence of the password
 * url carries, as typed and percent-decoded, by "***" (s is cut at len - 1
 * when that makes it longer): for text made from url by someone else
 * (libcurl's error messages). Nothing when url has no password. Returns s. */
char *mc_url_scrub(char *s, size_t len, const char *url);

#endif
