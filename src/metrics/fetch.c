/* fetch.c: GET a metrics page with libcurl (see fetch.h). libcurl is
 * Debian's libcurl4: exporters are often behind TLS and basic auth
 * (node_exporter's --web.config.file), which a hand-written HTTP client
 * would not speak. Every message names the URL without its password
 * (metrics/url.h): the callers copy them into the report as they are. */
#include "metrics/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/url.h"

#define MAX_BODY (64u << 20) /* a node_exporter page is ~100 KiB */

struct body {
	char *p;
	size_t len, cap;
	int err;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = size * n;

	if (b->len + add + 1 > MAX_BODY) {
		b->err = -EFBIG;
		return 0;
	}
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *np;
		while (cap < b->len + add + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->err = -ENOMEM;
			return 0;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, add);
	b->len += add;
	b->p[b->len] = '\0';
	return add;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* What an HTTP status other than 200 says about the page: what it means
 * and where to look (see fetch.h). */
int mc_metrics_http_status(const char *url, long code, struct mc_err *err)
{
	static const struct {
		long lo, hi;
		const char *what;
	} codes[] = {
	    {300, 399,
	     "a redirect libcurl could not follow (no Location, or more than 3): give "
	     "the URL it points to"},
	    {401, 401,
	     "Unauthorized: the exporter asks for credentials it did not get or did not "
	     "accept; give them in the URL "
	     "(http://USER:PASSWORD@HOST:9100/metrics)"},
	    {403, 403,
	     "Forbidden: the exporter refused these credentials or this host; check "
	     "its --web.config.file"},
	    {404, 404, "Not Found: no page at this path; the metrics page is usually /metrics"},
	    {405, 405, "Method Not Allowed: this is not a metrics page; it is usually /metrics"},
	    {407, 407,
	     "Proxy Authentication Required: a proxy (http_proxy in the environment) "
	     "stands between; give it credentials or set no_proxy for this host"},
	    {410, 410, "Gone: no page at this path; the metrics page is usually /metrics"},
	    {429, 429,
	     "Too Many Requests: the exporter limits its scrapers; try again later or "
	     "raise its limit"},
	    {400, 499, "the exporter refused the request; check the URL"},
	    {502, 502,
	     "Bad Gateway: from a proxy in front of the exporter, which did not "
	     "answer it; check that the exporter runs"},
	    {504, 504,
	     "Gateway Timeout: from a proxy in front of the exporter, which did not "
	     "answer it in time; check that the exporter runs"},
	    {500, 599,
	     "the exporter's own failure while making its page (the path is right): "
	     "see its log"},
	};
	char shown[256];
	const char *what = "not a page";

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (code >= codes[i].lo && code <= codes[i].hi) {
			what = codes[i].what;
			break;
		}
	mc_errf(err, -EIO, "%s: HTTP %ld, %s", mc_url_redact(url, shown, sizeof(shown)), code,
		what);
	if (err)
		mc_url_scrub(err->msg, sizeof(err->msg), url);
	return -EIO;
}

/* The error for a fetch libcurl gave up on: the URL without its password,
 * curl's words without it either. */
static int fetch_failed(const char *url, CURLcode rc, char *cerr, size_t cerr_len,
			struct mc_err *err)
{
	char shown[256];

	mc_url_redact(url, shown, sizeof(shown));
	mc_url_scrub(cerr, cerr_len, url);
	mc_errf(err, rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO,
		"%s: %s; check that the exporter runs there and that this host reaches it (curl "
		"%s)",
		shown, cerr[0] ? cerr : curl_easy_strerror(rc), shown);
	if (err)
		mc_url_scrub(err->msg, sizeof(err->msg), url);
	return rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
}

int mc_metrics_fetch(const char *url, long timeout_ms, char **out, struct mc_err *err)
{
	struct body b = {0};
	char cerr[CURL_ERROR_SIZE] = "", shown[256];
	long code = 0;
	CURLcode rc;
	CURL *c;

	*out = NULL;
	mc_url_redact(url, shown, sizeof(shown));
	pthread_once(&curl_once, curl_init);
	if (!(c = curl_easy_init()))
		return mc_errf(err, -ENOMEM, "%s: libcurl could not start", shown);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "maxconn-probe");
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || b.err) {
		free(b.p);
		if (b.err)
			return mc_errf(err, b.err, "%s: the page is larger than %u MiB", shown,
				       MAX_BODY >> 20);
		return fetch_failed(url, rc, cerr, sizeof(cerr), err);
	}
	if (code != 200) {
		free(b.p);
		return mc_metrics_http_status(url, code, err);
	}
	if (!b.p && !(b.p = calloc(1, 1)))
		return mc_errf(err, -ENOMEM, "out of memory");
	*out = b.p;
	return 0;
}
