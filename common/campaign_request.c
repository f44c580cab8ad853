/* campaign_request.c: ad-hoc (đột xuất) requests as periods of their
 * campaign, and the rules that depend on the period: who reports what,
 * and who is expected by when (campaign.h, "ad-hoc requests"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "campaign_request.h"
#include "lnob_err.h"

/* Refuses request id with err "ad-hoc request 'id': <fmt...>". */
static int s_fail(char *err, size_t errlen, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int s_fail(char *err, size_t errlen, const char *id, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lnob_errf(err, errlen, LNOB_E_INVALID, "ad-hoc request '%s': %s", id, msg);
}

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks the note: UTF-8, one paragraph or more, no other control bytes. */
static bool s_note_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > CAMPAIGN_REQUEST_NOTE_MAX || !lnob_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

/* The indicators: known counts or amounts, each once, into r->asked. */
static int s_indicators(const campaign_t *c, const Lnob__AdhocRequest *q, campaign_request_t *r,
			char *err, size_t errlen)
{
	if (q->n_indicators == 0 || q->n_indicators > CAMPAIGN_INDICATORS_MAX)
		return s_fail(err, errlen, q->id, "asks %zu indicators (1..%d)", q->n_indicators,
			      CAMPAIGN_INDICATORS_MAX);
	for (size_t k = 0; k < q->n_indicators; k++) {
		const char *code = q->indicators[k];
		int i = campaign_indicator_find(c, code);
		int in[CAMPAIGN_INDICATORS_MAX];
		char names[512] = "";
		size_t nin, len = 0;

		if (i < 0)
			return s_fail(err, errlen, q->id, "'%s' is not an indicator of campaign '%s'",
				      code, c->id);
		if (c->ind[i].kind == CAMPAIGN_IND_COUNT || c->ind[i].kind == CAMPAIGN_IND_AMOUNT) {
			if (r->asked[i])
				return s_fail(err, errlen, q->id, "indicator '%s' is given twice", code);
			r->asked[i] = true;
			continue;
		}
		nin = campaign_indicator_inputs(c, i, in, CAMPAIGN_INDICATORS_MAX);
		for (size_t j = 0; j < nin && len + 1 < sizeof(names); j++) {
			snprintf(names + len, sizeof(names) - len, "%s%s", j ? ", " : "",
				 c->ind[in[j]].code);
			len += strlen(names + len);
		}
		return s_fail(err, errlen, q->id, "indicator '%s' is derived (computed from %s): "
			      "ask for those", code, names);
	}
	return 0;
}

/* The units: ids, each once, in hier at a declared level, none nested. */
static int s_units(const campaign_t *c, const hier_t *hier, const Lnob__AdhocRequest *q,
		   const char **v, char *err, size_t errlen)
{
	if (q->n_units == 0 || q->n_units > CAMPAIGN_REQUEST_UNITS_MAX)
		return s_fail(err, errlen, q->id, "asks %zu units (1..%d)", q->n_units,
			      CAMPAIGN_REQUEST_UNITS_MAX);
	for (size_t k = 0; k < q->n_units; k++) {
		if (!lnob_valid_id(q->units[k]))
			return s_fail(err, errlen, q->id, "'%s' is not a unit code",
				      q->units[k]);
		v[k] = q->units[k];
	}
	qsort(v, q->n_units, sizeof(*v), s_cmp_str);
	for (size_t k = 1; k < q->n_units; k++)
		if (strcmp(v[k - 1], v[k]) == 0)
			return s_fail(err, errlen, q->id, "unit '%s' is given twice", v[k]);
	for (size_t k = 0; hier && k < q->n_units; k++) {
		int u = hier_find(hier, v[k]);

		if (u < 0)
			return s_fail(err, errlen, q->id, "unit '%s' is not in the hierarchy", v[k]);
		if (campaign_level_index(c, hier_unit(hier, u)->level) < 0)
			return s_fail(err, errlen, q->id, "unit '%s' is %s, not a level of campaign "
				      "'%s'", v[k], hier_unit(hier, u)->level, c->id);
		for (int a = hier_unit(hier, u)->parent; a >= 0; a = hier_unit(hier, a)->parent) {
			const char *anc = hier_unit(hier, a)->code;

			if (bsearch(&anc, v, q->n_units, sizeof(*v), s_cmp_str))
				return s_fail(err, errlen, q->id, "units '%s' and '%s' are both asked, "
					      "and %s is within %s: its figures would count twice",
					      anc, v[k], v[k], anc);
		}
	}
	return 0;
}

/* Checks what the period itself needs: the id, the due date, the note. */
static int s_head(const campaign_t *c, const Lnob__AdhocRequest *q, int32_t *ret_due,
		  char *err, size_t errlen)
{
	int y, m, d;

	if (!q->campaign || strcmp(q->campaign, c->id) != 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "ad-hoc request '%s': not of "
				 "campaign '%s'", q->id ? q->id : "", c->id);
	if (!lnob_valid_id(q->id))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "ad-hoc request: '%s' is not an id "
				 "(1..64 of A-Z a-z 0-9 . _ -)", q->id ? q->id : "");
	if (campaign_period_find(c, q->id))
		return s_fail(err, errlen, q->id, "campaign '%s' already has a period or a request "
			      "of that id", c->id);
	if (c->nadhoc >= CAMPAIGN_REQUESTS_MAX)
		return s_fail(err, errlen, q->id, "campaign '%s' already has %d requests", c->id,
			      CAMPAIGN_REQUESTS_MAX);
	if (!q->due || !calendar_parse_date(q->due, 2000, 2100, &y, &m, &d))
		return s_fail(err, errlen, q->id, "due: expected a date YYYY-MM-DD: '%s'",
			      q->due ? q->due : "");
	*ret_due = (int32_t)calendar_days(y, m, d);
	if (*ret_due < c->start_day)
		return s_fail(err, errlen, q->id, "due %s is before the campaign's start", q->due);
	if (q->note && !s_note_ok(q->note))
		return s_fail(err, errlen, q->id, "note: at most %d bytes of UTF-8 text without "
			      "control characters", CAMPAIGN_REQUEST_NOTE_MAX);
	if (!lnob_time_valid(q->created_at))
		return s_fail(err, errlen, q->id, "created_at %lld is outside " LNOB_TIME_RANGE,
			      (long long)q->created_at);
	return 0;
}

