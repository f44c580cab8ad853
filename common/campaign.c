/*
 * campaign.c: the campaign (campaign.h). inih parses the campaign file, fed
 * one physical line at a time so every key keeps its line (as in conf.c);
 * libcsv parses the baseline file (as in hierarchy.c). This file turns both
 * into the model, validates it, and computes targets, verdicts and
 * deadlines with exact integer arithmetic (fractions with 128-bit terms,
 * compared and divided through 256-bit products).
 */
#include "campaign.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "csvread.h"
#include "frac.h"
#include "inifile.h"
#include "lnob_err.h"
#include "util.h"

/* Largest campaign file and baseline file accepted. */
#define CAMPAIGN_MAX_BYTES ((size_t)1 << 20)
#define BASELINE_MAX_BYTES ((size_t)64 << 20)
/* Decimals are kept as integers × 10^4. */
#define S_E4 10000
/* Largest decimal accepted (× 10^4): 10^14. */
#define S_E4_MAX ((int64_t)1000000000000000000LL)
/* Largest period years / target term. */
#define S_YEARS_MAX 100

/* ======================================================================
 * The model
 * ====================================================================== */

/* A level's annual deadline, or a period's own. */
typedef struct s_deadline {
	bool set;
	calendar_deadline_t when;
	unsigned line;
} s_deadline_t;

/* One row of the baseline file. */
typedef struct s_brow {
	char *code;
	unsigned line;
	campaign_counts_t counts;
} s_brow_t;

/* Private companions of a target and a cluster: the line of each unit. */
typedef struct s_target_x {
	unsigned *unit_lines;
	unsigned levels_line;
} s_target_x_t;

struct campaign {
	char *file;
	inifile_t *ini;                    /* the file: the model points into it */
	char *id, *name, *plan;
	int32_t start_day, end_day, base_day;
	int first_year, last_year, base_year;
	int utc_offset;
	char **levels;
	size_t nlevels;
	unsigned levels_line;
	bool *rep_default;             /* [nlevels]: [campaign] reported_by */
	bool *rep_by;                  /* [nind × nlevels]: indicator i is reported
	                                  by the units of level l */
	campaign_indicator_t ind[CAMPAIGN_INDICATORS_MAX];
	size_t nind;
	campaign_period_t *periods;
	size_t nperiods;
	s_deadline_t *annual;          /* [nlevels] */
	s_deadline_t *pdl;             /* [nperiods × nlevels] period overrides */
	campaign_target_t *targets;
	s_target_x_t *tx;
	size_t ntargets;
	campaign_cluster_t *clusters;
	unsigned **member_lines;       /* [nclusters][nmembers] */
	size_t nclusters;
	char *bl_file;                 /* NULL: no baseline file */
	s_brow_t *rows;                /* sorted by code */
	size_t nrows;
	bool bl_col[CAMPAIGN_INDICATORS_MAX];   /* columns of the baseline */
	const char *const *sanctions;  /* [nsanctions]: levels 1..nsanctions */
	size_t nsanctions;
	int disqualify;                /* [awards] disqualify; 0: not checked */
	bool withhold;                 /* [campaign] partial = withhold */
	const char *form_label[CAMPAIGN_AWARD_FORMS];   /* NULL: the code */
	campaign_award_rule_t *rules;
	size_t nrules;
	void **own;                    /* every block the model owns */
	size_t nown, capown;
};

/* Takes ownership of p (freed by campaign_destroy). Returns p, or NULL
 * (p freed) when p is NULL or memory runs out. */
static void *s_own(campaign_t *c, void *p)
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

static char *s_strdup(campaign_t *c, const char *s)
{
	return s_own(c, strdup(s));
}

/* n zeroed bytes (at least 1) owned by c, or NULL. */
static void *s_zalloc(campaign_t *c, size_t n)
{
	return s_own(c, calloc(1, n ? n : 1));
}

/* ======================================================================
 * Reading the INI file: sections of key = value lines, each with its line
 * ====================================================================== */

static bool s_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A copy of s[0..len) without leading and trailing blanks, or NULL. */
static char *s_trimdup(const char *s, size_t len)
{
	char *r;

	while (len > 0 && s_blank(*s)) {
		s++;
		len--;
	}
	while (len > 0 && s_blank(s[len - 1]))
		len--;
	r = malloc(len + 1);
	if (r) {
		memcpy(r, s, len);
		r[len] = '\0';
	}
	return r;
}

/* ======================================================================
 * Building the model: helpers
 * ====================================================================== */

typedef struct s_build {
	campaign_t *c;
	const char *file;
	char *err;
	size_t errlen;
	int failed;
} s_build_t;

/* Records the first error as "<file>:<line>: <message>". Returns the code. */
static int s_fail(s_build_t *b, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int s_fail(s_build_t *b, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return b->failed;
	b->failed = LNOB_E_CONFIG;
	if (!b->err || b->errlen == 0)
		return b->failed;
	n = snprintf(b->err, b->errlen, "%s:%u: ", b->file, line);
	if (n >= 0 && (size_t)n < b->errlen) {
		va_start(ap, fmt);
		vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return b->failed;
}

static int s_oom(s_build_t *b)
{
	if (!b->failed) {
		b->failed = -ENOMEM;
		lnob_errf(b->err, b->errlen, 0, "%s: out of memory", b->file);
	}
	return b->failed;
}

/* The keys a section may hold: name, and whether it is a list. */
typedef struct s_keyspec {
	const char *key;
	bool list;
} s_keyspec_t;

/* Checks every key of s against spec (NULL-terminated; a key "prefix.*"
 * stands for any key starting with "prefix."): an unknown key or a
 * non-list key given twice is an error. */
static int s_check_keys(s_build_t *b, const inifile_section_t *s, const s_keyspec_t *spec)
{
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		const s_keyspec_t *k;

		for (k = spec; k->key; k++) {
			size_t l = strlen(k->key);

			if (l >= 2 && strcmp(k->key + l - 2, ".*") == 0) {
				if (strncmp(kv->key, k->key, l - 1) == 0 && kv->key[l - 1])
					break;
			} else if (strcmp(kv->key, k->key) == 0) {
				break;
			}
		}
		if (!k->key)
			return s_fail(b, kv->line, "[%s] %s: unknown key", s->name, kv->key);
		if (k->list)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->kv[j].key, kv->key) == 0)
				return s_fail(b, kv->line, "[%s] %s: given twice (first on line %u)",
					      s->name, kv->key, s->kv[j].line);
		}
	}
	return 0;
}

/* Like inifile_section_get(), but a missing key is an error on the section's line. */
static const inifile_kv_t *s_need(s_build_t *b, const inifile_section_t *s, const char *key)
{
	const inifile_kv_t *kv = inifile_section_get(s, key);

	if (!kv)
		s_fail(b, s->line, "[%s] %s: missing", s->name, key);
	else if (!*kv->value)
		s_fail(b, kv->line, "[%s] %s: empty", s->name, key);
	return b->failed ? NULL : kv;
}

/* A list item with the line it came from. */
typedef struct s_item {
	const char *text;       /* owned by the campaign */
	unsigned line;
} s_item_t;

/* Joins every "key = a, b, c" of s into items (owned by the campaign, in
 * file order). Refuses an empty item. *ret_items is NULL when there are
 * none. Returns 0 or the error. */
static int s_list(s_build_t *b, const inifile_section_t *s, const char *key,
		  s_item_t **ret_items, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	s_item_t *items = NULL;

	*ret_items = NULL;
	*ret_n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		const char *p = kv->value;

		if (strcmp(kv->key, key) != 0)
			continue;
		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char *item = s_own(b->c, s_trimdup(p, len));

			if (!item)
				goto oom;
			if (!*item) {
				free(items);
				return s_fail(b, kv->line, "[%s] %s: empty item in list", s->name, key);
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				s_item_t *nv = realloc(items, ncap * sizeof(*nv));

				if (!nv)
					goto oom;
				items = nv;
				cap = ncap;
			}
			items[n++] = (s_item_t){ item, kv->line };
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	if (n && !s_own(b->c, items))
		return s_oom(b);
	*ret_items = items;
	*ret_n = n;
	return 0;
oom:
	free(items);
	return s_oom(b);
}

/* Parses a date key of s into days; a bad or missing one is an error. */
static int s_date_key(s_build_t *b, const inifile_section_t *s, const char *key, int32_t *ret_day,
		      int *ret_year)
{
	const inifile_kv_t *kv = s_need(b, s, key);
	int y, m, d;

	if (!kv)
		return b->failed;
	if (!calendar_parse_date(kv->value, 1900, 9999, &y, &m, &d))
		return s_fail(b, kv->line, "[%s] %s: not a date (YYYY-MM-DD): '%s'",
			      s->name, key, kv->value);
	*ret_day = (int32_t)calendar_days(y, m, d);
	*ret_year = y;
	return 0;
}

/*
 * Parses a non-negative decimal with at most 4 places ("3", "0.5", "2.25")
 * into its value × 10^4; a trailing "%" is taken when pct is set. Returns
 * 0, -EINVAL (not such a number) or -ERANGE (over S_E4_MAX).
 */
static int s_parse_e4(const char *s, bool pct, int64_t *ret)
{
	int64_t v = 0;
	int places = -1, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && places < 0) {
			places = 0;
			continue;
		}
		if (*s == '%' && pct && s[1] == '\0')
			break;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		digits++;
		if (places >= 0 && ++places > 4)
			return -EINVAL;
		if (v > (S_E4_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || places == 0)
		return -EINVAL;    /* "", "%", "3." */
	for (int i = places < 0 ? 0 : places; i < 4; i++) {
		if (v > S_E4_MAX / 10)
			return -ERANGE;
		v *= 10;
	}
	*ret = v;
	return 0;
}

/* Parses a plain non-negative decimal integer (digits only) up to max. */
static bool s_parse_int(const char *s, int64_t max, int64_t *ret)
{
	int64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*ret = v;
	return true;
}

static bool s_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return true;
		}
	}
	return false;
}

static int s_level_find(const campaign_t *c, const char *level)
{
	for (size_t i = 0; i < c->nlevels; i++)
		if (strcmp(c->levels[i], level) == 0)
			return (int)i;
	return -1;
}

/* ======================================================================
 * [campaign]
 * ====================================================================== */

static const s_keyspec_t s_campaign_keys[] = {
	{ "id", false }, { "name", false }, { "plan", false }, { "start", false },
	{ "end", false }, { "baseline_date", false }, { "utc_offset", false },
	{ "levels", true }, { "reported_by", false }, { "partial", false },
	{ "baseline_file", false }, { NULL, false },
};

/*
 * Parses the reporting levels of kv, a non-empty key of section s ("all",
 * or declared levels, each once), into mask[nlevels] (zeroed by the
 * caller). Returns 0 or the error.
 */
static int s_reporters(s_build_t *b, const inifile_section_t *s, const inifile_kv_t *kv, bool *mask)
{
	const inifile_section_t one = { .name = s->name, .kv = kv, .n = 1 };  /* this line only */
	const char *key = kv->key;
	campaign_t *c = b->c;
	s_item_t *it;
	size_t n;

	if (s_list(b, &one, key, &it, &n))
		return b->failed;
	for (size_t i = 0; i < n; i++) {
		int l = s_level_find(c, it[i].text);

		if (strcmp(it[i].text, "all") == 0) {
			if (n > 1)
				return s_fail(b, it[i].line, "[%s] %s: 'all' stands alone (it means every "
					      "level)", s->name, key);
			for (size_t k = 0; k < c->nlevels; k++)
				mask[k] = true;
			continue;
		}
		if (l < 0)
			return s_fail(b, it[i].line, "[%s] %s: unknown level '%s' (not in [campaign] "
				      "levels)", s->name, key, it[i].text);
		if (mask[l])
			return s_fail(b, it[i].line, "[%s] %s: '%s' given twice", s->name, key, it[i].text);
		mask[l] = true;
	}
	return 0;
}

