/*
 * cmd_pubkey.c: `lnob-aggregator pubkey -c CONF`: prints the base64 of the
 * aggregator's Ed25519 public signing key, the collectors' [uplink]
 * aggregator_sign_key (README "Metadata sync down").
 */
#include "cmd_aggregator.h"

#include <sodium.h>
#include <stdio.h>

int cmd_pubkey(cli_ctx_t *ctx)
{
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), ctx->id.pub.sign_pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	printf("%s\n", b64);
	return 0;
}
