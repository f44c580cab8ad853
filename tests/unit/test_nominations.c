/* test_nominations.c: nominations and stages through ingest_batch() (the
 * aggregator's one write path): the stage rules (nominations.h, THE
 * STAGES) as a table and through the store, every refusal of a nomination
 * and a stage with its reason and nothing written, id reuse, resubmission
 * after a return, the configured campaign's checks, and the views of what
 * was stored (counts per form, stage, kind and level; one nomination with
 * its dossier, history and the nomination it revises); a batch that hits
 * LNOB_E_FULL stores nothing of itself. */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "aggstore.h"
#include "campaign.h"
#include "campaign_request.h"
#include "campaigns.h"
#include "codec.h"
#include "envelope.h"
#include "hierarchy.h"
#include "identity.h"
#include "ingest.h"
#include "lnob_err.h"
#include "nominations.h"
#include "store.h"
#include "util.h"

#define CAMP "lnob-2021-2025"

enum { N_C11, N_C12, N_D1, N_P, N_NODES };
static const char *const s_node_ids[N_NODES] = { "c11", "c12", "d1", "prov" };
static const char *const s_scopes[N_NODES] = { "C11", "C12", "D1", "P" };

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"D2,District 2,P,district,administrative\n"
	"C11,Commune 11,D1,commune,administrative\n"
	"C12,Commune 12,D1,commune,administrative\n"
	"V11,Village 11,C11,village,administrative\n";

typedef struct t_world {
	const char *dir;
	store_t *st;
	hier_t *hier;
	identity_t id[N_NODES];
	uint64_t seq[N_NODES];
	ingest_ctx_t ctx;
	campaigns_t camps;
} t_world_t;

static void t_setup_map(t_world_t *w, size_t map)
{
	char err[512];
	MDB_txn *txn;

	memset(w, 0, sizeof(*w));
	w->dir = strdup(tu_tmpdir());
	assert_non_null(w->dir);
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "units.csv", &w->hier, err,
				       sizeof(err)), 0);
	assert_int_equal(aggstore_open(w->dir, map, 0, &w->st, err, sizeof(err)), 0);
	w->ctx.st = w->st;
	w->ctx.hier = w->hier;
	w->ctx.max_body = 65536;
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	for (int i = 0; i < N_NODES; i++) {
		Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;

		assert_int_equal(identity_generate(s_node_ids[i], &w->id[i]), 0);
		rec.node_id = (char *)s_node_ids[i];
		rec.sign_public.data = w->id[i].pub.sign_pk;
		rec.sign_public.len = 32;
		rec.curve_public.data = w->id[i].pub.curve_pk;
		rec.curve_public.len = 32;
		rec.scope = (char *)s_scopes[i];
		assert_int_equal(agg_node_put(w->st, txn, &rec, false), 0);
	}
	assert_int_equal(store_commit(&txn), 0);
}

static void t_setup(t_world_t *w)
{
	t_setup_map(w, 8 << 20);
}

static void t_teardown(t_world_t *w)
{
	campaigns_clear(&w->camps);
	store_destroy(&w->st);
	hier_destroy(&w->hier);
	for (int i = 0; i < N_NODES; i++)
		identity_wipe(&w->id[i]);
	tu_rmtree(w->dir);
	free((char *)w->dir);
}

/* Ingests one message of node as a batch of one; returns the item. */
static ingest_item_t t_send(t_world_t *w, int node, uint32_t kind, const ProtobufCMessage *m)
{
	ingest_item_t it;
	uint8_t *body, *env;
	size_t blen, elen;

	memset(&it, 0, sizeof(it));
	assert_int_equal(codec_pack(m, &body, &blen), 0);
	assert_int_equal(envelope_seal(&w->id[node], ++w->seq[node], kind, body, blen, &env, &elen), 0);
	it.env = env;
	it.len = elen;
	it.peer = s_node_ids[node];
	assert_int_equal(ingest_batch(&w->ctx, &it, 1), 0);
	free(body);
	free(env);
	return it;
}

/* A nomination with a full dossier, attached; text documents. */
typedef struct t_nom {
	Lnob__Nomination n;
	Lnob__Document d[3], *dp[3];
	uint8_t sha[3][32];
	char text[3][64];
} t_nom_t;

static void t_nom(t_nom_t *x, const char *id, const char *unit, const char *revises)
{
	static const char *const titles[3] = { "Tờ trình", "Biên bản họp", "Báo cáo thành tích" };

	memset(x, 0, sizeof(*x));
	lnob__nomination__init(&x->n);
	x->n.campaign = (char *)CAMP;
	x->n.id = (char *)id;
	x->n.nominee_kind = LNOB__NOMINEE_KIND__NOMINEE_COLLECTIVE;
	x->n.nominee_name = (char *)"Xã 11";
	x->n.unit = (char *)unit;
	x->n.form = LNOB__AWARD_FORM__AWARD_GIAY_KHEN;
	x->n.occasion = (char *)"2023";
	x->n.summary = (char *)"summary";
	x->n.revises = (char *)(revises ? revises : "");
	x->n.proposed_at = 1701392400;
	for (int i = 0; i < 3; i++) {
		lnob__document__init(&x->d[i]);
		snprintf(x->text[i], sizeof(x->text[i]), "document %d of %s", i, id);
		crypto_hash_sha256(x->sha[i], (const uint8_t *)x->text[i], strlen(x->text[i]));
		x->d[i].kind = (Lnob__DocumentKind)(i + 1);
		x->d[i].title = (char *)titles[i];
		x->d[i].sha256.data = x->sha[i];
		x->d[i].sha256.len = 32;
		x->d[i].size = strlen(x->text[i]);
		x->d[i].content.data = (uint8_t *)x->text[i];
		x->d[i].content.len = strlen(x->text[i]);
		x->dp[i] = &x->d[i];
	}
	x->n.dossier = x->dp;
	x->n.n_dossier = 3;
}