static int s_build_campaign(s_build_t *b, const inifile_section_t *s, const char **ret_bl, unsigned *ret_bl_line)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;
	s_item_t *lv;
	size_t nlv;

	if (*s->id)
		return s_fail(b, s->line, "[%s]: [campaign] takes no id", s->name);
	if (s_check_keys(b, s, s_campaign_keys))
		return b->failed;
	if (!(kv = s_need(b, s, "id")))
		return b->failed;
	if (!lnob_valid_id(kv->value))
		return s_fail(b, kv->line, "[campaign] id: bad id '%s' (1..64 of A-Za-z0-9._-)", kv->value);
	if (!(c->id = s_strdup(c, kv->value)))
		return s_oom(b);
	if (!(kv = s_need(b, s, "name")))
		return b->failed;
	if (!(c->name = s_strdup(c, kv->value)))
		return s_oom(b);
	kv = inifile_section_get(s, "plan");
	if (!(c->plan = s_strdup(c, kv ? kv->value : "")))
		return s_oom(b);
	if (s_date_key(b, s, "start", &c->start_day, &c->first_year) ||
	    s_date_key(b, s, "end", &c->end_day, &c->last_year) ||
	    s_date_key(b, s, "baseline_date", &c->base_day, &c->base_year))
		return b->failed;
	if (c->end_day < c->start_day)
		return s_fail(b, inifile_section_get(s, "end")->line, "[campaign] end: before start");
	if (c->base_day >= c->start_day)
		return s_fail(b, inifile_section_get(s, "baseline_date")->line,
			      "[campaign] baseline_date: must be before start");
	if (c->base_year >= c->last_year)
		return s_fail(b, inifile_section_get(s, "baseline_date")->line,
			      "[campaign] baseline_date: must be in a year before the campaign's last");
	c->utc_offset = 7 * 3600;
	if ((kv = inifile_section_get(s, "utc_offset")) && !calendar_parse_offset(kv->value, &c->utc_offset))
		return s_fail(b, kv->line, "[campaign] utc_offset: not an offset (+HH:MM): '%s'", kv->value);
	if (s_list(b, s, "levels", &lv, &nlv))
		return b->failed;
	if (nlv == 0)
		return s_fail(b, s->line, "[campaign] levels: missing");
	c->levels = s_zalloc(c, nlv * sizeof(*c->levels));
	if (!c->levels)
		return s_oom(b);
	c->levels_line = lv[0].line;
	for (size_t i = 0; i < nlv; i++) {
		if (s_level_find(c, lv[i].text) >= 0)
			return s_fail(b, lv[i].line, "[campaign] levels: '%s' given twice", lv[i].text);
		if (strcmp(lv[i].text, "all") == 0)
			return s_fail(b, lv[i].line, "[campaign] levels: 'all' is not a level name "
				      "(reported_by = all means every level)");
		c->levels[c->nlevels++] = (char *)lv[i].text;
	}
	/* Who reports the counts and amounts: by default the lowest level. */
	if (!(c->rep_default = s_zalloc(c, c->nlevels * sizeof(*c->rep_default))))
		return s_oom(b);
	kv = inifile_section_get(s, "reported_by");
	if (kv && !*kv->value)
		return s_fail(b, kv->line, "[campaign] reported_by: empty");
	if (!kv)
		c->rep_default[c->nlevels - 1] = true;
	else if (s_reporters(b, s, kv, c->rep_default))
		return b->failed;
	/* Verdicts on partial figures: judged on the comparable basis, or withheld. */
	if ((kv = inifile_section_get(s, "partial"))) {
		if (strcmp(kv->value, "withhold") == 0)
			c->withhold = true;
		else if (strcmp(kv->value, "comparable") != 0)
			return s_fail(b, kv->line, "[campaign] partial: expected comparable or withhold, "
				      "not '%s'", kv->value);
	}
	kv = inifile_section_get(s, "baseline_file");
	if (kv && !*kv->value)
		return s_fail(b, kv->line, "[campaign] baseline_file: empty");
	*ret_bl = kv ? kv->value : NULL;
	*ret_bl_line = kv ? kv->line : 0;
	return 0;
}

/* ======================================================================
 * [indicators] and [labels]
 * ====================================================================== */

static bool s_ends_vnd(const char *code)
{
	return report_code_is_amount(code);
}

/* Part names of sums and rates, by indicator, until resolved. */
typedef struct s_ind_raw {
	const char *part[CAMPAIGN_SUM_PARTS_MAX];
	size_t nparts;
	const char *num, *den;
} s_ind_raw_t;

/* Splits value after its first word at sep into trimmed parts (owned). */
static int s_split_parts(s_build_t *b, const inifile_kv_t *kv, const char *rest, char sep,
			 const char **parts, size_t max, size_t *ret_n)
{
	size_t n = 0;

	for (;;) {
		const char *q = strchr(rest, sep);
		size_t len = q ? (size_t)(q - rest) : strlen(rest);
		char *part = s_own(b->c, s_trimdup(rest, len));

		if (!part)
			return s_oom(b);
		if (n == max)
			return s_fail(b, kv->line, "[indicators] %s: more than %zu parts", kv->key, max);
		parts[n++] = part;
		if (!q)
			break;
		rest = q + 1;
	}
	*ret_n = n;
	return 0;
}

static int s_build_indicators(s_build_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	s_ind_raw_t raw[CAMPAIGN_INDICATORS_MAX] = { 0 };

	if (*s->id)
		return s_fail(b, s->line, "[%s]: [indicators] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		campaign_indicator_t *ind;
		const char *v = kv->value, *rest;
		size_t wlen;

		if (!lnob_valid_id(kv->key))
			return s_fail(b, kv->line, "[indicators] %s: bad indicator code (1..64 of A-Za-z0-9._-)",
				      kv->key);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->kv[j].key, kv->key) == 0)
				return s_fail(b, kv->line, "[indicators] %s: given twice (first on line %u)",
					      kv->key, s->kv[j].line);
		if (c->nind == CAMPAIGN_INDICATORS_MAX)
			return s_fail(b, kv->line, "[indicators] %s: more than %d indicators",
				      kv->key, CAMPAIGN_INDICATORS_MAX);
		ind = &c->ind[c->nind];
		*ind = (campaign_indicator_t){ .line = kv->line, .num = -1, .den = -1 };
		if (!(ind->code = s_strdup(c, kv->key)))
			return s_oom(b);
		ind->label = ind->code;
		for (wlen = 0; v[wlen] && !s_blank(v[wlen]); wlen++)
			;
		rest = v + wlen;
		while (*rest && s_blank(*rest))
			rest++;
		if (wlen == 5 && strncmp(v, "count", 5) == 0 && !*rest) {
			ind->kind = CAMPAIGN_IND_COUNT;
			if (s_ends_vnd(kv->key))
				return s_fail(b, kv->line, "[indicators] %s: a code ending in _vnd is an amount, "
					      "not a count", kv->key);
		} else if (wlen == 6 && strncmp(v, "amount", 6) == 0 && !*rest) {
			ind->kind = CAMPAIGN_IND_AMOUNT;
			if (!s_ends_vnd(kv->key))
				return s_fail(b, kv->line, "[indicators] %s: an amount's code must end in _vnd",
					      kv->key);
		} else if (wlen == 3 && strncmp(v, "sum", 3) == 0 && *rest) {
			ind->kind = CAMPAIGN_IND_SUM;
			if (s_split_parts(b, kv, rest, '+', raw[c->nind].part, CAMPAIGN_SUM_PARTS_MAX,
					  &raw[c->nind].nparts))
				return b->failed;
			if (raw[c->nind].nparts < 2)
				return s_fail(b, kv->line, "[indicators] %s: a sum needs 2 or more parts "
					      "(sum a + b)", kv->key);
		} else if (wlen == 4 && strncmp(v, "rate", 4) == 0 && *rest) {
			const char *p[2];
			size_t np = 0;

			ind->kind = CAMPAIGN_IND_RATE;
			if (strchr(rest, '/') == strrchr(rest, '/') && strchr(rest, '/') &&
			    s_split_parts(b, kv, rest, '/', p, 2, &np))
				return b->failed;
			if (np != 2)
				return s_fail(b, kv->line, "[indicators] %s: a rate is 'rate numerator / "
					      "denominator'", kv->key);
			raw[c->nind].num = p[0];
			raw[c->nind].den = p[1];
			if (s_ends_vnd(kv->key))
				return s_fail(b, kv->line, "[indicators] %s: a rate's code must not end in _vnd",
					      kv->key);
		} else {
			return s_fail(b, kv->line, "[indicators] %s: expected count, amount, "
				      "sum a + b ..., or rate a / b: '%s'", kv->key, v);
		}
		c->nind++;
	}
	if (c->nind == 0)
		return s_fail(b, s->line, "[indicators]: no indicator");

	/* Resolve the parts of sums and rates, now that every code is known. */
	for (size_t i = 0; i < c->nind; i++) {
		campaign_indicator_t *ind = &c->ind[i];
		const s_ind_raw_t *r = &raw[i];

		if (ind->kind == CAMPAIGN_IND_SUM) {
			for (size_t k = 0; k < r->nparts; k++) {
				int j = campaign_indicator_find(c, r->part[k]);
				const campaign_indicator_t *pj;

				if (j < 0)
					return s_fail(b, ind->line, "[indicators] %s: unknown indicator '%s'",
						      ind->code, r->part[k]);
				pj = &c->ind[j];
				if (pj->kind != CAMPAIGN_IND_COUNT && pj->kind != CAMPAIGN_IND_AMOUNT)
					return s_fail(b, ind->line, "[indicators] %s: '%s' is derived; a sum "
						      "adds counts or amounts", ind->code, pj->code);
				if (k > 0 && (pj->kind == CAMPAIGN_IND_AMOUNT) != ind->amounts)
					return s_fail(b, ind->line, "[indicators] %s: a sum adds counts or "
						      "amounts, not both", ind->code);
				ind->amounts = pj->kind == CAMPAIGN_IND_AMOUNT;
				for (size_t q = 0; q < k; q++)
					if (ind->parts[q] == j)
						return s_fail(b, ind->line, "[indicators] %s: '%s' given twice",
							      ind->code, pj->code);
				ind->parts[ind->nparts++] = j;
			}
			if (ind->amounts != s_ends_vnd(ind->code))
				return s_fail(b, ind->line, ind->amounts ?
					      "[indicators] %s: a sum of amounts must end in _vnd" :
					      "[indicators] %s: a sum of counts must not end in _vnd",
					      ind->code);
		} else if (ind->kind == CAMPAIGN_IND_RATE) {
			const char *names[2] = { r->num, r->den };
			int *slots[2] = { &ind->num, &ind->den };
			static const char *const role[2] = { "numerator", "denominator" };

			for (int k = 0; k < 2; k++) {
				int j = campaign_indicator_find(c, names[k]);
				const campaign_indicator_t *pj;

				if (j < 0)
					return s_fail(b, ind->line, "[indicators] %s: unknown indicator '%s'",
						      ind->code, names[k]);
				pj = &c->ind[j];
				if (!(pj->kind == CAMPAIGN_IND_COUNT ||
				      (pj->kind == CAMPAIGN_IND_SUM && !pj->amounts)))
					return s_fail(b, ind->line, "[indicators] %s: %s '%s' is %s, not a count",
						      ind->code, role[k], pj->code,
						      pj->kind == CAMPAIGN_IND_AMOUNT ? "an amount" :
						      pj->kind == CAMPAIGN_IND_RATE ? "a rate" :
						      "a sum of amounts");
				*slots[k] = j;
			}
		}
	}
	return 0;
}

static int s_build_labels(s_build_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (*s->id)
		return s_fail(b, s->line, "[%s]: [labels] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int j = campaign_indicator_find(c, kv->key);

		if (j < 0)
			return s_fail(b, kv->line, "[labels] %s: unknown indicator", kv->key);
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->kv[k].key, kv->key) == 0)
				return s_fail(b, kv->line, "[labels] %s: given twice (first on line %u)",
					      kv->key, s->kv[k].line);
		if (!*kv->value)
			return s_fail(b, kv->line, "[labels] %s: empty", kv->key);
		if (!(c->ind[j].label = s_strdup(c, kv->value)))
			return s_oom(b);
	}
	return 0;
}

/* ======================================================================
 * [reported_by]: the reporting levels of each reported indicator
 * ====================================================================== */

/* Gives every count and amount the levels of [campaign] reported_by, then
 * applies the exceptions of [reported_by] (s, may be NULL). */
static int s_build_reported_by(s_build_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (!(c->rep_by = s_zalloc(c, c->nind * c->nlevels * sizeof(*c->rep_by))))
		return s_oom(b);
	for (size_t i = 0; i < c->nind; i++)
		if (c->ind[i].kind == CAMPAIGN_IND_COUNT || c->ind[i].kind == CAMPAIGN_IND_AMOUNT)
			memcpy(&c->rep_by[i * c->nlevels], c->rep_default,
			       c->nlevels * sizeof(*c->rep_by));
	if (!s)
		return 0;
	if (*s->id)
		return s_fail(b, s->line, "[%s]: [reported_by] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int j = campaign_indicator_find(c, kv->key);
		bool *mask;

		if (j < 0)
			return s_fail(b, kv->line, "[reported_by] %s: unknown indicator (not in "
				      "[indicators])", kv->key);
		if (c->ind[j].kind != CAMPAIGN_IND_COUNT && c->ind[j].kind != CAMPAIGN_IND_AMOUNT)
			return s_fail(b, kv->line, "[reported_by] %s: a derived indicator is never "
				      "reported (a %s is computed from the counts)", kv->key,
				      c->ind[j].kind == CAMPAIGN_IND_SUM ? "sum" : "rate");
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->kv[k].key, kv->key) == 0)
				return s_fail(b, kv->line, "[reported_by] %s: given twice (first on "
					      "line %u)", kv->key, s->kv[k].line);
		if (!*kv->value)
			return s_fail(b, kv->line, "[reported_by] %s: empty", kv->key);
		mask = &c->rep_by[(size_t)j * c->nlevels];
		memset(mask, 0, c->nlevels * sizeof(*mask));
		if (s_reporters(b, s, kv, mask))
			return b->failed;
	}
	return 0;
}

/* ======================================================================
 * Deadlines: [deadlines] and a period's deadline.<level>
 * ====================================================================== */

