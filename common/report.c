/* report.c: Report validation and the digest of a report's meaning (see
 * report.h). */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "calendar.h"
#include "codec.h"
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

/* qsort order of value pointers by code. */
static int s_cmp_code(const void *a, const void *b)
{
	const Lnob__IndicatorValue *x = *(Lnob__IndicatorValue *const *)a;
	const Lnob__IndicatorValue *y = *(Lnob__IndicatorValue *const *)b;

	return strcmp(x->code, y->code);
}

int report_content_digest(const Lnob__Report *r, uint8_t ret[32])
{
	Lnob__Report c = LNOB__REPORT__INIT;
	Lnob__IndicatorValue *vals = calloc(r->n_values ? r->n_values : 1, sizeof(*vals));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	Lnob__IndicatorValue **vp = calloc(r->n_values ? r->n_values : 1, sizeof(*vp));
	uint8_t *buf = NULL;
	size_t len;
	int rc = -ENOMEM;

	if (!vals || !vp)
		goto out;
	for (size_t i = 0; i < r->n_values; i++) {
		lnob__indicator_value__init(&vals[i]);
		vals[i].code = r->values[i]->code;
		vals[i].value_case = r->values[i]->value_case;
		if (vals[i].value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND)
			vals[i].amount_vnd = r->values[i]->amount_vnd;
		else
			vals[i].count = r->values[i]->count;
		vp[i] = &vals[i];
	}
	qsort(vp, r->n_values, sizeof(*vp), s_cmp_code); /* NOLINT(bugprone-sizeof-expression) */
	c.campaign = r->campaign;
	c.period = r->period;
	c.unit = r->unit;
	c.values = vp;
	c.n_values = r->n_values;
	c.narrative = r->narrative;
	c.revision = r->revision;
	c.base_revision = r->base_revision;
	c.completed_at = r->completed_at;
	if ((rc = codec_pack(&c.base, &buf, &len)) == 0)
		crypto_hash_sha256(ret, buf, len);
out:
	free(buf);
	free(vals);
	free(vp);
	return rc;
}
