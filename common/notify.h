/*
 * notify.h: the daemons under systemd (deploy/systemd/, Type=notify):
 * READY=1 once a daemon serves, WATCHDOG=1 from its loop at half the
 * unit's WatchdogSec, STOPPING=1 when it begins to stop (sd_notify of
 * libsystemd; outside systemd, with no NOTIFY_SOCKET, each call does
 * nothing).
 *
 * Library module: returns nothing, never logs.
 */
#ifndef LNOB_NOTIFY_H
#define LNOB_NOTIFY_H

/* READY=1 with STATUS=status (one line, may be NULL). */
void notify_ready(const char *status);
/* WATCHDOG=1 when the unit asks for it (WATCHDOG_USEC) and half its
 * interval has passed since the last one; cheap otherwise: call it every
 * turn of the loop. */
void notify_watchdog(void);
/* STOPPING=1. */
void notify_stopping(void);

#endif
