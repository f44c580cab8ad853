/* test_fault.c: LNOB_FAULT crash points fire where and when named. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"

/* Runs fault_point(point) `calls` times in a child with LNOB_FAULT=spec and
 * returns how the child ended: the signal that killed it, or 0 when it
 * went through every call and exited 0. */
static int s_child(const char *spec, const char *point, int calls)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("LNOB_FAULT", spec, 1);
		for (int i = 0; i < calls; i++)
			fault_point(point);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return 0;
}

static void test_points(void **state)
{
	(void)state;
#ifdef LNOB_FAULT_INJECTION
	assert_int_equal(s_child("agg.before_commit", "agg.before_commit", 1), SIGKILL);
	assert_int_equal(s_child("agg.before_commit:3", "agg.before_commit", 2), 0);
	assert_int_equal(s_child("agg.before_commit:3", "agg.before_commit", 3), SIGKILL);
	/* Another point, a prefix of one, or a bad count never fires. */
	assert_int_equal(s_child("agg.after_commit", "agg.before_commit", 5), 0);
	assert_int_equal(s_child("agg.before", "agg.before_commit", 5), 0);
	assert_int_equal(s_child("agg.before_commit:0", "agg.before_commit", 5), 0);
	assert_int_equal(s_child("agg.before_commit:x", "agg.before_commit", 5), 0);
#else
	/* Compiled out: nothing fires whatever the environment says. */
	assert_int_equal(s_child("agg.before_commit", "agg.before_commit", 3), 0);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
