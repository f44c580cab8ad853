/*
 * xlsx_read.c: workbook, shared strings and sheet parts of an .xlsx file
 * parsed with libxml2 (see xlsx_read.h). Elements are matched by local
 * name, so any namespace prefix the writer chose is accepted.
 */
#include "xlsx_read.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lnob_err.h"
#include "util.h"

#define S_REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

int xlsx_ref_parse(const char *ref, uint32_t *ret_row, uint32_t *ret_col)
{
	uint64_t col = 0, row = 0;
	const char *p = ref;

	if (*p == '$')
		p++;
	while (*p >= 'A' && *p <= 'Z' && col <= XLSX_COL_MAX)
		col = col * 26 + (uint64_t)(*p++ - 'A' + 1);
	if (p == ref || col == 0 || col > XLSX_COL_MAX)
		return -EINVAL;
	if (*p == '$')
		p++;
	if (*p < '1' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9' && row <= XLSX_ROW_MAX)
		row = row * 10 + (uint64_t)(*p++ - '0');
	if (*p || row > XLSX_ROW_MAX)
		return -EINVAL;
	*ret_row = (uint32_t)row;
	*ret_col = (uint32_t)(col - 1);
	return 0;
}

const char *xlsx_ref(uint32_t row, uint32_t col, char out[16])
{
	char letters[8];
	size_t n = 0;
	uint32_t c = col + 1;

	while (c > 0 && n < sizeof(letters)) {
		letters[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = letters[n - 1 - i];
	snprintf(out + n, 16 - n, "%u", row);
	return out;
}

void xlsx_strings_clear(xlsx_strings_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Appends text (taken over: freed on failure) to s. */
static int s_strings_push(xlsx_strings_t *s, char *text)
{
	if (!text)
		return -ENOMEM;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv) {
			free(text);
			return -ENOMEM;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = text;
	return 0;
}

void xlsx_book_clear(xlsx_book_t *b)
{
	for (size_t i = 0; i < b->nsheets; i++) {
		free(b->sheets[i].name);
		free(b->sheets[i].part);
	}
	free(b->sheets);
	xlsx_strings_clear(&b->names);
	xlsx_strings_clear(&b->values);
	memset(b, 0, sizeof(*b));
}

void xlsx_cells_clear(xlsx_cells_t *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* Parses len bytes of XML without network access or entity expansion.
 * NULL when malformed. */
static xmlDocPtr s_read(const char *xml, size_t len, const char *part)
{
	if (len > INT_MAX)
		return NULL;
	return xmlReadMemory(xml, (int)len, part, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			     XML_PARSE_NOWARNING);
}

/* Whether n is an element of local name name. */
static bool s_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of n called name, or NULL. */
static xmlNodePtr s_child(const xmlNode *n, const char *name)
{
	for (xmlNodePtr k = n->children; k; k = k->next)
		if (s_is(k, name))
			return k;
	return NULL;
}

/* A malloc'ed copy of attribute name of n (ns NULL: no namespace), or
 * NULL when absent. */
static char *s_attr(xmlNodePtr n, const char *name, const char *ns)
{
	xmlChar *v = ns ? xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)ns)
			: xmlGetNoNsProp(n, (const xmlChar *)name);
	char *copy;

	if (!v)
		return NULL;
	copy = strdup((const char *)v);
	xmlFree(v);
	return copy;
}

/* A malloc'ed copy of n's text content ("" when none), or NULL (ENOMEM). */
static char *s_text(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *copy = strdup(v ? (const char *)v : "");

	xmlFree(v);
	return copy;
}

/* The workbook part of a relationship target: "worksheets/sheet1.xml" is
 * relative to xl/, "/xl/worksheets/sheet1.xml" absolute. */
static char *s_part(const char *target)
{
	size_t n = strlen(target) + 4;
	char *p = malloc(n);

	if (p && target[0] == '/')
		snprintf(p, n, "%s", target + 1);
	else if (p)
		snprintf(p, n, "xl/%s", target);
	return p;
}

/* The part that relationship id points to in rels, or NULL. */
static char *s_rel_target(xmlNodePtr rels, const char *id)
{
	for (xmlNodePtr r = rels->children; r; r = r->next) {
		char *rid, *target, *part = NULL;

		if (!s_is(r, "Relationship"))
			continue;
		rid = s_attr(r, "Id", NULL);
		target = s_attr(r, "Target", NULL);
		if (rid && target && strcmp(rid, id) == 0)
			part = s_part(target);
		free(rid);
		free(target);
		if (part)
			return part;
	}
	return NULL;
}

/* Adds the sheets of workbook element wb to b. */
static int s_book_sheets(xmlNodePtr wb, xmlNodePtr rels, xlsx_book_t *b, char *err,
			 size_t errlen)
{
	xmlNodePtr sheets = s_child(wb, "sheets");
	size_t n = 0;

	for (xmlNodePtr s = sheets ? sheets->children : NULL; s; s = s->next)
		n += s_is(s, "sheet");
	if (n == 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "xl/workbook.xml: no sheets");
	if (!(b->sheets = calloc(n, sizeof(*b->sheets))))
		return -ENOMEM;
	for (xmlNodePtr s = sheets->children; s; s = s->next) {
		xlsx_sheet_t *sh = &b->sheets[b->nsheets];
		char *rid;

		if (!s_is(s, "sheet"))
			continue;
		b->nsheets++;
		sh->name = s_attr(s, "name", NULL);
		rid = s_attr(s, "id", S_REL_NS);
		if (rid)
			sh->part = s_rel_target(rels, rid);
		free(rid);
		if (!sh->name || !sh->part)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "xl/workbook.xml: sheet %zu: "
					 "no name or no part", b->nsheets);
	}
	return 0;
}

/* A defined name's text without the quotes of a string constant. */
static void s_unquote(char *v)
{
	size_t n = strlen(v), j = 0;

	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return;
	for (size_t i = 1; i + 1 < n; i++) {
		v[j++] = v[i];
		if (v[i] == '"' && v[i + 1] == '"')
			i++;
	}
	v[j] = '\0';
}

/* Adds the defined names of workbook element wb to b. */
static int s_book_names(xmlNodePtr wb, xlsx_book_t *b)
{
	xmlNodePtr names = s_child(wb, "definedNames");
	int rc;

	for (xmlNodePtr d = names ? names->children : NULL; d; d = d->next) {
		char *name, *value;

		if (!s_is(d, "definedName") || !(name = s_attr(d, "name", NULL)))
			continue;
		if ((rc = s_strings_push(&b->names, name)) < 0)
			return rc;
		if (!(value = s_text(d)))
			return -ENOMEM;
		s_unquote(value);
		if ((rc = s_strings_push(&b->values, value)) < 0)
			return rc;
	}
	return b->names.n == b->values.n ? 0 : -ENOMEM;
}

int xlsx_book_parse(const char *wb, size_t wblen, const char *rels, size_t relslen,
		    xlsx_book_t *b, char *err, size_t errlen)
{
	xmlDocPtr dw = s_read(wb, wblen, "xl/workbook.xml");
	xmlDocPtr dr = s_read(rels, relslen, "xl/_rels/workbook.xml.rels");
	int rc;

	if (!dw || !dr)
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: malformed XML",
			       dw ? "xl/_rels/workbook.xml.rels" : "xl/workbook.xml");
	else if ((rc = s_book_sheets(xmlDocGetRootElement(dw), xmlDocGetRootElement(dr), b, err,
				     errlen)) == 0)
		rc = s_book_names(xmlDocGetRootElement(dw), b);
	if (rc == -ENOMEM)
		lnob_errf(err, errlen, rc, "xl/workbook.xml: out of memory");
	xmlFreeDoc(dw);
	xmlFreeDoc(dr);
	return rc;
}

const char *xlsx_book_name(const xlsx_book_t *b, const char *name)
{
	for (size_t i = 0; i < b->names.n; i++)
		if (strcmp(b->names.v[i], name) == 0)
			return b->values.v[i];
	return NULL;
}

/* Appends the text of every <t> under n, except phonetic runs (<rPh>),
 * to buf (a libxml2 buffer). */
static void s_runs(xmlNodePtr n, xmlBufferPtr buf)
{
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (s_is(k, "rPh"))
			continue;
		if (s_is(k, "t")) {
			xmlChar *v = xmlNodeGetContent(k);

			if (v)
				xmlBufferCat(buf, v);
			xmlFree(v);
		} else if (k->type == XML_ELEMENT_NODE) {
			s_runs(k, buf);
		}
	}
}

