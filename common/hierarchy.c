/*
 * hierarchy.c: the org-unit hierarchy (hierarchy.h). The CSV reader
 * (csvread.h) splits the file into records with their lines; this file
 * checks the header and every unit, then links each unit to its parent,
 * refuses duplicates, unknown parents and cycles, and computes depths. Lookups by code go through a sorted index and
 * bsearch(); children are kept in one array, grouped by parent.
 */
#include "hierarchy.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "hierarchy_int.h"
#include "lnob_err.h"
#include "util.h"

#define HIER_MAX_BYTES HIER_FILE_MAX
/* Columns of the file, in order. */
#define HIER_COLUMNS 5
/* Units shown when a message spells out a cycle. */
#define HIER_CYCLE_SHOWN 8

static const char *const s_header[HIER_COLUMNS] = {
	"code", "name", "parent_code", "level", "kind"
};

/* State of one parse, shared with the reader's callbacks. */
typedef struct s_parse {
	size_t fields;        /* fields of the current record so far */
	char *scratch;        /* the current record's first fields, NUL-separated */
	size_t slen, scap;
	size_t foff[HIER_COLUMNS];
	size_t flen[HIER_COLUMNS];   /* bytes of each kept field */
	hier_unit_t *units;
	size_t count, cap;
} s_parse_t;

/*
 * The reader's field callback: keeps the field in the scratch buffer while
 * the record has at most HIER_COLUMNS fields, and counts the rest.
 */
static void s_on_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t index)
{
	s_parse_t *ps = ctx;

	ps->fields = index + 1;
	if (index >= HIER_COLUMNS)
		return;
	if (ps->slen + len + 1 > ps->scap) {
		size_t ncap = (ps->slen + len + 1) * 2;
		char *nb = realloc(ps->scratch, ncap);

		if (!nb) {
			csvread_oom(r);
			return;
		}
		ps->scratch = nb;
		ps->scap = ncap;
	}
	ps->foff[index] = ps->slen;
	ps->flen[index] = len;
	memcpy(ps->scratch + ps->slen, f, len + 1);
	ps->slen += len + 1;
}

/* Field i of the current record (i < HIER_COLUMNS, i < ps->fields). */
static const char *s_field(const s_parse_t *ps, size_t i)
{
	assert(i < HIER_COLUMNS && i < ps->fields);
	return ps->scratch + ps->foff[i];
}

/* Checks the header record: exactly the expected column names. */
static void s_check_header(s_parse_t *ps, csvread_t *r)
{
	bool ok = ps->fields == HIER_COLUMNS;

	for (size_t i = 0; ok && i < HIER_COLUMNS; i++)
		ok = strcmp(s_field(ps, i), s_header[i]) == 0;
	if (!ok)
		csvread_fail(r, LNOB_E_CSV, "header must be 'code,name,parent_code,level,kind'");
}

/* True when field i of the current record is UTF-8 text (lnob_utf8_valid,
 * over all its bytes: a NUL inside it is refused); else fails the parse
 * with "<file>:<line>: <column>: not valid UTF-8". */
static bool s_field_utf8(const s_parse_t *ps, csvread_t *r, size_t i)
{
	if (lnob_utf8_valid(s_field(ps, i), ps->flen[i]))
		return true;
	csvread_fail(r, LNOB_E_HIER, "%s: not valid UTF-8", s_header[i]);
	return false;
}

/* Checks the fields of one unit record on their own (columns, code, name,
 * level, the form of the parent code; name, level and kind UTF-8). Returns
 * false when one is refused (the error is recorded). */
