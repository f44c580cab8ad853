/* campaigns.c: the configured campaigns (every file, or the one a
 * command asks for) and their report rule (see campaigns.h). */
#include "campaigns.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* path, or dir(conf_path)/path when path is relative, into out. */
static int s_resolve(const char *conf_path, const char *path, char *out, size_t len)
{
	char tmp[4096];

	if (path[0] == '/' || !conf_path)
		return snprintf(out, len, "%s", path) < (int)len ? 0 : -ENAMETOOLONG;
	if (snprintf(tmp, sizeof(tmp), "%s", conf_path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	return snprintf(out, len, "%s/%s", dirname(tmp), path) < (int)len ? 0 : -ENAMETOOLONG;
}

/* The next name of [campaign] files (strtok_r() of list, then NULL, on
 * *save), trimmed, resolved into path. Returns 1, 0 at the list's end, or
 * -ENAMETOOLONG with err. */
static int s_next_file(const conf_t *conf, char *list, char **save, char *path, size_t len,
		       char *err, size_t errlen)
{
	char *tok;
	size_t n;

	for (tok = strtok_r(list, ",", save); tok; tok = strtok_r(NULL, ",", save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		n = strlen(tok);
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (!n)
			continue;
		if (s_resolve(conf_name(conf), tok, path, len) < 0)
			return lnob_errf(err, errlen, -ENAMETOOLONG, "%s: [campaign] files: %s: name too "
					 "long", conf_name(conf), tok);
		return 1;
	}
	return 0;
}

/* The ids of the files campaigns_load_only() passed over or loaded. */
typedef struct s_ids {
	char **v;
	size_t n, cap;
} s_ids_t;

static void s_ids_clear(s_ids_t *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
}

/* Whether the campaign file at path is campaign only's: its [campaign] id
 * as the INI reader alone gives it (campaign_file_id()), kept in ids so
 * that an id of two files is refused as campaigns_load() refuses it.
 * Returns 1 (load it), 0 (pass it over) or a negative code with err. */
static int s_wanted(const char *path, const char *only, s_ids_t *ids, char *err, size_t errlen)
{
	char *id = NULL;
	int r = campaign_file_id(path, &id, err, errlen);

	if (r < 0)
		return r;
	if (!id[0]) {   /* no id: campaign_load() says so, when it is loaded */
		free(id);
		return 0;
	}
	for (size_t i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i], id) == 0) {
			r = lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: campaign id '%s' is configured "
				      "twice", path, id);
			free(id);
			return r;
		}
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if (lnob_grow(&ids->v, ids->n, &ids->cap, sizeof(*ids->v), 8) < 0) {
		free(id);
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	ids->v[ids->n++] = id;
	return strcmp(id, only) == 0;
}

/* campaigns_load_only()'s one loop: every file loaded (only NULL), or only
 * campaign only's; *ret_files gets how many files are configured. */
static int s_load(campaigns_t *self, const conf_t *conf, const hier_t *hier, const char *only,
		  size_t *ret_files, char *err, size_t errlen)
{
	const char *files = NULL;
	uint64_t skew = 900;
	char *list = NULL, *save = NULL, *first, path[4096];
	s_ids_t ids = { 0 };
	int r;

	memset(self, 0, sizeof(*self));
	*ret_files = 0;
	r = conf_str(conf, "campaign", "files", "", &files, err, errlen);
	if (r == 0)
		r = conf_u64(conf, "campaign", "clock_skew_s", false, 900, 0, 7 * UINT64_C(86400), &skew,
			     err, errlen);
	if (r < 0)
		return r;
	self->clock_skew_s = (int64_t)skew;
	if (!(list = strdup(files)))
		return -ENOMEM;
	for (first = list; (r = s_next_file(conf, first, &save, path, sizeof(path), err, errlen)) > 0;
	     first = NULL) {
		++*ret_files;
		if (only && (r = s_wanted(path, only, &ids, err, errlen)) <= 0) {
			if (r < 0)
				break;
			continue;
		}
		if ((r = campaigns_reserve(self, self->n + 1)) < 0) {
			snprintf(err, errlen, "%s: [campaign] files: out of memory", conf_name(conf));
			break;
		}
		r = campaign_load(path, hier, &self->v[self->n], err, errlen);
		if (r < 0)
			break;
		if (campaigns_find(self, campaign_id(self->v[self->n]))) {
			snprintf(err, errlen, "%s: campaign id '%s' is configured twice",
				 path, campaign_id(self->v[self->n]));
			campaign_destroy(&self->v[self->n]);
			r = LNOB_E_CONFIG;
			break;
		}
		self->n++;
	}
	free(list);
	s_ids_clear(&ids);
	if (r < 0)
		campaigns_clear(self);
	return r;
}

int campaigns_load_only(campaigns_t *self, const conf_t *conf, const hier_t *hier,
			const char *only, char *err, size_t errlen)
{
	size_t files = 0;
	int r = s_load(self, conf, hier, only, &files, err, errlen);

	/* only is no file's id: every file, so that the command refuses it as
	 * it always has, naming the configured ids (campaigns_lookup()). */
	if (r == 0 && only && files > 0 && self->n == 0)
		r = s_load(self, conf, hier, NULL, &files, err, errlen);
	return r;
}

int campaigns_load(campaigns_t *self, const conf_t *conf, const hier_t *hier,
		   char *err, size_t errlen)
{
	return campaigns_load_only(self, conf, hier, NULL, err, errlen);
}

int campaigns_reserve(campaigns_t *self, size_t n)
{
	while (self->cap < n) {
		/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if (lnob_grow(&self->v, self->cap, &self->cap, sizeof(*self->v), 4) < 0)
			return -ENOMEM;
	}
	return 0;
}

const campaign_t *campaigns_find(const campaigns_t *self, const char *id)
{
	for (size_t i = 0; self && i < self->n; i++)
		if (strcmp(campaign_id(self->v[i]), id) == 0)
			return self->v[i];
	return NULL;
}

int campaigns_check_report(const campaigns_t *self, const Lnob__Report *rep, char *detail,
			   size_t len)
{
	const campaign_t *c;

	if (!self || self->n == 0)
		return 0;
	if (!(c = campaigns_find(self, rep->campaign))) {
		snprintf(detail, len, "campaign '%s' is not one of the configured campaigns "
			 "([campaign] files)", rep->campaign);
		return LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN;
	}
	if (!campaign_period_find(c, rep->period)) {
		snprintf(detail, len, "period '%s' is not a period of campaign '%s'", rep->period,
			 rep->campaign);
		return LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN;
	}
	for (size_t i = 0; i < rep->n_values; i++) {
		const char *code = rep->values[i]->code;
		int k = campaign_indicator_find(c, code);
		const campaign_indicator_t *ind = k >= 0 ? campaign_indicator(c, k) : NULL;

		if (!ind) {
			snprintf(detail, len, "indicator '%s' is not defined by campaign '%s'", code,
				 rep->campaign);
			return LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR;
		}
		if (ind->kind == CAMPAIGN_IND_SUM || ind->kind == CAMPAIGN_IND_RATE) {
			snprintf(detail, len, "indicator '%s' of campaign '%s' is derived (a %s, "
				 "computed by the aggregator), never reported", code, rep->campaign,
				 ind->kind == CAMPAIGN_IND_SUM ? "sum" : "rate");
			return LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR;
		}
	}
	return 0;
}

void campaigns_clear(campaigns_t *self)
{
	for (size_t i = 0; i < self->n; i++)
		campaign_destroy(&self->v[i]);
	free(self->v);
	self->v = NULL;
	self->n = self->cap = 0;
}
