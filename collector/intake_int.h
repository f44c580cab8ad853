/*
 * intake_int.h: what intake.c (lists, fields, JSON, files) shares with
 * intake_csv.c (CSV), and no one else; the public contract is intake.h.
 * Every message names its place first ("r.csv:7", "r.json: entry 2").
 */
#ifndef LNOB_INTAKE_INT_H
#define LNOB_INTAKE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "intake.h"

#define INTAKE_ID_RULE "1..64 of [A-Za-z0-9._-]"

/* Appends r, found at where, to list, which takes ownership of r. Returns
 * 0 or -ENOMEM (r is not taken then). */
int intake_list_push(intake_list_t *list, Lnob__Report *r, const char *where);
/* Moves every report of src onto the end of dst; src is emptied.
 * Returns 0 or -ENOMEM (both unchanged then). */
int intake_list_take(intake_list_t *dst, intake_list_t *src);
/* The body limit a list's reports are checked against. */
size_t intake_max_body(const intake_list_t *list);

/* A new report with empty strings, revision 1 and completed_at now_s.
 * Caller owns it (intake_report_free). NULL when out of memory. */
Lnob__Report *intake_report_new(int64_t now_s);
/* Final checks of a built report, shared by both formats: the shared rule
 * (report_validate) and the body size limit max_body. */
int intake_check_report(const char *where, const Lnob__Report *r, size_t max_body, char *err,
			size_t errlen);

/* Plain decimal digits (no sign, no space) into *ret, at most max.
 * Returns 0, -EINVAL (not digits) or -ERANGE. */
int intake_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/* The fields both formats have, each from text, each error naming where
 * and the field; return 0 or a negative code with err set. An id
 * (campaign, period, unit); completed_at (intake_parse_time()); the
 * narrative of len bytes; revision and base_revision (base < 0: absent,
 * revision - 1); one indicator value (given twice: an error). */
int intake_field_id(const char *where, const char *field, char **dst, const char *s,
		    char *err, size_t errlen);
int intake_field_time(const char *where, Lnob__Report *r, const char *s, char *err, size_t errlen);
int intake_field_narrative(const char *where, Lnob__Report *r, const char *s, size_t len,
			   char *err, size_t errlen);
int intake_field_revisions(const char *where, Lnob__Report *r, uint64_t rev, int64_t base,
			   char *err, size_t errlen);
int intake_field_value(const char *where, Lnob__Report *r, const char *code, int64_t v,
		       char *err, size_t errlen);
/* One indicator value from its decimal text (a CSV or xlsx cell):
 * "<where>: <code>: not a non-negative integer: '<cell>'" or "out of range
 * 0..10^15", else as intake_field_value(). */
int intake_field_text_value(const char *where, Lnob__Report *r, const char *code,
			    const char *cell, char *err, size_t errlen);

#endif
