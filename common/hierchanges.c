/*
 * hierchanges.c: the change list of a hierarchy version (hierchanges.h):
 * read line by line with the CSV reader, each line checked on its own,
 * then against the two trees, line by line and unit by unit.
 */
#include "hierchanges.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "lnob_err.h"
#include "util.h"

#define S_COLUMNS 3

static const char *const s_names[] = { "merged", "split", "renamed", "moved", "abolished",
				       "created" };
#define S_KINDS (sizeof(s_names) / sizeof(s_names[0]))

const char *hierchanges_name(hier_change_kind_t k)
{
	return (size_t)k < S_KINDS ? s_names[k] : "?";
}

const char *hierchanges_kind_text(hier_change_kind_t k)
{
	static const char *const text[] = { "merged into", "split from", "renamed", "moved under",
					     "abolished", "created" };

	return (size_t)k < S_KINDS ? text[k] : "?";
}

int hierchanges_parse_kind(const char *s, hier_change_kind_t *ret)
{
	for (size_t i = 0; s && i < S_KINDS; i++)
		if (strcmp(s, s_names[i]) == 0) {
			*ret = (hier_change_kind_t)i;
			return 0;
		}
	return -EINVAL;
}

/* State of one parse. */
typedef struct s_parse {
	char f[S_COLUMNS][80];   /* the current record's fields (longer: refused) */
	bool toolong[S_COLUMNS];
	hier_change_t *v;
	size_t n, cap;
} s_parse_t;

static void s_on_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t index)
{
	s_parse_t *ps = ctx;

	(void)r;
	if (index >= S_COLUMNS)
		return;
	ps->toolong[index] = len >= sizeof(ps->f[index]);
	snprintf(ps->f[index], sizeof(ps->f[index]), "%s", ps->toolong[index] ? "" : f);
}

/* True when the kind needs `other` (merged, split), may have it (moved:
 * empty is a root) or must not (the others). */
static bool s_other_ok(hier_change_kind_t k, const char *other)
{
	if (k == HIER_CH_MERGED || k == HIER_CH_SPLIT)
		return lnob_valid_id(other);
	if (k == HIER_CH_MOVED)
		return !*other || lnob_valid_id(other);
	return !*other;
}

/* Checks one change line on its own and appends it. */
static void s_add(s_parse_t *ps, csvread_t *r, size_t nfields)
{
	hier_change_kind_t k;
	hier_change_t *c;

	if (nfields != S_COLUMNS) {
		csvread_fail(r, LNOB_E_CSV, "expected %d columns, found %zu", S_COLUMNS, nfields);
		return;
	}
	if (hierchanges_parse_kind(ps->f[0], &k) < 0) {
		csvread_fail(r, LNOB_E_HIER, "unknown change '%s' (merged, split, renamed, moved, "
			     "abolished, created)", ps->f[0]);
		return;
	}
	if (ps->toolong[1] || !lnob_valid_id(ps->f[1])) {
		csvread_fail(r, LNOB_E_HIER, "bad code '%s' (1..64 of A-Za-z0-9._-)", ps->f[1]);
		return;
	}
	if (ps->toolong[2] || !s_other_ok(k, ps->f[2])) {
		csvread_fail(r, LNOB_E_HIER, "%s %s: %s", ps->f[0], ps->f[1],
			     k == HIER_CH_MERGED ? "the successor must be a unit code" :
			     k == HIER_CH_SPLIT ? "the predecessor must be a unit code" :
			     k == HIER_CH_MOVED ? "the new parent must be a unit code or empty" :
			     "the third column must be empty");
		return;
	}
	if (lnob_grow(&ps->v, ps->n, &ps->cap, sizeof(*ps->v), 16) < 0) {
		csvread_oom(r);
		return;
	}
	c = &ps->v[ps->n++];
	*c = (hier_change_t){ .kind = k, .line = csvread_line(r) };
	/* Both checked above: at most 64 bytes. */
	(void)lnob_strlcpy(c->code, ps->f[1], sizeof(c->code));
	(void)lnob_strlcpy(c->other, ps->f[2], sizeof(c->other));
}

