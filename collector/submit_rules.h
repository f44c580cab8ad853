/*
 * submit_rules.h: the rules `submit` checks reports with before queuing
 * anything (README "Offline checks"): the metadata the collector holds
 * (colmeta.h) when it holds one, else the configuration's [campaign]
 * files and [hierarchy] file when both are set, else none (the report
 * rules of report.h only).
 */
#ifndef LNOB_SUBMIT_RULES_H
#define LNOB_SUBMIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd_collector.h"
#include "intake.h"
#include "metadata.h"

typedef struct submit_rules {
	metadata_view_t mv;          /* the metadata's, when from_meta */
	bool from_meta;
	uint64_t version;            /* the metadata's version, when from_meta */
	const campaigns_t *camps;    /* the rules in force (NULL: none) */
	const hier_t *hier;
} submit_rules_t;

/* Reads the metadata held in ctx's outbox (a reader; closed again) into
 * ret, else takes ctx's configured campaigns. Returns 0, or 1 after
 * printing the failure (a stored bundle that cannot be read). */
int submit_rules_load(cli_ctx_t *ctx, submit_rules_t *ret);

/* The same from ob (an open outbox, may be NULL: none held), for the
 * running daemon's page. Returns 0, or a code with err. */
int submit_rules_read(cli_ctx_t *ctx, outbox_t *ob, submit_rules_t *ret, char *err,
		      size_t errlen);

/* Checks list->v[from..n): with metadata every report's unit must be in
 * its hierarchy (the node's scope), then intake_check_campaigns().
 * Returns 0 or LNOB_E_INVALID with err "<place>: <why>". */
int submit_rules_check(const submit_rules_t *r, const intake_list_t *list, size_t from,
		       char *err, size_t errlen);

/* Frees what ret holds. */
void submit_rules_clear(submit_rules_t *r);

#endif
