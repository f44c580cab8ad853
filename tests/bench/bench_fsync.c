/*
 * bench_fsync.c: how many fsync(2)s a second the disk holding a directory
 * takes, each after a 4 KiB write (the shape of an LMDB commit's last
 * step), as tests/bench/run measures it (README "Benchmarks").
 *
 *   bench_fsync DIR [SECONDS]        (default 2)
 *
 * Writes DIR/bench-fsync.tmp (removed at the end): pwrite of 4096 bytes
 * at one of 256 offsets in turn, then fsync, for SECONDS. Prints one line:
 *   fsync_per_s=N fsyncs=K seconds=S
 * Exit 0, or 1 with a message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define BENCH_BLOCK 4096

int main(int argc, char **argv)
{
	unsigned long seconds = 2, n = 0;
	char path[4096];
	unsigned char block[BENCH_BLOCK];
	double t0, t1;
	int fd, rc = 0;

	if (argc < 2 || argc > 3 || (argc > 2 && bench_arg_ul(argv[2], 1, 3600, &seconds) != 0)) {
		fprintf(stderr, "usage: bench_fsync DIR [SECONDS]\n");
		return 2;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/bench-fsync.tmp", argv[1]) >= sizeof(path)) {
		fprintf(stderr, "bench_fsync: %s: path too long\n", argv[1]);
		return 1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	memset(block, 0x5a, sizeof(block));
	t0 = bench_now();
	t1 = t0;
	while (rc == 0 && t1 - t0 < (double)seconds) {
		off_t off = (off_t)(n % 256) * BENCH_BLOCK;

		if (pwrite(fd, block, sizeof(block), off) != (ssize_t)sizeof(block) || fsync(fd) != 0) {
			perror(path);
			rc = 1;
		}
		n++;
		t1 = bench_now();
	}
	close(fd);
	unlink(path);
	if (rc == 0)
		printf("fsync_per_s=%.0f fsyncs=%lu seconds=%.3f\n", (double)n / (t1 - t0), n,
		       t1 - t0);
	return rc;
}
