/* test_url.c: a URL's password never shows (metrics/url.c): redaction of
 * tricky URLs (user only, user:pass, '@' in the path or query, IPv6 hosts,
 * no scheme, percent-encoding), checked against what libcurl itself takes
 * for the password; scrubbing it out of text made from the URL; and the
 * fetch's messages: a failed fetch and every HTTP status name the URL
 * without its password, and a status says what it means (500 is the
 * exporter's failure, 404 the wrong path). */
#include <curl/curl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "common/err.h"
#include "metrics/fetch_multi.h"
#include "metrics/url.h"

static const struct {
	const char *url, *want;
} cases[] = {
    {"http://admin:S3cretPass@10.0.0.1:9100/metrics", "http://admin:***@10.0.0.1:9100/metrics"},
    {"http://admin@10.0.0.1:9100/metrics", "http://admin@10.0.0.1:9100/metrics"},
    {"http://10.0.0.1:9100/metrics", "http://10.0.0.1:9100/metrics"},
    {"https://u:pX9@host", "https://u:***@host"},
    {"http://u:@host/", "http://u:***@host/"},
    {"http://host/a@b:c", "http://host/a@b:c"},
    {"http://host/metrics?x=a:b@c", "http://host/metrics?x=a:b@c"},
    {"http://host#a:b@c", "http://host#a:b@c"},
    {"http://u:pw@host/p@th?q=a:b@c", "http://u:***@host/p@th?q=a:b@c"},
    {"http://u:pw@[::1]:9100/metrics", "http://u:***@[::1]:9100/metrics"},
    {"http://[fe80::1%25eth0]:9100/metrics", "http://[fe80::1%25eth0]:9100/metrics"},
    {"http://u:p%40ss%3Aw@[2001:db8::1]/", "http://u:***@[2001:db8::1]/"},
    {"admin:S3cretPass@10.0.0.1:9100/metrics", "admin:***@10.0.0.1:9100/metrics"},
    {"10.0.0.1:9100/metrics", "10.0.0.1:9100/metrics"},
    {"host/x?next=http://u:pw@other/", "host/x?next=http://u:pw@other/"},
    {"http://a:b@c@host/", "http://a:***@host/"},
    {"HTTP://U%3Aser:pa:ss@host", "HTTP://U%3Aser:***@host"},
    {"", ""},
};

/* What libcurl would send as the password, as typed and decoded; "" when
 * none or it cannot parse the URL (then it sends nothing). */
static void curl_password(const char *url, char *raw, char *dec, size_t len)
{
	CURLU *u = curl_url();
	char *p = NULL;

	raw[0] = dec[0] = '\0';
	assert_non_null(u);
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PASSWORD, &p, 0) == CURLUE_OK) {
			snprintf(raw, len, "%s", p);
			curl_free(p);
		}
		if (curl_url_get(u, CURLUPART_PASSWORD, &p, CURLU_URLDECODE) == CURLUE_OK) {
			snprintf(dec, len, "%s", p);
			curl_free(p);
		}
	}
	curl_url_cleanup(u);
}

