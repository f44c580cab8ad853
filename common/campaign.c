/*
 * campaign.c: the campaign model (campaign.h, campaign_int.h): the memory
 * it owns and its accessors. Loading is campaign_load.c's, the baseline
 * baseline.c's, evaluation campaign_eval.c's.
 */
#include "campaign.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "lnob_err.h"
#include "util.h"

void *campaign_own(campaign_t *c, void *p)
{
	if (!p)
		return NULL;
	if (c->nown == c->capown) {
		size_t ncap = c->capown ? c->capown * 2 : 64;
		void **nv = realloc(c->own, ncap * sizeof(*nv));

		if (!nv) {
			free(p);
			return NULL;
		}
		c->own = nv;
		c->capown = ncap;
	}
	c->own[c->nown++] = p;
	return p;
}

char *campaign_strdup(campaign_t *c, const char *s)
{
	return campaign_own(c, strdup(s));
}

void *campaign_zalloc(campaign_t *c, size_t n)
{
	return campaign_own(c, calloc(1, n ? n : 1));
}

campaign_t *campaign_new(const char *file)
{
	campaign_t *c = calloc(1, sizeof(*c));

	if (c && !(c->file = strdup(file))) {
		free(c);
		return NULL;
	}
	return c;
}

/* Every element searched by id starts with its id. */
_Static_assert(offsetof(campaign_period_t, id) == 0, "a period starts with its id");
_Static_assert(offsetof(campaign_target_t, id) == 0, "a target starts with its id");
_Static_assert(offsetof(campaign_cluster_t, id) == 0, "a cluster starts with its id");
_Static_assert(offsetof(campaign_award_rule_t, id) == 0, "a rule starts with its id");

const void *campaign_find_id(const void *base, size_t n, size_t size, const char *id)
{
	for (size_t i = 0; id && i < n; i++) {
		const void *e = (const char *)base + i * size;
		const char *eid = *(const char *const *)e;

		if (eid && strcmp(eid, id) == 0)
			return e;
	}
	return NULL;
}

void campaign_destroy(campaign_t **self_p)
{
	campaign_t *c;

	if (!self_p || !*self_p)
		return;
	c = *self_p;
	for (size_t i = 0; i < c->nown; i++)
		free(c->own[i]);
	free(c->own);
	free(c->adhoc);
	for (size_t i = 0; i < c->nrows; i++)
		free(c->rows[i].code);
	free(c->rows);
	inifile_destroy(&c->ini);
	free(c->file);
	free(c);
	*self_p = NULL;
}

/* ---- the campaign ------------------------------------------------------ */

const char *campaign_id(const campaign_t *self)
{
	assert(self);
	return self->id;
}

const char *campaign_name(const campaign_t *self)
{
	assert(self);
	return self->name;
}

const char *campaign_file(const campaign_t *self)
{
	assert(self);
	return self->file;
}

int campaign_first_year(const campaign_t *self)
{
	assert(self);
	return self->first_year;
}

int campaign_last_year(const campaign_t *self)
{
	assert(self);
	return self->last_year;
}

int campaign_baseline_year(const campaign_t *self)
{
	assert(self);
	return self->base_year;
}

int32_t campaign_baseline_day(const campaign_t *self)
{
	assert(self);
	return self->base_day;
}

int campaign_utc_offset(const campaign_t *self)
{
	assert(self);
	return self->utc_offset;
}

bool campaign_partial_withhold(const campaign_t *self)
{
	assert(self);
	return self->withhold;
}

/* ---- levels and indicators ----------------------------------------------- */

size_t campaign_level_count(const campaign_t *self)
{
	assert(self);
	return self->nlevels;
}

const char *campaign_level(const campaign_t *self, size_t i)
{
	assert(self);
	return i < self->nlevels ? self->levels[i] : NULL;
}

int campaign_level_index(const campaign_t *c, const char *level)
{
	for (size_t i = 0; i < c->nlevels; i++)
		if (strcmp(c->levels[i], level) == 0)
			return (int)i;
	return -1;
}

size_t campaign_indicator_count(const campaign_t *self)
{
	assert(self);
	return self->nind;
}

const campaign_indicator_t *campaign_indicator(const campaign_t *self, int i)
{
	assert(self);
	return i >= 0 && (size_t)i < self->nind ? &self->ind[i] : NULL;
}

int campaign_indicator_find(const campaign_t *self, const char *code)
{
	assert(self);
	for (size_t i = 0; code && i < self->nind; i++)
		if (strcmp(self->ind[i].code, code) == 0)
			return (int)i;
	return -1;
}