static int s_build_deadlines(s_build_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (*s->id)
		return s_fail(b, s->line, "[%s]: [deadlines] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int l = s_level_find(c, kv->key);
		s_deadline_t *d;

		if (l < 0)
			return s_fail(b, kv->line, "[deadlines] %s: not a level of [campaign] levels", kv->key);
		d = &c->annual[l];
		if (d->set)
			return s_fail(b, kv->line, "[deadlines] %s: given twice (first on line %u)",
				      kv->key, d->line);
		d->line = kv->line;
		if (!(d->set = calendar_parse_deadline(kv->value, false, &d->when)))
			return s_fail(b, kv->line, "[deadlines] %s: expected 'before MM-DD [HH:MM]' or "
				      "'by MM-DD [HH:MM]': '%s'", kv->key, kv->value);
	}
	return 0;
}

/* ======================================================================
 * [period ID]
 * ====================================================================== */

static const s_keyspec_t s_period_keys[] = {
	{ "kind", false }, { "start", false }, { "end", false }, { "years", false },
	{ "previous", false }, { "deadline.*", false }, { NULL, false },
};

static int s_build_period(s_build_t *b, const inifile_section_t *s, size_t pi)
{
	campaign_t *c = b->c;
	campaign_period_t *p = &c->periods[pi];
	const inifile_kv_t *kv;
	int64_t years;

	if (!lnob_valid_id(s->id))
		return s_fail(b, s->line, "[%s]: bad period id '%s' (1..64 of A-Za-z0-9._-)",
			      s->name, s->id);
	if (s_check_keys(b, s, s_period_keys))
		return b->failed;
	p->id = s->id;
	p->line = s->line;
	p->previous = -1;
	if (!(kv = s_need(b, s, "kind")))
		return b->failed;
	if (strcmp(kv->value, "year") == 0)
		p->kind = CAMPAIGN_PERIOD_YEAR;
	else if (strcmp(kv->value, "midterm") == 0)
		p->kind = CAMPAIGN_PERIOD_MIDTERM;
	else if (strcmp(kv->value, "final") == 0)
		p->kind = CAMPAIGN_PERIOD_FINAL;
	else
		return s_fail(b, kv->line, "[%s] kind: expected year, midterm or final: '%s'",
			      s->name, kv->value);
	if (s_date_key(b, s, "start", &p->start_day, &p->start_year) ||
	    s_date_key(b, s, "end", &p->end_day, &p->end_year))
		return b->failed;
	if (p->end_day < p->start_day)
		return s_fail(b, inifile_section_get(s, "end")->line, "[%s] end: before start", s->name);
	if (p->start_day < c->start_day || p->end_day > c->end_day)
		return s_fail(b, inifile_section_get(s, p->start_day < c->start_day ? "start" : "end")->line,
			      "[%s]: outside the campaign's start and end", s->name);
	years = p->end_year - c->base_year;
	if ((kv = inifile_section_get(s, "years")) && !s_parse_int(kv->value, S_YEARS_MAX, &years))
		return s_fail(b, kv->line, "[%s] years: not a number of years: '%s'", s->name, kv->value);
	if (years < 1)
		return s_fail(b, kv ? kv->line : s->line,
			      "[%s] years: must be at least 1 (the campaign years since the baseline)",
			      s->name);
	p->years = (unsigned)years;
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *d = &s->kv[i];
		const char *level;
		s_deadline_t *slot;
		int l;

		if (strncmp(d->key, "deadline.", 9) != 0)
			continue;
		level = d->key + 9;
		if ((l = s_level_find(c, level)) < 0)
			return s_fail(b, d->line, "[%s] %s: '%s' is not a level of [campaign] levels",
				      s->name, d->key, level);
		slot = &c->pdl[pi * c->nlevels + (size_t)l];
		slot->line = d->line;
		if (!(slot->set = calendar_parse_deadline(d->value, true, &slot->when)))
			return s_fail(b, d->line, "[%s] %s: expected 'before YYYY-MM-DD [HH:MM]' or "
				      "'by YYYY-MM-DD [HH:MM]': '%s'", s->name, d->key, d->value);
	}
	return 0;
}

/* Sets every period's previous, from its key or by default. */
static int s_link_periods(s_build_t *b, const inifile_section_t *const *psecs)
{
	campaign_t *c = b->c;

	for (size_t i = 0; i < c->nperiods; i++) {
		campaign_period_t *p = &c->periods[i];
		const inifile_kv_t *kv = inifile_section_get(psecs[i], "previous");

		if (kv) {
			const campaign_period_t *q = campaign_period_find(c, kv->value);

			if (!q)
				return s_fail(b, kv->line, "[%s] previous: unknown period '%s'",
					      psecs[i]->name, kv->value);
			if (q->end_day >= p->end_day)
				return s_fail(b, kv->line, "[%s] previous: '%s' does not end before it",
					      psecs[i]->name, kv->value);
			p->previous = (int)(q - c->periods);
			continue;
		}
		for (size_t j = 0; j < c->nperiods; j++) {
			const campaign_period_t *q = &c->periods[j];

			if (q->kind != CAMPAIGN_PERIOD_YEAR || q->end_day >= p->end_day)
				continue;
			if (p->previous < 0 || q->end_day > c->periods[p->previous].end_day)
				p->previous = (int)j;
		}
	}
	return 0;
}

/* ======================================================================
 * [target ID]
 * ====================================================================== */

static const s_keyspec_t s_target_keys[] = {
	{ "units", true }, { "levels", true }, { "cascade", true }, { "goal", false },
	{ "periods", true }, { "indicator", false }, { "down_points", false },
	{ "down_percent", false }, { "below", false }, { "at_most", false },
	{ "at_least", false }, { "any_of", true }, { "basis", false }, { "pace", false },
	{ "by", false }, { "strict", false }, { "source", false }, { NULL, false },
};

static const char *const s_form_keys[] = {
	[CAMPAIGN_DOWN_POINTS] = "down_points", [CAMPAIGN_DOWN_PERCENT] = "down_percent",
	[CAMPAIGN_BELOW] = "below", [CAMPAIGN_AT_MOST] = "at_most",
	[CAMPAIGN_AT_LEAST] = "at_least", [CAMPAIGN_ANY_OF] = "any_of",
};

static bool s_is_down(campaign_form_t f)
{
	return f == CAMPAIGN_DOWN_POINTS || f == CAMPAIGN_DOWN_PERCENT;
}

/* Parses the form's value of a target t whose indicator is known. */
static int s_target_value(s_build_t *b, const inifile_section_t *s, campaign_target_t *t, const inifile_kv_t *kv)
{
	const campaign_indicator_t *ind = &b->c->ind[t->indicator];
	bool rate = ind->kind == CAMPAIGN_IND_RATE;
	int r;

	switch (t->form) {
	case CAMPAIGN_DOWN_POINTS:
		if (!rate)
			return s_fail(b, kv->line, "[%s] down_points: needs a rate; '%s' is not one "
				      "(use down_percent to scale a count down)", s->name, ind->code);
		r = s_parse_e4(kv->value, true, &t->value_e4);
		if (r || t->value_e4 <= 0 || t->value_e4 > (int64_t)100 * S_E4)
			return s_fail(b, kv->line, "[%s] down_points: expected percentage points "
				      "above 0, at most 100, 4 decimals at most: '%s'", s->name, kv->value);
		return 0;
	case CAMPAIGN_DOWN_PERCENT:
		r = s_parse_e4(kv->value, true, &t->value_e4);
		if (r || t->value_e4 <= 0 || t->value_e4 > (int64_t)100 * S_E4)
			return s_fail(b, kv->line, "[%s] down_percent: expected a percentage above 0, "
				      "at most 100, 4 decimals at most: '%s'", s->name, kv->value);
		return 0;
	default:
		r = s_parse_e4(kv->value, rate, &t->value_e4);
		if (rate && (r || t->value_e4 > (int64_t)100 * S_E4))
			return s_fail(b, kv->line, "[%s] %s: expected a percentage 0..100, 4 decimals "
				      "at most: '%s'", s->name, kv->key, kv->value);
		if (!rate && (r || t->value_e4 % S_E4 != 0))
			return s_fail(b, kv->line, "[%s] %s: '%s' is %s: expected a whole number up to "
				      "10^14: '%s'", s->name, kv->key, ind->code,
				      ind->kind == CAMPAIGN_IND_AMOUNT || ind->amounts ? "an amount" : "a count",
				      kv->value);
		return 0;
	}
}

/* A target's form, indicator, value, basis, pace, strict and by. */
static int s_target_form(s_build_t *b, const inifile_section_t *s, campaign_target_t *t)
{
	campaign_t *c = b->c;
	const inifile_kv_t *form_kv = NULL, *kv;

	/* The form: exactly one. */
	for (size_t i = 0; i < s->n; i++) {
		for (int f = 0; f <= CAMPAIGN_ANY_OF; f++) {
			if (strcmp(s->kv[i].key, s_form_keys[f]) != 0)
				continue;
			if (form_kv && strcmp(form_kv->key, s->kv[i].key) != 0)
				return s_fail(b, s->kv[i].line, "[%s] %s: a target has one form; "
					      "%s is on line %u", s->name, s->kv[i].key, form_kv->key,
					      form_kv->line);
			if (!form_kv)
				form_kv = &s->kv[i];
			t->form = (campaign_form_t)f;
		}
	}
	if (!form_kv)
		return s_fail(b, s->line, "[%s]: no form (down_points, down_percent, below, at_most, "
			      "at_least or any_of)", s->name);

	/* The indicator and the value. */
	kv = inifile_section_get(s, "indicator");
	if (t->form == CAMPAIGN_ANY_OF) {
		if (kv)
			return s_fail(b, kv->line, "[%s] indicator: an any_of target takes its "
				      "alternatives' indicators", s->name);
	} else {
		if (!(kv = s_need(b, s, "indicator")))
			return b->failed;
		t->indicator = campaign_indicator_find(c, kv->value);
		if (t->indicator < 0)
			return s_fail(b, kv->line, "[%s] indicator: unknown indicator '%s'", s->name, kv->value);
		if (s_target_value(b, s, t, form_kv))
			return b->failed;
	}

	/* basis, pace, strict, by. */
	t->basis = CAMPAIGN_BASIS_AVERAGE;
	if ((kv = inifile_section_get(s, "basis"))) {
		if (!s_is_down(t->form))
			return s_fail(b, kv->line, "[%s] basis: only for down_points and down_percent",
				      s->name);
		if (strcmp(kv->value, "average") == 0)
			t->basis = CAMPAIGN_BASIS_AVERAGE;
		else if (strcmp(kv->value, "annual") == 0)
			t->basis = CAMPAIGN_BASIS_ANNUAL;
		else
			return s_fail(b, kv->line, "[%s] basis: expected average or annual: '%s'",
				      s->name, kv->value);
	}
	t->pace = CAMPAIGN_PACE_LINEAR;
	if ((kv = inifile_section_get(s, "pace"))) {
		if (t->form == CAMPAIGN_ANY_OF || t->basis == CAMPAIGN_BASIS_ANNUAL)
			return s_fail(b, kv->line, "[%s] pace: not with %s", s->name,
				      t->form == CAMPAIGN_ANY_OF ? "any_of" : "basis = annual");
		if (strcmp(kv->value, "linear") == 0)
			t->pace = CAMPAIGN_PACE_LINEAR;
		else if (strcmp(kv->value, "end") == 0)
			t->pace = CAMPAIGN_PACE_END;
		else
			return s_fail(b, kv->line, "[%s] pace: expected linear or end: '%s'",
				      s->name, kv->value);
	}
	if ((kv = inifile_section_get(s, "strict"))) {
		if (!s_is_down(t->form))
			return s_fail(b, kv->line, "[%s] strict: only for down_points and down_percent "
				      "(below is strict, at_most is not)", s->name);
		if (!s_parse_bool(kv->value, &t->strict))
			return s_fail(b, kv->line, "[%s] strict: expected yes or no: '%s'", s->name, kv->value);
	}
	t->by_year = c->last_year;
	if ((kv = inifile_section_get(s, "by"))) {
		int64_t y;

		if (t->form == CAMPAIGN_ANY_OF)
			return s_fail(b, kv->line, "[%s] by: not with any_of", s->name);
		if (!s_parse_int(kv->value, 9999, &y) || y <= c->base_year || y > c->last_year)
			return s_fail(b, kv->line, "[%s] by: expected a year after the baseline's, up to "
				      "%d: '%s'", s->name, c->last_year, kv->value);
		t->by_year = (int)y;
	}
	t->term = (unsigned)(t->by_year - c->base_year);
	return 0;
}

