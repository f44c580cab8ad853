/*
 * dhis2_in_adx.c: ADX XML read for a baseline (dhis2_in.h), by libxml2
 * without network, DTD or entity substitution (a DOCTYPE is refused):
 * <adx xmlns="urn:ihe:qrph:adx:2015"> holding <group orgUnit period
 * dataSet [attributeOptionCombo]> elements of <dataValue dataElement
 * [categoryOptionCombo] value> elements, what export_adx.c writes. A
 * group's dataSet must be the mapping's; any other element in the ADX
 * namespace is refused, elements of other namespaces are skipped
 * (annotations).
 */
#include "dhis2_in_int.h"

#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

#define ADX_NS "urn:ihe:qrph:adx:2015"

static bool s_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ADX_NS) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static bool s_adx_ns(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ADX_NS) == 0;
}

/* An attribute without namespace, borrowed from n (NULL: absent). */
static const char *s_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (!a->ns && strcmp((const char *)a->name, name) == 0 && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

static int s_unexpected(const dhis2_in_table_t *t, const xmlNode *n, const char *where,
			const char *want, char *err, size_t errlen)
{
	return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%ld: %s: unexpected element <%s> "
			 "(expected <%s>)", t->o->name, xmlGetLineNo(n), where, (const char *)n->name,
			 want);
}

/* The dataValues of group g (the g-th, 1 first). */
static int s_group(dhis2_in_table_t *t, const xmlNode *g, size_t gi, char *err, size_t errlen)
{
	const char *ds = s_attr(g, "dataSet"), *want = dhis2map_data_set(t->o->map);
	char gwhere[80], where[128], pos[32];
	size_t vi = 0;
	int r = 0;

	snprintf(gwhere, sizeof(gwhere), "adx/group[%zu]", gi);
	if (!ds || strcmp(ds, want) != 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%ld: %s/@dataSet: '%s' is not the "
				 "mapping's (%s)", t->o->name, xmlGetLineNo(g), gwhere, ds ? ds : "",
				 want);
	for (const xmlNode *n = g->children; r == 0 && n; n = n->next) {
		dhis2_in_value_t v = { .where = where, .gwhere = gwhere, .sep = "/@", .pos = pos,
				       .org_unit = s_attr(g, "orgUnit"), .period = s_attr(g, "period"),
				       .aoc = s_attr(g, "attributeOptionCombo"),
				       .gline = (unsigned)xmlGetLineNo(g), .line = (unsigned)xmlGetLineNo(n) };

		if (n->type != XML_ELEMENT_NODE || !s_adx_ns(n))
			continue;
		snprintf(where, sizeof(where), "adx/group[%zu]/dataValue[%zu]", gi, ++vi);
		if (!s_is(n, "dataValue"))
			return s_unexpected(t, n, gwhere, "dataValue", err, errlen);
		snprintf(pos, sizeof(pos), "line %ld", xmlGetLineNo(n));
		v.data_element = s_attr(n, "dataElement");
		v.coc = s_attr(n, "categoryOptionCombo");
		v.value = s_attr(n, "value");
		r = dhis2_in_add(t, &v, err, errlen);
	}
	return r;
}

static int s_walk(dhis2_in_table_t *t, const xmlDoc *doc, char *err, size_t errlen)
{
	const xmlNode *root = xmlDocGetRootElement(doc);
	size_t gi = 0;
	int r = 0;

	if (doc->intSubset || doc->extSubset)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: a DOCTYPE is not accepted in ADX",
				 t->o->name);
	if (!root || !s_is(root, "adx"))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not an ADX document: its root "
				 "must be <adx xmlns=\"" ADX_NS "\">", t->o->name);
	for (const xmlNode *n = root->children; r == 0 && n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || !s_adx_ns(n))
			continue;
		if (!s_is(n, "group"))
			return s_unexpected(t, n, "adx", "group", err, errlen);
		r = s_group(t, n, ++gi, err, errlen);
	}
	return r;
}

int dhis2_in_adx(const char *text, size_t len, dhis2_in_table_t *t, char *err, size_t errlen)
{
	xmlDocPtr doc;
	int r;

	if (len > (size_t)INT_MAX)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: too large", t->o->name);
	doc = xmlReadMemory(text, (int)len, t->o->name, NULL, XML_PARSE_NONET |
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "?");
		msg[strcspn(msg, "\n")] = '\0';
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%d: not well-formed XML: %s",
				 t->o->name, e ? e->line : 0, msg);
	}
	r = s_walk(t, doc, err, errlen);
	xmlFreeDoc(doc);
	return r;
}