/* Room for one more request. Returns 0 or -ENOMEM. */
static int s_grow(campaign_t *c)
{
	campaign_period_t **v;
	size_t cap;

	if (c->nadhoc < c->capadhoc)
		return 0;
	cap = c->capadhoc ? c->capadhoc * 2 : 8;
	if (!(v = realloc(c->adhoc, cap * sizeof(campaign_period_t *))))
		return -ENOMEM;
	c->adhoc = v;
	c->capadhoc = cap;
	return 0;
}

/* The period of r, its strings copies owned by c. NULL when out of memory. */
static campaign_period_t *s_period(campaign_t *c, const Lnob__AdhocRequest *q,
				   campaign_request_t *r, const char **units)
{
	campaign_period_t *p = campaign_zalloc(c, sizeof(*p));
	campaign_request_t *rr = campaign_zalloc(c, sizeof(*rr));
	char **u = campaign_zalloc(c, q->n_units * sizeof(*u));
	int64_t local = q->created_at + c->utc_offset;
	int32_t start = (int32_t)(local >= 0 ? local / 86400 : (local - 86399) / 86400);

	if (!p || !rr || !u)
		return NULL;
	*rr = *r;
	for (size_t k = 0; k < q->n_units; k++)
		if (!(u[k] = campaign_strdup(c, units[k])))
			return NULL;
	rr->units = (const char *const *)u;
	rr->nunits = q->n_units;
	if (!(rr->due = campaign_strdup(c, q->due)) ||
	    !(rr->note = campaign_strdup(c, q->note ? q->note : "")) ||
	    !(p->id = campaign_strdup(c, q->id)))
		return NULL;
	*p = (campaign_period_t){ .id = p->id, .kind = CAMPAIGN_PERIOD_ADHOC, .request = rr,
				  .start_day = start < rr->due_day ? start : rr->due_day,
				  .end_day = rr->due_day, .years = 1, .previous = -1 };
	calendar_civil(p->start_day, &p->start_year, NULL, NULL);
	calendar_civil(p->end_day, &p->end_year, NULL, NULL);
	return p;
}

