/*
 * baseline.c: the baseline file of a campaign (campaign.h, THE BASELINE
 * FILE): read with the CSV reader (csvread.h), checked against the
 * campaign's indicators row by row, kept sorted by unit code; and the
 * baselines of units and subtrees.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "csvread.h"
#include "lnob_err.h"
#include "util.h"

/* Largest baseline file accepted. */
#define BASELINE_MAX_BYTES ((size_t)64 << 20)

/* State of one baseline parse, shared with the reader's callbacks. */
typedef struct s_bparse {
	campaign_t *c;
	int col[CAMPAIGN_INDICATORS_MAX + 1];   /* indicator of column k (k >= 1) */
	size_t ncols;
	campaign_row_t cur;                           /* the row being read */
	char *code;                             /* its first field */
	campaign_row_t *rows;
	size_t nrows, cap;
} s_bparse_t;

/* One header field: "unit" first, then count or amount codes, each once. */
static void s_bheader_field(s_bparse_t *ps, csvread_t *r, const char *f, size_t k)
{
	const campaign_t *c = ps->c;
	int j;

	if (k == 0) {
		if (strcmp(f, "unit") != 0)
			csvread_fail(r, LNOB_E_CSV, "header must start with 'unit'");
		return;
	}
	if (k > CAMPAIGN_INDICATORS_MAX) {
		csvread_fail(r, LNOB_E_CSV, "more than %d columns", CAMPAIGN_INDICATORS_MAX + 1);
		return;
	}
	j = campaign_indicator_find(c, f);
	if (j < 0) {
		csvread_fail(r, LNOB_E_CSV, "column %zu: unknown indicator '%s'", k + 1, f);
		return;
	}
	if (c->ind[j].kind != CAMPAIGN_IND_COUNT && c->ind[j].kind != CAMPAIGN_IND_AMOUNT) {
		csvread_fail(r, LNOB_E_CSV, "column %zu: '%s' is derived (a %s); give its counts", k + 1,
			     f, c->ind[j].kind == CAMPAIGN_IND_RATE ? "rate" : "sum");
		return;
	}
	for (size_t i = 1; i < k; i++) {
		if (ps->col[i] == j) {
			csvread_fail(r, LNOB_E_CSV, "column %zu: '%s' given twice", k + 1, f);
			return;
		}
	}
	ps->col[k] = j;
	ps->ncols = k + 1;
}

/* One field of a unit row. */
static void s_brow_field(s_bparse_t *ps, csvread_t *r, const char *f, size_t k)
{
	const campaign_t *c = ps->c;
	int64_t v;
	int j;

	if (k == 0) {
		if (!lnob_valid_id(f)) {
			csvread_fail(r, LNOB_E_CSV, "bad unit code '%s' (1..64 of A-Za-z0-9._-)", f);
			return;
		}
		if (!(ps->code = strdup(f)))
			csvread_oom(r);
		return;
	}
	if (k >= ps->ncols || !*f)
		return;    /* too many columns: counted, refused at the record's end */
	j = ps->col[k];
	if (!lnob_parse_digits(f, REPORT_VALUE_MAX, &v)) {
		csvread_fail(r, LNOB_E_CSV, "%s: %s: expected a whole number 0..%lld: '%s'",
			     ps->code ? ps->code : "?", c->ind[j].code, (long long)REPORT_VALUE_MAX, f);
		return;
	}
	ps->cur.counts.v[j] = v;
	ps->cur.counts.has[j] = true;
}

/* The reader's field callback: a header field or a row's. */
static void s_bon_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t k)
{
	(void)len;
	if (csvread_record_index(r) == 0)
		s_bheader_field(ctx, r, f, k);
	else
		s_brow_field(ctx, r, f, k);
}

/* The reader's record callback: the header, or one unit row. */
static void s_bon_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_bparse_t *ps = ctx;

	if (csvread_record_index(r) == 0) {
		if (ps->ncols < 2)
			csvread_fail(r, LNOB_E_CSV, "header must be 'unit' and indicator codes");
		return;
	}
	if (nfields != ps->ncols) {
		csvread_fail(r, LNOB_E_CSV, "expected %zu columns, found %zu", ps->ncols, nfields);
	} else if (lnob_grow(&ps->rows, ps->nrows, &ps->cap, sizeof(*ps->rows), 64) < 0) {
		csvread_oom(r);
	}
	if (nfields == ps->ncols && ps->nrows < ps->cap) {
		ps->cur.code = ps->code;
		ps->cur.line = csvread_line(r);
		ps->rows[ps->nrows++] = ps->cur;
		ps->code = NULL;
	}
	free(ps->code);
	ps->code = NULL;
	memset(&ps->cur, 0, sizeof(ps->cur));
}

