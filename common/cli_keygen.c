/* cli_keygen.c: the keygen command both programs share (cli.h). Apart from
 * cli.c so that a program without it links no identity code (libzmq's
 * Z85: aggregator/main.c). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lnob_err.h"
#include "util.h"

int cli_keygen(cli_ctx_t *ctx)
{
	const char *id_arg = cli_opt(ctx, "id"), *out = cli_opt(ctx, "out");
	char pubpath[4096], *text = NULL;
	size_t len;
	identity_t id;
	int r;

	if ((r = identity_generate(id_arg, &id)) < 0)
		return cli_fail(ctx, "keygen: --id '%s': %s (1..64 of A-Z a-z 0-9 . _ -)", id_arg,
				lnob_strerror(r));
	r = identity_save(&id, out);
	identity_wipe(&id);
	if (r < 0)
		return cli_fail(ctx, "keygen: %s: %s%s", out, lnob_strerror(r),
				r == -EEXIST ? " (refusing to overwrite a key)" : "");
	snprintf(pubpath, sizeof(pubpath), "%s.pub", out);
	if (lnob_read_file(pubpath, 4096, &text, &len) == 0) {
		fputs(text, stdout);
		free(text);
	}
	fprintf(stderr, "%s keygen: wrote %s (secret, 0600) and %s (public)\n", ctx->prog->name,
		out, pubpath);
	return 0;
}
