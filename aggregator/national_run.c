/*
 * national_run.c: the national feed's turns in the server's loop
 * (national_run.h).
 */
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "lnob_err.h"
#include "log.h"
#include "national_feed.h"
#include "national_run.h"
#include "outbox.h"
#include "util.h"

/* The national outbox's map, as the collector's [node] map_size_mb default. */
#define S_OUTBOX_MAP ((size_t)256 << 20)

struct national {
	store_t *st;
	const hier_t *hier;
	const campaigns_t *cs;
	int root;
	outbox_t *ob;
	identity_t id;
	int64_t interval_ms, next_ms;
	uint64_t last_txnid;        /* of the last pass's read, 0 before the first */
	bool failing;               /* the last pass failed: logged once */
};

national_t *national_new(store_t *st, const hier_t *hier, const campaigns_t *cs, int root,
			 const char *outbox_dir, const char *identity_path, int64_t interval_ms,
			 char *err, size_t errlen)
{
	national_t *self = calloc(1, sizeof(*self));
	char why[512];

	if (!self) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (identity_load(identity_path, &self->id, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "[national] identity: %s", why);
		free(self);
		return NULL;
	}
	if (outbox_open(outbox_dir, S_OUTBOX_MAP, 0, &self->ob, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "[national] outbox: %s", why);
		identity_wipe(&self->id);
		free(self);
		return NULL;
	}
	self->st = st;
	self->hier = hier;
	self->cs = cs;
	self->root = root;
	self->interval_ms = interval_ms;
	return self;
}

/* The id of the store's last committed transaction, 0 when it cannot be read. */
static uint64_t s_txnid(store_t *st)
{
	MDB_txn *txn = NULL;
	uint64_t id = 0;

	if (store_begin(st, false, &txn) == 0)
		id = store_txn_id(txn);
	store_abort(&txn);
	return id;
}

void national_tick(void *arg)
{
	national_t *self = arg;
	size_t made, queued;
	char err[1024];
	uint64_t txnid;
	int r;

	if (lnob_mono_ms() < self->next_ms)
		return;
	self->next_ms = lnob_mono_ms() + self->interval_ms;
	if ((txnid = s_txnid(self->st)) != 0 && txnid == self->last_txnid)
		return;
	r = national_feed(self->st, self->hier, self->cs, self->root, self->ob, &self->id, &made,
			  &queued, err, sizeof(err));
	if (r < 0) {
		if (!self->failing)
			log_warnx("national feed: %s (tried again every %lld ms)", err,
				  (long long)self->interval_ms);
		self->failing = true;
		return;
	}
	if (self->failing)
		log_info("national feed: working again");
	self->failing = false;
	self->last_txnid = txnid;
	if (queued > 0)
		log_info("national feed: queued %zu changed snapshot(s) of %zu", queued, made);
}

void national_destroy(national_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	outbox_destroy(&(*self_p)->ob);
	identity_wipe(&(*self_p)->id);
	free(*self_p);
	*self_p = NULL;
}