static void test_redact(void **state)
{
	char out[256], raw[128], dec[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mc_url_redact(cases[i].url, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
		/* libcurl's own reading of the URL: its password is gone */
		curl_password(cases[i].url, raw, dec, sizeof(raw));
		if (raw[0])
			assert_null(strstr(out, raw));
		if (dec[0])
			assert_null(strstr(out, dec));
	}
	/* libcurl sees the passwords the cases mean */
	curl_password("http://u:p%40ss%3Aw@[2001:db8::1]/", raw, dec, sizeof(raw));
	assert_string_equal(dec, "p@ss:w");
	curl_password("http://admin:S3cretPass@10.0.0.1:9100/metrics", raw, dec, sizeof(raw));
	assert_string_equal(raw, "S3cretPass");
	/* cut short: still no password, always terminated */
	assert_string_equal(mc_url_redact("http://admin:S3cretPass@h/", out, 14), "http://admin:");
	assert_string_equal(mc_url_redact("http://admin:S3cretPass@h/", out, 1), "");
}

static void test_scrub(void **state)
{
	char s[64];

	(void)state;
	snprintf(s, sizeof(s), "login S3cretPass refused, S3cretPass!");
	mc_url_scrub(s, sizeof(s), "http://admin:S3cretPass@h/");
	assert_string_equal(s, "login *** refused, ***!");
	snprintf(s, sizeof(s), "p%%40ss or p@ss");
	mc_url_scrub(s, sizeof(s), "http://u:p%40ss@h/");
	assert_string_equal(s, "*** or ***");
	snprintf(s, sizeof(s), "nothing to hide: admin");
	mc_url_scrub(s, sizeof(s), "http://admin@h/");
	assert_string_equal(s, "nothing to hide: admin");
	/* a one-letter password grows the text: it is cut, not overrun */
	snprintf(s, 8, "xaxax");
	mc_url_scrub(s, 8, "http://u:a@h/");
	assert_string_equal(s, "x***x");
	memset(s, 'a', 20);
	s[20] = '\0';
	mc_url_scrub(s, 21, "http://u:a@h/");
	assert_string_equal(s, "******************");
}

static void test_fetch_messages(void **state)
{
	static const char *const urls[] = {"http://admin:S3cretPass@127.0.0.1:1/metrics",
					   "http://a:S3cret%40Pass@[::1]:1/metrics"};
	struct mc_metrics_page pages[2] = {0};
	struct mc_metrics_multi *m;
	struct mc_err err;
	atomic_bool cut = false;

	(void)state;
	/* nothing listens on port 1 of loopback: refused, in one round */
	assert_int_equal(mc_metrics_multi_new(&m), 0);
	assert_int_equal(mc_metrics_multi_round(m, urls, 2, 1000, pages, &cut), 0);
	assert_true(pages[0].rc < 0);
	assert_null(pages[0].body);
	assert_null(strstr(pages[0].err, "S3cretPass"));
	assert_non_null(strstr(pages[0].err, "http://admin:***@127.0.0.1:1/metrics"));
	assert_true(pages[1].rc < 0);
	assert_null(strstr(pages[1].err, "S3cret"));
	mc_metrics_pages_free(pages, 2);
	mc_metrics_multi_free(m);
	/* what curl says is scrubbed too, and a page's HTTP status explained */
	memset(&pages[0], 0, sizeof(pages[0]));
	mc_metrics_page_verdict(&pages[0], urls[0], 7,
				"Failed to connect to admin:S3cretPass@127.0.0.1", 0, false, 1000);
	assert_null(strstr(pages[0].err, "S3cretPass"));
	mc_metrics_page_verdict(&pages[0], urls[0], 0, NULL, 500, false, 1000);
	assert_null(strstr(pages[0].err, "S3cretPass"));
	assert_non_null(strstr(pages[0].err, "the exporter's own failure"));

	assert_int_equal(mc_metrics_http_status("http://admin:S3cretPass@h:9100/m", 500, &err),
			 -EIO);
	assert_null(strstr(err.msg, "S3cretPass"));
	assert_non_null(strstr(err.msg, "http://admin:***@h:9100/m: HTTP 500, "));
	assert_non_null(strstr(err.msg, "the exporter's own failure"));
	assert_null(strstr(err.msg, "usually /metrics"));
	mc_metrics_http_status("http://h/metric", 404, &err);
	assert_string_equal(err.msg, "http://h/metric: HTTP 404, Not Found: no page at this path; "
				     "the metrics page is usually /metrics");
	mc_metrics_http_status("http://h/metrics", 401, &err);
	assert_non_null(strstr(
	    err.msg, "HTTP 401, Unauthorized: the exporter asks for credentials it did not get"));
	mc_metrics_http_status("http://h/metrics", 503, &err);
	assert_non_null(strstr(err.msg, "HTTP 503, the exporter's own failure"));
	mc_metrics_http_status("http://h/metrics", 502, &err);
	assert_non_null(strstr(err.msg, "HTTP 502, Bad Gateway: from a proxy"));
	mc_metrics_http_status("http://h/metrics", 418, &err);
	assert_non_null(strstr(err.msg, "HTTP 418, the exporter refused the request"));
	mc_metrics_http_status("http://h/metrics", 204, &err);
	assert_non_null(strstr(err.msg, "HTTP 204, not a page"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redact),
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_fetch_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
