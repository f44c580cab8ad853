/*
 * fuzz_dhis2_in.c: a DHIS2 export through `baseline import`'s reader
 * (aggregator/dhis2_in.h, dhis2_in_read(): dataValueSets JSON with
 * jansson, ADX XML with libxml2) on arbitrary bytes, with the sample
 * mapping deploy/adx/dhis2-mapping.ini checked against the sample
 * campaign and hierarchy (fuzz_campaigns(), fuzz_hier()), its
 * baseline_period imported. A file it takes must give a baseline of at
 * least one unit, without a NUL byte; a refusal must say why.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "dhis2_in.h"
#include "dhis2map.h"

static dhis2map_t *s_map;
static const campaign_t *s_camp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024];

	(void)argc;
	(void)argv;
	s_camp = fuzz_campaigns()->v[0];
	if (dhis2map_load(fuzz_source("deploy/adx/dhis2-mapping.ini"), &s_map, err,
			  sizeof(err)) < 0 ||
	    dhis2map_check(s_map, s_camp, fuzz_hier(), err, sizeof(err)) < 0)
		fuzz_die("the sample mapping: %s", err);
	if (!dhis2map_baseline_period(s_map))
		fuzz_die("the sample mapping has no baseline_period");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dhis2_in_opts_t o = { .map = s_map, .camp = s_camp,
			      .period = dhis2map_baseline_period(s_map), .name = "export" };
	dhis2_in_stats_t st = { 0 };
	char *text = fuzz_text(data, size), *csv = NULL, err[1024] = "";
	size_t len = 0;
	int r = dhis2_in_read(text, size, &o, &csv, &len, &st, err, sizeof(err));

	fuzz_note("dhis2_in_read: %d %s", r, err);
	if (r < 0 && !err[0] && r != -ENOMEM)
		fuzz_die("dhis2_in_read refused (%d) without a message", r);
	if (r == 0) {
		if (!csv || len == 0 || st.units == 0)
			fuzz_die("dhis2_in_read took it and made no baseline (%zu bytes, %zu units)",
				 len, st.units);
		if (memchr(csv, '\0', len))
			fuzz_die("a NUL byte in the baseline made");
	}
	free(csv);
	free(text);
	return 0;
}
