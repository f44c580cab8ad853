/* table.c: text tables with cells wrapped at word boundaries, and times
 * with their offset (table.h). */
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

const char *table_offset(int64_t utc_offset_s, char *buf, size_t len)
{
	int64_t a = utc_offset_s < 0 ? -utc_offset_s : utc_offset_s;

	snprintf(buf, len, "%c%02d:%02d", utc_offset_s < 0 ? '-' : '+', (int)(a / 3600 % 100),
		 (int)(a % 3600 / 60));
	return buf;
}

const char *table_time(int64_t t, int64_t utc_offset_s, char *buf, size_t len)
{
	char off[16];
	int64_t local;
	time_t s;
	struct tm tm;
	size_t n;

	if (t <= 0 || __builtin_add_overflow(t, utc_offset_s, &local) || local < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	s = (time_t)local;
	if (!gmtime_r(&s, &tm) || (n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm)) == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf + n, len - n, " %s", table_offset(utc_offset_s, off, sizeof(off)));
	return buf;
}

static bool s_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *s_skip(const char *s)
{
	while (s_blank(*s))
		s++;
	return s;
}

const char *table_wrap(const char *s, size_t width, size_t *ret_len, const char **ret_next)
{
	const char *p = s, *end = p, *w = s_skip(s);

	while (*w) {
		const char *we = w;
		size_t ww;

		while (*we && !s_blank(*we))
			we++;
		lnob_utf8_prefix(p, (size_t)(we - p), SIZE_MAX, &ww);   /* the line up to we */
		if (ww > width) {
			if (end == p)   /* a word wider than the column: broken only then */
				end = p + lnob_utf8_prefix(p, (size_t)(we - p), width, NULL);
			break;
		}
		end = we;
		w = s_skip(we);
	}
	*ret_len = (size_t)(end - p);
	*ret_next = s_skip(end);
	return p;
}

void table_header(FILE *out, const char *indent, const table_col_t *cols, size_t n)
{
	const char *cells[32];

	for (size_t i = 0; i < n && i < 32; i++)
		cells[i] = cols[i].title;
	table_row(out, indent, cols, n < 32 ? n : 32, cells);
}

/* Prints one line of the row: each column's next piece (rest[i], advanced). */
static void s_line(FILE *out, const char *indent, const table_col_t *cols, size_t n,
		   const char **rest)
{
	size_t pad = 0;

	fputs(indent, out);
	for (size_t i = 0; i < n; i++) {
		size_t len, w;
		const char *p = cols[i].width ? table_wrap(rest[i], cols[i].width, &len, &rest[i])
					      : rest[i];

		if (!cols[i].width) {
			len = strlen(p);
			rest[i] = p + len;
		}
		lnob_utf8_prefix(p, len, SIZE_MAX, &w);
		if (len == 0) {
			pad += cols[i].width + (i + 1 < n);
			continue;
		}
		fprintf(out, "%*s", (int)(pad + (cols[i].right && cols[i].width > w
						   ? cols[i].width - w : 0)), "");
		fwrite(p, 1, len, out);
		pad = (!cols[i].right && cols[i].width > w ? cols[i].width - w : 0) + (i + 1 < n);
	}
	fputc('\n', out);
}

void table_row(FILE *out, const char *indent, const table_col_t *cols, size_t n,
	       const char *const *cells)
{
	const char *rest[32];
	bool more = true;

	n = n < 32 ? n : 32;
	for (size_t i = 0; i < n; i++)
		rest[i] = cells[i] ? cells[i] : "";
	for (bool first = true; more; first = false) {
		more = false;
		for (size_t i = 0; i < n; i++)
			more = more || *s_skip(rest[i]);
		if (more || first)
			s_line(out, indent, cols, n, rest);
	}
}
