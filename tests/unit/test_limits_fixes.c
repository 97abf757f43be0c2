/* test_limits_fixes.c: every limit's fix text agrees with the host's
 * numbers. For each role and model, with a target no limit allows, every
 * item's fix lines are read back and checked against the snapshot and the
 * item: a sysctl is set to the value the item says it must be raised to,
 * and its sysctl.d line says the same; "ulimit -n N" stays within the hard
 * limit; "echo N > PATH" writes raise_to where the limit is set; an fd
 * table of N is what a table holds here (RLIMIT_NOFILE, never fs.nr_open
 * when the hard limit is lower), and --workers W tables of N carry the
 * demand, W - 1 do not. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"
#include "limits_fx.h"

/* A host with numbers that differ from each other, so that one in the
 * wrong place shows: soft nofile 4,000, hard 20,000, fs.nr_open 1,048,576. */
static struct fx *host(const char *tree)
{
	struct fx *f = fx_load(tree, 4000, 20000);

	f->s.max_map_count = (struct mc_host_num){65530, 0};
	f->s.maps_now = (struct mc_host_num){1000, 0};
	return f;
}

/* The demand the fixes are computed for (judge_item.c: --target here). */
static uint64_t demand(const struct fx *f)
{
	return f->sc.target;
}

/* sysctl -w KEY="V" with one number: V is raise_to, and the sysctl.d line
 * right after it says V too. */
static void check_sysctl(const struct mc_limits_item *it, int i)
{
	char key[96], val[64], want[200];
	unsigned long long v;

	if (sscanf(it->fix[i], "sysctl -w %95[^=]=\"%63[^\"]\"", key, val) != 2)
		return;
	assert_true(i + 1 < it->nfix);
	snprintf(want, sizeof(want), "echo '%s = %s' >> ", key, val);
	if (strncmp(it->fix[i + 1], want, strlen(want)) != 0)
		fail_msg("%s: '%s' then '%s'", it->id, it->fix[i], it->fix[i + 1]);
	if (strchr(val, ' '))
		return; /* a range or a triple: checked by the judge tests */
	v = strtoull(val, NULL, 10);
	if (v != it->raise_to)
		fail_msg("%s: '%s' but raise_to is %llu", it->id, it->fix[i],
			 (unsigned long long)it->raise_to);
}

/* "ulimit -n N": N is raise_to and within the hard limit. */
static void check_ulimit(const struct fx *f, const struct mc_limits_item *it, int i)
{
	unsigned long long n;

	if (sscanf(it->fix[i], "ulimit -n %llu", &n) != 1)
		return;
	assert_int_equal(n, it->raise_to);
	assert_true(n <= f->s.nofile_hard.v);
}

/* "echo N > PATH": N is raise_to, PATH is where the limit is set. */
static void check_echo(const struct fx *f, const struct mc_limits_item *it, int i)
{
	unsigned long long n;
	char path[256];

	if (sscanf(it->fix[i], "echo %llu > %255s", &n, path) != 2)
		return;
	assert_int_equal(n, it->raise_to);
	if (strcmp(it->id, MC_LIMIT_CGROUP_MEMORY) == 0)
		assert_non_null(strstr(path, f->s.cg.mem_at));
	if (strcmp(it->id, MC_LIMIT_CGROUP_PIDS) == 0)
		assert_non_null(strstr(path, f->s.cg.pids_at));
}

/* "--workers W ... an fd table of N": N is what a table holds here, and W
 * tables of N carry the demand (each side its own with role both). */
static void check_tables(const struct fx *f, const struct mc_limits_item *it, int i)
{
	const char *p = strstr(it->fix[i], "--workers ");
	const char *t = strstr(it->fix[i], "fd table of ");
	unsigned long long w, n, table, per_side, ovh = f->sc.fd_overhead;

	if (!p || !t)
		return;
	w = strtoull(p + 10, NULL, 10);
	n = strtoull(t + 12, NULL, 10);
	table = strcmp(it->id, MC_LIMIT_FD_PROCESS) == 0
		    ? f->s.nofile_soft.v
		    : (f->s.nofile_hard.v < f->s.nr_open.v ? f->s.nofile_hard.v : f->s.nr_open.v);
	if (n != table)
		fail_msg("%s: '%s': a table here holds %llu", it->id, it->fix[i], table);
	per_side = demand(f);
	assert_true(w * (n - ovh) >= per_side);
	assert_true((w - 1) * (n - ovh) < per_side);
}

static void check_all(struct fx *f)
{
	assert_int_equal(mc_limits_judge(&f->s, &f->sc, &f->r), 0);
	for (int k = 0; k < f->r.n; k++) {
		const struct mc_limits_item *it = &f->r.items[k];
		for (int i = 0; i < it->nfix; i++) {
			check_sysctl(it, i);
			check_ulimit(f, it, i);
			check_echo(f, it, i);
			check_tables(f, it, i);
		}
	}
}

static void test_every_fix(void **state)
{
	static const char *const trees[] = {FIX "base", FIX "cg1", FIX "cg2ev"};
	static const enum mc_limits_role roles[] = {MC_LIMITS_SERVER, MC_LIMITS_CLIENT,
						    MC_LIMITS_BOTH};
	static const enum mc_model models[] = {MC_MODEL_EPOLL, MC_MODEL_THREADS};
	static const uint64_t targets[] = {10000, 1000000, 50000000};

	(void)state;
	for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++)
		for (size_t r = 0; r < 3; r++)
			for (size_t m = 0; m < 2; m++)
				for (size_t g = 0; g < 3; g++) {
					struct fx *f = host(trees[t]);
					f->sc.role = roles[r];
					f->sc.model = models[m];
					f->sc.target = targets[g];
					check_all(f);
					free(f);
				}
}

/* The case that was wrong: fs.nr_open's fix said each worker's table held
 * 1,048,576 (fs.nr_open); it holds the hard RLIMIT_NOFILE, 20,000 here. */
static void test_nr_open_table(void **state)
{
	struct fx *f = host(FIX "base");
	const struct mc_limits_item *it;
	bool seen = false;

	(void)state;
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.target = 1000000;
	f->s.nofile_soft = f->s.nofile_hard;
	assert_int_equal(mc_limits_judge(&f->s, &f->sc, &f->r), 0);
	it = mc_limits_find(&f->r, MC_LIMIT_FD_NR_OPEN);
	assert_non_null(it);
	for (int i = 0; i < it->nfix; i++) {
		assert_null(strstr(it->fix[i], "fd table of 1048576"));
		seen |= strstr(it->fix[i], "fd table of 20000") != NULL;
	}
	assert_true(seen);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_fix),
	    cmocka_unit_test(test_nr_open_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
