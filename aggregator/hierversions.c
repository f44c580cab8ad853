/* hierversions.c: the hierarchy's versions in the store: attached to the
 * configured hierarchy at load, imported, listed (see hierversions.h). */
#include "hierversions.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore_hierver.h"
#include "calendar.h"
#include "hiercache.h"
#include "hierchanges.h"
#include "lnob.pb-c.h"
#include "lnob_err.h"
#include "util.h"


/* The stored versions, oldest first. */
typedef struct s_recs {
	Lnob__HierarchyVersionRecord **v;
	size_t n, cap;
} s_recs_t;

static void s_recs_free(s_recs_t *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		lnob__hierarchy_version_record__free_unpacked(rs->v[i], NULL);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

/* agg_hierver_foreach(): keeps one record. */
static int s_each(void *ctx, Lnob__HierarchyVersionRecord *rec)
{
	s_recs_t *rs = ctx;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	if (lnob_grow(&rs->v, rs->n, &rs->cap, sizeof(*rs->v), 4) < 0) {
		lnob__hierarchy_version_record__free_unpacked(rec, NULL);
		return -ENOMEM;
	}
	rs->v[rs->n++] = rec;
	return 0;
}

static int s_recs_load(store_t *st, MDB_txn *txn, s_recs_t *rs)
{
	int r = agg_hierver_foreach(st, txn, s_each, rs);

	if (r < 0)
		s_recs_free(rs);
	return r;
}

/* The day of a version's valid_from ("": HIER_FROM_START) into *ret.
 * Returns 0 or LNOB_E_INVALID when it does not parse. */
static int s_day(const char *valid_from, int32_t *ret)
{
	int y, m, d;

	if (!*valid_from) {
		*ret = HIER_FROM_START;
		return 0;
	}
	if (!calendar_parse_date(valid_from, 2000, 2100, &y, &m, &d))
		return LNOB_E_INVALID;
	*ret = (int32_t)calendar_days(y, m, d);
	return 0;
}

/* The tree of a record, checked (hier_from_image()). */
static int s_tree(const Lnob__HierarchyVersionRecord *rec, hier_t **ret, char *err,
		  size_t errlen)
{
	char name[128];

	snprintf(name, sizeof(name), "the hierarchy version valid from %s",
		 *rec->valid_from ? rec->valid_from : "the beginning");
	return hiercache_record_tree(rec->tree, name, ret, err, errlen);
}

/* The change lines of a record into *ret (caller frees). */
static int s_changes(const Lnob__HierarchyVersionRecord *rec, hier_change_t **ret, size_t *ret_n,
		     char *err, size_t errlen)
{
	hier_change_t *v = calloc(rec->n_changes ? rec->n_changes : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < rec->n_changes; i++) {
		const Lnob__HierarchyChange *c = rec->changes[i];

		if (hierchanges_parse_kind(c->change, &v[i].kind) < 0 ||
		    lnob_strlcpy(v[i].code, c->code, sizeof(v[i].code)) < 0 ||
		    lnob_strlcpy(v[i].other, c->other, sizeof(v[i].other)) < 0) {
			free(v);
			return lnob_errf(err, errlen, LNOB_E_CORRUPT, "the hierarchy version valid "
					 "from %s: change %zu does not hold", rec->valid_from, i);
		}
		v[i].line = c->line;
	}
	*ret = v;
	*ret_n = rec->n_changes;
	return 0;
}

/* Pushes the version of rec (valid from day) under newer. */
static int s_push(hier_t *newer, hier_t *older, const Lnob__HierarchyVersionRecord *rec,
		  char *err, size_t errlen)
{
	hier_change_t *ch = NULL;
	size_t nch = 0;
	int32_t day;
	int r = s_day(rec->valid_from, &day);

	if (r == 0)
		r = s_changes(rec, &ch, &nch, err, errlen);
	if (r < 0) {
		hier_destroy(&older);
		return r == LNOB_E_INVALID ? LNOB_E_CORRUPT : r;
	}
	r = hier_version_push(newer, older, day, ch, nch);
	free(ch);
	if (r == -EINVAL)
		return lnob_errf(err, errlen, LNOB_E_CORRUPT, "the hierarchy version valid from %s "
				 "is not after the one before it", rec->valid_from);
	return r;
}

/* The chain of the versions v[0..n) (n >= 1), the last one the head. */
static int s_chain(s_recs_t *rs, size_t n, hier_t **ret, char *err, size_t errlen)
{
	hier_t *chain = NULL;
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		hier_t *t = NULL;

		if ((r = s_tree(rs->v[i], &t, err, errlen)) < 0)
			break;
		if (chain)
			r = s_push(t, chain, rs->v[i], err, errlen);
		if (r < 0)
			hier_destroy(&t);
		chain = r == 0 ? t : NULL;
	}
	if (r < 0) {
		hier_destroy(&chain);
		return r;
	}
	*ret = chain;
	return 0;
}

