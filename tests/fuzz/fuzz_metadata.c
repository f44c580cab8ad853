/*
 * fuzz_metadata.c: the metadata bundle's body (common/metadata.h,
 * metadata_parse(): MetadataBody decode, the hierarchy subtree's CSV, the
 * campaign files, the ad-hoc requests, the nodes) on arbitrary bytes, as
 * a collector parses what its upstream sent once the signature verified
 * (fuzz_frame.c reaches it through the signature only with the seeds'
 * bytes). A bundle it takes is then used as `submit` uses it offline:
 * intake_check_campaigns() of a fixed CSV of two reports against the
 * bundle's campaigns and hierarchy.
 */
#include "fuzz.h"

#include <string.h>

#include "intake.h"
#include "metadata.h"

static intake_list_t s_reports;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char csv[] =
		"campaign,period,unit,households_total,poor_households,fund_vnd\n"
		"lnob-2021-2025,2023,GNG-01-01,120,9,5000000\n"
		"lnob-2021-2025,2023,GNG-01,,,20000000\n";
	char err[512];

	(void)argc;
	(void)argv;
	if (intake_parse_csv("reports.csv", csv, sizeof(csv) - 1, 1701388800, &s_reports, err,
			     sizeof(err)) < 0)
		fuzz_die("the fixed reports: %s", err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	metadata_view_t v;
	char err[1024] = "";
	int r;

	memset(&v, 0, sizeof(v));
	r = metadata_parse(data, size, "metadata v1", FUZZ_SIGNER, &v, err, sizeof(err));
	fuzz_note("metadata_parse: %d %s", r, err);
	if (r < 0 && !err[0])
		fuzz_die("metadata_parse refused (%d) without a message", r);
	if (r == 0) {
		if (!v.hier || (v.own >= 0 && (size_t)v.own >= hier_count(v.hier)))
			fuzz_die("a view without a hierarchy, or its own unit %d out of range", v.own);
		err[0] = '\0';
		r = intake_check_campaigns(&s_reports, 0, &v.camps, v.hier, err, sizeof(err));
		fuzz_note("own unit %d, %zu campaigns, intake_check_campaigns: %d %s", v.own,
			  v.camps.n, r, err);
		metadata_view_clear(&v);
	}
	return 0;
}
