/*
 * households.c: the household register's vocabulary (classifications,
 * deprivation indicators), its lists, the stored record of a household,
 * and reading a file by its kind (see households.h).
 */
#include "households.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lnob_err.h"
#include "util.h"

#define S_RECORD_FORMAT 1

/* The accepted spellings of each classification: the code first. */
static const char *const s_class_names[HOUSEHOLDS_CLASS_COUNT][3] = {
	[HOUSEHOLDS_POOR] = { "poor", "nghèo", NULL },
	[HOUSEHOLDS_NEAR_POOR] = { "near-poor", "cận nghèo", NULL },
	[HOUSEHOLDS_ESCAPED] = { "escaped", "thoát nghèo", NULL },
	[HOUSEHOLDS_NEWLY_POOR] = { "newly-poor", "phát sinh", "nghèo phát sinh" },
	[HOUSEHOLDS_RE_POOR] = { "re-poor", "tái nghèo", NULL },
};

static const char *const s_depriv[HOUSEHOLDS_DEPRIV_COUNT] = {
	"employment", "dependants", "nutrition", "health_insurance", "adult_education",
	"school_attendance", "housing_quality", "floor_area", "drinking_water", "sanitation",
	"telecom", "information",
};

const char *households_class_code(households_class_t c)
{
	return (unsigned)c < HOUSEHOLDS_CLASS_COUNT ? s_class_names[c][0] : NULL;
}

int households_class_parse(const char *s)
{
	for (int c = 0; c < HOUSEHOLDS_CLASS_COUNT; c++)
		for (int k = 0; k < 3 && s_class_names[c][k]; k++)
			if (strcasecmp(s, s_class_names[c][k]) == 0)
				return c;
	return -1;
}

bool households_class_is_poor(households_class_t c)
{
	return c == HOUSEHOLDS_POOR || c == HOUSEHOLDS_NEWLY_POOR || c == HOUSEHOLDS_RE_POOR;
}

const char *households_depriv_code(int i)
{
	return i >= 0 && i < HOUSEHOLDS_DEPRIV_COUNT ? s_depriv[i] : NULL;
}

int households_push(households_t *list, household_t *h)
{
	if (list->n >= HOUSEHOLDS_MAX)
		return LNOB_E_TOOBIG;
	if (lnob_grow(&list->v, list->n + 1, &list->cap, sizeof(*list->v), 256) < 0)
		return -ENOMEM;
	h->ord = list->n;
	list->v[list->n++] = *h;
	h->where = NULL;
	return 0;
}

static int s_by_id(const void *a, const void *b)
{
	const household_t *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	/* Equal ids keep their file order, so "also at" names the first. */
	if (c == 0)
		return x->ord < y->ord ? -1 : x->ord > y->ord;
	return c;
}

int households_finish(households_t *list, const char *name, char *err, size_t errlen)
{
	if (list->n == 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: no households", name);
	qsort(list->v, list->n, sizeof(*list->v), s_by_id);
	for (size_t i = 1; i < list->n; i++)
		if (strcmp(list->v[i - 1].id, list->v[i].id) == 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: household '%s' is listed "
					 "twice (also at %s)", list->v[i].where ? list->v[i].where : name,
					 list->v[i].id, list->v[i - 1].where ? list->v[i - 1].where : name);
	return 0;
}

const household_t *households_find(const households_t *list, const char *id)
{
	size_t lo = 0, hi = list->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(list->v[mid].id, id);

		if (c == 0)
			return &list->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void households_clear(households_t *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].where);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

size_t households_encode(const household_t *h, uint8_t out[HOUSEHOLDS_RECORD_MAX])
{
	size_t vl = strlen(h->village);

	out[0] = S_RECORD_FORMAT;
	out[1] = (uint8_t)h->cls;
	out[2] = h->em ? 1 : 0;
	out[3] = (uint8_t)(h->depriv >> 8);
	out[4] = (uint8_t)(h->depriv & 0xff);
	memcpy(out + 5, h->village, vl);
	return 5 + vl;
}

int households_decode(const void *id, size_t idlen, const void *v, size_t vlen,
		      household_t *ret)
{
	const uint8_t *b = v;

	memset(ret, 0, sizeof(*ret));
	if (idlen == 0 || idlen > LNOB_ID_MAX || vlen < 6 || vlen > HOUSEHOLDS_RECORD_MAX ||
	    b[0] != S_RECORD_FORMAT || b[1] >= HOUSEHOLDS_CLASS_COUNT || b[2] > 1 ||
	    (b[3] >> 4) != 0)
		return LNOB_E_CORRUPT;
	memcpy(ret->id, id, idlen);
	memcpy(ret->village, b + 5, vlen - 5);
	if (!lnob_valid_id(ret->id) || !lnob_valid_id(ret->village))
		return LNOB_E_CORRUPT;
	ret->cls = (households_class_t)b[1];
	ret->em = b[2] == 1;
	ret->depriv = (uint16_t)((b[3] << 8) | b[4]);
	return 0;
}

/* True when path ends in ext (case-insensitive). */
static bool s_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && strcasecmp(path + n - e, ext) == 0;
}

int households_parse_file(const char *path, const households_area_t *area, households_t *ret,
			  char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = lnob_read_file(path, HOUSEHOLDS_FILE_MAX, &text, &len);

	if (rc == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, rc, "%s: larger than %zu MiB", path,
				 HOUSEHOLDS_FILE_MAX >> 20);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: %s", path, lnob_strerror(rc));
	if (s_has_ext(path, ".xlsx") || (len >= 4 && memcmp(text, "PK\3\4", 4) == 0))
		rc = households_parse_xlsx(path, text, len, area, ret, err, errlen);
	else
		rc = households_parse_csv(path, text, len, area, ret, err, errlen);
	free(text);
	return rc;
}
