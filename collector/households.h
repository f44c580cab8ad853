/*
 * households.h: the commune's household register (README "The household
 * register"): the list of poor, near-poor and escaped households a commune
 * keeps (seed 003: Vĩnh Phúc's 3-level register), read from a CSV or .xlsx
 * export, compared with the register held (households_diff.c), counted
 * per village into the campaign's indicators (households_count.c) and
 * kept in its own store beside the outbox (outbox_households.h). Only the
 * counts ever leave the collector.
 *
 * The file (CSV: csvread.h, RFC 4180, UTF-8; .xlsx: the first sheet, its
 * first non-empty row the header) has one household per row under a
 * header naming these columns in any order, each exactly once (ASCII case
 * ignored); any other column (a name, an address) is ignored and never
 * stored:
 *   household        the household's id, 1..64 of [A-Za-z0-9._-]
 *   village          the unit code of a village (a unit without units
 *                    below it) under the register's commune
 *   classification   poor | near-poor | escaped | newly-poor | re-poor,
 *                    or nghèo | cận nghèo | thoát nghèo | phát sinh (also
 *                    nghèo phát sinh) | tái nghèo (ASCII case ignored)
 *   ethnic_minority  yes | no | 1 | 0 | có | không
 *   the 12 deprivation indicators of Decree 07/2021/NĐ-CP, each 0 or 1
 *   (1: deprived): employment, dependants, nutrition, health_insurance,
 *   adult_education, school_attendance, housing_quality, floor_area,
 *   drinking_water, sanitation, telecom, information.
 * A row whose cells are all empty is skipped; a file without any
 * household, a household listed twice, a missing column or a bad cell is
 * an error naming the file and the line ("h.csv:7: village: ..."), or the
 * sheet and cell ("h.xlsx: Sheet1!B7: village: ...").
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_HOUSEHOLDS_H
#define LNOB_HOUSEHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hierarchy.h"
#include "identity.h"
#include "util.h"

/* Households one register holds at most. */
#define HOUSEHOLDS_MAX 1000000u
/* Largest household file read. */
#define HOUSEHOLDS_FILE_MAX ((size_t)64 << 20)
/* The deprivation indicators (Decree 07/2021: 6 dimensions, 12 indicators). */
#define HOUSEHOLDS_DEPRIV_COUNT 12
/* Bytes of an encoded household record at most. */
#define HOUSEHOLDS_RECORD_MAX (5 + LNOB_ID_MAX)

typedef enum households_class {
	HOUSEHOLDS_POOR = 0,
	HOUSEHOLDS_NEAR_POOR,
	HOUSEHOLDS_ESCAPED,      /* escaped poverty (thoát nghèo) */
	HOUSEHOLDS_NEWLY_POOR,   /* newly poor (phát sinh) */
	HOUSEHOLDS_RE_POOR,      /* fell back into poverty (tái nghèo) */
	HOUSEHOLDS_CLASS_COUNT,
} households_class_t;

/* One household of the register. where is the place it was read from
 * ("h.csv:7", "h.xlsx: Sheet1!A7"; owned, NULL for one read back from the
 * store). */
typedef struct household {
	char id[LNOB_ID_MAX + 1];
	char village[LNOB_ID_MAX + 1];
	households_class_t cls;
	bool em;                 /* ethnic minority (dân tộc thiểu số) */
	uint16_t depriv;         /* bit i: deprived in indicator i */
	char *where;
	size_t ord;              /* its place in the list as read (households_push()) */
} household_t;

/* A list of households, sorted by id once households_finish() succeeded.
 * Start from a zeroed struct. */
typedef struct households {
	household_t *v;
	size_t n, cap;
} households_t;

/* Where the register's households live: the hierarchy and its commune
 * (root, an index of hier); the villages are the units below root that
 * have no units below them. */
typedef struct households_area {
	const hier_t *hier;
	int root;
} households_area_t;

/* The code of a classification ("near-poor"), NULL for a bad value. */
const char *households_class_code(households_class_t c);
/* The classification a cell names (the spellings above), or -1. */
int households_class_parse(const char *s);
/* True for poor, newly-poor and re-poor: the households counted poor. */
bool households_class_is_poor(households_class_t c);
/* The column name of deprivation indicator i ("health_insurance"), NULL
 * out of range. */
const char *households_depriv_code(int i);

/* Parses the file at path (.xlsx by its extension or its zip magic, else
 * CSV) into *ret (empty on entry), every village checked against area,
 * and households_finish()es it. All or nothing: on failure *ret is empty
 * and err holds one line naming path and the place. Returns 0, -errno,
 * LNOB_E_TOOBIG, LNOB_E_INVALID, LNOB_E_CSV or -ENOMEM. */
int households_parse_file(const char *path, const households_area_t *area, households_t *ret,
			  char *err, size_t errlen);
/* The same for text or a workbook in memory; name stands for the file. */
int households_parse_csv(const char *name, const char *text, size_t len,
			 const households_area_t *area, households_t *ret, char *err,
			 size_t errlen);
