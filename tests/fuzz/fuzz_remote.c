/* fuzz_remote.c: libFuzzer harness for the probe's reading of another
 * host's pages (probe/serverside.c): the input is two pages, the readings
 * before the client started and at the top, split at the first form feed
 * (one page read twice when there is none). Each is parsed into a reading
 * (mc_probe_remote_parse), and the two give the server host's figures, its
 * verdict and its evidence lines, as a probe step does: every figure a
 * page can carry goes through the arithmetic and the casts the report
 * makes of it. Built and run by scripts/fuzz (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/cause.h"
#include "probe/serverside.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_evidence(void *arg, const char *what, uint64_t value, const char *text)
{
	(void)what;
	(void)text;
	*(uint64_t *)arg += value;
}

/* A NUL-terminated copy of exactly n bytes (ASan sees a read past it). */
static char *page_of(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ff = memchr(data, '\f', size);
	size_t n1 = ff ? (size_t)(ff - data) : size;
	char *before = page_of(data, n1);
	char *after = ff ? page_of(ff + 1, size - n1 - 1) : page_of(data, size);
	struct mc_probe_remote b, a;
	struct mc_probe_server_host h = {.asked = true, .known = true};
	struct mc_probe_srv_verdict v;
	uint64_t fail[MC_CAUSE_COUNT] = {0}, lost[MC_CAUSE_COUNT] = {0}, sum = 0;

	if (before && after) {
		mc_probe_remote_init(&b);
		mc_probe_remote_init(&a);
		mc_probe_remote_parse(before, &b);
		mc_probe_remote_parse(after, &a);
		mc_probe_server_host_figures(&b, &a, &h);
		mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v);
		fail[MC_CAUSE_TIMEDOUT] = 80;
		lost[MC_CAUSE_PEER_CLOSED] = 20;
		mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v);
		mc_probe_server_host_evidence(&b, &a, &h, no_evidence, &sum);
	}
	free(before);
	free(after);
	return 0;
}
