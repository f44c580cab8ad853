/* test_metadata.c: the metadata bundle (common/metadata.h): built for a
 * scope (its subtree only, names quoted), signed and verified (a flipped
 * bit of anything signed fails), parsed (and refused when it does not
 * decode or its scope is not in its hierarchy). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_request.h"
#include "codec.h"
#include "lnob_err.h"
#include "metadata.h"

static const char *s_csv =
	"code,name,parent_code,level,kind\n"
	"P,Province P,,province,administrative\n"
	"D1,\"District 1, \"\"north\"\"\",P,district,administrative\n"
	"C11,Commune 11,D1,commune,administrative\n"
	"V11,Village 11,C11,village,administrative\n"
	"D2,District 2,P,district,administrative\n";

static const char *s_ini =
	"[campaign]\nid = c1\nname = Test\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n\n"
	"[indicators]\nhouseholds_total = count\npoor_households = count\n"
	"poor_rate = rate poor_households / households_total\n\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

typedef struct s_world {
	hier_t *hier;
	campaigns_t camps;
	identity_t id;
	char dir[512];
} s_world_t;

static int s_setup(void **state)
{
	static s_world_t w;
	char err[512];
	const char *path;

	memset(&w, 0, sizeof(w));
	snprintf(w.dir, sizeof(w.dir), "%s", tu_tmpdir());
	path = tu_write(w.dir, "c1.ini", s_ini, 0600);
	if (campaigns_reserve(&w.camps, 1) < 0)
		return -1;
	if (hier_load_mem(s_csv, strlen(s_csv), "h.csv", &w.hier, err, sizeof(err)) < 0 ||
	    campaign_load(path, w.hier, &w.camps.v[0], err, sizeof(err)) < 0 ||
	    identity_generate("province", &w.id) < 0)
		return -1;
	w.camps.n = 1;
	*state = &w;
	return 0;
}

static int s_teardown(void **state)
{
	s_world_t *w = *state;

	campaigns_clear(&w->camps);
	hier_destroy(&w->hier);
	tu_rmtree(w->dir);
	return 0;
}

static void test_subtree_round_trip(void **state)
{
	s_world_t *w = *state;
	metadata_view_t v;
	uint8_t *body;
	size_t len;
	char err[512];
	int d1;

	const metadata_node_t nodes[] = { { "d1", "D1" }, { "c11", "C11" }, { "d2", "D2" } };

	assert_int_equal(metadata_body_build(w->hier, hier_find(w->hier, "D1"), &w->camps, nodes,
					     3, NULL, &body, &len, err, sizeof(err)), 0);
	assert_int_equal(metadata_parse(body, len, "m", "c11", &v, err, sizeof(err)), 0);
	assert_false(v.has_next);
	assert_string_equal(v.scope, "D1");
	assert_string_equal(v.own_scope, "C11");
	assert_int_equal(v.own, hier_find(v.hier, "C11"));
	metadata_view_clear(&v);
	/* d2's scope is not in D1's bundle: its reader keeps the bundle's scope */
	assert_int_equal(metadata_parse(body, len, "m", "d2", &v, err, sizeof(err)), 0);
	assert_string_equal(v.own_scope, "D1");
	assert_int_equal(hier_count(v.hier), 3);
	assert_true(hier_find(v.hier, "P") < 0 && hier_find(v.hier, "D2") < 0);
	d1 = hier_find(v.hier, "D1");
	assert_string_equal(hier_unit(v.hier, d1)->name, "District 1, \"north\"");
	assert_string_equal(hier_unit(v.hier, d1)->parent_code, "");
	assert_int_equal(v.camps.n, 1);
	assert_non_null(campaigns_find(&v.camps, "c1"));
	metadata_view_clear(&v);
	free(body);
}

/* The aggregator's next keys travel in the bundle; a NextKey whose keys
 * are not 32 bytes makes the bundle refused. */
static void test_next_key(void **state)
{
	s_world_t *w = *state;
	Lnob__MetadataBody *b;
	identity_t next;
	metadata_view_t v;
	uint8_t *body, *bad;
	size_t len, blen;
	char err[512];

	assert_int_equal(identity_generate("prov", &next), 0);
	assert_int_equal(metadata_body_build(w->hier, -1, &w->camps, NULL, 0, &next.pub, &body,
					     &len, err, sizeof(err)), 0);
	assert_int_equal(metadata_parse(body, len, "m", NULL, &v, err, sizeof(err)), 0);
	assert_true(v.has_next);
	assert_memory_equal(&v.next, &next.pub, sizeof(v.next));
	metadata_view_clear(&v);
	b = lnob__metadata_body__unpack(NULL, len, body);
	assert_non_null(b);
	b->next_key->sign_public.len = 31;
	blen = lnob__metadata_body__get_packed_size(b);
	bad = malloc(blen);
	lnob__metadata_body__pack(b, bad);
	assert_int_equal(metadata_parse(bad, blen, "m", NULL, &v, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "next_key"));
	b->next_key->sign_public.len = 32;
	lnob__metadata_body__free_unpacked(b, NULL);
	free(bad);
	free(body);
	identity_wipe(&next);
}

