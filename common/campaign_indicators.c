/*
 * campaign_indicators.c: the indicators of a campaign file (campaign.h):
 * [indicators] (counts, amounts, sums and rates, their parts resolved once
 * every code is known), [labels] and the reporting levels ([campaign]
 * reported_by, [reported_by]).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "report.h"

/* Part names of sums and rates, by indicator, until resolved. */
typedef struct s_ind_raw {
	const char *part[CAMPAIGN_SUM_PARTS_MAX];
	size_t nparts;
	const char *num, *den;
} s_ind_raw_t;

static bool s_ends_vnd(const char *code)
{
	return report_code_is_amount(code);
}

/* Splits value after its first word at sep into trimmed parts (owned). */
static int s_split_parts(cload_t *b, const inifile_kv_t *kv, const char *rest, char sep,
			 const char **parts, size_t max, size_t *ret_n)
{
	size_t n = 0;

	for (;;) {
		const char *q = strchr(rest, sep);
		size_t len = q ? (size_t)(q - rest) : strlen(rest);
		char *part = campaign_own(b->c, cload_trimdup(rest, len));

		if (!part)
			return cload_oom(b);
		if (n == max)
			return cload_fail(b, kv->line, "[indicators] %s: more than %zu parts", kv->key, max);
		parts[n++] = part;
		if (!q)
			break;
		rest = q + 1;
	}
	*ret_n = n;
	return 0;
}

/* Defines indicator ind from kv, "count", "amount", "sum a + b ..." or
 * "rate a / b"; the names of the parts go to raw. */
static int s_ind_define(cload_t *b, const inifile_kv_t *kv, campaign_indicator_t *ind,
			s_ind_raw_t *raw)
{
	const char *v = kv->value, *rest;
	size_t wlen;

	for (wlen = 0; v[wlen] && !cload_blank(v[wlen]); wlen++)
		;
	rest = v + wlen;
	while (*rest && cload_blank(*rest))
		rest++;
	if (wlen == 5 && strncmp(v, "count", 5) == 0 && !*rest) {
		ind->kind = CAMPAIGN_IND_COUNT;
		if (s_ends_vnd(kv->key))
			return cload_fail(b, kv->line, "[indicators] %s: a code ending in _vnd is an "
					  "amount, not a count", kv->key);
	} else if (wlen == 6 && strncmp(v, "amount", 6) == 0 && !*rest) {
		ind->kind = CAMPAIGN_IND_AMOUNT;
		if (!s_ends_vnd(kv->key))
			return cload_fail(b, kv->line, "[indicators] %s: an amount's code must end in "
					  "_vnd", kv->key);
	} else if (wlen == 3 && strncmp(v, "sum", 3) == 0 && *rest) {
		ind->kind = CAMPAIGN_IND_SUM;
		if (s_split_parts(b, kv, rest, '+', raw->part, CAMPAIGN_SUM_PARTS_MAX, &raw->nparts))
			return b->fail.code;
		if (raw->nparts < 2)
			return cload_fail(b, kv->line, "[indicators] %s: a sum needs 2 or more parts "
					  "(sum a + b)", kv->key);
	} else if (wlen == 4 && strncmp(v, "rate", 4) == 0 && *rest) {
		const char *p[2];
		size_t np = 0;

		ind->kind = CAMPAIGN_IND_RATE;
		if (strchr(rest, '/') == strrchr(rest, '/') && strchr(rest, '/') &&
		    s_split_parts(b, kv, rest, '/', p, 2, &np))
			return b->fail.code;
		if (np != 2)
			return cload_fail(b, kv->line, "[indicators] %s: a rate is 'rate numerator / "
					  "denominator'", kv->key);
		raw->num = p[0];
		raw->den = p[1];
		if (s_ends_vnd(kv->key))
			return cload_fail(b, kv->line, "[indicators] %s: a rate's code must not end in "
					  "_vnd", kv->key);
	} else {
		return cload_fail(b, kv->line, "[indicators] %s: expected count, amount, sum a + b "
				  "..., or rate a / b: '%s'", kv->key, v);
	}
	return 0;
}

