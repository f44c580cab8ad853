/*
 * nominate_int.h: what nominate.c (the nomination, stages) and
 * nominate_dossier.c (its documents) take from nominate_fields.c (texts,
 * JSON field readers), and nominate.c from nominate_dossier.c; no one else.
 * The public contract is nominate.h. Every message names the file and the JSON path
 * ("nom.json: dossier[1].kind: ...").
 */
#ifndef LNOB_NOMINATE_INT_H
#define LNOB_NOMINATE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nominate.h"

/* What one nomination's parse carries around. */
typedef struct nominate_parse {
	const char *name;        /* the file, for messages */
	const char *base_dir;    /* where relative dossier files are, NULL: "." */
	const nominate_opts_t *o;
	char *err;
	size_t errlen;
} nominate_parse_t;

/* Replaces *field with a copy of s. Returns 0 or -ENOMEM. */
int nominate_set_str(char **field, const char *s);

/* The JSON field readers; each returns 0 or a negative code with p->err
 * naming the file and path. An optional text: *ret NULL when absent or
 * null, else the string and its length (not a string: an error). A text
 * into *dst: required (non-empty) or optional, at most max bytes, one line
 * or not. A required enum of which into *ret; what names a value in the
 * message ("kind", "form"). Every key of obj not in known (NULL-terminated)
 * refused; prefix is the JSON path of obj ("" for the top). */
int nominate_json_str(const nominate_parse_t *p, const char *path, const json_t *v,
		      const char **ret, size_t *ret_len);
int nominate_json_text(const nominate_parse_t *p, const char *path, const json_t *v,
		       bool required, size_t max, bool one_line, char **dst);
int nominate_json_enum(const nominate_parse_t *p, const char *path, const json_t *v,
		       enum nominate_enum which, const char *what, int *ret);
int nominate_json_known(const nominate_parse_t *p, const char *prefix, json_t *obj,
			const char *const *known);

/* The dossier array into n (each document digested, its file's bytes
 * attached up to p->o->attach_max), then the check that the three
 * documents a dossier needs are there (nominate_dossier.c). */
int nominate_json_dossier(const nominate_parse_t *p, json_t *arr, Lnob__Nomination *n);
/* Frees one document built by nominate_json_dossier(). Accepts NULL. */
void nominate_document_free(Lnob__Document *d);

#endif
