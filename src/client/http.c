/* http.c: --proto names, the HTTP/1.1 request, and the strict response
 * parser the client reads answers with (see http.h). Byte by byte, the
 * state in 8 bytes: no buffer, so a response may come in any pieces. Only
 * what keep-alive needs is read: the status, Content-Length,
 * Transfer-Encoding: chunked; a response whose end cannot be known (no
 * length, another transfer coding), a line without CRLF, a bad status line
 * or bytes no request asked for are malformed. */
#include "client/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	P_IDLE = 0, /* nothing owed */
	P_STATUS,   /* HTTP/1.x SSS reason */
	P_LINE,	    /* at the start of a header line */
	P_NAME,	    /* a header's name */
	P_V_LEN,    /* Content-Length's value */
	P_V_TE,	    /* Transfer-Encoding's value */
	P_V_SKIP,   /* another header's value */
	P_BODY,	    /* left bytes of body */
	P_CSIZE,    /* a chunk's size line */
	P_CEXT,	    /* a chunk extension, skipped */
	P_CDATA,    /* left bytes of a chunk */
	P_CEND,	    /* the CRLF after a chunk */
	P_TLINE,    /* at the start of a trailer line */
	P_TSKIP,    /* a trailer line, skipped */
};

#define CAND_LEN 1u
#define CAND_TE	 2u
static const char name_len[] = "content-length";
static const char name_te[] = "transfer-encoding";

static const char *const fail_keys[MC_HTTP_FAIL_COUNT] = {
    [MC_HTTP_429] = "429",
    [MC_HTTP_503] = "503",
    [MC_HTTP_4XX] = "4xx",
    [MC_HTTP_5XX] = "5xx",
    [MC_HTTP_CLOSED] = "closed_before_answer",
    [MC_HTTP_MALFORMED] = "malformed",
    [MC_HTTP_SILENT] = "no_answer",
};

const char *mc_http_fail_key(enum mc_http_fail f)
{
	return (unsigned)f < MC_HTTP_FAIL_COUNT ? fail_keys[f] : "?";
}

int mc_http_fail_of_status(unsigned status)
{
	if (status >= 200 && status < 400)
		return -1;
	if (status == 429)
		return MC_HTTP_429;
	if (status == 503)
		return MC_HTTP_503;
	if (status >= 400 && status < 500)
		return MC_HTTP_4XX;
	return MC_HTTP_5XX;
}

int mc_http_proto_parse(const char *name, enum mc_client_proto *p)
{
	static const char *const later[] = {"ws", "tls", "https", "wss", "mqtt"};

	if (strcmp(name, "tcp") == 0 || strcmp(name, "http") == 0) {
		*p = name[0] == 't' ? MC_PROTO_TCP : MC_PROTO_HTTP;
		return 0;
	}
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++)
		if (strcmp(name, later[i]) == 0)
			return -ENOTSUP;
	return -EINVAL;
}

const char *mc_http_proto_name(enum mc_client_proto p)
{
	return p == MC_PROTO_HTTP ? "http" : "tcp";
}

