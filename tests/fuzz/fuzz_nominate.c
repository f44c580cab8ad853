/*
 * fuzz_nominate.c: the collector's nomination JSON (collector/nominate.h,
 * nominate_parse_json(): jansson, the fields, the dossier with its files,
 * base64 data, digests and votes) on arbitrary text, twice: as
 * `lnob-collector nominate` reads a file (documents may name files of the
 * JSON file's folder) and as the collector's page does (no_files).
 *
 * The folder is fuzz_dir()/nom, holding p.txt, m.txt and r.txt (small
 * documents the seed corpus names) and a symbolic link l.txt to p.txt
 * (refused). attach_max is 16 bytes, so that documents are attached or
 * only digested. A nomination it takes must pass the encoded size limit
 * and hold a dossier of 1..NOMINATE_DOSSIER_MAX documents with a 32-byte
 * digest each, and an attached content of the size it states.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nominate.h"

/* A fixed default proposed_at (2023-12-01 00:00 UTC). */
#define S_NOW 1701388800

static char s_base[4096 + 16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const docs[][2] = {
		{ "nom/p.txt", "proposal bytes" },
		{ "nom/m.txt", "minutes" },
		{ "nom/r.txt", "an achievement report longer than sixteen bytes" },
	};
	char link[sizeof(s_base) + 16];

	(void)argc;
	(void)argv;
	snprintf(s_base, sizeof(s_base), "%s/nom", fuzz_dir());
	if (mkdir(s_base, 0700) < 0)
		fuzz_die("mkdir %s failed", s_base);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		(void)fuzz_write(docs[i][0], (const uint8_t *)docs[i][1], strlen(docs[i][1]));
	snprintf(link, sizeof(link), "%s/l.txt", s_base);
	if (symlink("p.txt", link) < 0)
		fuzz_die("symlink %s failed", link);
	return 0;
}

static void s_check(const Lnob__Nomination *n)
{
	if (n->n_dossier < 1 || n->n_dossier > NOMINATE_DOSSIER_MAX)
		fuzz_die("a dossier of %zu documents taken", n->n_dossier);
	for (size_t i = 0; i < n->n_dossier; i++) {
		const Lnob__Document *d = n->dossier[i];

		if (d->sha256.len != 32)
			fuzz_die("document %zu has a digest of %zu bytes", i, d->sha256.len);
		if (d->content.len && d->content.len != d->size)
			fuzz_die("document %zu: %zu bytes attached, size %llu", i, d->content.len,
				 (unsigned long long)d->size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nominate_opts_t o = { .signer = FUZZ_SIGNER, .campaign = "lnob-2021-2025",
			      .attach_max = 16, .now_s = S_NOW };
	char err[1024], *text = fuzz_text(data, size);

	for (int pass = 0; pass < 2; pass++) {
		Lnob__Nomination *n = NULL;
		int r;

		err[0] = '\0';
		o.no_files = pass == 1;
		r = nominate_parse_json("nom.json", s_base, text, size, &o, &n, err, sizeof(err));
		fuzz_note("no_files %d: %d %s", pass, r, err);
		if (r < 0 && !err[0])
			fuzz_die("refused (%d) without a message", r);
		if (r == 0) {
			s_check(n);
			nominate_free(&n);
		}
	}
	free(text);
	return 0;
}
