/*
 * award_rules.c: the award-rule model of a campaign (campaign.h, AWARD
 * RULES): [awards], the general conditions, and each [award ID] rule with
 * its form, occasion, periods, nominees and conditions, validated with
 * file:line errors; and the model's accessors. award.c decides
 * eligibility from it.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

static const char *const s_form_codes[CAMPAIGN_AWARD_FORMS] = {
	[CAMPAIGN_GIAY_KHEN] = "giay_khen",
	[CAMPAIGN_BANG_KHEN_PROVINCE] = "bang_khen_province",
	[CAMPAIGN_BANG_KHEN_PM] = "bang_khen_pm",
	[CAMPAIGN_HUAN_CHUONG_LAO_DONG] = "huan_chuong_lao_dong",
};

static const char *const s_kind_codes[CAMPAIGN_NOMINEE_KINDS] = {
	[CAMPAIGN_NOMINEE_COLLECTIVE] = "collective",
	[CAMPAIGN_NOMINEE_INDIVIDUAL] = "individual",
	[CAMPAIGN_NOMINEE_HOUSEHOLD] = "household",
	[CAMPAIGN_NOMINEE_ENTERPRISE] = "enterprise",
};

/* The default disciplinary levels (khiển trách, cảnh cáo, cách chức). */
static const char *const s_default_sanctions[] = { "reprimand", "warning", "dismissal" };

/* Largest contribution threshold: a sum of amounts can reach this. */
#define S_CONTRIB_MAX (REPORT_VALUE_MAX * CAMPAIGN_SUM_PARTS_MAX)

static const cload_keyspec_t s_awards_keys[] = {
	{ "sanctions", true }, { "disqualify", false }, { "label.*", false },
	{ "source", false }, { NULL, false },
};

static const cload_keyspec_t s_award_keys[] = {
	{ "form", false }, { "occasion", false }, { "periods", true }, { "nominees", true },
	{ "achievement", false }, { "progress", false }, { "contribution", false },
	{ "contribution.*", false }, { "targets", false }, { "goals", true },
	{ "disqualify", false }, { "source", false }, { NULL, false },
};

/* The sanction level named by a disqualify key (1..n), or an error. */
static int s_disqualify_level(cload_t *b, const inifile_section_t *s, const inifile_kv_t *kv, int *ret)
{
	int l = campaign_sanction_find(b->c, kv->value);

	if (l < 1)
		return cload_fail(b, kv->line, "[%s] disqualify: '%s' is not one of the sanctions "
				  "([awards] sanctions)", s->name, kv->value);
	*ret = l;
	return 0;
}

/* [awards] (s may be NULL: the defaults). */
int cload_awards(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	cload_item_t *items = NULL;
	size_t n = 0;
	const inifile_kv_t *kv;

	if (s && *s->id)
		return cload_fail(b, s->line, "[%s]: [awards] takes no id", s->name);
	if (s && (cload_check_keys(b, s, s_awards_keys) || cload_list(b, s, "sanctions", &items, &n)))
		return b->fail.code;
	if (n == 0) {
		c->sanctions = s_default_sanctions;
		c->nsanctions = sizeof(s_default_sanctions) / sizeof(s_default_sanctions[0]);
	} else {
		const char **sv = campaign_zalloc(c, n * sizeof(*sv));

		if (!sv)
			return cload_oom(b);
		c->sanctions = sv;
		for (size_t i = 0; i < n; i++) {
			if (!lnob_valid_id(items[i].text))
				return cload_fail(b, items[i].line, "[awards] sanctions: bad code '%s'",
						  items[i].text);
			if (strcmp(items[i].text, "none") == 0)
				return cload_fail(b, items[i].line, "[awards] sanctions: 'none' is reserved "
						  "(the level below every sanction)");
			if (campaign_sanction_find(c, items[i].text) >= 0)
				return cload_fail(b, items[i].line, "[awards] sanctions: '%s' given twice",
						  items[i].text);
			sv[c->nsanctions++] = items[i].text;
		}
	}
	if (!s)
		return 0;
	if ((kv = inifile_section_get(s, "disqualify")) && s_disqualify_level(b, s, kv, &c->disqualify))
		return b->fail.code;
	for (size_t i = 0; i < s->n; i++) {
		int f;

		kv = &s->kv[i];
		if (strncmp(kv->key, "label.", 6) != 0)
			continue;
		if ((f = campaign_award_form_find(kv->key + 6)) < 0)
			return cload_fail(b, kv->line, "[awards] %s: unknown award form '%s' (giay_khen, "
					  "bang_khen_province, bang_khen_pm, huan_chuong_lao_dong)",
					  kv->key, kv->key + 6);
		if (!*kv->value)
			return cload_fail(b, kv->line, "[awards] %s: empty", kv->key);
		c->form_label[f] = kv->value;
	}
	return 0;
}

