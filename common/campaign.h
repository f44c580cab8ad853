/*
 * campaign.h: the campaign itself. One file (INI, parsed by inih) says what
 * a campaign measures: its periods, its indicators (counts, amounts and the
 * sums and rates derived from them), its targets per level or per unit, the
 * report deadline of each level, and its emulation clusters. A CSV file
 * (libcsv) may give every unit's baseline counts. This module loads and
 * validates both, and holds the pure functions the aggregator calls: derived
 * values from summed counts, the effective targets of a unit, the verdict of
 * a target, deadlines and timeliness. No LMDB, no I/O beyond loading.
 * (campaign_int.h lists the files that implement it, one job each.)
 *
 * ===========================================================================
 * THE CAMPAIGN FILE (UTF-8 INI; ";" or "#" starts a comment line, " ;" an
 * inline comment; leading blanks are ignored; a line is at most 1 MiB
 * (INIFILE_LINE_MAX), a [section] name or a key at most 48)
 * ===========================================================================
 *
 *   [campaign]
 *   id            = lnob-2021-2025       ; the campaign id reports carry
 *   name          = ...                  ; free text
 *   plan          = 417/KH-UBND          ; optional free text (the source plan)
 *   start         = 2021-01-01           ; first and last day of the campaign
 *   end           = 2025-12-31
 *   baseline_date = 2020-12-31           ; the day the baseline counts describe
 *   utc_offset    = +07:00               ; of deadlines (default +07:00)
 *   levels        = province, district, commune, village
 *   reported_by   = village              ; optional: the levels whose units
 *                                        ;   report the counts and amounts
 *                                        ;   (declared levels, or all);
 *                                        ;   default: the last of levels
 *   partial       = comparable           ; optional: verdicts on partial
 *                                        ;   figures are judged on the
 *                                        ;   comparable basis (default), or
 *                                        ;   withheld (withhold: INCOMPLETE);
 *                                        ;   see aggregator/figures.h
 *   baseline_file = ../province/baseline.csv   ; optional; relative to this file
 *
 *   [indicators]                         ; code = definition, one per line
 *   households_total = count
 *   poor_households  = count
 *   fund_vnd         = amount            ; an amount of money in dong
 *   poor_near_poor   = sum poor_households + near_poor_households
 *   poor_rate        = rate poor_households / households_total
 *
 *   [reported_by]                        ; optional: per-indicator exceptions
 *   fund_vnd = all                       ; every declared level
 *   escaped_households = commune, village   ; or a list of declared levels
 *
 *   [labels]                             ; optional: code = display name
 *   poor_rate = Tỷ lệ hộ nghèo
 *
 *   [deadlines]                          ; level = before|by MM-DD [HH:MM]
 *   district = before 12-05              ; every year, in utc_offset time
 *
 *   [period 2023]                        ; one section per period
 *   kind  = year                         ; year, midterm or final
 *   start = 2023-01-01
 *   end   = 2023-12-31
 *   years = 3                            ; optional, see e below
 *   previous = 2022                      ; optional, see campaign_period_previous()
 *   deadline.district = before 2023-11-30  ; optional: this period only
 *
 *   [target poor-districts]              ; one section per target
 *   units     = DGL, TDU                 ; and/or: levels = district
 *   cascade   = commune                  ; optional: levels below that inherit it
 *   goal      = poverty                  ; optional (default: the indicator)
 *   periods   = 2021, 2022               ; optional (default: every period)
 *   indicator = poor_rate
 *   down_points = 4                      ; the form, one of the six below
 *   basis     = average                  ; down_*: average (default) or annual
 *   pace      = linear                   ; linear (default) or end
 *   by        = 2025                     ; the target's last year (default:
 *                                        ;   the campaign's last year)
 *   strict    = no                       ; down_*: "more than" instead of
 *                                        ;   "at least"
 *   source    = 417/KH-UBND §IV.1b       ; optional free text
 *
 *   [cluster north]                      ; an emulation cluster (cụm/khối)
 *   name    = Cụm thi đua số 1
 *   members = CJT, DMI, KNO              ; unit codes, anywhere in the tree
 *
 * List keys (levels, units, cascade, periods, any_of, members) take a
 * comma-separated list and may be given more than once in a section (the
 * lists are joined, so a long list continues on the next line); every
 * other key at most once (reported_by and the keys of [reported_by] take a
 * comma-separated list too, given once). Ids (campaign, period, target, cluster, goal, indicator codes, unit
 * codes) are 1..64 of [A-Za-z0-9._-].
 *
 * Indicators: "count" and "amount" are reported; an amount's code ends in
 * "_vnd" and nothing else's does (as everywhere in lnob). "sum A + B ..."
 * (2..8 parts) adds counts, or amounts; "rate N / D" is N / D where N and D
 * are counts or sums of counts (never amounts, rates, or averages of child
 * rates): it is computed from the counts summed over the unit's subtree.
 *
 * Reporting levels: each count and amount is reported by the units of its
 * reporting levels only, so that nothing is counted twice up the tree (a
 * commune reporting households_total while its villages do would make its
 * district sum both). They are [campaign] reported_by (default: the last,
 * lowest, level of `levels`), unless [reported_by] names the indicator:
 * then exactly the levels given there. `all` is every declared level and
 * stands alone; a level is given at most once; `all` is not a level name.
 * A report carrying an indicator for a unit of another level is refused
 * (campaign_check_levels(); the aggregator's NACK_WRONG_LEVEL). Sums and
 * rates are derived, never reported, and have no reporting level. A
 * report from a unit whose level is not declared in `levels` can carry
 * no indicator of the campaign.
 *
 * Target forms (exactly one per target; X, P and S are decimals with at most
 * 4 places, and may end in "%" where they are percentages):
 *   down_points  = P   a rate down by P percentage points per year
 *   down_percent = S   the value scaled down by S % against the baseline
 *   below    = X       the value < X  (a rate in %, else the number) by `by`
 *   at_most  = X       the value <= X by `by`
 *   at_least = X       the value >= X by `by` (e.g. coverage 100 %)
 *   any_of   = list    met when any listed target is met; the listed targets
 *                      are "alternatives": sections with a form and an
 *                      indicator but no units, levels, cascade, goal or
 *                      periods, used only through any_of.
 * A scoped target (units and/or levels) applies to each listed unit and to
 * every unit of each listed level; with cascade, also to the descendants of
 * those units at the cascade levels. Which target a unit gets is decided per
 * goal by campaign_target_for().
 *
 * Deadlines: "before MM-DD" means the report is late from 00:00 of that day
 * (the seeds' "trước ngày"); "by MM-DD" from 00:00 of the next day; with
 * HH:MM, late from that minute (before) or from the next minute (by), all
 * in the campaign's utc_offset time. [deadlines] holds each level's
 * annual deadline, taken in the year of the period's end; a period's own
 * deadline.<level> = before|by YYYY-MM-DD [HH:MM] overrides it for that
 * period.
 *
 * Validation (each error is "<file>:<line>: <problem>", the line of the key
 * or of the section at fault): unknown sections and keys, a key given twice,
 * duplicate sections (ids), empty sections, bad ids, dates, numbers and
 * offsets, a period outside the campaign or with years < 1, an unknown or
 * ill-typed indicator (a rate over an amount, a "_vnd" count), an unknown
 * level in reported_by ("[reported_by] fund_vnd: unknown level 'hamlet'"),
 * a key of [reported_by] that is not a count or an amount of [indicators]
 * ("[reported_by] poor_rate: a derived indicator is never reported") or is
 * given twice, `all` beside a level or as a level name, a level given twice
 * in one reported_by, an unknown
 * indicator, period, level or alternative in a target, a form the indicator
 * cannot take, two forms, a cascade to an undeclared level, two targets for
 * the same goal on the same unit or level in the same period, a cluster
 * member given twice. With a hierarchy: a declared level, target unit,
 * cluster member or baseline unit not in it, and a baseline row that
 * disagrees with the sum of its children's.
 *
 * ===========================================================================
 * AWARD RULES (khen thưởng; evaluated by award.h)
 * ===========================================================================
 *
 *   [awards]                             ; optional: general conditions
 *   sanctions  = reprimand, warning, dismissal  ; disciplinary levels, lowest
 *                                        ;   first ("none" is below them all;
 *                                        ;   this list is the default)
 *   disqualify = reprimand               ; a sanction at this level or above
 *                                        ;   rules the nominee out (default:
 *                                        ;   sanctions are not checked)
 *   label.giay_khen = Giấy khen của Giám đốc Sở   ; optional display names
 *   source     = 54/KH-SNNPTNT §IV.3     ; optional free text
 *
 *   [award annual-bang-khen]             ; one section per rule
 *   form        = bang_khen_province     ; the award form (below)
 *   occasion    = annual                 ; annual, midterm or final
 *   periods     = 2022, 2023             ; optional: only these periods (of
 *                                        ;   the occasion's kind; default all)
 *   nominees    = collective, individual ; who may get it (kinds below)
 *   achievement = >= 110%                ; conditions, any one suffices:
 *   progress    = > 50%                  ;   over the unit's targets
 *   contribution = contribution_vnd >= 100000000   ; the nominee's own
 *   contribution.individual = contribution_vnd >= 20000000  ; per kind
 *   targets     = all                    ; all (default) or any of them
 *   goals       = poverty, em-poverty    ; optional: only these goals
 *   disqualify  = warning                ; optional: overrides [awards]
 *   source      = 54/KH-SNNPTNT §IV.2.1  ; optional free text
 *
 * Forms, lowest first: giay_khen (Giấy khen of a director or district
 * chair), bang_khen_province (Bằng khen of the provincial chairman),
 * bang_khen_pm (the Prime Minister's), huan_chuong_lao_dong (Labour Order).
 * Occasions tie a rule to the campaign's periods: annual to every period of
 * kind year, midterm to kind midterm, final to kind final. Nominee kinds:
 * collective, individual, household, enterprise.
 *
 * Conditions (a rule needs at least one; the rule holds when ANY holds):
 *   achievement = >=|> P%  every (targets = any: some) effective target of
 *       the nominee's unit in the period (campaign_target_for(), limited to
 *       `goals`) has achievement_bp >= (>) P: "met" is >= 100%, "exceeds by
 *       10 %" >= 110%. A target with nothing required (not due, or its
 *       baseline already meets it) is left out; one without data is unknown.
 *   progress = >=|> P%     the same with progress (the share of the whole
 *       term's change): "more than 50 % of the 2021-2025 targets" is > 50%.
 *   contribution = CODE >=|> N   the nominee's contribution (an amount, or a
 *       sum of amounts, in dong) over the occasion; contribution.<kind> sets
 *       another threshold for that kind (the kind must be in nominees).
 *   P has at most 2 decimals (0 < P <= 1000); N is a whole number.
 * A rule with neither contribution nor contribution.<kind> has no
 * contribution condition for that kind. General condition: the nominee's
 * highest disciplinary sanction must be below `disqualify`; AND-ed with the
 * conditions. Several rules may give one form on one occasion: any one
 * that holds suffices.
 *
 * Validation (file:line, as above): unknown keys, a missing or unknown
 * form, occasion or nominee kind, a period of another kind than the
 * occasion, a goal no target has, a condition that does not parse, a
 * contribution over something that is not an amount, contribution.<kind>
 * for a kind not in nominees, no condition, an unknown or reserved
 * sanction, a sanction given twice, a label for an unknown form.
 *
 * ===========================================================================
 * THE BASELINE FILE (CSV, RFC 4180, UTF-8, parsed by libcsv)
 * ===========================================================================
 *   unit,households_total,poor_households,near_poor_households
 *   DNO-01-01,212,31,18
 * The header is "unit" then indicator codes (counts or amounts of the
 * campaign, each once). One row per unit code, each at most once; an empty
 * cell is "not known"; values are integers 0..REPORT_VALUE_MAX. Errors name
 * the file and line. A unit without a row has the sums of its children's
 * (campaign_baseline_for()).
 *
 * ===========================================================================
 * ARITHMETIC (exact: integers and fractions, 256-bit intermediates; no
 * floating point decides a verdict)
 * ===========================================================================
 * U(x): an indicator's value in the target's unit: a rate in percent
 *   (100 × numerator / denominator, both summed counts); anything else the
 *   number itself.
 * e: the period's years, the campaign years its counts cover since the
 *   baseline: year(end) − year(baseline_date) unless the period sets years
 *   (a 2023 period over a 2020-12-31 baseline: e = 3).
 * E: the target's term, by − year(baseline_date) (2025: E = 5); e' = min(e, E).
 * base, prev, cur: the value at the baseline, in the previous period, now.
 *
 *   down_points = P, basis average (the default, the seeds' "bình quân hằng
 *   năm"): the reduction vs the baseline, A = U(base) − U(cur), must be at
 *   least Q = P × e'. E.g. "poor rate down >= 3 points a year on average":
 *   in 2023 the rate must be >= 9 points under the baseline rate; 3 points
 *   a year vs the previous year are NOT required each year.
 *   basis annual: A = U(prev) − U(cur) >= Q = P.
 *   A rate cannot fall below 0: Q is at most U(base) (annual: U(prev)) and
 *   the term's change at most U(base), so a rate brought to 0 has met its
 *   reduction; when U(base) (or U(prev)) is 0 there is nothing to reduce:
 *   met when U(cur) is 0 too.
 *   down_percent = S, basis average: A = U(base) − U(cur) >= Q = U(base) ×
 *   S/100 × e'/E (pace linear: by year e the share e'/E of the reduction; 50 %
 *   over 2021-2025 means >= 10 % in 2021, >= 30 % in 2023, >= 50 % in 2025).
 *   basis annual: A = U(prev) − U(cur) >= Q = U(prev) × S/100.
 *   strict = yes turns ">=" into ">" (Vĩnh Phúc's "giảm trên 50%").
 *   When U(base) (or U(prev)) is 0 there is nothing to reduce: met when
 *   U(cur) is 0 too.
 *   below/at_most/at_least = X: the value required now, V = U(base) + (X −
 *   U(base)) × e'/E (pace linear; V = X from year E on); met when U(cur) < V,
 *   <= V, >= V. Q = U(base) − V (at_least: V − U(base)) and A the change
 *   from the baseline in the same direction; Q <= 0 when the baseline
 *   already meets X.
 *   pace end: before the term's last year (e < E) the verdict is NOT_DUE
 *   (progress is still given); from e >= E as above with e' = E.
 * Achievement = A / Q, given as achievement_bp = floor(10000 × A / Q)
 *   (10000 = 100.00 %; exact floor, also when negative); none when Q <= 0.
 * Progress = the change from the baseline / the change the whole term
 *   requires (P × E; U(base) × S/100; U(base) − X, at_least X − U(base));
 *   none when that is <= 0.
 * any_of: MET if any alternative is met; else NO_DATA if any lacks data; else
 *   NOT_DUE if any is not due; else NOT_MET. The deciding alternative is the
 *   met one (else the one of that verdict) with the highest achievement, the
 *   first listed on a tie.
 * NO_DATA: a count the target needs is not in the inputs, or a rate's
 *   denominator is 0.
 * Bounds: every input (a reported value, or a sum of them over a subtree,
 *   which the aggregator keeps within 10^15) is at most REPORT_VALUE_MAX,
 *   so a sum of 8 parts stays below 2^53 and every term above fits.
 *
 * ===========================================================================
 * PARTIAL DATA (what the counts passed in are; the aggregator builds them,
 * aggregator/figures.h, and README "Partial data" says it for operators)
 * ===========================================================================
 * A unit's figures for indicator i come from the units of its subtree that
 * OWE i (their level reports one of i's counts: campaign_level_reports(),
 * campaign_indicator_inputs()) and COVER it (their current report carries
 * every one of those counts their level reports); coverage = {covering,
 * owing}. Current counts: the covering units' sums. Baseline: when all
 * owing units cover i (the full basis), the unit's own baseline
 * (campaign_baseline_for()); otherwise (partial: the comparable basis) the
 * sum of the covering units' baselines (not known for a count reported at
 * several levels); the previous period: the covering units' counts of
 * then, when each had them. A target is evaluated (campaign_evaluate(),
 * any_of through campaign_any_of() on each alternative's own figures) on
 * its indicator's figures; partial = withhold turns a verdict on partial
 * figures into INCOMPLETE.
 */
