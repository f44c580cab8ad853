/* test_log.c: log lines, levels, fatal exits, and error-code names. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lnob_err.h"
#include "log.h"
#include "util.h"

/* Runs fn with stderr sent to a file and returns what it wrote (static). */
static const char *s_capture(void (*fn)(void))
{
	static char out[4096];
	const char *dir = tu_tmpdir();
	char path[512];
	int saved, fd;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/err.txt", dir);
	fflush(stderr);
	saved = dup(2);
	f = fopen(path, "w+");
	assert_non_null(f);
	fd = fileno(f);
	assert_int_equal(dup2(fd, 2), 2);
	fn();
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	tu_rmtree(dir);
	return out;
}

static void s_lines(void)
{
	log_init("lnob-test", LOG_LVL_INFO);
	log_info("stored %d envelopes", 7);
	log_debug("not shown at info");
	errno = ENOSPC;
	log_warn("writing %s", "data.mdb");
	log_warnx("plain warning");
}

static void test_lines_and_levels(void **state)
{
	const char *out = s_capture(s_lines);
	char pid[96];

	(void)state;
	snprintf(pid, sizeof(pid), "lnob-test[%ld] info: stored 7 envelopes\n", (long)getpid());
	assert_non_null(strstr(out, pid));
	assert_null(strstr(out, "not shown"));
	assert_non_null(strstr(out, "warning: writing data.mdb: No space left on device\n"));
	assert_non_null(strstr(out, "warning: plain warning\n"));
	/* Each line starts with a UTC timestamp, "YYYY-MM-DDTHH:MM:SS.mmmZ ". */
	assert_int_equal(out[4], '-');
	assert_int_equal(out[10], 'T');
	assert_int_equal(out[23], 'Z');
	assert_int_equal(out[24], ' ');
}

static void s_debug(void)
{
	log_init("lnob-test", LOG_LVL_DEBUG);
	log_debug("shown at debug");
	log_init("lnob-test", LOG_LVL_ERROR);
	log_warnx("hidden at error");
	log_init("lnob-test", LOG_LVL_INFO);
}

static void test_verbose_and_quiet(void **state)
{
	const char *out = s_capture(s_debug);

	(void)state;
	assert_non_null(strstr(out, "debug: shown at debug"));
	assert_null(strstr(out, "hidden"));
}

static void test_level_names(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("error"), LOG_LVL_ERROR);
	assert_int_equal(log_level_parse("warn"), LOG_LVL_WARN);
	assert_int_equal(log_level_parse("info"), LOG_LVL_INFO);
	assert_int_equal(log_level_parse("debug"), LOG_LVL_DEBUG);
	assert_int_equal(log_level_parse("verbose"), -1);
	assert_int_equal(log_level_parse(""), -1);
}

/* [log] target: stderr or syslog; with syslog the lines leave stderr. */
static void s_to_syslog(void)
{
	log_to_syslog(1);
	log_info("sent to syslog");
	log_to_syslog(0);
	log_info("back on stderr");
}

static void test_targets(void **state)
{
	const char *out;

	(void)state;
	assert_int_equal(log_target_parse("stderr"), 0);
	assert_int_equal(log_target_parse("syslog"), 1);
	assert_int_equal(log_target_parse("journal"), -1);
	assert_int_equal(log_target_parse(""), -1);
	out = s_capture(s_to_syslog);
	assert_null(strstr(out, "sent to syslog"));
	assert_non_null(strstr(out, "info: back on stderr"));
}

static void test_fatal_exits_one(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		fatalx("cannot go on");
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

static void test_error_names(void **state)
{
	(void)state;
	/* Every lnob code has its own name. */
	for (int a = LNOB_E_LAST; a <= LNOB_E_CONFIG; a++) {
		assert_string_not_equal(lnob_strerror(a), "unknown error");
		for (int b = a + 1; b <= LNOB_E_CONFIG; b++)
			assert_string_not_equal(lnob_strerror(a), lnob_strerror(b));
	}
	assert_string_equal(lnob_strerror(LNOB_E_KEYPERM),
			    "secret key file is readable by group or others");
	/* LMDB's codes by LMDB's names, errno values negated by strerror. */
	assert_string_equal(lnob_strerror(MDB_MAP_FULL), mdb_strerror(MDB_MAP_FULL));
	assert_string_equal(lnob_strerror(-ENOSPC), strerror(ENOSPC));
	assert_string_equal(lnob_strerror(0), "success");
	assert_string_equal(lnob_strerror(-50000), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_levels),
		cmocka_unit_test(test_verbose_and_quiet),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_fatal_exits_one),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