/* Skips blanks; reads ">=" or ">" into *strict; returns what follows (blanks
 * skipped), or NULL when there is no operator. */
static const char *s_parse_op(const char *p, bool *strict)
{
	while (*p && cload_blank(*p))
		p++;
	if (p[0] != '>')
		return NULL;
	*strict = p[1] != '=';
	p += *strict ? 1 : 2;
	while (*p && cload_blank(*p))
		p++;
	return p;
}

/* achievement / progress = ">= P%" or "> P%" (P: 2 decimals, 0 < P <= 1000). */
static int s_award_threshold(cload_t *b, const inifile_section_t *s, const char *key,
			     campaign_threshold_t *ret)
{
	const inifile_kv_t *kv = inifile_section_get(s, key);
	const char *p;
	int64_t v;

	if (!kv)
		return 0;
	p = s_parse_op(kv->value, &ret->strict);
	if (!p || !*p || p[strlen(p) - 1] != '%' || cload_parse_e4(p, true, &v) || v % 100 != 0 ||
	    v <= 0 || v > (int64_t)1000 * CAMPAIGN_E4)
		return cload_fail(b, kv->line, "[%s] %s: expected '>= P%%' or '> P%%' with P above 0, "
				  "at most 1000, 2 decimals at most: '%s'", s->name, key, kv->value);
	ret->set = true;
	ret->bp = v / 100;
	ret->line = kv->line;
	return 0;
}

/* contribution[.kind] = "CODE >= N" or "CODE > N". */
static int s_award_contrib(cload_t *b, const inifile_section_t *s, const inifile_kv_t *kv,
			   campaign_contrib_rule_t *ret)
{
	const campaign_indicator_t *ind;
	char code[72];
	const char *p = kv->value;
	size_t len;

	for (len = 0; p[len] && !cload_blank(p[len]) && p[len] != '>'; len++)
		;
	if (len == 0 || len >= sizeof(code))
		goto bad;
	memcpy(code, p, len);
	code[len] = '\0';
	ret->indicator = campaign_indicator_find(b->c, code);
	if (ret->indicator < 0)
		return cload_fail(b, kv->line, "[%s] %s: unknown indicator '%s'", s->name, kv->key, code);
	ind = &b->c->ind[ret->indicator];
	if (!(ind->kind == CAMPAIGN_IND_AMOUNT || (ind->kind == CAMPAIGN_IND_SUM && ind->amounts)))
		return cload_fail(b, kv->line, "[%s] %s: '%s' is not an amount (a contribution is in "
				  "dong: an amount or a sum of amounts)", s->name, kv->key, code);
	if (!(p = s_parse_op(p + len, &ret->strict)) || !lnob_parse_digits(p, S_CONTRIB_MAX, &ret->amount))
		goto bad;
	ret->line = kv->line;
	return 0;
bad:
	return cload_fail(b, kv->line, "[%s] %s: expected 'CODE >= N' or 'CODE > N' (N a whole "
			  "number of dong): '%s'", s->name, kv->key, kv->value);
}