int campaign_request_add(campaign_t *self, const hier_t *hier, const Lnob__AdhocRequest *req,
			 char *err, size_t errlen)
{
	campaign_request_t r = { 0 };
	const char **units;
	campaign_period_t *p = NULL;
	int rc;

	if (!self || !req)
		return -EINVAL;
	if ((rc = s_head(self, req, &r.due_day, err, errlen)) < 0 ||
	    (rc = s_indicators(self, req, &r, err, errlen)) < 0)
		return rc;
	if (!(units = calloc(req->n_units ? req->n_units : 1, sizeof(*units))))
		return -ENOMEM;
	if ((rc = s_units(self, hier, req, units, err, errlen)) == 0) {
		r.created_at = req->created_at;
		rc = s_grow(self);
	}
	if (rc == 0 && !(p = s_period(self, req, &r, units)))
		rc = -ENOMEM;
	free(units);
	if (rc == -ENOMEM)
		return lnob_errf(err, errlen, -ENOMEM, "ad-hoc request '%s': out of memory", req->id);
	if (rc < 0)
		return rc;
	self->adhoc[self->nadhoc++] = p;
	return 0;
}

size_t campaign_request_count(const campaign_t *self)
{
	assert(self);
	return self->nadhoc;
}

void campaign_request_drop_last(campaign_t *self)
{
	assert(self);
	if (self->nadhoc > 0)
		self->nadhoc--;
}

bool campaign_request_asks(const campaign_period_t *p, const char *code)
{
	if (!p || !p->request || !code)
		return false;
	return bsearch(&code, p->request->units, p->request->nunits, sizeof(*p->request->units),
		       s_cmp_str) != NULL;
}

bool campaign_reports(const campaign_t *self, const campaign_period_t *p, int i,
		      const char *code, const char *level)
{
	if (!p || !p->request)
		return campaign_level_reports(self, i, level);
	if (!self || i < 0 || (size_t)i >= self->nind)
		return false;
	return p->request->asked[i] && campaign_request_asks(p, code);
}

/* Writes the first asked units or indicators, ", "-separated, into out. */
static void s_asked_text(const campaign_t *c, const campaign_request_t *r, bool units,
			 char *out, size_t len)
{
	size_t n = 0, shown = 0, total = units ? r->nunits : c->nind;

	out[0] = '\0';
	for (size_t k = 0; k < total && n + 16 < len; k++) {
		const char *s = units ? r->units[k] : c->ind[k].code;

		if (!units && !r->asked[k])
			continue;
		if (shown == 8) {
			snprintf(out + n, len - n, ", …");
			return;
		}
		snprintf(out + n, len - n, "%s%s", shown ? ", " : "", s);
		n += strlen(out + n);
		shown++;
	}
}

int campaign_check_reporter(const campaign_t *self, const Lnob__Report *rep, const char *level,
			    char *detail, size_t len)
{
	const campaign_period_t *p;
	char asked[512];

	if (!self || !rep || !level || !(p = campaign_period_find(self, rep->period)))
		return -EINVAL;
	if (!p->request)
		return campaign_check_levels(self, rep, level, detail, len);
	if (!campaign_request_asks(p, rep->unit)) {
		s_asked_text(self, p->request, true, asked, sizeof(asked));
		return lnob_errf(detail, len, LNOB_E_NOT_REQUESTED, "unit '%s' is not asked by "
				 "ad-hoc request '%s' (it asks: %s)", rep->unit, p->id, asked);
	}
	for (size_t v = 0; v < rep->n_values; v++) {
		int i = campaign_indicator_find(self, rep->values[v]->code);

		if (i >= 0 && p->request->asked[i])
			continue;
		s_asked_text(self, p->request, false, asked, sizeof(asked));
		return lnob_errf(detail, len, LNOB_E_NOT_REQUESTED, "indicator '%s' is not asked "
				 "by ad-hoc request '%s' (it asks: %s)", rep->values[v]->code,
				 p->id, asked);
	}
	return 0;
}

int campaign_due_for(const campaign_t *self, const campaign_period_t *p, const char *code,
		     const char *level, int64_t *ret_late_from)
{
	assert(self && p);
	if (p->request && !campaign_request_asks(p, code))
		return LNOB_E_NOTFOUND;
	return campaign_deadline_for(self, level, p, ret_late_from);
}
