/*
 * export_format.c: export_render() choosing the renderer of a format, the
 * format's file extension and the export's file name (export.h). Apart from export_render.c, which
 * the CSV renderer uses, so that what renders CSV only (`rollup --csv`)
 * does not link libxlsxwriter.
 */
#include "export.h"
#include "export_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int export_render(const json_t *doc, export_format_t f, unsigned char **ret_buf,
		  size_t *ret_len, char *err, size_t errlen)
{
	if (f == EXPORT_CSV)
		return export_render_csv(doc, NULL, ret_buf, ret_len, err, errlen);
	if (f == EXPORT_ADX || f == EXPORT_DHIS2)
		return export_render_mapped(doc, f, NULL, ret_buf, ret_len, err, errlen);
	return export_render_xlsx(doc, ret_buf, ret_len, err, errlen);
}

const char *export_ext(export_format_t f)
{
	static const char *const ext[] = { [EXPORT_XLSX] = "xlsx", [EXPORT_CSV] = "csv",
					   [EXPORT_ADX] = "adx.xml", [EXPORT_DHIS2] = "dhis2.json" };

	return (unsigned)f < sizeof(ext) / sizeof(ext[0]) ? ext[f] : "";
}

const char *export_filename(const json_t *doc, export_format_t f, const char *sheet, char *buf,
			    size_t len)
{
	const char *c = json_string_value(json_object_get(doc, "campaign"));
	const char *p = json_string_value(json_object_get(doc, "period"));
	const char *u = json_string_value(json_object_get(json_object_get(doc, "unit"), "code"));
	bool part = f == EXPORT_CSV && sheet && strcmp(sheet, "summary") != 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (!c || !p || !u)
		return buf;
	n = snprintf(buf, len, "lnob-%s-%s-%s%s%s.%s", c, p, u, part ? "-" : "", part ? sheet : "",
		     export_ext(f));
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
	return buf;
}