static Lnob__Stage t_stage(const char *key, Lnob__StageKind kind, const char *reason)
{
	Lnob__Stage s = LNOB__STAGE__INIT;

	s.campaign = (char *)CAMP;
	s.nomination = (char *)key;
	s.kind = kind;
	s.reason = (char *)(reason ? reason : "");
	s.at = 1701400000;
	return s;
}

static void t_ack(const ingest_item_t *it)
{
	if (it->verdict != INGEST_ACK)
		fail_msg("expected ACK, got NACK %s: %s", admit_reason_name(it->reason), it->detail);
}

static void t_nack(const ingest_item_t *it, int reason, const char *words)
{
	if (it->verdict != INGEST_NACK || it->reason != reason)
		fail_msg("expected NACK %s, got %s %s: %s", admit_reason_name(reason),
			 it->verdict == INGEST_ACK ? "ACK" : "NACK", admit_reason_name(it->reason),
			 it->detail);
	assert_true(it->retryable == (reason == LNOB__NACK_REASON__NACK_STORE_FAILED));
	if (words && !strstr(it->detail, words))
		fail_msg("detail '%s' lacks '%s'", it->detail, words);
	/* The detail travels in the NACK, a proto3 string: UTF-8 always. */
	assert_true(lnob_utf8_valid(it->detail, strlen(it->detail)));
}

static size_t t_count(t_world_t *w, int db)
{
	MDB_txn *txn;
	size_t n;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(store_count(txn, w->st, (size_t)db, &n), 0);
	store_abort(&txn);
	return n;
}

/* nominations_one() of key as JSON (caller decrefs), or NULL when absent. */
static json_t *t_one(t_world_t *w, const char *key)
{
	nominations_ctx_t x = { .st = w->st, .hier = w->hier, .campaigns = &w->camps };
	json_t *one = NULL;
	MDB_txn *txn;
	int r;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	r = nominations_one(&x, txn, key, &one);
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND)
		return NULL;
	assert_int_equal(r, 0);
	return one;
}

static const char *t_jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

/* ---- the rule table ----------------------------------------------------- */

