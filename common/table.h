/*
 * table.h: the operators' text tables (rollup, nominations, history,
 * conflicts, approvals): cells wrapped at word boundaries by display
 * columns (lnob_utf8_width()), never cut: a name longer than its column
 * goes on over more lines, and a word longer than the column is broken
 * only then; and times in a campaign's time zone with the offset shown.
 * Library module: writes only to the FILE it is given.
 */
#ifndef LNOB_TABLE_H
#define LNOB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Room for table_time()'s text. */
#define TABLE_TIME_LEN 32
/* The time zone of times without a campaign: Vietnam's, +07:00. */
#define TABLE_DEFAULT_UTC_OFFSET 25200   /* 7 * 3600 s */

/* One column: its title, its width in display columns (0: the rest of the
 * line, never wrapped: a table's last column), right-aligned or not. */
typedef struct table_col {
	const char *title;
	size_t width;
	bool right;
} table_col_t;

/* Unix seconds t in the zone utc_offset_s east of UTC, as "2023-12-05
 * 17:00 +07:00" into buf (len >= TABLE_TIME_LEN); "-" for t <= 0 and for
 * a time that cannot be shown (any int64_t is safe). Returns buf. */
const char *table_time(int64_t t, int64_t utc_offset_s, char *buf, size_t len);
/* The offset alone: "+07:00". Returns buf (len >= 8). */
const char *table_offset(int64_t utc_offset_s, char *buf, size_t len);

/* The first line of s wrapped to width columns (width >= 1): as many
 * whole words (separated by spaces, tabs or line breaks) as fit, else as
 * much of the first word as fits; blanks s starts with are kept (an
 * indent: a child's row), those *ret_next would start with are skipped.
 * Returns the line's start (s); *ret_len its bytes, *ret_next where the
 * rest starts (at the NUL when nothing is left). */
const char *table_wrap(const char *s, size_t width, size_t *ret_len, const char **ret_next);

/* Prints indent, then the titles of cols[0..n) padded to their widths,
 * one space apart, and a line break. */
void table_header(FILE *out, const char *indent, const table_col_t *cols, size_t n);
/* Prints one row: cells[i] (NULL: empty) in cols[i], each wrapped to its
 * width, on as many lines as its longest cell needs; every line starts
 * with indent. No trailing blanks. */
void table_row(FILE *out, const char *indent, const table_col_t *cols, size_t n,
	       const char *const *cells);

#endif
