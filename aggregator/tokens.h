/*
 * tokens.h: the HTTP API's bearer tokens (`lnob-aggregator token`, README
 * "HTTP API"). A token is `lnob_<id>_<secret>`: id 12 lowercase hex digits,
 * secret 32 random bytes in base64url without padding (43 characters). The
 * store keeps a TokenRecord per id (aggstore.h, db tokens): the role
 * (viewer or operator), the scope (a unit: the subtree the token sees), the
 * expiry and a keyed BLAKE2b-256 of the secret (crypto_generichash, a
 * random 32-byte salt as the key), never the secret. A check reads the
 * record in the caller's transaction and compares in constant time
 * (sodium_memcmp), so a revocation takes effect at the next request.
 * Library code: no logging.
 */
#ifndef LNOB_TOKENS_H
#define LNOB_TOKENS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "hierarchy.h"

#define TOKEN_ID_LEN 12
#define TOKEN_SECRET_LEN 43
#define TOKEN_TEXT_MAX (5 + TOKEN_ID_LEN + 1 + TOKEN_SECRET_LEN)   /* without NUL */
#define TOKEN_NAME_MAX 256

typedef enum token_role { TOKEN_VIEWER = 0, TOKEN_OPERATOR } token_role_t;

/* What a checked token grants (copied out of its record). */
typedef struct token_grant {
	char id[TOKEN_ID_LEN + 1];
	token_role_t role;
	int scope;                    /* hierarchy index of the scope unit */
	int64_t expires_at;           /* 0: never */
} token_grant_t;

/* "viewer" / "operator" into *ret. Returns 0 or LNOB_E_INVALID. */
int token_role_parse(const char *s, token_role_t *ret);
const char *token_role_name(token_role_t r);

/* "YYYY-MM-DD" (a real date of 2000..2100) into the last second of that
 * day, UTC (Unix seconds). Returns 0 or LNOB_E_INVALID. */
int token_expiry_parse(const char *s, int64_t *ret);

/* Splits "lnob_<id>_<secret>" into ret_id (TOKEN_ID_LEN + 1 bytes) and a
 * pointer to the secret inside text. Pure. Returns 0 or LNOB_E_INVALID. */
int token_split(const char *text, char *ret_id, const char **ret_secret);

/* Makes a token for scope (a unit code of hier), role, expires_at (0:
 * never) and name (may be NULL) at now, stores its record in txn (a write
 * transaction) and writes the token text into ret_text (TOKEN_TEXT_MAX + 1
 * bytes) and its id into ret_id. Returns 0, LNOB_E_INVALID (err says why)
 * or a store error. */
int token_create(store_t *st, MDB_txn *txn, const hier_t *hier, token_role_t role,
		 const char *scope, int64_t expires_at, const char *name, int64_t now,
		 char *ret_text, char *ret_id, char *err, size_t errlen);

/* Checks the bearer token text at now: 0 with *ret filled; LNOB_E_NOTFOUND
 * for malformed, unknown or a wrong secret; LNOB_E_INVALID for revoked,
 * expired or a scope no longer in hier (err says which); or a store error. */
int token_check(store_t *st, MDB_txn *txn, const hier_t *hier, const char *text, int64_t now,
		token_grant_t *ret, char *err, size_t errlen);

/* Revokes token id at now (txn a write transaction). Returns 0,
 * LNOB_E_NOTFOUND or a store error; revoking twice is 0. */
int token_revoke(store_t *st, MDB_txn *txn, const char *id, int64_t now);

/* Every token (id, role, scope, name, created_at, expires_at, revoked,
 * revoked_at; no hash) as {"tokens": [...]}. Caller owns *ret. */
int tokens_view(store_t *st, MDB_txn *txn, json_t **ret);

#endif
