/* fuzz_prom.c: libFuzzer harness for the Prometheus text reader
 * (metrics/text.c): mc_prom_next over a whole page, mc_prom_label on every
 * sample, mc_prom_sum by a name the page has and by the names the probe
 * asks for. The page sits in a buffer of exactly its length plus the NUL,
 * so ASan catches a read past it; UBSan a cast or shift out of range.
 * Built and run by scripts/fuzz (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"cause", "slab", "le", "", "a\"b"};
	char *page = malloc(size + 1);
	const char *pos;
	struct mc_prom_line l;
	char name[64], val[16];
	double sum;
	int lines = 0;

	if (!page)
		return 0;
	memcpy(page, data, size);
	page[size] = '\0';
	name[0] = '\0';
	for (pos = page; mc_prom_next(&pos, &l) && lines < 100000; lines++) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			mc_prom_label(&l, keys[k], val, sizeof(val));
		mc_prom_label(&l, "cause", val, 1); /* a buffer of one byte */
		if (!name[0] && l.name_len < sizeof(name)) {
			memcpy(name, l.name, l.name_len);
			name[l.name_len] = '\0';
		}
	}
	if (name[0]) {
		mc_prom_sum(page, name, NULL, NULL, &sum);
		mc_prom_sum(page, name, "cause", "fd_limit", &sum);
	}
	mc_prom_sum(page, "node_sockstat_TCP_inuse", NULL, NULL, &sum);
	mc_prom_sum(page, "node_slabinfo_active_objects", "slab", "TCP", &sum);
	mc_prom_sum(page, "", "", "", &sum);
	free(page);
	return 0;
}
