/*
 * hierchanges.h: the change list of a hierarchy version (README
 * "Hierarchy versions"): what happened to the units between the version
 * before and the new one, read from CSV and checked against both trees.
 *
 * CSV (RFC 4180, UTF-8, csvread.h), a header line first, then one change
 * per line, exactly these columns in this order:
 *   change,code,other
 * change is one of
 *   merged     code (in the old tree, not in the new) merged into other
 *              (in the new tree): its successor
 *   split      code (in the new tree, not in the old) split from other (in
 *              the old tree): its predecessor; one line per predecessor
 *   renamed    code (in both) has another name; other empty
 *   moved      code (in both) has the parent other in the new tree (empty:
 *              a root), not its old parent
 *   abolished  code (in the old tree, not in the new) has no successor;
 *              other empty
 *   created    code (in the new tree, not in the old) has no predecessor;
 *              other empty
 * Each line must be true of the two trees, and the list must say every
 * difference: a unit gone must be merged, abolished or split from; a new
 * unit must be a successor, split or created; a unit in both whose name
 * changed must be renamed, whose parent changed must be moved unless its
 * old parent was merged into its new parent (the children of a merged
 * unit follow it). A code is on at most one line of each change (a split
 * code on one line per predecessor), and not on merged or abolished and
 * another line. Level and kind may change without a line.
 */
#ifndef LNOB_HIERCHANGES_H
#define LNOB_HIERCHANGES_H

#include <stddef.h>

#include "hierarchy.h"

/* Largest change file accepted. */
#define HIERCHANGES_FILE_MAX ((size_t)16 << 20)

/* The name of a change ("merged" ...), and the change named s. Returns 0
 * or -EINVAL. */
const char *hierchanges_name(hier_change_kind_t k);
int hierchanges_parse_kind(const char *s, hier_change_kind_t *ret);
/* The change as words of a sentence about its code: "merged into",
 * "split from", "renamed", "moved under", "abolished", "created". */
const char *hierchanges_kind_text(hier_change_kind_t k);

/* Reads buf[0..len) (the file `name`) into *ret (*ret_n changes; caller
 * frees *ret). Returns 0, or LNOB_E_CSV / LNOB_E_HIER with err
 * "<name>:<line>: <problem>", or -ENOMEM. */
int hierchanges_load_mem(const char *buf, size_t len, const char *name, hier_change_t **ret,
			 size_t *ret_n, char *err, size_t errlen);
/* The same from the file at path. */
int hierchanges_load(const char *path, hier_change_t **ret, size_t *ret_n, char *err,
		     size_t errlen);

/* Checks changes v[0..n) (the file `name`) against the old tree and the
 * new one (their files old_name, new_name, for messages). Returns 0, or
 * LNOB_E_HIER with err naming the file and line: "<name>:<line>: ..." for
 * a line that is not true, "<new_name>:<line>: ..." (or old_name) for a
 * difference no line says; -ENOMEM. */
int hierchanges_check(const hier_t *old, const char *old_name, const hier_t *new_tree,
		      const char *new_name, const hier_change_t *v, size_t n, const char *name,
		      char *err, size_t errlen);

#endif
