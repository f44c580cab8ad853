/* test_metrics.c: the Prometheus metrics (aggregator/metrics.h): histogram
 * bucketing, the text exposition parsed back, label escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

/* The value of the sample line that starts with "name{labels} " or
 * "name " in text, or -1 when absent. */
static double s_sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, series, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	return -1;
}

/* Every line is a comment (# HELP / # TYPE) or "name[{labels}] value",
 * each metric's TYPE comes before its samples, and the text ends with a
 * line feed. */
static void s_check_format(const char *text)
{
	char typed[64][96];
	size_t ntyped = 0;

	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		char name[96];
		size_t len = strcspn(l, "{ \n"), i;

		if (strncmp(l, "# HELP ", 7) == 0)
			continue;
		if (strncmp(l, "# TYPE ", 7) == 0) {
			assert_true(sscanf(l + 7, "%95s", typed[ntyped]) == 1);
			assert_true(++ntyped < 64);
			continue;
		}
		assert_true(len > 0 && len < sizeof(name));
		memcpy(name, l, len);
		name[len] = '\0';
		for (i = 0; i < ntyped; i++) {
			size_t tl = strlen(typed[i]);

			if (strncmp(name, typed[i], tl) == 0 &&
			    (name[tl] == '\0' || strcmp(name + tl, "_bucket") == 0 ||
			     strcmp(name + tl, "_sum") == 0 || strcmp(name + tl, "_count") == 0))
				break;
		}
		assert_true(i < ntyped);   /* typed before its samples */
		assert_non_null(strchr(l, ' '));
	}
}

static void test_bucket(void **state)
{
	(void)state;
	assert_int_equal(metrics_bucket(0.0), 0);
	assert_int_equal(metrics_bucket(0.0005), 0);      /* le: the bound itself is in */
	assert_int_equal(metrics_bucket(0.00051), 1);
	assert_int_equal(metrics_bucket(0.001), 1);
	assert_int_equal(metrics_bucket(0.003), 3);
	assert_int_equal(metrics_bucket(1.0), 10);
	assert_int_equal(metrics_bucket(10.0), 13);
	assert_int_equal(metrics_bucket(10.01), METRICS_NBOUNDS);   /* +Inf */
	assert_int_equal(metrics_bucket(-1.0), 0);
}

static void test_histogram_render(void **state)
{
	metrics_t *m = metrics_new();
	uint64_t c[AGG_C_COUNT] = { 0 };
	char *text;

	(void)state;
	assert_non_null(m);
	metrics_batch_commit(m, 0.0004);
	metrics_batch_commit(m, 0.002);
	metrics_batch_commit(m, 0.002);
	metrics_batch_commit(m, 30.0);
	c[AGG_C_STORED] = 41;
	c[AGG_C_DUPLICATE] = 3;
	c[AGG_C_REJECTED_BASE + 4] = 5;   /* bad_signature */
	text = metrics_render(m, c);
	assert_non_null(text);
	s_check_format(text);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_bucket{le=\"0.0005\"}") == 1);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_bucket{le=\"0.001\"}") == 1);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_bucket{le=\"0.0025\"}") == 3);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_bucket{le=\"10\"}") == 3);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_bucket{le=\"+Inf\"}") == 4);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_count") == 4);
	assert_true(s_sample(text, "lnob_batch_commit_seconds_sum") > 30.004 &&
		    s_sample(text, "lnob_batch_commit_seconds_sum") < 30.005);
	assert_true(s_sample(text, "lnob_ingested_total") == 41);
	assert_true(s_sample(text, "lnob_duplicates_total") == 3);
	assert_true(s_sample(text, "lnob_rejected_total{reason=\"bad_signature\"}") == 5);
	assert_true(s_sample(text, "lnob_rejected_total{reason=\"wrong_level\"}") == 0);
	assert_non_null(strstr(text, "# TYPE lnob_batch_commit_seconds histogram\n"));
	assert_non_null(strstr(text, "# TYPE lnob_ingested_total counter\n"));
	free(text);
	metrics_destroy(&m);
	assert_null(m);
	metrics_destroy(&m);
}

static void test_queries_gauges_escaping(void **state)
{
	metrics_t *m = metrics_new();
	uint64_t c[AGG_C_COUNT] = { 0 };
	char *text;

	(void)state;
	metrics_query(m, "/api/fleet", 200, 0.003);
	metrics_query(m, "/api/fleet", 200, 0.2);
	metrics_query(m, "/api/fleet", 403, 0.001);
	metrics_query(m, "a\"b\\c\nd", 500, 0.01);
	metrics_queue_depth(m, "ingest", 12);
	metrics_queue_depth(m, "ingest", 7);
	metrics_peers(m, 3);
	text = metrics_render(m, c);
	assert_non_null(text);
	s_check_format(text);
	assert_true(s_sample(text, "lnob_query_duration_seconds_count{endpoint=\"/api/fleet\"}") == 3);
	assert_true(s_sample(text,
		"lnob_query_duration_seconds_bucket{endpoint=\"/api/fleet\",le=\"0.005\"}") == 2);
	assert_true(s_sample(text, "lnob_queries_total{endpoint=\"/api/fleet\",status=\"200\"}") == 2);
	assert_true(s_sample(text, "lnob_queries_total{endpoint=\"/api/fleet\",status=\"403\"}") == 1);
	assert_true(s_sample(text,
		"lnob_queries_total{endpoint=\"a\\\"b\\\\c\\nd\",status=\"500\"}") == 1);
	assert_true(s_sample(text, "lnob_queue_depth{queue=\"ingest\"}") == 7);
	assert_true(s_sample(text, "lnob_peers_connected") == 3);
	free(text);
	metrics_destroy(&m);
}

static void test_bounded_labels(void **state)
{
	metrics_t *m = metrics_new();
	uint64_t c[AGG_C_COUNT] = { 0 };
	char name[32], *text;

	(void)state;
	for (int i = 0; i < METRICS_ENDPOINTS + 5; i++) {
		snprintf(name, sizeof(name), "/e%d", i);
		metrics_query(m, name, 200, 0.001);
	}
	text = metrics_render(m, c);
	assert_true(s_sample(text, "lnob_query_duration_seconds_count{endpoint=\"other\"}") == 5);
	assert_true(s_sample(text, "lnob_query_duration_seconds_count{endpoint=\"/e0\"}") == 1);
	free(text);
	metrics_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_histogram_render),
		cmocka_unit_test(test_queries_gauges_escaping),
		cmocka_unit_test(test_bounded_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
