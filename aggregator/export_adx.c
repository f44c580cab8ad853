/*
 * export_adx.c: the data values of an export (export_dv.h) as ADX, the
 * IHE QRPH aggregate data exchange (ISO 8601 periods), written by
 * libxml2's xmlTextWriter:
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-04T01:16:43Z">
 *     <group orgUnit="ImspTQPwCqd" period="2023-01-01/P1Y" dataSet="lnobDS">
 *       <dataValue dataElement="hhTotal0001" value="1234"/>
 *       <dataValue dataElement="poorHH00001" categoryOptionCombo="X" value="61"/>
 *     </group>
 *   </adx>
 *
 * One group per unit that has a value, in the export's row order.
 * deploy/adx/lnob-adx.xsd is the schema of exactly this.
 */
#include "export_dv.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

#define ADX_NS "urn:ihe:qrph:adx:2015"

static int s_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w, (const xmlChar *)name, (const xmlChar *)value) < 0 ?
	       -EIO : 0;
}

static int s_start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, (const xmlChar *)name) < 0 ? -EIO : 0;
}

static int s_end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w) < 0 ? -EIO : 0;
}

/* The group of the values v[from..to), all of one unit. */
static int s_group(xmlTextWriterPtr w, const export_dvs_t *dvs, size_t from, size_t to)
{
	int r = s_start(w, "group");

	if (r == 0 && (r = s_attr(w, "orgUnit", dvs->v[from].org_unit)) == 0 &&
	    (r = s_attr(w, "period", dvs->adx_period)) == 0)
		r = s_attr(w, "dataSet", dvs->data_set);
	for (size_t i = from; r == 0 && i < to; i++) {
		const export_dv_t *dv = &dvs->v[i];

		if ((r = s_start(w, "dataValue")) == 0 &&
		    (r = s_attr(w, "dataElement", dv->data_element)) == 0 &&
		    (!dv->coc || (r = s_attr(w, "categoryOptionCombo", dv->coc)) == 0) &&
		    (r = s_attr(w, "value", dv->value)) == 0)
			r = s_end(w);
	}
	return r == 0 ? s_end(w) : r;
}

static int s_write(xmlTextWriterPtr w, const export_dvs_t *dvs)
{
	int r = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ? -EIO : 0;

	if (r == 0)
		r = xmlTextWriterSetIndent(w, 1) < 0 ||
		    xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") < 0 ? -EIO : 0;
	if (r == 0)
		r = xmlTextWriterStartElementNS(w, NULL, (const xmlChar *)"adx",
						(const xmlChar *)ADX_NS) < 0 ? -EIO : 0;
	if (r == 0)
		r = s_attr(w, "exported", dvs->exported);
	for (size_t from = 0, to; r == 0 && from < dvs->n; from = to) {
		for (to = from + 1; to < dvs->n &&
		     strcmp(dvs->v[to].org_unit, dvs->v[from].org_unit) == 0; to++)
			;
		r = s_group(w, dvs, from, to);
	}
	if (r == 0)
		r = xmlTextWriterEndDocument(w) < 0 ? -EIO : 0;
	return r;
}

int export_render_adx(const export_dvs_t *dvs, unsigned char **ret_buf, size_t *ret_len,
		      char *err, size_t errlen)
{
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	unsigned char *out;
	size_t len;
	int r;

	if (dvs->n == 0)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "ADX: no figure to export (every "
				 "mapped figure of the export is unknown); ADX needs one group");
	if (!(buf = xmlBufferCreate()))
		return lnob_errf(err, errlen, -ENOMEM, "ADX: out of memory");
	if (!(w = xmlNewTextWriterMemory(buf, 0))) {
		xmlBufferFree(buf);
		return lnob_errf(err, errlen, -ENOMEM, "ADX: out of memory");
	}
	r = s_write(w, dvs);
	xmlFreeTextWriter(w);    /* flushes into buf */
	len = r == 0 ? (size_t)xmlBufferLength(buf) : 0;
	if (r == 0 && !(out = malloc(len ? len : 1)))
		r = -ENOMEM;
	if (r == 0) {
		memcpy(out, xmlBufferContent(buf), len);
		*ret_buf = out;
		*ret_len = len;
	}
	xmlBufferFree(buf);
	if (r < 0)
		return lnob_errf(err, errlen, r, "ADX: %s", r == -ENOMEM ? "out of memory"
			       : "libxml2 could not write the document");
	return 0;
}