static bool s_unit_ok(const s_parse_t *ps, csvread_t *r)
{
	const char *code, *parent;

	if (ps->fields != HIER_COLUMNS)
		return !csvread_fail(r, LNOB_E_CSV, "expected %d columns, found %zu", HIER_COLUMNS,
				     ps->fields);
	code = s_field(ps, 0);
	parent = s_field(ps, 2);
	if (!lnob_valid_id(code))
		return !csvread_fail(r, LNOB_E_HIER, "bad code '%s' (1..64 of A-Za-z0-9._-)", code);
	if (!*s_field(ps, 1))
		return !csvread_fail(r, LNOB_E_HIER, "%s: empty name", code);
	if (!s_field_utf8(ps, r, 1))
		return false;
	if (*parent && !lnob_valid_id(parent))
		return !csvread_fail(r, LNOB_E_HIER, "%s: bad parent code '%s'", code, parent);
	if (!*s_field(ps, 3))
		return !csvread_fail(r, LNOB_E_HIER, "%s: empty level", code);
	return s_field_utf8(ps, r, 3) && s_field_utf8(ps, r, 4);
}

/* Checks one unit record (s_unit_ok()) and appends it to ps->units. Links
 * are checked later. */
static void s_add_unit(s_parse_t *ps, csvread_t *r)
{
	hier_unit_t *u;
	char *block;

	if (!s_unit_ok(ps, r))
		return;
	if (ps->count >= INT_MAX) {
		csvread_fail(r, LNOB_E_HIER, "too many units");
		return;
	}
	if (lnob_grow(&ps->units, ps->count, &ps->cap, sizeof(*ps->units), 64) < 0) {
		csvread_oom(r);
		return;
	}
	block = malloc(ps->slen);
	if (!block) {
		csvread_oom(r);
		return;
	}
	memcpy(block, ps->scratch, ps->slen);
	u = &ps->units[ps->count++];
	*u = (hier_unit_t){
		.code = block + ps->foff[0],
		.name = block + ps->foff[1],
		.parent_code = block + ps->foff[2],
		.level = block + ps->foff[3],
		.kind = block + ps->foff[4],
		.parent = -1,
		.line = csvread_line(r),
	};
	assert(ps->foff[0] == 0);
}

/* The reader's record callback: the header first, then one unit. */
static void s_on_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_parse_t *ps = ctx;

	ps->fields = nfields;
	if (csvread_record_index(r) == 0)
		s_check_header(ps, r);
	else
		s_add_unit(ps, r);
	ps->fields = 0;
	ps->slen = 0;
}

/* Orders index entries by code, then by file order. */
static int s_key_cmp(const void *a, const void *b)
{
	const hier_key_t *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* bsearch() comparison of a code with an index entry. */
static int s_code_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const hier_key_t *)elem)->code);
}

/* Index of the unit with this code in a sorted, duplicate-free index, or -1. */
static int s_lookup(const hier_key_t *index, size_t count, const char *code)
{
	const hier_key_t *k = bsearch(code, index, count, sizeof(*index), s_code_cmp);

	return k ? k->idx : -1;
}

/*
 * Builds the sorted index and refuses a duplicate code, naming the earliest
 * second occurrence in the file and the line of the first. Returns 0,
 * LNOB_E_HIER or -ENOMEM.
 */
static int s_build_index(hier_t *self, const char *name, char *err, size_t errlen)
{
	size_t dup = SIZE_MAX, first = 0;

	self->index = malloc((self->count ? self->count : 1) * sizeof(*self->index));
	if (!self->index) {
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		return -ENOMEM;
	}
	for (size_t i = 0; i < self->count; i++)
		self->index[i] = (hier_key_t){ self->units[i].code, (int)i };
	qsort(self->index, self->count, sizeof(*self->index), s_key_cmp);
	for (size_t i = 1, start = 0; i < self->count; i++) {
		if (strcmp(self->index[i].code, self->index[start].code) != 0) {
			start = i;
			continue;
		}
		if (dup == SIZE_MAX || (size_t)self->index[i].idx < dup) {
			dup = (size_t)self->index[i].idx;
			first = (size_t)self->index[start].idx;
		}
	}
	if (dup != SIZE_MAX) {
		lnob_errf(err, errlen, 0, "%s:%u: duplicate code '%s' (first on line %u)",
		      name, self->units[dup].line, self->units[dup].code, self->units[first].line);
		return LNOB_E_HIER;
	}
	return 0;
}