/* A target's scope: units, levels, cascade; alternatives have none. */
static int s_target_scope(s_build_t *b, const inifile_section_t *s, campaign_target_t *t, s_target_x_t *x)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;
	s_item_t *items;
	size_t n;

	if (s_list(b, s, "units", &items, &n))
		return b->failed;
	if (n) {
		const char **u = s_zalloc(c, n * sizeof(*u));

		x->unit_lines = s_zalloc(c, n * sizeof(*x->unit_lines));
		if (!u || !x->unit_lines)
			return s_oom(b);
		for (size_t i = 0; i < n; i++) {
			if (!lnob_valid_id(items[i].text))
				return s_fail(b, items[i].line, "[%s] units: bad unit code '%s'",
					      s->name, items[i].text);
			for (size_t j = 0; j < i; j++)
				if (strcmp(u[j], items[i].text) == 0)
					return s_fail(b, items[i].line, "[%s] units: '%s' given twice",
						      s->name, items[i].text);
			u[i] = items[i].text;
			x->unit_lines[i] = items[i].line;
		}
		t->units = u;
		t->nunits = n;
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *key = pass ? "cascade" : "levels";
		const char **l;

		if (s_list(b, s, key, &items, &n))
			return b->failed;
		if (!n)
			continue;
		if (!(l = s_zalloc(c, n * sizeof(*l))))
			return s_oom(b);
		for (size_t i = 0; i < n; i++) {
			int li = s_level_find(c, items[i].text);

			if (li < 0)
				return s_fail(b, items[i].line, "[%s] %s: '%s' is not a level of [campaign] "
					      "levels", s->name, key, items[i].text);
			for (size_t j = 0; j < i; j++)
				if (strcmp(l[j], items[i].text) == 0)
					return s_fail(b, items[i].line, "[%s] %s: '%s' given twice",
						      s->name, key, items[i].text);
			/* A level target cascades only downwards. */
			for (size_t j = 0; pass && j < t->nlevels; j++)
				if (s_level_find(c, t->levels[j]) >= li)
					return s_fail(b, items[i].line, "[%s] cascade: '%s' is not below "
						      "level '%s'", s->name, items[i].text, t->levels[j]);
			l[i] = items[i].text;
		}
		if (pass) {
			t->cascade = l;
			t->ncascade = n;
		} else {
			t->levels = l;
			t->nlevels = n;
			x->levels_line = items[0].line;
		}
	}
	t->alternative = t->nunits == 0 && t->nlevels == 0;
	if (t->alternative) {
		static const char *const scoped_only[] = { "cascade", "goal", "periods" };

		for (size_t i = 0; i < 3; i++)
			if ((kv = inifile_section_get(s, scoped_only[i])))
				return s_fail(b, kv->line, "[%s] %s: only for a target with units or levels",
					      s->name, scoped_only[i]);
		if (t->form == CAMPAIGN_ANY_OF)
			return s_fail(b, s->line, "[%s]: an any_of target needs units or levels", s->name);
	}
	return 0;
}

/* First pass over one target: everything but any_of references and
 * conflicts. */
static int s_build_target(s_build_t *b, const inifile_section_t *s, size_t ti)
{
	campaign_t *c = b->c;
	campaign_target_t *t = &c->targets[ti];
	const inifile_kv_t *kv;
	s_item_t *items;
	size_t n;

	if (!lnob_valid_id(s->id))
		return s_fail(b, s->line, "[%s]: bad target id '%s' (1..64 of A-Za-z0-9._-)",
			      s->name, s->id);
	if (s_check_keys(b, s, s_target_keys))
		return b->failed;
	t->id = s->id;
	t->line = s->line;
	t->indicator = -1;
	kv = inifile_section_get(s, "source");
	t->source = kv ? kv->value : "";
	if (s_target_form(b, s, t) || s_target_scope(b, s, t, &c->tx[ti]))
		return b->failed;

	/* Periods. */
	if (s_list(b, s, "periods", &items, &n))
		return b->failed;
	if (n) {
		int *pi = s_zalloc(c, n * sizeof(*pi));

		if (!pi)
			return s_oom(b);
		for (size_t i = 0; i < n; i++) {
			const campaign_period_t *p = campaign_period_find(c, items[i].text);

			if (!p)
				return s_fail(b, items[i].line, "[%s] periods: unknown period '%s'",
					      s->name, items[i].text);
			pi[i] = (int)(p - c->periods);
			for (size_t j = 0; j < i; j++)
				if (pi[j] == pi[i])
					return s_fail(b, items[i].line, "[%s] periods: '%s' given twice",
						      s->name, items[i].text);
		}
		t->periods = pi;
		t->nperiods = n;
	}

	/* Goal (the any_of default is set once alternatives are linked). */
	if ((kv = inifile_section_get(s, "goal"))) {
		if (!lnob_valid_id(kv->value))
			return s_fail(b, kv->line, "[%s] goal: bad goal id '%s'", s->name, kv->value);
		t->goal = kv->value;
	} else if (t->indicator >= 0) {
		t->goal = c->ind[t->indicator].code;
	}
	return 0;
}

/* Second pass: links any_of to alternatives, checks every alternative is
 * used. */
static int s_link_targets(s_build_t *b, const inifile_section_t *const *tsecs)
{
	campaign_t *c = b->c;
	bool *used = calloc(c->ntargets ? c->ntargets : 1, sizeof(*used));
	int r = 0;

	if (!used)
		return s_oom(b);
	for (size_t i = 0; i < c->ntargets && !r; i++) {
		campaign_target_t *t = &c->targets[i];
		const campaign_target_t **alts;
		s_item_t *items;
		size_t n;

		if (t->form != CAMPAIGN_ANY_OF)
			continue;
		if ((r = s_list(b, tsecs[i], "any_of", &items, &n)))
			break;
		if (n < 2) {
			r = s_fail(b, inifile_section_get(tsecs[i], "any_of")->line,
				   "[%s] any_of: needs two or more targets", tsecs[i]->name);
			break;
		}
		if (!(alts = s_zalloc(c, n * sizeof(*alts)))) {
			r = s_oom(b);
			break;
		}
		for (size_t k = 0; k < n && !r; k++) {
			const campaign_target_t *a = campaign_target_find(c, items[k].text);

			if (!a) {
				r = s_fail(b, items[k].line, "[%s] any_of: unknown target '%s'",
					   tsecs[i]->name, items[k].text);
				break;
			}
			if (!a->alternative)
				r = s_fail(b, items[k].line, "[%s] any_of: '%s' has units or levels of its "
					   "own; an alternative has none", tsecs[i]->name, a->id);
			for (size_t j = 0; j < k && !r; j++)
				if (alts[j] == a)
					r = s_fail(b, items[k].line, "[%s] any_of: '%s' given twice",
						   tsecs[i]->name, a->id);
			if (!r) {
				alts[k] = a;
				used[a - c->targets] = true;
			}
		}
		if (r)
			break;
		t->alts = alts;
		t->nalts = n;
		if (!t->goal)
			t->goal = c->ind[alts[0]->indicator].code;
	}
	for (size_t i = 0; i < c->ntargets && !r; i++)
		if (c->targets[i].alternative && !used[i])
			r = s_fail(b, c->targets[i].line, "[%s]: no units or levels, and no any_of "
				   "lists it", tsecs[i]->name);
	free(used);
	return r;
}

/* True when targets a and b are both active in some period. */
static bool s_periods_overlap(const campaign_target_t *a, const campaign_target_t *b)
{
	if (!a->periods || !b->periods)
		return true;
	for (size_t i = 0; i < a->nperiods; i++)
		for (size_t j = 0; j < b->nperiods; j++)
			if (a->periods[i] == b->periods[j])
				return true;
	return false;
}

/* Refuses two targets of one goal on the same unit or level in a period:
 * campaign_target_for() could not choose. */
static int s_check_conflicts(s_build_t *b)
{
	campaign_t *c = b->c;

	for (size_t j = 0; j < c->ntargets; j++) {
		const campaign_target_t *tj = &c->targets[j];

		for (size_t i = 0; i < j && !tj->alternative; i++) {
			const campaign_target_t *ti = &c->targets[i];

			if (ti->alternative || strcmp(ti->goal, tj->goal) != 0 ||
			    !s_periods_overlap(ti, tj))
				continue;
			for (size_t u = 0; u < tj->nunits; u++)
				for (size_t v = 0; v < ti->nunits; v++)
					if (strcmp(tj->units[u], ti->units[v]) == 0)
						return s_fail(b, c->tx[j].unit_lines[u], "[target %s] units: "
							      "'%s' already has a target for goal '%s' "
							      "(target %s, line %u)", tj->id, tj->units[u],
							      tj->goal, ti->id, ti->line);
			for (size_t u = 0; u < tj->nlevels; u++)
				for (size_t v = 0; v < ti->nlevels; v++)
					if (strcmp(tj->levels[u], ti->levels[v]) == 0)
						return s_fail(b, c->tx[j].levels_line, "[target %s] levels: "
							      "'%s' already has a target for goal '%s' "
							      "(target %s, line %u)", tj->id, tj->levels[u],
							      tj->goal, ti->id, ti->line);
		}
	}
	return 0;
}

/* ======================================================================
 * [cluster ID]
 * ====================================================================== */

static const s_keyspec_t s_cluster_keys[] = {
	{ "name", false }, { "members", true }, { "note", false }, { NULL, false },
};

static int s_build_cluster(s_build_t *b, const inifile_section_t *s, size_t ci)
{
	campaign_t *c = b->c;
	campaign_cluster_t *cl = &c->clusters[ci];
	const inifile_kv_t *kv;
	s_item_t *items;
	const char **m;
	size_t n;

	if (!lnob_valid_id(s->id))
		return s_fail(b, s->line, "[%s]: bad cluster id '%s' (1..64 of A-Za-z0-9._-)",
			      s->name, s->id);
	if (s_check_keys(b, s, s_cluster_keys))
		return b->failed;
	cl->id = s->id;
	cl->line = s->line;
	if (!(kv = s_need(b, s, "name")))
		return b->failed;
	cl->name = kv->value;
	if (s_list(b, s, "members", &items, &n))
		return b->failed;
	if (n == 0)
		return s_fail(b, s->line, "[%s] members: missing", s->name);
	m = s_zalloc(c, n * sizeof(*m));
	c->member_lines[ci] = s_zalloc(c, n * sizeof(**c->member_lines));
	if (!m || !c->member_lines[ci])
		return s_oom(b);
	for (size_t i = 0; i < n; i++) {
		if (!lnob_valid_id(items[i].text))
			return s_fail(b, items[i].line, "[%s] members: bad unit code '%s'", s->name,
				      items[i].text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(m[j], items[i].text) == 0)
				return s_fail(b, items[i].line, "[%s] members: '%s' given twice (line %u)",
					      s->name, items[i].text, c->member_lines[ci][j]);
		m[i] = items[i].text;
		c->member_lines[ci][i] = items[i].line;
	}
	cl->members = m;
	cl->nmembers = n;
	return 0;
}

/* ======================================================================
 * [awards] and [award ID]
 * ====================================================================== */

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

static const s_keyspec_t s_awards_keys[] = {
	{ "sanctions", true }, { "disqualify", false }, { "label.*", false },
	{ "source", false }, { NULL, false },
};

static const s_keyspec_t s_award_keys[] = {
	{ "form", false }, { "occasion", false }, { "periods", true }, { "nominees", true },
	{ "achievement", false }, { "progress", false }, { "contribution", false },
	{ "contribution.*", false }, { "targets", false }, { "goals", true },
	{ "disqualify", false }, { "source", false }, { NULL, false },
};

/* The sanction level named by a disqualify key (1..n), or an error. */
static int s_disqualify_level(s_build_t *b, const inifile_section_t *s, const inifile_kv_t *kv, int *ret)
{
	int l = campaign_sanction_find(b->c, kv->value);

	if (l < 1)
		return s_fail(b, kv->line, "[%s] disqualify: '%s' is not one of the sanctions "
			      "([awards] sanctions)", s->name, kv->value);
	*ret = l;
	return 0;
}

/* [awards] (s may be NULL: the defaults). */
static int s_build_awards(s_build_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	s_item_t *items = NULL;
	size_t n = 0;
	const inifile_kv_t *kv;

	if (s && *s->id)
		return s_fail(b, s->line, "[%s]: [awards] takes no id", s->name);
	if (s && (s_check_keys(b, s, s_awards_keys) || s_list(b, s, "sanctions", &items, &n)))
		return b->failed;
	if (n == 0) {
		c->sanctions = s_default_sanctions;
		c->nsanctions = sizeof(s_default_sanctions) / sizeof(s_default_sanctions[0]);
	} else {
		const char **sv = s_zalloc(c, n * sizeof(*sv));

		if (!sv)
			return s_oom(b);
		c->sanctions = sv;
		for (size_t i = 0; i < n; i++) {
			if (!lnob_valid_id(items[i].text))
				return s_fail(b, items[i].line, "[awards] sanctions: bad code '%s'",
					      items[i].text);
			if (strcmp(items[i].text, "none") == 0)
				return s_fail(b, items[i].line, "[awards] sanctions: 'none' is reserved "
					      "(the level below every sanction)");
			if (campaign_sanction_find(c, items[i].text) >= 0)
				return s_fail(b, items[i].line, "[awards] sanctions: '%s' given twice",
					      items[i].text);
			sv[c->nsanctions++] = items[i].text;
		}
	}
	if (!s)
		return 0;
	if ((kv = inifile_section_get(s, "disqualify")) && s_disqualify_level(b, s, kv, &c->disqualify))
		return b->failed;
	for (size_t i = 0; i < s->n; i++) {
		int f;

		kv = &s->kv[i];
		if (strncmp(kv->key, "label.", 6) != 0)
			continue;
		if ((f = campaign_award_form_find(kv->key + 6)) < 0)
			return s_fail(b, kv->line, "[awards] %s: unknown award form '%s' (giay_khen, "
				      "bang_khen_province, bang_khen_pm, huan_chuong_lao_dong)",
				      kv->key, kv->key + 6);
		if (!*kv->value)
			return s_fail(b, kv->line, "[awards] %s: empty", kv->key);
		c->form_label[f] = kv->value;
	}
	return 0;
}

