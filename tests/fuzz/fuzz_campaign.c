/*
 * fuzz_campaign.c: the campaign file parser (common/campaign.h,
 * campaign_load_mem(): common/campaign_parse.c, campaign_load.c,
 * campaign_indicators.c, campaign_targets.c, campaign_check.c, the award
 * rules) on arbitrary text, checked against the sample hierarchy; a file
 * it takes is then used as the aggregator uses one: campaign_check_hier(),
 * the baseline of the hierarchy's first root (campaign_baseline_for()),
 * every indicator's value over it (campaign_value()), and every target
 * evaluated for every period with that baseline as the current figures
 * too (campaign_evaluate(), campaign_target_for()).
 *
 * The text stands for fuzz_dir()/campaigns/fuzz.ini, beside a copy of the
 * sample baseline at fuzz_dir()/province/baseline.csv, so that the sample
 * campaigns' "baseline_file = ../province/baseline.csv" is read.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "campaign.h"
#include "inifile.h"

static char s_name[4096 + 32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[4096 + 16], err[512], *text = NULL;
	size_t len = 0;

	(void)argc;
	(void)argv;
	(void)fuzz_hier();
	snprintf(dir, sizeof(dir), "%s/campaigns", fuzz_dir());
	if (mkdir(dir, 0700) < 0)
		fuzz_die("mkdir %s failed", dir);
	snprintf(dir, sizeof(dir), "%s/province", fuzz_dir());
	if (mkdir(dir, 0700) < 0)
		fuzz_die("mkdir %s failed", dir);
	if (inifile_read_text(fuzz_source("deploy/samples/province/baseline.csv"), (size_t)1 << 24,
			      &text, &len, err, sizeof(err)) < 0)
		fuzz_die("sample baseline: %s", err);
	(void)fuzz_write("province/baseline.csv", (const uint8_t *)text, len);
	free(text);
	snprintf(s_name, sizeof(s_name), "%s/campaigns/fuzz.ini", fuzz_dir());
	return 0;
}

/* Every target of c for every period, on the baseline of unit. */
static void s_evaluate(const campaign_t *c, int unit)
{
	campaign_applied_t applied[8];
	campaign_counts_t base;
	campaign_eval_t ev;
	int64_t num, den;

	if (campaign_baseline_for(c, fuzz_hier(), unit, &base) < 0)
		campaign_counts_clear(&base);
	for (size_t i = 0; i < campaign_indicator_count(c); i++)
		(void)campaign_value(c, &base, (int)i, &num, &den);
	for (size_t p = 0; p < campaign_period_count(c); p++) {
		const campaign_period_t *per = campaign_period(c, (int)p);

		(void)campaign_target_for(c, fuzz_hier(), unit, per, applied,
					  sizeof(applied) / sizeof(applied[0]));
		for (size_t t = 0; t < campaign_target_count(c); t++)
			if (campaign_evaluate(c, campaign_target(c, (int)t), per, &base, NULL, &base,
					      &ev) < 0)
				fuzz_die("campaign_evaluate refused target %zu, period %zu", t, p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	campaign_t *c = NULL;
	char err[1024] = "", *text = fuzz_text(data, size);
	const int *roots;
	int r = campaign_load_mem(text, s_name, fuzz_hier(), &c, err, sizeof(err));

	fuzz_note("campaign_load_mem: %d %s", r, err);
	if (r < 0 && !err[0])
		fuzz_die("campaign_load_mem refused the text (%d) without a message", r);
	if (r == 0) {
		if (campaign_check_hier(c, fuzz_hier(), err, sizeof(err)) < 0)
			fuzz_die("a campaign loaded against the hierarchy fails its check: %s", err);
		fuzz_note("%zu indicators, %zu periods, %zu targets", campaign_indicator_count(c),
			  campaign_period_count(c), campaign_target_count(c));
		if (hier_children(fuzz_hier(), -1, &roots) > 0)
			s_evaluate(c, roots[0]);
		campaign_destroy(&c);
	}
	free(text);
	return 0;
}
