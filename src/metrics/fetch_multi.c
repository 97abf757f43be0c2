/* fetch_multi.c: rounds of GETs at once with libcurl's multi interface
 * (see fetch_multi.h): http and https, user:password@ in the URL,
 * redirects, gzip, plus a size cap curl applies to the
 * Content-Length before reading and this file to what it decodes, and
 * CURLOPT_QUICK_EXIT so that ending a round never waits for a name that
 * is still resolving. */
#include "metrics/fetch_multi.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "metrics/url.h"

struct mc_metrics_multi {
	CURLM *m;
};

int mc_metrics_multi_new(struct mc_metrics_multi **out)
{
	struct mc_metrics_multi *mm;

	*out = NULL;
	/* thread-safe and counted since libcurl 7.84; the cleanup in _free
	 * gives this one back */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	if (!(mm = calloc(1, sizeof(*mm))) || !(mm->m = curl_multi_init())) {
		free(mm);
		curl_global_cleanup();
		return -ENOMEM;
	}
	*out = mm;
	return 0;
}

void mc_metrics_multi_free(struct mc_metrics_multi *mm)
{
	if (!mm)
		return;
	curl_multi_cleanup(mm->m);
	free(mm);
	curl_global_cleanup();
}

void mc_metrics_multi_wake(struct mc_metrics_multi *mm)
{
	curl_multi_wakeup(mm->m);
}

void mc_metrics_pages_free(struct mc_metrics_page *pages, int n)
{
	for (int i = 0; i < n; i++) {
		free(pages[i].body);
		pages[i].body = NULL;
		pages[i].len = pages[i].cap = 0;
	}
}

int mc_metrics_page_add(struct mc_metrics_page *pg, const char *data, size_t len, size_t max)
{
	if (len > max || pg->len > max - len) {
		free(pg->body);
		pg->body = NULL;
		pg->len = pg->cap = 0;
		return -EFBIG;
	}
	if (pg->len + len + 1 > pg->cap) {
		size_t cap = pg->cap ? pg->cap : 65536;
		char *np;
		while (cap < pg->len + len + 1)
			cap *= 2;
		if (!(np = realloc(pg->body, cap)))
			return -ENOMEM;
		pg->body = np;
		pg->cap = cap;
	}
	memcpy(pg->body + pg->len, data, len);
	pg->len += len;
	pg->body[pg->len] = '\0';
	return 0;
}

int mc_metrics_round_wait_ms(uint64_t now_ns, uint64_t deadline_ns)
{
	uint64_t left = deadline_ns > now_ns ? deadline_ns - now_ns : 0;

	return (int)((left + MC_NS_PER_MS - 1) / MC_NS_PER_MS);
}

/* What an HTTP status other than 200 says about the page: what it means
 * and where to look (see fetch_multi.h). */
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

void mc_metrics_page_verdict(struct mc_metrics_page *pg, const char *url, int curl_code,
			     const char *curl_msg, long http_status, bool timed_out, long budget_ms)
{
	const size_t n = sizeof(pg->err);
	char buf[256];
	/* the URL as it may be shown: no password (url.h) */
	const char *shown = mc_url_redact(url, buf, sizeof(buf));
	if (pg->rc == -EFBIG || curl_code == CURLE_FILESIZE_EXCEEDED) {
		pg->rc = -EFBIG;
		snprintf(pg->err, n,
			 "%s: the page is larger than %u MiB; point --server-metrics at an "
			 "exporter's metrics page (node_exporter's is ~100 KiB)",
			 shown, MC_METRICS_PAGE_MAX >> 20);
	} else if (pg->rc == -ENOMEM) {
		snprintf(pg->err, n, "%s: out of memory for the page", shown);
	} else if (timed_out || curl_code == CURLE_OPERATION_TIMEDOUT) {
		pg->rc = -ETIMEDOUT;
		snprintf(pg->err, n,
			 "%s: no answer within %.1f s; check that the exporter runs there and "
			 "answers (curl %s)",
			 shown, (double)budget_ms / 1e3, shown);
	} else if (curl_code != CURLE_OK) {
		pg->rc = -EIO;
		snprintf(pg->err, n,
			 "%s: %s; check that the exporter runs there and that this host reaches "
			 "it (curl %s)",
			 shown, curl_msg && *curl_msg ? curl_msg : curl_easy_strerror(curl_code),
			 shown);
	} else if (http_status != 200) {
		struct mc_err e;
		pg->rc = mc_metrics_http_status(url, http_status, &e);
		snprintf(pg->err, n, "%.*s", (int)n - 1, e.msg);
	} else {
		pg->rc = 0;
		pg->err[0] = '\0';
		if (!pg->body && !(pg->body = calloc(1, 1))) {
			pg->rc = -ENOMEM;
			snprintf(pg->err, n, "%s: out of memory for the page", shown);
		}
		return;
	}
	/* curl's own words may quote the URL, password and all */
	mc_url_scrub(pg->err, n, url);
	free(pg->body);
	pg->body = NULL;
	pg->len = pg->cap = 0;
}

