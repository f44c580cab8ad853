/*
 * cmd_households.c: `lnob-collector households` (README "The household
 * register"): import FILE (the commune's list into the register, printing
 * what changed since the last import), show (the register's counts per
 * village), diff [--import N] (an import's changes, again), report
 * --campaign C --period P (the register's counts queued as signed reports,
 * as `submit` queues them). Only counts leave the collector.
 */
#include "cmd_households.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "households.h"
#include "households_report.h"
#include "lnob_err.h"
#include "outbox_households.h"
#include "render.h"
#include "submit_rules.h"
#include "util.h"

/* The hierarchy held (submit's rules: the metadata, else the configured
 * files) and the register's commune: --unit, else this node's scope. */
static int s_area(cli_ctx_t *ctx, submit_rules_t *rules, households_area_t *area)
{
	const char *unit = cli_opt(ctx, "unit");
	char err[1024];
	const int *kids;
	int rc, u;

	if ((rc = cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK)) != 0)
		return rc;
	if (submit_rules_read(ctx, ctx->store, rules, err, sizeof(err)) < 0)
		return cli_fail(ctx, "households: %s: %s", ctx->data_dir, err);
	if (!rules->hier)
		return cli_fail(ctx, "households: no hierarchy held: this collector holds no metadata "
				"and its configuration names no [campaign] files and [hierarchy] file");
	if (!unit && !(rules->from_meta && rules->mv.own >= 0))
		return cli_fail(ctx, "households: no scope known (no metadata held): give --unit CODE, "
				"the register's commune");
	u = unit ? hier_find(rules->hier, unit) : rules->mv.own;
	if (u < 0)
		return cli_fail(ctx, "households: --unit '%s' is not a unit of the hierarchy", unit);
	if (unit && rules->from_meta && rules->mv.own >= 0 &&
	    !hier_in_subtree(rules->hier, rules->mv.own, u))
		return cli_fail(ctx, "households: --unit '%s' is out of scope: not under '%s' (this "
				"node's scope in metadata version %" PRIu64 ")", unit,
				rules->mv.own_scope, rules->version);
	if (hier_children(rules->hier, u, &kids) == 0)
		return cli_fail(ctx, "households: '%s' has no villages below it: the register is a "
				"commune's (give --unit CODE)", hier_unit(rules->hier, u)->code);
	area->hier = rules->hier;
	area->root = u;
	return 0;
}

int cmd_households_open(cli_ctx_t *ctx, bool write, outbox_households_t **ret)
{
	char err[1024];
	int r = outbox_households_open(ctx->data_dir, write ? col_conf(ctx)->map_size : 0, write,
				       ret, err, sizeof(err));

	if (r == -ENOENT)
		return cli_fail(ctx, "households: %s: no register imported yet (households import "
				"FILE)", ctx->data_dir);
	if (r < 0)
		return cli_fail(ctx, "households: %s", err);
	return 0;
}

/* One change line of an import's document. */
static void s_print_change(const json_t *c)
{
	const char *from = json_string_value(json_object_get(c, "from"));
	const char *to = json_string_value(json_object_get(c, "to"));
	const char *vfrom = json_string_value(json_object_get(c, "village_from"));

	printf("  %-20s %-13s %-10s -> %-10s %s%s%s\n",
	       json_string_value(json_object_get(c, "household")),
	       json_string_value(json_object_get(c, "change")), from ? from : "-", to ? to : "-",
	       vfrom ? vfrom : "", vfrom ? " -> " : "",
	       json_string_value(json_object_get(c, "village")));
}

/* An import's document as text. */
static void s_print_import(const json_t *doc)
{
	static const char *const kinds[] = { "escaped", "newly_poor", "re_poor", "added",
					     "removed", "reclassified", "updated" };
	const json_t *counts = json_object_get(doc, "counts"), *c;
	json_int_t prev = json_integer_value(json_object_get(doc, "previous"));
	char when[32];
	size_t i;

	printf("import %" JSON_INTEGER_FORMAT " of the register of %s: %s, %s, %"
	       JSON_INTEGER_FORMAT " households\n", json_integer_value(json_object_get(doc, "import")),
	       json_string_value(json_object_get(doc, "commune")),
	       json_string_value(json_object_get(doc, "file")),
	       col_time_text(json_integer_value(json_object_get(doc, "imported_at_ms")), when),
	       json_integer_value(json_object_get(doc, "households")));
	if (prev > 0)
		printf("changes since import %" JSON_INTEGER_FORMAT ":", prev);
	else
		printf("changes (the first import):");
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		printf("%s %" JSON_INTEGER_FORMAT " %s", i ? "," : "",
		       json_integer_value(json_object_get(counts, kinds[i])), kinds[i]);
	printf("\n");
	json_array_foreach(json_object_get(doc, "changes"), i, c)
		s_print_change(c);
}