/* The joined runs of a string item (<si> or <is>): malloc'ed, or NULL. */
static char *s_string_item(xmlNodePtr n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *copy;

	if (!buf)
		return NULL;
	s_runs(n, buf);
	copy = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return copy;
}

int xlsx_shared_parse(const char *xml, size_t len, xlsx_strings_t *ret, char *err,
		      size_t errlen)
{
	xmlDocPtr d = s_read(xml, len, "xl/sharedStrings.xml");
	int rc = 0;

	if (!d)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "xl/sharedStrings.xml: malformed XML");
	for (xmlNodePtr si = xmlDocGetRootElement(d)->children; si && rc == 0; si = si->next)
		if (s_is(si, "si"))
			rc = s_strings_push(ret, s_string_item(si));
	xmlFreeDoc(d);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "xl/sharedStrings.xml: out of memory");
	return 0;
}

/* The text of cell c, of type t (NULL: a number): malloc'ed into *ret. */
static int s_cell_text(xmlNodePtr c, const char *t, const xlsx_strings_t *ss, char **ret)
{
	xmlNodePtr v = s_child(c, "v");
	char *text, *end;
	unsigned long idx;

	if (t && strcmp(t, "inlineStr") == 0) {
		xmlNodePtr is = s_child(c, "is");

		*ret = is ? s_string_item(is) : strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	if (!(text = v ? s_text(v) : strdup("")))
		return -ENOMEM;
	if (!t || strcmp(t, "s") != 0) {
		*ret = text;
		return 0;
	}
	errno = 0;
	idx = strtoul(text, &end, 10);
	if (!*text || *end || errno || idx >= ss->n) {
		free(text);
		return -EINVAL;
	}
	free(text);
	*ret = strdup(ss->v[idx]);
	return *ret ? 0 : -ENOMEM;
}

/* Appends cell c to ret; *row and *col are where the previous cell was
 * (a cell without r follows it). */
static int s_cell(xmlNodePtr c, uint32_t row, uint32_t *col, const xlsx_strings_t *ss,
		  xlsx_cells_t *ret)
{
	char *r = s_attr(c, "r", NULL), *t = s_attr(c, "t", NULL), *text = NULL;
	uint32_t rr = row, cc = *col + 1;
	xlsx_cell_t *cell;
	int rc = 0;

	if (r && (xlsx_ref_parse(r, &rr, &cc) < 0 || rr != row))
		rc = -EINVAL;
	if (rc == 0 && cc >= XLSX_COL_MAX)
		rc = -EINVAL;
	if (rc == 0)
		rc = s_cell_text(c, t, ss, &text);
	free(r);
	free(t);
	if (rc < 0)
		return rc;
	*col = cc;
	if (!*text && !s_child(c, "f")) {
		free(text);
		return 0;
	}
	if (ret->n == ret->cap) {
		size_t cap = ret->cap ? ret->cap * 2 : 64;
		xlsx_cell_t *nv = realloc(ret->v, cap * sizeof(*nv));

		if (!nv) {
			free(text);
			return -ENOMEM;
		}
		ret->v = nv;
		ret->cap = cap;
	}
	cell = &ret->v[ret->n++];
	*cell = (xlsx_cell_t){ .row = row, .col = cc, .text = text, .formula = !*text };
	return 0;
}

/* Adds the cells of one <row> (the previous row was *row). */
static int s_row(xmlNodePtr rw, uint32_t *row, const xlsx_strings_t *ss, xlsx_cells_t *ret)
{
	char *r = s_attr(rw, "r", NULL), *end;
	uint32_t col = UINT32_MAX;   /* the first cell without r is column A */
	unsigned long n = *row + 1ul;
	int rc = 0;

	if (r) {
		errno = 0;
		n = strtoul(r, &end, 10);
		if (!*r || *end || errno)
			n = 0;
	}
	free(r);
	if (n < 1 || n > XLSX_ROW_MAX)
		return -EINVAL;
	*row = (uint32_t)n;
	for (xmlNodePtr c = rw->children; c && rc == 0; c = c->next)
		if (s_is(c, "c"))
			rc = s_cell(c, *row, &col, ss, ret);
	return rc;
}

/* qsort order of cells: row, then column. */
static int s_cell_cmp(const void *a, const void *b)
{
	const xlsx_cell_t *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

int xlsx_sheet_parse(const char *part, const char *xml, size_t len, const xlsx_strings_t *ss,
		     xlsx_cells_t *ret, char *err, size_t errlen)
{
	xmlDocPtr d = s_read(xml, len, part);
	xmlNodePtr data;
	uint32_t row = 0;
	int rc = 0;

	if (!d)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: malformed XML", part);
	data = s_child(xmlDocGetRootElement(d), "sheetData");
	for (xmlNodePtr rw = data ? data->children : NULL; rw && rc == 0; rw = rw->next)
		if (s_is(rw, "row"))
			rc = s_row(rw, &row, ss, ret);
	xmlFreeDoc(d);
	if (rc == -ENOMEM)
		return lnob_errf(err, errlen, rc, "%s: out of memory", part);
	if (rc < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: row %u: a bad cell reference, "
				 "row number or shared string index", part, row);
	if (ret->n)
		qsort(ret->v, ret->n, sizeof(*ret->v), s_cell_cmp);
	for (size_t i = 1; i < ret->n; i++)
		if (s_cell_cmp(&ret->v[i - 1], &ret->v[i]) == 0) {
			char ref[16];

			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: cell %s given twice", part,
					 xlsx_ref(ret->v[i].row, ret->v[i].col, ref));
		}
	return 0;
}