/* Skips blanks; reads ">=" or ">" into *strict; returns what follows (blanks
 * skipped), or NULL when there is no operator. */
static const char *s_parse_op(const char *p, bool *strict)
{
	while (*p && s_blank(*p))
		p++;
	if (p[0] != '>')
		return NULL;
	*strict = p[1] != '=';
	p += *strict ? 1 : 2;
	while (*p && s_blank(*p))
		p++;
	return p;
}

/* achievement / progress = ">= P%" or "> P%" (P: 2 decimals, 0 < P <= 1000). */
static int s_award_threshold(s_build_t *b, const inifile_section_t *s, const char *key,
			     campaign_threshold_t *ret)
{
	const inifile_kv_t *kv = inifile_section_get(s, key);
	const char *p;
	int64_t v;

	if (!kv)
		return 0;
	p = s_parse_op(kv->value, &ret->strict);
	if (!p || !*p || p[strlen(p) - 1] != '%' || s_parse_e4(p, true, &v) || v % 100 != 0 ||
	    v <= 0 || v > (int64_t)1000 * S_E4)
		return s_fail(b, kv->line, "[%s] %s: expected '>= P%%' or '> P%%' with P above 0, "
			      "at most 1000, 2 decimals at most: '%s'", s->name, key, kv->value);
	ret->set = true;
	ret->bp = v / 100;
	ret->line = kv->line;
	return 0;
}

/* contribution[.kind] = "CODE >= N" or "CODE > N". */
static int s_award_contrib(s_build_t *b, const inifile_section_t *s, const inifile_kv_t *kv,
			   campaign_contrib_rule_t *ret)
{
	const campaign_indicator_t *ind;
	char code[72];
	const char *p = kv->value;
	size_t len;

	for (len = 0; p[len] && !s_blank(p[len]) && p[len] != '>'; len++)
		;
	if (len == 0 || len >= sizeof(code))
		goto bad;
	memcpy(code, p, len);
	code[len] = '\0';
	ret->indicator = campaign_indicator_find(b->c, code);
	if (ret->indicator < 0)
		return s_fail(b, kv->line, "[%s] %s: unknown indicator '%s'", s->name, kv->key, code);
	ind = &b->c->ind[ret->indicator];
	if (!(ind->kind == CAMPAIGN_IND_AMOUNT || (ind->kind == CAMPAIGN_IND_SUM && ind->amounts)))
		return s_fail(b, kv->line, "[%s] %s: '%s' is not an amount (a contribution is in "
			      "dong: an amount or a sum of amounts)", s->name, kv->key, code);
	if (!(p = s_parse_op(p + len, &ret->strict)) || !s_parse_int(p, S_CONTRIB_MAX, &ret->amount))
		goto bad;
	ret->line = kv->line;
	return 0;
bad:
	return s_fail(b, kv->line, "[%s] %s: expected 'CODE >= N' or 'CODE > N' (N a whole "
		      "number of dong): '%s'", s->name, kv->key, kv->value);
}

/* The rule's form, occasion, periods and nominees. */
static int s_award_head(s_build_t *b, const inifile_section_t *s, campaign_award_rule_t *r)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;
	s_item_t *items;
	size_t n;
	int f;

	if (!(kv = s_need(b, s, "form")))
		return b->failed;
	if ((f = campaign_award_form_find(kv->value)) < 0)
		return s_fail(b, kv->line, "[%s] form: expected giay_khen, bang_khen_province, "
			      "bang_khen_pm or huan_chuong_lao_dong: '%s'", s->name, kv->value);
	r->form = (campaign_award_form_t)f;
	if (!(kv = s_need(b, s, "occasion")))
		return b->failed;
	if (strcmp(kv->value, "annual") == 0)
		r->occasion = CAMPAIGN_PERIOD_YEAR;
	else if (strcmp(kv->value, "midterm") == 0)
		r->occasion = CAMPAIGN_PERIOD_MIDTERM;
	else if (strcmp(kv->value, "final") == 0)
		r->occasion = CAMPAIGN_PERIOD_FINAL;
	else
		return s_fail(b, kv->line, "[%s] occasion: expected annual, midterm or final: '%s'",
			      s->name, kv->value);
	if (s_list(b, s, "periods", &items, &n))
		return b->failed;
	if (n) {
		int *pi = s_zalloc(c, n * sizeof(*pi));

		if (!pi)
			return s_oom(b);
		for (size_t i = 0; i < n; i++) {
			const campaign_period_t *p = campaign_period_find(c, items[i].text);

			if (!p)
				return s_fail(b, items[i].line, "[%s] periods: unknown period '%s'",
					      s->name, items[i].text);
			if (p->kind != r->occasion)
				return s_fail(b, items[i].line, "[%s] periods: '%s' is not a period of "
					      "the occasion's kind (%s)", s->name, p->id, kv->value);
			pi[i] = (int)(p - c->periods);
			for (size_t j = 0; j < i; j++)
				if (pi[j] == pi[i])
					return s_fail(b, items[i].line, "[%s] periods: '%s' given twice",
						      s->name, items[i].text);
		}
		r->periods = pi;
		r->nperiods = n;
	}
	if (s_list(b, s, "nominees", &items, &n))
		return b->failed;
	if (n == 0)
		return s_fail(b, s->line, "[%s] nominees: missing", s->name);
	for (size_t i = 0; i < n; i++) {
		int k = campaign_nominee_kind_find(items[i].text);

		if (k < 0)
			return s_fail(b, items[i].line, "[%s] nominees: expected collective, individual, "
				      "household or enterprise: '%s'", s->name, items[i].text);
		if (r->nominees & (1u << k))
			return s_fail(b, items[i].line, "[%s] nominees: '%s' given twice", s->name,
				      items[i].text);
		r->nominees |= 1u << k;
	}
	return 0;
}

/* The rule's conditions: achievement, progress, targets, goals, and
 * contributions by kind. */
static int s_award_conditions(s_build_t *b, const inifile_section_t *s, campaign_award_rule_t *r)
{
	campaign_t *c = b->c;
	campaign_contrib_rule_t all = { .indicator = -1 };
	const inifile_kv_t *kv;
	s_item_t *items;
	bool any_contrib = false;
	size_t n;

	if (s_award_threshold(b, s, "achievement", &r->achievement) ||
	    s_award_threshold(b, s, "progress", &r->progress))
		return b->failed;
	if ((kv = inifile_section_get(s, "targets"))) {
		if (strcmp(kv->value, "all") == 0)
			r->any = false;
		else if (strcmp(kv->value, "any") == 0)
			r->any = true;
		else
			return s_fail(b, kv->line, "[%s] targets: expected all or any: '%s'", s->name,
				      kv->value);
	}
	if (s_list(b, s, "goals", &items, &n))
		return b->failed;
	if (n) {
		const char **g = s_zalloc(c, n * sizeof(*g));

		if (!g)
			return s_oom(b);
		for (size_t i = 0; i < n; i++) {
			bool known = false;

			for (size_t t = 0; t < c->ntargets && !known; t++)
				known = !c->targets[t].alternative &&
					strcmp(c->targets[t].goal, items[i].text) == 0;
			if (!known)
				return s_fail(b, items[i].line, "[%s] goals: no target has goal '%s'",
					      s->name, items[i].text);
			for (size_t j = 0; j < i; j++)
				if (strcmp(g[j], items[i].text) == 0)
					return s_fail(b, items[i].line, "[%s] goals: '%s' given twice",
						      s->name, items[i].text);
			g[i] = items[i].text;
		}
		r->goals = g;
		r->ngoals = n;
	}
	if ((kv = inifile_section_get(s, "targets") ? inifile_section_get(s, "targets") : inifile_section_get(s, "goals")) &&
	    !r->achievement.set && !r->progress.set)
		return s_fail(b, kv->line, "[%s] %s: only with achievement or progress", s->name, kv->key);
	if ((kv = inifile_section_get(s, "contribution"))) {
		if (s_award_contrib(b, s, kv, &all))
			return b->failed;
		any_contrib = true;
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
			return s_fail(b, kv->line, "[%s] %s: unknown nominee kind '%s'", s->name, kv->key,
				      kv->key + 13);
		if (!(r->nominees & (1u << k)))
			return s_fail(b, kv->line, "[%s] %s: '%s' is not in nominees", s->name, kv->key,
				      kv->key + 13);
		if (s_award_contrib(b, s, kv, &r->contribution[k]))
			return b->failed;
		any_contrib = true;
	}
	if (!r->achievement.set && !r->progress.set && !any_contrib)
		return s_fail(b, s->line, "[%s]: no condition (achievement, progress or contribution)",
			      s->name);
	for (int k = 0; k < CAMPAIGN_NOMINEE_KINDS && !r->achievement.set && !r->progress.set; k++)
		if ((r->nominees & (1u << k)) && r->contribution[k].indicator < 0)
			return s_fail(b, s->line, "[%s]: no condition for nominees of kind '%s' (add "
				      "contribution or contribution.%s)", s->name, s_kind_codes[k],
				      s_kind_codes[k]);
	return 0;
}

static int s_build_award(s_build_t *b, const inifile_section_t *s, size_t ri)
{
	campaign_t *c = b->c;
	campaign_award_rule_t *r = &c->rules[ri];
	const inifile_kv_t *kv;

	if (!lnob_valid_id(s->id))
		return s_fail(b, s->line, "[%s]: bad award rule id '%s' (1..64 of A-Za-z0-9._-)",
			      s->name, s->id);
	if (s_check_keys(b, s, s_award_keys))
		return b->failed;
	r->id = s->id;
	r->line = s->line;
	kv = inifile_section_get(s, "source");
	r->source = kv ? kv->value : "";
	r->disqualify = c->disqualify;
	if (s_award_head(b, s, r) || s_award_conditions(b, s, r))
		return b->failed;
	if ((kv = inifile_section_get(s, "disqualify")) && s_disqualify_level(b, s, kv, &r->disqualify))
		return b->failed;
	return 0;
}

/* ======================================================================
 * The baseline file (CSV)
 * ====================================================================== */

/* State of one baseline parse, shared with the reader's callbacks. */
typedef struct s_bparse {
	campaign_t *c;
	int col[CAMPAIGN_INDICATORS_MAX + 1];   /* indicator of column k (k >= 1) */
	size_t ncols;
	s_brow_t cur;                           /* the row being read */
	char *code;                             /* its first field */
	s_brow_t *rows;
	size_t nrows, cap;
} s_bparse_t;

/* One header field: "unit" first, then count or amount codes, each once. */
static void s_bheader_field(s_bparse_t *ps, csvread_t *r, const char *f, size_t k)
{
	const campaign_t *c = ps->c;
	int j;

	if (k == 0) {
		if (strcmp(f, "unit") != 0)
			csvread_fail(r, LNOB_E_CSV, "header must start with 'unit'");
		return;
	}
	if (k > CAMPAIGN_INDICATORS_MAX) {
		csvread_fail(r, LNOB_E_CSV, "more than %d columns", CAMPAIGN_INDICATORS_MAX + 1);
		return;
	}
	j = campaign_indicator_find(c, f);
	if (j < 0) {
		csvread_fail(r, LNOB_E_CSV, "column %zu: unknown indicator '%s'", k + 1, f);
		return;
	}
	if (c->ind[j].kind != CAMPAIGN_IND_COUNT && c->ind[j].kind != CAMPAIGN_IND_AMOUNT) {
		csvread_fail(r, LNOB_E_CSV, "column %zu: '%s' is derived (a %s); give its counts", k + 1,
			     f, c->ind[j].kind == CAMPAIGN_IND_RATE ? "rate" : "sum");
		return;
	}
	for (size_t i = 1; i < k; i++) {
		if (ps->col[i] == j) {
			csvread_fail(r, LNOB_E_CSV, "column %zu: '%s' given twice", k + 1, f);
			return;
		}
	}
	ps->col[k] = j;
	ps->ncols = k + 1;
}

/* One field of a unit row. */
static void s_brow_field(s_bparse_t *ps, csvread_t *r, const char *f, size_t k)
{
	const campaign_t *c = ps->c;
	int64_t v;
	int j;

	if (k == 0) {
		if (!lnob_valid_id(f)) {
			csvread_fail(r, LNOB_E_CSV, "bad unit code '%s' (1..64 of A-Za-z0-9._-)", f);
			return;
		}
		if (!(ps->code = strdup(f)))
			csvread_oom(r);
		return;
	}
	if (k >= ps->ncols || !*f)
		return;    /* too many columns: counted, refused at the record's end */
	j = ps->col[k];
	if (!s_parse_int(f, REPORT_VALUE_MAX, &v)) {
		csvread_fail(r, LNOB_E_CSV, "%s: %s: expected a whole number 0..%lld: '%s'",
			     ps->code ? ps->code : "?", c->ind[j].code, (long long)REPORT_VALUE_MAX, f);
		return;
	}
	ps->cur.counts.v[j] = v;
	ps->cur.counts.has[j] = true;
}