/* Prints doc as the format asks. Returns the exit status. */
static int s_print_doc(cli_ctx_t *ctx, const json_t *doc, void (*text)(const json_t *))
{
	if (ctx->format == CLI_JSON)
		return render_json(stdout, doc, JSON_PRESERVE_ORDER) < 0;
	text(doc);
	return 0;
}

/* `households import FILE`. */
static int s_import(cli_ctx_t *ctx, const households_area_t *area)
{
	const char *path = ctx->argv[1];
	outbox_households_t *st = NULL;
	households_t list = { 0 };
	json_t *info, *doc = NULL;
	char err[1024];
	int rc, r;

	if (households_parse_file(path, area, &list, err, sizeof(err)) < 0)
		return cli_fail(ctx, "%s (nothing imported)", err);
	if ((rc = cmd_households_open(ctx, true, &st)) != 0) {
		households_clear(&list);
		return rc;
	}
	info = json_pack("{s:s, s:I, s:s}", "file", path, "imported_at_ms",
			 (json_int_t)lnob_now_ms(), "commune", hier_unit(area->hier, area->root)->code);
	r = info ? outbox_households_import(st, &list, info, &doc) : -ENOMEM;
	if (r < 0)
		rc = cli_fail(ctx, "households: %s: cannot store the register: %s (nothing imported)",
			      ctx->data_dir, outbox_households_strerror(st, r, err, sizeof(err)));
	else
		rc = s_print_doc(ctx, doc, s_print_import);
	json_decref(info);
	json_decref(doc);
	outbox_households_close(&st);
	households_clear(&list);
	return rc;
}

/* `households diff [--import N]`. */
static int s_diff(cli_ctx_t *ctx)
{
	const char *opt = cli_opt(ctx, "import");
	outbox_households_t *st = NULL;
	json_t *doc = NULL;
	int64_t no = 0;
	int rc, r;

	if (opt && (!lnob_parse_digits(opt, INT64_MAX, &no) || no < 1))
		return cli_usage(ctx, "--import: not an import number (1, 2, ...): '%.64s'", opt);
	if ((rc = cmd_households_open(ctx, false, &st)) != 0)
		return rc;
	r = outbox_households_import_get(st, (uint64_t)no, &doc);
	if (r == LNOB_E_NOTFOUND)
		rc = opt ? cli_fail(ctx, "households: no import %" PRId64 " in the register", no)
			 : cli_fail(ctx, "households: no register imported yet (households import FILE)");
	else if (r < 0)
		rc = cli_fail(ctx, "households: %s: %s", ctx->data_dir, lnob_strerror(r));
	else
		rc = s_print_doc(ctx, doc, s_print_import);
	json_decref(doc);
	outbox_households_close(&st);
	return rc;
}

/* One unit's counts object, with "unit" first. */
static json_t *s_unit_counts(const char *code, const households_t *list, const char *village)
{
	households_counts_t c;
	json_t *o = json_pack("{s:s}", "unit", code), *v;

	households_count(list, village, &c);
	if (!o || !(v = households_counts_json(&c)) || json_object_update(o, v) < 0) {
		json_decref(o);
		return NULL;
	}
	json_decref(v);
	return o;
}

/* The document of `households show`: the last import and the counts of
 * every village of area, then the commune's. */
static json_t *s_show_doc(const households_area_t *area, const households_t *list,
			  const json_t *last)
{
	const hier_t *h = area->hier;
	const char *root = hier_unit(h, area->root)->code;
	json_t *units = json_array(), *doc;

	for (size_t k = 0; units && k < hier_count(h); k++) {
		int u = hier_by_code(h, k);
		const int *kids;

		if (u != area->root && hier_in_subtree(h, area->root, u) &&
		    hier_children(h, u, &kids) == 0)
			json_array_append_new(units, s_unit_counts(hier_unit(h, u)->code, list,
								   hier_unit(h, u)->code));
	}
	doc = json_pack("{s:s, s:O, s:O, s:O, s:o, s:o}", "commune", root, "import",
			json_object_get(last, "import"), "file", json_object_get(last, "file"),
			"imported_at_ms", json_object_get(last, "imported_at_ms"), "villages", units,
			"total", s_unit_counts(root, list, NULL));
	return doc;
}