int households_parse_xlsx(const char *name, const void *data, size_t len,
			  const households_area_t *area, households_t *ret, char *err,
			  size_t errlen);

/* Appends h (its where taken over) to list. Returns 0, LNOB_E_TOOBIG
 * (HOUSEHOLDS_MAX reached) or -ENOMEM (h untouched then). */
int households_push(households_t *list, household_t *h);
/* Sorts list by id and refuses an id given twice: LNOB_E_INVALID with
 * "<where>: household 'H7' is listed twice (also at <where>)". An empty
 * list is LNOB_E_INVALID "<name>: no households". */
int households_finish(households_t *list, const char *name, char *err, size_t errlen);
/* The household with this id in a finished list, or NULL. */
const household_t *households_find(const households_t *list, const char *id);
/* Frees what list holds and empties it. */
void households_clear(households_t *list);

/* The stored value of h (without its id, the key): a format byte (1), the
 * classification, ethnic minority, the deprivations (16 bits big-endian)
 * and the village code. Returns its length (<= HOUSEHOLDS_RECORD_MAX). */
size_t households_encode(const household_t *h, uint8_t out[HOUSEHOLDS_RECORD_MAX]);
/* The household of key id (idlen bytes) and value v (vlen bytes) into *ret
 * (where NULL). Returns 0 or LNOB_E_CORRUPT. */
int households_decode(const void *id, size_t idlen, const void *v, size_t vlen,
		      household_t *ret);

/* ---- changes between two registers (households_diff.c) ----------------- */

/* What happened to one household between two imports, one kind each, the
 * first that applies: it is in the new list classified escaped,
 * newly-poor or re-poor and was not so classified before (absent
 * included): escaped, newly_poor, re_poor; else new to the list: added;
 * gone from it: removed; another classification: reclassified; the same
 * classification and another village, ethnic minority or deprivations:
 * updated. */
typedef enum households_change {
	HOUSEHOLDS_CH_ESCAPED = 0,
	HOUSEHOLDS_CH_NEWLY_POOR,
	HOUSEHOLDS_CH_RE_POOR,
	HOUSEHOLDS_CH_ADDED,
	HOUSEHOLDS_CH_REMOVED,
	HOUSEHOLDS_CH_RECLASSIFIED,
	HOUSEHOLDS_CH_UPDATED,
	HOUSEHOLDS_CH_COUNT,
} households_change_t;

/* "escaped", "newly_poor", "re_poor", "added", "removed",
 * "reclassified", "updated"; NULL for a bad value. */
const char *households_change_code(households_change_t c);

/* The change from old to now (either NULL: absent; not both), or -1 when
 * the household is the same in both. */
int households_change_of(const household_t *old, const household_t *now);

/* The changes from old to now (both finished lists) into *ret (caller
 * owns): {"counts": {<every change code>: n}, "changes": [{"household",
 * "change", "from", "to" (classification codes, null when absent),
 * "village" (the new one, the old one when removed), "village_from"
 * (only when it moved)}, ...]} in household id order. Returns 0 or
 * -ENOMEM. */
int households_diff(const households_t *old, const households_t *now, json_t **ret);

/* ---- the counts a register gives (households_count.c) ------------------ */

/* The campaign indicators a register gives, per village and for the whole
 * commune: poor_households (poor + newly-poor + re-poor),
 * near_poor_households, escaped_households, newly_poor_households,
 * repoor_households, em_poor_households (ethnic-minority households
 * counted poor). */
enum {
	HOUSEHOLDS_IND_POOR = 0,
	HOUSEHOLDS_IND_NEAR_POOR,
	HOUSEHOLDS_IND_ESCAPED,
	HOUSEHOLDS_IND_NEWLY_POOR,
	HOUSEHOLDS_IND_RE_POOR,
	HOUSEHOLDS_IND_EM_POOR,
	HOUSEHOLDS_IND_COUNT,
};

/* The indicator code of i ("poor_households"), NULL out of range. */
const char *households_indicator_code(int i);
/* The index of an indicator code, or -1 when the register gives none. */
int households_indicator_find(const char *code);

/* What a register counts in one unit. Counts never exceed HOUSEHOLDS_MAX,
 * far below report.h's 10^15. */
typedef struct households_counts {
	uint64_t households;                         /* listed, every classification */
	uint64_t v[HOUSEHOLDS_IND_COUNT];            /* the indicators */
	uint64_t depriv[HOUSEHOLDS_DEPRIV_COUNT];    /* poor and near-poor households
						      * deprived in each indicator */
} households_counts_t;

/* The counts of the households of village (NULL: every household). */
void households_count(const households_t *list, const char *village, households_counts_t *ret);

/* The counts as JSON {"households", <indicator codes>, "deprivations":
 * {<code>: n}} (caller owns; NULL: ENOMEM). */
json_t *households_counts_json(const households_counts_t *c);

#endif
