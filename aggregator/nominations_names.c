/* nominations_names.c: the names of stages, forms, nominee kinds and
 * document kinds in lnob's views and messages (nominations_int.h). */
#include "nominations_int.h"

#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "lnob_err.h"
#include "util.h"

static const char *const s_stage_names[N_STAGES] = {
	[ST_NONE] = "proposed", [ST_RECEIVED] = "received", [ST_APPRAISED] = "appraised",
	[ST_ENDORSED] = "endorsed", [ST_RETURNED] = "returned", [ST_REJECTED] = "rejected",
	[ST_DECIDED] = "decided",
};

static const char *const s_doc_names[] = {
	"unspecified", "proposal", "council_minutes", "achievement_report",
};

const char *nominations_stage_name(int k)
{
	return k >= 0 && k < N_STAGES ? s_stage_names[k] : "unknown";
}

/* AwardForm 1..4 to its campaign code ("giay_khen" ...), else "unknown". */
const char *nominations_form_name(int f)
{
	const char *s = f >= 1 && f <= N_FORMS ? campaign_award_form_code(f - 1) : NULL;

	return s ? s : "unknown";
}

/* NomineeKind 1..4 to its campaign code ("collective" ...), else "unknown". */
const char *nominations_kind_name(int k)
{
	const char *s = k >= 1 && k <= N_KINDS ? campaign_nominee_kind_code(k - 1) : NULL;

	return s ? s : "unknown";
}

const char *nominations_doc_name(int k)
{
	return k >= 1 && k <= 3 ? s_doc_names[k] : "unknown";
}


/* True when key is "<signer>/<id>", both valid ids. */
bool nominations_key_ok(const char *key)
{
	const char *slash = strchr(key, '/');
	char signer[LNOB_ID_MAX + 1];
	size_t n;

	if (!slash || (n = (size_t)(slash - key)) == 0 || n > LNOB_ID_MAX)
		return false;
	memcpy(signer, key, n);
	signer[n] = '\0';
	return lnob_valid_id(signer) && lnob_valid_id(slash + 1);
}


/* Whether name is one of the n names name_of(first..first+n-1); when not,
 * writes "<opt><what> 'name' is not <a what> (a, b, ...)" into err. */
static int s_known(const char *name, const char *(*name_of)(int), int first, int n,
		   const char *opt, const char *what, const char *article, char *err,
		   size_t errlen)
{
	char list[256] = "", q[LNOB_QUOTE_MAX + 4];
	size_t pos = 0;

	for (int i = first; i < first + n; i++)
		if (strcmp(name, name_of(i)) == 0)
			return 0;
	for (int i = first; i < first + n && pos < sizeof(list); i++)
		pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s", i > first ? ", " : "",
					name_of(i));
	return lnob_errf(err, errlen, LNOB_E_INVALID, "%s%s '%s' is not %s %s (%s)", opt, what,
			 lnob_quote(q, name), article, what, list);
}

int nominations_query_check(const nominations_ctx_t *x, const nominations_query_t *q,
			    const char *opt, char *err, size_t errlen)
{
	char copt[32], popt[32], qq[LNOB_QUOTE_MAX + 4];
	int r;

	snprintf(copt, sizeof(copt), "%scampaign", opt);
	snprintf(popt, sizeof(popt), "%soccasion", opt);
	if ((r = campaigns_lookup(x->campaigns, q->campaign, q->occasion, copt, popt, NULL, err,
				  errlen)) < 0)
		return r;
	if (q->stage && (r = s_known(q->stage, nominations_stage_name, 0, N_STAGES, opt, "stage",
				     "a", err, errlen)) < 0)
		return r;
	if (q->form && (r = s_known(q->form, nominations_form_name, 1, N_FORMS, opt, "form",
				    "an award", err, errlen)) < 0)
		return r;
	if (q->holder && hier_find(x->hier, q->holder) < 0)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%sholder '%s' is not a unit of the "
				 "hierarchy", opt, lnob_quote(qq, q->holder));
	if (q->waiting_min_days < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "waiting_min_days: %lld is below 0",
				 (long long)q->waiting_min_days);
	return 0;
}
