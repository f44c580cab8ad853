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

/* Makes a fresh directory under $TMPDIR (or /tmp) and returns its path
 * (static storage, overwritten by the next call). Fails the test on error. */
const char *tu_tmpdir(void);
/* Removes a directory tree made by tu_tmpdir(). */
void tu_rmtree(const char *path);
/* Writes text to dir/name with the given mode; returns the path (static
 * storage, overwritten by the next call). */
const char *tu_write(const char *dir, const char *name, const char *text, unsigned mode);

#endif
