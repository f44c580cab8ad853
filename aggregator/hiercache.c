/* hiercache.c: the hierarchy from the store's cache of its file, or parsed
 * (see hiercache.h). */
#include "hiercache.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggstore_metadata.h"
#include "lnob_err.h"
#include "util.h"

#define S_FORMAT 2

void hiercache_record_fill(Lnob__HierarchyCacheRecord *rec, const hier_image_t *img,
			   const uint8_t digest[HIERCACHE_DIGEST_LEN])
{
	rec->format = S_FORMAT;
	rec->digest = (ProtobufCBinaryData){ HIERCACHE_DIGEST_LEN, (uint8_t *)digest };
	rec->count = (uint32_t)img->count;
	rec->strings = (ProtobufCBinaryData){ img->strings_len, (uint8_t *)img->strings };
	rec->n_parent = rec->n_line = rec->n_depth = rec->n_by_code = img->count;
	rec->parent = (uint32_t *)img->parent;
	rec->line = (uint32_t *)img->line;
	rec->depth = (uint32_t *)img->depth;
	rec->by_code = (uint32_t *)img->by_code;
}

int hiercache_record_tree(const Lnob__HierarchyCacheRecord *rec, const char *name, hier_t **ret,
			  char *err, size_t errlen)
{
	hier_image_t img;

	if (!rec || rec->format != S_FORMAT || rec->n_parent != rec->count ||
	    rec->n_line != rec->count || rec->n_depth != rec->count || rec->n_by_code != rec->count)
		return lnob_errf(err, errlen, LNOB_E_CORRUPT, "%s: its tree does not hold", name);
	img = (hier_image_t){ .count = rec->count, .strings = (const char *)rec->strings.data,
			      .strings_len = rec->strings.len, .parent = rec->parent,
			      .line = rec->line, .depth = rec->depth, .by_code = rec->by_code };
	if (hier_from_image(&img, name, ret, err, errlen) < 0)
		return LNOB_E_CORRUPT;
	return 0;
}

/* The hierarchy of rec, when rec is the cache of the file of digest and
 * its image holds; else NULL. */
static hier_t *s_from_record(const Lnob__HierarchyCacheRecord *rec,
			     const uint8_t digest[HIERCACHE_DIGEST_LEN], const char *path)
{
	hier_t *h = NULL;
	char why[256];

	if (rec->digest.len != HIERCACHE_DIGEST_LEN ||
	    sodium_memcmp(rec->digest.data, digest, HIERCACHE_DIGEST_LEN) != 0 ||
	    hiercache_record_tree(rec, path, &h, why, sizeof(why)) < 0)
		return NULL;
	return h;
}

/* The hierarchy from st's cache record for digest, or NULL. */
static hier_t *s_from_store(store_t *st, const uint8_t digest[HIERCACHE_DIGEST_LEN],
			    const char *path)
{
	Lnob__HierarchyCacheRecord *rec;
	MDB_txn *txn = NULL;
	MDB_val v;
	hier_t *h = NULL;

	if (st && store_begin(st, false, &txn) == 0 && agg_hier_cache_raw(st, txn, &v) == 0 &&
	    (rec = lnob__hierarchy_cache_record__unpack(NULL, v.mv_size, v.mv_data))) {
		h = s_from_record(rec, digest, path);
		lnob__hierarchy_cache_record__free_unpacked(rec, NULL);
	}
	store_abort(&txn);
	return h;
}

/* The BLAKE2b-256 of the file at path, read in pieces of S_PIECE bytes into
 * one buffer (a whole copy of the file would be fresh pages, each a fault).
 * Returns 0, or a negative code when it cannot be read or is over
 * HIER_FILE_MAX (hier_load_csv() then says why). */
#define S_PIECE ((size_t)64 << 10)
static int s_file_digest(const char *path, uint8_t digest[HIERCACHE_DIGEST_LEN])
{
	crypto_generichash_state hs;
	unsigned char *piece = malloc(S_PIECE);
	size_t total = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || !piece) {
		r = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	crypto_generichash_init(&hs, NULL, 0, HIERCACHE_DIGEST_LEN);
	while ((n = read(fd, piece, S_PIECE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (total += (size_t)n) > HIER_FILE_MAX) {
			r = n < 0 ? -errno : -EFBIG;
			goto out;
		}
		crypto_generichash_update(&hs, piece, (size_t)n);
	}
	crypto_generichash_final(&hs, digest, HIERCACHE_DIGEST_LEN);
out:
	if (fd >= 0)
		close(fd);
	free(piece);
	return r;
}

int hiercache_load(store_t *st, const char *path, hier_t **ret,
		   uint8_t ret_digest[HIERCACHE_DIGEST_LEN], bool *ret_cached, char *err,
		   size_t errlen)
{
	uint8_t digest[HIERCACHE_DIGEST_LEN];
	char *buf = NULL;
	size_t len = 0;
	hier_t *h;
	int r;

	/* Unreadable or too large: hier_load_csv() says so, as it always did.
	 * On a miss the file is read again and what is parsed is what is
	 * hashed, so that the digest returned is always that of the bytes
	 * parsed. */
	if (st && s_file_digest(path, digest) == 0 && (h = s_from_store(st, digest, path))) {
		memcpy(ret_digest, digest, sizeof(digest));
		*ret_cached = true;
		*ret = h;
		return 0;
	}
	if (lnob_read_file(path, HIER_FILE_MAX, &buf, &len) < 0)
		return hier_load_csv(path, ret, err, errlen);
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)buf, len, NULL, 0);
	*ret_cached = false;
	r = hier_load_mem(buf, len, path, &h, err, errlen);
	free(buf);
	if (r < 0)
		return r;
	memcpy(ret_digest, digest, sizeof(digest));
	*ret = h;
	return 0;
}

int hiercache_save(store_t *st, const uint8_t digest[HIERCACHE_DIGEST_LEN], const hier_t *h)
{
	Lnob__HierarchyCacheRecord rec = LNOB__HIERARCHY_CACHE_RECORD__INIT;
	MDB_txn *txn = NULL;
	hier_image_t img;
	void *block = NULL;
	int r = hier_image_of(h, &img, &block);

	if (r < 0)
		return r;
	hiercache_record_fill(&rec, &img, digest);
	if ((r = store_begin(st, true, &txn)) == 0 && (r = agg_hier_cache_put(st, txn, &rec)) == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	free(block);
	return r;
}
