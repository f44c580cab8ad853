/* nominations_print.c: the views of nominations as text and CSV (see
 * nominations.h). */
#include "nominations_int.h"

#include <stdio.h>
#include <string.h>

#include "render.h"
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

void nominations_print(FILE *out, const json_t *view)
{
	const json_t *u = json_object_get(view, "unit"), *g, *row;
	char title[512];
	size_t i, j;

	fprintf(out, "Nominations of %s, %s%s, in %s %s (%s)\n\n", s_jstr(view, "campaign"),
		json_is_string(json_object_get(view, "occasion")) ? "occasion " : "",
		json_is_string(json_object_get(view, "occasion")) ? s_jstr(view, "occasion")
								  : "every occasion",
		s_jstr(u, "code"), s_jstr(u, "name"), s_jstr(u, "level"));
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
	json_array_foreach(json_object_get(view, "levels"), i, g) {
		if (!json_integer_value(json_object_get(g, "count")))
			continue;
		fprintf(out, "\n%s:\n  ", s_jstr(g, "level"));
		lnob_fput_col(out, "KEY", 24, true);
		lnob_fput_col(out, " NOMINEE", 26, true);
		lnob_fput_col(out, " UNIT", 14, true);
		lnob_fput_col(out, " FORM", 22, true);
		lnob_fput_col(out, " STAGE", 11, true);
		fprintf(out, " ELIGIBILITY\n");
		json_array_foreach(json_object_get(view, "nominations"), j, row) {
			const json_t *e = json_object_get(row, "eligibility");
			char cell[640];

			if (strcmp(s_jstr(row, "level"), s_jstr(g, "level")) != 0)
				continue;
			fprintf(out, "  ");
			lnob_fput_col(out, s_jstr(row, "key"), 24, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "nominee_name"));
			lnob_fput_col(out, cell, 26, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "unit"));
			lnob_fput_col(out, cell, 14, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "form"));
			lnob_fput_col(out, cell, 22, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "stage"));
			lnob_fput_col(out, cell, 11, true);
			fprintf(out, " %s: %s\n", s_jstr(e, "verdict"), s_jstr(e, "reason"));
		}
	}
}

static void s_print_one_body(FILE *out, const json_t *one, const char *indent)
{
	const json_t *e = json_object_get(one, "eligibility"), *d, *s;
	char t1[40], t2[40];
	size_t i;

	fprintf(out, "%snominee       %s (%s), unit %s %s (%s)\n", indent, s_jstr(one, "nominee_name"),
		s_jstr(one, "nominee_kind"), s_jstr(one, "unit"), s_jstr(one, "unit_name"),
		s_jstr(one, "level"));
	fprintf(out, "%sform          %s, occasion %s, campaign %s\n", indent, s_jstr(one, "form"),
		s_jstr(one, "occasion"), s_jstr(one, "campaign"));
	fprintf(out, "%sproposed by   %s #%lld (scope %s) at %s, received %s\n", indent,
		s_jstr(one, "signer"), (long long)json_integer_value(json_object_get(one, "seq")),
		s_jstr(one, "scope"), lnob_utc_text(json_integer_value(json_object_get(one, "proposed_at")),
					     t1, sizeof(t1)),
		lnob_utc_text(json_integer_value(json_object_get(one, "received_at")), t2, sizeof(t2)));
	fprintf(out, "%scontribution  %lld dong; sanction %s\n", indent,
		(long long)json_integer_value(json_object_get(one, "contribution_vnd")),
		s_jstr(one, "sanction"));
	fprintf(out, "%sstage         %s (stages recorded: %lld), held by %s\n", indent, s_jstr(one, "stage"),
		(long long)json_integer_value(json_object_get(one, "stages")), s_jstr(one, "holder"));
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
		s_jstr(one, "signer"), lnob_utc_text(json_integer_value(json_object_get(one, "proposed_at")),
					      t1, sizeof(t1)));
	json_array_foreach(json_object_get(one, "history"), i, s) {
		fprintf(out, "%s  %zu. %-10s by %s #%lld (scope %s) at %s", indent, i + 1,
			s_jstr(s, "stage"), s_jstr(s, "signer"),
			(long long)json_integer_value(json_object_get(s, "seq")), s_jstr(s, "scope"),
			lnob_utc_text(json_integer_value(json_object_get(s, "at")), t1, sizeof(t1)));
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
	s_print_one_body(out, one, "  ");
	json_array_foreach(json_object_get(one, "earlier"), i, e) {
		fprintf(out, "\nrevises %s\n", s_jstr(e, "key"));
		s_print_one_body(out, e, "  ");
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
		{ "eligibility_reason", "eligibility.reason" },
	};

	return render_csv(out, json_object_get(view, "nominations"), cols,
			  sizeof(cols) / sizeof(cols[0]));
}
