/*
 * conf.h: INI configuration files, parsed once by inih and validated before
 * anything starts. Every error names the file, the line (when the key is
 * present) and the [section] key, e.g.
 *   "/etc/lnob/collector.conf:12: [uplink] window: not a number: 'ten'"
 *   "/etc/lnob/collector.conf: [uplink] endpoint: missing"
 *   "/etc/lnob/collector.conf:7: [uplink] windw: unknown key"
 */
#ifndef LNOB_CONF_H
#define LNOB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct conf conf_t;

/* Parses path. Returns 0, -errno when it cannot be read (err says so), or
 * LNOB_E_CONFIG for a syntax error or a key given twice (err names the line).
 * Caller owns *ret (conf_destroy). */
int conf_load(const char *path, conf_t **ret, char *err, size_t errlen);
/* Same, from text in memory; name stands for the file in messages. */
int conf_load_mem(const char *text, const char *name, conf_t **ret, char *err, size_t errlen);
void conf_destroy(conf_t **self_p);

/* The file name given at load. */
const char *conf_name(const conf_t *self);

/* Refuses any key not in allowed ("section.key" strings, NULL-terminated
 * array): LNOB_E_CONFIG with the first unknown key's line in err. */
int conf_check_keys(const conf_t *self, const char *const *allowed, char *err, size_t errlen);

/* Typed getters. A key absent from the file gives the default; when the
 * default is NULL (strings) or required is true (numbers), absence is an
 * error ("missing"). A present but bad value is always an error.
 * *ret is written only on success. Strings are borrowed: valid until
 * conf_destroy(). All return 0 or LNOB_E_CONFIG. */
int conf_str(const conf_t *self, const char *section, const char *key,
	     const char *def, const char **ret, char *err, size_t errlen);
int conf_u64(const conf_t *self, const char *section, const char *key,
	     bool required, uint64_t def, uint64_t min, uint64_t max,
	     uint64_t *ret, char *err, size_t errlen);
int conf_bool(const conf_t *self, const char *section, const char *key,
	      bool def, bool *ret, char *err, size_t errlen);  /* yes/no/true/false/1/0/on/off */

#endif