static bool tchar(int c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

int mc_http_request_build(const char *line, const char *host, char *out, size_t len,
			  const char **why)
{
	const char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	int n;

	*why = NULL;
	for (const char *c = line; sp1 && c < sp1; c++)
		if (!tchar((unsigned char)*c))
			sp1 = NULL;
	if (!sp1 || sp1 == line || !sp2 || sp2 == sp1 + 1 ||
	    (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0))
		*why = "use METHOD TARGET HTTP/1.1, e.g. 'GET /health HTTP/1.1'";
	for (const char *c = line; !*why && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*why = "a control character (headers are not taken: Host is made from "
			       "the address)";
	if (*why)
		return -EINVAL;
	n = snprintf(out, len, "%s\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n", line, host);
	if (n < 0 || (size_t)n >= len) {
		*why = "too long";
		return -ENOSPC;
	}
	return n;
}

bool mc_http_request_is_head(const char *req)
{
	return strncmp(req, "HEAD ", 5) == 0;
}

void mc_http_rx_start(struct mc_http_rx *rx, bool head)
{
	*rx = (struct mc_http_rx){.phase = P_STATUS, .head = head};
}

void mc_http_rx_unasked(struct mc_http_rx *rx)
{
	mc_http_rx_start(rx, false);
	rx->unasked = 1;
}

bool mc_http_rx_fresh(const struct mc_http_rx *rx)
{
	return rx->phase == P_STATUS && rx->pos == 0 && !rx->cr;
}

bool mc_http_rx_idle(const struct mc_http_rx *rx)
{
	return rx->phase == P_IDLE;
}

/* The headers ended (an empty line): where the body goes. */
static int head_end(struct mc_http_rx *rx)
{
	if (rx->status < 200) { /* 1xx: an interim answer, the real one follows */
		bool unasked = rx->unasked;
		mc_http_rx_start(rx, rx->head);
		rx->unasked = unasked;
		return MC_HTTP_MORE;
	}
	if (rx->chunked && rx->has_len)
		return MC_HTTP_BAD; /* both: which one frames it is ambiguous */
	if (rx->head || rx->status == 204 || rx->status == 304 ||
	    (rx->has_len && !rx->chunked && rx->left == 0)) {
		rx->phase = P_IDLE;
		return MC_HTTP_DONE;
	}
	if (rx->chunked) {
		rx->phase = P_CSIZE;
		rx->left = 0;
		rx->pos = 0;
		return MC_HTTP_MORE;
	}
	if (!rx->has_len && rx->unasked) { /* the status is all it is read for */
		rx->phase = P_IDLE;
		return MC_HTTP_DONE;
	}
	if (!rx->has_len)
		return MC_HTTP_BAD; /* to the close: no keep-alive */
	rx->phase = P_BODY;
	return MC_HTTP_MORE;
}

/* A line ended (CRLF seen) in phase rx->phase. */
static int line_end(struct mc_http_rx *rx)
{
	switch (rx->phase) {
	case P_STATUS:
		if (rx->pos < 12)
			return MC_HTTP_BAD;
		break;
	case P_LINE:
		return head_end(rx);
	case P_NAME:
		return MC_HTTP_BAD; /* a header line with no colon */
	case P_V_LEN:
		if (rx->pos == 0)
			return MC_HTTP_BAD;
		rx->has_len = 1;
		break;
	case P_V_TE:
		if (rx->pos != 7 && rx->pos != 8)
			return MC_HTTP_BAD; /* a coding other than chunked */
		rx->chunked = 1;
		break;
	case P_CSIZE:
	case P_CEXT:
		if (rx->phase == P_CSIZE && rx->pos == 0)
			return MC_HTTP_BAD;
		rx->phase = rx->left ? P_CDATA : P_TLINE;
		return MC_HTTP_MORE;
	case P_CEND:
		rx->phase = P_CSIZE;
		rx->pos = 0;
		return MC_HTTP_MORE;
	case P_TLINE:
		rx->phase = P_IDLE;
		return MC_HTTP_DONE;
	case P_TSKIP:
		rx->phase = P_TLINE;
		return MC_HTTP_MORE;
	}
	rx->phase = P_LINE;
	return MC_HTTP_MORE;
}

/* One byte of the status line: "HTTP/1." digit SP 3DIGIT (SP reason)? */
static int status_byte(struct mc_http_rx *rx, unsigned char c)
{
	static const char pre[] = "HTTP/1.";
	unsigned p = rx->pos;

	if (p < 7     ? c != (unsigned char)pre[p]
	    : p == 7  ? (c != '0' && c != '1')
	    : p == 8  ? c != ' '
	    : p < 12  ? (c < '0' || c > '9')
	    : p == 12 ? c != ' '
		      : (c < 0x20 && c != '\t'))
		return MC_HTTP_BAD;
	if (p >= 9 && p < 12)
		rx->status = rx->status * 10 + (c - '0');
	if (p < 31)
		rx->pos = p + 1;
	return MC_HTTP_MORE;
}

/* One byte of a header line (at its start, the name or a value). */
static int header_byte(struct mc_http_rx *rx, unsigned char c)
{
	unsigned p = rx->pos;

	switch (rx->phase) {
	case P_LINE:
		rx->phase = P_NAME;
		rx->cand = CAND_LEN | CAND_TE;
		rx->pos = p = 0;
		/* fall through */
	case P_NAME:
		if (c == ':') {
			bool len = (rx->cand & CAND_LEN) && p == sizeof(name_len) - 1;
			bool te = (rx->cand & CAND_TE) && p == sizeof(name_te) - 1;
			if (p == 0 || (len && rx->has_len))
				return MC_HTTP_BAD;
			rx->phase = len ? P_V_LEN : te ? P_V_TE : P_V_SKIP;
			rx->pos = 0;
			rx->left = len ? 0 : rx->left;
			return MC_HTTP_MORE;
		}
		if (!tchar(c))
			return MC_HTTP_BAD;
		c = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		if (p >= sizeof(name_len) - 1 || c != (unsigned char)name_len[p])
			rx->cand &= ~CAND_LEN;
		if (p >= sizeof(name_te) - 1 || c != (unsigned char)name_te[p])
			rx->cand &= ~CAND_TE;
		if (p < 31)
			rx->pos = p + 1;
		return MC_HTTP_MORE;
	case P_V_LEN: /* OWS digits OWS; pos: 0 before, 1 in, 2 after */
		if (c == ' ' || c == '\t') {
			rx->pos = p ? 2 : 0;
			return MC_HTTP_MORE;
		}
		if (c < '0' || c > '9' || p == 2 || rx->left > 429496728u)
			return MC_HTTP_BAD;
		rx->left = rx->left * 10 + (c - '0');
		rx->pos = 1;
		return MC_HTTP_MORE;
	case P_V_TE: /* OWS "chunked" OWS; pos: letters matched, 8 after */
		if (c == ' ' || c == '\t') {
			if (p == 7)
				rx->pos = 8;
			return p == 0 || p >= 7 ? MC_HTTP_MORE : MC_HTTP_BAD;
		}
		c = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		if (p >= 7 || c != (unsigned char)"chunked"[p])
			return MC_HTTP_BAD;
		rx->pos = p + 1;
		return MC_HTTP_MORE;
	default: /* P_V_SKIP */
		return c < 0x20 && c != '\t' ? MC_HTTP_BAD : MC_HTTP_MORE;
	}
}

/* One byte of a chunk's size line, its end or a trailer. */
static int chunk_byte(struct mc_http_rx *rx, unsigned char c)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : -1;

	switch (rx->phase) {
	case P_CSIZE:
		if (c == ';' && rx->pos) {
			rx->phase = P_CEXT;
			return MC_HTTP_MORE;
		}
		if (d < 0 || rx->left >= 0x8000000u)
			return MC_HTTP_BAD;
		rx->left = rx->left * 16 + (unsigned)d;
		rx->pos = 1;
		return MC_HTTP_MORE;
	case P_CEXT:
	case P_TSKIP:
		return c < 0x20 && c != '\t' ? MC_HTTP_BAD : MC_HTTP_MORE;
	case P_TLINE:
		rx->phase = P_TSKIP;
		return c < 0x20 && c != '\t' ? MC_HTTP_BAD : MC_HTTP_MORE;
	default: /* P_CEND: only CRLF */
		return MC_HTTP_BAD;
	}
}

int mc_http_rx_feed(struct mc_http_rx *rx, const unsigned char *b, size_t n, size_t *used)
{
	size_t i = 0;
	int r = MC_HTTP_MORE;

	while (i < n && r == MC_HTTP_MORE) {
		unsigned char c = b[i];

		if (rx->phase == P_IDLE) {
			i++;
			r = MC_HTTP_BAD; /* bytes no request asked for */
			break;
		}
		if (rx->phase == P_BODY || rx->phase == P_CDATA) {
			size_t k = n - i < rx->left ? n - i : rx->left;
			rx->left -= (uint32_t)k;
			i += k;
			if (rx->left == 0 && rx->phase == P_BODY) {
				rx->phase = P_IDLE;
				r = MC_HTTP_DONE;
			} else if (rx->left == 0) {
				rx->phase = P_CEND;
			}
			continue;
		}
		i++;
		if (c == '\r') {
			r = rx->cr ? MC_HTTP_BAD : MC_HTTP_MORE;
			rx->cr = 1;
		} else if (c == '\n') {
			r = rx->cr ? line_end(rx) : MC_HTTP_BAD;
			rx->cr = 0;
		} else if (rx->cr) {
			r = MC_HTTP_BAD;
		} else if (rx->phase == P_STATUS) {
			r = status_byte(rx, c);
		} else if (rx->phase >= P_CSIZE) {
			r = chunk_byte(rx, c);
		} else {
			r = header_byte(rx, c);
		}
	}
	if (r == MC_HTTP_BAD && i)
		i--;
	*used = i;
	return r;
}
