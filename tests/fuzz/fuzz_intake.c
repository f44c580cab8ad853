/*
 * fuzz_intake.c: the collector's report import (collector/intake.h) on an
 * arbitrary file, built three times, once per format (FUZZ_INTAKE, set by
 * tests/fuzz/CMakeLists.txt): fuzz_intake_csv (intake_parse_csv(),
 * libcsv), fuzz_intake_json (intake_parse_json(), jansson) and
 * fuzz_intake_xlsx (intake_parse_xlsx(): libzip, then the libxml2 readers
 * of collector/xlsx_read.c). A file it takes is then checked as `submit`
 * checks it with [campaign] and [hierarchy] configured
 * (intake_check_campaigns() with the sample campaign and hierarchy), and
 * every report it made must pass report_validate() and name its place.
 * A small max_body (4096) lets small inputs reach the size refusal.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "report.h"

#define S_CSV 1
#define S_JSON 2
#define S_XLSX 3
#ifndef FUZZ_INTAKE
#error "FUZZ_INTAKE must be 1 (CSV), 2 (JSON) or 3 (XLSX)"
#endif

/* A fixed default completed_at (2023-12-01 00:00 UTC), so that a run
 * does not depend on the clock. */
#define S_NOW 1701388800

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_campaigns();
	return 0;
}

static int s_parse(const uint8_t *data, size_t size, intake_list_t *list, char *err,
		   size_t errlen)
{
#if FUZZ_INTAKE == S_XLSX
	return intake_parse_xlsx("fuzz.xlsx", data, size, S_NOW, list, err, errlen);
#else
	char *text = fuzz_text(data, size);
	int r;

#if FUZZ_INTAKE == S_CSV
	r = intake_parse_csv("fuzz.csv", text, size, S_NOW, list, err, errlen);
#else
	r = intake_parse_json("fuzz.json", text, size, S_NOW, list, err, errlen);
#endif
	free(text);
	return r;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	intake_list_t list;
	char err[1024] = "", detail[512];
	int r;

	memset(&list, 0, sizeof(list));
	list.max_body = 4096;
	r = s_parse(data, size, &list, err, sizeof(err));
	fuzz_note("parse: %d, %zu reports %s", r, list.n, err);
	if (r < 0 && (!err[0] || list.n != 0))
		fuzz_die("refused (%d) with %zu reports kept, message '%s'", r, list.n, err);
	if (r == 0) {
		if (list.n == 0)
			fuzz_die("a file without any report was taken");
		for (size_t i = 0; i < list.n; i++)
			if (!list.where[i] || !list.where[i][0] ||
			    report_validate(list.v[i], detail, sizeof(detail)) < 0)
				fuzz_die("report %zu taken but not valid: %s", i, detail);
		err[0] = '\0';
		r = intake_check_campaigns(&list, 0, fuzz_campaigns(), fuzz_hier(), err, sizeof(err));
		fuzz_note("intake_check_campaigns: %d %s", r, err);
	}
	intake_list_clear(&list);
	return 0;
}
