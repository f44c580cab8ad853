/*
 * households_count.c: the campaign's counts a household register gives,
 * per village and for its commune (see households.h).
 */
#include "households.h"

#include <string.h>

static const char *const s_codes[HOUSEHOLDS_IND_COUNT] = {
	"poor_households", "near_poor_households", "escaped_households",
	"newly_poor_households", "repoor_households", "em_poor_households",
};

const char *households_indicator_code(int i)
{
	return i >= 0 && i < HOUSEHOLDS_IND_COUNT ? s_codes[i] : NULL;
}

int households_indicator_find(const char *code)
{
	for (int i = 0; i < HOUSEHOLDS_IND_COUNT; i++)
		if (strcmp(code, s_codes[i]) == 0)
			return i;
	return -1;
}

/* Counts h into c. */
static void s_add(households_counts_t *c, const household_t *h)
{
	bool poor = households_class_is_poor(h->cls);

	c->households++;
	c->v[HOUSEHOLDS_IND_POOR] += poor;
	c->v[HOUSEHOLDS_IND_NEAR_POOR] += h->cls == HOUSEHOLDS_NEAR_POOR;
	c->v[HOUSEHOLDS_IND_ESCAPED] += h->cls == HOUSEHOLDS_ESCAPED;
	c->v[HOUSEHOLDS_IND_NEWLY_POOR] += h->cls == HOUSEHOLDS_NEWLY_POOR;
	c->v[HOUSEHOLDS_IND_RE_POOR] += h->cls == HOUSEHOLDS_RE_POOR;
	c->v[HOUSEHOLDS_IND_EM_POOR] += poor && h->em;
	if (h->cls == HOUSEHOLDS_ESCAPED)
		return;
	for (int i = 0; i < HOUSEHOLDS_DEPRIV_COUNT; i++)
		c->depriv[i] += (h->depriv >> i) & 1u;
}

void households_count(const households_t *list, const char *village, households_counts_t *ret)
{
	memset(ret, 0, sizeof(*ret));
	/* At most HOUSEHOLDS_MAX households: no count can overflow. */
	for (size_t i = 0; i < list->n; i++)
		if (!village || strcmp(list->v[i].village, village) == 0)
			s_add(ret, &list->v[i]);
}

json_t *households_counts_json(const households_counts_t *c)
{
	json_t *o = json_pack("{s:I}", "households", (json_int_t)c->households);
	json_t *d = json_object();

	for (int i = 0; o && i < HOUSEHOLDS_IND_COUNT; i++)
		json_object_set_new(o, s_codes[i], json_integer((json_int_t)c->v[i]));
	for (int i = 0; d && i < HOUSEHOLDS_DEPRIV_COUNT; i++)
		json_object_set_new(d, households_depriv_code(i), json_integer((json_int_t)c->depriv[i]));
	if (!o || !d) {
		json_decref(o);
		json_decref(d);
		return NULL;
	}
	if (json_object_set_new(o, "deprivations", d) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
