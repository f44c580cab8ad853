/*
 * vpool.h: a pool of worker threads that runs one job at a time, a job
 * being fn(ctx, i) for every i in 0..n-1 (the aggregator's: the Ed25519
 * verification of the next batch's envelopes, ingest_preverify(), while
 * the writer thread applies and commits the current batch).
 *
 * Threads: the pool's workers run fn; the thread that owns the pool (the
 * one that calls vpool_start(), vpool_wait() and vpool_destroy(), one
 * thread only) helps with the items still unclaimed when it waits, so a
 * job finishes even when the workers are slow to wake. Each index runs
 * exactly once, on some thread. fn must touch only what index i owns and
 * what nobody writes during the job; what fn wrote is visible to the
 * owner once vpool_wait() returned (a mutex orders it).
 *
 * Library module: no logging, no store.
 */
#ifndef LNOB_VPOOL_H
#define LNOB_VPOOL_H

#include <stdbool.h>
#include <stddef.h>

/* Most worker threads a pool runs. */
#define VPOOL_THREADS_MAX 8

typedef struct vpool vpool_t;

/* One item of a job. */
typedef void (*vpool_fn)(void *ctx, size_t i);

/* The workers for threads: threads itself (capped at VPOOL_THREADS_MAX),
 * or with 0 the CPUs online (sysconf(_SC_NPROCESSORS_ONLN)), at least 1
 * and at most VPOOL_THREADS_MAX. */
unsigned vpool_auto_threads(unsigned threads);

/* A pool of vpool_auto_threads(threads) workers, idle. Returns NULL when
 * out of memory or threads could not be made. Caller owns it
 * (vpool_destroy()). */
vpool_t *vpool_new(unsigned threads);

/* Waits for a job in progress, stops and joins the workers, frees the
 * pool. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void vpool_destroy(vpool_t **self_p);

/* The pool's worker threads. */
unsigned vpool_threads(const vpool_t *self);

/* Starts the job fn(ctx, 0..n-1) on the workers and returns at once (a
 * job of n 0 is done at once). Must not be called while a job is in
 * progress (vpool_busy()). ctx and what fn uses must live until
 * vpool_wait() returns. */
void vpool_start(vpool_t *self, vpool_fn fn, void *ctx, size_t n);

/* True from vpool_start() until the vpool_wait() that follows it. */
bool vpool_busy(const vpool_t *self);

/* Runs unclaimed items of the job in this thread too, then waits until
 * every item has finished. Returns at once when no job is in progress. */
void vpool_wait(vpool_t *self);

#endif