/* The reader's field callback: a header field or a row's. */
static void s_bon_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t k)
{
	(void)len;
	if (csvread_record_index(r) == 0)
		s_bheader_field(ctx, r, f, k);
	else
		s_brow_field(ctx, r, f, k);
}

/* The reader's record callback: the header, or one unit row. */
static void s_bon_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_bparse_t *ps = ctx;

	if (csvread_record_index(r) == 0) {
		if (ps->ncols < 2)
			csvread_fail(r, LNOB_E_CSV, "header must be 'unit' and indicator codes");
		return;
	}
	if (nfields != ps->ncols) {
		csvread_fail(r, LNOB_E_CSV, "expected %zu columns, found %zu", ps->ncols, nfields);
	} else if (ps->nrows == ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 64;
		s_brow_t *nv = realloc(ps->rows, ncap * sizeof(*nv));

		if (!nv) {
			csvread_oom(r);
		} else {
			ps->rows = nv;
			ps->cap = ncap;
		}
	}
	if (nfields == ps->ncols && ps->nrows < ps->cap) {
		ps->cur.code = ps->code;
		ps->cur.line = csvread_line(r);
		ps->rows[ps->nrows++] = ps->cur;
		ps->code = NULL;
	}
	free(ps->code);
	ps->code = NULL;
	memset(&ps->cur, 0, sizeof(ps->cur));
}

static int s_brow_cmp(const void *a, const void *b)
{
	const s_brow_t *x = a, *y = b;
	int r = strcmp(x->code, y->code);

	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* Refuses a unit given twice in rows[0..n) (sorted by code, then line),
 * naming the earliest repeat in the file and the line of its first row.
 * Returns 0 or LNOB_E_CSV. */
static int s_baseline_dups(const s_brow_t *rows, size_t n, const char *name, char *err,
			   size_t errlen)
{
	const s_brow_t *dup = NULL, *first = NULL;

	for (size_t k = 1, start = 0; k < n; k++) {
		if (strcmp(rows[k].code, rows[start].code) != 0) {
			start = k;
		} else if (!dup || rows[k].line < dup->line) {
			dup = &rows[k];
			first = &rows[start];
		}
	}
	if (!dup)
		return 0;
	return lnob_errf(err, errlen, LNOB_E_CSV, "%s:%u: unit '%s' given twice (first on line %u)",
			 name, dup->line, dup->code, first->line);
}

/* Parses the baseline text into c->rows (sorted by code). Returns 0,
 * LNOB_E_CSV or -ENOMEM with err set. */
static int s_baseline_parse(campaign_t *c, const char *name, const char *buf, size_t len,
			    char *err, size_t errlen)
{
	static const csvread_ops_t ops = { s_bon_field, s_bon_record };
	s_bparse_t ps = { .c = c };
	int r = csvread_parse(buf, len, name, &ops, &ps, err, errlen);

	free(ps.code);
	if (r == 0) {
		qsort(ps.rows, ps.nrows, sizeof(*ps.rows), s_brow_cmp);
		r = s_baseline_dups(ps.rows, ps.nrows, name, err, errlen);
	}
	if (r) {
		for (size_t i = 0; i < ps.nrows; i++)
			free(ps.rows[i].code);
		free(ps.rows);
		return r;
	}
	for (size_t k = 1; k < ps.ncols; k++)
		c->bl_col[ps.col[k]] = true;
	c->rows = ps.rows;
	c->nrows = ps.nrows;
	return 0;
}

/* Loads the baseline file named on line `line` of the campaign file. */
static int s_baseline_load(s_build_t *b, const char *value, unsigned line)
{
	campaign_t *c = b->c;
	const char *slash = strrchr(b->file, '/');
	char *path, *buf = NULL;
	size_t len = 0;
	int r;

	if (value[0] == '/' || !slash)
		path = strdup(value);
	else if (asprintf(&path, "%.*s/%s", (int)(slash - b->file), b->file, value) < 0)
		path = NULL;
	if (!(c->bl_file = s_own(c, path)))
		return s_oom(b);
	r = lnob_read_file(c->bl_file, BASELINE_MAX_BYTES, &buf, &len);
	if (r == LNOB_E_TOOBIG) {
		lnob_errf(b->err, b->errlen, 0, "%s: larger than %zu bytes", c->bl_file, BASELINE_MAX_BYTES);
		return b->failed = LNOB_E_CSV;
	}
	if (r < 0) {
		lnob_errf(b->err, b->errlen, 0, "%s:%u: [campaign] baseline_file: cannot read %s: %s",
		      b->file, line, c->bl_file, lnob_strerror(r));
		return b->failed = r;
	}
	r = s_baseline_parse(c, c->bl_file, buf, len, b->err, b->errlen);
	free(buf);
	return b->failed = r;
}

static const s_brow_t *s_row(const campaign_t *c, const char *code)
{
	size_t lo = 0, hi = c->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(code, c->rows[mid].code);

		if (r == 0)
			return &c->rows[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ======================================================================
 * Loading
 * ====================================================================== */

/* Builds the model from parsed sections. Returns 0 or the first error. */
static int s_build(s_build_t *b, const inifile_t *ini)
{
	campaign_t *c = b->c;
	const inifile_section_t *camp = NULL, *inds = NULL, *labels = NULL, *dls = NULL, *awards = NULL,
		      *repby = NULL;
	const inifile_section_t **psecs = NULL, **tsecs = NULL;
	size_t np = 0, nt = 0, nc = 0, na = 0;
	const char *bl = NULL;
	unsigned bl_line = 0;

	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, "campaign") == 0)
			camp = s;
		else if (strcmp(s->type, "indicators") == 0)
			inds = s;
		else if (strcmp(s->type, "labels") == 0)
			labels = s;
		else if (strcmp(s->type, "deadlines") == 0)
			dls = s;
		else if (strcmp(s->type, "reported_by") == 0)
			repby = s;
		else if (strcmp(s->type, "period") == 0)
			np++;
		else if (strcmp(s->type, "target") == 0)
			nt++;
		else if (strcmp(s->type, "cluster") == 0)
			nc++;
		else if (strcmp(s->type, "awards") == 0)
			awards = s;
		else if (strcmp(s->type, "award") == 0)
			na++;
		else
			return s_fail(b, s->line, "[%s]: unknown section (campaign, indicators, labels, "
				      "reported_by, deadlines, period ID, target ID, cluster ID, awards, "
				      "award ID)", s->name);
	}
	if (!camp)
		return s_fail(b, 1, "no [campaign] section");
	if (s_build_campaign(b, camp, &bl, &bl_line))
		return b->failed;
	if (!inds)
		return s_fail(b, 1, "no [indicators] section");
	if (s_build_indicators(b, inds) || (labels && s_build_labels(b, labels)) ||
	    s_build_reported_by(b, repby))
		return b->failed;
	if (np == 0)
		return s_fail(b, 1, "no [period ID] section");
	c->periods = s_zalloc(c, np * sizeof(*c->periods));
	c->annual = s_zalloc(c, c->nlevels * sizeof(*c->annual));
	c->pdl = s_zalloc(c, np * c->nlevels * sizeof(*c->pdl));
	c->targets = s_zalloc(c, nt * sizeof(*c->targets));
	c->tx = s_zalloc(c, nt * sizeof(*c->tx));
	c->clusters = s_zalloc(c, nc * sizeof(*c->clusters));
	c->member_lines = s_zalloc(c, nc * sizeof(*c->member_lines));
	c->rules = s_zalloc(c, na * sizeof(*c->rules));
	psecs = s_zalloc(c, np * sizeof(*psecs));
	tsecs = s_zalloc(c, nt * sizeof(*tsecs));
	if (!c->periods || !c->annual || !c->pdl || !c->targets || !c->tx || !c->clusters ||
	    !c->member_lines || !c->rules || !psecs || !tsecs)
		return s_oom(b);
	if (dls && s_build_deadlines(b, dls))
		return b->failed;
	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, "period") == 0) {
			psecs[c->nperiods] = s;
			if (s_build_period(b, s, c->nperiods))
				return b->failed;
			c->nperiods++;
		}
	}
	if (s_link_periods(b, psecs))
		return b->failed;
	/* Targets: all first (any_of may name a later one), then links. */
	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, "target") == 0) {
			tsecs[c->ntargets] = s;
			if (s_build_target(b, s, c->ntargets))
				return b->failed;
			c->ntargets++;
		}
	}
	if (s_link_targets(b, tsecs) || s_check_conflicts(b))
		return b->failed;
	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, "cluster") == 0) {
			if (s_build_cluster(b, s, c->nclusters))
				return b->failed;
			c->nclusters++;
		}
	}
	/* Awards: the general conditions, then the rules (goals need targets). */
	if (s_build_awards(b, awards))
		return b->failed;
	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, "award") == 0) {
			if (s_build_award(b, s, c->nrules))
				return b->failed;
			c->nrules++;
		}
	}
	if (bl && s_baseline_load(b, bl, bl_line))
		return b->failed;
	return 0;
}

int campaign_load_mem(const char *text, const char *name, const hier_t *hier,
		      campaign_t **ret, char *err, size_t errlen)
{
	s_build_t b = { .err = err, .errlen = errlen };
	campaign_t *c;
	int r;

	if (!text || !ret)
		return -EINVAL;
	if (!name)
		name = "<memory>";
	c = calloc(1, sizeof(*c));
	if (!c || !(c->file = strdup(name))) {
		free(c);
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		return -ENOMEM;
	}
	b.c = c;
	b.file = c->file;
	r = inifile_parse(text, name, INIFILE_SECTIONS, &c->ini, err, errlen);
	if (r == 0)
		r = s_build(&b, c->ini);
	if (r == 0 && hier)
		r = campaign_check_hier(c, hier, err, errlen);
	if (r) {
		campaign_destroy(&c);
		return r;
	}
	*ret = c;
	return 0;
}

int campaign_load(const char *path, const hier_t *hier, campaign_t **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	if ((r = inifile_read_text(path, CAMPAIGN_MAX_BYTES, &text, &len, err, errlen)) < 0)
		return r;
	r = campaign_load_mem(text, path, hier, ret, err, errlen);
	free(text);
	return r;
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
	for (size_t i = 0; i < c->nrows; i++)
		free(c->rows[i].code);
	free(c->rows);
	inifile_destroy(&c->ini);
	free(c->file);
	free(c);
	*self_p = NULL;
}

/* ======================================================================
 * Checks against a hierarchy
 * ====================================================================== */

/*
 * Sums the baselines of the units in start[0..n) into ret: a unit with a
 * row gives its row; one without gives its children's, recursively. A value
 * is in the sum only when every unit reached has it (and the sum stays
 * within REPORT_VALUE_MAX). Returns 0, LNOB_E_NOTFOUND (a unit without row
 * or children reached, or no value left) or -ENOMEM.
 */
static int s_subtree_sum(const campaign_t *c, const hier_t *h, const int *start, size_t n,
			 campaign_counts_t *ret)
{
	size_t cap = n + 16, top = 0;
	int *stack = malloc(cap * sizeof(*stack));
	bool any = false;
	int r = 0;

	if (!stack)
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < CAMPAIGN_INDICATORS_MAX; i++)
		ret->has[i] = c->bl_col[i];
	for (size_t i = 0; i < n; i++)
		stack[top++] = start[i];
	while (top > 0 && r == 0) {
		int u = stack[--top];
		const s_brow_t *row = s_row(c, hier_unit(h, u)->code);
		const int *kids;
		size_t nk;

		if (row) {
			for (size_t i = 0; i < c->nind; i++) {
				if (!ret->has[i])
					continue;
				if (!row->counts.has[i] || row->counts.v[i] > REPORT_VALUE_MAX - ret->v[i])
					ret->has[i] = false;
				else
					ret->v[i] += row->counts.v[i];
			}
			continue;
		}
		nk = hier_children(h, u, &kids);
		if (nk == 0) {
			r = LNOB_E_NOTFOUND;
			break;
		}
		if (top + nk > cap) {
			size_t ncap = (top + nk) * 2;
			int *nv = realloc(stack, ncap * sizeof(*nv));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			stack = nv;
			cap = ncap;
		}
		for (size_t k = nk; k > 0; k--)
			stack[top++] = kids[k - 1];
	}
	free(stack);
	for (size_t i = 0; r == 0 && i < c->nind; i++)
		any |= ret->has[i];
	if (r == 0 && !any)
		r = LNOB_E_NOTFOUND;
	return r;
}