#ifndef LNOB_CAMPAIGN_H
#define LNOB_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hierarchy.h"
#include "report.h"

#define CAMPAIGN_INDICATORS_MAX 64   /* indicators per campaign */
#define CAMPAIGN_SUM_PARTS_MAX 8     /* parts of a sum */

typedef struct campaign campaign_t;

typedef enum campaign_ind_kind {
	CAMPAIGN_IND_COUNT,     /* reported: a count */
	CAMPAIGN_IND_AMOUNT,    /* reported: an amount in dong ("_vnd") */
	CAMPAIGN_IND_SUM,       /* derived: the sum of its parts */
	CAMPAIGN_IND_RATE,      /* derived: num / den, shown in percent */
} campaign_ind_kind_t;

typedef struct campaign_indicator {
	const char *code;
	const char *label;      /* from [labels], else the code */
	campaign_ind_kind_t kind;
	bool amounts;           /* a sum of amounts */
	int parts[CAMPAIGN_SUM_PARTS_MAX];  /* sum: indicator indices */
	size_t nparts;
	int num, den;           /* rate: indicator indices */
	unsigned line;
} campaign_indicator_t;

typedef enum campaign_period_kind {
	CAMPAIGN_PERIOD_YEAR,
	CAMPAIGN_PERIOD_MIDTERM,
	CAMPAIGN_PERIOD_FINAL,
	CAMPAIGN_PERIOD_ADHOC,        /* an ad-hoc request (campaign_request_add()) */
} campaign_period_kind_t;

