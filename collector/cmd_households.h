/*
 * cmd_households.h: `lnob-collector households` (cmd_households.c: import,
 * show, diff; cmd_households_report.c: report), README "The household
 * register". Daemon-level code: prints its messages, returns exit
 * statuses.
 */
#ifndef LNOB_CMD_HOUSEHOLDS_H
#define LNOB_CMD_HOUSEHOLDS_H

#include <stdbool.h>

#include "cmd_collector.h"
#include "households.h"
#include "outbox_households.h"
#include "submit_rules.h"

/* `households VERB ...`: the command table's entry. */
int cmd_households(cli_ctx_t *ctx);

/* The register's store of ctx's data_dir into *ret (write: created). One
 * absent, read, is "no register imported yet". Returns 0, or 1 after
 * printing the failure. */
int cmd_households_open(cli_ctx_t *ctx, bool write, outbox_households_t **ret);

/* `households report --campaign C --period P`: the register's reports
 * for the commune of area, checked by rules as `submit` checks, queued
 * in one transaction as `submit` queues. Returns the exit status. */
int cmd_households_report(cli_ctx_t *ctx, const submit_rules_t *rules,
			  const households_area_t *area);

#endif
