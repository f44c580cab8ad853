/*
 * fault.h: deterministic crash points for fault tests.
 *
 * A build configured with -DLNOB_FAULT_INJECTION=ON (tests/run does) makes
 * fault_point(name) kill the process with SIGKILL when the environment
 * variable LNOB_FAULT names that point:
 *
 *   LNOB_FAULT=<point>        die the first time the point is reached
 *   LNOB_FAULT=<point>:<n>    die the n-th time (n >= 1)
 *
 * SIGKILL, not exit() or abort(): no atexit handler, no LMDB close, no
 * flush, exactly what a power cut leaves behind (less the page cache). A
 * name not used by the program never fires. In builds without the option
 * fault_point() is an empty inline function, so production binaries carry
 * no trace of it.
 *
 * The points lnob defines are listed in README.md ("Fault injection").
 */
#ifndef LNOB_FAULT_H
#define LNOB_FAULT_H

#ifdef LNOB_FAULT_INJECTION
void fault_point(const char *name);
#else
static inline void fault_point(const char *name)
{
	(void)name;
}
#endif

#endif