int hierver_attach(store_t *st, MDB_txn *txn, hier_t *hier, const char *file,
		   const uint8_t digest[HIERVER_DIGEST_LEN], char *err, size_t errlen)
{
	s_recs_t rs = { 0 };
	hier_t *older = NULL;
	const Lnob__HierarchyVersionRecord *last;
	int r = s_recs_load(st, txn, &rs);

	if (r < 0)
		return lnob_errf(err, errlen, r, "the hierarchy's versions: %s", lnob_strerror(r));
	if (rs.n == 0)
		return 0;
	last = rs.v[rs.n - 1];
	if (!last->tree || last->tree->digest.len != HIERVER_DIGEST_LEN ||
	    sodium_memcmp(last->tree->digest.data, digest, HIERVER_DIGEST_LEN) != 0) {
		r = lnob_errf(err, errlen, LNOB_E_HIER, "%s: not the hierarchy's latest version "
			      "(valid from %s, imported from %s): import it as a new version with "
			      "`lnob-aggregator hierarchy import %s --valid-from DATE --changes "
			      "FILE`, or configure the latest version's file", file,
			      *last->valid_from ? last->valid_from : "the beginning", last->source,
			      file);
		goto out;
	}
	if (rs.n > 1 && (r = s_chain(&rs, rs.n - 1, &older, err, errlen)) == 0)
		r = s_push(hier, older, last, err, errlen);
out:
	s_recs_free(&rs);
	return r;
}

/* A record of h (from a file of digest) valid from valid_from, its change
 * lines ch[0..n), packed and put in txn under its key. */
static int s_put(store_t *st, MDB_txn *txn, const hier_t *h, const uint8_t *digest,
		 const char *valid_from, const char *source, const char *changes_source,
		 const hier_change_t *ch, size_t n, int64_t now)
{
	Lnob__HierarchyVersionRecord rec = LNOB__HIERARCHY_VERSION_RECORD__INIT;
	Lnob__HierarchyCacheRecord tree = LNOB__HIERARCHY_CACHE_RECORD__INIT;
	Lnob__HierarchyChange *cv = calloc(n ? n : 1, sizeof(*cv));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	Lnob__HierarchyChange **cp = calloc(n ? n : 1, sizeof(*cp));
	hier_image_t img;
	void *block = NULL;
	int r = cv && cp ? hier_image_of(h, &img, &block) : -ENOMEM;

	if (r < 0)
		goto out;
	hiercache_record_fill(&tree, &img, digest);
	for (size_t i = 0; i < n; i++) {
		lnob__hierarchy_change__init(&cv[i]);
		cv[i].change = (char *)hierchanges_name(ch[i].kind);
		cv[i].code = (char *)ch[i].code;
		cv[i].other = (char *)ch[i].other;
		cv[i].line = ch[i].line;
		cp[i] = &cv[i];
	}
	rec.valid_from = (char *)valid_from;
	rec.source = (char *)source;
	rec.changes_source = (char *)(changes_source ? changes_source : "");
	rec.imported_at = now;
	rec.tree = &tree;
	rec.n_changes = n;
	rec.changes = cp;
	r = agg_hierver_put(st, txn, &rec);
out:
	free(block);
	free(cv);
	free(cp);
	return r;
}

/* The new version's file: its bytes' digest and its tree. */
static int s_load_new(const hierver_import_t *in, hier_t **ret, uint8_t digest[HIERVER_DIGEST_LEN],
		      char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r = lnob_read_file(in->file, HIER_FILE_MAX, &buf, &len);

	if (r < 0)
		return hier_load_csv(in->file, ret, err, errlen);   /* says why */
	crypto_generichash(digest, HIERVER_DIGEST_LEN, (const unsigned char *)buf, len, NULL, 0);
	r = hier_load_mem(buf, len, in->file, ret, err, errlen);
	free(buf);
	return r;
}

/* Checks the import's day against the latest stored version's. */
static int s_check_day(const s_recs_t *rs, const hierver_import_t *in, char *err, size_t errlen)
{
	int32_t day, last = HIER_FROM_START;

	if (!in->valid_from || !lnob_date_valid(in->valid_from) || s_day(in->valid_from, &day) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--valid-from: not a date YYYY-MM-DD "
				 "(2000..2100): '%s'", in->valid_from ? in->valid_from : "");
	if (rs->n && s_day(rs->v[rs->n - 1]->valid_from, &last) < 0)
		return lnob_errf(err, errlen, LNOB_E_CORRUPT, "the latest hierarchy version's "
				 "valid_from does not parse");
	if (day <= last)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--valid-from %s: not after the latest "
				 "version's first day (%s): a version is added after the latest, "
				 "never before nor in place of one", in->valid_from,
				 rs->v[rs->n - 1]->valid_from);
	return 0;
}