/* Sets every unit's parent index; refuses an unknown parent code. */
static int s_link_parents(hier_t *self, const char *name, char *err, size_t errlen)
{
	for (size_t i = 0; i < self->count; i++) {
		hier_unit_t *u = &self->units[i];

		if (!*u->parent_code)
			continue;
		u->parent = s_lookup(self->index, self->count, u->parent_code);
		if (u->parent < 0) {
			lnob_errf(err, errlen, 0, "%s:%u: %s: unknown parent '%s'",
			      name, u->line, u->code, u->parent_code);
			return LNOB_E_HIER;
		}
	}
	return 0;
}

/* Writes the message for a cycle through unit j (a member of the cycle). */
static void s_cycle_err(const hier_t *self, int j, const char *name, char *err, size_t errlen)
{
	const hier_unit_t *u = self->units;
	int m = j, k = j, shown = 0;
	size_t off;

	/* Name the member that comes first in the file. */
	do {
		k = u[k].parent;
		if (k < m)
			m = k;
	} while (k != j);
	if (u[m].parent == m) {
		lnob_errf(err, errlen, 0, "%s:%u: %s: cycle: its own parent", name, u[m].line, u[m].code);
		return;
	}
	lnob_errf(err, errlen, 0, "%s:%u: %s: cycle: its own ancestor (%s", name, u[m].line,
	      u[m].code, u[m].code);
	if (!err || errlen == 0)
		return;
	k = m;
	do {
		k = u[k].parent;
		off = strlen(err);
		if (++shown > HIER_CYCLE_SHOWN && k != m) {
			snprintf(err + off, errlen - off, " > ... > %s)", u[m].code);
			return;
		}
		snprintf(err + off, errlen - off, " > %s", u[k].code);
	} while (k != m);
	off = strlen(err);
	snprintf(err + off, errlen - off, ")");
}

/*
 * Computes every unit's depth, following parent links, and refuses a cycle
 * (naming a unit on it). Returns 0, LNOB_E_HIER or -ENOMEM.
 */
static int s_compute_depths(hier_t *self, const char *name, char *err, size_t errlen)
{
	size_t n = self->count;
	unsigned char *state = calloc(n ? n : 1, 1); /* 0 new, 1 on path, 2 done */
	int *path = malloc((n ? n : 1) * sizeof(*path));
	int r = 0;

	if (!state || !path) {
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t np = 0;
		int j = (int)i;
		unsigned d;

		while (j >= 0 && state[j] == 0) {
			state[j] = 1;
			path[np++] = j;
			j = self->units[j].parent;
		}
		if (j >= 0 && state[j] == 1) {
			s_cycle_err(self, j, name, err, errlen);
			r = LNOB_E_HIER;
			goto out;
		}
		d = j < 0 ? 0 : self->units[j].depth + 1;
		while (np > 0) {
			int k = path[--np];

			self->units[k].depth = d++;
			state[k] = 2;
		}
	}
out:
	free(state);
	free(path);
	return r;
}

int hier_build_children(hier_t *self, const char *name, char *err, size_t errlen)
{
	size_t n = self->count;
	size_t *fill;

	self->kids = malloc((n ? n : 1) * sizeof(*self->kids));
	self->koff = calloc(n + 2, sizeof(*self->koff));
	fill = calloc(n + 1, sizeof(*fill));
	if (!self->kids || !self->koff || !fill) {
		free(fill);
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		return -ENOMEM;
	}
	/* Group g = parent + 1 (0: roots). koff[g + 1] first counts group g,
	 * then the prefix sums make koff[g] where group g starts. */
	for (size_t i = 0; i < n; i++) {
		int p = self->units[i].parent;
		size_t g = p < 0 ? 0 : (size_t)p + 1;

		self->koff[g + 1]++;
	}
	for (size_t g = 1; g < n + 2; g++)
		self->koff[g] += self->koff[g - 1];
	for (size_t i = 0; i < n; i++) {
		int p = self->units[i].parent;
		size_t g = p < 0 ? 0 : (size_t)p + 1;

		self->kids[self->koff[g] + fill[g]++] = (int)i;
	}
	free(fill);
	return 0;
}

