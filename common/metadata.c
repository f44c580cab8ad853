/* metadata.c: the metadata bundle: built, signed, verified and parsed
 * (see metadata.h). */
#include "metadata.h"

#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_request.h"
#include "codec.h"
#include "inifile.h"
#include "lnob_err.h"
#include "util.h"

/* Largest campaign file sent (campaign_load's own bound is lower). */
#define S_CAMPAIGN_MAX ((size_t)4 << 20)

/* Writes s as one RFC 4180 field: quoted when it holds a comma, a quote
 * or a line break. */
static void s_csv_field(FILE *f, const char *s, char sep)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(sep, f);
}

/* The CSV of scope's subtree (-1: all), scope's parent_code empty.
 * Caller frees *ret. Returns 0 or -ENOMEM. */
static int s_hier_csv(const hier_t *hier, int scope, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fputs("code,name,parent_code,level,kind\n", f);
	for (size_t i = 0; i < hier_count(hier); i++) {
		const hier_unit_t *u = hier_unit(hier, (int)i);

		if (scope >= 0 && !hier_in_subtree(hier, scope, (int)i))
			continue;
		s_csv_field(f, u->code, ',');
		s_csv_field(f, u->name, ',');
		s_csv_field(f, (int)i == scope ? "" : u->parent_code, ',');
		s_csv_field(f, u->level, ',');
		s_csv_field(f, u->kind, '\n');
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

/* Comments out the baseline_file line of a campaign text in place (the
 * baselines stay at the aggregator; line numbers are kept). */
static void s_drop_baseline(char *text)
{
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1
									  : NULL) {
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "baseline_file", 13) == 0 &&
		    (p[13] == ' ' || p[13] == '\t' || p[13] == '='))
			*p = ';';
	}
}

/* Reads camps' files into body's campaigns (texts owned by the caller
 * through texts[]). Returns 0, -errno or -ENOMEM with err. */
static int s_campaign_texts(const campaigns_t *camps, Lnob__MetadataCampaign *mc,
			    Lnob__MetadataCampaign **pmc, char **texts, char *err, size_t errlen)
{
	for (size_t i = 0; i < camps->n; i++) {
		const char *path = campaign_file(camps->v[i]);
		size_t len;
		int r;

		if ((r = inifile_read_text(path, S_CAMPAIGN_MAX, &texts[i], &len, err, errlen)) < 0)
			return r;
		s_drop_baseline(texts[i]);
		lnob__metadata_campaign__init(&mc[i]);
		mc[i].name = strrchr(path, '/') ? strrchr(path, '/') + 1 : (char *)path;
		mc[i].text = texts[i];
		pmc[i] = &mc[i];
	}
	return 0;
}

/* nodes' entries with a scope in scope's subtree into b (mn and pmn:
 * nnodes each, the caller's). */
static void s_nodes(const hier_t *hier, int scope, const metadata_node_t *nodes, size_t nnodes,
		    Lnob__MetadataNode *mn, Lnob__MetadataNode **pmn, Lnob__MetadataBody *b)
{
	b->nodes = pmn;
	for (size_t i = 0; i < nnodes; i++) {
		int u = hier_find(hier, nodes[i].scope);

		if (u < 0 || (scope >= 0 && !hier_in_subtree(hier, scope, u)))
			continue;
		lnob__metadata_node__init(&mn[b->n_nodes]);
		mn[b->n_nodes].node_id = (char *)nodes[i].node_id;
		mn[b->n_nodes].scope = (char *)nodes[i].scope;
		pmn[b->n_nodes] = &mn[b->n_nodes];
		b->n_nodes++;
	}
}

/* The ad-hoc requests of camps asking a unit of scope's subtree, as
 * AdhocRequest messages with only those units: b->requests and what they
 * point to (borrowed strings) are the caller's to free with
 * s_requests_free(). Returns 0 or -ENOMEM. */
