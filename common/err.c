/* err.c: names for lnob's error codes (see lnob_err.h). */
#include "lnob_err.h"

#include <lmdb.h>
#include <string.h>

const char *lnob_strerror(int code)
{
	switch (code) {
	case 0: return "success";
	case LNOB_E_CONFIG: return "configuration error";
	case LNOB_E_KEYPERM: return "secret key file is readable by group or others";
	case LNOB_E_KEYFILE: return "malformed key file";
	case LNOB_E_BADSIG: return "signature does not verify";
	case LNOB_E_DECODE: return "message does not decode";
	case LNOB_E_TOOBIG: return "over the size limit";
	case LNOB_E_INVALID: return "invalid field";
	case LNOB_E_CSV: return "CSV error";
	case LNOB_E_HIER: return "inconsistent org-unit hierarchy";
	case LNOB_E_NOTFOUND: return "not found";
	case LNOB_E_EXISTS: return "already exists";
	case LNOB_E_SCHEMA: return "store schema mismatch";
	case LNOB_E_CORRUPT: return "store file is damaged";
	case LNOB_E_ZMQ: return "ZeroMQ error";
	case LNOB_E_CRYPTO: return "cryptographic library error";
	case LNOB_E_WRONG_LEVEL: return "indicator not reported at this unit's level";
	case LNOB_E_OVERFLOW: return "a figure would leave its range";
	case LNOB_E_FULL: return "the store is full (its map size is reached)";
	case LNOB_E_BROKEN: return "the store failed and must be reopened";
	case LNOB_E_NOT_REQUESTED: return "not asked by the ad-hoc request";
	case LNOB_E_NOTREG: return "not a regular file (a FIFO, a device or a socket)";
	case LNOB_E_SYMLINK: return "a symbolic link (not followed)";
	case LNOB_E_REVOKED: return "the node is revoked";
	default: break;
	}
	if (code >= MDB_KEYEXIST && code <= MDB_LAST_ERRCODE)
		return mdb_strerror(code);
	if (code < 0 && code > -4096)
		return strerror(-code);
	return "unknown error";
}
