/* limits_fx.h: the judging fixture the limits unit tests share: a snapshot
 * read from a fake tree (tests/unit/fixtures/limits/) with the process's
 * own fields set by the test (uid 1000, 2 CPUs, 4 KiB pages, 8 MiB stacks,
 * RLIMIT_NPROC 4096, RLIMIT_NOFILE soft/hard as given), the default
 * scenario, and room for the result. Include after cmocka.h. */
#ifndef MC_TESTS_LIMITS_FX_H
#define MC_TESTS_LIMITS_FX_H

#include <stdlib.h>

#include "limits/limits.h"

#define FIX "tests/unit/fixtures/limits/"

struct fx {
	struct mc_limits_snap s;
	struct mc_limits_scenario sc;
	struct mc_limits_result r;
};

static inline struct fx *fx_load(const char *tree, uint64_t nofile_soft, uint64_t nofile_hard)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s.page_size = 4096;
	mc_limits_read(tree, &f->s);
	f->s.nofile_soft = (struct mc_host_num){nofile_soft, 0};
	f->s.nofile_hard = (struct mc_host_num){nofile_hard, 0};
	f->s.nproc_soft = f->s.nproc_hard = (struct mc_host_num){4096, 0};
	f->s.stack_soft = (struct mc_host_num){8 << 20, 0};
	f->s.cpus = (struct mc_host_num){2, 0};
	f->s.uid = 1000;
	mc_limits_scenario_default(&f->sc);
	return f;
}

#endif