static int s_requests(const hier_t *hier, int scope, const campaigns_t *camps,
		      Lnob__MetadataBody *b)
{
	size_t cap = 0;

	for (size_t i = 0; camps && i < camps->n; i++)
		cap += campaign_request_count(camps->v[i]);
	if (cap == 0)
		return 0;
	if (!(b->requests = calloc(cap, sizeof(Lnob__AdhocRequest *))))
		return -ENOMEM;
	for (size_t i = 0; i < camps->n; i++) {
		const campaign_t *c = camps->v[i];

		for (size_t k = 0; k < campaign_period_count(c); k++) {
			const campaign_period_t *p = campaign_period(c, (int)k);
			Lnob__AdhocRequest *q;

			if (!p->request)
				continue;
			if (!(q = calloc(1, sizeof(*q))))
				return -ENOMEM;
			b->requests[b->n_requests++] = q;
			lnob__adhoc_request__init(q);
			q->campaign = (char *)campaign_id(c);
			q->id = (char *)p->id;
			q->due = (char *)p->request->due;
			q->note = (char *)p->request->note;
			q->created_at = p->request->created_at;
			q->units = calloc(p->request->nunits, sizeof(char *));
			q->indicators = calloc(campaign_indicator_count(c) + 1, sizeof(char *));
			if (!q->units || !q->indicators)
				return -ENOMEM;
			for (size_t u = 0; u < p->request->nunits; u++) {
				int x = hier_find(hier, p->request->units[u]);

				if (x >= 0 && (scope < 0 || hier_in_subtree(hier, scope, x)))
					q->units[q->n_units++] = (char *)p->request->units[u];
			}
			for (size_t j = 0; j < campaign_indicator_count(c); j++)
				if (p->request->asked[j])
					q->indicators[q->n_indicators++] =
						(char *)campaign_indicator(c, (int)j)->code;
			if (q->n_units == 0) {   /* asks nobody here */
				b->n_requests--;
				free(q->units);
				free(q->indicators);
				free(q);
			}
		}
	}
	return 0;
}

static void s_requests_free(Lnob__MetadataBody *b)
{
	for (size_t i = 0; i < b->n_requests; i++) {
		free(b->requests[i]->units);
		free(b->requests[i]->indicators);
		free(b->requests[i]);
	}
	free(b->requests);
}

int metadata_body_build(const hier_t *hier, int scope, const campaigns_t *camps,
			const metadata_node_t *nodes, size_t nnodes, const identity_pub_t *next,
			uint8_t **ret_body, size_t *ret_len, char *err, size_t errlen)
{
	Lnob__MetadataBody b = LNOB__METADATA_BODY__INIT;
	Lnob__NextKey nk = LNOB__NEXT_KEY__INIT;
	size_t n = camps ? camps->n : 0;
	Lnob__MetadataCampaign *mc = calloc(n + 1, sizeof(*mc));
	Lnob__MetadataCampaign **pmc = calloc(n + 1, sizeof(Lnob__MetadataCampaign *));
	Lnob__MetadataNode *mn = calloc(nnodes + 1, sizeof(*mn));
	Lnob__MetadataNode **pmn = calloc(nnodes + 1, sizeof(Lnob__MetadataNode *));
	char **texts = calloc(n + 1, sizeof(char *)), *csv = NULL;
	int r;

	if (!mc || !pmc || !texts || !mn || !pmn || s_hier_csv(hier, scope, &csv) < 0) {
		r = -ENOMEM;
		snprintf(err, errlen, "metadata: out of memory");
		goto out;
	}
	if (n && (r = s_campaign_texts(camps, mc, pmc, texts, err, errlen)) < 0)
		goto out;
	b.scope = scope >= 0 ? (char *)hier_unit(hier, scope)->code : "";
	b.hierarchy_csv = csv;
	b.n_campaigns = n;
	b.campaigns = pmc;
	s_nodes(hier, scope, nodes, nnodes, mn, pmn, &b);
	if (next) {
		nk.node_id = (char *)next->node_id;
		nk.sign_public = (ProtobufCBinaryData){ 32, (uint8_t *)next->sign_pk };
		nk.curve_public = (ProtobufCBinaryData){ 32, (uint8_t *)next->curve_pk };
		b.next_key = &nk;
	}
	if ((r = s_requests(hier, scope, camps, &b)) == 0)
		r = codec_pack(&b.base, ret_body, ret_len);
	if (r < 0)
		snprintf(err, errlen, "metadata: out of memory");
	s_requests_free(&b);
out:
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	free(mc);
	free(pmc);
	free(csv);
	free(mn);
	free(pmn);
	return r;
}

