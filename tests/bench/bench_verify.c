/*
 * bench_verify.c: the one-core limit of Ed25519 verification (libsodium's
 * crypto_sign_verify_detached) on a message of the envelope's size, as
 * tests/bench/run measures it (README "Benchmarks").
 *
 *   bench_verify [SECONDS [MESSAGE_BYTES]]      (defaults 2 and 400)
 *
 * Signs one random message with a fresh key, then verifies it in a loop on
 * this thread for SECONDS, and prints one line:
 *   verify_per_s=N message_bytes=M verifications=K seconds=S
 * Exit 0, or 1 with a message (a verification that fails is an error).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#define BENCH_MSG_MAX 65536

int main(int argc, char **argv)
{
	unsigned long seconds = 2, len = 400, n = 0;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
	unsigned char *msg;
	double t0, t1;

	if ((argc > 1 && bench_arg_ul(argv[1], 1, 3600, &seconds) != 0) ||
	    (argc > 2 && bench_arg_ul(argv[2], 1, BENCH_MSG_MAX, &len) != 0) || argc > 3) {
		fprintf(stderr, "usage: bench_verify [SECONDS [MESSAGE_BYTES]]\n");
		return 2;
	}
	if (sodium_init() < 0 || (msg = malloc(len)) == NULL) {
		fprintf(stderr, "bench_verify: libsodium or memory unavailable\n");
		return 1;
	}
	randombytes_buf(msg, len);
	crypto_sign_keypair(pk, sk);
	crypto_sign_detached(sig, NULL, msg, len, sk);
	t0 = bench_now();
	t1 = t0;
	while (t1 - t0 < (double)seconds) {
		/* 64 verifications between two looks at the clock. */
		for (int i = 0; i < 64; i++) {
			if (crypto_sign_verify_detached(sig, msg, len, pk) != 0) {
				fprintf(stderr, "bench_verify: a good signature did not verify\n");
				free(msg);
				return 1;
			}
		}
		n += 64;
		t1 = bench_now();
	}
	printf("verify_per_s=%.0f message_bytes=%lu verifications=%lu seconds=%.3f\n",
	       (double)n / (t1 - t0), len, n, t1 - t0);
	free(msg);
	return 0;
}
