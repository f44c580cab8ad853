/* test_hiercache.c: the hierarchy's cache in the store (hiercache.h): used
 * when it is the cache of the file's very bytes, not when the file changed
 * by a byte, passed over when it does not hold; what it gives is what
 * parsing gives. */
#include "testutil.h"
#include "aggtest.h"

#include <stdlib.h>
#include <string.h>

#include "aggstore_metadata.h"
#include "hiercache.h"
#include "lnob_err.h"

static void test_used_when_fresh_not_when_changed(void **state)
{
	at_world_t w;
	const char *path;
	uint8_t d1[HIERCACHE_DIGEST_LEN], d2[HIERCACHE_DIGEST_LEN];
	hier_t *h = NULL, *g = NULL;
	bool cached = true;
	char err[256], *text;

	(void)state;
	at_setup(&w, AT_UNITS);
	path = tu_write(w.dir, "units.csv", AT_UNITS, 0644);
	/* No cache yet: parsed. Without a store: parsed. */
	assert_int_equal(hiercache_load(w.st, path, &h, d1, &cached, err, sizeof(err)), 0);
	assert_false(cached);
	tu_assert_hier_same(h, w.hier);
	assert_int_equal(hiercache_load(NULL, path, &g, d2, &cached, err, sizeof(err)), 0);
	assert_false(cached);
	assert_memory_equal(d1, d2, sizeof(d1));
	hier_destroy(&g);
	/* Saved: the same bytes come from the cache, the same hierarchy. */
	assert_int_equal(hiercache_save(w.st, d1, h), 0);
	assert_int_equal(hiercache_load(w.st, path, &g, d2, &cached, err, sizeof(err)), 0);
	assert_true(cached);
	assert_memory_equal(d1, d2, sizeof(d1));
	tu_assert_hier_same(h, g);
	hier_destroy(&g);
	/* One byte changed (a name): parsed, the new name seen, not the cache's. */
	text = strdup(AT_UNITS);
	assert_non_null(text);
	*strstr(text, "Village 3") = 'v';
	path = tu_write(w.dir, "units.csv", text, 0644);
	free(text);
	assert_int_equal(hiercache_load(w.st, path, &g, d2, &cached, err, sizeof(err)), 0);
	assert_false(cached);
	assert_memory_not_equal(d1, d2, sizeof(d1));
	assert_string_equal(hier_unit(g, hier_find(g, "V3"))->name, "village 3");
	hier_destroy(&g);
	/* A file the cache's hierarchy would hide: refused as parsing does. */
	path = tu_write(w.dir, "units.csv", "code,name,parent_code,level,kind\nA,x,B,l,\n", 0644);
	assert_int_equal(hiercache_load(w.st, path, &g, d2, &cached, err, sizeof(err)),
			 LNOB_E_HIER);
	assert_null(g);
	hier_destroy(&h);
	at_teardown(&w);
}

/* A record of these bytes whose links do not hold (its code order wrong)
 * is passed over: the file is parsed. */
static void test_bad_record_passed_over(void **state)
{
	Lnob__HierarchyCacheRecord *rec = NULL;
	at_world_t w;
	const char *path;
	uint8_t d[HIERCACHE_DIGEST_LEN];
	hier_t *h = NULL;
	MDB_txn *txn = NULL;
	bool cached = true;
	char err[256];
	uint32_t t;

	(void)state;
	at_setup(&w, AT_UNITS);
	path = tu_write(w.dir, "units.csv", AT_UNITS, 0644);
	assert_int_equal(hiercache_load(w.st, path, &h, d, &cached, err, sizeof(err)), 0);
	assert_int_equal(hiercache_save(w.st, d, h), 0);
	hier_destroy(&h);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(agg_hier_cache_get(w.st, txn, &rec), 0);
	assert_int_equal(rec->format, 2);
	assert_int_equal(rec->count, 7);
	t = rec->by_code[0];
	rec->by_code[0] = rec->by_code[1];
	rec->by_code[1] = t;
	assert_int_equal(agg_hier_cache_put(w.st, txn, rec), 0);
	assert_int_equal(store_commit(&txn), 0);
	lnob__hierarchy_cache_record__free_unpacked(rec, NULL);
	assert_int_equal(hiercache_load(w.st, path, &h, d, &cached, err, sizeof(err)), 0);
	assert_false(cached);
	tu_assert_hier_same(h, w.hier);
	hier_destroy(&h);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_when_fresh_not_when_changed),
		cmocka_unit_test(test_bad_record_passed_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
