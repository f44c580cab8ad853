/*
 * campaign_int.h: what the parts of the campaign share, private to them
 * (campaign.h is the API). The model is struct campaign; its parts:
 *   campaign.c            the model's memory and accessors
 *   campaign_parse.c      the loader's helpers: errors, keys, lists, numbers
 *   campaign_load.c       loading: [campaign], [deadlines], [period],
 *                         [cluster], the order of the sections
 *   campaign_indicators.c [indicators], [labels], [reported_by]
 *   campaign_targets.c    [target]: forms, scopes, any_of, conflicts
 *   award_rules.c         [awards], [award]: the award-rule model
 *   baseline.c            the baseline file and the baselines of subtrees
 *   campaign_check.c      checks against a hierarchy
 *   campaign_eval.c       counts, values, which target applies, verdicts,
 *                         deadlines and timeliness
 *   campaign_request.c    ad-hoc requests as periods, and who reports what
 *                         and by when in a period
 */
#ifndef LNOB_CAMPAIGN_INT_H
#define LNOB_CAMPAIGN_INT_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "campaign.h"
#include "inifile.h"
#include "util.h"

/* Decimals are kept as integers × 10^4. */
#define CAMPAIGN_E4 10000
/* Largest decimal accepted (× 10^4): 10^14. */
#define CAMPAIGN_E4_MAX ((int64_t)1000000000000000000LL)
/* Largest period years / target term. */
#define CAMPAIGN_YEARS_MAX 100

/* ---- the model (campaign.c) ------------------------------------------- */

/* A level's annual deadline, or a period's own. */
typedef struct campaign_deadline {
	bool set;
	calendar_deadline_t when;
	unsigned line;
} campaign_deadline_t;

/* One row of the baseline file. */
typedef struct campaign_row {
	char *code;
	unsigned line;
	campaign_counts_t counts;
} campaign_row_t;

/* Private companion of a target: the line of each unit, of its levels. */
typedef struct campaign_target_x {
	unsigned *unit_lines;
	unsigned levels_line;
} campaign_target_x_t;

