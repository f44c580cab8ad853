/*
 * cmd_status.c: `lnob-collector status -c CONF [--json]` (README "The
 * collector's queue, parked messages and requeue"): the outbox read as a
 * reader beside the running daemon: queued (own and relayed), in flight,
 * parked items with their reasons, the upstream's limits, the downstream
 * nodes of a relay.
 */
#include "cmd_collector.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "colmeta.h"
#include "colrequests.h"
#include "envelope.h"
#include "lnob_err.h"
#include "nominate.h"
#include "render.h"
#include "util.h"

/* "out_of_scope" for NACK_OUT_OF_SCOPE: the enum name lower-cased without
 * its prefix, into out[64]. */
const char *col_reason_name(int reason, char out[64])
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lnob__nack_reason__descriptor, reason);
	const char *name;
	size_t i = 0;

	if (!v) {
		snprintf(out, 64, "reason_%d", reason);
		return out;
	}
	name = strncmp(v->name, "NACK_", 5) == 0 ? v->name + 5 : v->name;
	for (; name[i] && i < 63; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	out[i] = '\0';
	return out;
}

/* json_object_set_new() that remembers a failure in *ok. */
static void s_jset(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

/* What the parked-item callbacks need. */
typedef struct s_parked_ctx {
	const char *own_id;
	json_t *arr;      /* JSON output, or NULL for the table */
} s_parked_ctx_t;

/* What a parked envelope carries, for the listing. */
typedef struct s_parked_what {
	const char *kind;                     /* "report", "nomination", "stage", "snapshot",
						 "unknown" */
	char nomination[NOMINATE_KEY_SIZE];   /* nomination, stage: the nomination's key, else "" */
	const char *stage;                    /* stage: its kind, else NULL */
} s_parked_what_t;

/* Decodes the envelope of a parked item (and a nomination's or stage's
 * body) far enough to say what it is. Never fails: what does not decode
 * is "unknown". */
static void s_parked_what(const Lnob__ParkedItem *p, s_parked_what_t *w)
{
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m = NULL;

	w->kind = "unknown";
	w->nomination[0] = '\0';
	w->stage = NULL;
	if (envelope_open(p->envelope.data, p->envelope.len, p->envelope.len, &env) < 0)
		return;
	switch (env->kind) {
	case LNOB__KIND__KIND_REPORT:
		w->kind = "report";
		break;
	case LNOB__KIND__KIND_SNAPSHOT:
		w->kind = "snapshot";   /* a province's national sender */
		break;
	case LNOB__KIND__KIND_NOMINATION:
		w->kind = "nomination";
		if (codec_unpack(&lnob__nomination__descriptor, env->body.data, env->body.len,
				 env->body.len, &m) == 0)
			snprintf(w->nomination, sizeof(w->nomination), "%s/%s", env->signer,
				 ((Lnob__Nomination *)m)->id);
		break;
	case LNOB__KIND__KIND_STAGE:
		w->kind = "stage";
		if (codec_unpack(&lnob__stage__descriptor, env->body.data, env->body.len,
				 env->body.len, &m) == 0) {
			snprintf(w->nomination, sizeof(w->nomination), "%s",
				 ((Lnob__Stage *)m)->nomination);
			w->stage = nominate_code_name(NOMINATE_STAGE, ((Lnob__Stage *)m)->kind);
		}
		break;
	default:
		break;
	}
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	lnob__envelope__free_unpacked(env, NULL);
}

/* outbox_parked_foreach_all() callback: one parked item as a JSON object
 * or a table row. */
static int s_parked_item(void *ctx, const char *signer, uint64_t seq, const Lnob__ParkedItem *p)
{
	s_parked_ctx_t *pc = ctx;
	const char *who = signer[0] ? signer : pc->own_id;
	char reason[64], when[32];
	s_parked_what_t what;
	json_t *item;
	bool ok;

	s_parked_what(p, &what);
	if (!pc->arr) {
		char about[NOMINATE_KEY_SIZE + 64] = "";

		if (what.stage)
			snprintf(about, sizeof(about), "  [stage %s of %s]", what.stage,
				 what.nomination);
		else if (what.nomination[0])
			snprintf(about, sizeof(about), "  [nomination %s]", what.nomination);
		printf("  %-10s %s%s seq %" PRIu64 "  %s  parked %s  %s%s\n", what.kind,
		       signer[0] ? "relayed " : "", who, seq, col_reason_name(p->reason, reason),
		       col_time_text(p->parked_at_ms, when), p->detail ? p->detail : "", about);
		return 0;
	}
	item = json_object();
	ok = item != NULL;
	if (ok) {
		s_jset(item, "seq", json_integer((json_int_t)seq), &ok);
		s_jset(item, "signer", json_string(who), &ok);
		s_jset(item, "relayed", json_boolean(signer[0] != '\0'), &ok);
		s_jset(item, "kind", json_string(what.kind), &ok);
		if (what.nomination[0])
			s_jset(item, "nomination", json_string(what.nomination), &ok);
		if (what.stage)
			s_jset(item, "stage", json_string(what.stage), &ok);
		s_jset(item, "reason", json_string(col_reason_name(p->reason, reason)), &ok);
		s_jset(item, "detail", json_string(p->detail ? p->detail : ""), &ok);
		s_jset(item, "parked_at_ms", json_integer(p->parked_at_ms), &ok);
		s_jset(item, "queued_at_ms", json_integer(p->queued_at_ms), &ok);
	}
	if (!ok) {
		json_decref(item);
		return -ENOMEM;
	}
	if (json_array_append_new(pc->arr, item) != 0)   /* takes item either way */
		return -ENOMEM;
	return 0;
}

/* outbox_downstream_foreach() callback: one downstream node as a JSON
 * object (ctx an array) or a table row (ctx NULL). */
static int s_downstream_item(void *ctx, const outbox_node_t *n)
{
	json_t *arr = ctx, *item, *h = NULL;
	char when[32];
	bool ok;

	if (!arr) {
		printf("  %-20s %-8s %-24s", n->pub.node_id, n->revoked ? "revoked" : "admitted",
		       n->last_seen_ms > 0 ? col_time_text(n->last_seen_ms, when) : "never seen");
		if (n->has_health)
			printf(" queued %" PRIu64 ", parked %" PRIu64, n->queued, n->parked);
		putchar('\n');
		return 0;
	}
	item = json_object();
	ok = item != NULL;
	if (ok) {
		s_jset(item, "id", json_string(n->pub.node_id), &ok);
		s_jset(item, "revoked", json_boolean(n->revoked), &ok);
		s_jset(item, "enrolled_at", json_integer(n->enrolled_at), &ok);
		s_jset(item, "revoked_at", n->revoked ? json_integer(n->revoked_at) : json_null(), &ok);
		s_jset(item, "last_contact_ms", n->last_seen_ms > 0
		       ? json_integer(n->last_seen_ms) : json_null(), &ok);
		if (n->has_health) {
			h = json_object();
			ok = ok && h != NULL;
			if (h) {
				s_jset(h, "queued", json_integer((json_int_t)n->queued), &ok);
				s_jset(h, "parked", json_integer((json_int_t)n->parked), &ok);
				s_jset(h, "oldest_queued_at_ms", json_integer(n->oldest_queued_at_ms), &ok);
				s_jset(h, "next_seq", json_integer((json_int_t)n->next_seq), &ok);
			}
		}
		s_jset(item, "health", h ? h : json_null(), &ok);
	}
	if (!ok) {
		json_decref(item);
		return -ENOMEM;
	}
	if (json_array_append_new(arr, item) != 0)   /* takes item either way */
		return -ENOMEM;
	return 0;
}

/* The status as a table. Returns the exit status. */
static int s_status_table(cli_ctx_t *ctx, const outbox_stats_t *st, double age)
{
	const col_conf_t *c = col_conf(ctx);
	s_parked_ctx_t pc = { .own_id = ctx->node_id, .arr = NULL };
	outbox_t *ob = ctx->store;
	json_t *reqs = NULL;
	char when[32], why[1024];
	int r;

	printf("node: %s\n", ctx->node_id);
	printf("queued: %" PRIu64 " (own %" PRIu64 ", relayed %" PRIu64 ")\n", st->queued,
	       st->queued_own, st->queued_relayed);
	printf("in_flight: %" PRIu64 "\n", st->state.in_flight);
	printf("parked: %" PRIu64 " (own %" PRIu64 ", relayed %" PRIu64 ")\n", st->parked,
	       st->parked_own, st->parked_relayed);
	if (st->queued)
		printf("oldest_unacked_age_s: %.3f\n", age);
	else
		printf("oldest_unacked_age_s: -\n");
	if (st->state.last_contact_ms > 0)
		printf("last_contact_ms: %" PRId64 " (%s)\n", st->state.last_contact_ms,
		       col_time_text(st->state.last_contact_ms, when));
	else
		printf("last_contact_ms: - (never)\n");
	printf("next_seq: %" PRIu64 "\n", st->next_seq);
	printf("max_body: %zu (%s)\n", outbox_max_body(&st->limits),
	       st->limits.max_body > 0 && st->limits.max_body <= OUTBOX_BODY_MAX
	       ? "advertised by the upstream" : st->limits.learned_at_ms > 0
	       ? "this collector's own; the upstream says no smaller"
	       : "this collector's own; not heard from the upstream yet");
	if (st->limits.max_frame > 0)
		printf("max_frame: %" PRIu64 "\n", st->limits.max_frame);
	else
		printf("max_frame: - (not said)\n");
	printf("relay: %s\n", c->has_relay ? c->relay.listen : "-");
	colmeta_status_print(ob, lnob_now_ms());
	if (colrequests_of(ctx, ob, &reqs, why, sizeof(why)) == 0)
		colrequests_print(stdout, reqs);
	json_decref(reqs);
	printf("parked_items:%s\n", st->parked ? "" : " -");
	if (ob && (r = outbox_parked_foreach_all(ob, s_parked_item, &pc)) < 0)
		return cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	if ((r = col_dismissed_list(ctx, NULL)) < 0)
		return cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	printf("downstream:%s\n", st->downstream ? "" : " -");
	if (ob && (r = outbox_downstream_foreach(ob, s_downstream_item, NULL)) < 0)
		return cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	return 0;
}

/* The status document (--json): st, the parked items and the downstream
 * nodes. Caller owns *ret. Returns 0, or 1 after printing the failure. */
static int s_status_json(cli_ctx_t *ctx, const outbox_stats_t *st, double age, json_t **ret)
{
	const col_conf_t *c = col_conf(ctx);
	json_t *root = json_object(), *parked = json_array(), *down = json_array();
	json_t *dismissed = json_array(), *reqs = NULL;
	s_parked_ctx_t pc = { .own_id = ctx->node_id, .arr = parked };
	bool ok = root && parked && down && dismissed;
	char why[1024];
	int r = 0;

	if (ok && ctx->store && ((r = outbox_parked_foreach_all(ctx->store, s_parked_item, &pc)) < 0 ||
				 (r = outbox_downstream_foreach(ctx->store, s_downstream_item, down)) < 0 ||
				 (r = col_dismissed_list(ctx, dismissed)) < 0))
		ok = false;
	s_jset(root, "node", json_string(ctx->node_id), &ok);
	s_jset(root, "queued", json_integer((json_int_t)st->queued), &ok);
	s_jset(root, "queued_own", json_integer((json_int_t)st->queued_own), &ok);
	s_jset(root, "queued_relayed", json_integer((json_int_t)st->queued_relayed), &ok);
	s_jset(root, "in_flight", json_integer((json_int_t)st->state.in_flight), &ok);
	s_jset(root, "parked", json_integer((json_int_t)st->parked), &ok);
	s_jset(root, "parked_own", json_integer((json_int_t)st->parked_own), &ok);
	s_jset(root, "parked_relayed", json_integer((json_int_t)st->parked_relayed), &ok);
	s_jset(root, "oldest_queued_at_ms", st->queued
	       ? json_integer(st->oldest_queued_at_ms) : json_null(), &ok);
	s_jset(root, "oldest_unacked_age_s", st->queued ? json_real(age) : json_null(), &ok);
	s_jset(root, "last_contact_ms", st->state.last_contact_ms > 0
	       ? json_integer(st->state.last_contact_ms) : json_null(), &ok);
	s_jset(root, "next_seq", json_integer((json_int_t)st->next_seq), &ok);
	s_jset(root, "max_body", json_integer((json_int_t)outbox_max_body(&st->limits)), &ok);
	s_jset(root, "max_frame", st->limits.max_frame > 0
	       ? json_integer((json_int_t)st->limits.max_frame) : json_null(), &ok);
	s_jset(root, "limits_learned_at_ms", st->limits.learned_at_ms > 0
	       ? json_integer(st->limits.learned_at_ms) : json_null(), &ok);
	s_jset(root, "parked_items", parked, &ok);
	s_jset(root, "dismissed", dismissed, &ok);
	s_jset(root, "relay", c->has_relay ? json_string(c->relay.listen) : json_null(), &ok);
	s_jset(root, "downstream", down, &ok);
	s_jset(root, "metadata", colmeta_status_json(ctx->store, lnob_now_ms()), &ok);
	s_jset(root, "aggregator_key", colmeta_key_json(ctx->store), &ok);
	if (ok && colrequests_of(ctx, ctx->store, &reqs, why, sizeof(why)) < 0)
		ok = false;
	s_jset(root, "requests", reqs, &ok);
	if (!ok) {
		json_decref(root);
		return r < 0 ? cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r))
			     : cli_fail(ctx, "out of memory");
	}
	*ret = root;
	return 0;
}

