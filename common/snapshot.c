/*
 * snapshot.c: the rules of a Snapshot and the report it stands for
 * (snapshot.h).
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

/* The report s stands for, borrowing s's strings and sums (valid while s
 * is). */
static Lnob__Report s_view(const Lnob__Snapshot *s)
{
	Lnob__Report rep = LNOB__REPORT__INIT;

	rep.campaign = s->campaign;
	rep.period = s->period;
	rep.unit = s->unit;
	rep.n_values = s->n_sums;
	rep.values = s->sums;
	rep.revision = s->revision;
	rep.base_revision = s->base_revision;
	rep.completed_at = s->computed_at;
	return rep;
}

static bool s_by_known(const char *by)
{
	return by && (strcmp(by, "form") == 0 || strcmp(by, "stage") == 0 ||
		      strcmp(by, "kind") == 0);
}

/* nominations and nomination_counts. */
static int s_nominations(const Lnob__Snapshot *s, char *detail, size_t len)
{
	if (s->n_nomination_counts > SNAPSHOT_COUNTS_MAX)
		return lnob_errf(detail, len, LNOB_E_INVALID, "nomination_counts: more than %d",
				 SNAPSHOT_COUNTS_MAX);
	for (size_t i = 0; i < s->n_nomination_counts; i++) {
		const Lnob__SnapshotNominationCount *c = s->nomination_counts[i];

		if (!s_by_known(c->by) || !lnob_valid_id(c->name))
			return lnob_errf(detail, len, LNOB_E_INVALID, "nomination_counts[%zu]: by "
					 "must be form, stage or kind, name an id", i);
		if (c->count < 1 || c->count > s->nominations)
			return lnob_errf(detail, len, LNOB_E_INVALID, "nomination_counts[%zu].count: "
					 "must be 1..nominations (%u)", i, s->nominations);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->nomination_counts[j]->by, c->by) == 0 &&
			    strcmp(s->nomination_counts[j]->name, c->name) == 0)
				return lnob_errf(detail, len, LNOB_E_INVALID, "nomination_counts[%zu]: "
						 "%s %s given twice", i, c->by, c->name);
	}
	return 0;
}

int snapshot_validate(const Lnob__Snapshot *s, char *detail, size_t detail_len)
{
	Lnob__Report rep;
	int r;

	if (s->part != LNOB__SNAPSHOT_PART__PART_OWN && s->part != LNOB__SNAPSHOT_PART__PART_SUBTREE)
		return lnob_errf(detail, detail_len, LNOB_E_INVALID,
				 "part: must be PART_OWN or PART_SUBTREE");
	if (s->revision < 1 || s->base_revision != s->revision - 1)
		return lnob_errf(detail, detail_len, LNOB_E_INVALID,
				 "revision: must be 1 or more, with base_revision = revision - 1");
	rep = s_view(s);
	if ((r = report_validate(&rep, detail, detail_len)) < 0)
		return r;   /* "values: ..." names the snapshot's sums */
	return s_nominations(s, detail, detail_len);
}

int snapshot_report(const Lnob__Snapshot *s, Lnob__Report **ret)
{
	Lnob__Report rep = s_view(s);
	ProtobufCMessage *m;
	uint8_t *buf;
	size_t len;
	int r = codec_pack(&rep.base, &buf, &len);

	if (r < 0)
		return r;
	r = codec_unpack(&lnob__report__descriptor, len ? buf : (const uint8_t *)"", len, SIZE_MAX,
			 &m);
	free(buf);
	if (r < 0)
		return r;
	*ret = (Lnob__Report *)m;
	return 0;
}

int snapshot_digest(const Lnob__Snapshot *s, uint8_t ret[32])
{
	Lnob__Snapshot c = *s;
	uint8_t *buf;
	size_t len;
	int r;

	c.revision = c.base_revision = 0;
	c.computed_at = 0;
	if ((r = codec_pack(&c.base, &buf, &len)) < 0)
		return r;
	crypto_hash_sha256(ret, buf, len);
	free(buf);
	return 0;
}

int snapshot_report_of_envelope(const Lnob__Envelope *env, size_t max, Lnob__Report **ret)
{
	const uint8_t *body = env->body.len ? env->body.data : (const uint8_t *)"";
	ProtobufCMessage *m;
	int r;

	if (env->kind == LNOB__KIND__KIND_REPORT) {
		if ((r = codec_unpack(&lnob__report__descriptor, body, env->body.len, max, &m)) < 0)
			return r;
		*ret = (Lnob__Report *)m;
		return 0;
	}
	if (env->kind != LNOB__KIND__KIND_SNAPSHOT)
		return LNOB_E_DECODE;
	if ((r = codec_unpack(&lnob__snapshot__descriptor, body, env->body.len, max, &m)) < 0)
		return r;
	r = snapshot_report((Lnob__Snapshot *)m, ret);
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}