/* What an ad-hoc (đột xuất) request asks: the period of kind
 * CAMPAIGN_PERIOD_ADHOC of the same id. */
typedef struct campaign_request {
	const char *const *units;     /* the unit codes asked, sorted (strcmp) */
	size_t nunits;
	bool asked[CAMPAIGN_INDICATORS_MAX];   /* by indicator index: counts, amounts */
	int32_t due_day;              /* the last day on time, days since 1970-01-01 */
	const char *due;              /* the same as YYYY-MM-DD */
	const char *note;             /* "" when none */
	int64_t created_at;           /* Unix seconds */
} campaign_request_t;

typedef struct campaign_period {
	const char *id;
	campaign_period_kind_t kind;
	const campaign_request_t *request;   /* CAMPAIGN_PERIOD_ADHOC: what it asks; else NULL */
	int32_t start_day, end_day;   /* days since 1970-01-01, inclusive */
	int start_year, end_year;
	unsigned years;               /* e of the arithmetic above, >= 1 */
	int previous;                 /* period index, -1: the baseline */
	unsigned line;
} campaign_period_t;

typedef enum campaign_form {
	CAMPAIGN_DOWN_POINTS,
	CAMPAIGN_DOWN_PERCENT,
	CAMPAIGN_BELOW,
	CAMPAIGN_AT_MOST,
	CAMPAIGN_AT_LEAST,
	CAMPAIGN_ANY_OF,
} campaign_form_t;

