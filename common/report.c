/* report.c: Report validation and indicator sums (see report.h). */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

bool report_code_is_amount(const char *code)
{
	size_t n = strlen(code);

	return n > 4 && strcmp(code + n - 4, "_vnd") == 0;
}

int64_t report_value_of(const Lnob__IndicatorValue *v)
{
	return v->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND ? v->amount_vnd : v->count;
}

int report_validate(const Lnob__Report *r, char *detail, size_t detail_len)
{
	char q[LNOB_QUOTE_MAX + 4];

	if (!lnob_valid_id(r->campaign))
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "campaign: missing or not 1..64 of [A-Za-z0-9._-]: '%s'", lnob_quote(q, r->campaign));
	if (!lnob_valid_id(r->period))
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "period: missing or not 1..64 of [A-Za-z0-9._-]: '%s'", lnob_quote(q, r->period));
	if (!lnob_valid_id(r->unit))
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "unit: missing or not 1..64 of [A-Za-z0-9._-]: '%s'", lnob_quote(q, r->unit));
	if (r->revision < 1)
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "revision: must be 1 or more");
	if (r->base_revision >= r->revision)
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "base_revision: must be less than revision");
	if (r->n_values < 1 || r->n_values > REPORT_VALUES_MAX)
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "values: a report holds 1 to %d indicators", REPORT_VALUES_MAX);
	if (!lnob_time_valid(r->completed_at))
		return lnob_errf(detail, detail_len, LNOB_E_INVALID, "completed_at: %lld is not a "
			      "time in " LNOB_TIME_RANGE, (long long)r->completed_at);
	if (r->narrative) {
		size_t n = strlen(r->narrative);

		if (n > REPORT_NARRATIVE_MAX)
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "narrative: longer "
				      "than 64 KiB");
		if (!lnob_utf8_valid(r->narrative, n))
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "narrative: not valid "
				      "UTF-8");
	}
	for (size_t i = 0; i < r->n_values; i++) {
		const Lnob__IndicatorValue *v = r->values[i];
		bool amount;
		int64_t x;

		if (!lnob_valid_id(v->code))
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "indicator code not 1..64 of [A-Za-z0-9._-]: '%s'", lnob_quote(q, v->code));
		amount = report_code_is_amount(v->code);
		if (v->value_case == LNOB__INDICATOR_VALUE__VALUE__NOT_SET)
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "%s: no value", v->code);
		if (amount != (v->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND))
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "%s: %s", v->code, amount
				      ? "an amount (code ends in _vnd) given as a count"
				      : "a count given as an amount");
		x = report_value_of(v);
		if (x < 0)
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "%s: negative value %lld: counts and amounts "
				      "are 0 or more", v->code, (long long)x);
		if (x > REPORT_VALUE_MAX)
			return lnob_errf(detail, detail_len, LNOB_E_INVALID, "%s: value out of range 0..10^15", v->code);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->values[j]->code, v->code) == 0)
				return lnob_errf(detail, detail_len, LNOB_E_INVALID, "%s: indicator given twice", v->code);
	}
	return 0;
}

/* Index of code in s, or the negated insertion point minus one. */
static long s_find(const report_sums_t *s, const char *code)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
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

int report_sums_add(report_sums_t *s, Lnob__IndicatorValue *const *vals, size_t n, int sign)
{
	for (size_t i = 0; i < n; i++) {
		long at = s_find(s, vals[i]->code);
		Lnob__IndicatorValue *e;

		if (at < 0) {
			size_t pos = (size_t)(-at - 1);
			if (s->n == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 16;
				Lnob__IndicatorValue **nv = realloc(s->v, cap * sizeof(*nv));
				if (!nv)
					return -ENOMEM;
				s->v = nv;
				s->cap = cap;
			}
			e = malloc(sizeof(*e));
			if (!e)
				return -ENOMEM;
			lnob__indicator_value__init(e);
			e->code = strdup(vals[i]->code);
			if (!e->code) {
				free(e);
				return -ENOMEM;
			}
			e->value_case = vals[i]->value_case;
			memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
			s->v[pos] = e;
			s->n++;
		} else {
			e = s->v[at];
		}
		if (e->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND)
			e->amount_vnd += sign * report_value_of(vals[i]);
		else
			e->count += sign * report_value_of(vals[i]);
	}
	return 0;
}

bool report_sums_equal(const report_sums_t *a, Lnob__IndicatorValue *const *b, size_t bn)
{
	size_t nz = 0;

	for (size_t i = 0; i < a->n; i++)
		if (report_value_of(a->v[i]) != 0)
			nz++;
	for (size_t i = 0; i < bn; i++) {
		long at;
		if (report_value_of(b[i]) == 0)
			continue;
		at = s_find(a, b[i]->code);
		if (at < 0 || report_value_of(a->v[at]) != report_value_of(b[i]))
			return false;
		nz--;
	}
	return nz == 0;
}

void report_sums_clear(report_sums_t *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i]->code);
		free(s->v[i]);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