static void test_transition_table(void **state)
{
	t_world_t w;
	char d[256];
	int P, D1, C11, C12;

	(void)state;
	t_setup(&w);
	P = hier_find(w.hier, "P");
	D1 = hier_find(w.hier, "D1");
	C11 = hier_find(w.hier, "C11");
	C12 = hier_find(w.hier, "C12");
#define T(last, holder, next, signer) \
	nominations_transition(w.hier, LNOB__STAGE_KIND__STAGE_##last, holder, \
			       LNOB__STAGE_KIND__STAGE_##next, signer, d, sizeof(d))
#define BAD LNOB__NACK_REASON__NACK_BAD_STAGE
	/* proposed by C11 */
	assert_int_equal(T(UNSPECIFIED, C11, RECEIVED, D1), 0);
	assert_int_equal(T(UNSPECIFIED, C11, RECEIVED, C11), 0);
	assert_int_equal(T(UNSPECIFIED, C11, RECEIVED, P), 0);
	assert_int_equal(T(UNSPECIFIED, C11, ENDORSED, C11), 0);
	assert_int_equal(T(UNSPECIFIED, C11, ENDORSED, D1), BAD);
	assert_int_equal(T(UNSPECIFIED, C11, APPRAISED, C11), BAD);
	assert_int_equal(T(UNSPECIFIED, C11, DECIDED, P), BAD);
	assert_int_equal(T(UNSPECIFIED, C11, RETURNED, D1), 0);
	assert_int_equal(T(UNSPECIFIED, C11, REJECTED, C11), 0);
	/* received and appraised by D1 */
	assert_int_equal(T(RECEIVED, D1, APPRAISED, D1), 0);
	assert_int_equal(T(RECEIVED, D1, APPRAISED, P), BAD);
	assert_int_equal(T(RECEIVED, D1, RECEIVED, P), BAD);
	assert_int_equal(T(RECEIVED, D1, DECIDED, D1), 0);
	assert_int_equal(T(RECEIVED, D1, DECIDED, C11), BAD);
	assert_true(strstr(d, "at or above D1") != NULL);
	assert_int_equal(T(APPRAISED, D1, ENDORSED, D1), 0);
	assert_int_equal(T(APPRAISED, D1, ENDORSED, P), BAD);
	assert_int_equal(T(APPRAISED, D1, RETURNED, P), 0);
	/* endorsed by D1: only a higher level takes it */
	assert_int_equal(T(ENDORSED, D1, RECEIVED, D1), BAD);
	assert_int_equal(T(ENDORSED, D1, RECEIVED, C11), BAD);
	assert_int_equal(T(ENDORSED, D1, RECEIVED, P), 0);
	assert_int_equal(T(ENDORSED, D1, APPRAISED, P), BAD);
	assert_int_equal(T(ENDORSED, D1, DECIDED, P), 0);
	assert_int_equal(T(ENDORSED, D1, REJECTED, P), 0);
	/* a sibling is neither at nor above */
	assert_int_equal(T(UNSPECIFIED, C11, RECEIVED, C12), BAD);
	/* closed */
	assert_int_equal(T(DECIDED, P, RECEIVED, P), BAD);
	assert_int_equal(T(REJECTED, D1, RECEIVED, P), BAD);
	assert_int_equal(T(RETURNED, D1, RECEIVED, D1), BAD);
	assert_true(strstr(d, "revises") != NULL);
	assert_int_equal(T(DECIDED, P, RETURNED, P), BAD);
#undef T
#undef BAD
	t_teardown(&w);
}

/* ---- through ingest ------------------------------------------------------- */

static void test_flow_and_history(void **state)
{
	t_world_t w;
	t_nom_t a;
	Lnob__Stage s;
	ingest_item_t it;
	json_t *one, *h;
	const char *flow[][2] = { { "d1", "received" }, { "d1", "appraised" }, { "d1", "endorsed" },
				  { "prov", "received" }, { "prov", "decided" } };
	const int who[] = { N_D1, N_D1, N_D1, N_P, N_P };
	const Lnob__StageKind kinds[] = { LNOB__STAGE_KIND__STAGE_RECEIVED,
					  LNOB__STAGE_KIND__STAGE_APPRAISED,
					  LNOB__STAGE_KIND__STAGE_ENDORSED,
					  LNOB__STAGE_KIND__STAGE_RECEIVED,
					  LNOB__STAGE_KIND__STAGE_DECIDED };

	(void)state;
	t_setup(&w);
	t_nom(&a, "2023-001", "C11", NULL);
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	for (size_t i = 0; i < 5; i++) {
		s = t_stage("c11/2023-001", kinds[i], NULL);
		if (kinds[i] == LNOB__STAGE_KIND__STAGE_DECIDED) {
			s.decision_number = (char *)"1234/QĐ-UBND";
			s.decision_date = (char *)"2024-01-15";
			s.granted_form = LNOB__AWARD_FORM__AWARD_GIAY_KHEN;
		}
		it = t_send(&w, who[i], LNOB__KIND__KIND_STAGE, &s.base);
		t_ack(&it);
	}
	/* Nothing after a decision. */
	s = t_stage("c11/2023-001", LNOB__STAGE_KIND__STAGE_REJECTED, "late");
	it = t_send(&w, N_P, LNOB__KIND__KIND_STAGE, &s.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_BAD_STAGE, "closed");
	assert_int_equal(t_count(&w, AGG_DB_STAGES), 5);
	assert_int_equal(t_count(&w, AGG_DB_ENVELOPES), 6);

	one = t_one(&w, "c11/2023-001");
	assert_non_null(one);
	assert_string_equal(t_jstr(one, "stage"), "decided");
	assert_string_equal(t_jstr(one, "holder"), "P");
	h = json_object_get(one, "history");
	assert_int_equal(json_array_size(h), 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(t_jstr(json_array_get(h, i), "signer"), flow[i][0]);
		assert_string_equal(t_jstr(json_array_get(h, i), "stage"), flow[i][1]);
	}
	assert_string_equal(t_jstr(json_array_get(h, 4), "granted_form"), "giay_khen");
	/* The dossier's bytes stay in the envelope log; the record keeps sizes. */
	h = json_object_get(one, "dossier");
	assert_int_equal(json_array_size(h), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 2), "attached")),
			 (json_int_t)strlen(a.text[2]));
	/* No campaign configured: no verdict, and why. */
	assert_true(json_is_null(json_object_get(json_object_get(one, "eligibility"), "verdict")));
	json_decref(one);
	t_teardown(&w);
}

