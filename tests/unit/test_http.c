/* test_http.c: the client's HTTP/1.1 response parser (client/http.c): every
 * response whole, in one piece and cut at every byte (one byte at a time
 * too), Content-Length, chunked, no body (HEAD, 204, 304), interim 1xx;
 * malformed ones rejected (no length, bad status line, bare LF, both
 * framings, bytes after the answer); the status's failure kind; the
 * request and --proto names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client/http.h"

/* Feed s cut at byte `cut` (and the rest one byte at a time when bytewise):
 * the result of the last feed, and *status. */
static int feed(const char *s, size_t cut, bool bytewise, bool head, unsigned *status)
{
	struct mc_http_rx rx;
	const unsigned char *b = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, used;
	int r = MC_HTTP_MORE;

	mc_http_rx_start(&rx, head);
	while (at < n && r == MC_HTTP_MORE) {
		size_t k = at < cut ? cut - at : bytewise ? 1 : n - at;
		r = mc_http_rx_feed(&rx, b + at, k, &used);
		if (r == MC_HTTP_MORE)
			assert_int_equal(used, k);
		at += used;
		if (r == MC_HTTP_DONE && at < n)
			r = mc_http_rx_feed(&rx, b + at, n - at, &used); /* left over */
	}
	*status = rx.status;
	if (r == MC_HTTP_DONE)
		assert_true(mc_http_rx_idle(&rx));
	return r;
}

static void expect(const char *s, int want, unsigned want_status, bool head)
{
	unsigned st;

	for (size_t cut = 0; cut <= strlen(s); cut++) {
		assert_int_equal(feed(s, cut, false, head, &st), want);
		if (want == MC_HTTP_DONE)
			assert_int_equal(st, want_status);
		assert_int_equal(feed(s, cut, true, head, &st), want);
	}
}

static void test_complete(void **state)
{
	(void)state;
	expect("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello", MC_HTTP_DONE,
	       200, false);
	expect("HTTP/1.1 200 OK\r\ncontent-length:0\r\n\r\n", MC_HTTP_DONE, 200, false);
	expect("HTTP/1.1 301 Moved\r\nCONTENT-LENGTH:  3 \r\n\r\nabc", MC_HTTP_DONE, 301, false);
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n",
	       MC_HTTP_DONE, 200, false);
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", MC_HTTP_DONE, 200,
	       false);
	expect("HTTP/1.1 204 No Content\r\n\r\n", MC_HTTP_DONE, 204, false);
	expect("HTTP/1.1 304 Not Modified\r\nX: y\r\n\r\n", MC_HTTP_DONE, 304, false);
	expect("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", MC_HTTP_DONE, 200, true);
	expect("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
	       MC_HTTP_DONE, 200, false);
	expect("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 2\r\n\r\nno", MC_HTTP_DONE, 503,
	       false);
	expect("HTTP/1.1 429\r\nContent-Length: 0\r\n\r\n", MC_HTTP_DONE, 429, false);
}

static void test_partial(void **state)
{
	unsigned st;

	(void)state;
	assert_int_equal(
	    feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell", 0, false, false, &st),
	    MC_HTTP_MORE);
	assert_int_equal(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", 0,
			      false, false, &st),
			 MC_HTTP_MORE);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "SSH-2.0-OpenSSH_9.2\r\n",
	    "HTTP/2 200\r\n\r\n",
	    "HTTP/1.1 20 OK\r\n\r\n",
	    "HTTP/1.1 2000 OK\r\n\r\n",
	    "HTTP/1.1 200 OK\n\n",
	    "HTTP/1.1 200 OK\r\n\r\n", /* no length: ends at the close */
	    "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
	    "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA",
	};
	unsigned st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (size_t cut = 0; cut <= strlen(bad[i]); cut++) {
			assert_int_equal(feed(bad[i], cut, false, false, &st), MC_HTTP_BAD);
			assert_int_equal(feed(bad[i], cut, true, false, &st), MC_HTTP_BAD);
		}
}

/* An answer no request asked for (a 408 before an idle close): read for
 * its status, even with no length (it ends at the close). */
static void test_unasked(void **state)
{
	static const char s[] = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
	struct mc_http_rx rx;
	size_t used;

	(void)state;
	mc_http_rx_start(&rx, false);
	assert_int_equal(mc_http_rx_feed(&rx, (const unsigned char *)s, sizeof(s) - 1, &used),
			 MC_HTTP_BAD);
	mc_http_rx_unasked(&rx);
	assert_int_equal(mc_http_rx_feed(&rx, (const unsigned char *)s, sizeof(s) - 1, &used),
			 MC_HTTP_DONE);
	assert_int_equal(used, sizeof(s) - 1);
	assert_int_equal(rx.status, 408);
	assert_int_equal(mc_http_fail_of_status(rx.status), MC_HTTP_4XX);
}

static void test_kinds(void **state)
{
	enum mc_client_proto p;
	char req[256];
	const char *why;

	(void)state;
	assert_int_equal(mc_http_fail_of_status(200), -1);
	assert_int_equal(mc_http_fail_of_status(302), -1);
	assert_int_equal(mc_http_fail_of_status(429), MC_HTTP_429);
	assert_int_equal(mc_http_fail_of_status(503), MC_HTTP_503);
	assert_int_equal(mc_http_fail_of_status(404), MC_HTTP_4XX);
	assert_int_equal(mc_http_fail_of_status(502), MC_HTTP_5XX);
	assert_string_equal(mc_http_fail_key(MC_HTTP_CLOSED), "closed_before_answer");
	assert_int_equal(mc_http_proto_parse("http", &p), 0);
	assert_int_equal(p, MC_PROTO_HTTP);
	assert_int_equal(mc_http_proto_parse("tcp", &p), 0);
	assert_int_equal(p, MC_PROTO_TCP);
	assert_int_equal(mc_http_proto_parse("wss", &p), -ENOTSUP);
	assert_int_equal(mc_http_proto_parse("mqtt", &p), -ENOTSUP);
	assert_int_equal(mc_http_proto_parse("gopher", &p), -EINVAL);
	assert_int_equal(
	    mc_http_request_build("GET / HTTP/1.1", "10.0.0.1:80", req, sizeof(req), &why),
	    (int)strlen("GET / HTTP/1.1\r\nHost: 10.0.0.1:80\r\n"
			"Connection: keep-alive\r\n\r\n"));
	assert_string_equal(req, "GET / HTTP/1.1\r\nHost: 10.0.0.1:80\r\n"
				 "Connection: keep-alive\r\n\r\n");
	assert_int_equal(mc_http_request_build("GET /", "h", req, sizeof(req), &why), -EINVAL);
	assert_int_equal(
	    mc_http_request_build("GET / HTTP/1.1\r\nX: y", "h", req, sizeof(req), &why), -EINVAL);
	assert_true(mc_http_request_is_head("HEAD / HTTP/1.1\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_complete),  cmocka_unit_test(test_partial),
	    cmocka_unit_test(test_malformed), cmocka_unit_test(test_unasked),
	    cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