/* The signed bytes (THE LINK, Metadata). Caller frees *ret. */
static int s_signed_bytes(const char *issuer, uint64_t version, int64_t issued_at,
			  const uint8_t *body, size_t blen, uint8_t **ret, size_t *ret_len)
{
	size_t ilen = strlen(issuer), dlen = METADATA_DOMAIN_LEN;
	size_t n = dlen + 4 + ilen + 8 + 8 + 4 + blen, off = 0;
	uint8_t *buf;

	if (blen > UINT32_MAX || ilen > UINT32_MAX || !(buf = malloc(n)))
		return -ENOMEM;
	memcpy(buf, METADATA_DOMAIN, METADATA_DOMAIN_LEN);   /* includes the NUL */
	off += dlen;
	lnob_be32_put(buf + off, (uint32_t)ilen);
	/* length-prefixed bytes, not a C string */
	memcpy(buf + off + 4, issuer, ilen); /* NOLINT(bugprone-not-null-terminated-result) */
	off += 4 + ilen;
	lnob_be64_put(buf + off, version);
	lnob_be64_put(buf + off + 8, (uint64_t)issued_at);
	lnob_be32_put(buf + off + 16, (uint32_t)blen);
	off += 20;
	if (blen)
		memcpy(buf + off, body, blen);
	*ret = buf;
	*ret_len = n;
	return 0;
}

int metadata_sign(const identity_t *id, uint64_t version, int64_t issued_at,
		  const uint8_t *body, size_t len, uint8_t sig[64])
{
	uint8_t *msg;
	size_t mlen;
	int r;

	if ((r = s_signed_bytes(id->pub.node_id, version, issued_at, body, len, &msg, &mlen)) < 0)
		return r;
	r = crypto_sign_ed25519_detached(sig, NULL, msg, mlen, id->sign_sk) == 0 ? 0
										 : LNOB_E_CRYPTO;
	free(msg);
	return r;
}

int metadata_verify(const Lnob__Metadata *m, const uint8_t pk[32])
{
	uint8_t *msg;
	size_t mlen;
	int r;

	if (m->signature.len != crypto_sign_ed25519_BYTES || !m->issuer)
		return LNOB_E_BADSIG;
	if ((r = s_signed_bytes(m->issuer, m->version, m->issued_at, m->body.data, m->body.len,
				&msg, &mlen)) < 0)
		return r;
	r = crypto_sign_ed25519_verify_detached(m->signature.data, msg, mlen, pk) == 0
		? 0 : LNOB_E_BADSIG;
	free(msg);
	return r;
}

/* Loads b's campaigns into v->camps (no hierarchy check). */
static int s_parse_campaigns(const Lnob__MetadataBody *b, const char *name, metadata_view_t *v,
			     char *err, size_t errlen)
{
	if (campaigns_reserve(&v->camps, b->n_campaigns) < 0)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	for (size_t i = 0; i < b->n_campaigns; i++) {
		const Lnob__MetadataCampaign *c = b->campaigns[i];
		char fname[256];
		int r;

		snprintf(fname, sizeof(fname), "%s: %s", name, c->name ? c->name : "?");
		if (!c->text)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: no text", fname);
		if ((r = campaign_load_mem(c->text, fname, NULL, &v->camps.v[i], err, errlen)) < 0)
			return r;
		v->camps.n++;
		for (size_t j = 0; j + 1 < v->camps.n; j++)
			if (strcmp(campaign_id(v->camps.v[j]), campaign_id(v->camps.v[i])) == 0)
				return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: campaign '%s' twice",
						 name, campaign_id(v->camps.v[i]));
	}
	return 0;
}