static void test_nomination_refusals(void **state)
{
	t_world_t w;
	t_nom_t a;
	ingest_item_t it;
	uint8_t bad[32];

	(void)state;
	t_setup(&w);
#define EXPECT(node, reason, words) do { \
	it = t_send(&w, node, LNOB__KIND__KIND_NOMINATION, &a.n.base); \
	t_nack(&it, LNOB__NACK_REASON__NACK_##reason, words); \
} while (0)
	t_nom(&a, "2023-001", "C12", NULL);
	EXPECT(N_C11, OUT_OF_SCOPE, "C12");
	t_nom(&a, "2023-001", "X99", NULL);
	EXPECT(N_C11, UNKNOWN_UNIT, "X99");
	t_nom(&a, "2023/001", "C11", NULL);
	EXPECT(N_C11, INVALID, "id");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.form = 9;
	EXPECT(N_C11, INVALID, "form");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.nominee_kind = LNOB__NOMINEE_KIND__NOMINEE_UNSPECIFIED;
	EXPECT(N_C11, INVALID, "nominee_kind");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.nominee_name = (char *)"";
	EXPECT(N_C11, INVALID, "nominee_name");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.nominee_name = (char *)"bad \xc3\x28 utf-8";
	EXPECT(N_C11, INVALID, "UTF-8");
	t_nom(&a, "2023-001", "C11", NULL);
	a.d[1].sha256.len = 31;
	EXPECT(N_C11, INVALID, "not 32");
	t_nom(&a, "2023-001", "C11", NULL);
	memcpy(bad, a.sha[2], 32);
	bad[0] ^= 1;
	a.d[2].sha256.data = bad;
	EXPECT(N_C11, INVALID, "SHA-256");
	t_nom(&a, "2023-001", "C11", NULL);
	a.d[0].size += 1;
	EXPECT(N_C11, INVALID, "size");
	t_nom(&a, "2023-001", "C11", NULL);
	a.d[0].kind = 7;
	EXPECT(N_C11, INVALID, "kind");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.contribution_vnd = 2000000000000000ULL;
	EXPECT(N_C11, INVALID, "contribution_vnd");
	t_nom(&a, "2023-001", "C11", "c11/none");
	EXPECT(N_C11, UNKNOWN_NOMINATION, "c11/none");
	t_nom(&a, "2023-001", "C11", "not a key");
	EXPECT(N_C11, INVALID, "revises");
	/* Refusals store nothing. */
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), 0);
	assert_int_equal(t_count(&w, AGG_DB_ENVELOPES), 0);

	/* A digest without the bytes is fine (size as declared). */
	t_nom(&a, "2023-001", "C11", NULL);
	a.d[2].content.len = 0;
	a.d[2].size = 123456;
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	/* The same again under a new seq: acked, nothing changes. */
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), 1);
	/* The id again with other content: refused. */
	a.n.summary = (char *)"another summary";
	EXPECT(N_C11, INVALID, "id reused");
	/* The district may nominate in C11 too (its own key). */
	it = t_send(&w, N_D1, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), 2);
#undef EXPECT
	t_teardown(&w);
}

/* Every text field of a nomination is UTF-8 and bounded at the aggregator,
 * whatever the collector checked; proposed_at is in 2000 .. 2100 UTC. Each
 * refusal is NACK_INVALID naming the field, and stores nothing. */
static void test_nomination_field_rules(void **state)
{
	t_world_t w;
	t_nom_t a;
	ingest_item_t it;
	char name[514], vote[4098];

	(void)state;
	t_setup(&w);
#define EXPECT(words) do { \
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base); \
	t_nack(&it, LNOB__NACK_REASON__NACK_INVALID, words); \
} while (0)
	/* proposed_at: each boundary, and far outside. */
	t_nom(&a, "t-1", "C11", NULL);
	a.n.proposed_at = 946684799;
	EXPECT("proposed_at: 946684799 is not a time in 2000-01-01 .. 2100-12-31 UTC");
	a.n.proposed_at = 4133980800;
	EXPECT("proposed_at: 4133980800 is not");
	a.n.proposed_at = INT64_MAX;
	EXPECT("proposed_at: 9223372036854775807 is not");
	a.n.proposed_at = 0;
	EXPECT("proposed_at: 0 is not");
	a.n.proposed_at = -1;
	EXPECT("proposed_at");
	/* nominee_name: UTF-8, at most 512 bytes, one line. */
	t_nom(&a, "t-1", "C11", NULL);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	a.n.nominee_name = name;
	EXPECT("nominee_name: longer than 512 bytes (513)");
	a.n.nominee_name = (char *)"Ấp Tân\nHưng";
	EXPECT("nominee_name: a control character");
	a.n.nominee_name = (char *)"Ấp \xed\xa0\x80";          /* a surrogate */
	EXPECT("nominee_name: not valid UTF-8");
	a.n.nominee_name = (char *)"\xc0\xaf";                 /* overlong */
	EXPECT("nominee_name: not valid UTF-8");
	/* summary: UTF-8 (line breaks are fine in it; see the accepted one). */
	t_nom(&a, "t-1", "C11", NULL);
	a.n.summary = (char *)"Vượt 12 % \xff chỉ tiêu";
	EXPECT("summary: not valid UTF-8");
	/* dossier titles and votes. */
	t_nom(&a, "t-1", "C11", NULL);
	a.d[1].title = (char *)"Biên bản \xe1\xba";
	EXPECT("dossier document 2: title: not valid UTF-8");
	a.d[1].title = (char *)"";
	EXPECT("dossier document 2: title: missing");
	t_nom(&a, "t-1", "C11", NULL);
	a.d[1].vote = (char *)"9/11 t\xe1n th\xe0nh";              /* Latin-1, not UTF-8 */
	EXPECT("dossier document 2: vote: not valid UTF-8");
	a.d[1].vote = (char *)"9/11\r\n";
	EXPECT("dossier document 2: vote: a control character");
	memset(vote, '9', sizeof(vote) - 1);
	vote[sizeof(vote) - 1] = '\0';
	a.d[1].vote = vote;
	EXPECT("dossier document 2: vote: longer than 4096 bytes");
	/* revises and sanction are ids: bad bytes are refused and quoted
	 * escaped (the detail stays UTF-8: t_nack checks it). */
	t_nom(&a, "t-1", "C11", "c11/\xff\xfe");
	EXPECT("revises 'c11/\\xff\\xfe' is not a nomination key");
	t_nom(&a, "t-1", "C11", NULL);
	a.n.sanction = (char *)"khiển trách";
	EXPECT("sanction 'khiển trách' is not an id");
	a.n.sanction = (char *)"\xc3";
	EXPECT("sanction '\\xc3' is not an id");
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), 0);
	assert_int_equal(t_count(&w, AGG_DB_ENVELOPES), 0);
