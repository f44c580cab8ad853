/*
 * intake_file.c: a report file read and handed to its format's parser
 * (see intake.h): JSON (intake.c), CSV (intake_csv.c) or XLSX
 * (intake_xlsx.c), by its extension or else its first bytes.
 */
#include "intake.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lnob_err.h"
#include "util.h"

/* True when path ends in ext (case-insensitive). */
static bool s_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && strcasecmp(path + n - e, ext) == 0;
}

int intake_parse_file(const char *path, int64_t now_s, intake_list_t *list,
		      char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, i = 0;
	bool json;
	int rc;

	rc = lnob_read_file(path, INTAKE_FILE_MAX, &text, &len);
	if (rc == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, rc, "%s: larger than %zu MiB", path,
			      INTAKE_FILE_MAX >> 20);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: %s", path, lnob_strerror(rc));
	if (s_has_ext(path, ".xlsx") || (len >= 4 && memcmp(text, "PK\3\4", 4) == 0)) {
		rc = intake_parse_xlsx(path, text, len, now_s, list, err, errlen);
		free(text);
		return rc;
	}
	if (s_has_ext(path, ".json")) {
		json = true;
	} else if (s_has_ext(path, ".csv")) {
		json = false;
	} else {
		if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		while (i < len && isspace((unsigned char)text[i]))
			i++;
		json = i < len && (text[i] == '{' || text[i] == '[');
	}
	if (json)
		rc = intake_parse_json(path, text, len, now_s, list, err, errlen);
	else
		rc = intake_parse_csv(path, text, len, now_s, list, err, errlen);
	free(text);
	return rc;
}