static void s_on_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_parse_t *ps = ctx;

	if (csvread_record_index(r) == 0) {
		if (nfields != S_COLUMNS || strcmp(ps->f[0], "change") != 0 ||
		    strcmp(ps->f[1], "code") != 0 || strcmp(ps->f[2], "other") != 0)
			csvread_fail(r, LNOB_E_CSV, "header must be 'change,code,other'");
	} else {
		s_add(ps, r, nfields);
	}
	for (size_t i = 0; i < S_COLUMNS; i++) {
		ps->f[i][0] = '\0';
		ps->toolong[i] = false;
	}
}

/* True when a and b may not both be lines of one code. */
static bool s_clash(const hier_change_t *a, const hier_change_t *b)
{
	bool gone_a = a->kind == HIER_CH_MERGED || a->kind == HIER_CH_ABOLISHED;
	bool gone_b = b->kind == HIER_CH_MERGED || b->kind == HIER_CH_ABOLISHED;

	if (strcmp(a->code, b->code) != 0)
		return false;
	if (a->kind == HIER_CH_SPLIT && b->kind == HIER_CH_SPLIT)
		return strcmp(a->other, b->other) == 0;
	return a->kind == b->kind || gone_a || gone_b;
}

/* Refuses two lines of one code that may not go together. */
static int s_no_duplicates(const hier_change_t *v, size_t n, const char *name, char *err,
			   size_t errlen)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (s_clash(&v[j], &v[i]))
				return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s %s: the code "
						 "is already on line %u (%s)", name, v[i].line,
						 hierchanges_name(v[i].kind), v[i].code, v[j].line,
						 hierchanges_name(v[j].kind));
	return 0;
}

int hierchanges_load_mem(const char *buf, size_t len, const char *name, hier_change_t **ret,
			 size_t *ret_n, char *err, size_t errlen)
{
	static const csvread_ops_t ops = { s_on_field, s_on_record };
	s_parse_t *ps = calloc(1, sizeof(*ps));
	int r;

	if (!ps)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	r = csvread_parse(buf ? buf : "", len, name, &ops, ps, err, errlen);
	if (r == 0)
		r = s_no_duplicates(ps->v, ps->n, name, err, errlen);
	if (r < 0) {
		free(ps->v);
	} else {
		*ret = ps->v;
		*ret_n = ps->n;
	}
	free(ps);
	return r;
}

int hierchanges_load(const char *path, hier_change_t **ret, size_t *ret_n, char *err,
		     size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r = lnob_read_file(path, HIERCHANGES_FILE_MAX, &buf, &len);

	if (r == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, LNOB_E_CSV, "%s: larger than %zu bytes", path,
				 HIERCHANGES_FILE_MAX);
	if (r < 0)
		return lnob_errf(err, errlen, r, "%s: cannot read: %s", path, lnob_strerror(r));
	r = hierchanges_load_mem(buf, len, path, ret, ret_n, err, errlen);
	free(buf);
	return r;
}

/* The line of v[0..n) of this kind and code (other too, when not NULL),
 * or NULL. */
static const hier_change_t *s_line(const hier_change_t *v, size_t n, hier_change_kind_t k,
				   const char *code, const char *other)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == k && (!code || strcmp(v[i].code, code) == 0) &&
		    (!other || strcmp(v[i].other, other) == 0))
			return &v[i];
	return NULL;
}

/* The parent code of unit i of h ("" for a root). */
static const char *s_parent(const hier_t *h, int i)
{
	return hier_unit(h, i)->parent_code;
}

/* Checks that line c is true of the two trees. */
static int s_check_line(const hier_t *old, const hier_t *nw, const hier_change_t *c,
			const char *name, char *err, size_t errlen)
{
	int o = hier_find(old, c->code), w = hier_find(nw, c->code);
	const char *what = hierchanges_name(c->kind), *why = NULL;

	switch (c->kind) {
	case HIER_CH_MERGED:
	case HIER_CH_ABOLISHED:
		why = o < 0 ? "not in the old hierarchy" : w >= 0 ? "still in the new hierarchy" :
		      NULL;
		if (!why && c->kind == HIER_CH_MERGED && hier_find(nw, c->other) < 0)
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: merged %s: its successor "
					 "'%s' is not in the new hierarchy", name, c->line, c->code,
					 c->other);
		break;
	case HIER_CH_SPLIT:
	case HIER_CH_CREATED:
		why = w < 0 ? "not in the new hierarchy" : o >= 0 ? "already in the old hierarchy" :
		      NULL;
		if (!why && c->kind == HIER_CH_SPLIT && hier_find(old, c->other) < 0)
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: split %s: its predecessor "
					 "'%s' is not in the old hierarchy", name, c->line, c->code,
					 c->other);
		break;
	case HIER_CH_RENAMED:
		why = o < 0 || w < 0 ? "not in both hierarchies" :
		      strcmp(hier_unit(old, o)->name, hier_unit(nw, w)->name) == 0 ?
		      "its name is the same in both" : NULL;
		break;
	case HIER_CH_MOVED:
		why = o < 0 || w < 0 ? "not in both hierarchies" :
		      strcmp(s_parent(nw, w), c->other) != 0 ? "its parent in the new hierarchy is "
		      "another" : strcmp(s_parent(old, o), c->other) == 0 ?
		      "its parent is the same in both" : NULL;
		break;
	}
	if (why)
		return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s %s: %s", name, c->line, what,
				 c->code, why);
	return 0;
}

