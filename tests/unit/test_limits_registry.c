/* test_limits_registry.c: the registry of limits (src/limits/registry.c) is
 * whole. Its ids are unique; every entry has a name, a source, a judge
 * function and the three --explain texts; every id in common/limit-t.h has
 * an entry (or is listed below as one the registry does not judge, with the
 * reason); every limit net/cause.c names for a failure is in it; --explain
 * prints every entry and the list of ids names each once; and judging
 * yields exactly one item per entry, in registry order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"
#include "limits/registry-int.h"
#include "net/cause.h"

#define LIMIT_T "src/common/limit-t.h"

/* Ids of common/limit-t.h the registry deliberately does not judge, each
 * with the reason. None today: every limit id is judged. */
static const struct {
	const char *id, *reason;
} not_judged[] = {
    {NULL, NULL},
};

static bool is_not_judged(const char *id)
{
	for (size_t i = 0; not_judged[i].id; i++)
		if (strcmp(not_judged[i].id, id) == 0)
			return true;
	return false;
}

static bool filled(const char *s)
{
	return s && s[0];
}

static void test_ids_unique(void **state)
{
	(void)state;
	assert_true(mc__nlimits > 0);
	assert_true(mc__nlimits <= MC_LIMITS_MAX_ITEMS);
	for (size_t i = 0; i < mc__nlimits; i++)
		for (size_t j = i + 1; j < mc__nlimits; j++)
			if (strcmp(mc__limits[i].id, mc__limits[j].id) == 0)
				fail_msg("id %s twice (entries %zu and %zu)", mc__limits[i].id, i,
					 j);
}

static void test_entries_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < mc__nlimits; i++) {
		const struct mc__limit *l = &mc__limits[i];
		if (!filled(l->id))
			fail_msg("entry %zu: no id", i);
		if (!l->judge)
			fail_msg("%s: no judge function", l->id);
		if (!filled(l->name) || !filled(l->source))
			fail_msg("%s: no name or no source", l->id);
		if (!filled(l->what) || !filled(l->shows) || !filled(l->raise))
			fail_msg("%s: an --explain text is missing", l->id);
		assert_ptr_equal(mc__limit_find(l->id), l);
	}
	assert_null(mc__limit_find("nonsense"));
	for (size_t i = 0; not_judged[i].id; i++) {
		if (!filled(not_judged[i].reason))
			fail_msg("%s: not judged, but no reason given", not_judged[i].id);
		if (mc__limit_find(not_judged[i].id))
			fail_msg("%s: listed as not judged, yet in the registry", not_judged[i].id);
	}
}

/* Every `#define MC_LIMIT_X "id"` of common/limit-t.h, read from the source
 * so a new id cannot be forgotten; and every registry id is one of them. */
static void test_limit_t_covered(void **state)
{
	FILE *f = fopen(LIMIT_T, "r");
	char line[256], name[64], id[64];
	size_t seen = 0, judged = 0;

	(void)state;
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree)", LIMIT_T);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define MC_LIMIT_%63s \"%63[^\"]\"", name, id) != 2)
			continue;
		seen++;
		if (mc__limit_find(id))
			judged++;
		else if (!is_not_judged(id))
			fail_msg("MC_LIMIT_%s \"%s\" has no registry entry and no reason not to",
				 name, id);
	}
	fclose(f);
	assert_true(seen >= mc__nlimits);
	/* and the other way: the registry holds only ids of limit-t.h */
	assert_int_equal(judged, mc__nlimits);
}

/* What net/cause.c blames a failure on is a limit `maxconn limits` judges
 * and --explain explains. */
static void test_cause_limits_registered(void **state)
{
	int named = 0;

	(void)state;
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		const char *id = mc_cause_limit((enum mc_cause)k);
		if (!id)
			continue;
		named++;
		if (!mc__limit_find(id))
			fail_msg("cause %s names limit %s, not in the registry",
				 mc_cause_key((enum mc_cause)k), id);
	}
	assert_true(named > 0);
}

/* --explain prints every entry's three texts under their headings. */
static void test_explain_every_id(void **state)
{
	(void)state;
	for (size_t i = 0; i < mc__nlimits; i++) {
		const struct mc__limit *l = &mc__limits[i];
		char *buf = NULL, want[4096];
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		assert_non_null(m);
		assert_int_equal(mc_limits_explain(m, l->id), 0);
		fclose(m);
		snprintf(
		    want, sizeof(want),
		    "%s\n\nWhat it is:\n%s\n\nHow it shows when hit:\n%s\n\nHow to raise it:\n%s\n",
		    l->id, l->what, l->shows, l->raise);
		assert_string_equal(buf, want);
		free(buf);
	}
	assert_int_equal(mc_limits_explain(stdout, "nonsense"), -ENOENT);
}

/* The list of ids (usage error, --help) is the registry's, in its order,
 * and tells the caller when a buffer cut it. */
static void test_ids_list(void **state)
{
	char ids[1024], want[1024] = "", small[16];
	size_t o = 0;
	int n;

	(void)state;
	for (size_t i = 0; i < mc__nlimits; i++)
		o += (size_t)snprintf(want + o, sizeof(want) - o, "%s%s", i ? ", " : "",
				      mc__limits[i].id);
	n = mc_limits_ids(ids, sizeof(ids));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(ids, want);
	assert_int_equal(mc_limits_ids(small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
}

/* Judging yields one item per entry, in registry order, named by it. */
static void test_judge_follows_registry(void **state)
{
	struct mc_limits_snap *s = calloc(1, sizeof(*s));
	struct mc_limits_result *r = calloc(1, sizeof(*r));
	struct mc_limits_scenario sc;

	(void)state;
	assert_non_null(s);
	assert_non_null(r);
	s->page_size = 4096;
	mc_limits_read("tests/unit/fixtures/limits/base", s);
	s->nofile_soft = s->nofile_hard = (struct mc_host_num){20000, 0};
	s->stack_soft = (struct mc_host_num){8 << 20, 0};
	mc_limits_scenario_default(&sc);
	for (int model = 0; model < 2; model++) {
		sc.model = model ? MC_MODEL_THREADS : MC_MODEL_EPOLL;
		assert_int_equal(mc_limits_judge(s, &sc, r), 0);
		assert_int_equal(r->n, (int)mc__nlimits);
		for (size_t i = 0; i < mc__nlimits; i++) {
			assert_string_equal(r->items[i].id, mc__limits[i].id);
			assert_true(filled(r->items[i].name));
			assert_true(filled(r->items[i].source));
		}
	}
	free(s);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_unique),
	    cmocka_unit_test(test_entries_whole),
	    cmocka_unit_test(test_limit_t_covered),
	    cmocka_unit_test(test_cause_limits_registered),
	    cmocka_unit_test(test_explain_every_id),
	    cmocka_unit_test(test_ids_list),
	    cmocka_unit_test(test_judge_follows_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