static int s_brow_cmp(const void *a, const void *b)
{
	const campaign_row_t *x = a, *y = b;
	int r = strcmp(x->code, y->code);

	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* Refuses a unit given twice in rows[0..n) (sorted by code, then line),
 * naming the earliest repeat in the file and the line of its first row.
 * Returns 0 or LNOB_E_CSV. */
static int s_baseline_dups(const campaign_row_t *rows, size_t n, const char *name, char *err,
			   size_t errlen)
{
	const campaign_row_t *dup = NULL, *first = NULL;

	for (size_t k = 1, start = 0; k < n; k++) {
		if (strcmp(rows[k].code, rows[start].code) != 0) {
			start = k;
		} else if (!dup || rows[k].line < dup->line) {
			dup = &rows[k];
			first = &rows[start];
		}
	}
	if (!dup)
		return 0;
	return lnob_errf(err, errlen, LNOB_E_CSV, "%s:%u: unit '%s' given twice (first on line %u)",
			 name, dup->line, dup->code, first->line);
}

/* Parses the baseline text into c->rows (sorted by code). Returns 0,
 * LNOB_E_CSV or -ENOMEM with err set. */
static int s_baseline_parse(campaign_t *c, const char *name, const char *buf, size_t len,
			    char *err, size_t errlen)
{
	static const csvread_ops_t ops = { s_bon_field, s_bon_record };
	s_bparse_t ps = { .c = c };
	int r = csvread_parse(buf, len, name, &ops, &ps, err, errlen);

	free(ps.code);
	if (r == 0 && ps.nrows > 0) {
		/* qsort() wants an array, even of 0 elements: a file of only a
		 * header has none. */
		qsort(ps.rows, ps.nrows, sizeof(*ps.rows), s_brow_cmp);
		r = s_baseline_dups(ps.rows, ps.nrows, name, err, errlen);
	}
	if (r) {
		for (size_t i = 0; i < ps.nrows; i++)
			free(ps.rows[i].code);
		free(ps.rows);
		return r;
	}
	for (size_t k = 1; k < ps.ncols; k++)
		c->bl_col[ps.col[k]] = true;
	c->rows = ps.rows;
	c->nrows = ps.nrows;
	return 0;
}

int cload_baseline(cload_t *b, const char *value, unsigned line)
{
	campaign_t *c = b->c;
	const char *slash = strrchr(b->file, '/');
	char *path, *buf = NULL;
	size_t len = 0;
	int r;

	if (value[0] == '/' || !slash)
		path = strdup(value);
	else if (asprintf(&path, "%.*s/%s", (int)(slash - b->file), b->file, value) < 0)
		path = NULL;
	if (!(c->bl_file = campaign_own(c, path)))
		return cload_oom(b);
	r = lnob_read_file(c->bl_file, BASELINE_MAX_BYTES, &buf, &len);
	if (r == LNOB_E_TOOBIG)
		return lnob_fail(&b->fail, LNOB_E_CSV, 0, "%s: larger than %zu bytes", c->bl_file,
				 BASELINE_MAX_BYTES);
	if (r < 0)
		return lnob_fail(&b->fail, r, line, "%s:%u: [campaign] baseline_file: cannot read %s: %s",
				 b->file, line, c->bl_file, lnob_strerror(r));
	/* The parse writes its own message. */
	r = s_baseline_parse(c, c->bl_file, buf, len, b->fail.err, b->fail.errlen);
	free(buf);
	if (r)
		b->fail.code = r;
	return r;
}

const campaign_row_t *campaign_row(const campaign_t *c, const char *code)
{
	size_t lo = 0, hi = c->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(code, c->rows[mid].code);

		if (r == 0)
			return &c->rows[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Adds row's values to the sum ret; a value the row lacks, or one that
 * would pass REPORT_VALUE_MAX, leaves the sum. */
static void s_add_row(campaign_counts_t *ret, const campaign_row_t *row, size_t nind)
{
	for (size_t i = 0; i < nind; i++) {
		if (!ret->has[i])
			continue;
		if (!row->counts.has[i] || row->counts.v[i] > REPORT_VALUE_MAX - ret->v[i])
			ret->has[i] = false;
		else
			ret->v[i] += row->counts.v[i];
	}
}

/* Walks the subtrees depth first with a stack of its own (no recursion:
 * a hierarchy may be deep). */
int campaign_subtree_sum(const campaign_t *c, const hier_t *h, const int *start, size_t n,
			 campaign_counts_t *ret)
{
	size_t cap = n + 16, top = 0;
	int *stack = malloc(cap * sizeof(*stack));
	bool any = false;
	int r = 0;

	if (!stack)
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < CAMPAIGN_INDICATORS_MAX; i++)
		ret->has[i] = c->bl_col[i];
	for (size_t i = 0; i < n; i++)
		stack[top++] = start[i];
	while (top > 0 && r == 0) {
		int u = stack[--top];
		const campaign_row_t *row = campaign_row(c, hier_unit(h, u)->code);
		const int *kids;
		size_t nk;

		if (row) {
			s_add_row(ret, row, c->nind);
			continue;
		}
		nk = hier_children(h, u, &kids);
		if (nk == 0) {
			r = LNOB_E_NOTFOUND;
			break;
		}
		if (top + nk > cap) {
			size_t ncap = (top + nk) * 2;
			int *nv = realloc(stack, ncap * sizeof(*nv));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			stack = nv;
			cap = ncap;
		}
		for (size_t k = nk; k > 0; k--)
			stack[top++] = kids[k - 1];
	}
	free(stack);
	for (size_t i = 0; r == 0 && i < c->nind; i++)
		any |= ret->has[i];
	if (r == 0 && !any)
		r = LNOB_E_NOTFOUND;
	return r;
}

int campaign_baseline_get(const campaign_t *self, const char *code, campaign_counts_t *c)
{
	const campaign_row_t *row;

	assert(self && c);
	if (!code || !(row = campaign_row(self, code)))
		return LNOB_E_NOTFOUND;
	*c = row->counts;
	return 0;
}

int campaign_baseline_for(const campaign_t *self, const hier_t *hier, int unit, campaign_counts_t *c)
{
	campaign_counts_t sum;
	int r;

	assert(self && hier && c);
	if (!hier_unit(hier, unit))
		return -EINVAL;
	if (self->nrows == 0)
		return LNOB_E_NOTFOUND;
	r = campaign_subtree_sum(self, hier, &unit, 1, &sum);
	if (r == 0)
		*c = sum;
	return r;
}
