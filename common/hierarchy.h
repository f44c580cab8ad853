/*
 * hierarchy.h: the org-unit hierarchy (province > district > commune >
 * village, and parallel branches), loaded from CSV. The tree is data: any
 * depth, any level names, several roots allowed.
 *
 * CSV (RFC 4180, UTF-8, parsed by libcsv), a header line first, then one
 * unit per line with exactly these columns in this order:
 *   code,name,parent_code,level,kind
 * code: 1..64 of [A-Za-z0-9._-], unique. parent_code: empty for a root, else
 * the code of a unit in the file (any line, before or after). level: free
 * text (province, district, commune, village, department ...), non-empty.
 * kind: free text (administrative, department, organisation ...), may be empty.
 * name, level and kind must be UTF-8 (lnob_utf8_valid: no NUL either).
 * Rejected with the line number: wrong column count, a bad or duplicate
 * code, an unknown parent, a cycle, an empty name or level, a name, level
 * or kind that is not UTF-8 ("units.csv:7: name: not valid UTF-8").
 */
#ifndef LNOB_HIERARCHY_H
#define LNOB_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hier hier_t;

/* Largest hierarchy file hier_load_csv() accepts. */
#define HIER_FILE_MAX ((size_t)64 << 20)

typedef struct hier_unit {
	const char *code;
	const char *name;
	const char *parent_code;   /* "" for a root */
	const char *level;
	const char *kind;
	int parent;                /* index of the parent, -1 for a root */
	unsigned line;             /* line in the CSV file */
	unsigned depth;            /* 0 for a root */
} hier_unit_t;

/* Loads and validates path. On failure returns LNOB_E_CSV or LNOB_E_HIER
 * (or -errno when unreadable) with err as "<path>:<line>: <problem>", and
 * *ret is not written. Caller owns *ret (hier_destroy). */
int hier_load_csv(const char *path, hier_t **ret, char *err, size_t errlen);
/* Same from memory; name stands for the file in messages. */
int hier_load_mem(const char *buf, size_t len, const char *name, hier_t **ret,
		  char *err, size_t errlen);
/* The hierarchy as flat arrays: what a cache of a checked file keeps
 * (aggregator/hiercache.h), read back without parsing, sorting or checking
 * the fields again. count units in file order; strings holds each unit's
 * code, name, level and kind, each ending in a NUL, unit after unit;
 * parent[i] is the index of unit i's parent (HIER_IMAGE_ROOT for a root),
 * line[i] its line in the file, depth[i] its depth; by_code the unit
 * indices in code order (hier_by_code()). */
#define HIER_IMAGE_ROOT UINT32_MAX
typedef struct hier_image {
	size_t count;
	const char *strings;
	size_t strings_len;
	const uint32_t *parent, *line, *depth, *by_code;
} hier_image_t;

/* The image of self, its arrays and strings in one block *ret_block
 * (caller frees) that *ret points into. Returns 0 or -ENOMEM. */
int hier_image_of(const hier_t *self, hier_image_t *ret, void **ret_block);
/* A hierarchy from img (copied; img may go after). Its structure is
 * checked in O(n): the strings in bounds, each parent a unit, each depth
 * its parent's plus one (so no cycle), by_code a strictly increasing order
 * of the codes (so no duplicate); the fields are not checked again.
 * Returns 0, LNOB_E_HIER with err "<name>: the hierarchy's image: <what>",
 * or -ENOMEM. Caller owns *ret (hier_destroy). */
int hier_from_image(const hier_image_t *img, const char *name, hier_t **ret, char *err,
		    size_t errlen);
void hier_destroy(hier_t **self_p);

size_t hier_count(const hier_t *self);
/* The unit at index i (0 <= i < count); borrowed, valid until destroy. */
const hier_unit_t *hier_unit(const hier_t *self, int i);
/* The index of the k-th unit in code order (strcmp), 0 <= k < count. */
int hier_by_code(const hier_t *self, size_t k);
/* Index of the unit with this code, or -1. O(log n). */
int hier_find(const hier_t *self, const char *code);
/* True when i is root or a descendant of root. */
bool hier_in_subtree(const hier_t *self, int root, int i);
/* The children of i (i == -1: the roots), in file order. *ret_children is
 * borrowed, valid until destroy. Returns how many. */
size_t hier_children(const hier_t *self, int i, const int **ret_children);

/* ---- versions (hierarchy_versions.c; README "Hierarchy versions") ------
 * A hierarchy may carry the versions before it: each version is a tree of
 * its own, valid from a day (days since 1970-01-01; HIER_FROM_START for
 * the first version, valid from the beginning) until the next version's
 * day, with the change list that led to it from the version before
 * (hierchanges.h). The latest version is the head: it owns the versions
 * before it (hier_destroy() frees them all). A hierarchy without versions
 * is its own only version, valid from the beginning. */
#define HIER_FROM_START INT32_MIN

typedef enum hier_change_kind {
	HIER_CH_MERGED,      /* code merged into other (its successor) */
	HIER_CH_SPLIT,       /* code (new) split from other (its predecessor) */
	HIER_CH_RENAMED,     /* code's name changed */
	HIER_CH_MOVED,       /* code's parent is now other ("" for a root) */
	HIER_CH_ABOLISHED,   /* code gone, without successor */
	HIER_CH_CREATED,     /* code new, without predecessor */
} hier_change_kind_t;

typedef struct hier_change {
	hier_change_kind_t kind;
	char code[65], other[65];
	unsigned line;       /* in the change file */
} hier_change_t;

/* Makes older the version before self: self becomes valid from day `from`
 * (> older's day) with changes[0..n) (copied) from older. Takes ownership
 * of older (also on failure: then it is destroyed). Returns 0, -EINVAL
 * (self already has one, or from not after older's day) or -ENOMEM. */
int hier_version_push(hier_t *self, hier_t *older, int32_t from, const hier_change_t *changes,
		      size_t n);
/* The version valid on day (self when it has no versions before it or
 * day is on or after its own day). Borrowed from self. */
const hier_t *hier_at_day(const hier_t *self, int32_t day);
/* The version before self (NULL: self is the first), its day, and its
 * change list from that version (*ret_n changes; borrowed). */
const hier_t *hier_version_prev(const hier_t *self);
int32_t hier_version_from(const hier_t *self);
const hier_change_t *hier_version_changes(const hier_t *self, size_t *ret_n);
/* The index of code in the first of self and the versions before it that
 * has it (newest first), that version into *ret_version (may be NULL), or
 * -1. */
int hier_find_any(const hier_t *self, const char *code, const hier_t **ret_version);
/* How many versions self and those before it are. */
size_t hier_version_count(const hier_t *self);

/* The predecessors in version `then` (a version before or equal to `now`,
 * both of one chain) of unit code of version `now`: the codes of `then`
 * whose reports, followed through each version's changes, are code's in
 * `now` (code itself while it exists; every unit merged into it, each
 * version back). Writes up to cap codes (borrowed from the versions) into
 * out and returns how many there are (maybe more than cap); *ret_unknown
 * is set when a split makes the share unknown (code split from a unit, or
 * a unit code split from in the meantime, both ways). */
size_t hier_predecessors(const hier_t *now, const hier_t *then, const char *code,
			 const char **out, size_t cap, bool *ret_unknown);

#endif
