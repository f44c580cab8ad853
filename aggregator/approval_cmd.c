/* approval_cmd.c: the operator's approval commands (see approval_cmd.h). */
#include "approval_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "approval.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "render.h"
#include "unitsearch.h"
#include "util.h"


static const struct {
	const char *name;
	bool write;
} s_cmds[] = {
	{ "approve", true }, { "unapprove", true }, { "approvals", false },
	{ "amendments", false }, { "accept", true }, { "reject", true },
};

bool approval_is_cmd(const char *cmd, bool *ret_write)
{
	for (size_t i = 0; i < sizeof(s_cmds) / sizeof(s_cmds[0]); i++)
		if (strcmp(cmd, s_cmds[i].name) == 0) {
			*ret_write = s_cmds[i].write;
			return true;
		}
	return false;
}

/* Checks the operator's text: by (required) and an optional text, each
 * UTF-8 (lnob_utf8_valid) of bounded length: they are stored and shown as
 * JSON. Returns 0, 2 (usage) or LNOB_E_INVALID. */
static int s_check_text(const approval_args_t *a, const char *text, const char *what,
			bool text_required, char *err, size_t errlen)
{
	if (!a->by || !a->by[0] || strlen(a->by) > APPROVAL_BY_MAX) {
		snprintf(err, errlen, "--by NAME is required (1..%d bytes)", APPROVAL_BY_MAX);
		return 2;
	}
	if ((text_required && (!text || !text[0])) || (text && strlen(text) > APPROVAL_TEXT_MAX)) {
		snprintf(err, errlen, "%s: %s1..%d bytes", what, text_required ? "required, " : "",
			 APPROVAL_TEXT_MAX);
		return 2;
	}
	if (!lnob_utf8_valid(a->by, strlen(a->by)))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--by: not valid UTF-8");
	if (text && !lnob_utf8_valid(text, strlen(text)))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not valid UTF-8", what);
	return 0;
}

/* Checks --campaign/--period (ids; both required when need) against the
 * configured campaigns (none: any id goes) and --unit. *ret_unit gets
 * the unit's index, -1 without one. */
static int s_check_scope(const hier_t *hier, const campaigns_t *camps, const approval_args_t *a,
			 bool need, int *ret_unit, char *err, size_t errlen)
{
	const char *const ids[2][2] = { { "--campaign", a->campaign }, { "--period", a->period } };
	char q[LNOB_QUOTE_MAX + 4], why[1024];
	int r;

	*ret_unit = -1;
	if (need && (!a->campaign || !a->period || !a->unit)) {
		snprintf(err, errlen, "--campaign C --period P --unit U are required");
		return 2;
	}
	for (size_t i = 0; i < 2; i++)
		if (ids[i][1] && !lnob_valid_id(ids[i][1]))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not 1..64 of "
					 "[A-Za-z0-9._-]: '%s'", ids[i][0], lnob_quote(q, ids[i][1]));
	if (a->campaign && (r = campaigns_lookup(camps, a->campaign, a->period, "--campaign",
						 "--period", NULL, err, errlen)) < 0)
		return r;
	if (a->unit && (r = unit_resolve(hier, a->unit, -1, ret_unit, why, sizeof(why))) < 0)
		return lnob_errf(err, errlen, r, "--unit: %s", why);
	return 0;
}

/* approve and unapprove, in one write transaction. */
static int s_cli_approve(store_t *st, const approval_args_t *a, bool revoke, char *msg,
			 size_t msglen, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	size_t pending = 0;
	int r = store_begin(st, true, &txn);

	if (r == 0)
		r = revoke ? approval_revoke(st, txn, a->campaign, a->period, a->unit, &pending)
			   : approval_approve(st, txn, a->campaign, a->period, a->unit, a->by, a->note,
					      lnob_now_s());
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_EXISTS && revoke)
		snprintf(err, errlen, "%s/%s for %s: %zu amendment(s) pending; accept or reject "
			 "them first", a->campaign, a->period, a->unit, pending);
	else if (r == LNOB_E_EXISTS)
		snprintf(err, errlen, "%s/%s is approved for %s already (`approvals` lists it)",
			 a->campaign, a->period, a->unit);
	else if (r == LNOB_E_NOTFOUND)
		snprintf(err, errlen, "%s/%s is not approved for %s", a->campaign, a->period, a->unit);
	else if (r < 0)
		snprintf(err, errlen, "%s", lnob_strerror(r));
	else if (revoke)
		snprintf(msg, msglen, "approval of %s/%s for %s revoked: its subtree takes revisions "
			 "at once again", a->campaign, a->period, a->unit);
	else
		snprintf(msg, msglen, "approved %s/%s for %s by %s: revisions for its subtree now "
			 "wait in the amendment queue", a->campaign, a->period, a->unit, a->by);
	return r;
}

