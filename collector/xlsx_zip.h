/*
 * xlsx_zip.h: the parts of an .xlsx workbook read from its zip archive
 * (libzip), and the workbook, its relationships and shared strings parsed
 * (xlsx_read.h): what every reader of a workbook does first (intake_xlsx.c,
 * households_xlsx.c). Messages start with the file's name.
 */
#ifndef LNOB_XLSX_ZIP_H
#define LNOB_XLSX_ZIP_H

#include <stdbool.h>
#include <stddef.h>

#include <zip.h>

#include "xlsx_read.h"

/* A workbook's archive being read: its name (for messages), the open
 * archive (borrowed), the largest part taken uncompressed, and where
 * messages go. */
typedef struct xlsx_zip {
	const char *name;
	zip_t *zip;
	size_t max;
	char *err;
	size_t errlen;
} xlsx_zip_t;

/* Opens data[0..len) (borrowed while open) as z->zip, read-only and its
 * consistency checked. Returns 0, or LNOB_E_INVALID ("<name>: not an
 * .xlsx workbook: ...") / -ENOMEM with the message in z->err. Close it
 * with xlsx_zip_close(). */
int xlsx_zip_open(xlsx_zip_t *z, const void *data, size_t len);

/* Closes z->zip (NULL: nothing) and sets it to NULL. */
void xlsx_zip_close(xlsx_zip_t *z);

/* Reads part into *ret (NUL-terminated, caller frees) and *ret_len.
 * Returns 0; -ENOENT without a message for an absent part when optional;
 * else LNOB_E_INVALID (absent, unreadable, not decompressing),
 * LNOB_E_TOOBIG (over z->max) or -ENOMEM with the message in z->err. */
int xlsx_zip_part(const xlsx_zip_t *z, const char *part, bool optional, char **ret,
		  size_t *ret_len);

/* Prefixes z->err (a part's message) with the file's name; returns rc. */
int xlsx_zip_in_file(const xlsx_zip_t *z, int rc);

/* The workbook and its relationships into *book, its shared strings (none
 * when the part is absent) into *ss. Returns 0 or a code with the message
 * in z->err. */
int xlsx_zip_book(const xlsx_zip_t *z, xlsx_book_t *book, xlsx_strings_t *ss);

#endif
