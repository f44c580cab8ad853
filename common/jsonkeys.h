/*
 * jsonkeys.h: the fields an input JSON object may have. Report and
 * nomination files refuse a field they do not know (a misspelt key would
 * otherwise be lost silently); this is where that is decided.
 *
 * Library module: returns, never logs.
 */
#ifndef LNOB_JSONKEYS_H
#define LNOB_JSONKEYS_H

#include <jansson.h>

/* The first key of obj (in the object's order) that is not in known (a
 * NULL-terminated list), or NULL when every key is known. Borrowed from
 * obj. */
const char *jsonkeys_unknown(const json_t *obj, const char *const *known);

#endif
