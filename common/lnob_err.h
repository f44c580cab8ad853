/*
 * lnob_err.h: lnob's error codes and their names.
 *
 * Fallible functions return 0 or a negative code: a negated errno value,
 * one of lnob's own codes below (a reserved range that never collides with
 * errno), or, from the store modules only, an LMDB code that has no
 * meaning for callers (LMDB reserves -30800..-30780 for itself; store.c
 * converts every code a caller decides on: not found, exists, full,
 * damaged, broken). lnob_strerror() names all three.
 */
#ifndef LNOB_ERR_H
#define LNOB_ERR_H

#define LNOB_E_BASE      (-40000)
#define LNOB_E_CONFIG    (-40001) /* a configuration file is wrong */
#define LNOB_E_KEYPERM   (-40002) /* a secret key file is readable by others */
#define LNOB_E_KEYFILE   (-40003) /* a key file is malformed */
#define LNOB_E_BADSIG    (-40004) /* a signature does not verify */
#define LNOB_E_DECODE    (-40005) /* bytes do not decode as the expected message */
#define LNOB_E_TOOBIG    (-40006) /* over a configured size limit */
#define LNOB_E_INVALID   (-40007) /* decodes, but a field is missing or out of range */
#define LNOB_E_CSV       (-40008) /* a CSV file is wrong */
#define LNOB_E_HIER      (-40009) /* the org-unit hierarchy is inconsistent */
#define LNOB_E_NOTFOUND  (-40010) /* no such record */
#define LNOB_E_EXISTS    (-40011) /* the record exists already */
#define LNOB_E_SCHEMA    (-40012) /* a store has another schema or version */
#define LNOB_E_CORRUPT   (-40013) /* a store file is damaged */
#define LNOB_E_ZMQ       (-40014) /* a ZeroMQ call failed (errno says why) */
#define LNOB_E_CRYPTO    (-40015) /* libsodium refused */
#define LNOB_E_WRONG_LEVEL (-40016) /* a unit's level does not report an indicator */
#define LNOB_E_OVERFLOW  (-40017) /* a figure would leave its range (a sum over 10^15) */
#define LNOB_E_FULL      (-40018) /* a store's map is full (it may be grown) */
#define LNOB_E_BROKEN    (-40019) /* a store failed and must be reopened */
#define LNOB_E_NOT_REQUESTED (-40020) /* an ad-hoc request does not ask that unit or indicator */
#define LNOB_E_NOTREG    (-40021) /* a file that is a FIFO, a device or a socket */
#define LNOB_E_SYMLINK   (-40022) /* a symbolic link where a file must be itself */
#define LNOB_E_REVOKED   (-40023) /* the node is revoked */
#define LNOB_E_LAST      (-40023)

/* Returns a static, human-readable name for any code above, a negated
 * errno, or an LMDB code. Never returns NULL. */
const char *lnob_strerror(int code);

#endif
