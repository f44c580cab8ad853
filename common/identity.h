/*
 * identity.h: a node's identity file: one node id, an Ed25519 pair for
 * signing envelopes and a Curve25519 pair for ZeroMQ CURVE (libsodium
 * advises separate pairs for signing and encryption).
 *
 * The secret file is INI text, mode 0600:
 *   [node]
 *   id = c-001
 *   sign_public = <64 hex>     sign_secret = <128 hex>
 *   curve_public = <40 Z85>    curve_secret = <40 Z85>
 * The public file (`<identity>.pub`) holds only id, sign_public and
 * curve_public; it is what an aggregator or relay enrolls.
 */
#ifndef LNOB_IDENTITY_H
#define LNOB_IDENTITY_H

#include <stdint.h>
#include <stddef.h>
#include <sodium.h>

#define LNOB_ID_MAX 64

/* Most earlier key pairs a node's enrolment keeps after rotations, taken
 * until their grace ends (keydir.h's retired pairs). */
#define LNOB_OLDER_KEYS_MAX 4

typedef struct identity_pub {
	char node_id[LNOB_ID_MAX + 1];
	uint8_t sign_pk[32];
	uint8_t curve_pk[32];
} identity_pub_t;

typedef struct identity {
	identity_pub_t pub;
	uint8_t sign_sk[64];   /* libsodium form: seed || public key */
	uint8_t curve_sk[32];
} identity_t;

/* Fills *ret with fresh key pairs for node_id. Returns 0, LNOB_E_INVALID
 * for a bad node id, or LNOB_E_CRYPTO. */
int identity_generate(const char *node_id, identity_t *ret);

/* Writes the secret file (mode 0600, atomically; refuses to replace an
 * existing file: -EEXIST) and the public file beside it at "<path>.pub".
 * Returns 0 or a negative code. */
int identity_save(const identity_t *id, const char *path);

/* The public file's text of id into out (as identity_save() writes it).
 * Returns its length or -ENOBUFS. */
int identity_format_public(const identity_t *id, char *out, size_t outlen);

/* Loads a secret identity file. Refuses a file readable or writable by
 * group or others (LNOB_E_KEYPERM) and checks that each public key matches
 * its secret key. On failure err names the file (and line) and *ret is not
 * written. */
int identity_load(const char *path, identity_t *ret, char *err, size_t errlen);

/* Loads a public identity file ("<identity>.pub"). Same error rules. */
int identity_load_public(const char *path, identity_pub_t *ret, char *err, size_t errlen);

/* Wipes secret material. Inline: cli.c wipes its context's identity in a
 * program that links no identity code (aggregator/main.c). */
static inline void identity_wipe(identity_t *id)
{
	if (id)
		sodium_memzero(id, sizeof(*id));
}

#endif
