/*
 * testutil.h: helpers for lnob's cmocka unit tests.
 */
#ifndef LNOB_TESTUTIL_H
#define LNOB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hierarchy.h"
#include "lnob.pb-c.h"

/* Makes a fresh directory under $TMPDIR (or /tmp) and returns its path
 * (static storage, overwritten by the next call). Fails the test on error. */
const char *tu_tmpdir(void);

/* Asserts h and g are the same hierarchy: units, fields, lines, links,
 * depths, code order, children. */
void tu_assert_hier_same(const hier_t *h, const hier_t *g);
/* Removes a directory tree made by tu_tmpdir(). */
void tu_rmtree(const char *path);
/* Writes text to dir/name with the given mode; returns the path (static
 * storage, overwritten by the next call). */
const char *tu_write(const char *dir, const char *name, const char *text, unsigned mode);

/* An ad-hoc request (proto AdhocRequest) into *q: units[0..nunits) and
 * inds[0..ninds) borrowed, the note empty, created_at 2023-01-01. */
void tu_adhoc(Lnob__AdhocRequest *q, const char *campaign, const char *id, char **units,
	      size_t nunits, char **inds, size_t ninds, const char *due);

#endif
