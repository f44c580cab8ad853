/*
 * nominations_int.h: what the parts of the nominations module share
 * (nominations.c: ingest and the stage rules; nominations_view.c: the
 * views and eligibility; nominations_print.c: text and CSV;
 * nominations_names.c: names). Private to them.
 */
#ifndef LNOB_NOMINATIONS_INT_H
#define LNOB_NOMINATIONS_INT_H

#include <stdbool.h>

#include "nominations.h"

#define NOM_NAME_MAX 512        /* nominee name, document title, decision number */
#define NOM_TEXT_MAX 65536      /* summary */
#define NOM_NOTE_MAX 4096       /* reason, note, vote */
#define NOM_DOCS_MAX 64         /* documents of a dossier */
#define NOM_CHAIN_MAX 64        /* earlier nominations `--nomination` follows */

#define N_FORMS 4               /* AwardForm 1..4 */
#define N_KINDS 4               /* NomineeKind 1..4 */
#define N_STAGES 7              /* StageKind 0..6 (0: proposed) */

#define ST_NONE LNOB__STAGE_KIND__STAGE_UNSPECIFIED
#define ST_RECEIVED LNOB__STAGE_KIND__STAGE_RECEIVED
#define ST_APPRAISED LNOB__STAGE_KIND__STAGE_APPRAISED
#define ST_ENDORSED LNOB__STAGE_KIND__STAGE_ENDORSED
#define ST_RETURNED LNOB__STAGE_KIND__STAGE_RETURNED
#define ST_REJECTED LNOB__STAGE_KIND__STAGE_REJECTED
#define ST_DECIDED LNOB__STAGE_KIND__STAGE_DECIDED

#define R_INVALID LNOB__NACK_REASON__NACK_INVALID

/* The name of a StageKind ("proposed" for 0), an AwardForm's campaign code
 * ("giay_khen" ...), a NomineeKind's ("collective" ...), a DocumentKind's
 * ("proposal" ...); "unknown" for a value out of range. Static. */
const char *nominations_stage_name(int k);
const char *nominations_form_name(int f);
const char *nominations_kind_name(int k);
const char *nominations_doc_name(int k);
/* True when key is "<signer>/<id>", both valid ids. */
bool nominations_key_ok(const char *key);

#endif