#undef EXPECT

	/* Accepted at the boundaries: proposed_at 2000-01-01T00:00:00Z and
	 * 2100-12-31T23:59:59Z, a name of exactly 512 bytes, a multi-line
	 * summary, a vote with its Vietnamese words. */
	t_nom(&a, "t-min", "C11", NULL);
	a.n.proposed_at = 946684800;
	name[sizeof(name) - 2] = '\0';
	a.n.nominee_name = name;
	a.n.summary = (char *)"Vượt 12 % chỉ tiêu\ngiảm nghèo năm 2023";
	a.d[1].vote = (char *)"9/11 tán thành";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	t_nom(&a, "t-max", "C11", NULL);
	a.n.proposed_at = 4133980799;
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), 2);
	t_teardown(&w);
}

/* A stage's texts, its at and its decision_date, the same way. */
static void test_stage_field_rules(void **state)
{
	t_world_t w;
	t_nom_t a;
	Lnob__Stage s;
	ingest_item_t it;
	char note[4098];

	(void)state;
	t_setup(&w);
	t_nom(&a, "2023-009", "C11", NULL);
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
#define EXPECT(node, words) do { \
	it = t_send(&w, node, LNOB__KIND__KIND_STAGE, &s.base); \
	t_nack(&it, LNOB__NACK_REASON__NACK_INVALID, words); \
} while (0)
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	s.at = 946684799;
	EXPECT(N_D1, "at: 946684799 is not a time in 2000-01-01 .. 2100-12-31 UTC");
	s.at = 4133980800;
	EXPECT(N_D1, "at: 4133980800 is not");
	s.at = INT64_MAX;
	EXPECT(N_D1, "at: 9223372036854775807 is not");
	s.at = 0;
	EXPECT(N_D1, "at: 0 is not");
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	s.note = (char *)"ghi ch\xc3";
	EXPECT(N_D1, "note: not valid UTF-8");
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	s.note = note;
	EXPECT(N_D1, "note: longer than 4096 bytes (4097)");
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_RETURNED, "thi\xe1\xba\xbfu \xf4\x90\x80\x80");
	EXPECT(N_D1, "reason: not valid UTF-8");
	s.reason = note;
	EXPECT(N_D1, "reason: longer than 4096 bytes");
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_DECIDED, NULL);
	s.decision_number = (char *)"1234/Q\xc4";
	s.decision_date = (char *)"2024-01-15";
	s.granted_form = LNOB__AWARD_FORM__AWARD_GIAY_KHEN;
	EXPECT(N_P, "decision_number: not valid UTF-8");
	s.decision_number = (char *)"1234/QĐ-UBND\n";
	EXPECT(N_P, "decision_number: a control character");
	s.decision_number = (char *)"1234/QĐ-UBND";
	s.decision_date = (char *)"1999-12-31";
	EXPECT(N_P, "decision_date '1999-12-31' is not a date YYYY-MM-DD in 2000-01-01 .. 2100-12-31");
	s.decision_date = (char *)"2101-01-01";
	EXPECT(N_P, "decision_date '2101-01-01'");
	s.decision_date = (char *)"2100-02-29";                 /* not a leap year */
	EXPECT(N_P, "decision_date");
	s.decision_date = (char *)"2024-1-15";
	EXPECT(N_P, "decision_date");
	s.decision_date = (char *)"15/01/\xff";
	EXPECT(N_P, "decision_date '15/01/\\xff'");
	assert_int_equal(t_count(&w, AGG_DB_STAGES), 0);
#undef EXPECT

	/* At the boundaries: accepted. */
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	s.at = 946684800;
	s.note = (char *)"tiếp nhận\nhồ sơ";
	it = t_send(&w, N_D1, LNOB__KIND__KIND_STAGE, &s.base);
	t_ack(&it);
	s = t_stage("c11/2023-009", LNOB__STAGE_KIND__STAGE_DECIDED, NULL);
	s.at = 4133980799;
	s.decision_number = (char *)"1234/QĐ-UBND";
	s.decision_date = (char *)"2100-12-31";
	s.granted_form = LNOB__AWARD_FORM__AWARD_GIAY_KHEN;
	it = t_send(&w, N_P, LNOB__KIND__KIND_STAGE, &s.base);
	t_ack(&it);
	assert_int_equal(t_count(&w, AGG_DB_STAGES), 2);
	t_teardown(&w);
}

