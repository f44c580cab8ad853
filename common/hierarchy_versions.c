/*
 * hierarchy_versions.c: the versions of a hierarchy (hierarchy.h): a chain
 * from the latest version back to the first, each with its day and the
 * change list that led to it; the version of a day; and the predecessors
 * of a unit in an earlier version, followed through the change lists.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "hierarchy_int.h"

int hier_version_push(hier_t *self, hier_t *older, int32_t from, const hier_change_t *changes,
		      size_t n)
{
	hier_change_t *copy = NULL;

	if (!self || !older || self->prev || from <= older->from || from == HIER_FROM_START) {
		hier_destroy(&older);
		return -EINVAL;
	}
	if (n && !(copy = malloc(n * sizeof(*copy)))) {
		hier_destroy(&older);
		return -ENOMEM;
	}
	if (n)
		memcpy(copy, changes, n * sizeof(*copy));
	self->prev = older;
	self->from = from;
	free(self->changes);
	self->changes = copy;
	self->nchanges = n;
	return 0;
}

const hier_t *hier_at_day(const hier_t *self, int32_t day)
{
	const hier_t *h = self;

	while (h && h->prev && day < h->from)
		h = h->prev;
	return h;
}

const hier_t *hier_version_prev(const hier_t *self)
{
	return self ? self->prev : NULL;
}

int32_t hier_version_from(const hier_t *self)
{
	return self ? self->from : HIER_FROM_START;
}

const hier_change_t *hier_version_changes(const hier_t *self, size_t *ret_n)
{
	*ret_n = self ? self->nchanges : 0;
	return self ? self->changes : NULL;
}

int hier_find_any(const hier_t *self, const char *code, const hier_t **ret_version)
{
	for (const hier_t *v = self; v; v = v->prev) {
		int i = hier_find(v, code);

		if (i >= 0) {
			if (ret_version)
				*ret_version = v;
			return i;
		}
	}
	return -1;
}

size_t hier_version_count(const hier_t *self)
{
	size_t n = 0;

	for (; self; self = self->prev)
		n++;
	return n;
}

/* A set of codes, borrowed from the versions. */
typedef struct s_set {
	const char **v;
	size_t n, cap;
} s_set_t;

static bool s_has(const s_set_t *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], code) == 0)
			return true;
	return false;
}

static int s_add(s_set_t *s, const char *code)
{
	if (s_has(s, code))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		const char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = code;
	return 0;
}

/* The predecessors in v->prev of the codes in cur (version v) into next:
 * each code that existed before, and each unit merged into one of them;
 * a split either way sets *unknown. */
static int s_step(const hier_t *v, const s_set_t *cur, s_set_t *next, bool *unknown)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < cur->n; i++) {
		int old = hier_find(v->prev, cur->v[i]);

		if (old >= 0)
			r = s_add(next, hier_unit(v->prev, old)->code);
	}
	for (size_t k = 0; r == 0 && k < v->nchanges; k++) {
		const hier_change_t *c = &v->changes[k];

		if (c->kind == HIER_CH_MERGED && s_has(cur, c->other))
			r = s_add(next, c->code);
		else if (c->kind == HIER_CH_SPLIT && (s_has(cur, c->code) || s_has(cur, c->other)))
			*unknown = true;
	}
	return r;
}

size_t hier_predecessors(const hier_t *now, const hier_t *then, const char *code,
			 const char **out, size_t cap, bool *ret_unknown)
{
	s_set_t cur = { 0 }, next = { 0 };
	size_t n = 0;
	int r = s_add(&cur, code);

	*ret_unknown = false;
	for (const hier_t *v = now; r == 0 && v && v != then && v->prev; v = v->prev) {
		s_set_t t;

		next.n = 0;
		r = s_step(v, &cur, &next, ret_unknown);
		t = cur;
		cur = next;
		next = t;
	}
	if (r < 0) {
		*ret_unknown = true;
	} else if (now != then || hier_find(now, code) >= 0) {
		n = cur.n;
		for (size_t i = 0; i < n && i < cap; i++)
			out[i] = cur.v[i];
	}
	free(cur.v);
	free(next.v);
	return n;
}
