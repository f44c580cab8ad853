/*
 * households_int.h: what the two readers of a household file
 * (households_csv.c, households_xlsx.c) share, and no one else: the
 * header's columns and one row's cells into a household
 * (households_row.c). Messages name the column, never the place: each
 * reader puts its place (file and line, sheet and cell) in front. The
 * public contract is households.h.
 */
#ifndef LNOB_HOUSEHOLDS_INT_H
#define LNOB_HOUSEHOLDS_INT_H

#include <stddef.h>

#include "households.h"

/* The columns a household file must have, in households.h's order. */
enum {
	HOUSEHOLDS_COL_ID = 0,
	HOUSEHOLDS_COL_VILLAGE,
	HOUSEHOLDS_COL_CLASS,
	HOUSEHOLDS_COL_EM,
	HOUSEHOLDS_COL_DEPRIV,   /* the first of HOUSEHOLDS_DEPRIV_COUNT */
	HOUSEHOLDS_COL_COUNT = HOUSEHOLDS_COL_DEPRIV + HOUSEHOLDS_DEPRIV_COUNT,
};

/* Where each column is in the file (0: the first). */
typedef struct households_cols {
	size_t at[HOUSEHOLDS_COL_COUNT];
	size_t width;            /* 1 + the last of them */
} households_cols_t;

/* The name of column k ("household", "health_insurance"). */
const char *households_col_name(int k);

/* Reads the header's cells[0..n) (NULL: an empty cell) into *ret.
 * Returns 0, or LNOB_E_INVALID with err "header: column 'village' is
 * missing" or "header: column 'village' is given twice (columns 2 and
 * 5)", and *ret_col the file column at fault (n when missing). */
int households_header(const char *const *cells, size_t n, households_cols_t *ret,
		      size_t *ret_col, char *err, size_t errlen);

/* Reads one row's cells[0..n) (NULL or missing: empty) into *ret (where
 * NULL), its village checked against area. Returns 1 when every cell of
 * the row is empty (skip it), 0, or LNOB_E_INVALID with err "village:
 * 'V9' is not a unit of the hierarchy held" and *ret_col the file column at
 * fault. */
int households_row(const households_cols_t *cols, const char *const *cells, size_t n,
		   const households_area_t *area, household_t *ret, size_t *ret_col, char *err,
		   size_t errlen);

#endif
