/* probe.h: `maxconn probe`, the seeds' experiment run for real: the
 * command's API only (mc_probe_run, the teardown, the writers). The types
 * are in probe-t.h, reading the report in result.h; the units below include
 * those, never this header.
 *
 *   probe.c      the orchestration: the scene, then each step (namespace,
 *                prediction, addresses, children, ramp, teardown) until the
 *                staircase ends (run.h: the run, made of the objects below);
 *   child.c      the server and client children as one object (struct
 *                mc_probe_children) and the shared page they publish their
 *                counters in;
 *   cgwatch.c    the memory cgroups kept to their reserve, the child and
 *                pids cgroups (struct mc_probe_cgwatch);
 *   remote.c     the server host's readings (--server-metrics), parsed by
 *                serverside.c (pure);
 *   netns.c      the private network namespace of each step, its sysctls;
 *   ramp.c       the ramp (samples, the stop at the first limit or the
 *                memory reserve) and a step's accounting: figures, verdict,
 *                cost per connection;
 *   staircase.c  the first scenario and the lift after each limit (pure);
 *   steady.c     the steady-state window (--window): its two snapshots and
 *                what the held connections cost between them (pure);
 *   diagnose.c   the verdict: which limit stopped a step, and its evidence
 *                (pure);
 *   watch.c      what it reads from the host while it runs: slabinfo,
 *                meminfo, netstat, sockstat, conntrack, dmesg, RSS;
 *   result.c     reading the report: the result, the memory figures, the
 *                words the writers share;
 *   report.c     the terminal summary and the --json document;
 *   html.c       the --html page (inline SVG charts, no network needed);
 *   probe_metrics.c  the probe's own Prometheus families (--metrics).
 *
 * Everything the reports show is in struct mc_probe_report, once: filled by
 * the run and only read by the writers. The command chooses the exit code
 * from the result. */
#ifndef MC_PROBE_PROBE_H
#define MC_PROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "common/err.h"
#include "limits/limits.h"
#include "probe/probe-t.h"
#include "probe/result.h"

/* Run the probe. Fills *r (the caller frees r->samples with
 * mc_probe_report_free). With rest, the last step's children are left
 * running and described there, so that the caller can write the reports
 * before the teardown (mc_probe_teardown); without, the probe tears down
 * itself. Returns 0 (the outcome is in r), or -errno with err set when it
 * could not start. */
int mc_probe_run(const struct mc_probe_config *cfg, struct mc_probe_report *r,
		 struct mc_probe_rest *rest, struct mc_err *err);
/* The teardown's progress, about four times a second: the sockets left
 * (UINT64_MAX: not counted, on the host's network) and the seconds so far. */
typedef void (*mc_probe_progress_fn)(void *arg, uint64_t left, double secs);
/* End what rest left running (SIGKILL, then wait until the kernel has
 * closed their sockets), remove the child cgroups they ran in, and return
 * the seconds it took; fn (NULL: none) hears how far it got. SIGINT or
 * SIGTERM meanwhile ends the wait (*interrupted): the kernel goes on
 * closing the sockets, and a detached process removes the cgroups once the
 * children are gone. */
double mc_probe_teardown(struct mc_probe_rest *rest, bool *interrupted, mc_probe_progress_fn fn,
			 void *arg);
void mc_probe_report_free(struct mc_probe_report *r);

/* Writers (report.c, html.c). They only read r; exit_code is the one the
 * command chose from the result, written into the JSON and the page. */
void mc_probe_print(FILE *f, const struct mc_probe_report *r);
void mc_probe_json(FILE *f, const struct mc_probe_report *r, int exit_code);
int mc_probe_html(FILE *f, const struct mc_probe_report *r, int exit_code);

#endif