/* An ad-hoc request travels in the bundles of the subtrees it asks, with
 * only their units; a bundle whose request breaks a rule is refused. */
static void test_requests_round_trip(void **state)
{
	s_world_t *w = *state;
	Lnob__AdhocRequest q = LNOB__ADHOC_REQUEST__INIT;
	Lnob__MetadataBody *b;
	char *units[] = { "V11", "D2" }, *inds[] = { "poor_households" }, err[512];
	const campaign_period_t *p;
	metadata_view_t v;
	uint8_t *body, *bad;
	size_t len, blen;

	tu_adhoc(&q, "c1", "dx-1", units, 2, inds, 1, "2025-12-10");
	q.note = "nhanh";
	assert_int_equal(campaign_request_add(w->camps.v[0], w->hier, &q, err, sizeof(err)), 0);
	assert_int_equal(metadata_body_build(w->hier, hier_find(w->hier, "D1"), &w->camps, NULL, 0, NULL,
					     &body, &len, err, sizeof(err)), 0);
	assert_int_equal(metadata_parse(body, len, "m", NULL, &v, err, sizeof(err)), 0);
	p = campaign_period_find(v.camps.v[0], "dx-1");
	assert_non_null(p);
	assert_int_equal(p->kind, CAMPAIGN_PERIOD_ADHOC);
	assert_int_equal(p->request->nunits, 1);   /* D2 is not in D1's subtree */
	assert_string_equal(p->request->units[0], "V11");
	assert_string_equal(p->request->due, "2025-12-10");
	assert_string_equal(p->request->note, "nhanh");
	assert_true(p->request->asked[campaign_indicator_find(v.camps.v[0], "poor_households")]);
	metadata_view_clear(&v);
	/* C11's bundle holds it too, with V11. */
	free(body);
	assert_int_equal(metadata_body_build(w->hier, hier_find(w->hier, "C11"), &w->camps, NULL, 0, NULL,
					     &body, &len, err, sizeof(err)), 0);
	assert_int_equal(metadata_parse(body, len, "m", NULL, &v, err, sizeof(err)), 0);
	assert_non_null(campaign_period_find(v.camps.v[0], "dx-1"));
	metadata_view_clear(&v);
	/* A request naming a unit outside the bundle's hierarchy: refused. */
	assert_int_equal(codec_unpack(&lnob__metadata_body__descriptor, body, len, len,
				      (ProtobufCMessage **)&b), 0);
	assert_int_equal(b->n_requests, 1);
	char *own = b->requests[0]->units[0];
	b->requests[0]->units[0] = "D2";
	assert_int_equal(codec_pack(&b->base, &bad, &blen), 0);
	b->requests[0]->units[0] = own;   /* the unpacked string, freed with the message */
	protobuf_c_message_free_unpacked(&b->base, NULL);
	assert_int_equal(metadata_parse(bad, blen, "m", NULL, &v, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "m: ad-hoc request 'dx-1': unit 'D2' is not in the hierarchy"));
	free(bad);
	free(body);
	campaign_request_drop_last(w->camps.v[0]);
}

static void test_sign_verify(void **state)
{
	s_world_t *w = *state;
	Lnob__Metadata m = LNOB__METADATA__INIT;
	uint8_t body[] = "some body", sig[64];
	identity_t other;

	assert_int_equal(metadata_sign(&w->id, 7, 1700000000, body, sizeof(body), sig), 0);
	m.version = 7;
	m.issued_at = 1700000000;
	m.issuer = w->id.pub.node_id;
	m.body = (ProtobufCBinaryData){ sizeof(body), body };
	m.signature = (ProtobufCBinaryData){ 64, sig };
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), 0);
	m.version = 8;
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), LNOB_E_BADSIG);
	m.version = 7;
	body[0] ^= 1;
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), LNOB_E_BADSIG);
	body[0] ^= 1;
	m.issued_at++;
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), LNOB_E_BADSIG);
	m.issued_at--;
	m.issuer = "other";
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), LNOB_E_BADSIG);
	m.issuer = w->id.pub.node_id;
	assert_int_equal(identity_generate("x", &other), 0);
	assert_int_equal(metadata_verify(&m, other.pub.sign_pk), LNOB_E_BADSIG);
	m.signature.len = 63;
	assert_int_equal(metadata_verify(&m, w->id.pub.sign_pk), LNOB_E_BADSIG);
}

static void test_parse_refuses(void **state)
{
	Lnob__MetadataBody b = LNOB__METADATA_BODY__INIT;
	const uint8_t junk[] = { 0xff, 0xff, 0xff };
	metadata_view_t v;
	uint8_t *buf;
	size_t len;
	char err[512];

	(void)state;
	assert_int_equal(metadata_parse(junk, sizeof(junk), "m", NULL, &v, err, sizeof(err)),
			 LNOB_E_DECODE);
	b.scope = "X9";
	b.hierarchy_csv = (char *)s_csv;
	assert_int_equal(codec_pack(&b.base, &buf, &len), 0);
	assert_int_equal(metadata_parse(buf, len, "m", NULL, &v, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "scope 'X9'"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subtree_round_trip),
		cmocka_unit_test(test_requests_round_trip),
		cmocka_unit_test(test_next_key),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_parse_refuses),
	};

	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