bool campaign_level_reports(const campaign_t *self, int i, const char *level)
{
	int l;

	if (!self || !level || i < 0 || (size_t)i >= self->nind)
		return false;
	if (self->ind[i].kind != CAMPAIGN_IND_COUNT && self->ind[i].kind != CAMPAIGN_IND_AMOUNT)
		return false;
	if ((l = campaign_level_index(self, level)) < 0)
		return false;
	return self->rep_by[(size_t)i * self->nlevels + (size_t)l];
}

/* Writes "district, commune" (the levels reporting indicator i, top first)
 * into out, truncating. */
static void s_reporters_text(const campaign_t *c, int i, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t l = 0; l < c->nlevels && n + 1 < len; l++) {
		if (!c->rep_by[(size_t)i * c->nlevels + l])
			continue;
		snprintf(out + n, len - n, "%s%s", n ? ", " : "", c->levels[l]);
		n += strlen(out + n);
	}
}

int campaign_check_levels(const campaign_t *self, const Lnob__Report *rep, const char *level,
			  char *detail, size_t len)
{
	if (!self || !rep || !level)
		return -EINVAL;
	for (size_t v = 0; v < rep->n_values; v++) {
		const char *code = rep->values[v]->code;
		int i = campaign_indicator_find(self, code);
		char by[512];

		if (i < 0 || (self->ind[i].kind != CAMPAIGN_IND_COUNT &&
			      self->ind[i].kind != CAMPAIGN_IND_AMOUNT))
			return lnob_errf(detail, len, -EINVAL, "indicator '%s' is not a reported "
					 "indicator of campaign '%s'", code, self->id);
		if (campaign_level_reports(self, i, level))
			continue;
		s_reporters_text(self, i, by, sizeof(by));
		return lnob_errf(detail, len, LNOB_E_WRONG_LEVEL, "unit '%s' is %s %s; indicator "
				 "'%s' is reported by %s", rep->unit,
				 level[0] && strchr("aeiouAEIOU", level[0]) ? "an" : "a", level, code, by);
	}
	return 0;
}

/* ---- periods, targets and clusters ----------------------------------------- */

size_t campaign_period_count(const campaign_t *self)
{
	assert(self);
	return self->nperiods + self->nadhoc;
}

const campaign_period_t *campaign_period(const campaign_t *self, int i)
{
	assert(self);
	if (i < 0)
		return NULL;
	if ((size_t)i < self->nperiods)
		return &self->periods[i];
	return (size_t)i - self->nperiods < self->nadhoc ? self->adhoc[(size_t)i - self->nperiods]
							   : NULL;
}

const campaign_period_t *campaign_period_find(const campaign_t *self, const char *id)
{
	const campaign_period_t *p;

	assert(self);
	if ((p = campaign_find_id(self->periods, self->nperiods, sizeof(*self->periods), id)))
		return p;
	for (size_t i = 0; id && i < self->nadhoc; i++)
		if (strcmp(self->adhoc[i]->id, id) == 0)
			return self->adhoc[i];
	return NULL;
}

size_t campaign_period_index(const campaign_t *c, const campaign_period_t *p)
{
	if (p >= c->periods && p < c->periods + c->nperiods)
		return (size_t)(p - c->periods);
	for (size_t i = 0; i < c->nadhoc; i++)
		if (c->adhoc[i] == p)
			return c->nperiods + i;
	assert(!"a period of the campaign");
	return 0;
}

const campaign_period_t *campaign_period_previous(const campaign_t *self,
						  const campaign_period_t *p)
{
	assert(self && p);
	(void)campaign_period_index(self, p);
	return p->previous < 0 ? NULL : &self->periods[p->previous];
}

/* campaign_target_count(), campaign_target(), campaign_target_find() */
CAMPAIGN_TABLE(campaign_target_t, campaign_target, targets, ntargets)

/* campaign_cluster_count(), campaign_cluster(), campaign_cluster_find() */
CAMPAIGN_TABLE(campaign_cluster_t, campaign_cluster, clusters, nclusters)

size_t campaign_clusters_of(const campaign_t *self, const char *code,
			    const campaign_cluster_t **ret, size_t max)
{
	size_t n = 0;

	assert(self);
	for (size_t i = 0; code && i < self->nclusters; i++) {
		const campaign_cluster_t *cl = &self->clusters[i];

		for (size_t m = 0; m < cl->nmembers; m++) {
			if (strcmp(cl->members[m], code) == 0) {
				if (ret && n < max)
					ret[n] = cl;
				n++;
				break;
			}
		}
	}
	return n;
}