/* One counts line of `show`. */
static void s_print_counts(const json_t *o)
{
	printf("%-16s %10" JSON_INTEGER_FORMAT, json_string_value(json_object_get(o, "unit")),
	       json_integer_value(json_object_get(o, "households")));
	for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++)
		printf(" %8" JSON_INTEGER_FORMAT,
		       json_integer_value(json_object_get(o, households_indicator_code(k))));
	printf("\n");
}

static void s_print_show(const json_t *doc)
{
	const json_t *v;
	char when[32];
	size_t i;

	printf("register of %s: import %" JSON_INTEGER_FORMAT " (%s, %s)\n",
	       json_string_value(json_object_get(doc, "commune")),
	       json_integer_value(json_object_get(doc, "import")),
	       json_string_value(json_object_get(doc, "file")),
	       col_time_text(json_integer_value(json_object_get(doc, "imported_at_ms")), when));
	printf("%-16s %10s %8s %8s %8s %8s %8s %8s\n", "unit", "households", "poor", "near", "escaped",
	       "new", "re-poor", "em_poor");
	json_array_foreach(json_object_get(doc, "villages"), i, v)
		s_print_counts(v);
	s_print_counts(json_object_get(doc, "total"));
}

/* `households show`. */
static int s_show(cli_ctx_t *ctx, const households_area_t *area)
{
	outbox_households_t *st = NULL;
	households_t list = { 0 };
	json_t *last = NULL, *doc = NULL;
	uint64_t no = 0;
	int rc, r;

	if ((rc = cmd_households_open(ctx, false, &st)) != 0)
		return rc;
	if ((r = outbox_households_read(st, &list, &no)) == 0 && no > 0)
		r = outbox_households_import_get(st, no, &last);
	if (r == 0 && no == 0)
		rc = cli_fail(ctx, "households: no register imported yet (households import FILE)");
	else if (r < 0)
		rc = cli_fail(ctx, "households: %s: %s", ctx->data_dir, lnob_strerror(r));
	else if (!(doc = s_show_doc(area, &list, last)))
		rc = cli_fail(ctx, "households: out of memory");
	else
		rc = s_print_doc(ctx, doc, s_print_show);
	json_decref(doc);
	json_decref(last);
	households_clear(&list);
	outbox_households_close(&st);
	return rc;
}

int cmd_households(cli_ctx_t *ctx)
{
	const char *verb = ctx->argv[0];
	submit_rules_t rules = { 0 };
	households_area_t area = { 0 };
	int want = strcmp(verb, "import") == 0 ? 2 : 1, rc;

	if (strcmp(verb, "import") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "diff") != 0 && strcmp(verb, "report") != 0)
		return cli_usage(ctx, "'%.64s': not one of import, show, diff, report", verb);
	if (ctx->argc != want)
		return cli_usage(ctx, want == 2 ? "import: give one FILE" : "%s: takes no FILE", verb);
	if (strcmp(verb, "report") != 0 && (cli_opt(ctx, "campaign") || cli_opt(ctx, "period")))
		return cli_usage(ctx, "%s: --campaign and --period are report's", verb);
	if (strcmp(verb, "diff") != 0 && cli_opt(ctx, "import"))
		return cli_usage(ctx, "%s: --import is diff's", verb);
	if (strcmp(verb, "diff") == 0 && cli_opt(ctx, "unit"))
		return cli_usage(ctx, "diff: --unit is not diff's (an import names its commune)");
	if (strcmp(verb, "diff") == 0)
		return s_diff(ctx);
	if ((rc = s_area(ctx, &rules, &area)) == 0) {
		if (strcmp(verb, "import") == 0)
			rc = s_import(ctx, &area);
		else if (strcmp(verb, "show") == 0)
			rc = s_show(ctx, &area);
		else
			rc = cmd_households_report(ctx, &rules, &area);
	}
	submit_rules_clear(&rules);
	return rc;
}
