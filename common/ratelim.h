/*
 * ratelim.h: which of many repeated log lines to print. A daemon refusing
 * a flood from one peer logs the first refusal of each (peer, reason) in
 * an interval and counts the rest; when the interval is over, the count is
 * handed back once ("... and 37 more like it in the last second"), so a
 * flood costs at most two lines per (peer, reason) and interval, and says
 * how much it hid.
 *
 *   ratelim_t *rl = ratelim_new(256, 1000);
 *   if (ratelim_hit(rl, peer, reason, lnob_mono_ms(), s_said, ctx))
 *           log_warnx("refused ... from %s: ...", peer);
 *   ...
 *   ratelim_expire(rl, lnob_mono_ms(), s_said, ctx);   (every loop turn)
 *
 * where s_said(ctx, peer, reason, n) logs the "n more like it" line.
 *
 * A key's window opens with the event that is logged and lasts interval
 * ms; the events of that key in the window are only counted. At most
 * max_keys keys are tracked: a new key beyond them closes the window that
 * opened first (reporting its count), so memory stays bounded whatever the
 * peers send.
 *
 * Library module: decides and counts, never logs. One ratelim_t is used by
 * one thread.
 */
#ifndef LNOB_RATELIM_H
#define LNOB_RATELIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ratelim ratelim_t;

/* Reports the events of (peer, reason) that were counted and not logged
 * in a window now closed: suppressed >= 1. peer is borrowed for the call. */
typedef void (*ratelim_fn)(void *ctx, const char *peer, int reason, uint64_t suppressed);

/* A limiter tracking at most max_keys (>= 1) keys, each logged at most
 * once per interval_ms (>= 1). Returns NULL when out of memory. Caller
 * owns the result (ratelim_destroy()). */
ratelim_t *ratelim_new(size_t max_keys, int64_t interval_ms);

/* Frees the limiter, dropping unreported counts (call ratelim_flush()
 * first to report them). Accepts NULL and *self_p == NULL; sets *self_p
 * to NULL. */
void ratelim_destroy(ratelim_t **self_p);

/* One event of (peer, reason) at now_ms (a monotonic clock). Returns true
 * when it is to be logged: the first of its key since the key's window
 * closed; a new window opens at now_ms. Returns false when it falls in an
 * open window: it is counted. Before returning true it reports through fn
 * (may be NULL) the count of the key's closed window, if any, and the
 * count of a window it closes early to make room; so the counts come
 * before the next line of their key. peer NULL counts as "", and only its
 * first LNOB_ID_MAX bytes tell keys apart. */
bool ratelim_hit(ratelim_t *self, const char *peer, int reason, int64_t now_ms,
		 ratelim_fn fn, void *ctx);

/* n >= 1 events of (peer, reason) at once (e.g. ZAP's denials of one
 * poll): as ratelim_hit(), but a window opened logs all n in its one line
 * (true: the caller's line says n), and n events in an open window are
 * counted n. ratelim_hit() is ratelim_hit_n() with n 1. */
bool ratelim_hit_n(ratelim_t *self, const char *peer, int reason, uint64_t n, int64_t now_ms,
		   ratelim_fn fn, void *ctx);

/* Closes every window older than interval_ms at now_ms: reports its count
 * through fn (may be NULL) when it has one, and forgets the key. Returns
 * the number of keys still tracked. */
size_t ratelim_expire(ratelim_t *self, int64_t now_ms, ratelim_fn fn, void *ctx);

/* Closes every window now (at shutdown), reporting counts through fn. */
void ratelim_flush(ratelim_t *self, ratelim_fn fn, void *ctx);

#endif
