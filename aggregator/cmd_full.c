/*
 * cmd_full.c: how lnob-aggregator hands a command it does not link to
 * lnob-aggregator-full (main.c): exec() of the program of that name in the
 * directory of the running one, with the same arguments, so that the
 * command runs in the same process (its pid, its exit status, its signals:
 * systemd's `ExecStart=lnob-aggregator run` sees lnob-aggregator-full).
 */
#include "cmd_aggregator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int aggcmd_full_path(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len);
	char *slash;

	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (!(slash = strrchr(out, '/')))
		return -ENOENT;
	if ((size_t)(slash + 1 - out) + sizeof(AGG_FULL_PROG) > len)
		return -ENAMETOOLONG;
	memcpy(slash + 1, AGG_FULL_PROG, sizeof(AGG_FULL_PROG));
	return 0;
}

int aggcmd_exec_full(char **argv)
{
	char path[4096];
	int r = aggcmd_full_path(path, sizeof(path));

	if (r < 0) {
		fprintf(stderr, "%s: %s: cannot find %s: %s\n", AGG_PROG, argv[1], AGG_FULL_PROG,
			strerror(-r));
		return 1;
	}
	execv(path, argv);
	fprintf(stderr, "%s: %s: cannot run %s: %s\n", AGG_PROG, argv[1], path, strerror(errno));
	return 1;
}
