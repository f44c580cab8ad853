/* campaigns_lookup.c: a campaign and period as an operator named them,
 * or an error listing the known ids (campaigns.h). */
#include "campaigns.h"

#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "table.h"
#include "util.h"

/* Appends ", id" (or "id" first) to list[0..len) at *pos, stopping at
 * the end of list with "..." when it is full. */
static void s_list_add(char *list, size_t len, size_t *pos, const char *id)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(list + *pos, len - *pos, "%s%s", *pos ? ", " : "", id);
	if (n < 0 || (size_t)n >= len - *pos) {
		if (len >= 4)
			memcpy(list + len - 4, "...", 4);
		*pos = len;
		return;
	}
	*pos += (size_t)n;
}

int campaigns_lookup(const campaigns_t *self, const char *campaign, const char *period,
		     const char *copt, const char *popt, const campaign_t **ret, char *err,
		     size_t errlen)
{
	char list[768] = "", q[LNOB_QUOTE_MAX + 4];
	const campaign_t *c;
	size_t pos = 0;

	if (!campaign)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s is required", copt);
	if (!self || self->n == 0) {
		if (ret)
			*ret = NULL;
		return 0;
	}
	if (!(c = campaigns_find(self, campaign))) {
		for (size_t i = 0; i < self->n; i++)
			s_list_add(list, sizeof(list), &pos, campaign_id(self->v[i]));
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s '%s' is not a configured "
				 "campaign (%s)", copt, lnob_quote(q, campaign), list);
	}
	if (period && !campaign_period_find(c, period)) {
		for (size_t i = 0; i < campaign_period_count(c); i++)
			s_list_add(list, sizeof(list), &pos, campaign_period(c, (int)i)->id);
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s '%s' is not a period of campaign "
				 "%s (%s)", popt, lnob_quote(q, period), campaign_id(c), list);
	}
	if (ret)
		*ret = c;
	return 0;
}

int64_t campaigns_utc_offset(const campaigns_t *self, const char *id)
{
	const campaign_t *c = id ? campaigns_find(self, id) : NULL;

	return c ? campaign_utc_offset(c) : TABLE_DEFAULT_UTC_OFFSET;
}

const char *campaigns_time(const campaigns_t *self, const char *id, int64_t t, char *buf,
			   size_t len)
{
	return table_time(t, campaigns_utc_offset(self, id), buf, len);
}