int campaign_check_hier(const campaign_t *self, const hier_t *hier, char *err, size_t errlen)
{
	const campaign_t *c = self;
	size_t n;

	assert(self);
	if (!hier)
		return -EINVAL;
	n = hier_count(hier);
	for (size_t l = 0; l < c->nlevels; l++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(hier_unit(hier, (int)i)->level, c->levels[l]) == 0;
		if (!found) {
			lnob_errf(err, errlen, 0, "%s:%u: [campaign] levels: '%s' is not a level of the hierarchy",
			      c->file, c->levels_line, c->levels[l]);
			return LNOB_E_CONFIG;
		}
	}
	for (size_t t = 0; t < c->ntargets; t++) {
		const campaign_target_t *tg = &c->targets[t];

		for (size_t u = 0; u < tg->nunits; u++) {
			if (hier_find(hier, tg->units[u]) < 0) {
				lnob_errf(err, errlen, 0, "%s:%u: [target %s] units: '%s' is not in the hierarchy",
				      c->file, c->tx[t].unit_lines[u], tg->id, tg->units[u]);
				return LNOB_E_CONFIG;
			}
		}
	}
	for (size_t k = 0; k < c->nclusters; k++) {
		const campaign_cluster_t *cl = &c->clusters[k];

		for (size_t m = 0; m < cl->nmembers; m++) {
			if (hier_find(hier, cl->members[m]) < 0) {
				lnob_errf(err, errlen, 0, "%s:%u: [cluster %s] members: '%s' is not in the hierarchy",
				      c->file, c->member_lines[k][m], cl->id, cl->members[m]);
				return LNOB_E_CONFIG;
			}
		}
	}
	/* Baseline rows: in file order, so the first bad line is named. */
	const s_brow_t *bad = NULL;
	char msg[256] = "";

	for (size_t i = 0; i < c->nrows; i++) {
		const s_brow_t *row = &c->rows[i];
		int u = hier_find(hier, row->code);
		campaign_counts_t sum;
		const int *kids;
		size_t nk;
		int r;

		if (bad && row->line > bad->line)
			continue;
		if (u < 0) {
			bad = row;
			snprintf(msg, sizeof(msg), "unit '%s' is not in the hierarchy", row->code);
			continue;
		}
		nk = hier_children(hier, u, &kids);
		if (nk == 0)
			continue;
		r = s_subtree_sum(c, hier, kids, nk, &sum);
		if (r == -ENOMEM) {
			lnob_errf(err, errlen, 0, "%s: out of memory", c->bl_file);
			return -ENOMEM;
		}
		for (size_t j = 0; r == 0 && j < c->nind; j++) {
			if (row->counts.has[j] && sum.has[j] && row->counts.v[j] != sum.v[j]) {
				bad = row;
				snprintf(msg, sizeof(msg), "%s: %s %lld is not the sum of its children's (%lld)",
					 row->code, c->ind[j].code, (long long)row->counts.v[j],
					 (long long)sum.v[j]);
				break;
			}
		}
	}
	if (bad) {
		lnob_errf(err, errlen, 0, "%s:%u: %s", c->bl_file, bad->line, msg);
		return LNOB_E_CSV;
	}
	return 0;
}

/* ======================================================================
 * The model's accessors
 * ====================================================================== */

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

int campaign_utc_offset(const campaign_t *self)
{
	assert(self);
	return self->utc_offset;
}

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

/* ---- reporting levels ------------------------------------------------ */

bool campaign_level_reports(const campaign_t *self, int i, const char *level)
{
	int l;

	if (!self || !level || i < 0 || (size_t)i >= self->nind)
		return false;
	if (self->ind[i].kind != CAMPAIGN_IND_COUNT && self->ind[i].kind != CAMPAIGN_IND_AMOUNT)
		return false;
	if ((l = s_level_find(self, level)) < 0)
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

size_t campaign_period_count(const campaign_t *self)
{
	assert(self);
	return self->nperiods;
}

const campaign_period_t *campaign_period(const campaign_t *self, int i)
{
	assert(self);
	return i >= 0 && (size_t)i < self->nperiods ? &self->periods[i] : NULL;
}

const campaign_period_t *campaign_period_find(const campaign_t *self, const char *id)
{
	assert(self);
	for (size_t i = 0; id && i < self->nperiods; i++)
		if (self->periods[i].id && strcmp(self->periods[i].id, id) == 0)
			return &self->periods[i];
	return NULL;
}

/* Index of p in the campaign's periods (p must be one of them). */
static size_t s_period_index(const campaign_t *c, const campaign_period_t *p)
{
	assert(p >= c->periods && p < c->periods + c->nperiods);
	return (size_t)(p - c->periods);
}

const campaign_period_t *campaign_period_previous(const campaign_t *self,
						  const campaign_period_t *p)
{
	assert(self && p);
	(void)s_period_index(self, p);
	return p->previous < 0 ? NULL : &self->periods[p->previous];
}

size_t campaign_target_count(const campaign_t *self)
{
	assert(self);
	return self->ntargets;
}

const campaign_target_t *campaign_target(const campaign_t *self, int i)
{
	assert(self);
	return i >= 0 && (size_t)i < self->ntargets ? &self->targets[i] : NULL;
}

const campaign_target_t *campaign_target_find(const campaign_t *self, const char *id)
{
	assert(self);
	for (size_t i = 0; id && i < self->ntargets; i++)
		if (self->targets[i].id && strcmp(self->targets[i].id, id) == 0)
			return &self->targets[i];
	return NULL;
}

size_t campaign_cluster_count(const campaign_t *self)
{
	assert(self);
	return self->nclusters;
}

const campaign_cluster_t *campaign_cluster(const campaign_t *self, int i)
{
	assert(self);
	return i >= 0 && (size_t)i < self->nclusters ? &self->clusters[i] : NULL;
}

const campaign_cluster_t *campaign_cluster_find(const campaign_t *self, const char *id)
{
	assert(self);
	for (size_t i = 0; id && i < self->nclusters; i++)
		if (strcmp(self->clusters[i].id, id) == 0)
			return &self->clusters[i];
	return NULL;
}

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

/* ======================================================================
 * Counts and derived values
 * ====================================================================== */

void campaign_counts_clear(campaign_counts_t *c)
{
	assert(c);
	memset(c, 0, sizeof(*c));
}

int campaign_counts_set(const campaign_t *self, campaign_counts_t *c, const char *code,
			int64_t value)
{
	int i;

	assert(self && c);
	i = campaign_indicator_find(self, code);
	if (i < 0)
		return LNOB_E_NOTFOUND;
	if (self->ind[i].kind != CAMPAIGN_IND_COUNT && self->ind[i].kind != CAMPAIGN_IND_AMOUNT)
		return LNOB_E_INVALID;
	if (value < 0 || value > REPORT_VALUE_MAX)
		return LNOB_E_INVALID;
	c->v[i] = value;
	c->has[i] = true;
	return 0;
}

int campaign_counts_from_values(const campaign_t *self, Lnob__IndicatorValue *const *v,
				size_t n, campaign_counts_t *c)
{
	assert(self && c && (v || n == 0));
	campaign_counts_clear(c);
	for (size_t k = 0; k < n; k++) {
		int r = campaign_counts_set(self, c, v[k]->code, report_value_of(v[k]));

		if (r == LNOB_E_INVALID) {
			int i = campaign_indicator_find(self, v[k]->code);

			if (self->ind[i].kind == CAMPAIGN_IND_COUNT ||
			    self->ind[i].kind == CAMPAIGN_IND_AMOUNT) {
				campaign_counts_clear(c);
				return LNOB_E_INVALID;
			}
		}
	}
	return 0;
}

/* The integer value of a count, amount or sum (at most 8 × 10^15). */
static int s_int_value(const campaign_t *c, const campaign_counts_t *k, int i, int64_t *ret)
{
	const campaign_indicator_t *ind = &c->ind[i];
	int64_t v = 0;

	if (ind->kind == CAMPAIGN_IND_SUM) {
		for (size_t p = 0; p < ind->nparts; p++) {
			if (!k->has[ind->parts[p]])
				return LNOB_E_NOTFOUND;
			v += k->v[ind->parts[p]];
		}
		*ret = v;
		return 0;
	}
	assert(ind->kind == CAMPAIGN_IND_COUNT || ind->kind == CAMPAIGN_IND_AMOUNT);
	if (!k->has[i])
		return LNOB_E_NOTFOUND;
	assert(k->v[i] >= 0 && k->v[i] <= REPORT_VALUE_MAX);
	*ret = k->v[i];
	return 0;
}

int campaign_value(const campaign_t *self, const campaign_counts_t *c, int i,
		   int64_t *ret_num, int64_t *ret_den)
{
	const campaign_indicator_t *ind;
	int64_t n, d;
	int r;

	assert(self && c);
	if (i < 0 || (size_t)i >= self->nind || !ret_num || !ret_den)
		return -EINVAL;
	ind = &self->ind[i];
	if (ind->kind != CAMPAIGN_IND_RATE) {
		if ((r = s_int_value(self, c, i, &n)))
			return r;
		*ret_num = n;
		*ret_den = 1;
		return 0;
	}
	if ((r = s_int_value(self, c, ind->num, &n)) || (r = s_int_value(self, c, ind->den, &d)))
		return r;
	if (d == 0)
		return LNOB_E_INVALID;
	*ret_num = n;
	*ret_den = d;
	return 0;
}

/* Adds indicator k to the set ret[0..*n) unless it is there. */
static void s_add_input(int k, int *ret, size_t max, size_t *n)
{
	for (size_t j = 0; j < *n && j < max; j++)
		if (ret[j] == k)
			return;
	if (*n < max)
		ret[*n] = k;
	(*n)++;
}

/* The inputs of a count, amount or sum (not a rate). */
static void s_inputs(const campaign_t *c, int i, int *ret, size_t max, size_t *n)
{
	const campaign_indicator_t *ind = &c->ind[i];

	if (ind->kind == CAMPAIGN_IND_SUM)
		for (size_t p = 0; p < ind->nparts; p++)
			s_add_input(ind->parts[p], ret, max, n);
	else
		s_add_input(i, ret, max, n);
}

static int s_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

size_t campaign_indicator_inputs(const campaign_t *self, int i, int *ret, size_t max)
{
	size_t n = 0;

	assert(self);
	if (i < 0 || (size_t)i >= self->nind)
		return 0;
	if (self->ind[i].kind == CAMPAIGN_IND_RATE) {
		s_inputs(self, self->ind[i].num, ret, max, &n);
		s_inputs(self, self->ind[i].den, ret, max, &n);
	} else {
		s_inputs(self, i, ret, max, &n);
	}
	if (ret && n <= max)
		qsort(ret, n, sizeof(*ret), s_cmp_int);
	return n;
}

bool campaign_partial_withhold(const campaign_t *self)
{
	assert(self);
	return self->withhold;
}

int campaign_value_display(const campaign_t *self, const campaign_counts_t *c, int i, double *ret)
{
	int64_t n, d;
	int r = campaign_value(self, c, i, &n, &d);

	if (r)
		return r;
	if (!ret)
		return -EINVAL;
	*ret = self->ind[i].kind == CAMPAIGN_IND_RATE ? 100.0 * (double)n / (double)d : (double)n;
	return 0;
}

int campaign_baseline_get(const campaign_t *self, const char *code, campaign_counts_t *c)
{
	const s_brow_t *row;

	assert(self && c);
	if (!code || !(row = s_row(self, code)))
		return LNOB_E_NOTFOUND;
	*c = row->counts;
	return 0;
}

int campaign_baseline_for(const campaign_t *self, const hier_t *hier, int unit, campaign_counts_t *c)
{
	campaign_counts_t sum;
	int r;

	assert(self && hier && c);
	if (!hier_unit(hier, unit))
		return -EINVAL;
	if (self->nrows == 0)
		return LNOB_E_NOTFOUND;
	r = s_subtree_sum(self, hier, &unit, 1, &sum);
	if (r == 0)
		*c = sum;
	return r;
}

/* ======================================================================
 * Which target applies
 * ====================================================================== */

static bool s_has_str(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool s_active(const campaign_target_t *t, int period)
{
	if (t->alternative)
		return false;
	if (!t->periods)
		return true;
	for (size_t i = 0; i < t->nperiods; i++)
		if (t->periods[i] == period)
			return true;
	return false;
}

/* The target for goal g of unit u, by the rules of campaign_target_for(). */
static bool s_resolve(const campaign_t *c, const hier_t *h, int u, int period, const char *g,
		      campaign_applied_t *ret)
{
	const hier_unit_t *unit = hier_unit(h, u);

	for (size_t i = 0; i < c->ntargets; i++) {
		const campaign_target_t *t = &c->targets[i];

		if (s_active(t, period) && strcmp(t->goal, g) == 0 &&
		    s_has_str(t->units, t->nunits, unit->code)) {
			*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_OWN, u };
			return true;
		}
	}
	for (int a = unit->parent; a >= 0; a = hier_unit(h, a)->parent) {
		const hier_unit_t *anc = hier_unit(h, a);

		for (int pass = 0; pass < 2; pass++) {
			for (size_t i = 0; i < c->ntargets; i++) {
				const campaign_target_t *t = &c->targets[i];

				if (!s_active(t, period) || strcmp(t->goal, g) != 0 ||
				    !s_has_str(t->cascade, t->ncascade, unit->level))
					continue;
				if (pass == 0 ? s_has_str(t->units, t->nunits, anc->code) :
				    s_has_str(t->levels, t->nlevels, anc->level)) {
					*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_CASCADE, a };
					return true;
				}
			}
		}
	}
	for (size_t i = 0; i < c->ntargets; i++) {
		const campaign_target_t *t = &c->targets[i];

		if (s_active(t, period) && strcmp(t->goal, g) == 0 &&
		    s_has_str(t->levels, t->nlevels, unit->level)) {
			*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_LEVEL, u };
			return true;
		}
	}
	return false;
}