int hierver_import(store_t *st, MDB_txn *txn, const hier_t *current,
		   const hierver_import_t *in, char *err, size_t errlen)
{
	uint8_t digest[HIERVER_DIGEST_LEN];
	s_recs_t rs = { 0 };
	hier_t *nw = NULL;
	hier_change_t *ch = NULL;
	size_t nch = 0;
	int r = s_recs_load(st, txn, &rs);

	if (r < 0)
		return lnob_errf(err, errlen, r, "the hierarchy's versions: %s", lnob_strerror(r));
	if ((r = s_check_day(&rs, in, err, errlen)) < 0 ||
	    (r = s_load_new(in, &nw, digest, err, errlen)) < 0)
		goto out;
	if (sodium_memcmp(digest, in->current_digest, HIERVER_DIGEST_LEN) == 0) {
		r = lnob_errf(err, errlen, LNOB_E_EXISTS, "%s: the same bytes as the latest version "
			      "(%s): nothing to import", in->file, in->current_file);
		goto out;
	}
	if (in->changes && (r = hierchanges_load(in->changes, &ch, &nch, err, errlen)) < 0)
		goto out;
	if ((r = hierchanges_check(current, in->current_file, nw, in->file, ch, nch,
				   in->changes ? in->changes : "the change list (no --changes)", err,
				   errlen)) < 0)
		goto out;
	if (rs.n == 0)
		r = s_put(st, txn, current, in->current_digest, "", in->current_file, NULL, NULL, 0,
			  in->now);
	if (r == 0)
		r = s_put(st, txn, nw, digest, in->valid_from, in->file, in->changes, ch, nch, in->now);
	if (r < 0 && !err[0])
		lnob_errf(err, errlen, r, "storing the version: %s", lnob_strerror(r));
out:
	free(ch);
	hier_destroy(&nw);
	s_recs_free(&rs);
	return r;
}

/* One version as JSON; with its change lines when detail. */
static json_t *s_version_json(const Lnob__HierarchyVersionRecord *rec, bool detail)
{
	char hex[2 * HIERVER_DIGEST_LEN + 1] = "";
	json_t *o;

	if (rec->tree && rec->tree->digest.len == HIERVER_DIGEST_LEN)
		lnob_hex(hex, rec->tree->digest.data, HIERVER_DIGEST_LEN);
	o = json_pack("{s:s?, s:s, s:s, s:I, s:I, s:I, s:s}", "valid_from",
		      *rec->valid_from ? rec->valid_from : NULL, "source", rec->source,
		      "changes_source", rec->changes_source, "imported_at",
		      (json_int_t)rec->imported_at, "units",
		      (json_int_t)(rec->tree ? rec->tree->count : 0), "changes",
		      (json_int_t)rec->n_changes, "digest", hex);
	if (o && detail) {
		json_t *lines = json_array();

		for (size_t i = 0; i < rec->n_changes; i++)
			json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:I}", "change",
							       rec->changes[i]->change, "code",
							       rec->changes[i]->code, "other",
							       rec->changes[i]->other, "line",
							       (json_int_t)rec->changes[i]->line));
		json_object_set_new(o, "lines", lines);
	}
	return o;
}

int hierver_view(store_t *st, MDB_txn *txn, const char *valid_from, json_t **ret, char *err,
		 size_t errlen)
{
	s_recs_t rs = { 0 };
	json_t *list;
	int r = s_recs_load(st, txn, &rs);

	if (r < 0)
		return lnob_errf(err, errlen, r, "the hierarchy's versions: %s", lnob_strerror(r));
	list = json_array();
	for (size_t i = 0; i < rs.n; i++) {
		const char *vf = rs.v[i]->valid_from;
		bool first = !*vf;

		if (valid_from && strcmp(valid_from, first ? "first" : vf) != 0)
			continue;
		json_array_append_new(list, s_version_json(rs.v[i], valid_from != NULL));
	}
	if (valid_from && json_array_size(list) == 0)
		r = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no hierarchy version valid from '%s' "
			      "(`hierarchy list` shows them; 'first' names the first)", valid_from);
	s_recs_free(&rs);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*ret = json_pack("{s:o}", "versions", list);
	return *ret ? 0 : -ENOMEM;
}

int hierver_verify(const hier_t *hier, FILE *out, size_t *diffs)
{
	for (const hier_t *v = hier; v && hier_version_prev(v); v = hier_version_prev(v)) {
		const hier_t *before = hier_version_prev(v);
		size_t n;
		const hier_change_t *ch = hier_version_changes(v, &n);
		char err[1024] = "", from[32];
		int32_t d = hier_version_from(v);
		int y, m, dd, r;

		calendar_civil(d, &y, &m, &dd);
		snprintf(from, sizeof(from), "%04d-%02d-%02d", y, m, dd);
		if (hier_version_from(before) >= d) {
			snprintf(err, sizeof(err), "not after the version before it");
			r = LNOB_E_HIER;
		} else {
			r = hierchanges_check(before, "the version before", v, "this version", ch, n,
					      "its change list", err, sizeof(err));
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			(*diffs)++;
			if (out)
				fprintf(out, "DIFF hierarchy version valid from %s: %s\n", from, err);
		}
	}
	return 0;
}
