/* result.c: reading a probe report (see result.h). The report keeps each
 * figure once, in its steps; the result is the last step's, the memory
 * figures the largest step's. Also the words the three writers (report.c's
 * terminal summary and JSON, html.c's page) share: stop keys and phrases,
 * and a step's limit by id. Pure: no I/O. */
#include "probe/result.h"

#include <math.h>
#include <string.h>

/* what a report with no step reads as: zeros, stopped at "target", no limit */
static const struct mc_probe_step no_step;

static int nsteps(const struct mc_probe_report *r)
{
	return r->nsteps < 0 ? 0 : r->nsteps > MC_PROBE_MAX_STEPS ? MC_PROBE_MAX_STEPS : r->nsteps;
}

const struct mc_probe_step *mc_probe_last(const struct mc_probe_report *r)
{
	int n = nsteps(r);

	return n > 0 ? &r->steps[n - 1] : &no_step;
}

const struct mc_probe_step *mc_probe_memory_step(const struct mc_probe_report *r)
{
	const struct mc_probe_step *best = &no_step;

	for (int i = 0; i < nsteps(r); i++)
		if (r->steps[i].slab.sockets && r->steps[i].slab.sockets >= best->slab.sockets)
			best = &r->steps[i];
	return best;
}

const struct mc_probe_limit *mc_probe_step_limit(const struct mc_probe_step *st, const char *id)
{
	int n = st->nlimits < 0 ? 0 : st->nlimits > MC_PROBE_MAX_LIMITS ? MC_PROBE_MAX_LIMITS
									  : st->nlimits;

	if (!id[0])
		return NULL;
	for (int i = 0; i < n; i++)
		if (strncmp(st->limits[i].id, id, sizeof(st->limits[i].id)) == 0)
			return &st->limits[i];
	return NULL;
}

static const struct {
	const char *key, *words;
} stops[] = {
	[MC_PROBE_TARGET] = {"target", "the target: every connection asked for is held"},
	[MC_PROBE_LIMIT] = {"limit", "a host limit"},
	[MC_PROBE_RESERVE] = {"memory_reserve", "the memory reserve (MemAvailable fell to it)"},
	[MC_PROBE_INTERRUPTED] = {"interrupted", "an interruption (Ctrl-C or SIGTERM)"},
	[MC_PROBE_TIMEOUT] = {"timeout", "the timeout"},
	[MC_PROBE_FAILED] = {"failed", "a failure: a child died or could not start"},
};

const char *mc_probe_stop_str(enum mc_probe_stop s)
{
	return (unsigned)s < sizeof(stops) / sizeof(stops[0]) ? stops[s].key : "failed";
}

const char *mc_probe_kmem_str(enum mc_probe_kmem k)
{
	return k == MC_PROBE_KMEM_SLABINFO  ? "slabinfo"
	       : k == MC_PROBE_KMEM_MEMINFO ? "meminfo"
	       : k == MC_PROBE_KMEM_OBJECTS ? "object_sizes"
					    : "unknown";
}

bool mc_probe_slab_growth_is_ours(int64_t grew, uint64_t conns)
{
	return conns && (double)grew >= 0.75 * (double)conns &&
	       (double)grew <= 3.0 * (double)conns;
}

double mc_probe_kernel_per_socket(const struct mc_probe_slab *s)
{
	return s->from == MC_PROBE_KMEM_UNKNOWN ? NAN : s->total;
}

const char *mc_probe_stop_words(enum mc_probe_stop s)
{
	return (unsigned)s < sizeof(stops) / sizeof(stops[0]) ? stops[s].words
							       : "an unknown reason";
}