/* The rule's form, occasion, periods and nominees. */
static int s_award_head(cload_t *b, const inifile_section_t *s, campaign_award_rule_t *r)
{
	const inifile_kv_t *kv;
	cload_item_t *items;
	size_t n;
	int f;

	if (!(kv = cload_need(b, s, "form")))
		return b->fail.code;
	if ((f = campaign_award_form_find(kv->value)) < 0)
		return cload_fail(b, kv->line, "[%s] form: expected giay_khen, bang_khen_province, "
				  "bang_khen_pm or huan_chuong_lao_dong: '%s'", s->name, kv->value);
	r->form = (campaign_award_form_t)f;
	if (!(kv = cload_need(b, s, "occasion")))
		return b->fail.code;
	if (!cload_period_kind(kv->value, "annual", &r->occasion))
		return cload_fail(b, kv->line, "[%s] occasion: expected annual, midterm or final: '%s'",
				  s->name, kv->value);
	if (cload_periods(b, s, &r->occasion, kv->value, &r->periods, &r->nperiods))
		return b->fail.code;
	if (cload_list(b, s, "nominees", &items, &n))
		return b->fail.code;
	if (n == 0)
		return cload_fail(b, s->line, "[%s] nominees: missing", s->name);
	for (size_t i = 0; i < n; i++) {
		int k = campaign_nominee_kind_find(items[i].text);

		if (k < 0)
			return cload_fail(b, items[i].line, "[%s] nominees: expected collective, individual, "
					  "household or enterprise: '%s'", s->name, items[i].text);
		if (r->nominees & (1u << k))
			return cload_fail(b, items[i].line, "[%s] nominees: '%s' given twice", s->name,
					  items[i].text);
		r->nominees |= 1u << k;
	}
	return 0;
}

/* The rule's goals: each the goal of some target (not an alternative),
 * each once. */
static int s_award_goals(cload_t *b, const inifile_section_t *s, campaign_award_rule_t *r)
{
	campaign_t *c = b->c;
	cload_item_t *items;
	const char **g;
	size_t n;

	if (cload_list(b, s, "goals", &items, &n))
		return b->fail.code;
	if (n == 0)
		return 0;
	if (!(g = campaign_zalloc(c, n * sizeof(*g))))
		return cload_oom(b);
	for (size_t i = 0; i < n; i++) {
		bool known = false;

		for (size_t t = 0; t < c->ntargets && !known; t++)
			known = !c->targets[t].alternative &&
				strcmp(c->targets[t].goal, items[i].text) == 0;
		if (!known)
			return cload_fail(b, items[i].line, "[%s] goals: no target has goal '%s'",
					  s->name, items[i].text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(g[j], items[i].text) == 0)
				return cload_fail(b, items[i].line, "[%s] goals: '%s' given twice",
						  s->name, items[i].text);
		g[i] = items[i].text;
	}
	r->goals = g;
	r->ngoals = n;
	return 0;
}

/* The rule's contribution thresholds by kind: contribution for every kind
 * of nominees, contribution.<kind> for one of them. *ret_any: some
 * threshold is given. */
static int s_award_contribs(cload_t *b, const inifile_section_t *s, campaign_award_rule_t *r,
			    bool *ret_any)
{
	campaign_contrib_rule_t all = { .indicator = -1 };
	const inifile_kv_t *kv;

	*ret_any = false;
	if ((kv = inifile_section_get(s, "contribution"))) {
		if (s_award_contrib(b, s, kv, &all))
			return b->fail.code;
		*ret_any = true;
	}
	for (int k = 0; k < CAMPAIGN_NOMINEE_KINDS; k++)
		r->contribution[k] = (r->nominees & (1u << k)) ? all :
				     (campaign_contrib_rule_t){ .indicator = -1 };
	for (size_t i = 0; i < s->n; i++) {
		int k;

		kv = &s->kv[i];
		if (strncmp(kv->key, "contribution.", 13) != 0)
			continue;
		k = campaign_nominee_kind_find(kv->key + 13);
		if (k < 0)
			return cload_fail(b, kv->line, "[%s] %s: unknown nominee kind '%s'", s->name,
					  kv->key, kv->key + 13);
		if (!(r->nominees & (1u << k)))
			return cload_fail(b, kv->line, "[%s] %s: '%s' is not in nominees", s->name,
					  kv->key, kv->key + 13);
		if (s_award_contrib(b, s, kv, &r->contribution[k]))
			return b->fail.code;
		*ret_any = true;
	}
	return 0;
}

/* The rule's conditions: achievement, progress, targets, goals, and
 * contributions by kind; at least one for every kind of nominees. */