typedef enum campaign_basis {
	CAMPAIGN_BASIS_AVERAGE,  /* vs the baseline, requirement grows with e */
	CAMPAIGN_BASIS_ANNUAL,   /* vs the previous period */
} campaign_basis_t;

typedef enum campaign_pace {
	CAMPAIGN_PACE_LINEAR,
	CAMPAIGN_PACE_END,
} campaign_pace_t;

typedef struct campaign_target campaign_target_t;
struct campaign_target {
	const char *id;
	const char *goal;             /* never NULL */
	const char *source;           /* free text or "" */
	campaign_form_t form;
	int indicator;                /* -1 for any_of */
	int64_t value_e4;             /* P, S or X × 10^4 */
	campaign_basis_t basis;
	campaign_pace_t pace;
	int by_year;
	unsigned term;                /* E: by_year − year(baseline_date) */
	bool strict;
	bool alternative;             /* used only through any_of */
	const char *const *units;     /* scope: unit codes */
	size_t nunits;
	const char *const *levels;    /* scope: levels */
	size_t nlevels;
	const char *const *cascade;   /* levels below that inherit it */
	size_t ncascade;
	const int *periods;           /* period indices; NULL: every period */
	size_t nperiods;
	const campaign_target_t *const *alts;  /* any_of */
	size_t nalts;
	unsigned line;
};