static void test_stage_refusals_and_resubmission(void **state)
{
	t_world_t w;
	t_nom_t a, b;
	Lnob__Stage s;
	ingest_item_t it;
	json_t *one, *e;

	(void)state;
	t_setup(&w);
	t_nom(&a, "2023-002", "V11", NULL);
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
#define EXPECT(node, st, reason, words) do { \
	it = t_send(&w, node, LNOB__KIND__KIND_STAGE, &(st).base); \
	t_nack(&it, LNOB__NACK_REASON__NACK_##reason, words); \
} while (0)
	s = t_stage("c11/2023-404", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	EXPECT(N_D1, s, UNKNOWN_NOMINATION, "c11/2023-404");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	EXPECT(N_C12, s, OUT_OF_SCOPE, "V11");
	s.campaign = (char *)"other";
	EXPECT(N_D1, s, INVALID, "campaign");
	s = t_stage("c11/2023-002", (Lnob__StageKind)9, NULL);
	EXPECT(N_D1, s, INVALID, "kind");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_RETURNED, NULL);
	EXPECT(N_D1, s, INVALID, "reason");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_DECIDED, NULL);
	s.decision_number = (char *)"1/QĐ";
	s.decision_date = (char *)"2024-02-30";
	s.granted_form = LNOB__AWARD_FORM__AWARD_GIAY_KHEN;
	EXPECT(N_P, s, INVALID, "decision_date");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_APPRAISED, NULL);
	EXPECT(N_D1, s, BAD_STAGE, "cannot follow");
	assert_int_equal(t_count(&w, AGG_DB_STAGES), 0);

	/* Not returned yet: no resubmission. */
	t_nom(&b, "2023-003", "V11", "c11/2023-002");
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &b.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_BAD_STAGE, "not returned");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	it = t_send(&w, N_D1, LNOB__KIND__KIND_STAGE, &s.base);
	t_ack(&it);
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_RETURNED, "thiếu biên bản");
	it = t_send(&w, N_D1, LNOB__KIND__KIND_STAGE, &s.base);
	t_ack(&it);
	/* Of another unit: refused; then the resubmission; then no second one. */
	t_nom(&b, "2023-003", "C11", "c11/2023-002");
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &b.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_INVALID, "unit");
	t_nom(&b, "2023-003", "V11", "c11/2023-002");
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &b.n.base);
	t_ack(&it);
	t_nom(&b, "2023-004", "V11", "c11/2023-002");
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &b.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_BAD_STAGE, "2023-003");
	s = t_stage("c11/2023-002", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);
	EXPECT(N_D1, s, BAD_STAGE, "closed");
#undef EXPECT

	one = t_one(&w, "c11/2023-003");
	assert_non_null(one);
	assert_string_equal(t_jstr(one, "revises"), "c11/2023-002");
	assert_string_equal(t_jstr(one, "stage"), "proposed");
	e = json_array_get(json_object_get(one, "earlier"), 0);
	assert_non_null(e);
	assert_string_equal(t_jstr(e, "key"), "c11/2023-002");
	assert_string_equal(t_jstr(e, "revised_by"), "c11/2023-003");
	assert_int_equal(json_array_size(json_object_get(e, "history")), 2);
	assert_string_equal(t_jstr(json_array_get(json_object_get(e, "history"), 1), "reason"),
			    "thiếu biên bản");
	json_decref(one);
	assert_null(t_one(&w, "c11/2023-004"));
	assert_null(t_one(&w, "no key"));
	t_teardown(&w);
}

/* A refused stage in a batch beside accepted ones leaves nothing of itself. */
static void test_batch_mixed(void **state)
{
	t_world_t w;
	t_nom_t a;
	Lnob__Stage s1, s2;
	ingest_item_t items[3];
	uint8_t *bufs[3], *body;
	size_t blen;
	const ProtobufCMessage *msgs[3];
	const int nodes[3] = { N_C11, N_C12, N_D1 };
	const uint32_t kinds[3] = { LNOB__KIND__KIND_NOMINATION, LNOB__KIND__KIND_STAGE,
				    LNOB__KIND__KIND_STAGE };
	json_t *one;

	(void)state;
	t_setup(&w);
	t_nom(&a, "2023-001", "C11", NULL);
	s1 = t_stage("c11/2023-001", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);   /* c12: out */
	s2 = t_stage("c11/2023-001", LNOB__STAGE_KIND__STAGE_RECEIVED, NULL);   /* d1: in */
	msgs[0] = &a.n.base;
	msgs[1] = &s1.base;
	msgs[2] = &s2.base;
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(codec_pack(msgs[i], &body, &blen), 0);
		assert_int_equal(envelope_seal(&w.id[nodes[i]], ++w.seq[nodes[i]], kinds[i], body,
					       blen, &bufs[i], &items[i].len), 0);
		free(body);
		items[i].env = bufs[i];
		items[i].peer = s_node_ids[nodes[i]];
	}
	assert_int_equal(ingest_batch(&w.ctx, items, 3), 0);
	t_ack(&items[0]);
	t_nack(&items[1], LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, "c12");
	t_ack(&items[2]);
	assert_int_equal(t_count(&w, AGG_DB_STAGES), 1);
	assert_int_equal(t_count(&w, AGG_DB_ENVELOPES), 2);
	one = t_one(&w, "c11/2023-001");
	assert_string_equal(t_jstr(one, "holder"), "D1");
	assert_int_equal(json_integer_value(json_object_get(one, "stages")), 1);
	json_decref(one);
	for (int i = 0; i < 3; i++)
		free(bufs[i]);
	t_teardown(&w);
}

