/*
 * runlock.h: one running daemon per store. `run` holds an exclusive
 * flock(2) on <data_dir>/run.lock for its lifetime, the file holding its
 * pid; a second `run` on the same directory is refused naming the holder.
 * The lock goes with the process (a SIGKILLed daemon leaves none behind).
 * Readers (status, rollup, verify ...) do not take it.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_RUNLOCK_H
#define LNOB_RUNLOCK_H

#include <stddef.h>

/* Takes the lock of dir (created, 0700, when absent) for prog (named in
 * the refusal: "lnob-aggregator"). Returns the lock's fd, kept open for
 * the run (runlock_release()), or a negative code with err: LNOB_E_EXISTS
 * "<dir>/run.lock: another lnob-aggregator run (pid 4242) is using this
 * store; one daemon per store", or the system error naming the file. */
int runlock_take(const char *dir, const char *prog, char *err, size_t errlen);

/* Releases what runlock_take() gave (fd < 0: nothing). */
void runlock_release(int fd);

#endif