/* Checks that every unit of the old tree gone from the new one is said. */
static int s_check_gone(const hier_t *old, const char *old_name, const hier_t *nw,
			const hier_change_t *v, size_t n, const char *name, char *err, size_t errlen)
{
	for (size_t i = 0; i < hier_count(old); i++) {
		const hier_unit_t *u = hier_unit(old, (int)i);

		if (hier_find(nw, u->code) >= 0 || s_line(v, n, HIER_CH_MERGED, u->code, NULL) ||
		    s_line(v, n, HIER_CH_ABOLISHED, u->code, NULL) ||
		    s_line(v, n, HIER_CH_SPLIT, NULL, u->code))
			continue;
		return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s is not in the new hierarchy "
				 "and %s has no line for it (merged, abolished, or split from)",
				 old_name, u->line, u->code, name);
	}
	return 0;
}

/* True when unit u (of both trees) has the parent it had, or one the
 * change list explains: a moved line, or its old parent merged into the
 * new one. */
static bool s_parent_said(const hier_t *old, int o, const hier_t *nw, int w,
			  const hier_change_t *v, size_t n)
{
	const char *was = s_parent(old, o), *now = s_parent(nw, w);

	return strcmp(was, now) == 0 || s_line(v, n, HIER_CH_MOVED, hier_unit(nw, w)->code, NULL) ||
	       (*was && *now && s_line(v, n, HIER_CH_MERGED, was, now));
}

/* Checks that every unit of the new tree is explained: new ones have a
 * line, kept ones a renamed or moved line where they changed. */
static int s_check_new(const hier_t *old, const hier_t *nw, const char *new_name,
		       const hier_change_t *v, size_t n, const char *name, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i < hier_count(nw); i++) {
		const hier_unit_t *u = hier_unit(nw, (int)i);
		int o = hier_find(old, u->code);

		if (o < 0) {
			if (s_line(v, n, HIER_CH_MERGED, NULL, u->code) ||
			    s_line(v, n, HIER_CH_SPLIT, u->code, NULL) ||
			    s_line(v, n, HIER_CH_CREATED, u->code, NULL))
				continue;
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s is not in the old "
					 "hierarchy and %s has no line for it (a merger's "
					 "successor, split, or created)", new_name, u->line, u->code,
					 name);
		}
		if (strcmp(hier_unit(old, o)->name, u->name) != 0 &&
		    !s_line(v, n, HIER_CH_RENAMED, u->code, NULL))
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s: its name changed and "
					 "%s has no 'renamed' line for it", new_name, u->line,
					 u->code, name);
		if (!s_parent_said(old, o, nw, (int)i, v, n))
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s:%u: %s: its parent changed "
					 "(%s, was %s) and %s has no 'moved' line for it", new_name,
					 u->line, u->code, *u->parent_code ? u->parent_code : "none",
					 *s_parent(old, o) ? s_parent(old, o) : "none", name);
	}
	return 0;
}

int hierchanges_check(const hier_t *old, const char *old_name, const hier_t *new_tree,
		      const char *new_name, const hier_change_t *v, size_t n, const char *name,
		      char *err, size_t errlen)
{
	int r = s_no_duplicates(v, n, name, err, errlen);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = s_check_line(old, new_tree, &v[i], name, err, errlen);
	if (r == 0)
		r = s_check_gone(old, old_name, new_tree, v, n, name, err, errlen);
	if (r == 0)
		r = s_check_new(old, new_tree, new_name, v, n, name, err, errlen);
	return r;
}
