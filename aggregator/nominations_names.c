/* nominations_names.c: the names of stages, forms, nominee kinds and
 * document kinds in lnob's views and messages (nominations_int.h). */
#include "nominations_int.h"

#include <string.h>

#include "campaign.h"
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

