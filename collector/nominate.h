/*
 * nominate.h: award nominations and their stages (README "Nominations"),
 * from a nomination's JSON file or a stage's command-line options into the
 * Lnob__Nomination / Lnob__Stage values the outbox queues (KIND_NOMINATION,
 * KIND_STAGE).
 *
 * A nomination file is ONE JSON object:
 *   campaign          id (1..64 of [A-Za-z0-9._-]); may be left out when
 *                     the collector's [nominations] campaign names one
 *   id                id, unique per proposing node ("2023-007")
 *   nominee_kind      collective | individual | household | enterprise
 *   nominee_name      text, 1..NOMINATE_NAME_MAX bytes, one line
 *   unit              id: the nominee's org unit
 *   form              giay_khen | bang_khen_province | bang_khen_pm |
 *                     huan_chuong_lao_dong
 *   occasion          id: a period of the campaign ("2023", "final-2025")
 *   summary           text, non-empty
 *   contribution_vnd  integer 0..10^15, optional (default 0)
 *   sanction          "" | "none" | a sanction code (an id), optional
 *   revises           "<signer>/<id>", optional: the nomination this one
 *                     resubmits after a return (never itself)
 *   proposed_at       ISO 8601 with a UTC offset, or Unix seconds (integer
 *                     or digits), in 2000-01-01 .. 2100-12-31 UTC
 *                     (lnob_time_valid); optional, default now
 *   dossier           array of 1..NOMINATE_DOSSIER_MAX documents:
 *     kind            proposal | council_minutes | achievement_report
 *     title           text, 1..NOMINATE_NAME_MAX bytes, one line
 *     file            path of the document inside the JSON file's folder
 *                     (no absolute path, no "..", no symbolic link, a
 *                     regular file): its SHA-256 and size are
 *                     computed, and its bytes attached when the size is at
 *                     most attach_max (0: never)
 *     data            instead of file: the document's bytes, standard
 *                     base64 with padding (RFC 4648; the page's uploads),
 *                     digested and attached as a file's are; never with
 *                     file
 *     sha256, size    64 hex digits and an integer >= 0: a document not at
 *                     hand; with a file or data too, they must match it
 *     vote            council_minutes only, required there: "FOR/MEMBERS"
 *                     optionally followed by a space and text ("9/11",
 *                     "9/11 tán thành"), FOR <= MEMBERS, MEMBERS >= 1
 * The dossier must hold at least one proposal, one council_minutes and one
 * achievement_report (seed 004 §V.2). Any other field, and a key given
 * twice, is an error; so is a nomination over the body limit encoded
 * (nominate_opts_t max_body).
 *
 * Errors name the file and the JSON path, then the problem:
 *   "nom.json: dossier[1].kind: unknown kind 'minute' (expected ...)"
 *   "nom.json:3:14: <JSON syntax error>"       (line:column)
 * (dossier indexes count from 0).
 *
 * The codes of kinds, forms and stages, nomination keys, the text rules and
 * building a stage are common/nomstage.h's (the aggregator signs stages too).
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_NOMINATE_H
#define LNOB_NOMINATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"
#include "nomstage.h"

/* [nominations] attach_max_bytes when the config does not say. */
#define NOMINATE_ATTACH_MAX_DEFAULT ((size_t)262144)
/* Largest accepted attach_max_bytes. */
#define NOMINATE_ATTACH_MAX_LIMIT ((size_t)64 << 20)
/* Largest nomination JSON file read. */
#define NOMINATE_FILE_MAX ((size_t)1 << 20)
/* Most documents in one dossier. */
#define NOMINATE_DOSSIER_MAX 16
/* What parsing a nomination needs besides the file. */
typedef struct nominate_opts {
	const char *signer;      /* this node's id: the first half of the key */
	const char *campaign;    /* [nominations] campaign: the default, NULL or "" for none */
	size_t attach_max;       /* attach documents up to this many bytes; 0: never */
	int64_t now_s;           /* the default proposed_at */
	size_t max_body;         /* the largest encoded nomination (an Envelope body),
				  * e.g. the upstream's max_body; 0 or over
				  * OUTBOX_BODY_MAX: OUTBOX_BODY_MAX */
	bool no_files;           /* documents may not name a file (the page: only
				  * data, or sha256 and size) */
} nominate_opts_t;

/* Reads the nomination file at path (at most NOMINATE_FILE_MAX bytes) and
 * parses it with nominate_parse_json(), dossier files relative to the
 * file's directory. Caller owns *ret (nominate_free); not written on
 * failure, when err holds one line naming path and the JSON path.
 * Returns 0, -errno (cannot read the file or a document), LNOB_E_TOOBIG
 * (the file, or the encoded nomination), LNOB_E_INVALID, LNOB_E_CRYPTO or
 * -ENOMEM. */
int nominate_parse_file(const char *path, const nominate_opts_t *o, Lnob__Nomination **ret,
			char *err, size_t errlen);

/* The same for text in memory (len bytes, NUL-terminated); name stands
 * for the file in messages, base_dir is where relative dossier files are
 * (NULL: the current directory). */
int nominate_parse_json(const char *name, const char *base_dir, const char *text, size_t len,
			const nominate_opts_t *o, Lnob__Nomination **ret, char *err, size_t errlen);

/* Frees a nomination built by this module. Accepts NULL and *self_p ==
 * NULL; sets *self_p to NULL. */
void nominate_free(Lnob__Nomination **self_p);

/* Total bytes of attached document contents in n. */
size_t nominate_attached_bytes(const Lnob__Nomination *n);

/* Reads the file at path once, computing its SHA-256 (libsodium
 * crypto_hash_sha256) and size; when attach_max > 0 and the size is at
 * most attach_max, *ret_content gets a copy of the bytes (caller owns,
 * free(); NULL for an empty file), else NULL. ret_content may be NULL.
 * path itself must not be a symbolic link (LNOB_E_SYMLINK); a FIFO, a
 * device or a socket is refused at once (LNOB_E_NOTREG), a directory
 * -EISDIR. Returns 0, one of those, -errno, -ENOMEM or LNOB_E_CRYPTO;
 * outputs written only on success. */
int nominate_digest_file(const char *path, size_t attach_max, uint8_t ret_sha256[32],
			 uint64_t *ret_size, uint8_t **ret_content);

#endif