/* Adds b's ad-hoc requests to v's campaigns (checked against v's subtree). */
static int s_parse_requests(const Lnob__MetadataBody *b, const char *name, metadata_view_t *v,
			    char *err, size_t errlen)
{
	char why[1024];

	for (size_t i = 0; i < b->n_requests; i++) {
		const Lnob__AdhocRequest *q = b->requests[i];
		campaign_t *c = NULL;
		int r;

		for (size_t j = 0; q->campaign && j < v->camps.n; j++)
			if (strcmp(campaign_id(v->camps.v[j]), q->campaign) == 0)
				c = v->camps.v[j];
		if (!c)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: ad-hoc request '%s' of "
					 "campaign '%s', which it does not hold", name,
					 q->id ? q->id : "", q->campaign ? q->campaign : "");
		if ((r = campaign_request_add(c, v->hier, q, why, sizeof(why))) < 0)
			return lnob_errf(err, errlen, r, "%s: %s", name, why);
	}
	return 0;
}

/* The reader's own scope in v from b's nodes (else the bundle's scope). */
static void s_own(const Lnob__MetadataBody *b, const char *self_id, metadata_view_t *v)
{
	const char *own = v->scope;

	for (size_t i = 0; self_id && i < b->n_nodes; i++)
		if (b->nodes[i]->node_id && b->nodes[i]->scope &&
		    strcmp(b->nodes[i]->node_id, self_id) == 0 &&
		    hier_find(v->hier, b->nodes[i]->scope) >= 0)
			own = b->nodes[i]->scope;
	v->own = own[0] ? hier_find(v->hier, own) : -1;
	if (v->own >= 0)
		lnob_strlcpy(v->own_scope, own, sizeof(v->own_scope));
}

/* The NextKey of b, when there is one, into v. Returns 0 or
 * LNOB_E_INVALID (a key not 32 bytes, a bad node id) with err. */
static int s_parse_next(const Lnob__MetadataBody *b, const char *name, metadata_view_t *v,
			char *err, size_t errlen)
{
	const Lnob__NextKey *k = b->next_key;

	if (!k)
		return 0;
	if (!k->node_id || !lnob_valid_id(k->node_id) || k->sign_public.len != 32 ||
	    k->curve_public.len != 32)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: next_key: a node id and two "
				 "32-byte keys are wanted", name);
	lnob_strlcpy(v->next.node_id, k->node_id, sizeof(v->next.node_id));
	memcpy(v->next.sign_pk, k->sign_public.data, 32);
	memcpy(v->next.curve_pk, k->curve_public.data, 32);
	v->has_next = true;
	return 0;
}

int metadata_parse(const uint8_t *body, size_t len, const char *name, const char *self_id,
		   metadata_view_t *ret, char *err, size_t errlen)
{
	metadata_view_t v;
	ProtobufCMessage *m = NULL;
	const Lnob__MetadataBody *b;
	int r;

	memset(&v, 0, sizeof(v));
	if (codec_unpack(&lnob__metadata_body__descriptor, body, len, METADATA_BODY_MAX, &m) < 0)
		return lnob_errf(err, errlen, LNOB_E_DECODE, "%s: body does not decode", name);
	b = (const Lnob__MetadataBody *)m;
	if (!b->hierarchy_csv || !b->scope || lnob_strlcpy(v.scope, b->scope, sizeof(v.scope)) != 0) {
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: no hierarchy or scope", name);
		goto out;
	}
	if ((r = hier_load_mem(b->hierarchy_csv, strlen(b->hierarchy_csv), name, &v.hier, err,
			       errlen)) < 0)
		goto out;
	if (v.scope[0] && hier_find(v.hier, v.scope) < 0) {
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: scope '%s' not in its hierarchy",
			      name, v.scope);
		goto out;
	}
	if ((r = s_parse_campaigns(b, name, &v, err, errlen)) == 0 &&
	    (r = s_parse_requests(b, name, &v, err, errlen)) == 0 &&
	    (r = s_parse_next(b, name, &v, err, errlen)) == 0)
		s_own(b, self_id, &v);
out:
	protobuf_c_message_free_unpacked(m, NULL);
	if (r < 0)
		metadata_view_clear(&v);
	else
		*ret = v;
	return r;
}

void metadata_view_clear(metadata_view_t *v)
{
	campaigns_clear(&v->camps);
	hier_destroy(&v->hier);
	v->scope[0] = '\0';
	v->own = -1;
	v->own_scope[0] = '\0';
}
