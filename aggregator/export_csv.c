/*
 * export_csv.c: one sheet of an export document as CSV (export.h): UTF-8
 * with a BOM (EF BB BF) so that Excel reads it as UTF-8, RFC 4180 fields
 * quoted by libcsv, CRLF line ends; the Vietnamese headers first, then
 * one line per row. A null is an empty field; numbers in C's notation
 * (percent values as percent numbers: 5.9917), times ISO 8601 in the
 * campaign's offset ("2023-12-05T00:00:00+07:00").
 */
#include "export.h"
#include "export_int.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lnob_err.h"
#include "render.h"
#include "util.h"

/* Unix time t shown in offset off as ISO 8601 into buf ("" when it cannot
 * be shown). */
static const char *s_iso(json_int_t t, json_int_t off, char *buf, size_t len)
{
	json_int_t local;
	time_t s;
	struct tm tm;
	size_t n;

	buf[0] = '\0';
	if (__builtin_add_overflow(t, off, &local))
		return buf;
	s = (time_t)local;
	if (!gmtime_r(&s, &tm) || (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return "";
	snprintf(buf + n, len - n, "%c%02lld:%02lld", off < 0 ? '-' : '+',
		 (long long)(off < 0 ? -off : off) / 3600, (long long)(off < 0 ? -off : off) % 3600 / 60);
	return buf;
}

/* One field, quoted by libcsv, then the separator (",", or CRLF last). */
static int s_field(FILE *out, const char *s, int last)
{
	if (csv_fwrite(out, s, strlen(s)) != 0 || fputs(last ? "\r\n" : ",", out) == EOF)
		return -EIO;
	return 0;
}

/* The text of row's value of col. */
static const char *s_text(const json_t *row, const json_t *col, json_int_t off, char *buf,
			  size_t len)
{
	const json_t *v = json_object_get(row, json_string_value(json_object_get(col, "id")));

	if (export_col_type(col) == EXPORT_T_TIME && json_is_integer(v))
		return s_iso(json_integer_value(v), off, buf, len);
	return render_text(v, buf, len);
}

static int s_write(FILE *out, const json_t *sheet, json_int_t off)
{
	const json_t *cols = json_object_get(sheet, "columns"), *col, *row;
	size_t nc = json_array_size(cols), i, c;
	int r = fputs("\xEF\xBB\xBF", out) == EOF ? -EIO : 0;

	json_array_foreach(cols, c, col)
		if (r == 0)
			r = s_field(out, json_string_value(json_object_get(col, "header")), c + 1 == nc);
	json_array_foreach(json_object_get(sheet, "rows"), i, row)
		json_array_foreach(cols, c, col) {
			char buf[64];

			if (r == 0)
				r = s_field(out, s_text(row, col, off, buf, sizeof(buf)), c + 1 == nc);
		}
	return r;
}

int export_render_csv(const json_t *doc, const char *sheet, unsigned char **ret_buf,
		      size_t *ret_len, char *err, size_t errlen)
{
	const json_t *sh = export_find_sheet(doc, sheet ? sheet : "summary");
	json_int_t off = json_integer_value(json_object_get(doc, "utc_offset_s"));
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int r;

	if (!sh)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no sheet '%s' in the export "
				 "(summary, late, nominations)", sheet ? sheet : "summary");
	if ((r = export_check_sheet(sh, err, errlen)) < 0)
		return r;
	if (!(out = open_memstream(&buf, &len)))
		return lnob_errf(err, errlen, -errno, "CSV: %s", strerror(errno));
	r = s_write(out, sh, off);
	if (fclose(out) != 0 && r == 0)
		r = -EIO;
	if (r < 0) {
		free(buf);
		return lnob_errf(err, errlen, r, "CSV: cannot write into memory");
	}
	*ret_buf = (unsigned char *)buf;
	*ret_len = len;
	return 0;
}