size_t campaign_target_for(const campaign_t *self, const hier_t *hier, int unit,
			   const campaign_period_t *p, campaign_applied_t *ret, size_t max)
{
	int period;
	size_t n = 0;

	assert(self && hier && p);
	if (!hier_unit(hier, unit))
		return 0;
	period = (int)s_period_index(self, p);
	for (size_t i = 0; i < self->ntargets; i++) {
		const campaign_target_t *t = &self->targets[i];
		campaign_applied_t a;
		bool seen = false;

		if (!s_active(t, period))
			continue;
		/* Each goal once, at its first target in the file. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = s_active(&self->targets[j], period) &&
			       strcmp(self->targets[j].goal, t->goal) == 0;
		if (seen || !s_resolve(self, hier, unit, period, t->goal, &a))
			continue;
		if (ret && n < max)
			ret[n] = a;
		n++;
	}
	return n;
}

/* ======================================================================
 * Evaluation
 * ====================================================================== */

/* U(x) of indicator i over counts k: a rate in percent, else the number.
 * Returns 0, LNOB_E_NOTFOUND or LNOB_E_INVALID (denominator 0). */
static int s_u(const campaign_t *c, const campaign_counts_t *k, int i, frac_t *ret)
{
	int64_t n, d;
	int r;

	if (!k)
		return LNOB_E_NOTFOUND;
	r = campaign_value(c, k, i, &n, &d);
	if (r)
		return r;
	if (c->ind[i].kind == CAMPAIGN_IND_RATE)
		*ret = frac_make((frac_i128)n * 100, d);
	else
		*ret = frac_make(n, 1);
	return 0;
}

/* Sets achievement (a / q) and progress (pa / g) when their divisors are
 * positive. */
static void s_set_ratios(campaign_eval_t *ev, frac_t a, frac_t q, frac_t pa, frac_t g)
{
	if (q.n > 0) {
		ev->has_achievement = true;
		ev->achievement_bp = frac_bp(a, q, &ev->achievement_exact);
	}
	if (g.n > 0) {
		ev->has_progress = true;
		ev->progress_bp = frac_bp(pa, g, &ev->progress_exact);
	}
	ev->required = frac_double(q);
	ev->goal = frac_double(g);
}

/* Evaluates a target with a form of its own (not any_of). */
static void s_eval_one(const campaign_t *c, const campaign_target_t *t, const campaign_period_t *p,
		       const campaign_counts_t *base, const campaign_counts_t *prev,
		       const campaign_counts_t *cur, campaign_eval_t *ev)
{
	bool at_least = t->form == CAMPAIGN_AT_LEAST, annual = t->basis == CAMPAIGN_BASIS_ANNUAL;
	unsigned E = t->term, e = p->years < E ? p->years : E;
	bool not_due = t->pace == CAMPAIGN_PACE_END && !annual && p->years < E;
	frac_t ub = { 0, 1 }, up = { 0, 1 }, uc = { 0, 1 }, ref, a, q, g, pa;
	int dir = at_least ? -1 : 1;
	int cmp, rb, rp, rc;

	*ev = (campaign_eval_t){ .verdict = CAMPAIGN_NO_DATA, .decided_by = t };
	rb = s_u(c, base, t->indicator, &ub);
	rp = s_u(c, prev, t->indicator, &up);
	rc = s_u(c, cur, t->indicator, &uc);
	ev->has_base = rb == 0;
	ev->has_prev = rp == 0;
	ev->has_cur = rc == 0;
	if (ev->has_base)
		ev->base = frac_double(ub);
	if (ev->has_prev)
		ev->prev = frac_double(up);
	if (ev->has_cur)
		ev->cur = frac_double(uc);
	if (ev->has_base && ev->has_cur)
		ev->change_base = dir * frac_double(frac_sub(ub, uc));
	if (ev->has_prev && ev->has_cur)
		ev->change_prev = dir * frac_double(frac_sub(up, uc));
	if (rb || rc || (annual && rp))
		return;
	ref = annual ? up : ub;
	/* pa: the change from the baseline, in the target's direction. */
	pa = at_least ? frac_sub(uc, ub) : frac_sub(ub, uc);

	switch (t->form) {
	case CAMPAIGN_DOWN_POINTS:
		/* Q = P × e' (average) or P (annual), in points; G = P × E; but
		 * never more than the rate itself (U(ref), U(base)): a rate
		 * cannot fall below 0, so one at 0 has met any reduction. */
		a = frac_sub(ref, uc);
		q = frac_make((frac_i128)t->value_e4 * (annual ? 1 : e), S_E4);
		g = frac_make((frac_i128)t->value_e4 * E, S_E4);
		if (frac_cmp(ref, q) < 0)
			q = ref;
		if (frac_cmp(ub, g) < 0)
			g = ub;
		if (ref.n == 0) {
			/* Nothing to reduce: met when nothing is left. */
			ev->verdict = not_due ? CAMPAIGN_NOT_DUE :
				      uc.n == 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
			s_set_ratios(ev, a, q, pa, g);
			return;
		}
		break;
	case CAMPAIGN_DOWN_PERCENT:
		/* Q = U(ref) × S/100 × e'/E (average) or U(ref) × S/100 (annual);
		 * G = U(base) × S/100. */
		a = frac_sub(ref, uc);
		q = frac_make(ref.n * t->value_e4 * (annual ? 1 : e), ref.d * 100 * S_E4 * (annual ? 1 : E));
		g = frac_make(ub.n * t->value_e4, ub.d * 100 * S_E4);
		if (ref.n == 0) {
			/* Nothing to reduce: met when nothing is left. */
			ev->verdict = not_due ? CAMPAIGN_NOT_DUE :
				      uc.n == 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
			s_set_ratios(ev, a, q, pa, g);
			return;
		}
		break;
	default: {
		/* V = (U(base) × (E − e') + X × e') / E; Q = dir × (U(base) − V)
		 * = dir × e' × (U(base) − X) / E; G = dir × (U(base) − X). */
		frac_i128 x4 = t->value_e4;
		frac_t v = frac_make(ub.n * S_E4 * (E - e) + x4 * ub.d * e, ub.d * S_E4 * E);

		a = pa;
		q = frac_make(dir * (ub.n * S_E4 - x4 * ub.d) * e, ub.d * S_E4 * E);
		g = frac_make(dir * (ub.n * S_E4 - x4 * ub.d), ub.d * S_E4);
		cmp = frac_cmp(uc, v);
		if (not_due)
			ev->verdict = CAMPAIGN_NOT_DUE;
		else if (t->form == CAMPAIGN_BELOW)
			ev->verdict = cmp < 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
		else if (t->form == CAMPAIGN_AT_MOST)
			ev->verdict = cmp <= 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
		else
			ev->verdict = cmp >= 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
		if (not_due)
			q = frac_make(0, 1);
		s_set_ratios(ev, a, q, pa, g);
		return;
	}
	}
	cmp = frac_cmp(a, q);
	if (not_due) {
		ev->verdict = CAMPAIGN_NOT_DUE;
		q = frac_make(0, 1);
	} else {
		ev->verdict = (t->strict ? cmp > 0 : cmp >= 0) ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
	}
	s_set_ratios(ev, a, q, pa, g);
}

/* Rank of a verdict when combining alternatives: lower wins. */
static int s_rank(campaign_verdict_t v)
{
	switch (v) {
	case CAMPAIGN_MET: return 0;
	case CAMPAIGN_INCOMPLETE: return 1;
	case CAMPAIGN_NO_DATA: return 2;
	case CAMPAIGN_NOT_DUE: return 3;
	default: return 4;
	}
}

/* True when x beats y as the deciding alternative. */
static bool s_better(const campaign_eval_t *x, const campaign_eval_t *y)
{
	if (s_rank(x->verdict) != s_rank(y->verdict))
		return s_rank(x->verdict) < s_rank(y->verdict);
	if (x->has_achievement != y->has_achievement)
		return x->has_achievement;
	return x->has_achievement && x->achievement_bp > y->achievement_bp;
}

int campaign_evaluate(const campaign_t *self, const campaign_target_t *t,
		      const campaign_period_t *p, const campaign_counts_t *baseline,
		      const campaign_counts_t *previous, const campaign_counts_t *current,
		      campaign_eval_t *ret)
{
	campaign_eval_t best, ev;

	if (!self || !t || !p || !ret || !baseline || !current)
		return -EINVAL;
	(void)s_period_index(self, p);
	assert(t >= self->targets && t < self->targets + self->ntargets);
	if (p->previous < 0)
		previous = baseline;
	if (t->form != CAMPAIGN_ANY_OF) {
		s_eval_one(self, t, p, baseline, previous, current, ret);
		return 0;
	}
	s_eval_one(self, t->alts[0], p, baseline, previous, current, &best);
	for (size_t i = 1; i < t->nalts; i++) {
		s_eval_one(self, t->alts[i], p, baseline, previous, current, &ev);
		if (s_better(&ev, &best))
			best = ev;
	}
	*ret = best;
	return 0;
}

int campaign_any_of(const campaign_t *self, const campaign_target_t *t,
		    const campaign_eval_t *alts, campaign_eval_t *ret, size_t *ret_index)
{
	size_t best = 0;

	if (!self || !t || !alts || !ret || t->form != CAMPAIGN_ANY_OF || t->nalts == 0)
		return -EINVAL;
	for (size_t i = 1; i < t->nalts; i++)
		if (s_better(&alts[i], &alts[best]))
			best = i;
	*ret = alts[best];
	if (ret_index)
		*ret_index = best;
	return 0;
}

bool campaign_eval_achieves(const campaign_eval_t *ev, int64_t pct_bp, bool strict)
{
	assert(ev);
	if (!ev->has_achievement)
		return false;
	if (strict)
		return ev->achievement_bp > pct_bp ||
		       (ev->achievement_bp == pct_bp && !ev->achievement_exact);
	return ev->achievement_bp >= pct_bp;
}

bool campaign_eval_progresses(const campaign_eval_t *ev, int64_t pct_bp, bool strict)
{
	assert(ev);
	if (!ev->has_progress)
		return false;
	if (strict)
		return ev->progress_bp > pct_bp ||
		       (ev->progress_bp == pct_bp && !ev->progress_exact);
	return ev->progress_bp >= pct_bp;
}

/* ======================================================================
 * Award rules: the model
 * ====================================================================== */

size_t campaign_award_rule_count(const campaign_t *self)
{
	assert(self);
	return self->nrules;
}

const campaign_award_rule_t *campaign_award_rule(const campaign_t *self, int i)
{
	assert(self);
	return i >= 0 && (size_t)i < self->nrules ? &self->rules[i] : NULL;
}

const campaign_award_rule_t *campaign_award_rule_find(const campaign_t *self, const char *id)
{
	assert(self);
	for (size_t i = 0; id && i < self->nrules; i++)
		if (strcmp(self->rules[i].id, id) == 0)
			return &self->rules[i];
	return NULL;
}

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

/* ======================================================================
 * Deadlines and timeliness
 * ====================================================================== */

int campaign_deadline_for(const campaign_t *self, const char *level,
			  const campaign_period_t *p, int64_t *ret_late_from)
{
	const s_deadline_t *d;
	int l, year;

	assert(self && p);
	l = level ? s_level_find(self, level) : -1;
	if (l < 0)
		return LNOB_E_NOTFOUND;
	d = &self->pdl[s_period_index(self, p) * self->nlevels + (size_t)l];
	year = d->set ? d->when.year : p->end_year;
	if (!d->set)
		d = &self->annual[l];
	if (!d->set)
		return LNOB_E_NOTFOUND;
	if (ret_late_from)
		*ret_late_from = calendar_deadline_late_from(&d->when, year, self->utc_offset);
	return 0;
}

int campaign_classify(int64_t late_from, int64_t completed_at, int64_t arrived_at,
		      int64_t skew, campaign_timeliness_t *ret)
{
	campaign_timeliness_t r = { 0 };

	if (!ret || skew < 0)
		return -EINVAL;
	r.arrived_late = arrived_at >= late_from;
	/* Differences of ordered int64 values fit in uint64: no overflow
	 * whatever a stamp says. */
	r.clock_suspect = completed_at > arrived_at &&
			  (uint64_t)completed_at - (uint64_t)arrived_at > (uint64_t)skew;
	if (!r.arrived_late) {
		r.on_time = true;
	} else if (!r.clock_suspect) {
		r.on_time = completed_at < late_from ||
			    (uint64_t)completed_at - (uint64_t)late_from < (uint64_t)skew;
		r.by_skew = r.on_time && completed_at >= late_from;
	}
	*ret = r;
	return 0;
}
