/* url.c: URLs with their password redacted (see url.h). */
#include "metrics/url.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_SECRET 256 /* a longer password is scrubbed as typed only */

/* The password's span [*at, *at + *n) in url; false when it has none. */
static bool password_span(const char *url, size_t *at, size_t *n)
{
	const char *auth = url, *end, *colon, *atsign = NULL;
	const char *sep = strstr(url, "://");

	if (sep) {
		const char *p = url;
		while (p < sep && (strchr("+-.", *p) || (*p >= 'a' && *p <= 'z') ||
				   (*p >= 'A' && *p <= 'Z') || (p > url && *p >= '0' && *p <= '9')))
			p++;
		if (p == sep && p > url) /* a scheme, not "://" inside a query */
			auth = sep + 3;
	}
	end = auth + strcspn(auth, "/?#");
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			atsign = p;
	if (!atsign)
		return false;
	colon = memchr(auth, ':', (size_t)(atsign - auth));
	if (!colon)
		return false; /* a user name alone */
	*at = (size_t)(colon + 1 - url);
	*n = (size_t)(atsign - colon - 1);
	return true;
}

char *mc_url_redact(const char *url, char *out, size_t len)
{
	size_t at, n;

	if (!len)
		return out;
	if (!password_span(url, &at, &n)) {
		snprintf(out, len, "%s", url);
		return out;
	}
	snprintf(out, len, "%.*s%s%s", (int)at, url, MC_URL_REDACTED, url + at + n);
	return out;
}

/* Replace each occurrence of needle (n > 0 bytes) in s by "***". */
static void replace_all(char *s, size_t len, const char *needle, size_t n)
{
	size_t r = sizeof(MC_URL_REDACTED) - 1, cur = strlen(s);
	char *p = s;

	while ((p = memmem(p, cur - (size_t)(p - s), needle, n))) {
		size_t at = (size_t)(p - s), tail = cur - at - n;
		if (at + r >= len) { /* no room for the mask: cut the text here */
			*p = '\0';
			return;
		}
		if (at + r + tail >= len)
			tail = len - 1 - at - r;
		memmove(p + r, p + n, tail);
		memcpy(p, MC_URL_REDACTED, r);
		cur = at + r + tail;
		s[cur] = '\0';
		p += r;
	}
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *mc_url_scrub(char *s, size_t len, const char *url)
{
	char dec[MAX_SECRET];
	size_t at, n, w = 0;

	if (!len || !password_span(url, &at, &n) || !n)
		return s;
	replace_all(s, len, url + at, n);
	for (size_t i = 0; i < n && w + 1 < sizeof(dec); i++) {
		const char *c = url + at + i;
		if (*c == '%' && i + 2 < n && hex(c[1]) >= 0 && hex(c[2]) >= 0) {
			dec[w++] = (char)(hex(c[1]) * 16 + hex(c[2]));
			i += 2;
		} else {
			dec[w++] = *c;
		}
	}
	if (w && w < n) /* it had escapes: the decoded form too */
		replace_all(s, len, dec, w);
	return s;
}
