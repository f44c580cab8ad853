/*
 * national_run.h: the provincial aggregator's national feed while `run`
 * runs ([national] in its INI; README "The national tier"): on each turn
 * of the server's loop (server_opts_t.tick), at most every interval and
 * only when the store has committed since the last pass, the snapshots
 * are made and the changed ones queued (national_feed.h). Daemon-level
 * code: it logs what it queued and what failed.
 */
#ifndef LNOB_NATIONAL_RUN_H
#define LNOB_NATIONAL_RUN_H

#include <stdint.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

typedef struct national national_t;

/* Opens the national outbox in outbox_dir (created when absent, as the
 * collector that sends it would) and loads the national identity from
 * identity_path. root is the hierarchy index of the province's root;
 * interval_ms bounds how often a pass runs. st, hier and cs are borrowed
 * for the object's lifetime. Returns NULL with err filled. */
national_t *national_new(store_t *st, const hier_t *hier, const campaigns_t *cs, int root,
			 const char *outbox_dir, const char *identity_path, int64_t interval_ms,
			 char *err, size_t errlen);

/* One turn: a pass when interval_ms has gone by since the last one (the
 * first right away) and the store's last committed transaction is not the
 * one the last pass read. arg is a national_t *. */
void national_tick(void *arg);

/* Closes it. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void national_destroy(national_t **self_p);

#endif
