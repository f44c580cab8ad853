/*
 * households_diff.c: what changed between two imports of the household
 * register (see households.h).
 */
#include "households.h"

#include <errno.h>
#include <string.h>

#include "lnob_err.h"

static const char *const s_codes[HOUSEHOLDS_CH_COUNT] = {
	"escaped", "newly_poor", "re_poor", "added", "removed", "reclassified", "updated",
};

const char *households_change_code(households_change_t c)
{
	return (unsigned)c < HOUSEHOLDS_CH_COUNT ? s_codes[c] : NULL;
}

int households_change_of(const household_t *old, const household_t *now)
{
	static const households_class_t news[] = { HOUSEHOLDS_ESCAPED, HOUSEHOLDS_NEWLY_POOR,
						   HOUSEHOLDS_RE_POOR };
	static const households_change_t kinds[] = { HOUSEHOLDS_CH_ESCAPED,
						     HOUSEHOLDS_CH_NEWLY_POOR,
						     HOUSEHOLDS_CH_RE_POOR };

	if (!now)
		return HOUSEHOLDS_CH_REMOVED;
	for (size_t i = 0; i < sizeof(news) / sizeof(*news); i++)
		if (now->cls == news[i] && (!old || old->cls != news[i]))
			return kinds[i];
	if (!old)
		return HOUSEHOLDS_CH_ADDED;
	if (old->cls != now->cls)
		return HOUSEHOLDS_CH_RECLASSIFIED;
	if (strcmp(old->village, now->village) != 0 || old->em != now->em ||
	    old->depriv != now->depriv)
		return HOUSEHOLDS_CH_UPDATED;
	return -1;
}

/* The change entry of one household (old, now: either NULL). */
static json_t *s_entry(const household_t *old, const household_t *now, int kind)
{
	const household_t *h = now ? now : old;
	json_t *e = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "household", h->id, "change",
			      s_codes[kind], "from", old ? households_class_code(old->cls) : NULL,
			      "to", now ? households_class_code(now->cls) : NULL, "village",
			      h->village);

	if (e && old && now && strcmp(old->village, now->village) != 0 &&
	    json_object_set_new(e, "village_from", json_string(old->village)) < 0) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* Appends the change of (old, now), if any, to arr and counts it. */
static int s_one(json_t *arr, size_t counts[HOUSEHOLDS_CH_COUNT], const household_t *old,
		 const household_t *now)
{
	int kind = households_change_of(old, now);

	if (kind < 0)
		return 0;
	counts[kind]++;
	return json_array_append_new(arr, s_entry(old, now, kind)) < 0 ? -ENOMEM : 0;
}

int households_diff(const households_t *old, const households_t *now, json_t **ret)
{
	size_t counts[HOUSEHOLDS_CH_COUNT] = { 0 }, i = 0, j = 0;
	json_t *arr = json_array(), *cnt = json_object(), *doc;
	int rc = arr && cnt ? 0 : -ENOMEM;

	while (rc == 0 && (i < old->n || j < now->n)) {
		int c = i == old->n ? 1 : j == now->n ? -1 : strcmp(old->v[i].id, now->v[j].id);

		if (c < 0)
			rc = s_one(arr, counts, &old->v[i++], NULL);
		else if (c > 0)
			rc = s_one(arr, counts, NULL, &now->v[j++]);
		else
			rc = s_one(arr, counts, &old->v[i++], &now->v[j++]);
	}
	for (int k = 0; rc == 0 && k < HOUSEHOLDS_CH_COUNT; k++)
		if (json_object_set_new(cnt, s_codes[k], json_integer((json_int_t)counts[k])) < 0)
			rc = -ENOMEM;
	if (rc < 0 || !(doc = json_pack("{s:o, s:o}", "counts", cnt, "changes", arr))) {
		json_decref(arr);
		json_decref(cnt);
		return -ENOMEM;
	}
	*ret = doc;
	return 0;
}