/* Resolves the parts of sum ind: counts or amounts of the campaign, not
 * both, each once; a sum of amounts ends in _vnd and no other does. */
static int s_resolve_sum(cload_t *b, campaign_indicator_t *ind, const s_ind_raw_t *r)
{
	const campaign_t *c = b->c;

	for (size_t k = 0; k < r->nparts; k++) {
		int j = campaign_indicator_find(c, r->part[k]);
		const campaign_indicator_t *pj;

		if (j < 0)
			return cload_fail(b, ind->line, "[indicators] %s: unknown indicator '%s'",
					  ind->code, r->part[k]);
		pj = &c->ind[j];
		if (pj->kind != CAMPAIGN_IND_COUNT && pj->kind != CAMPAIGN_IND_AMOUNT)
			return cload_fail(b, ind->line, "[indicators] %s: '%s' is derived; a sum adds "
					  "counts or amounts", ind->code, pj->code);
		if (k > 0 && (pj->kind == CAMPAIGN_IND_AMOUNT) != ind->amounts)
			return cload_fail(b, ind->line, "[indicators] %s: a sum adds counts or amounts, "
					  "not both", ind->code);
		ind->amounts = pj->kind == CAMPAIGN_IND_AMOUNT;
		for (size_t q = 0; q < k; q++)
			if (ind->parts[q] == j)
				return cload_fail(b, ind->line, "[indicators] %s: '%s' given twice",
						  ind->code, pj->code);
		ind->parts[ind->nparts++] = j;
	}
	if (ind->amounts != s_ends_vnd(ind->code))
		return cload_fail(b, ind->line, ind->amounts ?
				  "[indicators] %s: a sum of amounts must end in _vnd" :
				  "[indicators] %s: a sum of counts must not end in _vnd", ind->code);
	return 0;
}

/* Resolves the numerator and denominator of rate ind: counts, or sums of
 * counts. */
static int s_resolve_rate(cload_t *b, campaign_indicator_t *ind, const s_ind_raw_t *r)
{
	static const char *const role[2] = { "numerator", "denominator" };
	const campaign_t *c = b->c;
	const char *names[2] = { r->num, r->den };
	int *slots[2] = { &ind->num, &ind->den };

	for (int k = 0; k < 2; k++) {
		int j = campaign_indicator_find(c, names[k]);
		const campaign_indicator_t *pj;

		if (j < 0)
			return cload_fail(b, ind->line, "[indicators] %s: unknown indicator '%s'",
					  ind->code, names[k]);
		pj = &c->ind[j];
		if (!(pj->kind == CAMPAIGN_IND_COUNT || (pj->kind == CAMPAIGN_IND_SUM && !pj->amounts)))
			return cload_fail(b, ind->line, "[indicators] %s: %s '%s' is %s, not a count",
					  ind->code, role[k], pj->code,
					  pj->kind == CAMPAIGN_IND_AMOUNT ? "an amount" :
					  pj->kind == CAMPAIGN_IND_RATE ? "a rate" : "a sum of amounts");
		*slots[k] = j;
	}
	return 0;
}

int cload_indicators(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	s_ind_raw_t raw[CAMPAIGN_INDICATORS_MAX] = { 0 };

	if (*s->id)
		return cload_fail(b, s->line, "[%s]: [indicators] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		campaign_indicator_t *ind;

		if (!lnob_valid_id(kv->key))
			return cload_fail(b, kv->line, "[indicators] %s: bad indicator code (1..64 of "
					  "A-Za-z0-9._-)", kv->key);
		if (cload_key_once(b, s, i))
			return b->fail.code;
		if (c->nind == CAMPAIGN_INDICATORS_MAX)
			return cload_fail(b, kv->line, "[indicators] %s: more than %d indicators",
					  kv->key, CAMPAIGN_INDICATORS_MAX);
		ind = &c->ind[c->nind];
		*ind = (campaign_indicator_t){ .line = kv->line, .num = -1, .den = -1 };
		if (!(ind->code = campaign_strdup(c, kv->key)))
			return cload_oom(b);
		ind->label = ind->code;
		if (s_ind_define(b, kv, ind, &raw[c->nind]))
			return b->fail.code;
		c->nind++;
	}
	if (c->nind == 0)
		return cload_fail(b, s->line, "[indicators]: no indicator");
	/* Resolve the parts of sums and rates, now that every code is known. */
	for (size_t i = 0; i < c->nind; i++) {
		campaign_indicator_t *ind = &c->ind[i];

		if (ind->kind == CAMPAIGN_IND_SUM && s_resolve_sum(b, ind, &raw[i]))
			return b->fail.code;
		if (ind->kind == CAMPAIGN_IND_RATE && s_resolve_rate(b, ind, &raw[i]))
			return b->fail.code;
	}
	return 0;
}

