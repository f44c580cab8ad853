/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz share (fuzz_util.c):
 * the entry points libFuzzer calls, a per-process temporary directory for
 * entry points that take a path, the fixed signing identity the harnesses
 * sign and verify with, and the sample hierarchy and campaigns of
 * deploy/samples that the body and import targets check against.
 *
 * Everything here is set up once (LLVMFuzzerInitialize() or the first
 * call) and lives until exit: libFuzzer's leak check counts only what one
 * input allocates and does not free. A set-up failure aborts with a
 * message: it is the harness that is broken, not the input.
 */
#ifndef LNOB_FUZZ_H
#define LNOB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "identity.h"

/* The node id the fixed identity signs as, enrolled by every harness that
 * has a signer lookup. */
#define FUZZ_SIGNER "fuzz-node"
/* The byte the fixed identity's Ed25519 seed is made of (32 of them);
 * tests/fuzz/gen_seeds.py signs the seed corpora with the same seed. */
#define FUZZ_SEED_BYTE 0x42

/* libFuzzer's entry points (-fsanitize=fuzzer links its main()). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Prints "fuzz: <fmt...>" on stderr and aborts: a broken harness. */
void fuzz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* With LNOB_FUZZ_VERBOSE=1 in the environment, prints "fuzz: <fmt...>"
 * on stderr (what an input came to: running a target on one file shows
 * why it was refused); else nothing. */
void fuzz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A NUL-terminated copy of data[0..size). Caller frees. Never NULL. */
char *fuzz_text(const uint8_t *data, size_t size);

/* This process's temporary directory ($TMPDIR or /tmp, lnob-fuzz-XXXXXX),
 * made at the first call and removed with everything in it at exit. */
const char *fuzz_dir(void);

/* Writes data[0..size) to fuzz_dir()/name (replacing it). Returns the
 * path, static until the next call. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* Removes everything under dir (dir itself too). */
void fuzz_rmtree(const char *dir);

/* The fixed identity FUZZ_SIGNER: its Ed25519 key from FUZZ_SEED_BYTE,
 * its CURVE key from the same seed. Static. */
const identity_t *fuzz_identity(void);

/* An admit_signer_fn (admit.h): FUZZ_SIGNER with the fixed key (so
 * envelopes signed by tests/fuzz/gen_seeds.py verify), "revoked-node"
 * (revoked, the same key), "keyless-node" (no usable key) and
 * "broken-node" (the lookup fails, -EIO); every other id is not enrolled.
 * ctx is unused. */
int fuzz_signer(void *ctx, const char *id, admit_key_t *ret);

/* The sample hierarchy deploy/samples/province/units.csv, loaded once. */
const hier_t *fuzz_hier(void);

/* The sample campaign deploy/samples/campaigns/daknong.ini (checked
 * against fuzz_hier()), loaded once. */
const campaigns_t *fuzz_campaigns(void);

/* The path of a file of the source tree (FUZZ_SOURCE_DIR/rel), static
 * until the next call. */
const char *fuzz_source(const char *rel);

#endif
