/* render.c: view documents written out as JSON or CSV (see render.h). */
#include "render.h"

#include <csv.h>
#include <errno.h>
#include <string.h>

int render_json(FILE *out, const json_t *doc, size_t flags)
{
	if (!doc || json_dumpf(doc, out, JSON_INDENT(2) | flags) != 0 || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

const json_t *render_get(const json_t *row, const char *path)
{
	const json_t *v = row;
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char key[128];

		if (n >= sizeof(key) || !json_is_object(v))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		p += n + (dot ? 1 : 0);
	}
	return v;
}

const char *render_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.10g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

/* One CSV field, quoted by libcsv, then sep. */
static int s_field(FILE *out, const char *s, char sep)
{
	if (csv_fwrite(out, s, strlen(s)) != 0 || fputc(sep, out) == EOF)
		return -EIO;
	return 0;
}

int render_csv(FILE *out, const json_t *rows, const render_col_t *cols, size_t ncol)
{
	const json_t *row;
	size_t i;
	int r = 0;

	for (size_t c = 0; r == 0 && c < ncol; c++)
		r = s_field(out, cols[c].name, c + 1 < ncol ? ',' : '\n');
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; r == 0 && c < ncol; c++) {
			char buf[64];

			r = s_field(out, render_text(render_get(row, cols[c].path), buf, sizeof(buf)),
				    c + 1 < ncol ? ',' : '\n');
		}
	}
	if (r == 0 && fflush(out) != 0)
		r = -EIO;
	return r;
}