/* How many nominations q's view counts (and lists: the same), or the
 * view's error code (err gets its message). */
static long long s_view_count(const nominations_ctx_t *x, const nominations_query_t *q,
			      char *err, size_t errlen)
{
	MDB_txn *txn;
	json_t *v = NULL;
	long long n;
	int r;

	assert_int_equal(store_begin(x->st, false, &txn), 0);
	r = nominations_view(x, txn, q, &v, err, errlen);
	store_abort(&txn);
	if (r < 0)
		return r;
	n = (long long)json_integer_value(json_object_get(json_object_get(v, "total"), "count"));
	assert_int_equal(json_array_size(json_object_get(v, "nominations")), n);
	json_decref(v);
	return n;
}

/* The view's filters over c11/2023-001 (proposed, held by C11, giay_khen)
 * and d1/2023-001 (rejected, held by D1, the PM's Bằng khen); names
 * checked, with the known ones listed. */
static void s_check_filters(const nominations_ctx_t *x, nominations_query_t q)
{
	char err[512] = "";

	q.stage = "rejected";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 1);
	q.stage = "proposed";
	q.holder = "C11";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 1);
	q.holder = "D1";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 0);
	q.stage = q.holder = NULL;
	q.form = "giay_khen";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 1);
	q.form = NULL;
	q.waiting_min_days = 1;   /* q.now is before every arrival: 0 days */
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 0);
	q.now = INT64_C(4000000000);
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), 2);
	q.stage = "sent";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "stage 'sent' is not a stage (proposed, received, appraised, "
			    "endorsed, returned, rejected, decided)");
	q.stage = NULL;
	q.form = "medal";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "form 'medal' is not an award form (giay_khen, "));
	q.form = NULL;
	q.holder = "NOPE";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), LNOB_E_NOTFOUND);
	q.holder = NULL;
	/* Another occasion: an error naming the campaign's periods. */
	q.occasion = "2022";
	assert_int_equal(s_view_count(x, &q, err, sizeof(err)), LNOB_E_NOTFOUND);
	assert_string_equal(err, "occasion '2022' is not a period of campaign " CAMP " (2023)");
}

/* With a campaign configured: its id, its periods, its sanctions; and the
 * view's counts per level. */
