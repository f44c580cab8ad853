/* notify.c: sd_notify for the daemons (see notify.h). */
#include "notify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "util.h"

/* The watchdog's interval in ms (0: none), read once. */
static int64_t s_every_ms = -1;
static int64_t s_last_ms;

void notify_ready(const char *status)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status ? status : "serving");
	(void)sd_notify(0, msg);
}

void notify_watchdog(void)
{
	uint64_t usec = 0;
	int64_t now;

	if (s_every_ms < 0)
		s_every_ms = sd_watchdog_enabled(0, &usec) > 0 ? (int64_t)(usec / 2000) : 0;
	if (s_every_ms <= 0)
		return;
	now = lnob_mono_ms();
	if (s_last_ms && now - s_last_ms < s_every_ms)
		return;
	s_last_ms = now;
	(void)sd_notify(0, "WATCHDOG=1");
}

void notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}
