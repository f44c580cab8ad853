/* fault.c: deterministic crash points (see fault.h). */
#include "fault.h"

#ifdef LNOB_FAULT_INJECTION
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fault_point(const char *name)
{
	static atomic_ulong hits;
	unsigned long hit;
	const char *spec = getenv("LNOB_FAULT");
	size_t n = strlen(name);
	unsigned long want = 1;

	if (!spec || strncmp(spec, name, n) != 0 || (spec[n] != '\0' && spec[n] != ':'))
		return;
	if (spec[n] == ':') {
		char *end;

		want = strtoul(spec + n + 1, &end, 10);
		if (*end != '\0' || want == 0)
			return;
	}
	/* One counter serves: a process arms one point at a time. */
	hit = atomic_fetch_add(&hits, 1) + 1;
	if (hit < want)
		return;
	/* Say where, unbuffered, so the test log shows the point was hit. */
	char msg[160];
	int len = snprintf(msg, sizeof(msg), "fault injection: SIGKILL at %s (hit %lu)\n", name, hit);

	if (len > 0)
		(void)!write(2, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
	kill(getpid(), SIGKILL);
	_exit(137);   /* not reached */
}
#else
/* Keeps the translation unit non-empty (ISO C). */
typedef int lnob_fault_unused;
#endif
