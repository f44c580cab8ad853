/* tokens.c: the HTTP API's bearer tokens (see tokens.h). */
#include "tokens.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "lnob_err.h"
#include "util.h"

#define S_PREFIX "lnob_"
#define S_SECRET_BYTES 32
#define S_SALT_BYTES 32
#define S_HASH_BYTES 32

static const char *const s_roles[] = { "viewer", "operator" };

int token_role_parse(const char *s, token_role_t *ret)
{
	for (int i = 0; i < 2; i++)
		if (s && strcmp(s, s_roles[i]) == 0) {
			*ret = (token_role_t)i;
			return 0;
		}
	return LNOB_E_INVALID;
}

const char *token_role_name(token_role_t r)
{
	return s_roles[r == TOKEN_OPERATOR];
}

int token_expiry_parse(const char *s, int64_t *ret)
{
	int y, m, d;

	if (!calendar_parse_date(s, 2000, 2100, &y, &m, &d))
		return LNOB_E_INVALID;
	*ret = (calendar_days(y, m, d) + 1) * 86400 - 1;
	return 0;
}

int token_split(const char *text, char *ret_id, const char **ret_secret)
{
	const char *id = text + strlen(S_PREFIX), *sep;

	if (!text || strncmp(text, S_PREFIX, strlen(S_PREFIX)) != 0)
		return LNOB_E_INVALID;
	sep = strchr(id, '_');
	if (!sep || sep - id != TOKEN_ID_LEN || strlen(sep + 1) != TOKEN_SECRET_LEN)
		return LNOB_E_INVALID;
	for (const char *p = id; p < sep; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return LNOB_E_INVALID;
	for (const char *p = sep + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_'))
			return LNOB_E_INVALID;
	memcpy(ret_id, id, TOKEN_ID_LEN);
	ret_id[TOKEN_ID_LEN] = '\0';
	*ret_secret = sep + 1;
	return 0;
}

/* The keyed hash of a secret (its text) with salt. */
static int s_hash(const char *secret, const uint8_t *salt, uint8_t out[S_HASH_BYTES])
{
	if (crypto_generichash(out, S_HASH_BYTES, (const unsigned char *)secret, strlen(secret),
			       salt, S_SALT_BYTES) != 0)
		return LNOB_E_CRYPTO;
	return 0;
}

/* Fresh random id and secret, as text. */
static void s_fresh(char id[TOKEN_ID_LEN + 1], char secret[TOKEN_SECRET_LEN + 1])
{
	uint8_t idb[TOKEN_ID_LEN / 2], sb[S_SECRET_BYTES];

	randombytes_buf(idb, sizeof(idb));
	randombytes_buf(sb, sizeof(sb));
	lnob_hex(id, idb, sizeof(idb));
	sodium_bin2base64(secret, TOKEN_SECRET_LEN + 1, sb, sizeof(sb),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(sb, sizeof(sb));
}

int token_create(store_t *st, MDB_txn *txn, const hier_t *hier, token_role_t role,
		 const char *scope, int64_t expires_at, const char *name, int64_t now,
		 char *ret_text, char *ret_id, char *err, size_t errlen)
{
	Lnob__TokenRecord rec = LNOB__TOKEN_RECORD__INIT, *old = NULL;
	char id[TOKEN_ID_LEN + 1], secret[TOKEN_SECRET_LEN + 1];
	uint8_t salt[S_SALT_BYTES], hash[S_HASH_BYTES];
	int r;

	if (!scope || hier_find(hier, scope) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--scope '%s' is not a unit of the "
				 "hierarchy", scope ? scope : "");
	if (name && (strlen(name) > TOKEN_NAME_MAX || !lnob_utf8_valid(name, strlen(name))))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--name: not UTF-8 of at most %d "
				 "bytes", TOKEN_NAME_MAX);
	do {
		lnob__token_record__free_unpacked(old, NULL);
		old = NULL;
		s_fresh(id, secret);
		r = agg_token_get(st, txn, id, &old);
	} while (r == 0);
	if (r != LNOB_E_NOTFOUND)
		return r;
	randombytes_buf(salt, sizeof(salt));
	if ((r = s_hash(secret, salt, hash)) < 0)
		return r;
	rec.id = id;
	rec.role = (char *)token_role_name(role);
	rec.scope = (char *)scope;
	rec.salt = (ProtobufCBinaryData){ sizeof(salt), salt };
	rec.hash = (ProtobufCBinaryData){ sizeof(hash), hash };
	rec.created_at = now;
	rec.expires_at = expires_at;
	rec.name = (char *)(name ? name : "");
	if ((r = agg_token_put(st, txn, &rec)) < 0)
		return r;
	snprintf(ret_text, TOKEN_TEXT_MAX + 1, "%s%s_%s", S_PREFIX, id, secret);
	memcpy(ret_id, id, sizeof(id));
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

/* Whether rec's secret hash is that of secret. */
static bool s_matches(const Lnob__TokenRecord *rec, const char *secret)
{
	uint8_t hash[S_HASH_BYTES];

	if (rec->salt.len != S_SALT_BYTES || rec->hash.len != S_HASH_BYTES ||
	    s_hash(secret, rec->salt.data, hash) < 0)
		return false;
	return sodium_memcmp(hash, rec->hash.data, S_HASH_BYTES) == 0;
}

/* The grant of a matching record, or why it grants nothing. */
static int s_grant(const Lnob__TokenRecord *rec, const hier_t *hier, int64_t now,
		   token_grant_t *ret, char *err, size_t errlen)
{
	token_role_t role;
	int scope;

	if (rec->revoked)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "token %s is revoked", rec->id);
	if (rec->expires_at && now > rec->expires_at)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "token %s has expired", rec->id);
	if (token_role_parse(rec->role, &role) < 0 || (scope = hier_find(hier, rec->scope)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "token %s: its scope '%s' is no "
				 "longer a unit of the hierarchy", rec->id, rec->scope);
	lnob_strlcpy(ret->id, rec->id, sizeof(ret->id));
	ret->role = role;
	ret->scope = scope;
	ret->expires_at = rec->expires_at;
	return 0;
}

int token_check(store_t *st, MDB_txn *txn, const hier_t *hier, const char *text, int64_t now,
		token_grant_t *ret, char *err, size_t errlen)
{
	Lnob__TokenRecord *rec = NULL;
	char id[TOKEN_ID_LEN + 1];
	const char *secret;
	int r;

	if (token_split(text, id, &secret) < 0)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "not a token of this aggregator");
	r = agg_token_get(st, txn, id, &rec);
	if (r == LNOB_E_NOTFOUND || (r == 0 && !s_matches(rec, secret)))
		r = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "not a token of this aggregator");
	else if (r == 0)
		r = s_grant(rec, hier, now, ret, err, errlen);
	lnob__token_record__free_unpacked(rec, NULL);
	return r;
}

