/* cli.c: the keygen subcommand shared by both daemons (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "lnob_err.h"
#include "util.h"

int cli_keygen(const char *prog, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id_arg = NULL, *out = NULL;
	char pubpath[4096], *text = NULL;
	size_t len;
	identity_t id;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': id_arg = optarg; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!id_arg || !out || optind != argc)
		goto usage;
	if ((r = identity_generate(id_arg, &id)) < 0) {
		fprintf(stderr, "%s keygen: --id '%s': %s (1..64 of A-Z a-z 0-9 . _ -)\n",
			prog, id_arg, lnob_strerror(r));
		return 1;
	}
	r = identity_save(&id, out);
	identity_wipe(&id);
	if (r < 0) {
		fprintf(stderr, "%s keygen: %s: %s%s\n", prog, out, lnob_strerror(r),
			r == -EEXIST ? " (refusing to overwrite a key)" : "");
		return 1;
	}
	snprintf(pubpath, sizeof(pubpath), "%s.pub", out);
	if (lnob_read_file(pubpath, 4096, &text, &len) == 0) {
		fputs(text, stdout);
		free(text);
	}
	fprintf(stderr, "%s keygen: wrote %s (secret, 0600) and %s (public)\n", prog, out, pubpath);
	return 0;
usage:
	fprintf(stderr, "usage: %s keygen --id NODE_ID --out PATH\n", prog);
	return 2;
}
