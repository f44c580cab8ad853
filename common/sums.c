/* sums.c: rollup sums with per-indicator carrier counts (see sums.h). */
#include "sums.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"

long sums_find(const sums_t *s, const char *code)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid]->code, code);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

void sums_clear(sums_t *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i]->code);
		free(s->v[i]);
	}
	free(s->v);
	free(s->units);
	memset(s, 0, sizeof(*s));
}

static int s_grow(sums_t *s)
{
	size_t cap = s->cap ? s->cap * 2 : 16;
	Lnob__IndicatorValue **nv;
	uint32_t *nu;

	if (s->n < s->cap)
		return 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	if (!(nv = realloc(s->v, cap * sizeof(*nv))))
		return -ENOMEM;
	s->v = nv;
	if (!(nu = realloc(s->units, cap * sizeof(*nu))))
		return -ENOMEM;
	s->units = nu;
	s->cap = cap;
	return 0;
}

/* Inserts a zero entry for code (its kind taken from the code) at pos. */
static int s_insert(sums_t *s, size_t pos, const char *code)
{
	Lnob__IndicatorValue *e;
	int r = s_grow(s);

	if (r < 0)
		return r;
	if (!(e = malloc(sizeof(*e))))
		return -ENOMEM;
	lnob__indicator_value__init(e);
	if (!(e->code = strdup(code))) {
		free(e);
		return -ENOMEM;
	}
	e->value_case = report_code_is_amount(code) ? LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND
						    : LNOB__INDICATOR_VALUE__VALUE_COUNT;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
	memmove(s->units + pos + 1, s->units + pos, (s->n - pos) * sizeof(*s->units));
	s->v[pos] = e;
	s->units[pos] = 0;
	s->n++;
	return 0;
}

static void s_remove(sums_t *s, size_t pos)
{
	free(s->v[pos]->code);
	free(s->v[pos]);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	memmove(s->v + pos, s->v + pos + 1, (s->n - pos - 1) * sizeof(*s->v));
	memmove(s->units + pos, s->units + pos + 1, (s->n - pos - 1) * sizeof(*s->units));
	s->n--;
}

/* The value field of entry e. */
static int64_t *s_slot(Lnob__IndicatorValue *e)
{
	return e->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND ? &e->amount_vnd : &e->count;
}

/* True when v is a well-formed stored sum: the field its code calls for,
 * in 0..SUMS_MAX. */
static bool s_good(const Lnob__IndicatorValue *v)
{
	bool amount = report_code_is_amount(v->code);
	int64_t x = report_value_of(v);

	if (amount != (v->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND) ||
	    (!amount && v->value_case != LNOB__INDICATOR_VALUE__VALUE_COUNT))
		return false;
	return x >= 0 && x <= SUMS_MAX;
}

int sums_load(sums_t *s, Lnob__IndicatorValue *const *v, size_t n, const uint32_t *units,
	      size_t nu)
{
	int r = 0;

	sums_clear(s);
	if (nu != n)
		return LNOB_E_CORRUPT;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!v[i]->code || !s_good(v[i]) || units[i] == 0 ||
		    (i > 0 && strcmp(v[i - 1]->code, v[i]->code) >= 0)) {
			r = LNOB_E_CORRUPT;
			break;
		}
		if ((r = s_insert(s, s->n, v[i]->code)) == 0) {
			*s_slot(s->v[s->n - 1]) = report_value_of(v[i]);
			s->units[s->n - 1] = units[i];
		}
	}
	if (r < 0)
		sums_clear(s);
	return r;
}

/* Takes value v out of s. */
static int s_take(sums_t *s, const Lnob__IndicatorValue *v)
{
	long at = sums_find(s, v->code);
	int64_t x = report_value_of(v), *slot;

	if (at < 0 || s->units[at] == 0)
		return LNOB_E_CORRUPT;
	slot = s_slot(s->v[at]);
	if (x < 0 || *slot < x)
		return LNOB_E_CORRUPT;
	*slot -= x;
	if (--s->units[at] == 0) {
		if (*slot != 0)
			return LNOB_E_CORRUPT;
		s_remove(s, (size_t)at);
	}
	return 0;
}

/* Adds value v to s. */
static int s_put(sums_t *s, const Lnob__IndicatorValue *v)
{
	long at = sums_find(s, v->code);
	int64_t x = report_value_of(v), *slot;
	int r;

	if (x < 0 || x > SUMS_MAX)
		return LNOB_E_OVERFLOW;
	if (at < 0) {
		if ((r = s_insert(s, (size_t)(-at - 1), v->code)) < 0)
			return r;
		at = -at - 1;
	}
	slot = s_slot(s->v[at]);
	if (*slot > SUMS_MAX - x || s->units[at] == UINT32_MAX)
		return LNOB_E_OVERFLOW;
	*slot += x;
	s->units[at]++;
	return 0;
}

int sums_replace(sums_t *s, Lnob__IndicatorValue *const *oldv, size_t oldn,
		 Lnob__IndicatorValue *const *newv, size_t newn, const char **ret_code)
{
	int r;

	for (size_t i = 0; i < oldn; i++)
		if ((r = s_take(s, oldv[i])) < 0) {
			if (ret_code)
				*ret_code = oldv[i]->code;
			return r;
		}
	for (size_t i = 0; i < newn; i++)
		if ((r = s_put(s, newv[i])) < 0) {
			if (ret_code)
				*ret_code = newv[i]->code;
			return r;
		}
	return 0;
}
