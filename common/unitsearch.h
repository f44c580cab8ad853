/*
 * unitsearch.h: finding org units by what operators type: a code, or a
 * name with or without its Vietnamese diacritics, in any case ("muong
 * khuong" finds "Huyện Mường Khương", "xa" matches "XÃ", "dong" matches
 * "Đồng"). Text is compared folded (unit_fold()): Unicode NFD, combining
 * marks (U+0300..U+036F) dropped, case folded (libunistring), đ/Đ -> d,
 * runs of white space made one space and trimmed.
 *
 * Ranks, best first (a unit takes its best):
 *   0 its code, case-insensitively;
 *   1 its whole folded name;
 *   2 the start of its folded name;
 *   3 the start of a word of its folded name, or the start of its code;
 *   4 anywhere in its folded name or code.
 * Library code: nothing is printed or logged.
 */
#ifndef LNOB_UNITSEARCH_H
#define LNOB_UNITSEARCH_H

#include <stddef.h>

#include "hierarchy.h"

/* How many nearest units a miss suggests, and candidates an ambiguity lists. */
#define UNIT_SUGGEST_MAX 5
#define UNIT_CANDIDATES_MAX 10

/* Folds text for matching: NFD, combining marks dropped, case folded,
 * đ/Đ -> d. Returns a malloc'ed string or NULL (ENOMEM / not UTF-8). */
char *unit_fold(const char *text);
/* Units whose code or name matches q (folded; exact code first, then
 * prefix of a word of the name, then substring), at most max, in that
 * order of rank then file order; *ret_n how many. Restricted to root's
 * subtree (root -1: all). Returns 0 or -ENOMEM. The ranks are those
 * above; a q that folds to nothing (or is not UTF-8) matches nothing. */
int unit_search(const hier_t *h, const char *q, int root, int *out, size_t max,
		size_t *ret_n);
/* Resolves text (a code, or a name with or without diacritics, any case)
 * to one unit: 0 with *ret set; LNOB_E_NOTFOUND with err listing up to 5
 * nearest matches ("did you mean: D01 Huyện Mường Khương, ..."), or
 * ambiguity listing the candidates.
 *
 * One unit is the answer when text is a code (exactly, else
 * case-insensitively), else when exactly one unit's whole folded name is
 * text folded, else when exactly one unit matches at all (any rank). Two
 * or more otherwise: LNOB_E_INVALID, err "'Mường' names 3 units: D01
 * Huyện Mường Khương (district), ...; name one by its code". None:
 * LNOB_E_NOTFOUND, err "'muong khoung' is no unit's code or name; did you
 * mean: D01 Huyện Mường Khương?" with the units nearest by edit distance
 * (folded, against the code, the name and each run of as many of the
 * name's words as text has) within 1 + a third of text's length, or
 * "...; no unit's code or name is near it". A code outside root's subtree
 * is LNOB_E_NOTFOUND "'D05' (Huyện X) is not under P01 Tỉnh Y". Text that
 * is not UTF-8: LNOB_E_INVALID. -ENOMEM. *ret is written only on 0. */
int unit_resolve(const hier_t *h, const char *text, int root, int *ret,
		 char *err, size_t errlen);

#endif
