/*
 * template.h: the reporting template of a campaign's period for the units
 * of a subtree, as an Excel workbook (libxlsxwriter), the file
 * `lnob-collector template` writes and `submit` reads back (intake_xlsx.c;
 * README "Reporting templates in Excel").
 *
 * Who reports what is the period's rule (campaign_reports()): for a period
 * of the campaign file a unit reports the counts and amounts of its level;
 * for an ad-hoc (đột xuất) request's period only the units the request
 * asks, and only the indicators it asks. One sheet per reporting level
 * that has such units in the subtree, named after the level, in the
 * campaign's level order; its columns are the indicators some unit of the
 * sheet reports, its rows the units that report one of them. On each
 * sheet:
 *   row 1  a title (campaign name, period, level)
 *   row 2  Vietnamese headers: Mã đơn vị, Tên đơn vị, Cấp, Đơn vị cấp trên,
 *          then each indicator's label ([labels], else its code)
 *   row 3  the ids: unit, name, level, parent, then the indicator codes
 *          (what import reads)
 *   row 4… one unit per row in tree order: code, name, level, the parent's
 *          code and name, then an empty input cell per indicator
 * Only the input cells are unlocked (the sheet is protected without a
 * password), they take whole numbers 0..10^15 (data validation), and the
 * panes are frozen below row 3 and right of column B. The workbook's
 * defined names lnob_campaign and lnob_period hold the campaign id and
 * the period as text constants. The workbook's creation time is the fixed
 * TEMPLATE_CREATED, so the same template is always the same bytes (the
 * command's file and the page's download alike).
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_TEMPLATE_H
#define LNOB_TEMPLATE_H

#include <stddef.h>
#include <time.h>

#include "campaign.h"
#include "hierarchy.h"

/* The creation time written into every template: 2000-01-01 00:00 UTC. */
#define TEMPLATE_CREATED ((time_t)946684800)

typedef struct template_opts {
	const campaign_t *campaign;
	const char *period;         /* one of the campaign's periods */
	const hier_t *hier;
	int root;                   /* the subtree's root, -1: every unit */
} template_opts_t;

/* Writes the template to path atomically: into "<path>.tmp" first, then
 * renamed over path; on failure no file is left. *ret_units and
 * *ret_sheets (either may be NULL) say how many were written. Returns 0,
 * LNOB_E_NOTFOUND (the campaign has no such period, or no unit of the
 * subtree reports anything: err says so),
 * LNOB_E_INVALID (a level that is no valid sheet name), -errno or -ENOMEM
 * with err naming path. */
int template_write(const char *path, const template_opts_t *o, size_t *ret_units,
		   size_t *ret_sheets, char *err, size_t errlen);

#endif