static int s_award_conditions(cload_t *b, const inifile_section_t *s, campaign_award_rule_t *r)
{
	const inifile_kv_t *kv;
	bool on_targets, any_contrib;

	if (s_award_threshold(b, s, "achievement", &r->achievement) ||
	    s_award_threshold(b, s, "progress", &r->progress))
		return b->fail.code;
	if ((kv = inifile_section_get(s, "targets"))) {
		if (strcmp(kv->value, "all") == 0)
			r->any = false;
		else if (strcmp(kv->value, "any") == 0)
			r->any = true;
		else
			return cload_fail(b, kv->line, "[%s] targets: expected all or any: '%s'", s->name,
					  kv->value);
	}
	if (s_award_goals(b, s, r))
		return b->fail.code;
	on_targets = r->achievement.set || r->progress.set;
	if (!(kv = inifile_section_get(s, "targets")))
		kv = inifile_section_get(s, "goals");
	if (kv && !on_targets)
		return cload_fail(b, kv->line, "[%s] %s: only with achievement or progress", s->name,
				  kv->key);
	if (s_award_contribs(b, s, r, &any_contrib))
		return b->fail.code;
	if (!on_targets && !any_contrib)
		return cload_fail(b, s->line, "[%s]: no condition (achievement, progress or "
				  "contribution)", s->name);
	for (int k = 0; k < CAMPAIGN_NOMINEE_KINDS && !on_targets; k++)
		if ((r->nominees & (1u << k)) && r->contribution[k].indicator < 0)
			return cload_fail(b, s->line, "[%s]: no condition for nominees of kind '%s' (add "
					  "contribution or contribution.%s)", s->name, s_kind_codes[k],
					  s_kind_codes[k]);
	return 0;
}

int cload_award(cload_t *b, const inifile_section_t *s, size_t ri)
{
	campaign_t *c = b->c;
	campaign_award_rule_t *r = &c->rules[ri];
	const inifile_kv_t *kv;

	if (cload_object(b, s, "award rule", s_award_keys))
		return b->fail.code;
	r->id = s->id;
	r->line = s->line;
	r->source = cload_text(s, "source");
	r->disqualify = c->disqualify;
	if (s_award_head(b, s, r) || s_award_conditions(b, s, r))
		return b->fail.code;
	if ((kv = inifile_section_get(s, "disqualify")) && s_disqualify_level(b, s, kv, &r->disqualify))
		return b->fail.code;
	return 0;
}

/* ---- the model ------------------------------------------------------------ */

/* campaign_award_rule_count(), campaign_award_rule(), campaign_award_rule_find() */
CAMPAIGN_TABLE(campaign_award_rule_t, campaign_award_rule, rules, nrules)

const char *campaign_award_form_code(campaign_award_form_t form)
{
	return (unsigned)form < CAMPAIGN_AWARD_FORMS ? s_form_codes[form] : NULL;
}

int campaign_award_form_find(const char *code)
{
	for (int f = 0; code && f < CAMPAIGN_AWARD_FORMS; f++)
		if (strcmp(s_form_codes[f], code) == 0)
			return f;
	return -1;
}

const char *campaign_award_form_label(const campaign_t *self, campaign_award_form_t form)
{
	assert(self);
	if ((unsigned)form >= CAMPAIGN_AWARD_FORMS)
		return NULL;
	return self->form_label[form] ? self->form_label[form] : s_form_codes[form];
}

const char *campaign_nominee_kind_code(campaign_nominee_kind_t kind)
{
	return (unsigned)kind < CAMPAIGN_NOMINEE_KINDS ? s_kind_codes[kind] : NULL;
}

int campaign_nominee_kind_find(const char *code)
{
	for (int k = 0; code && k < CAMPAIGN_NOMINEE_KINDS; k++)
		if (strcmp(s_kind_codes[k], code) == 0)
			return k;
	return -1;
}

size_t campaign_sanction_count(const campaign_t *self)
{
	assert(self);
	return self->nsanctions;
}

const char *campaign_sanction(const campaign_t *self, int level)
{
	assert(self);
	if (level == 0)
		return "none";
	return level > 0 && (size_t)level <= self->nsanctions ? self->sanctions[level - 1] : NULL;
}

int campaign_sanction_find(const campaign_t *self, const char *code)
{
	assert(self);
	if (!code)
		return -1;
	if (strcmp(code, "none") == 0)
		return 0;
	for (size_t i = 0; i < self->nsanctions; i++)
		if (strcmp(self->sanctions[i], code) == 0)
			return (int)i + 1;
	return -1;
}
