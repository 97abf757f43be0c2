/* maps_preload.c: built by test_max_map_count.sh into a library for
 * LD_PRELOAD. As it loads, the process maps MC_TEST_MAPS pages, every other
 * one without access, so the kernel cannot merge them: it starts holding
 * that many memory maps, as a JVM or an allocator with many arenas does,
 * and vm.max_map_count is near without touching the global sysctl. A
 * forked child (the probe's server) inherits them. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

__attribute__((constructor)) static void many_maps(void)
{
	const char *e = getenv("MC_TEST_MAPS");
	long n = e ? atol(e) : 0, page = sysconf(_SC_PAGESIZE);
	char *base;

	if (n <= 0 || page <= 0)
		return;
	base = mmap(NULL, (size_t)(n * page), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED)
		return;
	for (long i = 1; i < n; i += 2)
		mprotect(base + i * page, (size_t)page, PROT_NONE);
}