struct campaign {
	char *file;
	inifile_t *ini;                /* the file: the model points into it */
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
	campaign_period_t *periods;    /* the file's */
	size_t nperiods;
	campaign_period_t **adhoc;     /* the ad-hoc requests' (campaign_request.c),
	                                  each its own block: their addresses stay */
	size_t nadhoc, capadhoc;
	campaign_deadline_t *annual;   /* [nlevels] */
	campaign_deadline_t *pdl;      /* [nperiods × nlevels] period overrides */
	campaign_target_t *targets;
	campaign_target_x_t *tx;
	size_t ntargets;
	campaign_cluster_t *clusters;
	unsigned **member_lines;       /* [nclusters][nmembers] */
	size_t nclusters;
	char *bl_file;                 /* NULL: no baseline file */
	campaign_row_t *rows;          /* sorted by code */
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

/* A new, empty campaign for the file `file` (a copy is kept), or NULL when
 * memory runs out. Caller owns it (campaign_destroy()). */
campaign_t *campaign_new(const char *file);
/* The element of base[0..n) (size bytes each, each starting with its id,
 * a const char * that may be NULL) whose id is id, or NULL. */
const void *campaign_find_id(const void *base, size_t n, size_t size, const char *id);
/*
 * Defines the three accessors of one table of the model (campaign.h):
 * name_count(), name(i) (NULL out of range) and name_find(id) (NULL when
 * no element has it), over self->field[0 .. self->count), elements of
 * `type`, each starting with its id.
 */
#define CAMPAIGN_TABLE(type, name, field, count)                                        \
	size_t name##_count(const campaign_t *self)                                     \
	{                                                                               \
		assert(self);                                                           \
		return self->count;                                                     \
	}                                                                               \
	const type *name(const campaign_t *self, int i)                                 \
	{                                                                               \
		assert(self);                                                           \
		return i >= 0 && (size_t)i < self->count ? &self->field[i] : NULL;      \
	}                                                                               \
	const type *name##_find(const campaign_t *self, const char *id)                 \
	{                                                                               \
		assert(self);                                                           \
		return campaign_find_id(self->field, self->count, sizeof(*self->field), id); \
	}

/* Takes ownership of p (freed by campaign_destroy). Returns p, or NULL
 * (p freed) when p is NULL or memory runs out. */
void *campaign_own(campaign_t *c, void *p);
/* A copy of s owned by c, or NULL. */
char *campaign_strdup(campaign_t *c, const char *s);
/* n zeroed bytes (at least 1) owned by c, or NULL. */
void *campaign_zalloc(campaign_t *c, size_t n);
/* Index of a declared level, or -1. */
int campaign_level_index(const campaign_t *c, const char *level);
/* Index of p in the campaign's periods (p must be one of them: asserted). */
size_t campaign_period_index(const campaign_t *c, const campaign_period_t *p);

/* ---- loading (campaign_parse.c: the helpers) --------------------------- */

/* One load: the campaign being built and its first error. */
typedef struct cload {
	campaign_t *c;
	const char *file;
	lnob_fail_t fail;
} cload_t;

/* Records the first error as "<file>:<line>: <message>" (LNOB_E_CONFIG).
 * Returns the first error's code. */
int cload_fail(cload_t *b, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records "<file>: out of memory" (-ENOMEM) the same way. */
int cload_oom(cload_t *b);

static inline bool cload_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A copy of s[0..len) without leading and trailing blanks (caller frees),
 * or NULL. */
char *cload_trimdup(const char *s, size_t len);

/* The keys a section may hold: name, and whether it is a list. */
typedef struct cload_keyspec {
	const char *key;
	bool list;
} cload_keyspec_t;

/* Checks every key of s against spec (NULL-terminated; a key "prefix.*"
 * stands for any key starting with "prefix."): an unknown key or a
 * non-list key given twice is an error. Returns 0 or the error. */
int cload_check_keys(cload_t *b, const inifile_section_t *s, const cload_keyspec_t *spec);
/* Refuses key i of s when an earlier key of s has its name (the sections
 * whose keys are names: [indicators], [labels], [reported_by]). */
int cload_key_once(cload_t *b, const inifile_section_t *s, size_t i);
/* Refuses a section [type id] whose id is not an id (1..64 of
 * A-Za-z0-9._-; `what` names the type in the message), or whose keys are
 * not those of spec (cload_check_keys()). */
int cload_object(cload_t *b, const inifile_section_t *s, const char *what,
		 const cload_keyspec_t *spec);
/* The value of key in s, or "" when s lacks it. Borrowed from the file. */
const char *cload_text(const inifile_section_t *s, const char *key);
/* Like inifile_section_get(), but a missing key is an error on the
 * section's line, and an empty one on its own. NULL on error. */
const inifile_kv_t *cload_need(cload_t *b, const inifile_section_t *s, const char *key);

/* A list item with the line it came from. */
typedef struct cload_item {
	const char *text;       /* owned by the campaign */
	unsigned line;
} cload_item_t;

/* Joins every "key = a, b, c" of s into items (owned by the campaign, in
 * file order). Refuses an empty item. *ret_items is NULL when there are
 * none. Returns 0 or the error. */
int cload_list(cload_t *b, const inifile_section_t *s, const char *key, cload_item_t **ret_items,
	       size_t *ret_n);
/* The periods listed by key `periods` of s, as period indices (each once;
 * with occasion, of kind *occasion, named occasion_name in messages).
 * *ret is NULL when there is no such key. Returns 0 or the error. */
int cload_periods(cload_t *b, const inifile_section_t *s, const campaign_period_kind_t *occasion,
		  const char *occasion_name, const int **ret, size_t *ret_n);
/* Parses a date key of s into days and year; a bad or missing one is an
 * error. */
int cload_date_key(cload_t *b, const inifile_section_t *s, const char *key, int32_t *ret_day,
		   int *ret_year);
/* Parses a non-negative decimal with at most 4 places ("3", "0.5", "2.25")
 * into its value × 10^4; a trailing "%" is taken when pct is set. Returns
 * 0, -EINVAL (not such a number) or -ERANGE (over CAMPAIGN_E4_MAX). */
int cload_parse_e4(const char *s, bool pct, int64_t *ret);
/* A period kind: year_word ("year" for a period's kind, "annual" for an
 * award's occasion), "midterm" or "final". */
bool cload_period_kind(const char *s, const char *year_word, campaign_period_kind_t *ret);
/* yes/true/1/on or no/false/0/off. */
bool cload_parse_bool(const char *s, bool *ret);

/* ---- the sections (each file's own) ------------------------------------- */

/* campaign_indicators.c: [indicators], [labels], [reported_by] (s may be
 * NULL: every count and amount is reported by [campaign] reported_by). */
int cload_indicators(cload_t *b, const inifile_section_t *s);
int cload_labels(cload_t *b, const inifile_section_t *s);
int cload_reported_by(cload_t *b, const inifile_section_t *s);
/* Parses the reporting levels of kv, a non-empty key of section s ("all",
 * or declared levels, each once), into mask[nlevels] (zeroed by the
 * caller). Returns 0 or the error. */
int cload_reporters(cload_t *b, const inifile_section_t *s, const inifile_kv_t *kv, bool *mask);

/* campaign_targets.c: the first pass over target ti (all but any_of
 * references and conflicts); then, once all are read, the any_of links and
 * the conflicts between targets. tsecs[i] is target i's section. */
int cload_target(cload_t *b, const inifile_section_t *s, size_t ti);
int cload_link_targets(cload_t *b, const inifile_section_t *const *tsecs);
int cload_check_conflicts(cload_t *b);

/* award_rules.c: [awards] (s may be NULL: the defaults), then rule ri. */
int cload_awards(cload_t *b, const inifile_section_t *s);
int cload_award(cload_t *b, const inifile_section_t *s, size_t ri);

/* baseline.c: loads the baseline file `value` named on line `line` of the
 * campaign file (relative to its directory). */
int cload_baseline(cload_t *b, const char *value, unsigned line);

/* ---- baselines (baseline.c) ----------------------------------------------- */

/* The baseline row of unit code, or NULL. */
const campaign_row_t *campaign_row(const campaign_t *c, const char *code);
/*
 * Sums the baselines of the units in start[0..n) into ret: a unit with a
 * row gives its row; one without gives its children's, recursively. A value
 * is in the sum only when every unit reached has it (and the sum stays
 * within REPORT_VALUE_MAX). Returns 0, LNOB_E_NOTFOUND (a unit without row
 * or children reached, or no value left) or -ENOMEM.
 */
int campaign_subtree_sum(const campaign_t *c, const hier_t *h, const int *start, size_t n,
			 campaign_counts_t *ret);

#endif