/* accept and reject, in one write transaction. */
static int s_cli_decide(store_t *st, const hier_t *hier, const campaigns_t *camps,
			const approval_args_t *a, bool accept, char *msg, size_t msglen, char *err,
			size_t errlen)
{
	apply_out_t out_;
	MDB_txn *txn = NULL;
	char signer[LNOB_ID_MAX + 1];
	const char *said;
	uint64_t seq;
	int r;

	if (!a->amendment || amendment_key_parse(a->amendment, signer, &seq) < 0) {
		snprintf(err, errlen, "--amendment SIGNER/SEQ is required (the key `amendments` "
			 "prints)");
		return 2;
	}
	memset(&out_, 0, sizeof(out_));
	r = store_begin(st, true, &txn);
	if (r == 0)
		r = accept ? amendment_accept_on(st, hier, camps, txn, signer, seq, a->by, a->note,
						 lnob_now_s(), &out_)
			   : amendment_reject(st, txn, signer, seq, a->by, a->reason, lnob_now_s());
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	said = out_.detail[0] ? out_.detail : out_.note;
	if (r == LNOB_E_NOTFOUND) {
		snprintf(err, errlen, "no amendment %s is pending", a->amendment);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "amendment %s: %s%s%s", a->amendment, lnob_strerror(r),
			 said[0] ? ": " : "", said);
		return r;
	}
	snprintf(msg, msglen, "amendment %s %s by %s%s%s", a->amendment,
		 accept ? "accepted" : "rejected", a->by, out_.note[0] ? "\n" : "", out_.note);
	return 0;
}

int approval_act(store_t *st, const hier_t *hier, const campaigns_t *camps,
		 const approval_args_t *a, char *msg, size_t msglen, char *err, size_t errlen)
{
	bool approve = strcmp(a->cmd, "approve") == 0, revoke = strcmp(a->cmd, "unapprove") == 0;
	bool accept = strcmp(a->cmd, "accept") == 0;
	int unit, r;

	/* --unit in the period's hierarchy version (hierperiod.h) */
	hier = hierperiod_tree(hier, camps, a->campaign, a->period);
	err[0] = '\0';
	msg[0] = '\0';
	if (approve || revoke) {
		approval_args_t b = *a;

		if ((r = s_check_scope(hier, camps, a, true, &unit, err, errlen)) != 0)
			return r;
		if (approve && (r = s_check_text(a, a->note, "--note", false, err, errlen)) != 0)
			return r;
		b.unit = hier_unit(hier, unit)->code;   /* --unit may have named it */
		return s_cli_approve(st, &b, revoke, msg, msglen, err, errlen);
	}
	r = s_check_text(a, accept ? a->note : a->reason, accept ? "--note" : "--reason", !accept,
			 err, errlen);
	return r ? r : s_cli_decide(st, hier, camps, a, accept, msg, msglen, err, errlen);
}

int approval_cli(store_t *st, const hier_t *hier, const campaigns_t *camps,
		 const approval_args_t *a, FILE *out, char *err, size_t errlen)
{
	bool write = false;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	char msg[1024];
	int unit, r;

	err[0] = '\0';
	if (approval_is_cmd(a->cmd, &write) && write) {
		if ((r = approval_act(st, hier, camps, a, msg, sizeof(msg), err, errlen)) == 0)
			fprintf(out, "%s\n", msg);
		return r;
	}
	hier = hierperiod_tree(hier, camps, a->campaign, a->period);
	if ((r = s_check_scope(hier, camps, a, false, &unit, err, errlen)) != 0)
		return r;
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = strcmp(a->cmd, "approvals") == 0
			    ? approvals_view(st, txn, &view)
			    : amendments_view(st, txn, hier, a->campaign, a->period, unit, a->decided, &view);
	store_abort(&txn);
	if (r < 0) {
		snprintf(err, errlen, "%s", lnob_strerror(r));
		return r;
	}
	if (a->json)
		r = render_json(out, view, JSON_SORT_KEYS);
	else if (strcmp(a->cmd, "approvals") == 0)
		approvals_print(out, view, camps);
	else
		amendments_print(out, view, camps);
	json_decref(view);
	return r < 0 ? r : 0;
}
