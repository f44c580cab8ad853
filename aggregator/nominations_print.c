/* nominations_print.c: the views of nominations as text and CSV (see
 * nominations.h). */
#include "nominations_int.h"

#include <stdio.h>
#include <string.h>

#include "render.h"
#include "table.h"
#include "util.h"

/* ---- printing ----------------------------------------------------------- */

static const char *s_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* "giay_khen 1, bang_khen_province 2" for the non-zero buckets of by. */
static void s_print_buckets(FILE *out, const char *label, const json_t *by)
{
	const char *name;
	json_t *b;
	bool any = false;

	fprintf(out, "  %-7s", label);
	json_object_foreach((json_t *)by, name, b) {
		json_int_t n = json_integer_value(json_object_get(b, "count"));

		if (n) {
			fprintf(out, "%s %s %lld", any ? "," : "", name, (long long)n);
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " -");
}

static void s_print_group(FILE *out, const char *title, const json_t *g)
{
	fprintf(out, "%s: %lld\n", title, (long long)json_integer_value(json_object_get(g, "count")));
	if (!json_integer_value(json_object_get(g, "count")))
		return;
	s_print_buckets(out, "forms", json_object_get(g, "by_form"));
	s_print_buckets(out, "stages", json_object_get(g, "by_stage"));
	s_print_buckets(out, "kinds", json_object_get(g, "by_kind"));
}

/* " (stage received, form giay_khen, held by D01, waiting 30 days or
 * more)" for the view's filters, or "". */
static const char *s_filters(const json_t *view, char *buf, size_t len)
{
	const json_t *f = json_object_get(view, "filters");
	json_int_t days = json_integer_value(json_object_get(f, "waiting_min_days"));
	size_t pos = 0;

	buf[0] = '\0';
	if (json_is_string(json_object_get(f, "stage")))
		pos += (size_t)snprintf(buf + pos, len - pos, ", stage %s", s_jstr(f, "stage"));
	if (pos < len && json_is_string(json_object_get(f, "form")))
		pos += (size_t)snprintf(buf + pos, len - pos, ", form %s", s_jstr(f, "form"));
	if (pos < len && json_is_string(json_object_get(f, "holder")))
		pos += (size_t)snprintf(buf + pos, len - pos, ", held by %s", s_jstr(f, "holder"));
	if (pos < len && days > 0)
		snprintf(buf + pos, len - pos, ", waiting %lld days or more", (long long)days);
	return buf;
}

/* The nominations of level g, one row each (wrapped, never cut). */
static void s_print_rows(FILE *out, const json_t *view, const json_t *g)
{
	static const table_col_t cols[] = {
		{ "KEY", 22, false }, { "NOMINEE", 24, false }, { "UNIT", 20, false },
		{ "FORM", 19, false }, { "STAGE", 9, false }, { "HOLDER", 20, false },
		{ "DAYS", 4, true }, { "ELIGIBILITY", 0, false },
	};
	const json_t *row;
	size_t j;

	fprintf(out, "\n%s:\n", s_jstr(g, "level"));
	table_header(out, "  ", cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(view, "nominations"), j, row) {
		const json_t *e = json_object_get(row, "eligibility");
		char unit[640], holder[640], days[24], elig[1024];

		if (strcmp(s_jstr(row, "level"), s_jstr(g, "level")) != 0)
			continue;
		snprintf(unit, sizeof(unit), "%s %s", s_jstr(row, "unit"), s_jstr(row, "unit_name"));
		snprintf(holder, sizeof(holder), "%s %s", s_jstr(row, "holder"),
			 json_is_string(json_object_get(row, "holder_name")) ? s_jstr(row, "holder_name")
									      : "");
		snprintf(days, sizeof(days), "%lld",
			 (long long)json_integer_value(json_object_get(row, "waiting_days")));
		snprintf(elig, sizeof(elig), "%s: %s", s_jstr(e, "verdict"), s_jstr(e, "reason"));
		table_row(out, "  ", cols, sizeof(cols) / sizeof(cols[0]),
			  (const char *const[]){ s_jstr(row, "key"), s_jstr(row, "nominee_name"), unit,
						 s_jstr(row, "form"), s_jstr(row, "stage"), holder, days,
						 elig });
	}
}

void nominations_print(FILE *out, const json_t *view)
{
	const json_t *u = json_object_get(view, "unit"), *g;
	char title[512], filters[512];
	size_t i;

	fprintf(out, "Nominations of %s, %s%s, in %s %s (%s)%s\n\n", s_jstr(view, "campaign"),
		json_is_string(json_object_get(view, "occasion")) ? "occasion " : "",
		json_is_string(json_object_get(view, "occasion")) ? s_jstr(view, "occasion")
								  : "every occasion",
		s_jstr(u, "code"), s_jstr(u, "name"), s_jstr(u, "level"),
		s_filters(view, filters, sizeof(filters)));
	snprintf(title, sizeof(title), "%s and below", s_jstr(u, "code"));
	s_print_group(out, title, json_object_get(view, "total"));
	json_array_foreach(json_object_get(view, "levels"), i, g) {
		snprintf(title, sizeof(title), "level %s", s_jstr(g, "level"));
		s_print_group(out, title, g);
	}
	json_array_foreach(json_object_get(view, "children"), i, g) {
		snprintf(title, sizeof(title), "%s %s (%s)", s_jstr(g, "code"), s_jstr(g, "name"),
			 s_jstr(g, "level"));
		s_print_group(out, title, g);
	}
	json_array_foreach(json_object_get(view, "levels"), i, g)
		if (json_integer_value(json_object_get(g, "count")))
			s_print_rows(out, view, g);
}

/* A time of one (its "utc_offset_s") as table_time() writes it. */
static const char *s_time(const json_t *one, const json_t *o, const char *key, char *buf,
			  size_t len)
{
	return table_time(json_integer_value(json_object_get(o, key)),
			  json_integer_value(json_object_get(one, "utc_offset_s")), buf, len);
}

static void s_print_one_body(FILE *out, const json_t *one, const json_t *top, const char *indent)
{
	const json_t *e = json_object_get(one, "eligibility"), *d, *s;
	char t1[TABLE_TIME_LEN], t2[TABLE_TIME_LEN];
	size_t i;

	fprintf(out, "%snominee       %s (%s), unit %s %s (%s)\n", indent, s_jstr(one, "nominee_name"),
		s_jstr(one, "nominee_kind"), s_jstr(one, "unit"), s_jstr(one, "unit_name"),
		s_jstr(one, "level"));
	fprintf(out, "%sform          %s, occasion %s, campaign %s\n", indent, s_jstr(one, "form"),
		s_jstr(one, "occasion"), s_jstr(one, "campaign"));
	fprintf(out, "%sproposed by   %s #%lld (scope %s) at %s, received %s\n", indent,
		s_jstr(one, "signer"), (long long)json_integer_value(json_object_get(one, "seq")),
		s_jstr(one, "scope"), s_time(top, one, "proposed_at", t1, sizeof(t1)),
		s_time(top, one, "received_at", t2, sizeof(t2)));
	fprintf(out, "%scontribution  %lld dong; sanction %s\n", indent,
		(long long)json_integer_value(json_object_get(one, "contribution_vnd")),
		s_jstr(one, "sanction"));
	fprintf(out, "%sstage         %s (stages recorded: %lld), held by %s %s for %lld days\n",
		indent, s_jstr(one, "stage"),
		(long long)json_integer_value(json_object_get(one, "stages")), s_jstr(one, "holder"),
		s_jstr(one, "holder_name"),
		(long long)json_integer_value(json_object_get(one, "waiting_days")));
	if (json_is_string(json_object_get(one, "revises")))
		fprintf(out, "%srevises       %s\n", indent, s_jstr(one, "revises"));
	if (json_is_string(json_object_get(one, "revised_by")))
		fprintf(out, "%srevised by    %s\n", indent, s_jstr(one, "revised_by"));
	fprintf(out, "%seligibility   %s: %s (advisory)\n", indent, s_jstr(e, "verdict"),
		s_jstr(e, "reason"));
	fprintf(out, "%ssummary       %s\n", indent, s_jstr(one, "summary"));
	fprintf(out, "%sdossier:\n", indent);
	json_array_foreach(json_object_get(one, "dossier"), i, d) {
		fprintf(out, "%s  %zu. %-18s %s\n%s     sha256 %s, %lld bytes, ", indent, i + 1,
			s_jstr(d, "kind"), s_jstr(d, "title"), indent, s_jstr(d, "sha256"),
			(long long)json_integer_value(json_object_get(d, "size")));
		if (json_integer_value(json_object_get(d, "attached")))
			fprintf(out, "%lld attached", (long long)json_integer_value(json_object_get(d, "attached")));
		else
			fprintf(out, "digest only");
		if (json_is_string(json_object_get(d, "vote")))
			fprintf(out, ", vote %s", s_jstr(d, "vote"));
		fputc('\n', out);
	}
	fprintf(out, "%shistory:\n%s  0. proposed   by %s at %s\n", indent, indent,
		s_jstr(one, "signer"), s_time(top, one, "proposed_at", t1, sizeof(t1)));
	json_array_foreach(json_object_get(one, "history"), i, s) {
		fprintf(out, "%s  %zu. %-10s by %s #%lld (scope %s) at %s", indent, i + 1,
			s_jstr(s, "stage"), s_jstr(s, "signer"),
			(long long)json_integer_value(json_object_get(s, "seq")), s_jstr(s, "scope"),
			s_time(top, s, "at", t1, sizeof(t1)));
		if (json_is_string(json_object_get(s, "reason")))
			fprintf(out, "; reason: %s", s_jstr(s, "reason"));
		if (json_is_string(json_object_get(s, "decision_number")))
			fprintf(out, "; decision %s of %s, granted %s", s_jstr(s, "decision_number"),
				s_jstr(s, "decision_date"), s_jstr(s, "granted_form"));
		if (json_is_string(json_object_get(s, "note")))
			fprintf(out, "; note: %s", s_jstr(s, "note"));
		fputc('\n', out);
	}
}

void nominations_print_one(FILE *out, const json_t *one)
{
	const json_t *e;
	size_t i;

	fprintf(out, "Nomination %s\n", s_jstr(one, "key"));
	s_print_one_body(out, one, one, "  ");
	json_array_foreach(json_object_get(one, "earlier"), i, e) {
		fprintf(out, "\nrevises %s\n", s_jstr(e, "key"));
		s_print_one_body(out, e, one, "  ");
	}
}

int nominations_print_csv(FILE *out, const json_t *view)
{
	static const render_col_t cols[] = {
		{ "key", "key" }, { "campaign", "campaign" }, { "occasion", "occasion" },
		{ "unit", "unit" }, { "unit_name", "unit_name" }, { "level", "level" },
		{ "nominee_kind", "nominee_kind" }, { "nominee_name", "nominee_name" },
		{ "form", "form" }, { "stage", "stage" }, { "stage_signer", "current.signer" },
		{ "stage_at", "current.at" }, { "stages", "stages" }, { "revises", "revises" },
		{ "revised_by", "revised_by" }, { "granted_form", "current.granted_form" },
		{ "decision_number", "current.decision_number" },
		{ "decision_date", "current.decision_date" }, { "eligibility", "eligibility.verdict" },
		{ "eligibility_reason", "eligibility.reason" }, { "holder", "holder" },
		{ "holder_name", "holder_name" }, { "waiting_days", "waiting_days" },
	};

	return render_csv(out, json_object_get(view, "nominations"), cols,
			  sizeof(cols) / sizeof(cols[0]));
}
