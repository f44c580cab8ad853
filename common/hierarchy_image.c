/*
 * hierarchy_image.c: the hierarchy as flat arrays and back (hierarchy.h,
 * hier_image_t). Writing lays every unit's strings end to end and its
 * parent, line and depth in arrays; reading copies the strings once, points
 * each unit into them and checks the structure in one pass each: bounds,
 * parents, depths (a cycle cannot have each depth its parent's plus one)
 * and the code order (strictly increasing: no duplicate). Loading 10,000
 * units this way costs a copy, not a parse, a sort and 60,000 allocations.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "hierarchy_int.h"
#include "lnob_err.h"
#include "util.h"

/* The strings of a unit in an image, in order. */
#define S_FIELDS 4

/* The bytes of u's strings in an image, their NULs included. */
static size_t s_unit_len(const hier_unit_t *u)
{
	return strlen(u->code) + strlen(u->name) + strlen(u->level) + strlen(u->kind) + S_FIELDS;
}

int hier_image_of(const hier_t *self, hier_image_t *ret, void **ret_block)
{
	size_t n = self->count, slen = 0, arrays = 4 * n * sizeof(uint32_t);
	uint32_t *parent, *line, *depth, *by_code;
	char *block, *at;

	for (size_t i = 0; i < n; i++)
		slen += s_unit_len(&self->units[i]);
	if (!(block = malloc(arrays + slen + 1)))
		return -ENOMEM;
	parent = (uint32_t *)block;
	line = parent + n;
	depth = line + n;
	by_code = depth + n;
	at = block + arrays;
	for (size_t i = 0; i < n; i++) {
		const hier_unit_t *u = &self->units[i];
		const char *f[S_FIELDS] = { u->code, u->name, u->level, u->kind };

		for (size_t k = 0; k < S_FIELDS; k++) {
			size_t l = strlen(f[k]) + 1;

			memcpy(at, f[k], l);
			at += l;
		}
		parent[i] = u->parent < 0 ? HIER_IMAGE_ROOT : (uint32_t)u->parent;
		line[i] = u->line;
		depth[i] = u->depth;
		by_code[i] = (uint32_t)self->index[i].idx;
	}
	*ret = (hier_image_t){ .count = n, .strings = block + arrays, .strings_len = slen,
			       .parent = parent, .line = line, .depth = depth, .by_code = by_code };
	*ret_block = block;
	return 0;
}

/* Points each of self's units at its strings in self->strings (len bytes),
 * refusing strings that run past the end or bytes left over. */
static int s_point_strings(hier_t *self, size_t len, const char *name, char *err, size_t errlen)
{
	char *at = self->strings, *end = self->strings + len;

	for (size_t i = 0; i < self->count; i++) {
		char *f[S_FIELDS];

		for (size_t k = 0; k < S_FIELDS; k++) {
			char *nul = at < end ? memchr(at, '\0', (size_t)(end - at)) : NULL;

			if (!nul)
				return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's "
						 "image: the strings end in unit %zu", name, i);
			f[k] = at;
			at = nul + 1;
		}
		self->units[i] = (hier_unit_t){ .code = f[0], .name = f[1], .parent_code = "",
						.level = f[2], .kind = f[3] };
	}
	if (at != end)
		return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's image: %zu bytes "
				 "after the last unit's strings", name, (size_t)(end - at));
	return 0;
}

/* Sets each unit's parent, parent code, line and depth from img, refusing
 * a parent out of range or a depth not its parent's plus one. */
static int s_link(hier_t *self, const hier_image_t *img, const char *name, char *err,
		  size_t errlen)
{
	for (size_t i = 0; i < self->count; i++) {
		hier_unit_t *u = &self->units[i];
		uint32_t p = img->parent[i];
		bool root = p == HIER_IMAGE_ROOT;

		if (!root && p >= self->count)
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's image: unit "
					 "%zu: parent %u out of range", name, i, (unsigned)p);
		if (root ? img->depth[i] != 0 : img->depth[i] != img->depth[p] + (uint64_t)1)
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's image: unit "
					 "%zu: depth %u is not its parent's plus one", name, i,
					 (unsigned)img->depth[i]);
		u->parent = root ? -1 : (int)p;
		u->parent_code = root ? "" : self->units[p].code;
		u->line = img->line[i];
		u->depth = img->depth[i];
	}
	return 0;
}

/* The index from by_code, refusing an index out of range or codes not
 * strictly increasing (which also makes the indices distinct). */
static int s_index(hier_t *self, const uint32_t *by_code, const char *name, char *err,
		   size_t errlen)
{
	if (!(self->index = malloc((self->count ? self->count : 1) * sizeof(*self->index))))
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	for (size_t k = 0; k < self->count; k++) {
		const char *code = by_code[k] < self->count ? self->units[by_code[k]].code : NULL;

		if (!code || (k > 0 && strcmp(self->index[k - 1].code, code) >= 0))
			return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's image: the "
					 "code order does not hold (at %zu)", name, k);
		self->index[k] = (hier_key_t){ code, (int)by_code[k] };
	}
	return 0;
}

int hier_from_image(const hier_image_t *img, const char *name, hier_t **ret, char *err,
		    size_t errlen)
{
	size_t n = img->count;
	hier_t *self;
	int r;

	if (!name)
		name = "<memory>";
	if (n >= INT_MAX || (img->strings_len && !img->strings) ||
	    (n && (!img->parent || !img->line || !img->depth || !img->by_code)))
		return lnob_errf(err, errlen, LNOB_E_HIER, "%s: the hierarchy's image: %zu units "
				 "without their arrays", name, n);
	if (!(self = calloc(1, sizeof(*self))) ||
	    !(self->units = calloc(n ? n : 1, sizeof(*self->units))) ||
	    !(self->strings = malloc(img->strings_len ? img->strings_len : 1))) {
		hier_destroy(&self);
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	}
	self->count = n;
	self->from = HIER_FROM_START;
	if (img->strings_len)
		memcpy(self->strings, img->strings, img->strings_len);
	if ((r = s_point_strings(self, img->strings_len, name, err, errlen)) == 0 &&
	    (r = s_link(self, img, name, err, errlen)) == 0 &&
	    (r = s_index(self, img->by_code, name, err, errlen)) == 0)
		r = hier_build_children(self, name, err, errlen);
	if (r < 0) {
		hier_destroy(&self);
		return r;
	}
	*ret = self;
	return 0;
}