typedef struct campaign_cluster {
	const char *id;
	const char *name;
	const char *const *members;   /* unit codes, file order */
	size_t nmembers;
	unsigned line;
} campaign_cluster_t;

/* ---- loading ---------------------------------------------------------- */

/* Loads and validates the campaign file at path and, when it names one, its
 * baseline file (relative to path's directory). With hier (may be NULL),
 * also checks them against it (campaign_check_hier()). Returns 0; -errno
 * when a file cannot be read; LNOB_E_CONFIG (campaign file) or LNOB_E_CSV
 * (baseline file) with err as "<file>:<line>: <problem>"; -ENOMEM. *ret is
 * written only on success; caller owns it (campaign_destroy). */
int campaign_load(const char *path, const hier_t *hier, campaign_t **ret,
		  char *err, size_t errlen);
/* The [campaign] id of the campaign file at path, read by the INI reader
 * alone (no model, no baseline, no hierarchy: campaigns_load_only()), into
 * *ret_id (caller frees; "" when the file has none). Returns 0, or what
 * campaign_load() returns for a file that cannot be read or whose INI does
 * not parse, with its message. */
int campaign_file_id(const char *path, char **ret_id, char *err, size_t errlen);
/* Same from text in memory; name stands for the file in messages, and its
 * directory is where a relative baseline_file is looked for. */
int campaign_load_mem(const char *text, const char *name, const hier_t *hier,
		      campaign_t **ret, char *err, size_t errlen);
/* Checks a loaded campaign against a hierarchy (e.g. a new version of it):
 * every declared level occurs in it, every target unit, cluster member and
 * baseline unit is in it, and every baseline row equals the sum of its
 * children's where they all have the value. Returns 0, or LNOB_E_CONFIG /
 * LNOB_E_CSV with err naming the campaign or baseline file and line. */
int campaign_check_hier(const campaign_t *self, const hier_t *hier, char *err, size_t errlen);
/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void campaign_destroy(campaign_t **self_p);

/* ---- the model (every pointer borrowed, valid until destroy) ----------- */

const char *campaign_id(const campaign_t *self);
const char *campaign_name(const campaign_t *self);
/* The file name given at load. */
const char *campaign_file(const campaign_t *self);
int campaign_first_year(const campaign_t *self);    /* year(start) */
int campaign_last_year(const campaign_t *self);     /* year(end) */
int campaign_baseline_year(const campaign_t *self); /* year(baseline_date) */
/* baseline_date, days since 1970-01-01 (the hierarchy version its baseline
 * file describes: README "Hierarchy versions"). */
int32_t campaign_baseline_day(const campaign_t *self);
/* Seconds east of UTC of deadlines. */
int campaign_utc_offset(const campaign_t *self);

size_t campaign_level_count(const campaign_t *self);
/* Declared level i, top first (0 <= i < count), else NULL. */
const char *campaign_level(const campaign_t *self, size_t i);

size_t campaign_indicator_count(const campaign_t *self);
/* Indicator i (0 <= i < count), else NULL. */
const campaign_indicator_t *campaign_indicator(const campaign_t *self, int i);
/* Index of the indicator with this code, or -1 when the campaign does not
 * know it. */
int campaign_indicator_find(const campaign_t *self, const char *code);

/* True when a unit at `level` reports indicator i (a count or an amount):
 * level is one of the indicator's reporting levels (see "Reporting levels"
 * above). False for a derived indicator, a bad index or an undeclared
 * level (also when self or level is NULL). */
bool campaign_level_reports(const campaign_t *self, int i, const char *level);
/* Checks that a unit at `level` may carry every value of rep (the
 * indicators are known to be reported ones of the campaign: check with
 * campaigns_check_report() first). Returns 0, or LNOB_E_WRONG_LEVEL with
 * detail "unit 'C001' is a commune; indicator 'households_total' is
 * reported by village" (the first offending indicator in rep's order, and
 * every level that reports it, top first); -EINVAL when self, rep or level
 * is NULL or rep carries an indicator that is not a count or an amount of
 * the campaign (detail says which). detail may be NULL when len is 0. */
int campaign_check_levels(const campaign_t *self, const Lnob__Report *rep, const char *level,
			  char *detail, size_t len);
/* For a period known, campaign_reports() and campaign_check_reporter()
 * (campaign_request.h) say the same with ad-hoc requests' rules. */

