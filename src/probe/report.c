/* report.c: the probe's terminal summary and its --json document (schema in
 * docs/probe.md); html.c writes the page. Both only read the report. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/parse.h"
#include "probe/probe.h"

const char *mc_probe_model_str(enum mc_probe_model m)
{
	return m == MC_PROBE_THREADS ? "threads" : m == MC_PROBE_URING ? "uring" : "epoll";
}

const char *mc_probe_stop_str(enum mc_probe_stop s)
{
	switch (s) {
	case MC_PROBE_TARGET:
		return "target";
	case MC_PROBE_LIMIT:
		return "limit";
	case MC_PROBE_RESERVE:
		return "memory_reserve";
	case MC_PROBE_INTERRUPTED:
		return "interrupted";
	case MC_PROBE_TIMEOUT:
		return "timeout";
	case MC_PROBE_FAILED:
		break;
	}
	return "failed";
}
