/* runlock.c: one running daemon per store (see runlock.h). */
#include "runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lnob_err.h"
#include "util.h"

/* The pid the holder wrote into fd, or 0 when it cannot be read. */
static long s_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? pid : 0;
}

/* Writes our pid into the lock file (the lock is ours). */
static int s_write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

int runlock_take(const char *dir, const char *prog, char *err, size_t errlen)
{
	char path[4200];
	long pid;
	int fd, r;

	if ((r = lnob_mkdirs(dir)) < 0)
		return lnob_errf(err, errlen, r, "%s: cannot create directory: %s", dir,
				 lnob_strerror(r));
	snprintf(path, sizeof(path), "%s/run.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return lnob_errf(err, errlen, -errno, "%.900s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno;
		pid = s_holder(fd);
		close(fd);
		if (r != EWOULDBLOCK)
			return lnob_errf(err, errlen, -r, "%.900s: %s", path, strerror(r));
		if (pid > 0)
			return lnob_errf(err, errlen, LNOB_E_EXISTS, "%.900s: another %s run (pid %ld) "
					 "is using this store; one daemon per store", path, prog, pid);
		return lnob_errf(err, errlen, LNOB_E_EXISTS, "%.900s: another %s run is using "
				 "this store; one daemon per store", path, prog);
	}
	if ((r = s_write_pid(fd)) < 0) {
		close(fd);
		return lnob_errf(err, errlen, r, "%.900s: %s", path, strerror(-r));
	}
	return fd;
}

void runlock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
