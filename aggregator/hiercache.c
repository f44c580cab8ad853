/* hiercache.c: the hierarchy from the store's cache of its file, or parsed
 * (see hiercache.h). */
#include "hiercache.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore_metadata.h"
#include "lnob_err.h"
#include "util.h"

#define S_FORMAT 1

/* The hierarchy of rec, when rec is the cache of the file of digest and
 * its links hold; else NULL. */
static hier_t *s_from_record(const Lnob__HierarchyCacheRecord *rec,
			     const uint8_t digest[HIERCACHE_DIGEST_LEN], const char *path)
{
	hier_unit_t *units;
	hier_t *h = NULL;
	char why[256];

	if (rec->format != S_FORMAT || rec->digest.len != HIERCACHE_DIGEST_LEN ||
	    sodium_memcmp(rec->digest.data, digest, HIERCACHE_DIGEST_LEN) != 0 ||
	    (rec->n_by_code != 0 && rec->n_by_code != rec->n_units))
		return NULL;
	if (!(units = calloc(rec->n_units ? rec->n_units : 1, sizeof(*units))))
		return NULL;
	for (size_t i = 0; i < rec->n_units; i++) {
		const Lnob__HierarchyCacheUnit *u = rec->units[i];

		units[i] = (hier_unit_t){ .code = u->code, .name = u->name,
					  .parent_code = u->parent_code, .level = u->level,
					  .kind = u->kind, .line = u->line };
	}
	if (hier_load_units(units, rec->n_units, rec->n_by_code ? rec->by_code : NULL, path, &h,
			    why, sizeof(why)) < 0)
		h = NULL;
	free(units);
	return h;
}

/* An arena for protobuf-c's unpack of the record: its 10,000 units are
 * 60,000 allocations, which malloc() and free() made costlier than parsing
 * the CSV. Chunks of S_CHUNK bytes at least, freed all at once. */
#define S_CHUNK ((size_t)1 << 20)

typedef struct s_chunk {
	struct s_chunk *next;
	size_t used, cap;
	max_align_t data[];
} s_chunk_t;

/* ProtobufCAllocator.alloc: size bytes from the arena, or NULL. */
static void *s_arena_alloc(void *arena, size_t size)
{
	s_chunk_t **head = arena, *c = *head;
	size_t need = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);

	if (need < size)
		return NULL;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > S_CHUNK ? need : S_CHUNK;

		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		*c = (s_chunk_t){ .next = *head, .cap = cap };
		*head = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

/* ProtobufCAllocator.free: nothing until the arena goes. */
static void s_arena_free(void *arena, void *p)
{
	(void)arena;
	(void)p;
}

static void s_arena_destroy(s_chunk_t *c)
{
	while (c) {
		s_chunk_t *next = c->next;

		free(c);
		c = next;
	}
}

/* The hierarchy from st's cache record for digest, or NULL. */
static hier_t *s_from_store(store_t *st, const uint8_t digest[HIERCACHE_DIGEST_LEN],
			    const char *path)
{
	s_chunk_t *arena = NULL;
	ProtobufCAllocator a = { s_arena_alloc, s_arena_free, &arena };
	ProtobufCMessage *m;
	MDB_txn *txn = NULL;
	MDB_val v;
	hier_t *h = NULL;

	if (st && store_begin(st, false, &txn) == 0 && agg_hier_cache_raw(st, txn, &v) == 0 &&
	    (m = protobuf_c_message_unpack(&lnob__hierarchy_cache_record__descriptor, &a,
					   v.mv_size, v.mv_data)))
		h = s_from_record((const Lnob__HierarchyCacheRecord *)m, digest, path);
	store_abort(&txn);
	s_arena_destroy(arena);
	return h;
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
	 * The bytes are freed before the cache is unpacked, which then takes
	 * their pages (main.c: no mmap()'d blocks in lnob-aggregator): each
	 * fresh page is a fault, and those cost as much as the parse saved. On
	 * a miss the file is read again and what is parsed is what is hashed,
	 * so that the digest returned is always that of the bytes parsed. */
	if (st) {
		if (lnob_read_file(path, HIER_FILE_MAX, &buf, &len) < 0)
			return hier_load_csv(path, ret, err, errlen);
		crypto_generichash(digest, sizeof(digest), (const unsigned char *)buf, len, NULL, 0);
		free(buf);
		buf = NULL;
		if ((h = s_from_store(st, digest, path))) {
			memcpy(ret_digest, digest, sizeof(digest));
			*ret_cached = true;
			*ret = h;
			return 0;
		}
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

/* Frees what s_record() filled (the strings are h's, borrowed). */
static void s_record_free(Lnob__HierarchyCacheRecord *rec)
{
	if (rec->units)
		free(rec->units[0]);
	free(rec->units);
	free(rec->by_code);
	rec->units = NULL;
	rec->by_code = NULL;
}

/* rec as the record of h (strings borrowed from h). Returns 0 or -ENOMEM. */
static int s_record(const hier_t *h, const uint8_t digest[HIERCACHE_DIGEST_LEN],
		    Lnob__HierarchyCacheRecord *rec)
{
	size_t n = hier_count(h);
	Lnob__HierarchyCacheUnit *us = calloc(n ? n : 1, sizeof(*us));

	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	rec->units = calloc(n ? n : 1, sizeof(*rec->units));
	rec->by_code = calloc(n ? n : 1, sizeof(*rec->by_code));
	if (!us || !rec->units || !rec->by_code) {
		free(us);
		s_record_free(rec);
		return -ENOMEM;
	}
	rec->units[0] = us;   /* one block: s_record_free() frees it by its first */
	for (size_t i = 0; i < n; i++) {
		const hier_unit_t *u = hier_unit(h, (int)i);

		lnob__hierarchy_cache_unit__init(&us[i]);
		us[i].code = (char *)u->code;
		us[i].name = (char *)u->name;
		us[i].parent_code = (char *)u->parent_code;
		us[i].level = (char *)u->level;
		us[i].kind = (char *)u->kind;
		us[i].line = u->line;
		rec->units[i] = &us[i];
		rec->by_code[i] = (uint32_t)hier_by_code(h, i);
	}
	rec->n_units = rec->n_by_code = n;
	rec->format = S_FORMAT;
	rec->digest.data = (uint8_t *)digest;
	rec->digest.len = HIERCACHE_DIGEST_LEN;
	return 0;
}

int hiercache_save(store_t *st, const uint8_t digest[HIERCACHE_DIGEST_LEN], const hier_t *h)
{
	Lnob__HierarchyCacheRecord rec = LNOB__HIERARCHY_CACHE_RECORD__INIT;
	MDB_txn *txn = NULL;
	int r = s_record(h, digest, &rec);

	if (r == 0 && (r = store_begin(st, true, &txn)) == 0 &&
	    (r = agg_hier_cache_put(st, txn, &rec)) == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	s_record_free(&rec);
	return r;
}
