/*
 * xlsx_zip.c: a workbook's parts out of its archive (xlsx_zip.h).
 */
#include "xlsx_zip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lnob_err.h"
#include "util.h"

int xlsx_zip_open(xlsx_zip_t *z, const void *data, size_t len)
{
	zip_error_t ze;
	zip_source_t *src;
	int rc = 0;

	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(data, len, 0, &ze))) {
		rc = lnob_errf(z->err, z->errlen, -ENOMEM, "%s: out of memory", z->name);
	} else if (!(z->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
		rc = lnob_errf(z->err, z->errlen, LNOB_E_INVALID, "%s: not an .xlsx workbook: %s",
			       z->name, zip_error_strerror(&ze));
		zip_source_free(src);
	}
	zip_error_fini(&ze);
	return rc;
}

void xlsx_zip_close(xlsx_zip_t *z)
{
	if (z->zip)
		zip_discard(z->zip);
	z->zip = NULL;
}

int xlsx_zip_part(const xlsx_zip_t *z, const char *part, bool optional, char **ret,
		  size_t *ret_len)
{
	zip_int64_t idx = zip_name_locate(z->zip, part, 0), got;
	zip_stat_t st;
	zip_file_t *f;
	char *buf;

	if (idx < 0 && optional)
		return -ENOENT;
	if (idx < 0)
		return lnob_errf(z->err, z->errlen, LNOB_E_INVALID, "%s: not a workbook: no %s",
				 z->name, part);
	if (zip_stat_index(z->zip, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return lnob_errf(z->err, z->errlen, LNOB_E_INVALID, "%s: %s: %s", z->name, part,
				 zip_strerror(z->zip));
	if (st.size > z->max)
		return lnob_errf(z->err, z->errlen, LNOB_E_TOOBIG, "%s: %s: larger than %zu MiB "
				 "uncompressed", z->name, part, z->max >> 20);
	if (!(buf = malloc((size_t)st.size + 1)))
		return lnob_errf(z->err, z->errlen, -ENOMEM, "%s: out of memory", z->name);
	if (!(f = zip_fopen_index(z->zip, (zip_uint64_t)idx, 0))) {
		free(buf);
		return lnob_errf(z->err, z->errlen, LNOB_E_INVALID, "%s: %s: %s", z->name, part,
				 zip_strerror(z->zip));
	}
	got = zip_fread(f, buf, st.size);
	zip_fclose(f);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(buf);
		return lnob_errf(z->err, z->errlen, LNOB_E_INVALID, "%s: %s: cannot decompress",
				 z->name, part);
	}
	buf[st.size] = '\0';
	*ret = buf;
	*ret_len = (size_t)st.size;
	return 0;
}

int xlsx_zip_in_file(const xlsx_zip_t *z, int rc)
{
	char part[512];

	snprintf(part, sizeof(part), "%s", z->err);
	return lnob_errf(z->err, z->errlen, rc, "%s: %s", z->name, part);
}

int xlsx_zip_book(const xlsx_zip_t *z, xlsx_book_t *book, xlsx_strings_t *ss)
{
	char *wb = NULL, *rels = NULL, *sst = NULL;
	size_t wbl = 0, rl = 0, sl = 0;
	int rc;

	if ((rc = xlsx_zip_part(z, "xl/workbook.xml", false, &wb, &wbl)) < 0 ||
	    (rc = xlsx_zip_part(z, "xl/_rels/workbook.xml.rels", false, &rels, &rl)) < 0)
		goto out;
	if ((rc = xlsx_book_parse(wb, wbl, rels, rl, book, z->err, z->errlen)) < 0) {
		rc = xlsx_zip_in_file(z, rc);
		goto out;
	}
	rc = xlsx_zip_part(z, "xl/sharedStrings.xml", true, &sst, &sl);
	if (rc == 0 && (rc = xlsx_shared_parse(sst, sl, ss, z->err, z->errlen)) < 0)
		rc = xlsx_zip_in_file(z, rc);
	if (rc == -ENOENT)
		rc = 0;
out:
	free(wb);
	free(rels);
	free(sst);
	return rc;
}
