/*
 * hierarchy_int.h: the hierarchy's representation, shared by its reader of
 * the CSV file (hierarchy.c) and of a cache's image (hierarchy_image.c).
 * Nothing outside those two includes it.
 */
#ifndef LNOB_HIERARCHY_INT_H
#define LNOB_HIERARCHY_INT_H

#include <stddef.h>

#include "hierarchy.h"

/* A code and the unit that has it: the entries of the sorted index. */
typedef struct hier_key {
	const char *code;
	int idx;
} hier_key_t;

struct hier {
	hier_unit_t *units;   /* in file order; each unit's strings are one
	                         block starting at its code, or all units'
	                         are in strings */
	char *strings;        /* hier_from_image(): every unit's strings */
	size_t count;
	hier_key_t *index;    /* sorted by code */
	int *kids;            /* unit indices grouped by parent, file order */
	size_t *koff;         /* children of i: kids[koff[i + 1] .. koff[i + 2]);
	                         roots: kids[koff[0] .. koff[1]) */
	int32_t from;         /* versions: valid from this day */
	hier_t *prev;         /* the version before, owned; NULL: none */
	hier_change_t *changes;   /* from prev to this one */
	size_t nchanges;
};

/* Groups self's unit indices by parent (roots first), each group in file
 * order, from the units' parent links. Returns 0, or -ENOMEM with err. */
int hier_build_children(hier_t *self, const char *name, char *err, size_t errlen);

#endif
