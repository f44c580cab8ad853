/*
 * households_row.c: a household file's header and rows, whatever the
 * file's kind (see households_int.h and households.h for the rules).
 */
#include "households_int.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lnob_err.h"
#include "util.h"

static const char *const s_cols[HOUSEHOLDS_COL_DEPRIV] = {
	"household", "village", "classification", "ethnic_minority",
};

const char *households_col_name(int k)
{
	if (k >= 0 && k < HOUSEHOLDS_COL_DEPRIV)
		return s_cols[k];
	return households_depriv_code(k - HOUSEHOLDS_COL_DEPRIV);
}

/* s without its leading and trailing blanks, copied into out[outlen]
 * (cut to fit: every accepted value is shorter, and a cut one stays
 * longer than any, so it is refused all the same). Returns out. */
static const char *s_trim(const char *s, char *out, size_t outlen)
{
	size_t n;

	if (!s)
		s = "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

int households_header(const char *const *cells, size_t n, households_cols_t *ret,
		      size_t *ret_col, char *err, size_t errlen)
{
	bool seen[HOUSEHOLDS_COL_COUNT] = { false };
	char name[80];

	memset(ret, 0, sizeof(*ret));
	for (size_t c = 0; c < n; c++) {
		s_trim(cells[c], name, sizeof(name));
		for (int k = 0; k < HOUSEHOLDS_COL_COUNT; k++) {
			if (strcasecmp(name, households_col_name(k)) != 0)
				continue;
			*ret_col = c;
			if (seen[k])
				return lnob_errf(err, errlen, LNOB_E_INVALID, "header: column '%s' is "
						 "given twice (columns %zu and %zu)",
						 households_col_name(k), ret->at[k] + 1, c + 1);
			seen[k] = true;
			ret->at[k] = c;
			if (c + 1 > ret->width)
				ret->width = c + 1;
		}
	}
	for (int k = 0; k < HOUSEHOLDS_COL_COUNT; k++)
		if (!seen[k]) {
			*ret_col = n;
			return lnob_errf(err, errlen, LNOB_E_INVALID, "header: column '%s' is "
					 "missing", households_col_name(k));
		}
	return 0;
}

/* The village cell v, checked against area, into ret->village. */
static int s_village(const households_area_t *area, const char *v, household_t *ret,
		     char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	const int *kids;
	int u;

	if (!lnob_valid_id(v))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "village: '%s' is not a unit code "
				 "(1..64 of [A-Za-z0-9._-])", lnob_quote(q, v));
	if ((u = hier_find(area->hier, v)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "village: '%s' is not a unit of the "
				 "hierarchy held", v);
	if (u == area->root || !hier_in_subtree(area->hier, area->root, u))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "village: '%s' is not under '%s' "
				 "(the register's commune)", v, hier_unit(area->hier, area->root)->code);
	if (hier_children(area->hier, u, &kids) > 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "village: '%s' is a %s, not a village "
				 "(it has units below it)", v, hier_unit(area->hier, u)->level);
	lnob_strlcpy(ret->village, v, sizeof(ret->village));
	return 0;
}

/* The ethnic_minority cell s into *ret: 1, 0, or -1 when it is neither. */
static int s_yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "1", "có" }, *const no[] = { "no", "0", "không" };

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* The cells of the named columns, trimmed, into v[k][80]. Returns true
 * when all of them are empty. */
static bool s_cells(const households_cols_t *cols, const char *const *cells, size_t n,
		    char v[HOUSEHOLDS_COL_COUNT][80])
{
	bool blank = true;

	for (int k = 0; k < HOUSEHOLDS_COL_COUNT; k++) {
		size_t c = cols->at[k];

		s_trim(c < n ? cells[c] : NULL, v[k], sizeof(v[k]));
		blank = blank && v[k][0] == '\0';
	}
	return blank;
}

/* The classification, ethnic minority and deprivation cells into ret. */
static int s_fields(char v[HOUSEHOLDS_COL_COUNT][80], household_t *ret, int *ret_k, char *err,
		    size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	int c, em;

	*ret_k = HOUSEHOLDS_COL_CLASS;
	if ((c = households_class_parse(v[HOUSEHOLDS_COL_CLASS])) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "classification: '%s' is not one of poor, "
				 "near-poor, escaped, newly-poor, re-poor (nghèo, cận nghèo, thoát "
				 "nghèo, phát sinh, tái nghèo)", lnob_quote(q, v[HOUSEHOLDS_COL_CLASS]));
	ret->cls = (households_class_t)c;
	*ret_k = HOUSEHOLDS_COL_EM;
	if ((em = s_yes_no(v[HOUSEHOLDS_COL_EM])) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "ethnic_minority: '%s' is not yes, no, "
				 "1, 0, có or không", lnob_quote(q, v[HOUSEHOLDS_COL_EM]));
	ret->em = em == 1;
	for (int i = 0; i < HOUSEHOLDS_DEPRIV_COUNT; i++) {
		const char *d = v[HOUSEHOLDS_COL_DEPRIV + i];

		*ret_k = HOUSEHOLDS_COL_DEPRIV + i;
		if (strcmp(d, "0") != 0 && strcmp(d, "1") != 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: '%s' is not 0 or 1 (1: "
					 "deprived)", households_depriv_code(i), lnob_quote(q, d));
		if (d[0] == '1')
			ret->depriv |= (uint16_t)(1u << i);
	}
	return 0;
}

int households_row(const households_cols_t *cols, const char *const *cells, size_t n,
		   const households_area_t *area, household_t *ret, size_t *ret_col, char *err,
		   size_t errlen)
{
	char v[HOUSEHOLDS_COL_COUNT][80] = { { 0 } }, q[LNOB_QUOTE_MAX + 4];
	int k = HOUSEHOLDS_COL_ID, rc;

	memset(ret, 0, sizeof(*ret));
	if (s_cells(cols, cells, n, v))
		return 1;
	*ret_col = cols->at[HOUSEHOLDS_COL_ID];
	if (!lnob_valid_id(v[HOUSEHOLDS_COL_ID]))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "household: '%s' is not a household id "
				 "(1..64 of [A-Za-z0-9._-])", lnob_quote(q, v[HOUSEHOLDS_COL_ID]));
	lnob_strlcpy(ret->id, v[HOUSEHOLDS_COL_ID], sizeof(ret->id));
	*ret_col = cols->at[HOUSEHOLDS_COL_VILLAGE];
	if ((rc = s_village(area, v[HOUSEHOLDS_COL_VILLAGE], ret, err, errlen)) < 0)
		return rc;
	rc = s_fields(v, ret, &k, err, errlen);
	*ret_col = cols->at[k];
	return rc;
}