/* ctx's outbox statistics (an empty outbox without one) and the oldest
 * queued item's age. Returns 0, or 1 after printing the failure. */
static int s_stats(cli_ctx_t *ctx, outbox_stats_t *st, double *age)
{
	int64_t now = lnob_now_ms();
	int r;

	*age = 0;
	if (!ctx->store) {
		/* Nothing was ever queued here: an empty outbox. */
		memset(st, 0, sizeof(*st));
		st->next_seq = 1;
	} else if ((r = outbox_stats(ctx->store, st)) < 0) {
		return cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	}
	if (st->queued)
		*age = now > st->oldest_queued_at_ms
		       ? (double)(now - st->oldest_queued_at_ms) / 1000.0 : 0;
	return 0;
}

int col_status_doc(cli_ctx_t *ctx, json_t **ret)
{
	outbox_stats_t st;
	double age;
	int rc;

	if ((rc = s_stats(ctx, &st, &age)) != 0)
		return rc;
	return s_status_json(ctx, &st, age, ret);
}

int cmd_status(cli_ctx_t *ctx)
{
	outbox_stats_t st;
	json_t *doc = NULL;
	double age = 0;
	int rc;

	if (cli_opt(ctx, "report"))
		return col_status_report(ctx, cli_opt(ctx, "report"));
	if ((rc = cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK)) != 0)
		return rc;
	if ((rc = s_stats(ctx, &st, &age)) != 0)
		return rc;
	if (ctx->format != CLI_JSON)
		return s_status_table(ctx, &st, age);
	if ((rc = s_status_json(ctx, &st, age, &doc)) != 0)
		return rc;
	if (render_json(stdout, doc, JSON_PRESERVE_ORDER |
			   JSON_REAL_PRECISION(12)) < 0)
		rc = cli_fail(ctx, "cannot write the status");
	json_decref(doc);
	return rc;
}