/* The periods: the campaign file's, in file order, then the ad-hoc
 * requests' in the order they were added. A period's address is stable
 * for the campaign's lifetime (adding a request moves none). */
size_t campaign_period_count(const campaign_t *self);
const campaign_period_t *campaign_period(const campaign_t *self, int i);
/* The period with this id, or NULL. */
const campaign_period_t *campaign_period_find(const campaign_t *self, const char *id);

/* Ad-hoc (đột xuất) requests, periods of kind CAMPAIGN_PERIOD_ADHOC: see
 * campaign_request.h. */
/* The period whose counts are "the previous period's" for p (basis annual):
 * its `previous` key, else the year period with the latest end before p's
 * end; NULL when there is none (then the baseline is the previous). */
const campaign_period_t *campaign_period_previous(const campaign_t *self,
						  const campaign_period_t *p);

size_t campaign_target_count(const campaign_t *self);
const campaign_target_t *campaign_target(const campaign_t *self, int i);
const campaign_target_t *campaign_target_find(const campaign_t *self, const char *id);

size_t campaign_cluster_count(const campaign_t *self);
const campaign_cluster_t *campaign_cluster(const campaign_t *self, int i);
const campaign_cluster_t *campaign_cluster_find(const campaign_t *self, const char *id);
/* The clusters unit code is a member of, in file order: writes at most max
 * into ret and returns how many there are. */
size_t campaign_clusters_of(const campaign_t *self, const char *code,
			    const campaign_cluster_t **ret, size_t max);

/* ---- counts and derived values ----------------------------------------- */

/* The reported values of one unit in one period (or its baseline), by
 * indicator index. Only counts and amounts are set; sums and rates are
 * derived. Plain data: copy it, keep it on the stack. */
typedef struct campaign_counts {
	int64_t v[CAMPAIGN_INDICATORS_MAX];
	bool has[CAMPAIGN_INDICATORS_MAX];
} campaign_counts_t;

/* Empties c (nothing known). */
void campaign_counts_clear(campaign_counts_t *c);
/* Sets a reported value. Returns 0; LNOB_E_NOTFOUND when the campaign does
 * not know code; LNOB_E_INVALID when code is a sum or a rate, or value is
 * outside 0..REPORT_VALUE_MAX (c is then unchanged). */
int campaign_counts_set(const campaign_t *self, campaign_counts_t *c,
			const char *code, int64_t value);
/* Fills c (cleared first) from values v[0..n-1] (a report's, or a
 * rollup's sums): every code the campaign knows as a count or amount;
 * others are ignored; a code not among them stays absent. Returns 0, or
 * LNOB_E_INVALID when a known code's value is out of range (c is then
 * cleared). */
int campaign_counts_from_values(const campaign_t *self, Lnob__IndicatorValue *const *v,
				size_t n, campaign_counts_t *c);

/* The value of indicator i over counts c as a fraction num / den: a count,
 * amount or sum is value / 1; a rate is (summed numerator counts) / (summed
 * denominator counts), not in percent and not reduced. Returns 0;
 * LNOB_E_NOTFOUND when a count it needs is not in c; LNOB_E_INVALID when a
 * rate's denominator is 0; -EINVAL for a bad index. ret_* written only on
 * success. */
int campaign_value(const campaign_t *self, const campaign_counts_t *c, int i,
		   int64_t *ret_num, int64_t *ret_den);
/* The reported indicators (counts and amounts) indicator i is computed
 * from, in index order, each once: i itself for a count or an amount, the
 * parts of a sum, the parts of a rate's numerator and denominator. Writes
 * at most max into ret and returns how many there are (0 for a bad
 * index). */
size_t campaign_indicator_inputs(const campaign_t *self, int i, int *ret, size_t max);

/* True when the campaign withholds verdicts on partial figures ([campaign]
 * partial = withhold: INCOMPLETE) rather than judging them on the
 * comparable basis (partial = comparable, the default). */
bool campaign_partial_withhold(const campaign_t *self);

/* The same for display: a rate in percent, anything else the number.
 * Display only; decisions use campaign_evaluate(). */
int campaign_value_display(const campaign_t *self, const campaign_counts_t *c, int i,
			   double *ret);

/* The baseline row of unit code, if the baseline file has one. Returns 0
 * (c filled) or LNOB_E_NOTFOUND. */
int campaign_baseline_get(const campaign_t *self, const char *code, campaign_counts_t *c);
/* The baseline of hierarchy unit `unit`: its own row; else, for each value,
 * the sum over its children's baselines (recursively) when every one of
 * them has it. Returns 0, or LNOB_E_NOTFOUND when nothing is known (no row
 * and no children, or a child subtree without any). */
int campaign_baseline_for(const campaign_t *self, const hier_t *hier, int unit,
			  campaign_counts_t *c);

/* ---- targets ----------------------------------------------------------- */

typedef enum campaign_via {
	CAMPAIGN_VIA_OWN,       /* the unit is in the target's units */
	CAMPAIGN_VIA_CASCADE,   /* inherited from an ancestor (`from`) */
	CAMPAIGN_VIA_LEVEL,     /* the unit's level is in the target's levels */
} campaign_via_t;