/* One transfer of a round: its page and curl's words for its error. */
struct xfer {
	CURL *h;
	struct mc_metrics_page *pg;
	char cerr[CURL_ERROR_SIZE];
	bool done;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct mc_metrics_page *pg = arg;
	int rc = mc_metrics_page_add(pg, data, size * n, MC_METRICS_PAGE_MAX);

	if (rc < 0) {
		pg->rc = rc;
		return 0; /* curl stops the transfer: CURLE_WRITE_ERROR */
	}
	return size * n;
}

static int xfer_start(struct mc_metrics_multi *mm, struct xfer *x, const char *url, long budget_ms)
{
	CURL *h = curl_easy_init();

	if (!h)
		return -ENOMEM;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x->pg);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->cerr);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	/* the round's deadline ends what is left; these only back it up */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, budget_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, budget_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MC_METRICS_PAGE_MAX);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "maxconn-probe");
	if (curl_multi_add_handle(mm->m, h) != CURLM_OK) {
		curl_easy_cleanup(h);
		return -ENOMEM;
	}
	x->h = h;
	return 0;
}

/* Take the transfers curl says are done. */
static void collect(struct mc_metrics_multi *mm, const char *const *urls, struct xfer *xs,
		    long budget_ms)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(mm->m, &left))) {
		struct xfer *x;
		char *priv = NULL;
		long status = 0;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct xfer *)(void *)priv;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		x->done = true;
		mc_metrics_page_verdict(x->pg, urls[x - xs], (int)msg->data.result, x->cerr, status,
					false, budget_ms);
	}
}

int mc_metrics_multi_round(struct mc_metrics_multi *mm, const char *const *urls, int n,
			   long budget_ms, struct mc_metrics_page *pages, const atomic_bool *cut)
{
	uint64_t deadline = mc_now_ns() + (uint64_t)budget_ms * MC_NS_PER_MS;
	struct xfer *xs = calloc(n > 0 ? (size_t)n : 1, sizeof(*xs));
	int running = 0, came = 0, rc = 0;

	if (!xs)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		mc_metrics_pages_free(&pages[i], 1);
		pages[i].rc = 0;
		pages[i].err[0] = '\0';
		xs[i].pg = &pages[i];
		if (xfer_start(mm, &xs[i], urls[i], budget_ms) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (;;) {
		if (atomic_load(cut)) {
			rc = -ECANCELED;
			goto out;
		}
		curl_multi_perform(mm->m, &running);
		collect(mm, urls, xs, budget_ms);
		if (!running || mc_now_ns() >= deadline)
			break;
		/* curl shortens the wait to its own timers; a wake or the
		 * deadline ends it too */
		curl_multi_poll(mm->m, NULL, 0, mc_metrics_round_wait_ms(mc_now_ns(), deadline),
				NULL);
	}
	for (int i = 0; i < n; i++) {
		if (!xs[i].done)
			mc_metrics_page_verdict(&pages[i], urls[i], CURLE_OK, NULL, 0, true,
						budget_ms);
		came += pages[i].rc == 0;
	}
out:
	for (int i = 0; i < n; i++) {
		if (!xs[i].h)
			continue;
		curl_multi_remove_handle(mm->m, xs[i].h);
		curl_easy_cleanup(xs[i].h);
	}
	free(xs);
	if (rc < 0)
		mc_metrics_pages_free(pages, n);
	return rc < 0 ? rc : came;
}
