/* fetch.c: GET a metrics page with libcurl (see fetch.h). libcurl is
 * Debian's libcurl4: exporters are often behind TLS and basic auth
 * (node_exporter's --web.config.file), which a hand-written HTTP client
 * would not speak. */
#include "metrics/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

int mc_metrics_fetch(const char *url, long timeout_ms, char **out, struct mc_err *err)
{
	struct body b = {0};
	char cerr[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *c;

	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if (!(c = curl_easy_init()))
		return mc_errf(err, -ENOMEM, "%s: libcurl could not start", url);
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
			return mc_errf(err, b.err, "%s: the page is larger than %u MiB", url,
				       MAX_BODY >> 20);
		return mc_errf(err, rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO,
			       "%s: %s; check that the exporter runs there and that this host "
			       "reaches it (curl %s)",
			       url, cerr[0] ? cerr : curl_easy_strerror(rc), url);
	}
	if (code != 200) {
		free(b.p);
		return mc_errf(err, -EIO, "%s: HTTP %ld; the metrics page is usually /metrics", url,
			       code);
	}
	if (!b.p && !(b.p = calloc(1, 1)))
		return mc_errf(err, -ENOMEM, "out of memory");
	*out = b.p;
	return 0;
}