typedef struct campaign_applied {
	const campaign_target_t *target;
	campaign_via_t via;
	int from;               /* hierarchy index the target is attached to:
	                           the unit itself, or the ancestor it cascades from */
} campaign_applied_t;

/* The effective targets of hierarchy unit `unit` in period p, one per goal
 * (goals in the file order of their first target). For each goal, among the
 * targets active in p (no `periods`, or p listed), the first that applies:
 *   1. one whose units list the unit;
 *   2. walking up from the parent to the root, at the nearest ancestor A
 *      with one: a target whose units list A, else one whose levels hold
 *      A's level, and whose cascade holds the unit's level;
 *   3. one whose levels hold the unit's level.
 * Writes at most max entries into ret (may be NULL when max is 0) and
 * returns how many there are. */
size_t campaign_target_for(const campaign_t *self, const hier_t *hier, int unit,
			   const campaign_period_t *p, campaign_applied_t *ret, size_t max);

typedef enum campaign_verdict {
	CAMPAIGN_MET,
	CAMPAIGN_NOT_MET,
	CAMPAIGN_NOT_DUE,       /* pace end, before the term's last year */
	CAMPAIGN_NO_DATA,       /* a count is missing or a denominator is 0 */
	CAMPAIGN_INCOMPLETE,    /* withheld: the figures are partial and the
	                           campaign says partial = withhold (never
	                           returned by campaign_evaluate(); the
	                           aggregator's figures.h sets it) */
} campaign_verdict_t;

typedef struct campaign_eval {
	campaign_verdict_t verdict;
	const campaign_target_t *decided_by;   /* the target, or for any_of the
	                                          deciding alternative */
	/* Values of the indicator in the target's unit (% for a rate); display
	 * only. has_* false when not computable. */
	bool has_base, has_prev, has_cur;
	double base, prev, cur;
	double change_base;     /* base − cur (at_least: cur − base) */
	double change_prev;     /* prev − cur (at_least: cur − prev); has_prev */
	double required;        /* Q: the change required now (0 when NOT_DUE) */
	double goal;            /* the change the whole term requires */
	/* Exact achievement A / Q and progress (see the header). */
	bool has_achievement;
	int64_t achievement_bp; /* floor(10000 × A / Q), clamped to int64 */
	bool achievement_exact; /* 10000 × A / Q is an integer */
	bool has_progress;
	int64_t progress_bp;    /* floor(10000 × change from base / goal) */
	bool progress_exact;    /* 10000 × change / goal is an integer */
} campaign_eval_t;

/* Evaluates target t (any target of the campaign, an alternative too) for
 * period p given the unit's baseline counts, the previous period's counts
 * (campaign_period_previous(); NULL when not known, and ignored when p has
 * no previous period: the baseline is used) and this period's counts, as
 * the header's ARITHMETIC says. Pure. Returns 0 with *ret filled (the
 * verdict may be NO_DATA), or -EINVAL when self, t, p, baseline, current or
 * ret is NULL. */
int campaign_evaluate(const campaign_t *self, const campaign_target_t *t,
		      const campaign_period_t *p, const campaign_counts_t *baseline,
		      const campaign_counts_t *previous, const campaign_counts_t *current,
		      campaign_eval_t *ret);
/* Combines the evaluations of any_of target t's alternatives (alts[k] of
 * t->alts[k], each evaluated on its own figures) by the any_of rule of the
 * header (INCOMPLETE ranks with NO_DATA, before it): MET if any is met;
 * else INCOMPLETE if any is; else NO_DATA if any lacks data; else NOT_DUE
 * if any is not due; else NOT_MET; the deciding alternative the best of
 * that verdict by achievement, the first listed on a tie. *ret_index gets
 * its index (may be NULL). Returns 0, or -EINVAL when t is not an any_of. */
int campaign_any_of(const campaign_t *self, const campaign_target_t *t,
		    const campaign_eval_t *alts, campaign_eval_t *ret, size_t *ret_index);

/* Exactly: achievement >= pct_bp / 10000 (strict: >). False without an
 * achievement. E.g. "exceeds the target by 10 %" (vượt 10%): pct_bp 11000,
 * not strict (110 % exceeds it by 10 %); "more than 100 %": 10000, strict. */
bool campaign_eval_achieves(const campaign_eval_t *ev, int64_t pct_bp, bool strict);

/* Exactly: progress >= pct_bp / 10000 (strict: >). False without a
 * progress. E.g. "more than 50 % of the term's target": 5000, strict. */
bool campaign_eval_progresses(const campaign_eval_t *ev, int64_t pct_bp, bool strict);

/* ---- award rules (AWARD RULES above; evaluation in award.h) ------------- */

typedef enum campaign_award_form {
	CAMPAIGN_GIAY_KHEN,             /* giay_khen */
	CAMPAIGN_BANG_KHEN_PROVINCE,    /* bang_khen_province */
	CAMPAIGN_BANG_KHEN_PM,          /* bang_khen_pm */
	CAMPAIGN_HUAN_CHUONG_LAO_DONG,  /* huan_chuong_lao_dong */
} campaign_award_form_t;
#define CAMPAIGN_AWARD_FORMS 4          /* forms, lowest first: the enum order */

