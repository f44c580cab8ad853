/* vpool.c: worker threads running one job at a time (see vpool.h). */
#include "vpool.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct vpool {
	pthread_mutex_t mu;        /* guards everything below but threads/tids */
	pthread_cond_t work;       /* a job started, or stop */
	pthread_cond_t done;       /* the job's last item finished */
	vpool_fn fn;
	void *ctx;
	size_t n;                  /* items of the job */
	size_t next;               /* the next item to claim */
	size_t finished;           /* items finished */
	bool busy;                 /* a job started and not yet waited for */
	bool stop;
	unsigned threads;          /* workers started */
	pthread_t tids[VPOOL_THREADS_MAX];
};

unsigned vpool_auto_threads(unsigned threads)
{
	long cpus;

	if (threads == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus < 1 ? 1 : (unsigned)(cpus > VPOOL_THREADS_MAX ? VPOOL_THREADS_MAX : cpus);
	}
	return threads > VPOOL_THREADS_MAX ? VPOOL_THREADS_MAX : threads;
}

/* Runs the job's unclaimed items, one at a time, the mutex held between
 * them (held on entry and on return). */
static void s_run_claimed(vpool_t *p)
{
	while (p->next < p->n) {
		size_t i = p->next++;
		vpool_fn fn = p->fn;
		void *ctx = p->ctx;

		pthread_mutex_unlock(&p->mu);
		fn(ctx, i);
		pthread_mutex_lock(&p->mu);
		if (++p->finished == p->n)
			pthread_cond_signal(&p->done);
	}
}

static void *s_worker(void *arg)
{
	vpool_t *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next >= p->n)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		s_run_claimed(p);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Stops and joins the workers started so far. */
static void s_join(vpool_t *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned t = 0; t < p->threads; t++)
		pthread_join(p->tids[t], NULL);
	p->threads = 0;
}

vpool_t *vpool_new(unsigned threads)
{
	vpool_t *p = calloc(1, sizeof(*p));
	unsigned want = vpool_auto_threads(threads);

	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (unsigned t = 0; t < want; t++) {
		if (pthread_create(&p->tids[t], NULL, s_worker, p) != 0) {
			vpool_destroy(&p);
			return NULL;
		}
		p->threads++;
	}
	return p;
}

void vpool_destroy(vpool_t **self_p)
{
	vpool_t *p;

	if (!self_p || !*self_p)
		return;
	p = *self_p;
	vpool_wait(p);
	s_join(p);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
	*self_p = NULL;
}

unsigned vpool_threads(const vpool_t *self)
{
	assert(self);
	return self->threads;
}

void vpool_start(vpool_t *self, vpool_fn fn, void *ctx, size_t n)
{
	assert(self && fn && !self->busy);
	pthread_mutex_lock(&self->mu);
	self->fn = fn;
	self->ctx = ctx;
	self->n = n;
	self->next = 0;
	self->finished = 0;
	self->busy = true;
	if (n > 0)
		pthread_cond_broadcast(&self->work);
	pthread_mutex_unlock(&self->mu);
}

bool vpool_busy(const vpool_t *self)
{
	assert(self);
	return self->busy;   /* written by the owner only */
}

void vpool_wait(vpool_t *self)
{
	assert(self);
	if (!self->busy)
		return;
	pthread_mutex_lock(&self->mu);
	s_run_claimed(self);
	while (self->finished < self->n)
		pthread_cond_wait(&self->done, &self->mu);
	self->busy = false;
	pthread_mutex_unlock(&self->mu);
}
