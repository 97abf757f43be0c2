/* test_outfile.c: report files that appear whole or not at all
 * (common/outfile.h), in a directory of the test's own: an existing file is
 * untouched until commit and nothing is left beside it on abort; the same
 * file however spelt. Also the client's count of what servers said
 * (mc_client_stats_merge): one entry per message and cause, bounded. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "client/client.h"
#include "common/outfile.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mc-outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* the file's text ("" when it is missing) */
static const char *get(const char *name)
{
	static char buf[256];
	char p[128];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	buf[0] = '\0';
	if (!(f = fopen(p, "r")))
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static void test_abort_keeps_old(void **state)
{
	struct mc_outfile *o = calloc(1, sizeof(*o));
	struct mc_err err;
	char p[128];

	(void)state;
	put("r.json", "old");
	snprintf(p, sizeof(p), "%s/r.json", dir);
	assert_int_equal(mc_outfile_open(o, p, &err), 0);
	fputs("half a report", o->f);
	fflush(o->f);
	assert_string_equal(get("r.json"), "old"); /* nothing shows while writing */
	mc_outfile_abort(o);
	assert_string_equal(get("r.json"), "old");
	assert_int_equal(entries(), 1); /* and nothing beside it */
	free(o);
}

static void test_commit_replaces(void **state)
{
	struct mc_outfile *o = calloc(1, sizeof(*o));
	struct mc_err err;
	char p[128];

	(void)state;
	put("r.json", "old");
	snprintf(p, sizeof(p), "%s/r.json", dir);
	assert_int_equal(mc_outfile_open(o, p, &err), 0);
	fputs("{\"new\":1}", o->f);
	assert_int_equal(mc_outfile_commit(o, &err), 0);
	assert_string_equal(get("r.json"), "{\"new\":1}");
	assert_int_equal(entries(), 1);
	/* a new file too */
	snprintf(p, sizeof(p), "%s/new.html", dir);
	assert_int_equal(mc_outfile_open(o, p, &err), 0);
	fputs("<p>", o->f);
	assert_int_equal(mc_outfile_commit(o, &err), 0);
	assert_string_equal(get("new.html"), "<p>");
	assert_int_equal(entries(), 2);
	mc_outfile_abort(o); /* after commit: nothing to do */
	assert_string_equal(get("new.html"), "<p>");
	free(o);
}

static void test_open_errors(void **state)
{
	struct mc_outfile *o = calloc(1, sizeof(*o));
	struct mc_err err;
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/missing/r.json", dir);
	assert_true(mc_outfile_open(o, p, &err) < 0);
	assert_non_null(strstr(err.msg, "missing/r.json"));
	assert_non_null(strstr(err.msg, "ENOENT"));
	assert_true(mc_outfile_open(o, dir, &err) < 0);
	assert_non_null(strstr(err.msg, "directory"));
	free(o);
}

static void test_same(void **state)
{
	char a[128], b[128], c[192];

	(void)state;
	snprintf(a, sizeof(a), "%s/x.json", dir);
	snprintf(b, sizeof(b), "%s/./x.json", dir);
	snprintf(c, sizeof(c), "%s/../%s/x.json", dir, strrchr(dir, '/') + 1);
	assert_true(mc_outfile_same(a, a));
	assert_true(mc_outfile_same(a, b)); /* neither exists yet */
	assert_true(mc_outfile_same(a, c));
	put("x.json", "1");
	assert_true(mc_outfile_same(a, c)); /* both exist */
	snprintf(b, sizeof(b), "%s/y.json", dir);
	assert_false(mc_outfile_same(a, b));
}

/* what servers said, merged from workers: the same message is one entry
 * whose count adds up; at most MC_CLIENT_SAID_PER_CAUSE per cause and
 * MC_CLIENT_SAID_MAX in all */
static void test_said_merge(void **state)
{
	struct mc_client_stats *all = calloc(1, sizeof(*all)), *one = calloc(1, sizeof(*one));
	static const char *msgs[] = {"-ERR a", "-ERR b", "-ERR c", "-ERR d"};

	(void)state;
	for (int k = 0; k < 4; k++) {
		memset(one, 0, sizeof(*one));
		one->nsaid = 1;
		one->said[0].cause = MC_CAUSE_PEER_CLOSED;
		one->said[0].len = (uint8_t)strlen(msgs[k]);
		memcpy(one->said[0].bytes, msgs[k], strlen(msgs[k]));
		one->said[0].conns = 10;
		mc_client_stats_merge(all, one);
		mc_client_stats_merge(all, one); /* a second worker said the same */
	}
	assert_int_equal(all->nsaid, MC_CLIENT_SAID_PER_CAUSE);
	assert_int_equal(all->said[0].conns, 20);
	assert_memory_equal(all->said[2].bytes, "-ERR c", 6);
	for (int k = 0; k < MC_CLIENT_SAID_MAX; k++) {
		memset(one, 0, sizeof(*one));
		one->nsaid = 1;
		one->said[0].cause = MC_CAUSE_RESET;
		one->said[0].len = 1;
		one->said[0].bytes[0] = (unsigned char)('a' + k);
		one->said[0].conns = 1;
		mc_client_stats_merge(all, one);
	}
	assert_int_equal(all->nsaid, MC_CLIENT_SAID_MAX);
	free(all);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_keeps_old), cmocka_unit_test(test_commit_replaces),
		cmocka_unit_test(test_open_errors),	cmocka_unit_test(test_same),
		cmocka_unit_test(test_said_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