static void test_campaign_checks_and_view(void **state)
{
	static const char ini[] =
		"[campaign]\nid = " CAMP "\nname = test\nstart = 2021-01-01\nend = 2025-12-31\n"
		"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
		"[indicators]\nhouseholds_total = count\npoor_households = count\n"
		"poor_rate = rate poor_households / households_total\n"
		"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n"
		"[target poverty]\nlevels = commune\ngoal = poverty\nindicator = poor_rate\n"
		"down_points = 0.2\n"
		"[awards]\nsanctions = reprimand, warning\ndisqualify = reprimand\n"
		"[award gk]\nform = giay_khen\noccasion = annual\nnominees = collective\n"
		"achievement = >= 100%\n";
	nominations_ctx_t x;
	nominations_query_t q = { .campaign = CAMP, .now = 1 };
	t_world_t w;
	t_nom_t a;
	Lnob__Stage s;
	ingest_item_t it;
	campaign_t *c = NULL;
	json_t *v, *l;
	MDB_txn *txn;
	char err[512] = "";

	(void)state;
	t_setup(&w);
	if (campaign_load_mem(ini, "test.ini", w.hier, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(campaigns_reserve(&w.camps, 1), 0);
	w.camps.v[0] = c;
	w.camps.n = 1;
	w.ctx.campaigns = &w.camps;

	t_nom(&a, "2023-001", "C11", NULL);
	a.n.campaign = (char *)"other";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, "other");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.occasion = (char *)"2024";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, "2024");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.sanction = (char *)"dismissal";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_INVALID, "dismissal");
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.sanction = (char *)"warning";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	t_nom(&a, "2023-001", "V11", NULL);
	a.n.nominee_kind = LNOB__NOMINEE_KIND__NOMINEE_INDIVIDUAL;
	a.n.form = LNOB__AWARD_FORM__AWARD_BANG_KHEN_PM;
	it = t_send(&w, N_D1, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_ack(&it);
	s = t_stage("d1/2023-001", LNOB__STAGE_KIND__STAGE_REJECTED, "no");
	it = t_send(&w, N_D1, LNOB__KIND__KIND_STAGE, &s.base);
	t_ack(&it);

	x.st = w.st;
	x.hier = w.hier;
	x.campaigns = &w.camps;
	q.unit = hier_find(w.hier, "P");
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(nominations_view(&x, txn, &q, &v, err, sizeof(err)), 0);
	store_abort(&txn);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "total"), "count")), 2);
	l = json_object_get(json_object_get(json_object_get(v, "total"), "by_stage"), "rejected");
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(l, "nominations"), 0)),
			    "d1/2023-001");
	assert_int_equal(json_array_size(json_object_get(v, "levels")), 4);
	l = json_array_get(json_object_get(v, "levels"), 2);
	assert_string_equal(t_jstr(l, "level"), "commune");
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
	/* A warning disqualifies: not eligible whatever the figures. */
	l = json_array_get(json_object_get(v, "nominations"), 0);
	assert_string_equal(t_jstr(l, "key"), "c11/2023-001");
	assert_string_equal(t_jstr(json_object_get(l, "eligibility"), "verdict"), "not_eligible");
	/* No rule gives the PM's Bằng khen. */
	l = json_array_get(json_object_get(v, "nominations"), 1);
	assert_string_equal(t_jstr(json_object_get(l, "eligibility"), "verdict"), "not_eligible");
	json_decref(v);
	s_check_filters(&x, q);
	/* An ad-hoc request is a period, but no occasion for an award. */
	{
		Lnob__AdhocRequest dx = LNOB__ADHOC_REQUEST__INIT;
		char *units[] = { (char *)"C11" }, *inds[1];

		inds[0] = (char *)campaign_indicator(c, 0)->code;
		tu_adhoc(&dx, campaign_id(c), "dx-1", units, 1, inds, 1, "2024-01-31");
		assert_int_equal(campaign_request_add(c, w.hier, &dx, err, sizeof(err)), 0);
	}
	t_nom(&a, "2023-001", "C11", NULL);
	a.n.occasion = (char *)"dx-1";
	it = t_send(&w, N_C11, LNOB__KIND__KIND_NOMINATION, &a.n.base);
	t_nack(&it, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, "no occasion for an award");
	t_teardown(&w);
}

/* A batch of nominations that hits LNOB_E_FULL stores nothing of itself
 * (no record, no envelope, no counter) and answers each with a retryable
 * NACK_STORE_FAILED. */
static void test_map_full_stores_nothing(void **state)
{
	enum { BATCH = 8, DOC = 16384 };
	t_world_t w;
	t_nom_t a;
	ingest_item_t items[BATCH];
	uint8_t *bufs[BATCH], *body, *big = malloc(DOC), sha[32];
	size_t blen, before_noms = 0, before_env = 0;
	char id[32];
	int r = 0, round;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', DOC);
	crypto_hash_sha256(sha, big, DOC);
	t_setup_map(&w, 512 << 10);
	for (round = 0; round < 100 && r == 0; round++) {
		before_noms = t_count(&w, AGG_DB_NOMINATIONS);
		before_env = t_count(&w, AGG_DB_ENVELOPES);
		memset(items, 0, sizeof(items));
		for (int i = 0; i < BATCH; i++) {
			snprintf(id, sizeof(id), "n-%d-%d", round, i);
			t_nom(&a, id, "C11", NULL);
			a.d[2].content.data = big;
			a.d[2].content.len = DOC;
			a.d[2].size = DOC;
			a.d[2].sha256.data = sha;
			assert_int_equal(codec_pack(&a.n.base, &body, &blen), 0);
			assert_int_equal(envelope_seal(&w.id[N_C11], ++w.seq[N_C11],
						       LNOB__KIND__KIND_NOMINATION, body, blen,
						       &bufs[i], &items[i].len), 0);
			free(body);
			items[i].env = bufs[i];
			items[i].peer = "c11";
		}
		r = ingest_batch(&w.ctx, items, BATCH);
		for (int i = 0; i < BATCH; i++) {
			if (r == 0)
				t_ack(&items[i]);
			else
				t_nack(&items[i], LNOB__NACK_REASON__NACK_STORE_FAILED, "store failed");
			free(bufs[i]);
		}
	}
	assert_int_equal(r, LNOB_E_FULL);
	assert_true(round > 1);
	assert_int_equal(t_count(&w, AGG_DB_NOMINATIONS), before_noms);
	assert_int_equal(t_count(&w, AGG_DB_ENVELOPES), before_env);
	assert_int_equal(w.ctx.counters[AGG_C_STORED], before_env);
	for (int i = 0; i < BATCH; i++)
		assert_true(items[i].retryable);
	free(big);
	t_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_flow_and_history),
		cmocka_unit_test(test_nomination_refusals),
		cmocka_unit_test(test_nomination_field_rules),
		cmocka_unit_test(test_stage_field_rules),
		cmocka_unit_test(test_stage_refusals_and_resubmission),
		cmocka_unit_test(test_batch_mixed),
		cmocka_unit_test(test_campaign_checks_and_view),
		cmocka_unit_test(test_map_full_stores_nothing),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
