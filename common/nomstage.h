/*
 * nomstage.h: what award nominations and their stages are made of, shared
 * by the collector (nominate.h: files and command-line options) and the
 * aggregator (a stage it signs as the province node, api_stage.c): the
 * codes of nominee kinds, award forms, documents and stages, nomination
 * keys, the text rules, and building a Lnob__Stage from its fields as text.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_NOMSTAGE_H
#define LNOB_NOMSTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

/* Longest nominee name, document title, decision number (bytes). */
#define NOMINATE_NAME_MAX 512
/* Longest stage reason or note (bytes). */
#define NOMINATE_TEXT_MAX 4096
/* A nomination key: "<signer>/<id>" and its NUL. */
#define NOMINATE_KEY_SIZE (2 * LNOB_ID_MAX + 2)

/* The enums with text codes in files and on the command line. */
enum nominate_enum {
	NOMINATE_NOMINEE_KIND,   /* Lnob__NomineeKind: collective, individual, ... */
	NOMINATE_FORM,           /* Lnob__AwardForm: giay_khen, ... */
	NOMINATE_DOCUMENT,       /* Lnob__DocumentKind: proposal, ... */
	NOMINATE_STAGE,          /* Lnob__StageKind: received, ... */
};

/* The enum value of code (> 0), or -1 when code is not one of which's. */
int nominate_code_parse(enum nominate_enum which, const char *code);

/* The code of value (static text), or NULL for UNSPECIFIED and unknown
 * values. */
const char *nominate_code_name(enum nominate_enum which, int value);

/* The codes of which for messages, "a, b or c" (static text). */
const char *nominate_code_list(enum nominate_enum which);

/* Splits a nomination key "<signer>/<id>" into signer[LNOB_ID_MAX + 1] and
 * id[LNOB_ID_MAX + 1] (either may be NULL). Both halves must be valid ids.
 * Returns 0 or LNOB_E_INVALID (outputs not written then). */
int nominate_key_split(const char *key, char *signer, char *id);


/* Why text s[0..len) is not acceptable, or NULL: NUL bytes, bad UTF-8,
 * over max bytes, a control character in a one-line text (static). */
const char *nominate_text_problem(const char *s, size_t len, size_t max, bool one_line);

/* A stage as given on the command line: every field NULL when not given. */
typedef struct nominate_stage_args {
	const char *campaign;         /* --campaign, or [nominations] campaign */
	const char *nomination;       /* --nomination SIGNER/ID */
	const char *kind;             /* --kind received|appraised|endorsed|returned|rejected|decided */
	const char *reason;           /* --reason: returned and rejected only, required there */
	const char *decision_number;  /* --decision-number: decided only, required there */
	const char *decision_date;    /* --decision-date YYYY-MM-DD (2000..2100): decided only, required */
	const char *granted;          /* --granted FORM: decided only, required there */
	const char *note;             /* --note: optional */
	const char *at;               /* --at: ISO 8601 with offset or Unix seconds, in
	                                 2000-01-01 .. 2100-12-31 UTC; default now */
} nominate_stage_args_t;

/* Checks a and builds the Stage (at = now_s unless a->at). Caller owns
 * *ret (nominate_stage_free); not written on failure, when err holds one
 * line naming the option. Returns 0; -EINVAL when an option is missing or
 * not allowed with the kind (a usage error); LNOB_E_INVALID when a value
 * is wrong; -ENOMEM. */
int nominate_stage_build(const nominate_stage_args_t *a, int64_t now_s, Lnob__Stage **ret,
			 char *err, size_t errlen);

/* Frees a stage built by nominate_stage_build(). Accepts NULL and
 * *self_p == NULL; sets *self_p to NULL. */
void nominate_stage_free(Lnob__Stage **self_p);

#endif
