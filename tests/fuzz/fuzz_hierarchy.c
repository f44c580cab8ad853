/*
 * fuzz_hierarchy.c: the hierarchy CSV (common/hierarchy.h,
 * hier_load_mem(): libcsv through common/csvread.c, codes, parents,
 * cycles, UTF-8) on arbitrary bytes. A file it takes is walked: every
 * unit is found by its code at its own index, its parent is found by
 * parent_code one level up, each root's children add up to every unit
 * (the tree reaches them all, once), and hier_in_subtree() holds from
 * every ancestor.
 */
#include "fuzz.h"

#include <string.h>

#include "hierarchy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The units under i (i itself included; -1: the roots' subtrees), with
 * depth bounded by the count (a cycle would be found here). */
static size_t s_reach(const hier_t *h, int i, unsigned depth)
{
	const int *kids;
	size_t n = hier_children(h, i, &kids), total = i >= 0;

	if (depth > hier_count(h))
		fuzz_die("the tree is deeper than its %zu units", hier_count(h));
	for (size_t k = 0; k < n; k++) {
		if (hier_unit(h, kids[k])->parent != i)
			fuzz_die("unit %d is a child of %d but its parent is %d", kids[k], i,
				 hier_unit(h, kids[k])->parent);
		total += s_reach(h, kids[k], depth + 1);
	}
	return total;
}

static void s_check(const hier_t *h)
{
	size_t n = hier_count(h);

	for (size_t i = 0; i < n; i++) {
		const hier_unit_t *u = hier_unit(h, (int)i);

		if (hier_find(h, u->code) != (int)i)
			fuzz_die("unit %zu '%s' is not found at its index", i, u->code);
		if (u->parent >= 0) {
			const hier_unit_t *p = hier_unit(h, u->parent);

			if (strcmp(p->code, u->parent_code) != 0 || u->depth != p->depth + 1 ||
			    !hier_in_subtree(h, u->parent, (int)i))
				fuzz_die("unit '%s' and its parent '%s' disagree", u->code, p->code);
		} else if (u->parent_code[0] || u->depth != 0) {
			fuzz_die("root '%s' has parent_code '%s', depth %u", u->code, u->parent_code,
				 u->depth);
		}
	}
	if (s_reach(h, -1, 0) != n)
		fuzz_die("the tree reaches %zu of %zu units", s_reach(h, -1, 0), n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hier_t *h = NULL;
	char err[512] = "";
	int r = hier_load_mem((const char *)data, size, "units.csv", &h, err, sizeof(err));

	fuzz_note("hier_load_mem: %d %s", r, err);
	if (r < 0 && !err[0])
		fuzz_die("hier_load_mem refused the file (%d) without a message", r);
	if (r == 0) {
		s_check(h);
		hier_destroy(&h);
	}
	return 0;
}