typedef enum campaign_nominee_kind {
	CAMPAIGN_NOMINEE_COLLECTIVE,
	CAMPAIGN_NOMINEE_INDIVIDUAL,
	CAMPAIGN_NOMINEE_HOUSEHOLD,
	CAMPAIGN_NOMINEE_ENTERPRISE,
} campaign_nominee_kind_t;
#define CAMPAIGN_NOMINEE_KINDS 4

/* A threshold on achievement or progress. */
typedef struct campaign_threshold {
	bool set;
	bool strict;            /* ">" rather than ">=" */
	int64_t bp;             /* 10000 = 100 % */
	unsigned line;
} campaign_threshold_t;

/* A threshold on a contribution. */
typedef struct campaign_contrib_rule {
	int indicator;          /* an amount or a sum of amounts; -1: none */
	bool strict;
	int64_t amount;         /* dong */
	unsigned line;
} campaign_contrib_rule_t;

typedef struct campaign_award_rule {
	const char *id;
	const char *source;                 /* free text or "" */
	campaign_award_form_t form;
	campaign_period_kind_t occasion;    /* YEAR for "annual" */
	const int *periods;                 /* period indices; NULL: every
	                                       period of the occasion's kind */
	size_t nperiods;
	unsigned nominees;                  /* bit (1u << kind) per kind */
	bool any;                           /* targets = any (default all) */
	const char *const *goals;           /* NULL: every goal */
	size_t ngoals;
	campaign_threshold_t achievement, progress;
	campaign_contrib_rule_t contribution[CAMPAIGN_NOMINEE_KINDS];   /* by kind */
	int disqualify;                     /* sanction level that rules out;
	                                       0: sanctions not checked */
	unsigned line;
} campaign_award_rule_t;

size_t campaign_award_rule_count(const campaign_t *self);
/* Rule i in file order (0 <= i < count), else NULL. */
const campaign_award_rule_t *campaign_award_rule(const campaign_t *self, int i);
const campaign_award_rule_t *campaign_award_rule_find(const campaign_t *self, const char *id);

/* The code of a form ("giay_khen" ...), or NULL for a bad value. Static. */
const char *campaign_award_form_code(campaign_award_form_t form);
/* The form with this code, or -1. */
int campaign_award_form_find(const char *code);
/* The display name: [awards] label.<code>, else the code. NULL for a bad
 * form. Borrowed, valid until destroy. */
const char *campaign_award_form_label(const campaign_t *self, campaign_award_form_t form);
/* The code of a nominee kind ("collective" ...), or NULL. Static. */
const char *campaign_nominee_kind_code(campaign_nominee_kind_t kind);
/* The kind with this code, or -1. */
int campaign_nominee_kind_find(const char *code);

/* Disciplinary sanction levels: 0 is "none", 1..count the [awards]
 * sanctions in order (reprimand, warning, dismissal by default). */
size_t campaign_sanction_count(const campaign_t *self);
/* The code of level 0..count ("none" for 0), else NULL. Borrowed. */
const char *campaign_sanction(const campaign_t *self, int level);
/* The level of code ("none" is 0), or -1. */
int campaign_sanction_find(const campaign_t *self, const char *code);

/* ---- deadlines and timeliness ------------------------------------------ */

/* The instant (Unix seconds) from which a report of a unit at level is late
 * for period p: p's own deadline.<level>, else [deadlines] <level> in the
 * year of p's end; for an ad-hoc request's period, 00:00 of the day after
 * its due day (every declared level). Returns 0, or LNOB_E_NOTFOUND when the level has none. */
int campaign_deadline_for(const campaign_t *self, const char *level,
			  const campaign_period_t *p, int64_t *ret_late_from);

typedef struct campaign_timeliness {
	bool on_time;
	bool arrived_late;      /* arrived at or after late_from (noted even when
	                           on time by its completion time) */
	bool by_skew;           /* on time only thanks to the skew allowance */
	bool clock_suspect;     /* completed_at is after arrived_at + skew: the
	                           office clock is off; the stamp was not used */
} campaign_timeliness_t;

/* Classifies one report (all times Unix seconds; skew >= 0 is the bound on
 * an office clock's error):
 *   - arrived before late_from: on time;
 *   - else, completed_at later than arrived_at + skew: the stamp cannot be
 *     true; judged by its arrival: late (clock_suspect);
 *   - else on time when completed_at < late_from + skew (completed in time
 *     as far as a clock within the bound can tell: benefit of the doubt;
 *     by_skew when completed_at >= late_from), late otherwise.
 * A report completed on time that arrived late is on time, arrived_late.
 * A missing report is the caller's to decide (there is nothing to classify).
 * Returns 0, or -EINVAL when skew < 0 or ret is NULL. */
int campaign_classify(int64_t late_from, int64_t completed_at, int64_t arrived_at,
		      int64_t skew, campaign_timeliness_t *ret);

#endif
