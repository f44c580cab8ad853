/* verify.c: verify_store() (see verify.h), the driver of its passes:
 * verify_history.c (the history, latest records, conflicts, rollups) and
 * verify_log.c (the envelope log, the amendment queue, the nominations);
 * verify_diff.c reports what they find. */
#include "verify.h"
#include "verify_int.h"

#include "hierversions.h"

int verify_store(store_t *st, MDB_txn *txn, const hier_t *hier, FILE *out,
		 size_t *ret_diffs, size_t *ret_checked)
{
	return verify_store_versions(st, txn, hier, NULL, out, ret_diffs, ret_checked);
}

int verify_store_versions(store_t *st, MDB_txn *txn, const hier_t *hier,
			  const campaigns_t *camps, FILE *out, size_t *ret_diffs,
			  size_t *ret_checked)
{
	verify_t v = { .st = st, .txn = txn, .hier = hier, .camps = camps, .out = out };
	int r = hierver_verify(hier, out, &v.diffs);

	if (r < 0)
		return r;
	r = verify_history(&v);

	if (r == 0)
		r = verify_log(&v);
	if (r == 0) {
		*ret_diffs = v.diffs;
		*ret_checked = v.checked;
	}
	return r;
}
