/*
 * households_csv.c: a household file in CSV (csvread.h: RFC 4180, UTF-8,
 * blank lines skipped) into a list (see households.h), each error naming
 * the file and the line: "h.csv:7: village: 'V9' is not a unit of the
 * hierarchy".
 */
#include "households.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "households_int.h"
#include "lnob_err.h"
#include "util.h"

/* Cells of one record beyond this many are not kept: a column after the
 * 1024th, the header's too, is ignored (README "The household register"). */
#define S_CELLS_MAX 1024

typedef struct s_csv {
	const char *name;
	const households_area_t *area;
	households_t out;
	households_cols_t cols;
	char *cells[S_CELLS_MAX];
	size_t ncells;
} s_csv_t;

static void s_cells_clear(s_csv_t *c)
{
	for (size_t i = 0; i < c->ncells; i++) {
		free(c->cells[i]);
		c->cells[i] = NULL;
	}
	c->ncells = 0;
}

static void s_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t index)
{
	s_csv_t *c = ctx;

	if (index >= S_CELLS_MAX)
		return;
	if (!(c->cells[index] = malloc(len + 1))) {
		csvread_oom(r);
		return;
	}
	memcpy(c->cells[index], f, len + 1);
	c->ncells = index + 1;
}

/* One household line (not the header). */
static void s_household(s_csv_t *c, csvread_t *r)
{
	char why[512], where[LNOB_ID_MAX + 32 + 256];
	household_t h;
	size_t col = 0;
	int rc = households_row(&c->cols, (const char *const *)c->cells, c->ncells, c->area, &h,
				&col, why, sizeof(why));

	if (rc == 1)
		return;
	if (rc < 0) {
		csvread_fail(r, rc, "%s", why);
		return;
	}
	snprintf(where, sizeof(where), "%.255s:%u", c->name, csvread_line(r));
	if (!(h.where = strdup(where))) {
		csvread_oom(r);
		return;
	}
	if ((rc = households_push(&c->out, &h)) < 0) {
		free(h.where);
		if (rc == -ENOMEM)
			csvread_oom(r);
		else
			csvread_fail(r, rc, "more than %u households", HOUSEHOLDS_MAX);
	}
}

static void s_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_csv_t *c = ctx;
	char why[512];
	size_t col = 0;

	(void)nfields;
	if (csvread_record_index(r) == 0) {
		if (households_header((const char *const *)c->cells, c->ncells, &c->cols, &col, why,
				      sizeof(why)) < 0)
			csvread_fail(r, LNOB_E_INVALID, "%s", why);
	} else {
		s_household(c, r);
	}
	s_cells_clear(c);
}

int households_parse_csv(const char *name, const char *text, size_t len,
			 const households_area_t *area, households_t *ret, char *err,
			 size_t errlen)
{
	static const csvread_ops_t ops = { .field = s_field, .record = s_record };
	s_csv_t c = { .name = name, .area = area };
	int rc = csvread_parse(text, len, name, &ops, &c, err, errlen);

	s_cells_clear(&c);
	if (rc == 0)
		rc = households_finish(&c.out, name, err, errlen);
	if (rc < 0) {
		households_clear(&c.out);
		return rc;
	}
	*ret = c.out;
	return 0;
}
