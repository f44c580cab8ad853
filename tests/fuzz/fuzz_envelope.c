/*
 * fuzz_envelope.c: admit_envelope() (common/admit.h), the first judgement
 * of every envelope the aggregator and a relay take, on arbitrary bytes.
 *
 * The signer lookup is fuzz_signer() (fuzz.h). The stored lookup holds, for
 * FUZZ_SIGNER, seq 1 as a sealed report body "stored" (the same again is a
 * duplicate, other content seq reuse) and seq 2 as bytes that do not
 * decode. Checks the verdict's invariants: a reason in range, an admitted
 * envelope decoded and verifying with the signer's key, no envelope with a
 * refusal.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "envelope.h"
#include "lnob_err.h"

static uint8_t *s_stored;
static size_t s_stored_len;
static const uint8_t s_garbage[] = { 0x0a, 0xff, 0xff, 0xff };

static int s_stored_fn(void *ctx, const char *signer, uint64_t seq, const uint8_t **ret_env,
		       size_t *ret_len)
{
	(void)ctx;
	if (strcmp(signer, FUZZ_SIGNER) != 0 || seq < 1 || seq > 2)
		return LNOB_E_NOTFOUND;
	*ret_env = seq == 1 ? s_stored : s_garbage;
	*ret_len = seq == 1 ? s_stored_len : sizeof(s_garbage);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t body[] = "stored";

	(void)argc;
	(void)argv;
	if (envelope_seal(fuzz_identity(), 1, LNOB__KIND__KIND_REPORT, body, sizeof(body) - 1,
			  &s_stored, &s_stored_len) < 0)
		fuzz_die("cannot seal the stored envelope");
	return 0;
}

/* The invariants of one verdict (admit.h). */
static void s_check(const admit_t *a, int r)
{
	if (a->reason < 0 || a->reason > LNOB__NACK_REASON__NACK_NOT_REQUESTED)
		fuzz_die("reason %d out of range", a->reason);
	if ((r < 0 || a->reason || a->duplicate) && a->env)
		fuzz_die("an envelope with a refusal, a duplicate or a lookup error");
	if (r == 0 && !a->reason && !a->duplicate) {
		if (!a->env)
			fuzz_die("admitted without an envelope");
		if (strcmp(a->env->signer, FUZZ_SIGNER) != 0 ||
		    envelope_verify(a->env, fuzz_identity()->pub.sign_pk) < 0)
			fuzz_die("admitted an envelope that does not verify with its signer's key");
	}
	if (a->reason && !a->detail[0])
		fuzz_die("a refusal without detail");
	if (memchr(a->signer, '\0', sizeof(a->signer)) == NULL)
		fuzz_die("signer not terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Two limits: the aggregator's default and a small one, so that the
	 * TOO_LARGE paths are reached by small inputs. */
	static const size_t limits[] = { 65536, 64 };
	admit_conf_t conf = { .signer = fuzz_signer, .stored = s_stored_fn, .ctx = NULL };

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		admit_t a;
		int r;

		memset(&a, 0, sizeof(a));
		conf.max_body = limits[i];
		conf.self_id = i ? "relay-node" : NULL;
		conf.self_name = i ? "this relay" : NULL;
		r = admit_envelope(&conf, data, size, &a);
		fuzz_note("max_body %zu: %d, reason %s%s, (%s, %llu): %s", limits[i], r,
			  admit_reason_name(a.reason), a.duplicate ? " (duplicate)" : "", a.signer,
			  (unsigned long long)a.seq, a.detail);
		s_check(&a, r);
		if (a.env)
			lnob__envelope__free_unpacked(a.env, NULL);
	}
	return 0;
}
