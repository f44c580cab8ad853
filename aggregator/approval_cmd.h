/*
 * approval_cmd.h: the operator's approval commands (approve, unapprove,
 * approvals, amendments, accept, reject): their arguments checked (--by
 * required, texts UTF-8 and bounded) and run on the store through
 * approval.h, the result printed. cmd_approval.c takes them from the
 * command line.
 */
#ifndef LNOB_APPROVAL_CMD_H
#define LNOB_APPROVAL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "campaigns.h"
#include "hierarchy.h"
#include "store.h"

/* One command's arguments (NULL: not given). */
typedef struct approval_args {
	const char *cmd;
	const char *campaign, *period, *unit;
	const char *by, *note, *reason, *amendment;
	bool json, decided;
} approval_args_t;

/* True when cmd is one of these subcommands; *ret_write tells whether it
 * needs the store writable. */
bool approval_is_cmd(const char *cmd, bool *ret_write);
/* Runs a writing command (approve, unapprove, accept, reject) on the
 * writable store, in one write transaction, and writes what it did into msg
 * (one or two lines, no trailing newline). Returns 0, 2 for a usage error,
 * or a negative code (LNOB_E_EXISTS: approved already, or amendments
 * pending; LNOB_E_NOTFOUND: no such approval or amendment; LNOB_E_INVALID:
 * a bad id or text); err names the cause on failure. The CLI and the HTTP
 * API (api_actions.c) both act through it. */
int approval_act(store_t *st, const hier_t *hier, const campaigns_t *camps,
		 const approval_args_t *a, char *msg, size_t msglen, char *err, size_t errlen);
/* Runs a->cmd on the open store (writable for the writing ones), printing
 * its result to out. Returns 0, 2 for a usage error, or a negative code;
 * err gets a message naming the cause on failure. */
int approval_cli(store_t *st, const hier_t *hier, const campaigns_t *camps,
		 const approval_args_t *a, FILE *out, char *err, size_t errlen);

#endif