/* The tree over self's units, once r (indexing them) is 0: parents,
 * depths, children. Returns 0 with *ret = self, or the first error with
 * self destroyed. */
static int s_finish_tree(hier_t *self, int r, const char *name, hier_t **ret, char *err,
			 size_t errlen)
{
	if (r == 0)
		r = s_link_parents(self, name, err, errlen);
	if (r == 0)
		r = s_compute_depths(self, name, err, errlen);
	if (r == 0)
		r = hier_build_children(self, name, err, errlen);
	if (r < 0) {
		hier_destroy(&self);
		return r;
	}
	*ret = self;
	return 0;
}

int hier_load_mem(const char *buf, size_t len, const char *name, hier_t **ret,
		  char *err, size_t errlen)
{
	static const csvread_ops_t ops = { s_on_field, s_on_record };
	s_parse_t ps = { 0 };
	hier_t *self = NULL;
	int r;

	if ((!buf && len) || !ret)
		return -EINVAL;
	if (!name)
		name = "<memory>";
	r = csvread_parse(buf ? buf : "", len, name, &ops, &ps, err, errlen);
	free(ps.scratch);
	if (r == 0 && !(self = calloc(1, sizeof(*self)))) {
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		r = -ENOMEM;
	}
	if (r != 0 || !self) {
		for (size_t i = 0; i < ps.count; i++)
			free((char *)ps.units[i].code);
		free(ps.units);
		return r;
	}
	self->units = ps.units;
	self->count = ps.count;
	self->from = HIER_FROM_START;
	return s_finish_tree(self, s_build_index(self, name, err, errlen), name, ret, err, errlen);
}

int hier_load_csv(const char *path, hier_t **ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	r = lnob_read_file(path, HIER_MAX_BYTES, &buf, &len);
	if (r == LNOB_E_TOOBIG) {
		lnob_errf(err, errlen, 0, "%s: larger than %zu bytes", path, HIER_MAX_BYTES);
		return LNOB_E_CSV;
	}
	if (r < 0) {
		lnob_errf(err, errlen, 0, "%s: cannot read: %s", path, lnob_strerror(r));
		return r;
	}
	r = hier_load_mem(buf, len, path, ret, err, errlen);
	free(buf);
	return r;
}

void hier_destroy(hier_t **self_p)
{
	hier_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	for (size_t i = 0; !self->strings && i < self->count; i++)
		free((char *)self->units[i].code);
	free(self->strings);
	free(self->units);
	free(self->index);
	free(self->kids);
	free(self->koff);
	free(self->changes);
	hier_destroy(&self->prev);
	free(self);
	*self_p = NULL;
}

size_t hier_count(const hier_t *self)
{
	assert(self);
	return self->count;
}

const hier_unit_t *hier_unit(const hier_t *self, int i)
{
	assert(self);
	if (i < 0 || (size_t)i >= self->count)
		return NULL;
	return &self->units[i];
}

int hier_by_code(const hier_t *self, size_t k)
{
	assert(self && k < self->count);
	return self->index[k].idx;
}

int hier_find(const hier_t *self, const char *code)
{
	assert(self);
	if (!code)
		return -1;
	return s_lookup(self->index, self->count, code);
}

/* Walks up from i to root's depth: O(depth of i - depth of root). */
bool hier_in_subtree(const hier_t *self, int root, int i)
{
	assert(self);
	if (root < 0 || i < 0 || (size_t)root >= self->count || (size_t)i >= self->count)
		return false;
	while (self->units[i].depth > self->units[root].depth)
		i = self->units[i].parent;
	return i == root;
}

/* An index out of range has no children; *ret_children is then not written. */
size_t hier_children(const hier_t *self, int i, const int **ret_children)
{
	size_t g;

	assert(self);
	if (i < -1 || (i >= 0 && (size_t)i >= self->count))
		return 0;
	g = i < 0 ? 0 : (size_t)i + 1;
	if (ret_children)
		*ret_children = self->kids + self->koff[g];
	return self->koff[g + 1] - self->koff[g];
}