int cload_labels(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (*s->id)
		return cload_fail(b, s->line, "[%s]: [labels] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int j = campaign_indicator_find(c, kv->key);

		if (j < 0)
			return cload_fail(b, kv->line, "[labels] %s: unknown indicator", kv->key);
		if (cload_key_once(b, s, i))
			return b->fail.code;
		if (!*kv->value)
			return cload_fail(b, kv->line, "[labels] %s: empty", kv->key);
		if (!(c->ind[j].label = campaign_strdup(c, kv->value)))
			return cload_oom(b);
	}
	return 0;
}

int cload_reporters(cload_t *b, const inifile_section_t *s, const inifile_kv_t *kv, bool *mask)
{
	const inifile_section_t one = { .name = s->name, .kv = kv, .n = 1 };  /* this line only */
	const char *key = kv->key;
	campaign_t *c = b->c;
	cload_item_t *it;
	size_t n;

	if (cload_list(b, &one, key, &it, &n))
		return b->fail.code;
	for (size_t i = 0; i < n; i++) {
		int l = campaign_level_index(c, it[i].text);

		if (strcmp(it[i].text, "all") == 0) {
			if (n > 1)
				return cload_fail(b, it[i].line, "[%s] %s: 'all' stands alone (it means every "
						  "level)", s->name, key);
			for (size_t k = 0; k < c->nlevels; k++)
				mask[k] = true;
			continue;
		}
		if (l < 0)
			return cload_fail(b, it[i].line, "[%s] %s: unknown level '%s' (not in [campaign] "
					  "levels)", s->name, key, it[i].text);
		if (mask[l])
			return cload_fail(b, it[i].line, "[%s] %s: '%s' given twice", s->name, key, it[i].text);
		mask[l] = true;
	}
	return 0;
}

int cload_reported_by(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (!(c->rep_by = campaign_zalloc(c, c->nind * c->nlevels * sizeof(*c->rep_by))))
		return cload_oom(b);
	for (size_t i = 0; i < c->nind; i++)
		if (c->ind[i].kind == CAMPAIGN_IND_COUNT || c->ind[i].kind == CAMPAIGN_IND_AMOUNT)
			memcpy(&c->rep_by[i * c->nlevels], c->rep_default,
			       c->nlevels * sizeof(*c->rep_by));
	if (!s)
		return 0;
	if (*s->id)
		return cload_fail(b, s->line, "[%s]: [reported_by] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int j = campaign_indicator_find(c, kv->key);
		bool *mask;

		if (j < 0)
			return cload_fail(b, kv->line, "[reported_by] %s: unknown indicator (not in "
					  "[indicators])", kv->key);
		if (c->ind[j].kind != CAMPAIGN_IND_COUNT && c->ind[j].kind != CAMPAIGN_IND_AMOUNT)
			return cload_fail(b, kv->line, "[reported_by] %s: a derived indicator is never "
					  "reported (a %s is computed from the counts)", kv->key,
					  c->ind[j].kind == CAMPAIGN_IND_SUM ? "sum" : "rate");
		if (cload_key_once(b, s, i))
			return b->fail.code;
		if (!*kv->value)
			return cload_fail(b, kv->line, "[reported_by] %s: empty", kv->key);
		mask = &c->rep_by[(size_t)j * c->nlevels];
		memset(mask, 0, c->nlevels * sizeof(*mask));
		if (cload_reporters(b, s, kv, mask))
			return b->fail.code;
	}
	return 0;
}
