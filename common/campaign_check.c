/*
 * campaign_check.c: a loaded campaign against a hierarchy (campaign.h,
 * campaign_check_hier()): its levels, target units and cluster members
 * must be in the tree, its baseline units too, and each baseline row must
 * agree with the sum of its children's.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "campaign_int.h"
#include "lnob_err.h"
#include "util.h"

/* Every declared level is some unit's level (in one of the hierarchy's
 * versions: README "Hierarchy versions"). */
static int s_check_levels(const campaign_t *c, const hier_t *hier, char *err, size_t errlen)
{
	for (size_t l = 0; l < c->nlevels; l++) {
		bool found = false;

		for (const hier_t *h = hier; h && !found; h = hier_version_prev(h))
			for (size_t i = 0; i < hier_count(h) && !found; i++)
				found = strcmp(hier_unit(h, (int)i)->level, c->levels[l]) == 0;
		if (!found)
			return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [campaign] levels: '%s' is "
					 "not a level of the hierarchy", c->file, c->levels_line,
					 c->levels[l]);
	}
	return 0;
}

/* Every target unit and cluster member is a unit of the hierarchy (of one
 * of its versions: README "Hierarchy versions"). */
static int s_check_units(const campaign_t *c, const hier_t *hier, char *err, size_t errlen)
{
	for (size_t t = 0; t < c->ntargets; t++) {
		const campaign_target_t *tg = &c->targets[t];

		for (size_t u = 0; u < tg->nunits; u++)
			if (hier_find_any(hier, tg->units[u], NULL) < 0)
				return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [target %s] units: '%s' "
						 "is not in the hierarchy", c->file,
						 c->tx[t].unit_lines[u], tg->id, tg->units[u]);
	}
	for (size_t k = 0; k < c->nclusters; k++) {
		const campaign_cluster_t *cl = &c->clusters[k];

		for (size_t m = 0; m < cl->nmembers; m++)
			if (hier_find_any(hier, cl->members[m], NULL) < 0)
				return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [cluster %s] members: "
						 "'%s' is not in the hierarchy", c->file,
						 c->member_lines[k][m], cl->id, cl->members[m]);
	}
	return 0;
}

/* Checks one baseline row: its unit is in the hierarchy, and each of its
 * values is the sum of its children's baselines where they all have it.
 * Returns 0, LNOB_E_CSV with the problem in msg, or -ENOMEM. */
static int s_check_row(const campaign_t *c, const hier_t *hier, const campaign_row_t *row,
		       char *msg, size_t len)
{
	int u = hier_find(hier, row->code);
	campaign_counts_t sum;
	const int *kids;
	size_t nk;
	int r;

	if (u < 0) {
		snprintf(msg, len, "unit '%s' is not in the hierarchy", row->code);
		return LNOB_E_CSV;
	}
	nk = hier_children(hier, u, &kids);
	if (nk == 0)
		return 0;
	r = campaign_subtree_sum(c, hier, kids, nk, &sum);
	if (r == -ENOMEM)
		return r;
	for (size_t j = 0; r == 0 && j < c->nind; j++) {
		if (row->counts.has[j] && sum.has[j] && row->counts.v[j] != sum.v[j]) {
			snprintf(msg, len, "%s: %s %lld is not the sum of its children's (%lld)",
				 row->code, c->ind[j].code, (long long)row->counts.v[j],
				 (long long)sum.v[j]);
			return LNOB_E_CSV;
		}
	}
	return 0;
}

int campaign_check_hier(const campaign_t *self, const hier_t *hier, char *err, size_t errlen)
{
	const campaign_t *c = self;
	const campaign_row_t *bad = NULL;
	char msg[256] = "", one[256];
	int r;

	assert(self);
	if (!hier)
		return -EINVAL;
	if ((r = s_check_levels(c, hier, err, errlen)) || (r = s_check_units(c, hier, err, errlen)))
		return r;
	/* Baseline rows are sorted by code: name the first bad one in the file. */
	for (size_t i = 0; i < c->nrows; i++) {
		const campaign_row_t *row = &c->rows[i];

		if (bad && row->line > bad->line)
			continue;
		/* The baseline describes the hierarchy version valid on its
		 * date (README "Hierarchy versions"). */
		r = s_check_row(c, hier_at_day(hier, c->base_day), row, one, sizeof(one));
		if (r == -ENOMEM)
			return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", c->bl_file);
		if (r) {
			bad = row;
			memcpy(msg, one, sizeof(msg));
		}
	}
	if (bad)
		return lnob_errf(err, errlen, LNOB_E_CSV, "%s:%u: %s", c->bl_file, bad->line, msg);
	return 0;
}