int token_revoke(store_t *st, MDB_txn *txn, const char *id, int64_t now)
{
	Lnob__TokenRecord *rec = NULL;
	int r = agg_token_get(st, txn, id, &rec);

	if (r < 0)
		return r;
	if (!rec->revoked) {
		rec->revoked = true;
		rec->revoked_at = now;
		r = agg_token_put(st, txn, rec);
	}
	lnob__token_record__free_unpacked(rec, NULL);
	return r;
}

/* agg_token_fn: one row of tokens_view(). */
static int s_row(void *ctx, const Lnob__TokenRecord *rec)
{
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:b, s:o}", "id", rec->id,
				"role", rec->role, "scope", rec->scope, "name", rec->name,
				"created_at", (json_int_t)rec->created_at,
				"expires_at", rec->expires_at ? json_integer(rec->expires_at)
							      : json_null(),
				"revoked", rec->revoked,
				"revoked_at", rec->revoked ? json_integer(rec->revoked_at)
							   : json_null());

	return row && json_array_append_new(ctx, row) == 0 ? 0 : -ENOMEM;
}

int tokens_view(store_t *st, MDB_txn *txn, json_t **ret)
{
	json_t *arr = json_array();
	int r = arr ? agg_token_foreach(st, txn, s_row, arr) : -ENOMEM;

	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = json_pack("{s:o}", "tokens", arr);
	return *ret ? 0 : -ENOMEM;
}
